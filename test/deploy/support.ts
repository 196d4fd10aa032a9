import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { domainServices } from '../../apps/easypark/src/platform.ts';
import { type KubernetesObject, type RenderOptions, renderChart } from '../../scripts/helm-render.ts';

export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
export const chartDir = join(repoRoot, 'deploy/helm/easypark');
export const ciValuesDir = join(chartDir, 'ci');
export const ciValuesFiles = readdirSync(ciValuesDir)
  .filter((f) => f.endsWith('.yaml'))
  .sort();

/** What the image can run: the gateway and the platform's domain services (apps/easypark/src/platform.ts). */
export const serviceNames = ['gateway', ...domainServices.map((s) => s.name)];

/** Pods per service in the specification's deployment (seed section 2.6); the gateway is "load balanced". */
export const specReplicas: Record<string, number> = {
  gateway: 2,
  parking: 3,
  reservation: 2,
  charging: 2,
  facility: 1,
  billing: 2,
  analytics: 2,
};

/** Where the chart's defaults keep fewer pods than the specification, and why (values.yaml says so too). */
export const heldBack: Record<string, { replicas: number; why: string }> = {
  charging: {
    replicas: 1,
    why: "one charging process holds the stations' OCPP connections (README, Running distributed)",
  },
};

export const defaultReplicas = (service: string) => heldBack[service]?.replicas ?? specReplicas[service]!;

export const render = (valuesFiles: string[], extra: RenderOptions = {}) =>
  renderChart(chartDir, {
    ...extra,
    values: [...valuesFiles.map((f) => join(ciValuesDir, f)), ...(extra.values ?? [])],
  });

export type Obj = KubernetesObject & { source: string };

export const find = (objects: Obj[], kind: string, name: string): Obj | undefined =>
  objects.find((o) => o.kind === kind && o.metadata.name === name);

export const ofKind = (objects: Obj[], kind: string): Obj[] => objects.filter((o) => o.kind === kind);

/** The pod spec's one container (each Deployment runs one). */
export function containerOf(deployment: Obj): any {
  const containers = (deployment as any).spec.template.spec.containers;
  if (containers.length !== 1)
    throw new Error(`${deployment.metadata.name}: ${containers.length} containers`);
  return containers[0];
}

/**
 * The environment a Deployment's container gets, as the kubelet builds it: envFrom ConfigMaps and
 * Secrets, then env (values, configMapKeyRef, secretKeyRef), from the rendered objects or, for a
 * Secret the chart does not render (secrets.existingSecret), from `externalSecrets`. A reference
 * to something that does not exist throws, unless it is optional.
 */
export function environmentOf(
  deployment: Obj,
  objects: Obj[],
  externalSecrets: Record<string, Record<string, string>> = {},
): Record<string, string> {
  const container = containerOf(deployment);
  const configMap = (name: string) => {
    const found = find(objects, 'ConfigMap', name);
    if (!found) throw new Error(`${deployment.metadata.name}: ConfigMap ${name} is not rendered`);
    return (found as any).data as Record<string, string>;
  };
  const secret = (name: string): Record<string, string> | undefined => {
    const found = find(objects, 'Secret', name);
    if (found)
      return Object.fromEntries(
        Object.entries((found as any).data as Record<string, string>).map(([k, v]) => [
          k,
          Buffer.from(v, 'base64').toString('utf8'),
        ]),
      );
    return externalSecrets[name];
  };
  const env: Record<string, string> = {};
  for (const source of container.envFrom ?? []) {
    if (source.configMapRef) Object.assign(env, configMap(source.configMapRef.name));
    else throw new Error(`unexpected envFrom ${JSON.stringify(source)}`);
  }
  for (const variable of container.env ?? []) {
    if ('value' in variable) env[variable.name] = variable.value;
    else if (variable.valueFrom?.secretKeyRef) {
      const ref = variable.valueFrom.secretKeyRef;
      const data = secret(ref.name);
      if (!data)
        throw new Error(
          `${deployment.metadata.name}: ${variable.name} refers to Secret ${ref.name}, which does not exist`,
        );
      if (ref.key in data) env[variable.name] = data[ref.key]!;
      else if (!ref.optional)
        throw new Error(
          `${deployment.metadata.name}: ${variable.name} refers to key ${ref.key}, not in Secret ${ref.name}`,
        );
    } else if (variable.valueFrom?.configMapKeyRef) {
      const ref = variable.valueFrom.configMapKeyRef;
      env[variable.name] = configMap(ref.name)[ref.key]!;
    } else throw new Error(`unexpected env ${JSON.stringify(variable)}`);
  }
  return env;
}

/** Whether a selector's matchLabels select a set of labels. */
export const selects = (selector: Record<string, string>, labels: Record<string, string> | undefined) =>
  Object.keys(selector).length > 0 && Object.entries(selector).every(([k, v]) => labels?.[k] === v);
