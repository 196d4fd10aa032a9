import type { EventEnvelope } from '@easypark/kernel';
import {
  type Attributes,
  type Context,
  context,
  createContextKey,
  defaultTextMapGetter,
  defaultTextMapSetter,
  isSpanContextValid,
  ROOT_CONTEXT,
  type Span,
  SpanKind,
  SpanStatusCode,
  TraceFlags,
  type Tracer,
  trace,
} from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  BasicTracerProvider,
  BatchSpanProcessor,
  RandomIdGenerator,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import {
  ATTR_HTTP_REQUEST_METHOD,
  ATTR_HTTP_RESPONSE_STATUS_CODE,
  ATTR_HTTP_ROUTE,
  ATTR_SERVER_ADDRESS,
  ATTR_SERVER_PORT,
  ATTR_SERVICE_NAME,
  ATTR_SERVICE_NAMESPACE,
  ATTR_URL_PATH,
} from '@opentelemetry/semantic-conventions';
import type { FastifyInstance } from 'fastify';
import type { EventBus, Subscription } from './bus/port.ts';
import type { HttpRequestSpec, Transport } from './client.ts';
import { toAppError } from './http/problems.ts';

/*
 * OpenTelemetry traces. A trace follows one request from the gateway through the services (the
 * `traceparent` header) and across the event bus (the `traceparent` of the event envelope) to
 * the consumers, and whatever they call or emit in turn.
 *
 * Spans are always made, so logs carry trace ids and the context propagates; they are recorded
 * only when an exporter is configured (OTLP over HTTP, or a test's in-memory exporter), and are
 * bare ids otherwise.
 * One tracer provider per service name, all feeding the same processors: in the embedded mode
 * every service runs in this process, and each service's spans still carry its own
 * `service.name` resource.
 */

declare module 'fastify' {
  interface FastifyRequest {
    /** The request's server span, active in its hooks and handler. */
    traceContext?: Context;
  }
}

// Within a process the active span follows async calls through AsyncLocalStorage.
context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());

const propagator = new W3CTraceContextPropagator();
/** Which service's work the active span is: client spans made below it are that service's. */
const SERVICE = createContextKey('easypark service');
/** Spans made outside any service's request or event (a script calling a transport). */
const processService = 'easypark';
/** Probes and scrapes: polled all day, worth no trace. */
const untracedRoutes = new Set(['/healthz', '/readyz', '/metrics']);

let processors: SpanProcessor[] = [];
/** The processors every provider feeds; configureTracing can change them at any time. */
const fanOut: SpanProcessor = {
  onStart(span, parent) {
    for (const processor of processors) processor.onStart(span, parent);
  },
  onEnd(span) {
    for (const processor of processors) processor.onEnd(span);
  },
  async forceFlush() {
    await Promise.all(processors.map((processor) => processor.forceFlush()));
  },
  async shutdown() {},
};
const tracers = new Map<string, Tracer>();

export interface TracingOptions {
  /** OTLP/HTTP collector base URL (OTEL_EXPORTER_OTLP_ENDPOINT); spans go to `<url>/v1/traces`. */
  otlpEndpoint?: string;
  /** Extra span processors (a test's in-memory exporter). */
  spanProcessors?: SpanProcessor[];
}

/**
 * Where spans go from now on: an OTLP collector (batched; headers and timeout from the standard
 * OTEL_EXPORTER_OTLP_* variables) and any processors given. Without either, spans go nowhere.
 */
export function configureTracing(options: TracingOptions = {}): void {
  const next = [...(options.spanProcessors ?? [])];
  if (options.otlpEndpoint) {
    const url = `${options.otlpEndpoint.replace(/\/+$/, '')}/v1/traces`;
    next.push(new BatchSpanProcessor(new OTLPTraceExporter({ url })));
  }
  processors = next;
}

/** Sends the spans still buffered and stops the exporters (at shutdown). */
export async function shutdownTracing(): Promise<void> {
  const stopping = processors;
  processors = [];
  await Promise.all(stopping.map((processor) => processor.shutdown()));
}

export function tracerFor(service: string): Tracer {
  let tracer = tracers.get(service);
  if (!tracer) {
    const provider = new BasicTracerProvider({
      resource: resourceFromAttributes({
        [ATTR_SERVICE_NAME]: service,
        [ATTR_SERVICE_NAMESPACE]: 'easypark',
      }),
      spanProcessors: [fanOut],
    });
    tracer = provider.getTracer('@easypark/platform');
    tracers.set(service, tracer);
  }
  return tracer;
}

/** The active span as a W3C `traceparent` value, if there is one. */
export function currentTraceparent(): string | undefined {
  const span = trace.getSpan(context.active());
  if (!span || !isSpanContextValid(span.spanContext())) return undefined;
  const carrier: { traceparent?: string } = {};
  propagator.inject(context.active(), carrier, defaultTextMapSetter);
  return carrier.traceparent;
}

/** The context a `traceparent` (and `tracestate`) continues; none (a new trace) when absent or malformed. */
function remoteParent(carrier: Record<string, unknown>): Context {
  return propagator.extract(ROOT_CONTEXT, carrier, defaultTextMapGetter);
}

const ids = new RandomIdGenerator();

/**
 * With nowhere to send spans, a span is only its ids: the trace id it continues (or a new one)
 * and a span id of its own, enough for log lines and the `traceparent` sent on. Recording a span
 * that nobody reads (attributes, timings, resource) cost a sixth of an occupancy read's CPU.
 */
function idsOnly(parent: Context): Span {
  const caller = trace.getSpanContext(parent);
  const continued = caller && isSpanContextValid(caller) ? caller : undefined;
  return trace.wrapSpanContext({
    traceId: continued?.traceId ?? ids.generateTraceId(),
    spanId: ids.generateSpanId(),
    traceFlags: continued?.traceFlags ?? TraceFlags.SAMPLED,
    ...(continued?.traceState ? { traceState: continued.traceState } : {}),
  });
}

function startSpan(service: string, name: string, kind: SpanKind, parent: Context, attributes: Attributes) {
  const span =
    processors.length > 0
      ? tracerFor(service).startSpan(name, { kind, attributes }, parent)
      : idsOnly(parent);
  return { span, context: trace.setSpan(parent, span).setValue(SERVICE, service) };
}

function failed(span: Span, error: unknown): void {
  span.recordException(error instanceof Error ? error : String(error));
  span.setStatus({ code: SpanStatusCode.ERROR });
}

/**
 * A server span per request, named `METHOD route`, continuing the caller's `traceparent`. It is
 * the active context in the request's hooks and handler, and in the request's log line (the
 * `onResponse` hooks registered after this). Register before any other hook.
 */
export function traceRequests(app: FastifyInstance, service: string): void {
  app.decorateRequest('traceContext', undefined);

  app.addHook('onRequest', (request, _reply, done) => {
    const route = request.routeOptions.url;
    if (route !== undefined && untracedRoutes.has(route)) return done();
    const attributes: Attributes = { [ATTR_HTTP_REQUEST_METHOD]: request.method };
    if (route !== undefined) attributes[ATTR_HTTP_ROUTE] = route;
    const server = startSpan(
      service,
      route !== undefined ? `${request.method} ${route}` : request.method,
      SpanKind.SERVER,
      remoteParent(request.headers),
      attributes,
    );
    request.traceContext = server.context;
    context.with(server.context, done);
  });

  // The body is read on socket events, outside the request's context: enter it again.
  app.addHook('preHandler', (request, _reply, done) => {
    if (!request.traceContext) return done();
    context.with(request.traceContext, done);
  });

  app.addHook('onError', (request, _reply, error, done) => {
    const span = request.traceContext && trace.getSpan(request.traceContext);
    if (span && toAppError(error).status >= 500) span.recordException(error);
    done();
  });

  app.addHook('onResponse', (request, reply, done) => {
    if (!request.traceContext) return done();
    const span = trace.getSpan(request.traceContext);
    // Not recording: sampled out (OTEL_TRACES_SAMPLER), or ended when the client went away.
    if (span?.isRecording()) {
      span.setAttribute(ATTR_HTTP_RESPONSE_STATUS_CODE, reply.statusCode);
      if (reply.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
    }
    context.with(request.traceContext, done);
  });

  app.addHook('onRequestAbort', (request, done) => {
    const span = request.traceContext && trace.getSpan(request.traceContext);
    if (span?.isRecording()) {
      span.setAttribute('easypark.client_aborted', true);
      span.end();
    }
    done();
  });
}

/**
 * A client span around each request through the transport, as the service whose work is active,
 * with its `traceparent` sent along (replacing any the caller forwarded). A stream's span ends
 * when its answer's headers arrive.
 */
export function traceTransport(transport: Transport, baseUrl?: string): Transport {
  const peer: Attributes = {};
  if (baseUrl) {
    const url = new URL(baseUrl);
    peer[ATTR_SERVER_ADDRESS] = url.hostname;
    peer[ATTR_SERVER_PORT] = Number(url.port) || (url.protocol === 'https:' ? 443 : 80);
  }

  async function inClientSpan<T extends { status: number }>(
    spec: HttpRequestSpec,
    send: (spec: HttpRequestSpec) => Promise<T>,
  ): Promise<T> {
    const parent = context.active();
    const queryAt = spec.path.indexOf('?');
    const client = startSpan(
      (parent.getValue(SERVICE) as string | undefined) ?? processService,
      spec.method,
      SpanKind.CLIENT,
      parent,
      {
        ...peer,
        [ATTR_HTTP_REQUEST_METHOD]: spec.method,
        [ATTR_URL_PATH]: queryAt >= 0 ? spec.path.slice(0, queryAt) : spec.path,
      },
    );
    // A forwarded `tracestate` belongs to the caller's `traceparent`, which ours replaces.
    const { tracestate: _forwarded, ...headers } = spec.headers ?? {};
    propagator.inject(client.context, headers, defaultTextMapSetter);
    try {
      const result = await send({ ...spec, headers });
      client.span.setAttribute(ATTR_HTTP_RESPONSE_STATUS_CODE, result.status);
      if (result.status >= 500) client.span.setStatus({ code: SpanStatusCode.ERROR });
      return result;
    } catch (error) {
      failed(client.span, error);
      throw error;
    } finally {
      client.span.end();
    }
  }

  return {
    request: (spec) => inClientSpan(spec, (traced) => transport.request(traced)),
    stream: (spec, signal) => inClientSpan(spec, (traced) => transport.stream(traced, signal)),
    upgrade: (request, socket, head) => transport.upgrade(request, socket, head),
    close: () => transport.close(),
  };
}

/**
 * Subscribes with a consumer span around each delivery of an event, a child of the span that
 * emitted it (the envelope's `traceparent`), so the consumer's work, calls and events continue
 * that trace. The consumer group is the service.
 */
export function subscribeTraced(bus: EventBus, subscription: Subscription): Promise<void> {
  const { consumer, handler } = subscription;
  return bus.subscribe({
    ...subscription,
    handler: (event) => inConsumerSpan(consumer, bus.kind, event, () => handler(event)),
  });
}

/**
 * Runs `apply` for one delivered event in a consumer span continuing the trace of the request
 * that emitted it. A batch handler calls it once per event, inside its one transaction.
 */
export function inConsumerSpan<T>(
  service: string,
  messagingSystem: string,
  event: EventEnvelope,
  apply: () => Promise<T>,
): Promise<T> {
  const consumer = startSpan(
    service,
    `process ${event.type}`,
    SpanKind.CONSUMER,
    event.traceparent ? remoteParent({ traceparent: event.traceparent }) : ROOT_CONTEXT,
    {
      'messaging.system': messagingSystem,
      'messaging.operation.type': 'process',
      'messaging.destination.name': event.type,
      'messaging.consumer.group.name': service,
      'messaging.message.id': event.id,
      'cloudevents.event_source': event.source,
    },
  );
  return context.with(consumer.context, async () => {
    try {
      return await apply();
    } catch (error) {
      failed(consumer.span, error);
      throw error;
    } finally {
      consumer.span.end();
    }
  });
}
