import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createApi, nextLink, type Refusal } from '../src/api.ts';
import { createSimClock } from '../src/clock.ts';

let server: Server | undefined;
afterEach(() => server?.close());

/** A stand-in for the gateway: each request is answered by the next handler in line. */
async function serve(handlers: Array<(req: IncomingMessage, res: ServerResponse) => void>) {
  const seen: Array<{ method: string; url: string; authorization?: string; body: string }> = [];
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => {
      body += chunk;
    });
    req.on('end', () => {
      seen.push({
        method: req.method!,
        url: req.url!,
        body,
        ...(req.headers.authorization ? { authorization: req.headers.authorization } : {}),
      });
      const handler = handlers[Math.min(seen.length - 1, handlers.length - 1)]!;
      handler(req, res);
    });
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server!.address() as AddressInfo).port}`, seen };
}

const json =
  (status: number, body: unknown, headers: Record<string, string> = {}) =>
  (_: IncomingMessage, res: ServerResponse) => {
    res.writeHead(status, {
      'content-type': status >= 400 ? 'application/problem+json' : 'application/json',
      ...headers,
    });
    res.end(JSON.stringify(body));
  };

describe('calling the API', () => {
  it('waits out a 429 for as long as Retry-After says, then retries', async () => {
    const { url, seen } = await serve([
      json(429, { code: 'RATE_LIMITED', status: 429 }, { 'retry-after': '1' }),
      json(200, { ok: true }),
    ]);
    const refusals: Refusal[] = [];
    const api = createApi({
      baseUrl: url,
      clock: createSimClock({ speed: 1, start: 0 }),
      authPerMinute: 10,
      onRefusal: (r) => refusals.push(r),
    });
    const started = Date.now();
    const answer = await api.call('POST', '/api/v1/parking/sessions/entry', { body: { a: 1 } });
    expect(answer).toMatchObject({ ok: true, status: 200, body: { ok: true } });
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    expect(seen.map((r) => r.body)).toEqual(['{"a":1}', '{"a":1}']);
    expect(refusals.map((r) => r.code)).toEqual(['RATE_LIMITED']);
  });

  it('answers a refusal with its problem code instead of throwing, and counts it unless expected', async () => {
    const { url } = await serve([
      json(409, { code: 'NO_SPACE_AVAILABLE', detail: 'full' }),
      json(409, { code: 'DUPLICATE_REGISTRATION' }),
    ]);
    const refusals: Refusal[] = [];
    const api = createApi({
      baseUrl: url,
      clock: createSimClock({ speed: 1, start: 0 }),
      authPerMinute: 10,
      onRefusal: (r) => refusals.push(r),
    });
    expect(await api.call('POST', '/x')).toMatchObject({
      ok: false,
      status: 409,
      code: 'NO_SPACE_AVAILABLE',
      detail: 'full',
    });
    expect(await api.call('POST', '/y', { expect: [409] })).toMatchObject({
      ok: false,
      code: 'DUPLICATE_REGISTRATION',
    });
    expect(refusals).toEqual([
      { method: 'POST', path: '/x', status: 409, code: 'NO_SPACE_AVAILABLE', detail: 'full' },
    ]);
  });

  it('reports an unreachable platform as NETWORK_ERROR', async () => {
    const refusals: Refusal[] = [];
    const api = createApi({
      baseUrl: 'http://127.0.0.1:1',
      clock: createSimClock({ speed: 1, start: 0 }),
      authPerMinute: 10,
      onRefusal: (r) => refusals.push(r),
    });
    expect(await api.call('GET', '/api/v1/health')).toMatchObject({
      ok: false,
      status: 0,
      code: 'NETWORK_ERROR',
    });
    expect(refusals[0]?.code).toBe('NETWORK_ERROR');
  });

  it('signs in once, and again when the token is refused', async () => {
    let tokens = 0;
    const { url, seen } = await serve([
      (req, res) => json(200, { access_token: `token-${++tokens}` })(req, res),
      (req, res) => json(200, { who: req.headers.authorization })(req, res),
      json(401, { code: 'UNAUTHENTICATED' }),
      (req, res) => json(200, { access_token: `token-${++tokens}` })(req, res),
      (req, res) => json(200, { who: req.headers.authorization })(req, res),
    ]);
    const api = createApi({
      baseUrl: url,
      clock: createSimClock({ speed: 1, start: 0 }),
      authPerMinute: 10,
      onRefusal: () => {},
    });
    const driver = api.account('d@example.com', 'secret');
    expect((await api.call('GET', '/me', { as: driver })).body).toEqual({ who: 'Bearer token-1' });
    expect((await api.call('GET', '/me', { as: driver })).body).toEqual({ who: 'Bearer token-2' });
    expect(seen.map((r) => `${r.method} ${r.url}`)).toEqual([
      'POST /api/v1/auth/token',
      'GET /me',
      'GET /me',
      'POST /api/v1/auth/token',
      'GET /me',
    ]);
    expect(JSON.parse(seen[0]!.body)).toEqual({
      grant_type: 'password',
      username: 'd@example.com',
      password: 'secret',
    });
  });

  it('keeps sign-ins within their budget per minute', async () => {
    const { url, seen } = await serve([json(200, { access_token: 't' })]);
    const clock = createSimClock({ speed: 1, start: 0 });
    const api = createApi({ baseUrl: url, clock, authPerMinute: 2, onRefusal: () => {} });
    const accounts = ['a', 'b', 'c'].map((name) => api.account(`${name}@example.com`, 'x'));
    const signedIn = accounts.map((a) => a.signIn());
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(seen).toHaveLength(2); // the third waits for the minute to pass
    clock.stop();
    expect(await Promise.all(signedIn)).toEqual([true, true, false]);
  });

  it('follows the next link of a list', () => {
    expect(nextLink('</api/v1/facilities?limit=1&cursor=abc>; rel="next"', 'http://h:1')).toBe(
      '/api/v1/facilities?limit=1&cursor=abc',
    );
    expect(nextLink(null, 'http://h:1')).toBeNull();
  });
});

describe('simulated time', () => {
  it('runs speed times faster than real time, and stopping ends every wait', async () => {
    const clock = createSimClock({ speed: 600, start: Date.parse('2025-03-04T09:00:00Z') });
    const started = Date.now();
    // One simulated minute is 100 ms.
    expect(await clock.until(Date.parse('2025-03-04T09:01:00Z'))).toBe(true);
    expect(Date.now() - started).toBeGreaterThanOrEqual(95);
    expect(Date.now() - started).toBeLessThan(400);
    expect(clock.now()).toBeGreaterThanOrEqual(Date.parse('2025-03-04T09:01:00Z'));
    const later = clock.until(Date.parse('2025-03-05T09:00:00Z'));
    clock.stop();
    expect(await later).toBe(false);
    expect(await clock.sleep(10)).toBe(false);
  });
});
