import type { EventEnvelope } from '@easypark/kernel';

export type EventHandler = (event: EventEnvelope) => Promise<void>;

export interface Subscription {
  /** Consumer group: every event goes to each group once (one RabbitMQ queue per group). */
  consumer: string;
  /** CloudEvents types the group wants, e.g. `parking.vehicle.exited`. */
  types: readonly string[];
  handler: EventHandler;
  /**
   * Optional: applies several events at once, all or none (one transaction). The bus hands over
   * what has arrived together, in order; when it throws, each event goes to `handler` alone, with
   * the usual retries, so one bad event costs the batch nothing but a second try.
   */
  handleBatch?: (events: EventEnvelope[]) => Promise<void>;
  /**
   * Every process subscribed gets each event, not one of the group's replicas, and only while it
   * is connected: nothing is kept for it while it is away, nothing retried, nothing counted in
   * pending(). For what each process keeps in memory and must forget when a change is announced.
   */
  everyProcess?: boolean;
}

/**
 * The event bus port. Two adapters: in-process (embedded mode) and RabbitMQ (distributed).
 * Delivery is at least once; consumers make effects exactly-once with the inbox.
 */
export interface EventBus {
  readonly kind: 'memory' | 'rabbitmq';
  /** Resolves once the bus has accepted every event durably (publisher confirms on RabbitMQ). */
  publish(events: readonly EventEnvelope[]): Promise<void>;
  /**
   * Starts delivering matching events to the handler. A handler that throws gets the event
   * again later (with backoff); after `maxAttempts` the event goes to the dead-letter store.
   */
  subscribe(subscription: Subscription): Promise<void>;
  /**
   * Events this process's consumer groups have yet to apply: waiting in their queues plus being
   * handled now. Zero means caught up (consumer lag; tests wait for it).
   */
  pending(): Promise<number>;
  /** True while the bus can publish (used by /readyz). */
  isReady(): Promise<boolean>;
  /** Stops consuming, waits for handlers in flight, and closes connections. */
  close(): Promise<void>;
}

export interface BusOptions {
  /** How many times a failing handler is tried before the event is dead-lettered. Default 5. */
  maxAttempts?: number;
  /** First retry delay in ms; doubles each attempt. Default 200. */
  retryDelayMs?: number;
  onError?: (error: unknown, event: EventEnvelope, attempt: number) => void;
}
