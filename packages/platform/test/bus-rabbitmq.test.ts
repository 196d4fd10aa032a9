import { randomUUID } from 'node:crypto';
import net from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { type EventEnvelope, makeEvent } from '@easypark/kernel';
import type { Channel, ChannelModel } from 'amqplib';
import amqp from 'amqplib';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { EventBus } from '../src/bus/port.ts';
import { createRabbitBus, type RabbitBusOptions } from '../src/bus/rabbitmq.ts';

const url = process.env.AMQP_URL ?? '';
const ENTERED = 'parking.vehicle.entered';
const EXITED = 'parking.vehicle.exited';

function event(type: typeof ENTERED | typeof EXITED, n = 0): EventEnvelope {
  return makeEvent('/test/bus', { type, data: { n } as never });
}

async function waitFor(check: () => boolean | Promise<boolean>, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await sleep(20);
  }
}

describe.skipIf(!url)('RabbitMQ event bus', () => {
  let admin: ChannelModel;
  let ch: Channel;
  let buses: EventBus[] = [];
  let declared: { exchange: string; groups: string[] }[] = [];

  beforeAll(async () => {
    admin = await amqp.connect(url);
    ch = await admin.createChannel();
  });

  afterEach(async () => {
    for (const bus of buses) await bus.close();
    for (const { exchange, groups } of declared) {
      for (const group of groups) {
        for (const suffix of ['', '.retry', '.dead']) await ch.deleteQueue(`${exchange}.${group}${suffix}`);
      }
      await ch.deleteExchange(exchange);
    }
    buses = [];
    declared = [];
  });

  afterAll(async () => {
    await admin?.close();
  });

  /** A unique exchange per test so runs never see each other's messages. */
  function topology(groups: string[]): string {
    const exchange = `easypark.test.${randomUUID()}`;
    declared.push({ exchange, groups });
    return exchange;
  }

  async function bus(options: Omit<RabbitBusOptions, 'url'> & { url?: string }): Promise<EventBus> {
    const created = await createRabbitBus({ url, ...options });
    buses.push(created);
    return created;
  }

  const depth = async (queue: string) => (await ch.checkQueue(queue)).messageCount;

  it('delivers each event once to every group bound to its type, and only to those', async () => {
    const exchange = topology(['billing', 'analytics', 'exits']);
    const b = await bus({ exchange });
    const got: Record<string, string[]> = { billing: [], analytics: [], exits: [] };
    for (const [consumer, types] of [
      ['billing', [ENTERED]],
      ['analytics', [ENTERED, EXITED]],
      ['exits', [EXITED]],
    ] as const) {
      await b.subscribe({ consumer, types, handler: async (e) => void got[consumer]?.push(e.id) });
    }

    const entered = [event(ENTERED, 1), event(ENTERED, 2), event(ENTERED, 3)];
    const exited = event(EXITED, 4);
    await b.publish([...entered, exited]);

    await waitFor(() => got.billing?.length === 3 && got.analytics?.length === 4 && got.exits?.length === 1);
    await sleep(300); // anything delivered twice would show up by now
    expect(got.billing?.sort()).toEqual(entered.map((e) => e.id).sort());
    expect(got.analytics?.sort()).toEqual([...entered, exited].map((e) => e.id).sort());
    expect(got.exits).toEqual([exited.id]);
    expect(await b.isReady()).toBe(true);
  });

  it('gives every process an event its watchers want, while counting none of it as pending', async () => {
    const exchange = topology(['shared']);
    const [one, two] = [await bus({ exchange }), await bus({ exchange })];
    const watched: Record<string, string[]> = { one: [], two: [] };
    const shared: string[] = [];
    for (const [name, b] of [
      ['one', one],
      ['two', two],
    ] as const) {
      await b!.subscribe({
        consumer: 'config-watch',
        types: [EXITED],
        everyProcess: true,
        handler: async (e) => void watched[name]!.push(e.id),
      });
      await b!.subscribe({
        consumer: 'shared',
        types: [EXITED],
        handler: async (e) => void shared.push(e.id),
      });
    }
    const exits = [event(EXITED, 1), event(EXITED, 2)];
    await one!.publish([...exits, event(ENTERED, 3)]);
    await waitFor(() => watched.one!.length === 2 && watched.two!.length === 2 && shared.length === 2);
    await sleep(300); // anything delivered twice would show up by now
    const ids = exits.map((e) => e.id).sort();
    expect(watched.one!.sort()).toEqual(ids);
    expect(watched.two!.sort()).toEqual(ids);
    expect(shared.sort()).toEqual(ids); // a consumer group still gets each event once
    expect(await one!.pending()).toBe(0);
  });

  it('retries a failing handler with backoff and acks once it succeeds', async () => {
    const exchange = topology(['flaky']);
    const attempts: number[] = [];
    const b = await bus({
      exchange,
      retryDelayMs: 50,
      maxAttempts: 5,
      onError: (_e, _ev, n) => attempts.push(n),
    });
    const calls: number[] = [];
    await b.subscribe({
      consumer: 'flaky',
      types: [ENTERED],
      handler: async () => {
        calls.push(Date.now());
        if (calls.length <= 2) throw new Error('boom');
      },
    });

    await b.publish([event(ENTERED)]);
    await waitFor(() => calls.length === 3);
    await sleep(500);
    expect(calls).toHaveLength(3);
    expect(attempts).toEqual([1, 2]);
    // Backoff: ~50 ms before the 2nd try, ~100 ms before the 3rd.
    expect(calls[1]! - calls[0]!).toBeGreaterThanOrEqual(40);
    expect(calls[2]! - calls[1]!).toBeGreaterThanOrEqual(90);

    await b.close(); // unacked messages would go back to ready here
    const queue = `${exchange}.flaky`;
    const depths = [await depth(queue), await depth(`${queue}.retry`), await depth(`${queue}.dead`)];
    expect(depths).toEqual([0, 0, 0]);
  });

  it('dead-letters an event after maxAttempts failures', async () => {
    const exchange = topology(['broken']);
    const attempts: number[] = [];
    const b = await bus({
      exchange,
      retryDelayMs: 20,
      maxAttempts: 3,
      onError: (_e, _ev, n) => attempts.push(n),
    });
    let calls = 0;
    await b.subscribe({
      consumer: 'broken',
      types: [ENTERED],
      handler: async () => {
        calls++;
        throw new Error('always broken');
      },
    });

    const sent = event(ENTERED);
    await b.publish([sent]);
    const dead = `${exchange}.broken.dead`;
    await waitFor(async () => (await depth(dead)) === 1);
    await sleep(200);
    expect(calls).toBe(3);
    expect(attempts).toEqual([1, 2, 3]);

    const msg = await ch.get(dead, { noAck: true });
    if (!msg) throw new Error('dead-letter queue is empty');
    expect(msg.properties.messageId).toBe(sent.id);
    expect(msg.properties.headers?.['x-attempt']).toBe(3);
    expect(String(msg.properties.headers?.['x-error'])).toContain('always broken');
    expect(JSON.parse(msg.content.toString())).toEqual(sent);
    await b.close();
    expect(await depth(`${exchange}.broken`)).toBe(0);
  });

  it('keeps a confirmed event durably until a subscriber attaches', async () => {
    const exchange = topology(['late']);
    const declarer = await bus({ exchange });
    await declarer.subscribe({ consumer: 'late', types: [ENTERED], handler: async () => {} });
    await declarer.close(); // the queue stays, nobody consumes it

    const publisher = await bus({ exchange });
    const sent = event(ENTERED);
    await publisher.publish([sent]);
    const queue = `${exchange}.late`;
    expect(await depth(queue)).toBe(1);

    const peek = await ch.get(queue, { noAck: false });
    if (!peek) throw new Error('queue is empty');
    expect(peek.properties.deliveryMode).toBe(2);
    expect(peek.properties.contentType).toBe('application/cloudevents+json');
    expect(peek.properties.messageId).toBe(sent.id);
    ch.nack(peek, false, true);

    const got: EventEnvelope[] = [];
    const subscriber = await bus({ exchange });
    await subscriber.subscribe({
      consumer: 'late',
      types: [ENTERED],
      handler: async (e) => void got.push(e),
    });
    await waitFor(() => got.length === 1);
    expect(got[0]).toEqual(sent);
  });

  /** `count` events waiting in group `group`'s queue before anyone consumes it. */
  async function queued(group: string, count: number) {
    const exchange = topology([group]);
    const declarer = await bus({ exchange });
    await declarer.subscribe({ consumer: group, types: [ENTERED], handler: async () => {} });
    await declarer.close();
    const publisher = await bus({ exchange });
    const sent = Array.from({ length: count }, (_, n) => event(ENTERED, n));
    await publisher.publish(sent);
    expect(await depth(`${exchange}.${group}`)).toBe(count);
    return { exchange, sent };
  }

  it('hands a consumer that takes batches the messages that arrive together, each acked once', async () => {
    const { exchange, sent } = await queued('batched', 20);
    const batches: string[][] = [];
    const singles: string[] = [];
    const b = await bus({ exchange, prefetch: 32 });
    await b.subscribe({
      consumer: 'batched',
      types: [ENTERED],
      handler: async (e) => void singles.push(e.id),
      handleBatch: async (events) => void batches.push(events.map((e) => e.id)),
    });
    const delivered = () => [...batches.flat(), ...singles];
    await waitFor(() => delivered().length === sent.length);
    await waitFor(async () => (await b.pending()) === 0);
    expect(delivered().sort()).toEqual(sent.map((e) => e.id).sort());
    expect(Math.max(...batches.map((batch) => batch.length))).toBeGreaterThan(1);
    await b.close();
    expect(await depth(`${exchange}.batched`)).toBe(0);
  });

  it('falls back to one message at a time when a batch fails, and loses or repeats none', async () => {
    const { exchange, sent } = await queued('fallback', 10);
    const singles: string[] = [];
    let batchesTried = 0;
    const b = await bus({ exchange, retryDelayMs: 10 });
    await b.subscribe({
      consumer: 'fallback',
      types: [ENTERED],
      handler: async (e) => void singles.push(e.id),
      handleBatch: async () => {
        batchesTried++;
        throw new Error('one event of the batch is bad');
      },
    });
    await waitFor(() => singles.length === sent.length);
    await waitFor(async () => (await b.pending()) === 0);
    expect(batchesTried).toBeGreaterThan(0);
    expect(singles.sort()).toEqual(sent.map((e) => e.id).sort());
    await b.close();
    for (const suffix of ['', '.retry', '.dead'])
      expect(await depth(`${exchange}.fallback${suffix}`)).toBe(0);
  });

  it('reports what its consumers have yet to apply, until they catch up', async () => {
    const exchange = topology(['slow']);
    const b = await bus({ exchange });
    let release: () => void = () => {};
    const gate = new Promise<void>((done) => {
      release = done;
    });
    let handled = 0;
    await b.subscribe({
      consumer: 'slow',
      types: [ENTERED],
      handler: async () => {
        await gate;
        handled++;
      },
    });
    expect(await b.pending()).toBe(0);
    await b.publish([event(ENTERED, 1), event(ENTERED, 2), event(ENTERED, 3)]);
    await waitFor(async () => (await b.pending()) === 3);
    release();
    await waitFor(async () => (await b.pending()) === 0);
    expect(handled).toBe(3);
  });

  it('close() waits for a handler in flight and acks its message', async () => {
    const exchange = topology(['slow']);
    const b = await bus({ exchange });
    let started = false;
    let finished = false;
    await b.subscribe({
      consumer: 'slow',
      types: [ENTERED],
      handler: async () => {
        started = true;
        await sleep(400);
        finished = true;
      },
    });

    await b.publish([event(ENTERED)]);
    await waitFor(() => started);
    await b.close();
    expect(finished).toBe(true);
    expect(await b.isReady()).toBe(false);
    await expect(b.publish([event(ENTERED)])).rejects.toThrow(/closed/);
    expect(await depth(`${exchange}.slow`)).toBe(0);
  });

  it('reconnects after the connection drops and resumes publishing and consuming', async () => {
    const exchange = topology(['resilient']);
    const proxy = await startProxy(new URL(url));
    try {
      const b = await bus({ exchange, url: proxy.url });
      const got: string[] = [];
      await b.subscribe({
        consumer: 'resilient',
        types: [ENTERED],
        handler: async (e) => void got.push(e.id),
      });
      const first = event(ENTERED, 1);
      await b.publish([first]);
      await waitFor(() => got.length === 1);

      await proxy.stop();
      await waitFor(async () => !(await b.isReady()));
      const second = event(ENTERED, 2);
      const publishing = b.publish([second]); // waits for the reconnect
      await sleep(300);
      await proxy.start();
      await publishing;
      await waitFor(() => got.includes(second.id));
      expect(await b.isReady()).toBe(true);
    } finally {
      await proxy.stop();
    }
  });
});

/** A TCP proxy to the broker that the test can take down and bring back, like a broker restart. */
async function startProxy(target: URL) {
  const sockets = new Set<net.Socket>();
  let server: net.Server | null = null;
  let port = 0;

  const start = async (): Promise<void> => {
    const s = net.createServer((client) => {
      const upstream = net.connect(Number(target.port || 5672), target.hostname);
      const drop = (): void => {
        client.destroy();
        upstream.destroy();
      };
      for (const socket of [client, upstream]) {
        sockets.add(socket);
        socket.on('error', drop).on('close', () => {
          sockets.delete(socket);
          drop();
        });
      }
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((resolve) => s.listen(port, '127.0.0.1', resolve));
    port = (s.address() as net.AddressInfo).port;
    server = s;
  };
  const stop = async (): Promise<void> => {
    const s = server;
    server = null;
    for (const socket of sockets) socket.destroy();
    if (s) await new Promise<void>((resolve) => s.close(() => resolve()));
  };

  await start();
  const proxied = new URL(target.href);
  proxied.hostname = '127.0.0.1';
  proxied.port = String(port);
  return { url: proxied.href, start, stop };
}
