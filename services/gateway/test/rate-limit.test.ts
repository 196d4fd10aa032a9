import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPlatform, type TestPlatform } from '../../../test/support/platform.ts';
import {
  memoryRateLimitStore,
  type RateLimitStore,
  redisRateLimitStore,
  routeClassOf,
} from '../src/rate-limit.ts';

describe('route classes', () => {
  it('sign-in and sign-up are auth; reads and writes of the API; health and documents are not counted', () => {
    expect(routeClassOf('POST', '/api/v1/auth/token')).toBe('auth');
    expect(routeClassOf('POST', '/api/v1/auth/register?x=1')).toBe('auth');
    expect(routeClassOf('GET', '/api/v1/parking/spaces?facility_id=x')).toBe('read');
    expect(routeClassOf('POST', '/api/v1/parking/sessions/entry')).toBe('write');
    expect(routeClassOf('DELETE', '/api/v1/reservations/res_1')).toBe('write');
    expect(routeClassOf('GET', '/api/v1/health')).toBeNull();
    expect(routeClassOf('GET', '/api/v1/openapi.json')).toBeNull();
    expect(routeClassOf('GET', '/docs')).toBeNull();
  });
});

async function countsInWindows(store: RateLimitStore, advance: (ms: number) => void) {
  const seen = [];
  for (let i = 0; i < 3; i++) seen.push((await store.hit('k', 1000)).count);
  advance(1001);
  seen.push((await store.hit('k', 1000)).count);
  seen.push((await store.hit('other', 1000)).count);
  return seen;
}

describe('the in-process store', () => {
  it('counts per key in fixed windows', async () => {
    let now = 0;
    const store = memoryRateLimitStore(() => now);
    expect(await countsInWindows(store, (ms) => (now += ms))).toEqual([1, 2, 3, 1, 1]);
    const { resetInMs } = await store.hit('fresh', 60_000);
    expect(resetInMs).toBe(60_000);
  });
});

const redisUrl = process.env.REDIS_URL;
describe.skipIf(!redisUrl)('the Redis store', () => {
  it('is one count for two gateway replicas, and its window expires', async () => {
    const prefix = `easypark:test:${randomBytes(4).toString('hex')}:`;
    const one = redisRateLimitStore(new Redis(redisUrl!), prefix);
    const two = redisRateLimitStore(new Redis(redisUrl!), prefix);
    try {
      const counts = [];
      for (let i = 0; i < 3; i++)
        counts.push((await one.hit('shared', 500)).count, (await two.hit('shared', 500)).count);
      expect(counts).toEqual([1, 2, 3, 4, 5, 6]);
      const { resetInMs } = await one.hit('shared', 500);
      expect(resetInMs).toBeGreaterThan(0);
      expect(resetInMs).toBeLessThanOrEqual(500);
      await new Promise((done) => setTimeout(done, 600));
      expect((await two.hit('shared', 500)).count).toBe(1);
    } finally {
      await one.close();
      await two.close();
    }
  });
});

describe('the gateway', () => {
  let t: TestPlatform;
  beforeAll(async () => {
    // The harness signs the platform admin in once at start: that is the first auth request.
    t = await startTestPlatform({ rateLimits: { auth: 4, write: 3, read: 5 } });
  });
  afterAll(() => t?.stop());

  it('throttles sign-in attempts per address, right or wrong, with 429 and Retry-After', async () => {
    const attempt = (password: string) =>
      t.request('POST', '/api/v1/auth/token', {
        body: { grant_type: 'password', username: 'admin@easypark.local', password },
      });
    expect((await attempt('wrong-1')).status).toBe(401);
    expect((await attempt('wrong-2')).status).toBe(401);
    const last = await attempt('wrong-3');
    expect(last.status).toBe(401);
    expect(last.headers['ratelimit-remaining']).toBe('0');
    const refused = await attempt('correct-horse-battery');
    expect(refused.status).toBe(429);
    expect(refused.body).toMatchObject({ code: 'RATE_LIMITED', status: 429 });
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    expect(Number(refused.headers['retry-after'])).toBeLessThanOrEqual(60);
    expect((await t.request('GET', '/api/v1/health')).status).toBe(200);
  });

  it('limits reads and writes per client, each on its own count', async () => {
    const read = () => t.request('GET', '/api/v1/tenants', { token: t.adminToken });
    for (let i = 0; i < 5; i++) expect((await read()).status).toBe(200);
    const tooMany = await read();
    expect(tooMany.status).toBe(429);
    expect(tooMany.headers['ratelimit-limit']).toBe('5');
    // Writes have their own count: the reader may still write.
    const write = await t.request('POST', '/api/v1/tenants', {
      token: t.adminToken,
      body: { name: 'Limited' },
    });
    expect(write.status).toBe(201);
    expect(write.headers['ratelimit-remaining']).toBe('2');
  });
});

describe('when the counters cannot be reached', () => {
  it('requests go through rather than fail', async () => {
    const { default: Fastify } = await import('fastify');
    const { rateLimitHook } = await import('../src/rate-limit.ts');
    const unreachable = new Redis('redis://127.0.0.1:1', {
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      retryStrategy: () => null,
      lazyConnect: true,
    });
    unreachable.on('error', () => {});
    const store = redisRateLimitStore(unreachable);
    await expect(store.hit('k', 1000)).rejects.toThrow();
    const app = Fastify();
    app.addHook('onRequest', rateLimitHook(store, { auth: 1, write: 1, read: 1 }));
    app.get('/api/v1/things', async () => ({ ok: true }));
    for (let i = 0; i < 3; i++)
      expect((await app.inject({ method: 'GET', url: '/api/v1/things' })).statusCode).toBe(200);
    await app.close();
    unreachable.disconnect();
  });
});
