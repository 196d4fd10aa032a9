import { randomBytes } from 'node:crypto';
import type { EventEnvelope } from '@easypark/kernel';
import { configureTracing, type Logger } from '@easypark/platform';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { InMemorySpanExporter, type ReadableSpan, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPlatform, type TenantFixture, type TestPlatform } from '../support/platform.ts';

/**
 * One exit through the gateway, followed as one trace: the gateway's server span, its call to
 * Parking, Parking's server span, and across the event bus (the envelope's `traceparent`) the
 * consumer spans of Billing and Analytics, each service's spans under its own service name.
 * Runs on the in-process bus, and through RabbitMQ when AMQP_URL is set.
 */

const serviceOf = (span: ReadableSpan) => span.resource.attributes['service.name'];
const parentOf = (span: ReadableSpan) => span.parentSpanContext?.spanId;

/** Sends a logger's lines (and those of the request loggers made from it from now on) here, at info. */
function captureLines(logger: Logger, lines: Record<string, unknown>[]): void {
  const target = logger as unknown as Record<symbol, unknown>;
  target[pino.symbols.streamSym] = { write: (line: string) => lines.push(JSON.parse(line)) };
  logger.level = 'info';
}

/** A platform with a tenant and a facility of `count` spaces, its gateway's and Parking's log lines captured. */
async function platformWithSpaces(count: number, logLines: Record<string, unknown>[]) {
  const t = await startTestPlatform();
  const acme = await t.createTenant();
  const facilityId = (
    await t.registerFacility(acme.adminToken, {
      capacity_breakdown: { compact: 0, standard: count, large: 0 },
    })
  ).facility_id as string;
  const spaces = await t.request('POST', '/api/v1/parking/spaces/bulk', {
    token: acme.adminToken,
    body: { facility_id: facilityId, size: 'STANDARD', floor: 0, aisle: 'T', count },
  });
  expect(spaces.status).toBe(201);
  captureLines(t.platform.gateway.runtime.logger, logLines);
  captureLines(t.platform.services.get('parking')!.runtime.logger, logLines);
  return { t, acme, facilityId };
}

describe('OpenTelemetry traces', () => {
  const exporter = new InMemorySpanExporter();
  const logLines: Record<string, unknown>[] = [];
  let t: TestPlatform;
  let acme: TenantFixture;
  let facilityId: string;

  beforeAll(async () => {
    configureTracing({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
    ({ t, acme, facilityId } = await platformWithSpaces(4, logLines));
  });

  afterAll(async () => {
    await t?.stop();
    configureTracing({});
  });

  it('follows an exit from the gateway through Parking and the bus to Billing and Analytics', async () => {
    const entry = await t.request('POST', '/api/v1/parking/sessions/entry', {
      token: acme.operatorToken,
      body: { facility_id: facilityId, registration_number: 'TRC1AAA' },
    });
    expect(entry.status).toBe(201);
    await t.drainEvents();

    // The caller's own trace: the gateway continues it.
    const traceId = randomBytes(16).toString('hex');
    const callerSpanId = randomBytes(8).toString('hex');
    const exit = await t.request('POST', '/api/v1/parking/sessions/exit', {
      token: acme.operatorToken,
      headers: { traceparent: `00-${traceId}-${callerSpanId}-01` },
      body: { facility_id: facilityId, registration_number: 'TRC1AAA' },
    });
    expect(exit.status).toBe(200);
    await t.drainEvents();

    const spans = exporter.getFinishedSpans().filter((s) => s.spanContext().traceId === traceId);
    const byId = new Map(spans.map((s) => [s.spanContext().spanId, s]));
    const find = (service: string, kind: SpanKind, name: string) => {
      const found = spans.filter((s) => serviceOf(s) === service && s.kind === kind && s.name === name);
      expect(found, `${service} ${SpanKind[kind]} span ${name}`).toHaveLength(1);
      return found[0]!;
    };

    const gateway = find('gateway', SpanKind.SERVER, 'POST /api/v1/:api/*');
    expect(parentOf(gateway)).toBe(callerSpanId);
    expect(gateway.attributes).toMatchObject({
      'http.request.method': 'POST',
      'http.route': '/api/v1/:api/*',
      'http.response.status_code': 200,
    });

    const toParking = spans.find(
      (s) => s.kind === SpanKind.CLIENT && s.attributes['url.path'] === '/parking/v1/sessions/exit',
    );
    expect(toParking && serviceOf(toParking)).toBe('gateway');
    expect(parentOf(toParking!)).toBe(gateway.spanContext().spanId);

    const parking = find('parking', SpanKind.SERVER, 'POST /parking/v1/sessions/exit');
    expect(parentOf(parking)).toBe(toParking!.spanContext().spanId);
    expect(parking.attributes['http.response.status_code']).toBe(200);
    expect(parking.status.code).not.toBe(SpanStatusCode.ERROR);

    // The exit event carries the span that emitted it: Parking's request.
    const outbox = await t.platform.pools
      .get('parking')!
      .query<{ envelope: EventEnvelope }>(
        `SELECT envelope FROM outbox WHERE type = 'parking.vehicle.exited' AND envelope->'data'->>'registration_number' = 'TRC1AAA'`,
      );
    expect(outbox.rows.map((r) => r.envelope.traceparent)).toEqual([
      `00-${traceId}-${parking.spanContext().spanId}-01`,
    ]);

    for (const consumer of ['billing', 'analytics']) {
      const consumed = find(consumer, SpanKind.CONSUMER, 'process parking.vehicle.exited');
      expect(parentOf(consumed), `${consumer} consumes under Parking's request`).toBe(
        parking.spanContext().spanId,
      );
      expect(consumed.attributes).toMatchObject({
        'messaging.system': t.platform.bus.kind,
        'messaging.destination.name': 'parking.vehicle.exited',
        'messaging.consumer.group.name': consumer,
      });
      expect(consumed.status.code).not.toBe(SpanStatusCode.ERROR);
    }

    // What a consumer emits continues the trace too: Billing's charge, applied by Parking.
    const billing = find('billing', SpanKind.CONSUMER, 'process parking.vehicle.exited');
    const charged = find('parking', SpanKind.CONSUMER, 'process billing.charge.created');
    expect(parentOf(charged)).toBe(billing.spanContext().spanId);

    // One tree: every span of the trace descends from the gateway's.
    for (const span of spans) {
      let at: ReadableSpan | undefined = span;
      while (at && at !== gateway) at = byId.get(parentOf(at) ?? '');
      expect(at, `${serviceOf(span)} ${span.name} descends from the gateway's span`).toBe(gateway);
    }
    expect([...new Set(spans.map(serviceOf))]).toEqual(
      expect.arrayContaining(['gateway', 'parking', 'billing', 'analytics']),
    );

    // The request's log lines carry its trace and the span of the service that wrote them.
    const requestLine = (url: string) => logLines.find((line) => line.msg === 'request' && line.url === url);
    expect(requestLine('/api/v1/parking/sessions/exit')).toMatchObject({
      trace_id: traceId,
      span_id: gateway.spanContext().spanId,
      status: 200,
    });
    expect(requestLine('/parking/v1/sessions/exit')).toMatchObject({
      trace_id: traceId,
      span_id: parking.spanContext().spanId,
      status: 200,
    });
  });

  it('starts a new trace for a request without traceparent, and traces no probe', async () => {
    exporter.reset();
    const occupancy = await t.request('GET', `/api/v1/parking/occupancy/${facilityId}`, {
      token: acme.operatorToken,
    });
    expect(occupancy.status).toBe(200);
    expect((await t.request('GET', '/healthz')).status).toBe(200);

    const spans = exporter.getFinishedSpans();
    const gateway = spans.find((s) => serviceOf(s) === 'gateway' && s.kind === SpanKind.SERVER);
    expect(gateway?.name).toBe('GET /api/v1/:api/*');
    expect(gateway?.parentSpanContext).toBeUndefined();
    const parking = spans.find((s) => serviceOf(s) === 'parking' && s.kind === SpanKind.SERVER);
    expect(parking?.name).toBe('GET /parking/v1/occupancy/:facility_id');
    expect(parking?.spanContext().traceId).toBe(gateway?.spanContext().traceId);
    expect(new Set(spans.map((s) => s.spanContext().traceId))).toEqual(
      new Set([gateway?.spanContext().traceId]),
    );
    expect(spans.filter((s) => s.attributes['http.route'] === '/healthz')).toEqual([]);
  });
});

describe('OpenTelemetry traces with nowhere to send them', () => {
  const logLines: Record<string, unknown>[] = [];
  let t: TestPlatform;
  let acme: TenantFixture;
  let facilityId: string;

  beforeAll(async () => {
    configureTracing({});
    ({ t, acme, facilityId } = await platformWithSpaces(2, logLines));
  });

  afterAll(async () => {
    await t?.stop();
  });

  it('still gives log lines and events the caller’s trace, a span id per service', async () => {
    const traceId = randomBytes(16).toString('hex');
    const callerSpanId = randomBytes(8).toString('hex');
    const entry = await t.request('POST', '/api/v1/parking/sessions/entry', {
      token: acme.operatorToken,
      headers: { traceparent: `00-${traceId}-${callerSpanId}-01` },
      body: { facility_id: facilityId, registration_number: 'NOX1AAA' },
    });
    expect(entry.status).toBe(201);

    const requestLine = (url: string) => logLines.find((line) => line.msg === 'request' && line.url === url);
    const atGateway = requestLine('/api/v1/parking/sessions/entry');
    const atParking = requestLine('/parking/v1/sessions/entry');
    expect(atGateway).toMatchObject({ trace_id: traceId, status: 201 });
    expect(atParking).toMatchObject({ trace_id: traceId, status: 201 });
    const spanIds = [callerSpanId, atGateway!.span_id, atParking!.span_id];
    for (const id of spanIds) expect(id).toMatch(/^[0-9a-f]{16}$/);
    expect(new Set(spanIds).size).toBe(3);

    const outbox = await t.platform.pools
      .get('parking')!
      .query<{ envelope: EventEnvelope }>(
        `SELECT envelope FROM outbox WHERE type = 'parking.vehicle.entered' AND envelope->'data'->>'registration_number' = 'NOX1AAA'`,
      );
    expect(outbox.rows.map((r) => r.envelope.traceparent)).toEqual([
      `00-${traceId}-${atParking!.span_id}-01`,
    ]);

    // Without a traceparent, a new trace: its own id at the gateway, the same one behind it.
    const read = await t.request('GET', `/api/v1/parking/occupancy/${facilityId}`, {
      token: acme.operatorToken,
    });
    expect(read.status).toBe(200);
    const started = requestLine('/api/v1/parking/occupancy/' + facilityId);
    expect(started?.trace_id).toMatch(/^[0-9a-f]{32}$/);
    expect(started?.trace_id).not.toBe(traceId);
    expect(requestLine(`/parking/v1/occupancy/${facilityId}`)?.trace_id).toBe(started?.trace_id);
  });
});
