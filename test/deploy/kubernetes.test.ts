/** scripts/helm-validate.ts refuses what a Kubernetes API server would refuse. */
import { describe, expect, it } from 'vitest';
import { kubernetesErrors } from '../../scripts/helm-validate.ts';

const deployment = () => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'parking', labels: { 'app.kubernetes.io/component': 'parking' } },
  spec: {
    selector: { matchLabels: { app: 'parking' } },
    template: {
      metadata: { labels: { app: 'parking' }, annotations: { 'prometheus.io/port': '8080' } },
      spec: {
        containers: [
          {
            name: 'parking',
            image: 'easypark:1',
            ports: [{ name: 'http', containerPort: 8080 }],
            readinessProbe: { httpGet: { path: '/readyz', port: 'http' } },
            resources: { requests: { cpu: '100m', memory: '256Mi' }, limits: { memory: '512Mi' } },
          },
        ],
      },
    },
  },
});

describe('Kubernetes schema validation', () => {
  it('accepts a valid object', () => {
    expect(kubernetesErrors(deployment())).toEqual([]);
  });

  it('refuses wrong types, bad quantities and missing required fields', () => {
    const wrongType = deployment() as any;
    wrongType.spec.replicas = '3';
    expect(kubernetesErrors(wrongType)).toContain('data/spec/replicas must be integer');

    const badQuantity = deployment() as any;
    badQuantity.spec.template.spec.containers[0].resources.limits.memory = 'half a gig';
    expect(kubernetesErrors(badQuantity).join()).toMatch(/limits\/memory must match format "quantity"/);

    const noImageName = deployment() as any;
    delete noImageName.spec.template.spec.containers[0].name;
    expect(kubernetesErrors(noImageName).join()).toMatch(
      /containers\/0 must have required property '?name'?/,
    );

    const label = deployment() as any;
    label.metadata.labels.replicas = 3;
    expect(kubernetesErrors(label).join()).toMatch(/labels\/replicas must be string/);
  });

  it('refuses fields the schema does not have (a misspelt probe would be silently lost)', () => {
    const typo = deployment() as any;
    typo.spec.template.spec.containers[0].readinessprobe =
      typo.spec.template.spec.containers[0].readinessProbe;
    typo.spec.strategy = { type: 'RollingUpdate', rollingupdate: {} };
    expect(kubernetesErrors(typo).sort()).toEqual([
      'data/spec/strategy/rollingupdate is not a known field',
      'data/spec/template/spec/containers/0/readinessprobe is not a known field',
    ]);
    // Maps take any key.
    expect(
      kubernetesErrors({ ...deployment(), metadata: { name: 'x', annotations: { 'any/key': 'v' } } }),
    ).toEqual([]);
  });

  it('refuses kinds it has no schema for, rather than passing them', () => {
    expect(kubernetesErrors({ apiVersion: 'monitoring.coreos.com/v1', kind: 'PrometheusRule' })[0]).toMatch(
      /no schema for monitoring\.coreos\.com\/v1\/PrometheusRule/,
    );
    // The Prometheus Operator's ServiceMonitor is known, by its CRD's schema.
    expect(kubernetesErrors({ apiVersion: 'monitoring.coreos.com/v1', kind: 'ServiceMonitor' })).toEqual([
      'data must have required property spec',
    ]);
    expect(
      kubernetesErrors({
        apiVersion: 'monitoring.coreos.com/v1',
        kind: 'ServiceMonitor',
        metadata: { name: 'm' },
        spec: { selector: {}, endpoints: [{ port: 'http', intervall: '30s' }] },
      }),
    ).toEqual([expect.stringContaining('intervall')]);
    expect(
      kubernetesErrors({ apiVersion: 'autoscaling/v2beta1', kind: 'HorizontalPodAutoscaler' })[0],
    ).toMatch(/no schema/);
  });
});
