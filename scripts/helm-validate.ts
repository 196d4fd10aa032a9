/**
 * Checks Kubernetes objects against the Kubernetes API's own schemas (the OpenAPI definitions of
 * Kubernetes 1.27, compiled by the kubernetes-models package), like `kubeconform -strict`:
 *
 *   - every field's type, format (quantities like `256Mi`, ports, label values) and enum, and
 *     every required field, by the schema of the object's apiVersion and kind;
 *   - no field the schema does not know (a misspelt `readinessprobe` would be dropped, or refused,
 *     by the API server: here it is an error). The compiled validators read each field that the
 *     schema defines, so the check watches which fields they read: one never read is unknown.
 *     Maps (labels, annotations, resources) are read whole, so any key is allowed in them.
 *
 * Only the kinds our chart uses are known (the Prometheus Operator's ServiceMonitor by the
 * schema its CRD publishes); any other kind is an error, not a pass.
 */
import { ServiceMonitor } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/ServiceMonitor';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler';
import { Ingress } from 'kubernetes-models/networking.k8s.io/v1/Ingress';
import { NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { Secret } from 'kubernetes-models/v1/Secret';
import { Service } from 'kubernetes-models/v1/Service';
import { ServiceAccount } from 'kubernetes-models/v1/ServiceAccount';

/** A kubernetes-models class: its prototype's validate() checks `this` against the kind's schema. */
interface Model {
  apiVersion: string;
  kind: string;
  prototype: { validate(this: unknown): void };
}

const models: Model[] = [
  Deployment,
  Service,
  HorizontalPodAutoscaler,
  PodDisruptionBudget,
  Secret,
  ConfigMap,
  ServiceAccount,
  Ingress,
  NetworkPolicy,
  ServiceMonitor,
];

export const knownKinds = models.map((m) => `${m.apiVersion}/${m.kind}`);

/** What is wrong with one object: schema errors and unknown fields (empty when it is valid). */
export function kubernetesErrors(object: {
  apiVersion?: unknown;
  kind?: unknown;
  [field: string]: unknown;
}): string[] {
  const model = models.find((m) => m.apiVersion === object.apiVersion && m.kind === object.kind);
  if (!model)
    return [
      `no schema for ${String(object.apiVersion)}/${String(object.kind)} (known: ${knownKinds.join(', ')})`,
    ];

  const read = new WeakMap<object, Set<string>>();
  const readWhole = new WeakSet<object>();
  const watch = (value: unknown): unknown => {
    if (typeof value !== 'object' || value === null) return value;
    if (!read.has(value)) read.set(value, new Set());
    return new Proxy(value, {
      get(target, key, receiver) {
        if (typeof key === 'string') read.get(target)!.add(key);
        return watch(Reflect.get(target, key, receiver));
      },
      has(target, key) {
        if (typeof key === 'string') read.get(target)!.add(key);
        return Reflect.has(target, key);
      },
      ownKeys(target) {
        readWhole.add(target);
        return Reflect.ownKeys(target);
      },
    });
  };

  // `source` is ours (the file an object came from), not the object's.
  const { source: _source, ...fields } = object as Record<string, unknown>;
  const errors: string[] = [];
  try {
    model.prototype.validate.call(watch(fields));
  } catch (error) {
    errors.push(...(error as Error).message.split(', data').map((m, i) => (i === 0 ? m : `data${m}`)));
  }
  const unknown = (value: unknown, path: string) => {
    if (typeof value !== 'object' || value === null) return;
    if (Array.isArray(value)) {
      for (const [i, v] of value.entries()) unknown(v, `${path}/${i}`);
      return;
    }
    for (const [key, v] of Object.entries(value)) {
      if (!readWhole.has(value) && !read.get(value)?.has(key))
        errors.push(`data${path}/${key} is not a known field`);
      unknown(v, `${path}/${key}`);
    }
  };
  unknown(fields, '');
  return errors;
}
