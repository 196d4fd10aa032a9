import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { accessOf, commonProblem, mayCall, newId, type Principal, type RouteAccess } from '@easypark/kernel';
import swagger from '@fastify/swagger';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, {
  type FastifyBaseLogger,
  type FastifyInstance,
  type FastifyRequest,
  LogController,
  type RawServerDefault,
} from 'fastify';
import { Registry } from 'prom-client';
import type { Logger } from '../log.ts';
import { httpRequestDuration } from '../metrics.ts';
import { traceRequests } from '../tracing.ts';
import { bearerToken, type TokenKeys, verifyToken } from './auth.ts';
import { sendProblem, toAppError } from './problems.ts';
import { validatorCompiler } from './validation.ts';

export type App = FastifyInstance<
  RawServerDefault,
  IncomingMessage,
  ServerResponse,
  FastifyBaseLogger,
  TypeBoxTypeProvider
>;

declare module 'fastify' {
  interface FastifyRequest {
    principal?: Principal;
  }
  interface FastifyContextConfig {
    /** The gateway's pass-through routes: decided by the service route they reach, not the table. */
    proxy?: boolean;
  }
  interface FastifyInstance {
    metricsRegistry: Registry;
  }
}

export interface HttpAppOptions {
  /** Service name: labels metrics and titles the OpenAPI document. */
  name: string;
  logger: Logger;
  keys: TokenKeys;
  /** Named checks for /readyz, e.g. `{ database: () => ... }`. */
  readiness?: Record<string, () => Promise<boolean>>;
  openapi?: { title: string; description?: string; version?: string };
  bodyLimit?: number;
  /** The public edge (the gateway): ignores client-sent request ids. */
  edge?: boolean;
  /** Shared by every service of one process (embedded mode), so one /metrics shows them all. */
  registry?: Registry;
  /** The edge's own credentials and pass-through routes (the gateway). */
  edgeAccess?: EdgeAccess;
  /** How long a stopping server waits for requests and streams in flight before cutting them; default 5 s. */
  drainTimeoutMs?: number;
  /** When set, /metrics answers only `Authorization: Bearer <metricsToken>` (Prometheus' bearer auth). */
  metricsToken?: string;
}

export interface EdgeAccess {
  /** Who is calling: besides our bearer tokens, API keys and an external identity provider's tokens. */
  authenticate(request: FastifyRequest): Promise<Principal>;
  /** The rule of a pass-through route: that of the service route it reaches. */
  proxyAccess(request: FastifyRequest): RouteAccess | undefined;
}

/**
 * A Fastify instance with the platform's conventions: strict validation, problem+json errors,
 * bearer-token identity on every route unless marked public, request ids, health, metrics
 * and an OpenAPI 3.1 document built from the route schemas.
 */
export async function createHttpApp(options: HttpAppOptions): Promise<App> {
  const app = Fastify({
    loggerInstance: options.logger as FastifyBaseLogger,
    bodyLimit: options.bodyLimit ?? 1_048_576,
    // Services take the id the gateway forwards; the edge makes its own rather than trust a client's.
    requestIdHeader: options.edge ? false : 'x-request-id',
    genReqId: () => newId('request'),
    // A client has 30 s to send a whole request (headers and body): a slow sender cannot hold a
    // connection open for ever. Answers are not limited: a Server-Sent Events stream lasts.
    requestTimeout: 30_000,
    // One log line per request, written in onResponse below, instead of Fastify's two.
    logController: new LogController({ disableRequestLogging: true }),
    routerOptions: { ignoreTrailingSlash: true },
    // The router's own refusals (a malformed %-escape, an over-long path segment) as problem+json too.
    frameworkErrors: (error, request, reply) => sendProblem(request, reply, toAppError(error)),
    // Requests that arrive while the service drains get our problem+json 503 (below), not Fastify's.
    return503OnClosing: false,
  }).withTypeProvider<TypeBoxTypeProvider>();

  app.setValidatorCompiler(validatorCompiler);
  app.decorateRequest('principal', undefined);
  // First, so the request's span is active in every hook after it.
  traceRequests(app, options.name);

  // Draining: requests in flight finish; new ones are refused whole, and the caller may retry elsewhere.
  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
    // Past the drain deadline, connections still open (a stream, a client that never reads its
    // answer) are cut, so that stopping never waits on a client.
    setTimeout(() => app.server.closeAllConnections(), options.drainTimeoutMs ?? 5_000).unref();
  });
  app.addHook('onRequest', async (_request, reply) => {
    if (!closing) return;
    reply.header('retry-after', '1');
    throw commonProblem('SERVICE_UNAVAILABLE', `${options.name} is shutting down; try again`);
  });
  // An answer finished while draining closes its connection: a caller's keep-alive socket would
  // otherwise hold the server open after its last request.
  app.addHook('onSend', async (_request, reply) => {
    if (closing) reply.header('connection', 'close');
  });

  const registry = options.registry ?? new Registry();
  app.decorate('metricsRegistry', registry);
  const latency = httpRequestDuration(registry);

  // Every route is in the route-access table, or the service does not start.
  app.addHook('onRoute', (route) => {
    if (route.config?.proxy) return;
    for (const method of [route.method].flat()) {
      if (method === 'OPTIONS' || accessOf(method, route.url)) continue;
      throw new Error(`${options.name}: ${method} ${route.url} is missing from the route-access table`);
    }
  });

  const authenticate =
    options.edgeAccess?.authenticate ??
    (async (request: FastifyRequest) => {
      const token = bearerToken(request.headers.authorization);
      if (!token)
        throw commonProblem('UNAUTHENTICATED', 'Send an access token: Authorization: Bearer <token>');
      return verifyToken(options.keys, token);
    });

  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
    if (request.method === 'OPTIONS') return; // CORS preflights carry no credentials
    const access = request.routeOptions.config.proxy
      ? options.edgeAccess?.proxyAccess(request)
      : accessOf(request.method, request.routeOptions.url ?? '');
    // No rule: no such route (the not-found handler answers) or no such service route behind the edge.
    if (access === undefined || access === 'public') return;
    request.principal = await authenticate(request);
    if (!mayCall(request.principal, access)) {
      throw commonProblem(
        'FORBIDDEN',
        access === 'internal'
          ? 'This route is for other services only'
          : request.principal.role === 'api_key'
            ? 'This API key does not have the permission this route needs'
            : `This needs one of the roles: ${access.roles.join(', ')}`,
      );
    }
  });

  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    // A Server-Sent Events stream lasts as long as someone watches: not a request's latency.
    const type = reply.getHeader('content-type') ?? reply.raw.getHeader('content-type') ?? '';
    const streamed = String(type).startsWith('text/event-stream');
    if (!streamed)
      latency.observe(
        { service: options.name, method: request.method, route, status_code: reply.statusCode },
        reply.elapsedTime / 1000,
      );
    const level = reply.statusCode >= 500 ? 'error' : 'info';
    request.log[level](
      {
        method: request.method,
        url: request.url,
        status: reply.statusCode,
        ms: Math.round(reply.elapsedTime * 10) / 10,
      },
      'request',
    );
  });

  app.setErrorHandler((error, request, reply) => {
    const problem = toAppError(error);
    if (problem.status >= 500) request.log.error({ err: error }, 'request failed');
    return sendProblem(request, reply, problem);
  });

  app.setNotFoundHandler((request, reply) =>
    sendProblem(
      request,
      reply,
      commonProblem('ROUTE_NOT_FOUND', `${request.method} ${request.url.split('?')[0]} does not exist`),
    ),
  );

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: options.openapi?.title ?? `EasyParkPlus ${options.name} service`,
        description: options.openapi?.description ?? '',
        version: options.openapi?.version ?? '1.0.0',
      },
      components: {
        securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
      },
      security: [{ bearerAuth: [] }],
    },
  });

  app.get('/healthz', { schema: { hide: true } }, async () => ({
    status: 'ok',
  }));
  app.get('/readyz', { schema: { hide: true } }, async (_request, reply) => {
    const checks: Record<string, boolean> = {};
    for (const [name, check] of Object.entries(options.readiness ?? {})) {
      checks[name] = await check().catch(() => false);
    }
    const ready = Object.values(checks).every(Boolean);
    return reply.code(ready ? 200 : 503).send({ status: ready ? 'ready' : 'not ready', checks });
  });
  const metricsToken = options.metricsToken ? Buffer.from(`Bearer ${options.metricsToken}`) : null;
  app.get('/metrics', { schema: { hide: true } }, async (request, reply) => {
    if (metricsToken) {
      const given = Buffer.from(request.headers.authorization ?? '');
      if (given.length !== metricsToken.length || !timingSafeEqual(given, metricsToken))
        throw commonProblem(
          'UNAUTHENTICATED',
          'Send the metrics scrape token: Authorization: Bearer <token>',
        );
    }
    return reply.type(registry.contentType).send(await registry.metrics());
  });
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());

  return app;
}
