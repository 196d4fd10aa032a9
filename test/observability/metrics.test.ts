import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import type { EventEnvelope } from '@easypark/kernel';
import {
  createPool,
  dropDatabase,
  ensureDatabase,
  platformMigrations,
  runMigrations,
  watchOutbox,
  withDatabase,
} from '@easypark/platform';
import { type ChargePoint, createChargePoint } from '@easypark/simulator/chargepoint';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { startTestPlatform, type TenantFixture, type TestPlatform } from '../support/platform.ts';

/**
 * The Prometheus metrics the platform exports, scraped from the gateway's /metrics after real
 * traffic (entries, exits, a charging station), and the Grafana dashboard and alert rules under
 * deploy/ checked against them: every metric they name must be one the platform exports.
 */

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** The Prometheus text format, sample lines only. */
function parseExposition(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})?\s+(\S+)/.exec(line);
    if (!match) throw new Error(`not a sample line: ${line}`);
    const labels: Record<string, string> = {};
    for (const [, key, value] of (match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g))
      labels[key!] = value!;
    samples.push({ name: match[1]!, labels, value: Number(match[3]) });
  }
  return samples;
}

/** The sum of the samples of `name` whose labels include `labels`. */
function total(samples: Sample[], name: string, labels: Record<string, string> = {}): number {
  return samples
    .filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))
    .reduce((sum, s) => sum + s.value, 0);
}

function has(samples: Sample[], name: string, labels: Record<string, string> = {}): boolean {
  return samples.some((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
}

const promqlKeywords = new Set(['and', 'or', 'unless', 'bool', 'offset', 'inf', 'nan']);

/** The metric names a PromQL expression reads (not its functions, labels, keywords or Grafana variables). */
function metricNamesIn(expression: string): string[] {
  const bare = expression
    .replace(/"(?:[^"\\]|\\.)*"/g, '""')
    .replace(/\{[^}]*\}/g, '')
    .replace(/\[[^\]]*\]/g, '')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, '')
    .replace(/\$\w+/g, '');
  return [...bare.matchAll(/(?<![\w:.])([a-zA-Z_:][\w:]*)(?![\w:]|\s*\()/g)]
    .map((m) => m[1]!)
    .filter((name) => !promqlKeywords.has(name.toLowerCase()));
}

/** Every string under a key `key`, anywhere in a JSON document. */
function stringsUnder(node: unknown, key: string): string[] {
  if (Array.isArray(node)) return node.flatMap((item) => stringsUnder(item, key));
  if (node === null || typeof node !== 'object') return [];
  return Object.entries(node).flatMap(([k, v]) =>
    k === key && typeof v === 'string' ? [v] : stringsUnder(v, key),
  );
}

const deployFile = (path: string) => readFileSync(new URL(`../../deploy/${path}`, import.meta.url), 'utf8');

describe('Prometheus metrics', () => {
  let t: TestPlatform;
  let acme: TenantFixture;
  let facilityId: string;
  let endpoint: string;
  const plates = ['MET1AAA', 'MET2BBB', 'MET3CCC'];

  const scrape = async () => {
    const answer = await t.request<string>('GET', '/metrics');
    expect(answer.status).toBe(200);
    expect(String(answer.headers['content-type'])).toMatch(/^text\/plain/);
    return parseExposition(answer.body);
  };

  beforeAll(async () => {
    t = await startTestPlatform();
    const app = t.platform.gateway.app;
    await app.listen({ port: 0, host: '127.0.0.1' });
    endpoint = `ws://127.0.0.1:${(app.server.address() as AddressInfo).port}/ocpp`;
    acme = await t.createTenant();
    const facility = await t.registerFacility(acme.adminToken, {
      capacity_breakdown: { compact: 0, standard: 12, large: 0 },
    });
    facilityId = facility.facility_id;
    const spaces = await t.request('POST', '/api/v1/parking/spaces/bulk', {
      token: acme.adminToken,
      body: { facility_id: facilityId, size: 'STANDARD', floor: 0, aisle: 'M', count: 12 },
    });
    expect(spaces.status).toBe(201);
    for (const plate of plates) {
      const entry = await t.request('POST', '/api/v1/parking/sessions/entry', {
        token: acme.operatorToken,
        body: { facility_id: facilityId, registration_number: plate },
      });
      expect(entry.status).toBe(201);
    }
    const exit = await t.request('POST', '/api/v1/parking/sessions/exit', {
      token: acme.operatorToken,
      body: { facility_id: facilityId, registration_number: plates[0] },
    });
    expect(exit.status).toBe(200);
    await t.drainEvents();
  });

  afterAll(async () => {
    await t?.stop();
  });

  it('counts occupied and total spaces per facility from the parking service’s own state', async () => {
    const samples = await scrape();
    const open = await t.request<any>('GET', '/api/v1/parking/sessions', {
      token: acme.operatorToken,
      query: { facility_id: facilityId, status: 'OPEN' },
    });
    expect(open.status).toBe(200);
    expect(open.body).toHaveLength(plates.length - 1);
    expect(total(samples, 'parking_occupied_spaces', { facility_id: facilityId })).toBe(plates.length - 1);
    expect(total(samples, 'parking_total_spaces', { facility_id: facilityId })).toBe(12);
    // Labelled by facility only: no plate, session or vehicle reaches the metrics.
    const parking = samples.filter((s) => s.name.startsWith('parking_'));
    for (const sample of parking) expect(Object.keys(sample.labels)).toEqual(['facility_id']);
  });

  it('times HTTP requests by service and route pattern, at the gateway and behind it', async () => {
    const samples = await scrape();
    expect(
      total(samples, 'http_request_duration_seconds_count', {
        service: 'parking',
        method: 'POST',
        route: '/parking/v1/sessions/entry',
        status_code: '201',
      }),
    ).toBe(plates.length);
    expect(
      total(samples, 'http_request_duration_seconds_count', { service: 'gateway', route: '/api/v1/:api/*' }),
    ).toBeGreaterThanOrEqual(plates.length + 1);
  });

  it('leaves Server-Sent Events streams out of request latency: they last as long as someone watches', async () => {
    const address = `http://127.0.0.1:${(t.platform.gateway.app.server.address() as AddressInfo).port}`;
    const watching = new AbortController();
    const stream = await fetch(`${address}/api/v1/analytics/occupancy/${facilityId}/stream`, {
      headers: { authorization: `Bearer ${acme.operatorToken}`, accept: 'text/event-stream' },
      signal: watching.signal,
    });
    expect(stream.headers.get('content-type')).toMatch(/^text\/event-stream/);
    await stream.body!.getReader().read(); // the first event
    const before = total(await scrape(), 'http_request_duration_seconds_count', { service: 'gateway' });
    watching.abort();
    await new Promise((resolve) => setTimeout(resolve, 300));
    const samples = await scrape();
    expect(
      has(samples, 'http_request_duration_seconds_count', {
        route: '/analytics/v1/occupancy/:facility_id/stream',
      }),
    ).toBe(false);
    // Since then the gateway counted the first scrape, and not the stream.
    expect(total(samples, 'http_request_duration_seconds_count', { service: 'gateway' })).toBe(before + 1);
  });

  it('times database queries by service and SQL verb, in and out of transactions', async () => {
    const samples = await scrape();
    for (const operation of ['select', 'insert', 'update', 'begin', 'commit'])
      expect(
        total(samples, 'db_query_duration_seconds_count', { service: 'parking', operation }),
      ).toBeGreaterThan(0);
    const operations = new Set(
      samples.filter((s) => s.name === 'db_query_duration_seconds_count').map((s) => s.labels.operation),
    );
    expect(
      [...operations].every((o) =>
        /^(select|insert|update|delete|with|begin|commit|rollback|other)$/.test(o!),
      ),
    ).toBe(true);
    const count = total(samples, 'db_query_duration_seconds_count', { service: 'billing' });
    const seconds = total(samples, 'db_query_duration_seconds_sum', { service: 'billing' });
    expect(count).toBeGreaterThan(0);
    expect(seconds / count).toBeGreaterThan(0);
    expect(seconds / count).toBeLessThan(1);
    for (const service of t.platform.services.keys())
      expect(has(samples, 'db_pool_clients', { service, state: 'total' })).toBe(true);
  });

  it('shows each outbox empty once the events are delivered', async () => {
    const samples = await scrape();
    for (const service of t.platform.services.keys()) {
      expect(has(samples, 'outbox_backlog_events', { service })).toBe(true);
      expect(total(samples, 'outbox_backlog_events', { service })).toBe(0);
      expect(total(samples, 'outbox_oldest_unpublished_seconds', { service })).toBe(0);
    }
  });

  it('shows events waiting in an outbox, and how long the oldest has waited', async () => {
    // An outbox no relay empties (the platform's relays publish within milliseconds).
    const serverUrl = t.platform.serverUrl;
    const database = `${t.platform.databases[0]}_lonely`;
    await ensureDatabase(serverUrl, database);
    const pool = createPool(withDatabase(serverUrl, database), { max: 2 });
    try {
      await runMigrations(pool, [platformMigrations]);
      const registry = new Registry();
      watchOutbox(registry, 'lonely', pool);
      const read = async () => parseExposition(await registry.metrics());
      let samples = await read();
      expect(total(samples, 'outbox_backlog_events', { service: 'lonely' })).toBe(0);
      expect(total(samples, 'outbox_oldest_unpublished_seconds', { service: 'lonely' })).toBe(0);

      await pool.query(
        `INSERT INTO outbox (event_id, type, envelope, created_at) VALUES
           ('evt_old', 'test.event', '{}', now() - interval '90 seconds'),
           ('evt_new', 'test.event', '{}', now() - interval '5 seconds'),
           ('evt_sent', 'test.event', '{}', now() - interval '1 hour')`,
      );
      await pool.query(`UPDATE outbox SET published_at = now() WHERE event_id = 'evt_sent'`);
      samples = await read();
      expect(total(samples, 'outbox_backlog_events', { service: 'lonely' })).toBe(2);
      const oldest = total(samples, 'outbox_oldest_unpublished_seconds', { service: 'lonely' });
      expect(oldest).toBeGreaterThanOrEqual(90);
      expect(oldest).toBeLessThan(120);

      await pool.query(`UPDATE outbox SET published_at = now() WHERE event_id = 'evt_old'`);
      samples = await read();
      expect(total(samples, 'outbox_backlog_events', { service: 'lonely' })).toBe(1);
      expect(total(samples, 'outbox_oldest_unpublished_seconds', { service: 'lonely' })).toBeLessThan(60);
    } finally {
      await pool.end();
      await dropDatabase(serverUrl, database);
    }
  });

  it('measures consumer lag and outcomes, duplicates included', async () => {
    let samples = await scrape();
    const exited = { service: 'billing', event_type: 'parking.vehicle.exited' };
    expect(total(samples, 'bus_consumer_lag_seconds_count', exited)).toBe(1);
    const lag = total(samples, 'bus_consumer_lag_seconds_sum', exited);
    expect(lag).toBeGreaterThanOrEqual(0);
    expect(lag).toBeLessThan(10);
    expect(total(samples, 'bus_events_handled_total', { ...exited, outcome: 'applied' })).toBe(1);
    expect(total(samples, 'bus_events_handled_total', { ...exited, outcome: 'duplicate' })).toBe(0);

    // The same event delivered again (at-least-once): the inbox skips it, and it is counted so.
    const { rows } = await t.platform.pools
      .get('parking')!
      .query<{ envelope: EventEnvelope }>(
        `SELECT envelope FROM outbox WHERE type = 'parking.vehicle.exited'`,
      );
    expect(rows).toHaveLength(1);
    await t.platform.bus.publish([rows[0]!.envelope]);
    await t.drainEvents();
    samples = await scrape();
    expect(total(samples, 'bus_events_handled_total', { ...exited, outcome: 'duplicate' })).toBe(1);
    expect(total(samples, 'bus_consumer_lag_seconds_count', exited)).toBe(1);
  });

  it('counts the charging stations connected over OCPP, and their calls by action', async () => {
    const station = await t.request<any>('POST', '/api/v1/charging/stations', {
      token: acme.operatorToken,
      body: {
        facility_id: facilityId,
        charger_level: 'LEVEL2',
        connector_type: 'TYPE2',
        power_rating_kw: 22,
      },
    });
    expect(station.status).toBe(201);
    const connections = async () => total(await scrape(), 'ocpp_connections', { protocol: 'ocpp1.6' });
    expect(await connections()).toBe(0);

    const chargePoint: ChargePoint = createChargePoint({
      endpoint,
      stationId: station.body.station_id,
      password: station.body.ocpp_password,
      protocol: 'ocpp1.6',
      maxPowerKw: 22,
    });
    await chargePoint.connect();
    try {
      const samples = await scrape();
      expect(total(samples, 'ocpp_connections', { protocol: 'ocpp1.6' })).toBe(1);
      expect(total(samples, 'ocpp_connections', { protocol: 'ocpp2.0.1' })).toBe(0);
      expect(
        total(samples, 'ocpp_messages_received_total', { protocol: 'ocpp1.6', action: 'BootNotification' }),
      ).toBe(1);
      expect(
        total(samples, 'ocpp_messages_received_total', { protocol: 'ocpp1.6', action: 'StatusNotification' }),
      ).toBeGreaterThanOrEqual(1);
    } finally {
      await chargePoint.disconnect();
    }
    await expect.poll(connections).toBe(0);
  });

  it('exports every metric the Grafana dashboard and the alert rules use', async () => {
    const samples = await scrape();
    // `up` is Prometheus's own, about each target it scrapes.
    const exported = new Set([...samples.map((s) => s.name), 'up']);

    const dashboard = JSON.parse(deployFile('grafana/easypark-dashboard.json'));
    const panelQueries = stringsUnder(dashboard.panels, 'expr');
    expect(panelQueries.length).toBeGreaterThan(15);
    const variableQueries = stringsUnder(dashboard.templating, 'definition');
    const variableMetrics = variableQueries.map(
      (q) => /^label_values\(\s*([a-zA-Z_:][\w:]*)\s*,/.exec(q)?.[1],
    );
    expect(variableMetrics.every(Boolean)).toBe(true);
    const dashboardMetrics = [...panelQueries.flatMap(metricNamesIn), ...(variableMetrics as string[])];

    const rules = parseYaml(deployFile('prometheus/alerts.yaml')) as {
      groups: Array<{ name: string; rules: Array<Record<string, any>> }>;
    };
    const alerts = rules.groups.flatMap((group) => group.rules);
    for (const alert of alerts) {
      expect(alert.alert).toMatch(/^EasyPark[A-Za-z]+$/);
      expect(alert.for).toMatch(/^\d+[smh]$/);
      expect(['warning', 'critical']).toContain(alert.labels?.severity);
      expect(alert.annotations?.summary).toBeTruthy();
    }
    const alertMetrics = alerts.flatMap((alert) => metricNamesIn(String(alert.expr)));

    for (const name of [...dashboardMetrics, ...alertMetrics])
      expect(exported, `${name} is not exported`).toContain(name);

    // Every metric the platform adds is on the dashboard, and the alerts watch what they promise.
    for (const name of [
      'http_request_duration_seconds_bucket',
      'http_request_duration_seconds_count',
      'db_query_duration_seconds_bucket',
      'db_pool_clients',
      'outbox_backlog_events',
      'outbox_oldest_unpublished_seconds',
      'bus_consumer_lag_seconds_bucket',
      'bus_events_handled_total',
      'ocpp_connections',
      'ocpp_messages_received_total',
      'parking_occupied_spaces',
      'parking_total_spaces',
    ])
      expect(dashboardMetrics, `${name} is not on the dashboard`).toContain(name);
    for (const name of [
      'up',
      'http_request_duration_seconds_count',
      'http_request_duration_seconds_bucket',
      'outbox_oldest_unpublished_seconds',
      'outbox_backlog_events',
      'bus_consumer_lag_seconds_bucket',
      'ocpp_connections',
    ])
      expect(alertMetrics, `no alert reads ${name}`).toContain(name);

    // Each panel asks the dashboard's datasource variable, so it imports into any Grafana.
    const datasource = dashboard.templating.list.find((v: any) => v.type === 'datasource');
    expect(datasource).toMatchObject({ name: 'datasource', query: 'prometheus' });
    const panels = dashboard.panels.filter((p: any) => p.type !== 'row');
    // biome-ignore lint/suspicious/noTemplateCurlyInString: Grafana's variable syntax, not a template.
    for (const panel of panels) expect(panel.datasource?.uid).toBe('${datasource}');
  });

  it('reads PromQL metric names the way the drift check needs', () => {
    expect(
      metricNamesIn(
        'histogram_quantile(0.99, sum by (service, le) (rate(a_bucket{route!~".*/stream", x="y{z}"}[$__rate_interval]))) > 0.25',
      ),
    ).toEqual(['a_bucket']);
    expect(metricNamesIn('sum(b) < 0.7 * sum(b offset 10m) and sum(b offset 10m) >= 1e3')).toEqual([
      'b',
      'b',
      'b',
    ]);
    expect(metricNamesIn('x / on (service) group_left (route) y_total unless z')).toEqual([
      'x',
      'y_total',
      'z',
    ]);
  });
});
