/**
 * The chart's values.schema.json: the defaults and every ci/ values file meet it, and values that
 * would make a broken release are refused before anything renders (helm checks the schema first).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { mergeValues, readYaml, schemaErrors, type Values } from '../../scripts/helm-render.ts';
import { chartDir, ciValuesDir, ciValuesFiles, render, serviceNames } from './support.ts';

const schema = JSON.parse(readFileSync(join(chartDir, 'values.schema.json'), 'utf8'));
const defaults = readYaml(readFileSync(join(chartDir, 'values.yaml'), 'utf8'), 'values.yaml') as Values;
const withCi = (file: string) =>
  mergeValues(defaults, readYaml(readFileSync(join(ciValuesDir, file), 'utf8'), file) as Values);

describe('values.schema.json', () => {
  it('accepts values.yaml and every ci/ values file over it', () => {
    expect(schemaErrors(schema, defaults)).toEqual([]);
    for (const file of ciValuesFiles) expect(schemaErrors(schema, withCi(file)), file).toEqual([]);
  });

  it('describes every service the platform has, and no other', () => {
    expect(Object.keys(schema.properties.services.properties).sort()).toEqual([...serviceNames].sort());
    expect(schema.properties.services.required.sort()).toEqual([...serviceNames].sort());
  });

  const refused: Array<[string, Values, RegExp]> = [
    [
      'a misspelt key',
      { services: { parking: { replica: 3 } } },
      /services\.parking: must NOT have additional properties: replica/,
    ],
    ['an unknown top-level key', { imag: { tag: 'x' } }, /must NOT have additional properties: imag/],
    [
      'a service the platform does not have',
      { services: { payments: {} } },
      /additional properties: payments/,
    ],
    ['no replicas', { services: { billing: { replicas: 0 } } }, /services\.billing\.replicas: must be >= 1/],
    ['replicas as a string', { services: { billing: { replicas: '2' } } }, /replicas: must be integer/],
    [
      'a database name PostgreSQL would need quoted',
      { services: { parking: { database: 'easypark-parking' } } },
      /database: must match pattern/,
    ],
    [
      'CORS open to every origin (production refuses it)',
      { config: { corsOrigins: '*' } },
      /corsOrigins: must match pattern/,
    ],
    [
      'an unknown log level',
      { config: { logLevel: 'verbose' } },
      /logLevel: must be equal to one of the allowed values/,
    ],
    [
      'a JWT secret shorter than 16 characters',
      { secrets: { jwtSecret: 'too-short' } },
      /jwtSecret: must NOT have fewer than 16 characters/,
    ],
    [
      'a metrics token shorter than 16 characters',
      { secrets: { metricsToken: 'short' } },
      /metricsToken: must NOT have fewer than 16 characters/,
    ],
    [
      'an update strategy Kubernetes does not have',
      { services: { parking: { updateStrategy: 'BlueGreen' } } },
      /updateStrategy: must be equal to one of the allowed values/,
    ],
    [
      'a password that would break a URL',
      { externalDatabase: { password: 'p@ss/word' } },
      /externalDatabase\.password: must match pattern/,
    ],
    ['an image tag YAML read as a number', { image: { tag: 1.5 } }, /image\.tag: must be string/],
    ['a port out of range', { port: 70000 }, /port: must be <= 65535/],
    [
      'a CPU target over 100%',
      { services: { charging: { autoscaling: { targetCPUUtilizationPercentage: 150 } } } },
      /targetCPUUtilizationPercentage: must be <= 100/,
    ],
    [
      'a memory limit that is not a quantity',
      { services: { analytics: { resources: { limits: { memory: 'lots' } } } } },
      /limits\.memory/,
    ],
    [
      'root in the pods',
      { podSecurityContext: { runAsNonRoot: false } },
      /runAsNonRoot: must be equal to constant/,
    ],
    [
      'a RabbitMQ URL of another scheme',
      { externalRabbitmq: { url: 'http://rabbitmq:15672' } },
      /externalRabbitmq\.url: must match pattern/,
    ],
    [
      'a Redis cluster (the chart connects to <name>-master)',
      { redis: { architecture: 'replication' } },
      /redis\.architecture: must be equal to constant/,
    ],
  ];

  it.each(refused)('refuses %s', (_, bad, message) => {
    const values = mergeValues(withCi('default-values.yaml'), bad);
    expect(schemaErrors(schema, values).join('\n')).toMatch(message);
    // And so does rendering, before any template runs.
    expect(() => render(['default-values.yaml'], { values: [bad] })).toThrow(
      /values don't meet the specifications/,
    );
  });
});

describe('the templates refuse what the schema cannot see', () => {
  it.each<[string, Values, RegExp]>([
    [
      'an autoscaler maximum below the replicas',
      { services: { parking: { autoscaling: { maxReplicas: 2 } } } },
      /services\.parking\.autoscaling\.maxReplicas is below its replicas/,
    ],
    [
      'a disruption budget no eviction could meet',
      { services: { billing: { podDisruptionBudget: { minAvailable: 2 } } } },
      /services\.billing\.podDisruptionBudget\.minAvailable must be below its replicas/,
    ],
    ['an Ingress without a host', { ingress: { enabled: true } }, /ingress\.hosts needs at least one host/],
    [
      'the PostgreSQL subchart without its password',
      { postgresql: { enabled: true } },
      /postgresql\.auth\.postgresPassword is required/,
    ],
    [
      'the RabbitMQ subchart without its password',
      { rabbitmq: { enabled: true } },
      /rabbitmq\.auth\.password is required/,
    ],
  ])('%s', (_, bad, message) => {
    expect(() => render(['default-values.yaml'], { values: [bad], skipDependencies: true })).toThrow(message);
  });

  it('accepts a percentage as a disruption budget', () => {
    const { objects } = render(['default-values.yaml'], {
      values: [{ services: { billing: { podDisruptionBudget: { minAvailable: '50%' } } } }],
    });
    const pdb = objects.find(
      (o) => o.kind === 'PodDisruptionBudget' && o.metadata.name === 'easypark-billing',
    ) as any;
    expect(pdb.spec.minAvailable).toBe('50%');
  });
});
