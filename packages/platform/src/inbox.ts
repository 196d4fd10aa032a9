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
