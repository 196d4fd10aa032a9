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

export function createLogger(options: { name: string; level?: string; pretty?: boolean }): Logger {
  return pino({
    name: options.name,
    level: options.level ?? 'info',
    redact,
    // Each service's logger is a child that adds `service`; the process only names itself.
    base: { pid: process.pid },
    timestamp: pino.stdTimeFunctions.isoTime,
    ...(options.pretty
      ? { transport: { target: 'pino-pretty', options: { singleLine: true, translateTime: 'SYS:HH:MM:ss' } } }
      : {}),
  });
}
