/**
 * Rate limits at the gateway, per client and route class, in fixed one-minute windows. A client
 * is the token's subject (a user, a machine client), or the address for anonymous calls; sign-in
 * and sign-up are counted per address whoever calls, so guessing passwords is slow. Counters
 * live in this process (embedded mode) or in Redis, shared by every gateway replica.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Redis } from 'ioredis';
import { problem } from './errors.ts';

export type RouteClass = 'auth' | 'write' | 'read';

/** Requests per minute per client for each class; 0 turns that class's limit off. */
export type RateLimits = Record<RouteClass, number>;

export const defaultRateLimits: RateLimits = { auth: 20, write: 1200, read: 2400 };

export interface RateLimitStore {
  /** Counts one request in the window of `key`; answers the count so far and when the window ends. */
  hit(key: string, windowMs: number): Promise<{ count: number; resetInMs: number }>;
  close(): Promise<void>;
}

export function memoryRateLimitStore(now: () => number = Date.now): RateLimitStore {
  const windows = new Map<string, { count: number; endsAt: number }>();
  let lastSweep = now();
  return {
    async hit(key, windowMs) {
      const at = now();
      if (at - lastSweep > windowMs) {
        for (const [k, w] of windows) if (w.endsAt <= at) windows.delete(k);
        lastSweep = at;
      }
      let window = windows.get(key);
      if (!window || window.endsAt <= at) {
        window = { count: 0, endsAt: at + windowMs };
        windows.set(key, window);
      }
      window.count += 1;
      return { count: window.count, resetInMs: window.endsAt - at };
    },
    async close() {
      windows.clear();
    },
  };
}

/** One INCR and a PEXPIRE set only with the first hit of a window: a fixed window every replica shares. */
export function redisRateLimitStore(redis: Redis, prefix = 'easypark:rl:'): RateLimitStore {
  return {
    async hit(key, windowMs) {
      const results = await redis
        .multi()
        .incr(prefix + key)
        .pexpire(prefix + key, windowMs, 'NX')
        .pttl(prefix + key)
        .exec();
      if (!results) throw new Error('rate limit: the Redis transaction was discarded');
      const count = Number(results[0]?.[1]);
      const ttl = Number(results[2]?.[1]);
      return { count, resetInMs: ttl > 0 ? ttl : windowMs };
    },
    async close() {
      await redis.quit();
    },
  };
}

/** Which class a request counts in; null for what is never limited (health, documents, OCPP). */
export function routeClassOf(method: string, url: string): RouteClass | null {
  const path = url.split('?')[0] ?? '';
  if (path === '/api/v1/auth/token' || path === '/api/v1/auth/register') return 'auth';
  if (!path.startsWith('/api/v1/') || path === '/api/v1/health' || path === '/api/v1/openapi.json')
    return null;
  return method === 'GET' || method === 'HEAD' ? 'read' : 'write';
}

const windowMs = 60_000;

/**
 * An onRequest hook (after authentication): counts the request and refuses it with 429 and
 * `Retry-After` once the client has used its minute. Every answer says where the client stands
 * (`RateLimit-Limit`, `RateLimit-Remaining`, `RateLimit-Reset`). If the store cannot be reached the
 * request goes through: an outage of Redis must not take the API down with it.
 */
export function rateLimitHook(store: RateLimitStore, limits: RateLimits) {
  return async (request: FastifyRequest, reply: FastifyReply) => {
    const routeClass = routeClassOf(request.method, request.url);
    if (!routeClass) return;
    const limit = limits[routeClass];
    if (limit <= 0) return;
    const client =
      routeClass === 'auth' || !request.principal ? `ip:${request.ip}` : `sub:${request.principal.sub}`;
    let state: { count: number; resetInMs: number };
    try {
      state = await store.hit(`${routeClass}:${client}`, windowMs);
    } catch (error) {
      request.log.warn({ err: error }, 'rate limit store unreachable; request let through');
      return;
    }
    const reset = Math.max(1, Math.ceil(state.resetInMs / 1000));
    reply.header('ratelimit-limit', limit);
    reply.header('ratelimit-remaining', Math.max(0, limit - state.count));
    reply.header('ratelimit-reset', reset);
    if (state.count > limit) {
      reply.header('retry-after', reset);
      throw problem(
        'RATE_LIMITED',
        `At most ${limit} ${routeClass} requests a minute; try again in ${reset} s`,
      );
    }
  };
}
