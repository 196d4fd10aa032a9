import type { EventEnvelope } from '@easypark/kernel';
import type { BusOptions, EventBus, Subscription } from './port.ts';

export interface MemoryBusOptions extends BusOptions {
  /** Where an event goes after `maxAttempts` failures (the runner stores it in the consumer's database). */
  onDeadLetter?: (consumer: string, event: EventEnvelope, error: unknown, attempts: number) => Promise<void>;
}

/**
 * The in-process bus of the embedded mode. `publish` resolves only when every consumer group has
 * applied the event (or dead-lettered it): the outbox marks an event published only then, so a
 * crash in between leaves it in the outbox to be delivered again after restart.
 */
export function createMemoryBus(options: MemoryBusOptions = {}): EventBus {
  const maxAttempts = options.maxAttempts ?? 5;
  const retryDelayMs = options.retryDelayMs ?? 200;
  const groups = new Map<string, Subscription[]>();
  const inFlight = new Set<Promise<void>>();
  let closed = false;

  async function deliver(subscription: Subscription, event: EventEnvelope): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await subscription.handler(event);
        return;
      } catch (error) {
        options.onError?.(error, event, attempt);
        if (attempt >= maxAttempts || closed) {
          await options.onDeadLetter?.(subscription.consumer, event, error, attempt);
          return;
        }
        await new Promise((done) => setTimeout(done, retryDelayMs * 2 ** (attempt - 1)));
      }
    }
  }

  /** Several events together when the subscription can take a batch; one at a time if that fails. */
  async function deliverRun(subscription: Subscription, run: EventEnvelope[]): Promise<void> {
    if (run.length > 1 && subscription.handleBatch && !closed) {
      try {
        await subscription.handleBatch(run);
        return;
      } catch {
        // Nothing of the batch took effect; each event is tried alone, where a failure is retried.
      }
    }
    for (const event of run) await deliver(subscription, event);
  }

  return {
    kind: 'memory',
    async publish(events) {
      if (closed) throw new Error('event bus is closed');
      // Each consumer group applies the batch in order; the groups work side by side.
      const deliveries = [...groups.values()].map(async (subscriptions) => {
        for (const run of runsOf(subscriptions, events)) await deliverRun(run.subscription, run.events);
      });
      const all = Promise.all(deliveries).then(() => {});
      inFlight.add(all);
      try {
        await all;
      } finally {
        inFlight.delete(all);
      }
    },
    async subscribe(subscription) {
      const list = groups.get(subscription.consumer) ?? [];
      list.push(subscription);
      groups.set(subscription.consumer, list);
    },
    async pending() {
      return inFlight.size;
    },
    async isReady() {
      return !closed;
    },
    async close() {
      closed = true;
      await Promise.allSettled([...inFlight]);
    },
  };
}

/** The events a consumer group takes, in order, cut into runs going to the same subscription. */
function runsOf(subscriptions: Subscription[], events: readonly EventEnvelope[]) {
  const runs: { subscription: Subscription; events: EventEnvelope[] }[] = [];
  for (const event of events) {
    const match = subscriptions.find((s) => s.types.includes(event.type));
    if (!match) continue;
    const last = runs.at(-1);
    if (last?.subscription === match) last.events.push(event);
    else runs.push({ subscription: match, events: [event] });
  }
  return runs;
}
