/**
 * The Helm chart (deploy/helm/easypark), rendered as `helm template` would render it
 * (scripts/helm-render.ts) with each values file of its ci/ folder, every object checked against
 * the Kubernetes schemas, and the facts that make it run: one Deployment per service with the
 * specification's replicas, probes where the app answers, the environment the app's own config
 * accepts, secrets that exist, selectors that select.
 */
import { describe, expect, it } from 'vitest';
import { readConfig } from '../../apps/easypark/src/config.ts';
import { kubernetesErrors } from '../../scripts/helm-validate.ts';
import {
  ciValuesFiles,
  containerOf,
  defaultReplicas,
  environmentOf,
  find,
  heldBack,
  type Obj,
  ofKind,
  render,
  selects,
  serviceNames,
} from './support.ts';

const defaults = render(['default-values.yaml']);
const fixed = render(['fixed-replicas-values.yaml']);
const existing = render(['existing-secret-values.yaml']);
const subcharts = render(['subcharts-values.yaml'], { skipDependencies: true, releaseName: 'parkco' });

/** What a Secret made outside the chart holds, for secrets.existingSecret (the keys values.yaml documents). */
const externalSecret = {
  'easypark-credentials': {
    'jwt-secret': 'an-external-jwt-secret-0123456789',
    'admin-password': 'an-external-admin-password',
    'amqp-url': 'amqps://easypark:pw@rabbitmq.internal:5671',
    ...Object.fromEntries(
      serviceNames.map((s) => [`${s}-database-url`, `postgres://easypark:pw@db.internal:5432/ext_${s}`]),
    ),
  },
};

const deploymentOf = (objects: Obj[], service: string) => {
  const matching = ofKind(objects, 'Deployment').filter(
    (d) => d.metadata.labels?.['app.kubernetes.io/component'] === service,
  );
  expect(matching, `Deployments of ${service}`).toHaveLength(1);
  return matching[0]!;
};

describe('the chart renders', () => {
  it.each(ciValuesFiles)('with ci/%s, every object valid by the Kubernetes schemas', (file) => {
    const { objects } = render([file], { skipDependencies: true });
    expect(objects.length).toBeGreaterThan(10);
    for (const object of objects)
      expect(kubernetesErrors(object), `${object.kind} ${object.metadata.name}`).toEqual([]);
    // Names Kubernetes accepts (RFC 1123 labels; Services' RFC 1035), each object once.
    const seen = new Set<string>();
    for (const { kind, metadata } of objects) {
      expect(metadata.name).toMatch(
        kind === 'Service' ? /^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$/ : /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/,
      );
      expect(metadata.name.length).toBeLessThanOrEqual(63);
      expect(seen.has(`${kind}/${metadata.name}`), `${kind}/${metadata.name} twice`).toBe(false);
      seen.add(`${kind}/${metadata.name}`);
    }
  });

  it('refuses to render without credentials, saying which', () => {
    expect(() => render([])).toThrow(/secrets\.jwtSecret is required/);
    expect(() => render(['default-values.yaml'], { values: [{ externalRabbitmq: { url: '' } }] })).toThrow(
      /externalRabbitmq\.url is required/,
    );
    expect(() => render(['default-values.yaml'], { values: [{ externalDatabase: { host: '' } }] })).toThrow(
      /externalDatabase\.host is required/,
    );
  });

  it('refuses enabled dependencies that are not vendored, as helm does', () => {
    expect(() => render(['subcharts-values.yaml'])).toThrow(/missing in charts\/ directory: postgresql/);
    expect(subcharts.skippedDependencies).toEqual(['postgresql', 'rabbitmq', 'redis']);
    expect(defaults.skippedDependencies).toEqual([]);
  });

  it('has notes that say how to reach the gateway', () => {
    expect(defaults.notes).toContain('port-forward service/easypark-gateway 8080:8080');
    expect(fixed.notes).toContain('https://parking.example.com/');
  });
});

describe('one Deployment per service', () => {
  it('for the gateway and every domain service of the platform, running that role', () => {
    expect(Object.keys(defaults.values.services as object).sort()).toEqual([...serviceNames].sort());
    expect(ofKind(defaults.objects, 'Deployment')).toHaveLength(serviceNames.length);
    for (const service of serviceNames) {
      const deployment = deploymentOf(defaults.objects, service);
      expect(deployment.metadata.name).toBe(`easypark-${service}`);
      expect(containerOf(deployment).args).toEqual([service]);
      expect(containerOf(deployment).image).toBe('easypark:0.1.0');
    }
    expect(containerOf(deploymentOf(existing.objects, 'parking')).image).toBe(
      'registry.example.com/easypark:1.4.2',
    );
  });

  it("with the specification's replicas: the autoscaler's minimum, or the Deployment's count without one", () => {
    for (const service of serviceNames) {
      const deployment = deploymentOf(defaults.objects, service) as any;
      const hpa = find(defaults.objects, 'HorizontalPodAutoscaler', deployment.metadata.name) as any;
      expect(Boolean(hpa), `${service} has an autoscaler`).toBe(!heldBack[service]);
      if (hpa) {
        expect(deployment.spec.replicas, 'left to the autoscaler').toBeUndefined();
        expect(hpa.spec.minReplicas, service).toBe(defaultReplicas(service));
        expect(hpa.spec.maxReplicas).toBeGreaterThan(hpa.spec.minReplicas);
      } else expect(deployment.spec.replicas, service).toBe(defaultReplicas(service));

      expect((deploymentOf(fixed.objects, service) as any).spec.replicas, service).toBe(
        defaultReplicas(service),
      );
    }
    expect(ofKind(fixed.objects, 'HorizontalPodAutoscaler')).toEqual([]);
    expect(ofKind(fixed.objects, 'PodDisruptionBudget')).toEqual([]);
  });

  it("runs charging as one process, replaced rather than overlapped, since it holds the stations' connections", () => {
    const charging = deploymentOf(defaults.objects, 'charging') as any;
    expect(charging.spec.replicas).toBe(1);
    expect(charging.spec.strategy).toEqual({ type: 'Recreate' });
    expect(find(defaults.objects, 'PodDisruptionBudget', charging.metadata.name)).toBeUndefined();
    // The others start a new pod before stopping an old one.
    for (const service of serviceNames.filter((s) => !heldBack[s]))
      expect((deploymentOf(defaults.objects, service) as any).spec.strategy, service).toEqual({
        type: 'RollingUpdate',
        rollingUpdate: { maxSurge: 1, maxUnavailable: 0 },
      });
  });

  it('each autoscaler scales its own Deployment, on CPU', () => {
    const hpas = ofKind(defaults.objects, 'HorizontalPodAutoscaler') as any[];
    expect(hpas).toHaveLength(serviceNames.length - Object.keys(heldBack).length);
    for (const hpa of hpas) {
      const target = hpa.spec.scaleTargetRef;
      expect(target.apiVersion).toBe('apps/v1');
      expect(target.kind).toBe('Deployment');
      const deployment = find(defaults.objects, 'Deployment', target.name);
      expect(deployment, `${hpa.metadata.name} targets ${target.name}`).toBeDefined();
      expect(hpa.metadata.labels['app.kubernetes.io/component']).toBe(
        deployment!.metadata.labels!['app.kubernetes.io/component'],
      );
      expect(hpa.spec.metrics[0].resource).toMatchObject({ name: 'cpu', target: { type: 'Utilization' } });
      // Utilization is a share of the request: there has to be one.
      expect(containerOf(deployment!).resources.requests.cpu).toBeTruthy();
    }
  });

  it('probes where the app answers: readiness on /readyz, liveness on /healthz, on the port it listens on', () => {
    for (const service of serviceNames) {
      const deployment = deploymentOf(defaults.objects, service);
      const container = containerOf(deployment);
      const env = environmentOf(deployment, defaults.objects);
      const port = container.ports.find((p: any) => p.name === 'http');
      expect(port.containerPort).toBe(readConfig(env, service).PORT);
      expect(container.readinessProbe.httpGet).toEqual({ path: '/readyz', port: 'http' });
      expect(container.livenessProbe.httpGet).toEqual({ path: '/healthz', port: 'http' });
      expect(container.startupProbe.httpGet).toEqual({ path: '/healthz', port: 'http' });
      const annotations = (deployment as any).spec.template.metadata.annotations;
      expect(annotations['prometheus.io/port']).toBe(String(port.containerPort));
      expect(annotations['prometheus.io/path']).toBe('/metrics');
    }
  });

  it('with requests and limits, as a non-root user on a read-only file system', () => {
    for (const service of serviceNames) {
      const deployment = deploymentOf(defaults.objects, service) as any;
      const pod = deployment.spec.template.spec;
      const container = containerOf(deployment);
      expect(container.resources.requests).toMatchObject({
        cpu: expect.any(String),
        memory: expect.any(String),
      });
      expect(container.resources.limits).toMatchObject({ memory: expect.any(String) });
      expect(pod.securityContext.runAsNonRoot).toBe(true);
      expect(pod.securityContext.runAsUser).toBeGreaterThan(0);
      expect(container.securityContext).toMatchObject({
        readOnlyRootFilesystem: true,
        allowPrivilegeEscalation: false,
        capabilities: { drop: ['ALL'] },
      });
      // tsx writes its cache under /tmp: a writable emptyDir there.
      const tmp = container.volumeMounts.find((m: any) => m.mountPath === '/tmp');
      expect(pod.volumes.find((v: any) => v.name === tmp?.name)?.emptyDir).toBeDefined();
      expect(pod.automountServiceAccountToken).toBe(false);
      expect(find(defaults.objects, 'ServiceAccount', pod.serviceAccountName)).toBeDefined();
    }
  });
});

describe('the environment', () => {
  const cases = [
    ['default values', defaults, {}],
    ['external Redis, traces, OIDC', fixed, {}],
    ['an existing Secret', existing, externalSecret],
    ['the subcharts', subcharts, {}],
  ] as const;

  it.each(cases)(
    "with %s, is one the app's own config accepts in production, for `serve`",
    (_, result, secrets) => {
      for (const service of serviceNames) {
        const env = environmentOf(deploymentOf(result.objects, service), result.objects, secrets);
        const config = readConfig(env, service); // throws on anything it refuses, as `serve` would at start
        expect(config.NODE_ENV).toBe('production');
        // What `easypark serve` requires beyond the schema (apps/easypark/src/main.ts).
        expect(config.DATABASE_URL, service).toMatch(/^postgres:\/\//);
        expect(config.AMQP_URL, service).toMatch(/^amqps?:\/\//);
        expect(config.EASYPARK_JWT_SECRET, service).toBeTruthy();
      }
    },
  );

  it.each(cases)(
    'with %s, gives every service its own database, and all the same JWT secret',
    (_, result, secrets) => {
      const envs = serviceNames.map((s) =>
        environmentOf(deploymentOf(result.objects, s), result.objects, secrets),
      );
      const databases = envs.map((env) => new URL(env.DATABASE_URL!).pathname);
      expect(new Set(databases).size).toBe(serviceNames.length);
      expect(new Set(envs.map((env) => env.EASYPARK_JWT_SECRET)).size).toBe(1);
    },
  );

  it.each(cases)("with %s, gives the admin's password to the gateway alone", (_, result, secrets) => {
    for (const service of serviceNames) {
      const env = environmentOf(deploymentOf(result.objects, service), result.objects, secrets);
      if (service === 'gateway') expect(env.EASYPARK_ADMIN_PASSWORD).toMatch(/admin-password/);
      else expect(env.EASYPARK_ADMIN_PASSWORD, service).toBeUndefined();
    }
  });

  it.each(cases)(
    "with %s, points each service's URL at that service's Kubernetes Service",
    (_, result, secrets) => {
      const gateway = environmentOf(deploymentOf(result.objects, 'gateway'), result.objects, secrets);
      for (const service of serviceNames.filter((s) => s !== 'gateway')) {
        const url = new URL(gateway[`${service.toUpperCase()}_URL`]!);
        const target = find(result.objects, 'Service', url.hostname) as any;
        expect(target, `${service}: ${url}`).toBeDefined();
        expect(target.spec.ports.map((p: any) => p.port)).toContain(Number(url.port));
        const deployment = deploymentOf(result.objects, service) as any;
        expect(
          selects(target.spec.selector, deployment.spec.template.metadata.labels),
          `${url} reaches ${service}`,
        ).toBe(true);
      }
    },
  );

  it('uses the database names and servers the values give', () => {
    const env = (result: typeof defaults, service: string) =>
      environmentOf(deploymentOf(result.objects, service), result.objects);
    expect(env(defaults, 'parking').DATABASE_URL).toBe(
      'postgres://easypark:ci-db-password@postgres.example.internal:5432/easypark_parking',
    );
    expect(env(fixed, 'billing').DATABASE_URL).toBe(
      'postgres://easypark_app:ci-db-password@postgres.example.internal:5432/easypark_billing?sslmode=require',
    );
    expect(env(defaults, 'parking').REDIS_URL).toBeUndefined();
    expect(env(fixed, 'gateway').REDIS_URL).toBe('redis://:ci-redis-password@redis.example.internal:6379');
    expect(env(fixed, 'gateway').OTEL_EXPORTER_OTLP_ENDPOINT).toBe('http://otel-collector.monitoring:4318');
    expect(env(fixed, 'gateway').EASYPARK_OIDC_ISSUER).toBe('https://login.example.com/');
    expect(env(fixed, 'billing').EASYPARK_METRICS_TOKEN).toBe('ci-metrics-token-0123456789');
    expect(env(defaults, 'billing').EASYPARK_METRICS_TOKEN).toBeUndefined();
    // The subcharts' Services, as Bitnami's charts name them for release "parkco".
    expect(env(subcharts, 'charging').DATABASE_URL).toBe(
      'postgres://postgres:ci-postgres-password@parkco-postgresql:5432/easypark_charging',
    );
    expect(env(subcharts, 'charging').AMQP_URL).toBe(
      'amqp://easypark:ci-rabbitmq-password@parkco-rabbitmq:5672',
    );
    expect(env(subcharts, 'gateway').REDIS_URL).toBe('redis://:ci-redis-password@parkco-redis-master:6379');
  });

  it('gives the rate limits to the gateway only', () => {
    for (const service of serviceNames) {
      const names = containerOf(deploymentOf(defaults.objects, service)).env.map((e: any) => e.name);
      expect(names.includes('GATEWAY_RATE_LIMIT_READ_PER_MINUTE'), service).toBe(service === 'gateway');
    }
  });
});

describe('secrets', () => {
  it.each([
    ['default values', defaults],
    ['an existing Secret', existing],
  ] as const)(
    'with %s, are all read from a Secret that exists or the one named in existingSecret',
    (_, result) => {
      const existingSecret = (result.values.secrets as { existingSecret: string }).existingSecret;
      for (const deployment of ofKind(result.objects, 'Deployment')) {
        const refs = containerOf(deployment)
          .env.filter((e: any) => e.valueFrom?.secretKeyRef)
          .map((e: any) => e.valueFrom.secretKeyRef);
        expect(refs.length).toBeGreaterThanOrEqual(5);
        for (const ref of refs) {
          if (existingSecret) {
            expect(ref.name).toBe(existingSecret);
            expect(ref.key in externalSecret['easypark-credentials'] || ref.optional).toBe(true);
          } else {
            const secret = find(result.objects, 'Secret', ref.name) as any;
            expect(secret, ref.name).toBeDefined();
            expect(ref.key in secret.data || ref.optional, ref.key).toBe(true);
          }
        }
        // No credential in plain sight.
        for (const e of containerOf(deployment).env.filter((v: any) => 'value' in v))
          expect(e.name).not.toMatch(
            /^(DATABASE_URL|AMQP_URL|REDIS_URL|EASYPARK_JWT_SECRET|EASYPARK_ADMIN_PASSWORD)$/,
          );
      }
      expect(ofKind(result.objects, 'Secret')).toHaveLength(existingSecret ? 0 : 1);
    },
  );

  it('are not in the ConfigMap', () => {
    const data = (find(defaults.objects, 'ConfigMap', 'easypark-config') as any).data as Record<
      string,
      string
    >;
    expect(Object.keys(data)).not.toContain('DATABASE_URL');
    expect(Object.keys(data)).not.toContain('AMQP_URL');
    for (const value of Object.values(data)) expect(value).not.toMatch(/ci-(jwt|admin|db|rabbit)/);
  });

  it('restart the pods when they or the settings change', () => {
    const annotations = (result: typeof defaults) =>
      (deploymentOf(result.objects, 'parking') as any).spec.template.metadata.annotations;
    const changedSecret = render(['default-values.yaml'], {
      values: [{ secrets: { adminPassword: 'another-admin-password' } }],
    });
    const changedConfig = render(['default-values.yaml'], { values: [{ config: { logLevel: 'debug' } }] });
    expect(annotations(changedSecret)['checksum/secret']).not.toBe(annotations(defaults)['checksum/secret']);
    expect(annotations(changedSecret)['checksum/config']).toBe(annotations(defaults)['checksum/config']);
    expect(annotations(changedConfig)['checksum/config']).not.toBe(annotations(defaults)['checksum/config']);
    expect(annotations(existing)['checksum/secret']).toBeUndefined();
  });
});

describe('selectors', () => {
  it.each([
    ['default values', defaults],
    ['fixed replicas', fixed],
  ] as const)("with %s, select each service's pods and no other's", (_, result) => {
    const deployments = ofKind(result.objects, 'Deployment') as any[];
    for (const deployment of deployments) {
      const labels = deployment.spec.template.metadata.labels;
      expect(selects(deployment.spec.selector.matchLabels, labels)).toBe(true);
      const others = deployments.filter((d) => d !== deployment).map((d) => d.spec.template.metadata.labels);
      const name = deployment.metadata.name;
      const service = find(result.objects, 'Service', name) as any;
      expect(selects(service.spec.selector, labels), `Service ${name}`).toBe(true);
      for (const other of others) expect(selects(service.spec.selector, other)).toBe(false);
      expect(service.spec.ports.find((p: any) => p.targetPort === 'http')).toBeDefined();
      expect(containerOf(deployment).ports.map((p: any) => p.name)).toContain('http');
      const pdb = find(result.objects, 'PodDisruptionBudget', name) as any;
      if (pdb) {
        expect(selects(pdb.spec.selector.matchLabels, labels), `PodDisruptionBudget ${name}`).toBe(true);
        for (const other of others) expect(selects(pdb.spec.selector.matchLabels, other)).toBe(false);
      }
      for (const constraint of deployment.spec.template.spec.topologySpreadConstraints ?? [])
        expect(selects(constraint.labelSelector.matchLabels, labels)).toBe(true);
    }
  });

  it('disruption budgets that protect the replicated services and never block a node drain', () => {
    for (const service of serviceNames) {
      const pdb = find(defaults.objects, 'PodDisruptionBudget', `easypark-${service}`) as any;
      if (defaultReplicas(service) > 1) expect(pdb, service).toBeDefined();
      if (pdb) {
        expect(pdb.spec.minAvailable).toBeGreaterThanOrEqual(1);
        expect(pdb.spec.minAvailable, service).toBeLessThan(defaultReplicas(service));
      }
    }
  });

  it('the Ingress leads to the gateway, and the NetworkPolicy leaves only the gateway open', () => {
    const ingress = ofKind(fixed.objects, 'Ingress')[0] as any;
    const backend = ingress.spec.rules[0].http.paths[0].backend.service;
    const gateway = find(fixed.objects, 'Service', backend.name) as any;
    expect(gateway.metadata.labels['app.kubernetes.io/component']).toBe('gateway');
    expect(gateway.spec.type).toBe('LoadBalancer');
    expect(gateway.spec.ports.map((p: any) => p.name)).toContain(backend.port.name);
    expect(ingress.spec.rules[0].host).toBe('parking.example.com');

    const policy = ofKind(fixed.objects, 'NetworkPolicy')[0] as any;
    const matches = (labels: Record<string, string>) =>
      selects(policy.spec.podSelector.matchLabels, labels) &&
      policy.spec.podSelector.matchExpressions.every(
        (e: any) => e.operator === 'NotIn' && !e.values.includes(labels[e.key]),
      );
    for (const deployment of ofKind(fixed.objects, 'Deployment') as any[]) {
      const labels = deployment.spec.template.metadata.labels;
      expect(matches(labels), deployment.metadata.name).toBe(
        labels['app.kubernetes.io/component'] !== 'gateway',
      );
      // Every pod of the release may call the services.
      expect(selects(policy.spec.ingress[0].from[0].podSelector.matchLabels, labels)).toBe(true);
    }
    expect(ofKind(defaults.objects, 'NetworkPolicy')).toEqual([]);
    expect(ofKind(defaults.objects, 'Ingress')).toEqual([]);
  });

  it('the ServiceMonitor, when enabled, scrapes every service of the release once, with the metrics token', () => {
    const monitors = ofKind(fixed.objects, 'ServiceMonitor') as any[];
    expect(monitors).toHaveLength(1);
    const monitor = monitors[0];
    expect(monitor.metadata.labels.release).toBe('kube-prometheus-stack');
    const scraped = (ofKind(fixed.objects, 'Service') as any[]).filter((s) =>
      selects(monitor.spec.selector.matchLabels, s.metadata.labels),
    );
    expect(scraped.map((s) => s.metadata.labels[monitor.spec.jobLabel]).sort()).toEqual(
      [...serviceNames].sort(),
    );
    const [endpoint, ...others] = monitor.spec.endpoints;
    expect(others).toEqual([]);
    expect(endpoint).toMatchObject({ path: '/metrics', interval: '15s', authorization: { type: 'Bearer' } });
    for (const service of scraped)
      expect(service.spec.ports.map((p: any) => p.name)).toContain(endpoint.port);
    const { name, key } = endpoint.authorization.credentials;
    const secret = find(fixed.objects, 'Secret', name) as any;
    expect(Buffer.from(secret.data[key], 'base64').toString()).toBe('ci-metrics-token-0123456789');
    // Not also discovered through pod annotations, which would scrape each service twice.
    for (const deployment of ofKind(fixed.objects, 'Deployment') as any[])
      expect(deployment.spec.template.metadata.annotations['prometheus.io/scrape']).toBeUndefined();
    expect(ofKind(defaults.objects, 'ServiceMonitor')).toEqual([]);
  });
});
