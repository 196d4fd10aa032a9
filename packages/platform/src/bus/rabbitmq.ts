import { setTimeout as sleep } from 'node:timers/promises';
import type { EventEnvelope } from '@easypark/kernel';
import type { Channel, ChannelModel, ConfirmChannel, ConsumeMessage, Options } from 'amqplib';
import amqp from 'amqplib';
import type { BusOptions, EventBus, Subscription } from './port.ts';

export interface RabbitBusOptions extends BusOptions {
  /** AMQP URL, e.g. amqp://guest:guest@127.0.0.1:5672 */
  url: string;
  /** Topic exchange every event is published to. Default `easypark.events`. */
  exchange?: string;
  /** Unacked messages (so concurrent handlers) per consumer group. Default 32. */
  prefetch?: number;
  logger?: {
    info(obj: object, msg?: string): void;
    warn(obj: object, msg?: string): void;
    error(obj: object, msg?: string): void;
  };
}

const CONTENT_TYPE = 'application/cloudevents+json';
const RECONNECT_MIN_MS = 100;
const RECONNECT_MAX_MS = 5_000;
const WAIT_FOR_CONNECTION_MS = 10_000;
const silent = { info() {}, warn() {}, error() {} };

/**
 * Topology, for exchange E and consumer group C:
 * - E: durable topic exchange; routing key = event type.
 * - E.C: durable queue of group C, bound to E once per type.
 * - E.C.retry: holds failed messages for their per-message TTL, then dead-letters them back to E.C
 *   through the default exchange. Per-message TTLs only expire at the head of the queue, so a long
 *   delay can hold back shorter ones behind it; that only delays retries, it never loses them.
 * - E.C.dead: messages that failed `maxAttempts` times, kept for inspection or replay.
 */
export async function createRabbitBus(options: RabbitBusOptions): Promise<EventBus> {
  const exchange = options.exchange ?? 'easypark.events';
  const prefetch = options.prefetch ?? 32;
  const maxAttempts = options.maxAttempts ?? 5;
  const retryDelayMs = options.retryDelayMs ?? 200;
  const log = options.logger ?? silent;

  let conn: ChannelModel | null = null;
  let pubCh: ConfirmChannel | null = null;
  let closing = false;
  let reconnecting: Promise<void> | null = null;
  let lastError: unknown;
  const stop = new AbortController();
  const subs: Subscription[] = [];
  const consumers = new Map<string, { ch: Channel; tag: string }>();
  const inFlight = new Set<Promise<void>>();
  const waiters = new Set<() => void>();

  function wakeWaiters(): void {
    for (const wake of [...waiters]) wake();
  }

  /** The publishing channel, waiting up to `ms` for a reconnect if the broker is away. */
  function whenConnected(ms: number): Promise<ConfirmChannel> {
    if (closing) return Promise.reject(new Error('event bus is closed'));
    if (pubCh) return Promise.resolve(pubCh);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        waiters.delete(wake);
        reject(new Error(`RabbitMQ not reachable after ${ms} ms`, { cause: lastError }));
      }, ms);
      const wake = (): void => {
        clearTimeout(timer);
        waiters.delete(wake);
        if (pubCh && !closing) resolve(pubCh);
        else reject(new Error('event bus is closed'));
      };
      waiters.add(wake);
    });
  }

  /** Publishes one message and resolves when the broker confirms it (rejects on nack or closed channel). */
  function confirmPublish(
    ch: ConfirmChannel,
    target: string,
    routingKey: string,
    body: Buffer,
    props: Options.Publish,
  ): Promise<void> {
    return new Promise((resolve, reject) => {
      ch.publish(target, routingKey, body, props, (err) => (err ? reject(err) : resolve()));
    });
  }

  // After setup, any channel or connection closing that we did not ask for means lost state
  // (consumers, confirms), so the whole connection is rebuilt rather than patched channel by channel.
  function rebuildOnClose(c: ChannelModel, ch: Channel): void {
    ch.on('close', () => {
      if (!closing && conn === c) c.close().catch(() => {});
    });
  }

  function onConnectionLost(c: ChannelModel, err?: Error): void {
    if (conn !== c) return;
    conn = null;
    pubCh = null;
    consumers.clear();
    if (closing) return;
    log.warn({ err, exchange }, 'RabbitMQ connection lost, reconnecting');
    reconnect();
  }

  async function connect(): Promise<void> {
    const c = await amqp.connect(options.url);
    let lost = false;
    c.on('error', (err) => log.warn({ err, exchange }, 'RabbitMQ connection error'));
    c.on('close', (err) => {
      lost = true;
      onConnectionLost(c, err);
    });
    try {
      const ch = await c.createConfirmChannel();
      ch.on('error', (err) => log.warn({ err, exchange }, 'RabbitMQ publish channel error'));
      await ch.assertExchange(exchange, 'topic', { durable: true });
      // for..of sees subscriptions pushed while we await, and nothing awaits between the loop
      // and `conn = c`, so subscribe() either lands in this loop or sees the connection.
      for (const sub of subs) await startConsumer(c, sub);
      if (lost || closing) throw new Error('connection closed during setup');
      conn = c;
      pubCh = ch;
      rebuildOnClose(c, ch);
      for (const { ch: consumerCh } of consumers.values()) rebuildOnClose(c, consumerCh);
    } catch (err) {
      consumers.clear();
      await c.close().catch(() => {});
      throw err;
    }
    log.info({ exchange, consumers: subs.map((s) => s.consumer) }, 'RabbitMQ connected');
    wakeWaiters();
  }

  function reconnect(): void {
    if (reconnecting || closing) return;
    reconnecting = (async () => {
      let delay = RECONNECT_MIN_MS;
      while (!closing) {
        try {
          await connect();
          return;
        } catch (err) {
          lastError = err;
          if (closing) return;
          log.warn({ err, exchange, retryInMs: delay }, 'RabbitMQ connect failed');
          await sleep(delay, undefined, { signal: stop.signal }).catch(() => {});
          delay = Math.min(delay * 2, RECONNECT_MAX_MS);
        }
      }
    })().finally(() => {
      reconnecting = null;
    });
  }

  async function startConsumer(c: ChannelModel, sub: Subscription): Promise<void> {
    if (sub.everyProcess) return startWatcher(c, sub);
    const queue = `${exchange}.${sub.consumer}`;
    const ch = await c.createChannel();
    ch.on('error', (err) => log.warn({ err, queue }, 'RabbitMQ consumer channel error'));
    try {
      await ch.assertQueue(queue, { durable: true });
      await ch.assertQueue(`${queue}.retry`, {
        durable: true,
        arguments: { 'x-dead-letter-exchange': '', 'x-dead-letter-routing-key': queue },
      });
      await ch.assertQueue(`${queue}.dead`, { durable: true });
      for (const type of sub.types) await ch.bindQueue(queue, exchange, type);
      await ch.prefetch(prefetch);
    } catch (err) {
      await ch.close().catch(() => {});
      throw err;
    }
    let arrived: ConsumeMessage[] = [];
    const { consumerTag } = await ch.consume(queue, (msg) => {
      if (!msg) {
        // The broker cancelled us (queue deleted); rebuilding re-asserts the topology.
        log.warn({ queue }, 'RabbitMQ consumer cancelled by broker');
        if (!closing) c.close().catch(() => {});
        return;
      }
      if (!sub.handleBatch) {
        track(deliver(sub, queue, ch, msg));
        return;
      }
      // What arrives in the same turn of the event loop is applied together.
      arrived.push(msg);
      if (arrived.length === 1)
        track(
          new Promise<void>((turn) => setImmediate(turn)).then(() => {
            const batch = arrived;
            arrived = [];
            return deliverTogether(sub, queue, ch, batch);
          }),
        );
    });
    consumers.set(sub.consumer, { ch, tag: consumerTag });
  }

  function track(running: Promise<void>): void {
    inFlight.add(running);
    void running.finally(() => inFlight.delete(running));
  }

  /** A batch in one go when the handler takes it; else, or if it fails, each message on its own. */
  async function deliverTogether(sub: Subscription, queue: string, ch: Channel, msgs: ConsumeMessage[]) {
    if (msgs.length > 1 && sub.handleBatch) {
      try {
        const events = msgs.map((msg) => JSON.parse(msg.content.toString('utf8')) as EventEnvelope);
        await sub.handleBatch(events);
        for (const msg of msgs) quietly(() => ch.ack(msg));
        return;
      } catch {
        // Nothing of the batch took effect; alone, a failing message is retried or dead-lettered.
      }
    }
    await Promise.all(msgs.map((msg) => deliver(sub, queue, ch, msg)));
  }

  async function deliver(sub: Subscription, queue: string, ch: Channel, msg: ConsumeMessage): Promise<void> {
    const attempt = Math.max(1, Number(msg.properties.headers?.['x-attempt']) || 1);
    let event: EventEnvelope | undefined;
    try {
      event = JSON.parse(msg.content.toString('utf8')) as EventEnvelope;
      await sub.handler(event);
      quietly(() => ch.ack(msg));
      return;
    } catch (err) {
      quietly(() => event && options.onError?.(err, event, attempt));
      if (!event) log.error({ err, queue, messageId: msg.properties.messageId }, 'unparseable event');
      try {
        const pub = pubCh;
        if (!pub) throw new Error('RabbitMQ publish channel is down');
        const props: Options.Publish = {
          persistent: true,
          contentType: msg.properties.contentType,
          messageId: msg.properties.messageId,
          type: msg.properties.type,
        };
        // Fresh headers rather than the delivered ones, so x-death history does not pile up.
        if (!event || attempt >= maxAttempts) {
          const headers = { 'x-attempt': attempt, 'x-error': String(err).slice(0, 1000) };
          await confirmPublish(pub, '', `${queue}.dead`, msg.content, { ...props, headers });
          log.error({ err, queue, eventId: event?.id, attempt }, 'event dead-lettered');
        } else {
          const expiration = String(retryDelayMs * 2 ** (attempt - 1));
          const headers = { 'x-attempt': attempt + 1 };
          await confirmPublish(pub, '', `${queue}.retry`, msg.content, { ...props, headers, expiration });
        }
        quietly(() => ch.ack(msg));
      } catch (parkErr) {
        log.error({ err: parkErr, queue, eventId: event?.id }, 'could not schedule retry, requeueing');
        quietly(() => ch.nack(msg, false, true));
      }
    }
  }

  /**
   * A queue of this connection's own (named by the broker, gone with the connection) bound to the
   * types: every process gets every event while it is connected. Unacknowledged, never retried.
   */
  async function startWatcher(c: ChannelModel, sub: Subscription): Promise<void> {
    const ch = await c.createChannel();
    ch.on('error', (err) => log.warn({ err, consumer: sub.consumer }, 'RabbitMQ watcher channel error'));
    try {
      const { queue } = await ch.assertQueue('', { exclusive: true, autoDelete: true });
      for (const type of sub.types) await ch.bindQueue(queue, exchange, type);
      const { consumerTag } = await ch.consume(
        queue,
        (msg) => {
          if (!msg) return;
          const handled = (async () => {
            try {
              await sub.handler(JSON.parse(msg.content.toString('utf8')) as EventEnvelope);
            } catch (err) {
              log.warn(
                { err, consumer: sub.consumer, messageId: msg.properties.messageId },
                'watcher failed',
              );
            }
          })();
          track(handled);
        },
        { noAck: true },
      );
      consumers.set(sub.consumer, { ch, tag: consumerTag });
    } catch (err) {
      await ch.close().catch(() => {});
      throw err;
    }
  }

  // Acking on a channel that died meanwhile throws; the broker redelivers those messages anyway.
  // Also keeps a throwing onError callback from leaving the message unsettled.
  function quietly(op: () => void): void {
    try {
      op();
    } catch {}
  }

  async function close(): Promise<void> {
    if (closing) return;
    closing = true;
    stop.abort();
    wakeWaiters();
    await reconnecting;
    for (const { ch, tag } of consumers.values()) await ch.cancel(tag).catch(() => {});
    // Handlers still need the connection to ack or schedule their retry.
    await Promise.allSettled([...inFlight]);
    // Channels first: closing only the connection can drop acks still buffered on a channel.
    const channels = [...[...consumers.values()].map((x) => x.ch), pubCh];
    const c = conn;
    conn = null;
    pubCh = null;
    consumers.clear();
    for (const ch of channels) await ch?.close().catch(() => {});
    await c?.close().catch(() => {});
  }

  reconnect();
  try {
    await whenConnected(WAIT_FOR_CONNECTION_MS);
  } catch (err) {
    await close();
    throw err;
  }

  return {
    kind: 'rabbitmq',

    async publish(events) {
      if (events.length === 0) return;
      const ch = await whenConnected(WAIT_FOR_CONNECTION_MS);
      await Promise.all(
        events.map((event) =>
          confirmPublish(ch, exchange, event.type, Buffer.from(JSON.stringify(event)), {
            persistent: true,
            contentType: CONTENT_TYPE,
            messageId: event.id,
            type: event.type,
          }),
        ),
      );
    },

    async subscribe(sub) {
      if (closing) throw new Error('event bus is closed');
      if (subs.some((s) => s.consumer === sub.consumer)) {
        throw new Error(`consumer group ${sub.consumer} is already subscribed`);
      }
      subs.push(sub);
      const c = conn;
      if (!c) return; // started by the reconnect
      try {
        await startConsumer(c, sub);
        const consumer = consumers.get(sub.consumer);
        if (consumer) rebuildOnClose(c, consumer.ch);
      } catch (err) {
        // A dropped connection re-subscribes on reconnect; any other failure is the caller's.
        if (conn !== c) return;
        subs.splice(subs.indexOf(sub), 1);
        throw err;
      }
    },

    async pending() {
      const c = conn;
      if (!c) return inFlight.size + subs.length; // disconnected: not caught up, whatever the queues hold
      const ch = await c.createChannel();
      try {
        let waiting = 0;
        for (const sub of subs) {
          if (sub.everyProcess) continue;
          const queue = `${exchange}.${sub.consumer}`;
          waiting +=
            (await ch.checkQueue(queue)).messageCount + (await ch.checkQueue(`${queue}.retry`)).messageCount;
        }
        return waiting + inFlight.size;
      } finally {
        await ch.close().catch(() => {});
      }
    },

    async isReady() {
      return pubCh !== null && !closing;
    },

    close,
  };
}
