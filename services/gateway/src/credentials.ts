/**
 * What the gateway accepts as a credential, and what it passes on to the services.
 *
 * - Our own access tokens (`Authorization: Bearer`), passed on as they are.
 * - An external OpenID Connect provider's tokens (`Authorization: Bearer`, see oidc.ts).
 * - API keys (`X-API-Key`), for machines.
 *
 * The services trust our own signed tokens only: for the other two the gateway signs a
 * short-lived one that says the same (the principal) and forwards that instead.
 */
import { createHash } from 'node:crypto';
import { accessOf, commonProblem, type Principal, type RouteAccess } from '@easypark/kernel';
import {
  bearerToken,
  type EdgeAccess,
  type ServiceRuntime,
  signToken,
  verifyToken,
} from '@easypark/platform';
import type { FastifyRequest } from 'fastify';
import createRouter from 'find-my-way';
import { publicApis } from './apis.ts';
import type { OidcVerifier } from './oidc.ts';
import * as store from './store.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** The Authorization header to send upstream when it is not the client's own. */
    upstreamAuthorization?: string;
  }
}

/** A key's state is remembered this long: revocation through another gateway replica counts within it. */
const rememberKeyMs = 5_000;
/** Lifetime of the tokens the gateway signs for API keys and external identities. */
const forwardedTokenSeconds = 300;

export const hashApiKey = (key: string) => createHash('sha256').update(key).digest('hex');

export function gatewayCredentials(
  runtime: ServiceRuntime,
  routeAccess: Record<string, RouteAccess>,
  oidc: OidcVerifier | null,
) {
  const keys = new Map<string, { principal: Principal | null; until: number }>();
  const forwarded = new Map<string, { authorization: string; until: number }>();
  const services = serviceRoutes(routeAccess);

  async function apiKeyPrincipal(presented: string): Promise<Principal> {
    const hash = hashApiKey(presented);
    const now = Date.now();
    let known = keys.get(hash);
    if (!known || known.until <= now) {
      const row = await store.findApiKeyByHash(runtime.pool, hash);
      const at = runtime.clock.now();
      const usable = row && !row.revoked_at && (!row.expires_at || row.expires_at > at);
      known = {
        principal: usable
          ? {
              sub: row.key_id,
              role: 'api_key',
              tenant_id: row.tenant_id,
              facility_id: row.facility_id,
              permissions: row.permissions,
              name: row.name,
            }
          : null,
        until: now + rememberKeyMs,
      };
      if (keys.size > 10_000) keys.clear();
      keys.set(hash, known);
      if (row && usable) await store.touchApiKey(runtime.pool, row.key_id, at);
    }
    if (!known.principal)
      throw commonProblem('UNAUTHENTICATED', 'The API key is unknown, revoked or expired');
    return known.principal;
  }

  /** Our token for a principal that came with another credential, reused until near its expiry. */
  async function upstreamAuthorization(credential: string, principal: Principal, notAfter?: number) {
    const nowSec = Date.now() / 1000;
    const cached = forwarded.get(credential);
    if (cached && cached.until > nowSec) return cached.authorization;
    const ttl = Math.max(1, Math.min(forwardedTokenSeconds, Math.floor((notAfter ?? Infinity) - nowSec)));
    const authorization = `Bearer ${await signToken(runtime.keys, principal, ttl)}`;
    if (forwarded.size > 10_000) forwarded.clear();
    forwarded.set(credential, { authorization, until: nowSec + ttl / 2 });
    return authorization;
  }

  const edge: EdgeAccess = {
    async authenticate(request: FastifyRequest): Promise<Principal> {
      const apiKey = request.headers['x-api-key'];
      if (typeof apiKey === 'string' && apiKey !== '') {
        const principal = await apiKeyPrincipal(apiKey);
        request.upstreamAuthorization = await upstreamAuthorization(hashApiKey(apiKey), principal);
        return principal;
      }
      const token = bearerToken(request.headers.authorization);
      if (!token)
        throw commonProblem(
          'UNAUTHENTICATED',
          'Send an access token (Authorization: Bearer <token>) or an API key (X-API-Key)',
        );
      if (oidc?.claimsIssuer(token)) {
        const { principal, expiresAt } = await oidc.verify(token);
        request.upstreamAuthorization = await upstreamAuthorization(token, principal, expiresAt);
        return principal;
      }
      return verifyToken(runtime.keys, token);
    },

    /** `/api/v1/parking/sessions/x` is decided as `/parking/v1/sessions/:session_id`; no such route: the service says so. */
    proxyAccess(request: FastifyRequest): RouteAccess | undefined {
      const [, api = '', rest = ''] = /^\/api\/v1\/([^/?]+)(\/[^?]*)?/.exec(request.url) ?? [];
      if (!publicApis[api]) return undefined;
      const found = services.find(
        request.method === 'HEAD' ? 'GET' : (request.method as 'GET'),
        `/${api}/v1${rest}`,
      );
      return found ? accessOf(request.method, (found.store as { url: string }).url) : undefined;
    },
  };

  return {
    edge,
    /** A revoked key stops working at this gateway at once. */
    forgetApiKey(keyId: string) {
      for (const [hash, known] of keys) if (known.principal?.sub === keyId) keys.delete(hash);
    },
  };
}

/** The services' public routes (`/<api>/v1/...`), to find which one a pass-through request reaches. */
function serviceRoutes(routeAccess: Record<string, RouteAccess>) {
  const router = createRouter({ ignoreTrailingSlash: true });
  for (const key of Object.keys(routeAccess)) {
    const [method, url] = key.split(' ') as [string, string];
    const [, api] = /^\/([a-z-]+)\/v1(\/|$)/.exec(url) ?? [];
    if (!api || !publicApis[api]) continue;
    router.on(method as 'GET', url, () => {}, { url });
  }
  return router;
}
