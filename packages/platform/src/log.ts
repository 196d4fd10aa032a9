import { context, trace } from '@opentelemetry/api';
import pino, { type Logger } from 'pino';

export type { Logger };

/** Paths never written to a log: credentials, tokens and anything card-like. */
const redact = [
  'req.headers.authorization',
  'req.headers.cookie',
  'headers.authorization',
  '*.password',
  '*.client_secret',
  '*.access_token',
  '*.payment_token',
  '*.card_number',
  '*.ocpp_password',
];

/**
 * Every line written while a span is active names its trace and span (see tracing.ts). A fresh
 * object each time: pino merges the line's own fields into it.
 */
function traceIds(): { trace_id?: string; span_id?: string } {
  const span = trace.getSpan(context.active());
  if (!span) return {};
  const { traceId, spanId } = span.spanContext();
  return { trace_id: traceId, span_id: spanId };
}

export function createLogger(options: { name: string; level?: string; pretty?: boolean }): Logger {
  return pino({
    name: options.name,
    level: options.level ?? 'info',
    redact,
    // Each service's logger is a child that adds `service`; the process only names itself.
    base: { pid: process.pid },
    mixin: traceIds,
    timestamp: pino.stdTimeFunctions.isoTime,
    ...(options.pretty
      ? { transport: { target: 'pino-pretty', options: { singleLine: true, translateTime: 'SYS:HH:MM:ss' } } }
      : {}),
  });
}
