import { commonProblem } from '@easypark/kernel';
import type { App, Transport } from '@easypark/platform';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { publicApis, toPublicPath } from '../apis.ts';
import { problem } from '../errors.ts';

/** Request headers a service may see; anything else (notably internal ones) stays at the gateway. */
const forwardedRequestHeaders = [
  'authorization',
  'content-type',
  'accept',
  'idempotency-key',
  'traceparent',
  'tracestate',
  'if-none-match',
];
const forwardedResponseHeaders = [
  'content-type',
  'location',
  'link',
  'retry-after',
  'cache-control',
  'etag',
  'idempotent-replayed',
];

/**
 * `/api/v1/<api>/...` → `/<api>/v1/...` of the owning service, in-process or over HTTP.
 * The gateway has already checked the token (onRequest); the service checks it again and decides.
 * Internal routes (`/<svc>/internal/...`) cannot be named from here at all.
 */
export function proxyRoutes(app: App, transports: Record<string, Transport>): void {
  app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));

    const forward = async (request: FastifyRequest, reply: FastifyReply) => {
      const [, api = '', rest] = /^\/api\/v1\/([^/?]+)(?:\/([^?]*))?/.exec(request.url) ?? [];
      const service = publicApis[api];
      const transport = service ? transports[service] : undefined;
      if (!service || !transport) throw problem('SERVICE_NOT_FOUND', `There is no API at /api/v1/${api}`);
      // `..` or `.` segments (plain or percent-encoded) could climb out of /<api>/v1 on the way to the service.
      if (rest && /(^|\/)(\.|%2e){1,2}(\/|$)/i.test(rest))
        throw commonProblem(
          'ROUTE_NOT_FOUND',
          `${request.method} ${request.url.split('?')[0]} does not exist`,
        );
      const queryAt = request.url.indexOf('?');
      const path = `/${api}/v1${rest ? `/${rest}` : ''}${queryAt >= 0 ? request.url.slice(queryAt) : ''}`;
      const headers: Record<string, string> = { 'x-request-id': request.id };
      for (const name of forwardedRequestHeaders) {
        const value = request.headers[name];
        if (typeof value === 'string') headers[name] = value;
      }
      // An API key or an external provider's token: the services get the gateway's own token instead.
      if (request.upstreamAuthorization) headers.authorization = request.upstreamAuthorization;
      if (request.method === 'GET' && request.headers.accept?.includes('text/event-stream')) {
        return relayStream(request, reply, transport, { method: 'GET', path, headers });
      }
      const result = await transport.request({
        method: request.method,
        path,
        headers,
        ...(request.body !== undefined && request.body !== null ? { body: request.body as Buffer } : {}),
      });
      for (const name of forwardedResponseHeaders) {
        const value = result.headers[name];
        if (value === undefined) continue;
        reply.header(name, name === 'location' || name === 'link' ? rewriteLinks(String(value)) : value);
      }
      return reply.code(result.status).send(publicProblem(result.headers['content-type'], result.body));
    };

    scope.route({
      method: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'],
      url: '/api/v1/:api',
      config: { proxy: true },
      schema: { hide: true },
      handler: forward,
    });
    scope.route({
      method: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'],
      url: '/api/v1/:api/*',
      config: { proxy: true },
      schema: { hide: true },
      handler: forward,
    });
    // Routes that take more than the default body: an occupancy history import can be a big CSV.
    scope.route({
      method: 'POST',
      url: '/api/v1/analytics/occupancy/:facility_id/import',
      bodyLimit: 16 * 1024 * 1024,
      config: { proxy: true },
      schema: { hide: true },
      handler: forward,
    });
  });
}

/**
 * A Server-Sent Events stream is passed on as it comes; when the client goes away the upstream
 * request is aborted, so the service stops sending. Anything but a stream (an error) is passed
 * on whole.
 */
async function relayStream(
  request: FastifyRequest,
  reply: FastifyReply,
  transport: Transport,
  spec: { method: string; path: string; headers: Record<string, string> },
) {
  const gone = new AbortController();
  request.raw.on('close', () => gone.abort());
  const upstream = await transport.stream(spec, gone.signal);
  const type = String(upstream.headers['content-type'] ?? '');
  if (!type.startsWith('text/event-stream')) {
    const chunks: Buffer[] = [];
    for await (const chunk of upstream.body) chunks.push(Buffer.from(chunk));
    if (type) reply.header('content-type', type);
    return reply.code(upstream.status).send(Buffer.concat(chunks));
  }
  return reply
    .code(upstream.status)
    .header('content-type', type)
    .header('cache-control', 'no-cache')
    .header('x-accel-buffering', 'no')
    .send(upstream.body);
}

/**
 * A service's problem names the path it was asked (`/charging/v1/...`) as its `instance`; the
 * client asked the public one (`/api/v1/charging/...`). Any other body passes untouched.
 */
function publicProblem(type: unknown, body: Buffer): Buffer {
  if (!String(type ?? '').startsWith('application/problem+json')) return body;
  try {
    const problem = JSON.parse(body.toString('utf8')) as { instance?: unknown };
    if (typeof problem.instance !== 'string') return body;
    return Buffer.from(JSON.stringify({ ...problem, instance: toPublicPath(problem.instance) }));
  } catch {
    return body;
  }
}

function rewriteLinks(value: string): string {
  return value.replace(
    /(<)?(\/[a-z]+\/v1[^>,;\s]*)/g,
    (_m, bracket: string | undefined, path: string) => `${bracket ?? ''}${toPublicPath(path)}`,
  );
}
