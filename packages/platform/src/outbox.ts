import type { EventEnvelope } from '@easypark/kernel';
import { context, ROOT_CONTEXT } from '@opentelemetry/api';
import type { EventBus } from './bus/port.ts';
import { type Pool, type Queryable, withTransaction } from './db/pool.ts';
import type { Logger } from './log.ts';
import { currentTraceparent } from './tracing.ts';

/**
 * Writes events in the caller's transaction: they are published if and only if it commits.
 * Each envelope carries the active span's `traceparent`, so its consumers continue the trace.
 */
export async function writeToOutbox(tx: Queryable, events: readonly EventEnvelope[]): Promise<void> {
  if (events.length === 0) return;
  const traceparent = currentTraceparent();
  const envelopes = events.map((e) =>
    JSON.stringify(traceparent && !e.traceparent ? { ...e, traceparent } : e),
  );
  await tx.query(
    `INSERT INTO outbox (event_id, type, envelope)
     SELECT * FROM unnest($1::text[], $2::text[], $3::jsonb[])`,
    [events.map((e) => e.id), events.map((e) => e.type), envelopes],
  );
}

export interface OutboxRelay {
  /** Ask for a run now (after a commit that wrote events), instead of waiting for the next poll. */
  kick(): void;
  /** Publishes everything pending; resolves when the outbox is empty (tests, shutdown). */
  drain(): Promise<void>;
  backlog(): Promise<number>;
  stop(): Promise<void>;
}

export interface RelayOptions {
  pool: Pool;
  bus: EventBus;
  logger: Logger;
  pollIntervalMs?: number;
  batchSize?: number;
  /** Published rows older than this are deleted. */
  retainMs?: number;
}

/**
 * Moves committed events from the outbox to the bus, oldest first. Rows are locked with
 * SKIP LOCKED, so replicas of a service share the work; a row is marked published only after
 * the bus accepted it, so a crash in between means a second delivery, never a lost event.
 */
export function startOutboxRelay(options: RelayOptions): OutboxRelay {
  const { pool, bus, logger } = options;
  const pollIntervalMs = options.pollIntervalMs ?? 500;
  const batchSize = options.batchSize ?? 200;
  const retainMs = options.retainMs ?? 24 * 3600_000;
  let running: Promise<void> | null = null;
  let again = false;
  let stopped = false;
  let lastCleanup = 0;
  let failures = 0;

  async function publishBatch(): Promise<number> {
    return withTransaction(pool, async (tx) => {
      const { rows } = await tx.query<{ position: number; envelope: EventEnvelope }>(
        `SELECT position, envelope FROM outbox WHERE published_at IS NULL
         ORDER BY position LIMIT $1 FOR UPDATE SKIP LOCKED`,
        [batchSize],
      );
      if (rows.length === 0) return 0;
      await bus.publish(rows.map((r) => r.envelope));
      await tx.query('UPDATE outbox SET published_at = now() WHERE position = ANY($1::bigint[])', [
        rows.map((r) => r.position),
      ]);
      return rows.length;
    });
  }

  async function cycle(): Promise<void> {
    do {
      again = false;
      try {
        while (!stopped && (await publishBatch()) === batchSize) {}
        failures = 0;
        if (Date.now() - lastCleanup > 60_000) {
          lastCleanup = Date.now();
          await pool.query(`DELETE FROM outbox WHERE published_at < now() - make_interval(secs => $1)`, [
            retainMs / 1000,
          ]);
        }
      } catch (error) {
        failures += 1;
        if (!stopped) logger.warn({ err: error, failures }, 'outbox relay could not publish; will retry');
        return;
      }
    } while (again && !stopped);
  }

  function kick(): void {
    if (stopped) return;
    if (running) {
      again = true;
      return;
    }
    // Outside the trace of whichever request kicked it: its events carry their own traceparent.
    running = context.with(ROOT_CONTEXT, cycle).finally(() => {
      running = null;
    });
  }

  const timer = setInterval(kick, pollIntervalMs);
  timer.unref();
  kick();

  return {
    kick,
    async drain() {
      for (;;) {
        kick();
        await running;
        if ((await this.backlog()) === 0) return;
        await new Promise((done) => setTimeout(done, 20));
      }
    },
    async backlog() {
      const { rows } = await pool.query<{ n: number }>(
        'SELECT count(*) AS n FROM outbox WHERE published_at IS NULL',
      );
      return rows[0]?.n ?? 0;
    },
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}
