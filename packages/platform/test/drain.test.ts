import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { createHttpApp, createLogger, tokenKeys } from '../src/index.ts';

/**
 * Stopping drains requests in flight, but never waits on a client past the drain deadline: a
 * stream that never ends (a dashboard's Server-Sent Events) is cut then.
 */
describe('stopping with a stream open', () => {
  it('cuts the stream at the drain deadline, and answers a request in flight meanwhile', async () => {
    const app = await createHttpApp({
      name: 'drain-test',
      logger: createLogger({ name: 'test', level: 'silent' }),
      keys: tokenKeys('b'.repeat(64)),
      drainTimeoutMs: 400,
    });
    // Marked as the edge's pass-through routes, which the route-access table does not list.
    let streamArrived: () => void = () => {};
    const streamOpen = new Promise<void>((resolve) => {
      streamArrived = resolve;
    });
    app.get('/stream', { config: { proxy: true } }, async (_request, reply) => {
      streamArrived();
      reply.hijack();
      reply.raw.writeHead(200, { 'content-type': 'text/event-stream' });
      reply.raw.write(': open\n\n');
    });
    let slowArrived: () => void = () => {};
    const slowInFlight = new Promise<void>((resolve) => {
      slowArrived = resolve;
    });
    app.get('/slow', { config: { proxy: true } }, async () => {
      slowArrived();
      await new Promise((resolve) => setTimeout(resolve, 200));
      return { done: true };
    });
    await app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = app.server.address() as AddressInfo;

    const streamEnded = new Promise<void>((resolve, reject) => {
      request({ port, path: '/stream', host: '127.0.0.1' }, (response) => {
        response.on('data', () => {});
        response.on('close', resolve);
      })
        .on('error', () => resolve())
        .end();
      setTimeout(() => reject(new Error('the stream was never cut')), 10_000).unref();
    });
    await streamOpen;
    const slow = fetch(`http://127.0.0.1:${port}/slow`).then((r) => r.json());
    await slowInFlight; // a sleep here is not enough on a loaded machine: /slow came after the stop

    const began = performance.now();
    await app.close();
    const took = performance.now() - began;
    await streamEnded;
    expect(await slow).toEqual({ done: true });
    expect(took).toBeGreaterThanOrEqual(350);
    expect(took).toBeLessThan(3_000);
  });
});
