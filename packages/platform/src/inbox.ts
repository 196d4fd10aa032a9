import type { EventEnvelope } from '@easypark/kernel';
import type { EventHandler } from './bus/port.ts';
import { type Pool, type Tx, withTransaction } from './db/pool.ts';
import type { HandledOutcome } from './metrics.ts';

/**
 * Wraps a consumer's handler so each event takes effect once: the event id is recorded in the
 * same transaction as the effect, and an event seen before is skipped. `onHandled` learns how
 * each delivery ended (metrics).
 */
export function applyOnce(
  pool: Pool,
  consumer: string,
  apply: (tx: Tx, event: EventEnvelope) => Promise<void>,
  onHandled?: (event: EventEnvelope, outcome: HandledOutcome) => void,
): EventHandler {
  return async (event) => {
    let duplicate = false;
    try {
      await withTransaction(pool, async (tx) => {
        const inserted = await tx.query(
          `INSERT INTO inbox (consumer, event_id, event_type) VALUES ($1, $2, $3)
           ON CONFLICT DO NOTHING RETURNING 1`,
          [consumer, event.id, event.type],
        );
        duplicate = inserted.rowCount === 0;
        if (duplicate) return;
        await apply(tx, event);
      });
    } catch (error) {
      onHandled?.(event, 'failed');
      throw error;
    }
    onHandled?.(event, duplicate ? 'duplicate' : 'applied');
  };
}

/**
 * The same for events delivered together: one transaction and one inbox insert for all of them,
 * each new one applied in order (an event delivered twice in the batch, once). All or none: when
 * any fails, nothing is recorded and the bus hands the events to the one-at-a-time handler.
 */
export function applyBatchOnce(
  pool: Pool,
  consumer: string,
  apply: (tx: Tx, event: EventEnvelope) => Promise<void>,
  onHandled?: (event: EventEnvelope, outcome: HandledOutcome) => void,
): (events: EventEnvelope[]) => Promise<void> {
  return async (events) => {
    const outcomes = await withTransaction(pool, async (tx) => {
      const { rows } = await tx.query<{ event_id: string }>(
        `INSERT INTO inbox (consumer, event_id, event_type)
         SELECT $1, id, type FROM unnest($2::text[], $3::text[]) AS e (id, type)
         ON CONFLICT DO NOTHING RETURNING event_id`,
        [consumer, events.map((e) => e.id), events.map((e) => e.type)],
      );
      const fresh = new Set(rows.map((r) => r.event_id));
      const outcomes: HandledOutcome[] = [];
      for (const event of events) {
        const isNew = fresh.delete(event.id);
        if (isNew) await apply(tx, event);
        outcomes.push(isNew ? 'applied' : 'duplicate');
      }
      return outcomes;
    });
    for (const [i, event] of events.entries()) onHandled?.(event, outcomes[i]!);
  };
}

export async function recordDeadLetter(
  pool: Pool,
  consumer: string,
  event: EventEnvelope,
  error: unknown,
  attempts: number,
) {
  await pool.query(
    'INSERT INTO dead_letters (consumer, event_id, envelope, error, attempts) VALUES ($1, $2, $3, $4, $5)',
    [
      consumer,
      event.id,
      JSON.stringify(event),
      error instanceof Error ? error.message : String(error),
      attempts,
    ],
  );
}
