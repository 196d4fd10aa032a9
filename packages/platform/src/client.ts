import { request as httpRequest, type IncomingMessage } from 'node:http';
import type { Duplex, Readable } from 'node:stream';
import { AppError, commonProblem, fromProblemDocument } from '@easypark/kernel';
import { Pool as HttpPool } from 'undici';
import type { App } from './http/app.ts';
import { signToken, type TokenKeys } from './http/auth.ts';
import { traceTransport } from './tracing.ts';

export interface HttpRequestSpec {
  method: string;
  /** Path with query string, e.g. `/parking/v1/spaces/fac_…?status=AVAILABLE`. */
  path: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
}

export interface HttpResult {
  status: number;
  headers: Record<string, string | string[] | number | undefined>;
  body: Buffer;
}

/** An answer whose body is read as it comes (a Server-Sent Events stream). */
export interface HttpStream {
  status: number;
  headers: Record<string, string | string[] | number | undefined>;
  body: Readable;
}

/**
 * How a request reaches a service: in the embedded mode straight into its Fastify instance,
 * in the distributed mode over HTTP. The gateway and the service clients use the same port.
 */
export interface Transport {
  request(spec: HttpRequestSpec): Promise<HttpResult>;
  /** Like request, but the body streams until either side ends it; `signal` ends it from here. */
  stream(spec: HttpRequestSpec, signal: AbortSignal): Promise<HttpStream>;
  /** Hands over a WebSocket upgrade (a charging station connecting over OCPP). */
  upgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void;
  close(): Promise<void>;
}

/** Answers a WebSocket upgrade with a plain HTTP status and closes the socket. */
export function refuseUpgrade(socket: Duplex, status: number, reason: string): void {
  socket.end(`HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}

export function inProcessTransport(app: App): Transport {
  const transport: Transport = {
    async request(spec) {
      const response = await app.inject({
        method: spec.method as 'GET',
        url: spec.path,
        headers: spec.headers ?? {},
        ...(spec.body !== undefined ? { payload: spec.body } : {}),
      });
      return { status: response.statusCode, headers: response.headers, body: response.rawPayload };
    },
    async stream(spec, signal) {
      const response = await app.inject({
        method: spec.method as 'GET',
        url: spec.path,
        headers: spec.headers ?? {},
        payloadAsStream: true,
        signal,
      });
      const body = response.stream();
      body.on('error', () => {}); // an abort ends the stream with an AbortError: expected
      return { status: response.statusCode, headers: response.headers, body };
    },
    upgrade(request, socket, head) {
      if (app.server.listenerCount('upgrade') === 0) return refuseUpgrade(socket, 404, 'Not Found');
      app.server.emit('upgrade', request, socket, head);
    },
    async close() {},
  };
  return traceTransport(transport);
}

export function httpTransport(
  baseUrl: string,
  options: { timeoutMs?: number; connections?: number } = {},
): Transport {
  const pool = new HttpPool(baseUrl, { connections: options.connections ?? 64, pipelining: 1 });
  const timeout = options.timeoutMs ?? 10_000;
  const transport: Transport = {
    async request(spec) {
      try {
        const response = await pool.request({
          method: spec.method as 'GET',
          path: spec.path,
          headers: spec.headers ?? {},
          body: spec.body ?? null,
          headersTimeout: timeout,
          bodyTimeout: timeout,
        });
        const body = Buffer.from(await response.body.arrayBuffer());
        return { status: response.statusCode, headers: response.headers, body };
      } catch (error) {
        const code = (error as { code?: string }).code;
        if (code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT') {
          throw commonProblem('UPSTREAM_TIMEOUT', `${baseUrl} did not answer within ${timeout} ms`);
        }
        // The cause tells a caller whether the request left (a refused connection: it did not).
        throw Object.assign(commonProblem('SERVICE_UNAVAILABLE', `${baseUrl} could not be reached`), {
          cause: error,
        });
      }
    },
    async stream(spec, signal) {
      try {
        const response = await pool.request({
          method: spec.method as 'GET',
          path: spec.path,
          headers: spec.headers ?? {},
          headersTimeout: timeout,
          bodyTimeout: 0, // a stream is quiet between events; the service sends heartbeats
          signal,
        });
        response.body.on('error', () => {});
        return { status: response.statusCode, headers: response.headers, body: response.body };
      } catch (error) {
        if ((error as { name?: string }).name === 'AbortError') throw error;
        throw Object.assign(commonProblem('SERVICE_UNAVAILABLE', `${baseUrl} could not be reached`), {
          cause: error,
        });
      }
    },
    upgrade: (request, socket, head) => proxyUpgrade(baseUrl, request, socket, head),
    close: () => pool.close(),
  };
  return traceTransport(transport, baseUrl);
}

/** Relays a WebSocket upgrade to the service and then pipes bytes both ways. */
function proxyUpgrade(baseUrl: string, request: IncomingMessage, socket: Duplex, head: Buffer): void {
  const target = new URL(request.url ?? '/', baseUrl);
  const upstream = httpRequest({
    hostname: target.hostname,
    port: target.port,
    path: `${target.pathname}${target.search}`,
    method: 'GET',
    headers: { ...request.headers, 'x-forwarded-for': request.socket.remoteAddress ?? '' },
  });
  upstream.on('upgrade', (response, upstreamSocket, upstreamHead) => {
    const lines = [`HTTP/1.1 ${response.statusCode} ${response.statusMessage}`];
    for (let i = 0; i < response.rawHeaders.length; i += 2)
      lines.push(`${response.rawHeaders[i]}: ${response.rawHeaders[i + 1]}`);
    socket.write(`${lines.join('\r\n')}\r\n\r\n`);
    if (upstreamHead.length > 0) socket.write(upstreamHead);
    if (head.length > 0) upstreamSocket.write(head);
    upstreamSocket.pipe(socket).pipe(upstreamSocket);
    upstreamSocket.on('error', () => socket.destroy());
    socket.on('error', () => upstreamSocket.destroy());
    upstreamSocket.on('close', () => socket.destroy());
    socket.on('close', () => upstreamSocket.destroy());
  });
  upstream.on('response', (response) => {
    response.resume();
    refuseUpgrade(socket, response.statusCode ?? 502, response.statusMessage ?? 'Refused');
  });
  upstream.on('error', () => refuseUpgrade(socket, 502, 'Bad Gateway'));
  upstream.end();
}

export interface ServiceClient {
  readonly target: string;
  request<T>(
    method: string,
    path: string,
    options?: { query?: Record<string, unknown>; body?: unknown },
  ): Promise<T>;
  get<T>(path: string, query?: Record<string, unknown>): Promise<T>;
  post<T>(path: string, body?: unknown): Promise<T>;
}

/**
 * Calls another service's routes as a service principal (short-lived signed token), parses JSON
 * and turns a problem+json answer back into the same AppError, so callers see the cause.
 */
export function createServiceClient(options: {
  caller: string;
  target: string;
  transport: Transport;
  keys: TokenKeys;
}): ServiceClient {
  let token: { value: string; renewAt: number } | null = null;

  async function serviceToken(): Promise<string> {
    if (!token || Date.now() > token.renewAt) {
      const value = await signToken(options.keys, { sub: `svc:${options.caller}`, role: 'service' }, 300);
      token = { value, renewAt: Date.now() + 240_000 };
    }
    return token.value;
  }

  async function request<T>(
    method: string,
    path: string,
    opts: { query?: Record<string, unknown>; body?: unknown } = {},
  ): Promise<T> {
    const query = new URLSearchParams();
    for (const [key, value] of Object.entries(opts.query ?? {})) {
      if (value !== undefined && value !== null) query.set(key, String(value));
    }
    const headers: Record<string, string> = {
      authorization: `Bearer ${await serviceToken()}`,
      accept: 'application/json',
    };
    if (opts.body !== undefined) headers['content-type'] = 'application/json';
    const result = await options.transport.request({
      method,
      path: query.size > 0 ? `${path}?${query}` : path,
      headers,
      ...(opts.body !== undefined ? { body: JSON.stringify(opts.body) } : {}),
    });
    const text = result.body.toString('utf8');
    if (result.status >= 400) {
      let doc: Record<string, unknown> = {};
      try {
        doc = JSON.parse(text);
      } catch {}
      throw fromProblemDocument(doc, result.status);
    }
    if (result.status === 204 || text.length === 0) return undefined as T;
    try {
      return JSON.parse(text) as T;
    } catch {
      throw new AppError(
        'UPSTREAM_FAILED',
        502,
        'A service this request depends on failed',
        `${options.target} answered with invalid JSON`,
      );
    }
  }

  return {
    target: options.target,
    request,
    get: (path, query) => request('GET', path, query ? { query } : {}),
    post: (path, body) => request('POST', path, { body: body ?? {} }),
  };
}
