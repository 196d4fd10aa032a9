import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AppError } from '@easypark/kernel';
import { afterEach, describe, expect, it } from 'vitest';
import {
  afterFailure,
  afterSuccess,
  type BreakerSettings,
  balancedTransport,
  closedBreaker,
  mayTry,
} from '../src/balancer.ts';
import { httpTransport, type Transport } from '../src/client.ts';

const settings: BreakerSettings = { failures: 3, openMs: 1_000, maxOpenMs: 4_000 };

describe('a replica’s circuit', () => {
  it('opens after the failures in a row, lets one trial through after a while, and closes on success', () => {
    let b = closedBreaker(settings);
    b = afterFailure(b, settings, 0);
    b = afterFailure(b, settings, 0);
    expect(mayTry(b, 0)).toBe(true);
    b = afterFailure(b, settings, 0);
    expect(mayTry(b, 999)).toBe(false);
    expect(mayTry(b, 1_000)).toBe(true); // the trial
    // A failed trial opens it again at once, for twice as long, up to the most.
    b = afterFailure(b, settings, 1_000);
    expect(mayTry(b, 2_999)).toBe(false);
    expect(mayTry(b, 3_000)).toBe(true);
    b = afterFailure(b, settings, 3_000);
    b = afterFailure(b, settings, 7_000);
    expect(b.openUntil).toBe(11_000);
    expect(afterSuccess(settings)).toEqual(closedBreaker(settings));
  });
});

/** A little HTTP service that says who it is; `hang` makes it take requests and never answer. */
async function replica(name: string, port = 0) {
  const state = { hang: false, seen: [] as string[] };
  const server: Server = createServer((request, response) => {
    state.seen.push(`${request.method} ${request.url}`);
    if (state.hang) return;
    response.writeHead(200, { 'content-type': 'text/plain' }).end(name);
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    state,
    server,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

describe('replicas behind one transport', () => {
  const cleanup: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const step of cleanup.splice(0)) await step();
  });

  async function pair() {
    const a = await replica('a');
    const b = await replica('b');
    let clock = 0;
    const transports = [a, b].map((r) => ({
      url: r.url,
      transport: httpTransport(r.url, { timeoutMs: 300 }),
    }));
    const balanced = balancedTransport(transports, settings, () => clock);
    cleanup.push(async () => {
      await balanced.close();
      await a.stop().catch(() => undefined);
      await b.stop().catch(() => undefined);
    });
    return { a, b, balanced, advance: (ms: number) => (clock += ms) };
  }

  const ask = async (t: Transport, method = 'GET', path = '/x') =>
    (await t.request({ method, path, ...(method === 'POST' ? { body: '{}' } : {}) })).body.toString();

  it('takes turns', async () => {
    const { a, b, balanced } = await pair();
    const answers = [];
    for (let i = 0; i < 6; i++) answers.push(await ask(balanced));
    expect(answers.sort().join('')).toBe('aaabbb');
    expect(a.state.seen).toHaveLength(3);
    expect(b.state.seen).toHaveLength(3);
  });

  it('sends even a POST to the other replica when one is down (it never left), then stops trying the dead one', async () => {
    const { a, b, balanced, advance } = await pair();
    await b.stop();
    for (let i = 0; i < 8; i++) expect(await ask(balanced, 'POST', `/p${i}`)).toBe('a');
    // Each POST reached a once: none was sent twice.
    expect(a.state.seen).toEqual(Array.from({ length: 8 }, (_, i) => `POST /p${i}`));

    // While its circuit is open, b is not asked at all, even once it is back on its port.
    const back = await replica('b', Number(new URL(b.url).port));
    cleanup.push(() => back.stop());
    for (let i = 0; i < 4; i++) expect(await ask(balanced)).toBe('a');
    expect(back.state.seen).toEqual([]);
    // After the open period one trial goes through; it succeeds and b takes its turns again.
    advance(1_000);
    const answers = new Set<string>();
    for (let i = 0; i < 4; i++) answers.add(await ask(balanced));
    expect(answers).toEqual(new Set(['a', 'b']));
  });

  it('answers at once with a 503 when every replica is failing, and tries again after the open period', async () => {
    const { a, b, balanced, advance } = await pair();
    await a.stop();
    await b.stop();
    for (let i = 0; i < 3; i++)
      await expect(ask(balanced)).rejects.toMatchObject({ code: 'SERVICE_UNAVAILABLE' });
    const fast = await ask(balanced).catch((error: AppError) => error);
    expect(fast).toBeInstanceOf(AppError);
    expect((fast as AppError).detail).toMatch(/not asked again for \d+ ms/);
    advance(1_000);
    // The trial reaches the network again (and fails again: still down).
    const trial = await ask(balanced).catch((error: AppError) => error);
    expect((trial as AppError).detail).toMatch(/could not be reached/);
  });

  it('retries a GET that timed out on the other replica, but never a POST', async () => {
    const { a, b, balanced } = await pair();
    a.state.hang = true;
    // Whichever replica comes first, the GET ends with b's answer.
    expect(await ask(balanced)).toBe('b');
    expect(await ask(balanced)).toBe('b');
    const posts = await Promise.allSettled([ask(balanced, 'POST', '/once'), ask(balanced, 'POST', '/once')]);
    const timedOut = posts.filter((p) => p.status === 'rejected');
    expect(timedOut).toHaveLength(1);
    expect((timedOut[0] as PromiseRejectedResult).reason).toMatchObject({ code: 'UPSTREAM_TIMEOUT' });
    // The POST that timed out at a was not sent to b as well.
    expect(b.state.seen.filter((s) => s === 'POST /once')).toHaveLength(1);
    expect(a.state.seen.filter((s) => s === 'POST /once')).toHaveLength(1);
  });
});
