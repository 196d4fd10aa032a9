import type { IncomingMessage, ServerResponse } from 'node:http';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type ProblemKind, routeAccess } from '@easypark/kernel';
import { type Logger, refuseUpgrade, type ServiceDefinition, type Transport } from '@easypark/platform';
import cors from '@fastify/cors';
import helmet from 'helmet';
import { Redis } from 'ioredis';
import { auditTrail } from './audit.ts';
import { gatewayCredentials } from './credentials.ts';
import { gatewayProblems } from './errors.ts';
import { type OidcSettings, oidcVerifier } from './oidc.ts';
import {
  defaultRateLimits,
  memoryRateLimitStore,
  type RateLimits,
  rateLimitHook,
  redisRateLimitStore,
} from './rate-limit.ts';
import { adminRoutes } from './routes/admin.ts';
import { apiKeyRoutes } from './routes/api-keys.ts';
import { auditRoutes } from './routes/audit.ts';
import { authRoutes, ensurePlatformAdmin } from './routes/auth.ts';
import { docsRoutes } from './routes/docs.ts';
import { healthRoutes } from './routes/health.ts';
import { problemRoutes } from './routes/problems.ts';
import { proxyRoutes } from './routes/proxy.ts';
import { webRoutes } from './routes/web.ts';
import { sessionChecks } from './sessions.ts';

export interface GatewayOptions {
  /** How to reach each domain service, by service name. */
  transports: Record<string, Transport>;
  admin: { email: string; password: string; explicit: boolean };
  tokenTtlSeconds?: number;
  /** Each service's problem catalogue, so that every problem `type` URI resolves to its meaning. */
  problemCatalogues?: Record<string, Record<string, ProblemKind>>;
  /** Origins allowed by CORS; `*` for any. */
  corsOrigins?: string[];
  /** Requests per minute per client and route class (0: no limit); defaults in rate-limit.ts. */
  rateLimits?: Partial<RateLimits>;
  /** Counters shared by every gateway replica; without it each process counts its own. */
  redisUrl?: string;
  /** An external OpenID Connect provider whose tokens are accepted besides ours. */
  oidc?: OidcSettings;
}

/** The API gateway: identity (users, tokens), routing to the services, one API document. */
export function gatewayService(options: GatewayOptions): ServiceDefinition {
  let credentials: ReturnType<typeof gatewayCredentials>;
  return {
    name: 'gateway',
    edge: true,
    edgeAccess(runtime) {
      credentials = gatewayCredentials(
        runtime,
        routeAccess,
        options.oidc ? oidcVerifier(options.oidc) : null,
      );
      return credentials.edge;
    },
    title: 'EasyParkPlus API gateway',
    description: 'Identity, routing and the merged API reference.',
    migrationsDir: join(dirname(fileURLToPath(import.meta.url)), 'migrations'),
    async routes(app, runtime) {
      // Security headers on every answer, the services' included: no sniffing, no framing, scripts
      // and everything else from this origin only, HSTS where TLS is in front.
      const headers = securityHeaders();
      app.addHook('onRequest', (_request, reply, done) => {
        reply.headers(headers);
        done();
      });
      app.decorateRequest('upstreamAuthorization', undefined);
      const origins = options.corsOrigins ?? ['*'];
      await app.register(cors, {
        origin: origins.includes('*') ? true : origins,
        exposedHeaders: [
          'link',
          'location',
          'x-request-id',
          'retry-after',
          'ratelimit-limit',
          'ratelimit-remaining',
          'ratelimit-reset',
        ],
        maxAge: 600,
      });
      const limits = { ...defaultRateLimits, ...options.rateLimits };
      const counters = options.redisUrl
        ? redisCounters(options.redisUrl, runtime.logger)
        : memoryRateLimitStore();
      const sessions = sessionChecks(runtime.pool);
      app.addHook('onRequest', sessions.hook);
      app.addHook('onRequest', rateLimitHook(counters, limits));
      app.addHook('onClose', () => counters.close());
      const audit = auditTrail(runtime.pool, () => runtime.clock.now(), runtime.logger);
      app.addHook('onResponse', audit.hook);
      app.addHook('onClose', () => audit.flush());
      await ensurePlatformAdmin(runtime, options.admin.email, options.admin.password, options.admin.explicit);
      authRoutes(app, runtime, options.tokenTtlSeconds ?? 3600, sessions.signedOut);
      adminRoutes(app, runtime);
      apiKeyRoutes(app, runtime, credentials.forgetApiKey);
      auditRoutes(app, runtime);
      healthRoutes(app, options.transports);
      docsRoutes(app, options.transports);
      problemRoutes(app, { gateway: gatewayProblems, ...options.problemCatalogues });
      webRoutes(app);
      proxyRoutes(app, options.transports);
      app.server.on('upgrade', (request, socket, head) => {
        // Charging stations connect here (OCPP over WebSocket); nothing else upgrades.
        const charging = options.transports.charging;
        if (request.url?.startsWith('/ocpp/') && charging) charging.upgrade(request, socket, head);
        else refuseUpgrade(socket, 404, 'Not Found');
      });
    },
  };
}

/** Redis for the rate limit counters; while it is unreachable, requests go through (and it says so once). */
function redisCounters(url: string, logger: Logger) {
  const redis = new Redis(url, { maxRetriesPerRequest: 1, enableOfflineQueue: false });
  let down = false;
  redis.on('error', (error) => {
    if (!down) logger.warn({ err: error }, 'Redis unreachable: rate limits are not counted until it is back');
    down = true;
  });
  redis.on('ready', () => {
    down = false;
  });
  return redisRateLimitStore(redis);
}

/**
 * Helmet's headers, worked out once: with its defaults they are the same on every answer, and
 * running its middleware per request (each header validated and set on the socket's response)
 * cost a twentieth of a read's CPU.
 */
function securityHeaders(): Record<string, string> {
  const headers: Record<string, string> = {};
  const recorder = {
    setHeader(name: string, value: string) {
      headers[name.toLowerCase()] = value;
    },
    removeHeader() {},
  };
  helmet()({} as IncomingMessage, recorder as unknown as ServerResponse, () => {});
  if (!headers['content-security-policy']) throw new Error('helmet set no Content-Security-Policy');
  return headers;
}
