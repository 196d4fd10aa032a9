import { createHash } from 'node:crypto';
import { commonProblem } from '@easypark/kernel';
import type { Queryable, Tx } from './db/pool.ts';

/**
 * Runs `work` at most once per (scope, key) inside the caller's transaction and stores its answer;
 * a retry with the same key and body gets the stored answer (`replayed: true`), a retry with the
 * same key and another body gets IDEMPOTENCY_KEY_REUSED. A simultaneous request with the same key
 * waits on the key's row until the first commits (then replays) or rolls back (then runs).
 * Without a key, `work` just runs.
 */
export async function oncePerKey<T>(
  tx: Tx,
  request: { scope: string; key: string | undefined; body: unknown; status: number },
  work: () => Promise<T>,
): Promise<{ replayed: boolean; answer: T }> {
  if (request.key === undefined) return { replayed: false, answer: await work() };
  const hash = requestHash(request.body);
  const claimed = await tx.query(
    `INSERT INTO idempotent_requests (scope, key, request_hash) VALUES ($1, $2, $3)
     ON CONFLICT DO NOTHING RETURNING 1`,
    [request.scope, request.key, hash],
  );
  if (claimed.rowCount !== 1) {
    const { rows } = await tx.query<{ request_hash: string; response: T }>(
      'SELECT request_hash, response FROM idempotent_requests WHERE scope = $1 AND key = $2',
      [request.scope, request.key],
    );
    if (rows[0]!.request_hash !== hash) throw commonProblem('IDEMPOTENCY_KEY_REUSED');
    return { replayed: true, answer: rows[0]!.response };
  }
  const answer = await work();
  await tx.query(
    'UPDATE idempotent_requests SET status_code = $3, response = $4 WHERE scope = $1 AND key = $2',
    [request.scope, request.key, request.status, JSON.stringify(answer)],
  );
  return { replayed: false, answer };
}

/**
 * The stored answer of a completed request with this key, or null; IDEMPOTENCY_KEY_REUSED for
 * another body. For work that must not be redone before the transaction (a call to another
 * service that a first attempt already used up).
 */
export async function storedAnswer<T>(
  db: Queryable,
  request: { scope: string; key: string | undefined; body: unknown },
): Promise<T | null> {
  if (request.key === undefined) return null;
  const { rows } = await db.query<{ request_hash: string; response: T | null }>(
    'SELECT request_hash, response FROM idempotent_requests WHERE scope = $1 AND key = $2',
    [request.scope, request.key],
  );
  const first = rows[0];
  if (!first || first.response === null) return null;
  if (first.request_hash !== requestHash(request.body)) throw commonProblem('IDEMPOTENCY_KEY_REUSED');
  return first.response;
}

function requestHash(body: unknown): string {
  return createHash('sha256')
    .update(JSON.stringify(body ?? null))
    .digest('hex');
}

/** Keys are kept for a day: long enough for any client retry. */
export async function forgetOldRequests(db: Queryable): Promise<void> {
  await db.query(`DELETE FROM idempotent_requests WHERE created_at < now() - interval '24 hours'`);
}
