import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHttpApp, createLogger, tokenKeys } from '../src/index.ts';

const token = 'scrape-token-0123456789';
let app: Awaited<ReturnType<typeof createHttpApp>>;

beforeAll(async () => {
  app = await createHttpApp({
    name: 'metrics-token-test',
    logger: createLogger({ name: 'test', level: 'silent' }),
    keys: tokenKeys('a'.repeat(64)),
    metricsToken: token,
  });
  await app.ready();
});
afterAll(() => app.close());

describe('/metrics with a scrape token', () => {
  it('answers the exposition to the bearer of the token only', async () => {
    const scraped = await app.inject({ url: '/metrics', headers: { authorization: `Bearer ${token}` } });
    expect(scraped.statusCode).toBe(200);
    expect(scraped.body).toContain('http_request_duration_seconds');

    for (const authorization of [undefined, `Bearer ${token}x`, `Bearer ${token.slice(1)}`, token]) {
      const refused = await app.inject({ url: '/metrics', headers: authorization ? { authorization } : {} });
      expect(refused.statusCode).toBe(401);
      expect(refused.headers['content-type']).toContain('application/problem+json');
      expect(refused.json()).toMatchObject({ code: 'UNAUTHENTICATED' });
      expect(refused.body).not.toContain('http_request_duration_seconds');
    }
  });

  it('still answers health and readiness without it', async () => {
    expect((await app.inject({ url: '/healthz' })).statusCode).toBe(200);
    expect((await app.inject({ url: '/readyz' })).statusCode).toBe(200);
  });
});
