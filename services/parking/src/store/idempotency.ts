import type { Queryable } from '@easypark/platform';

export interface StoredResponse {
  request_hash: string;
  status_code: number | null;
  response: unknown;
}

/**
 * Claims a key inside the caller's transaction. Returns null when this request owns the key;
 * otherwise the first request's record. A simultaneous request with the same key waits here
 * until the first commits (then it sees the stored answer) or rolls back (then it owns the key).
 */
export async function claimKey(
  tx: Queryable,
  scope: string,
  key: string,
  requestHash: string,
): Promise<StoredResponse | null> {
  const claimed = await tx.query(
    `INSERT INTO idempotency_keys (scope, key, request_hash) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING RETURNING 1`,
    [scope, key, requestHash],
  );
  if (claimed.rowCount === 1) return null;
  const { rows } = await tx.query<StoredResponse>(
    'SELECT request_hash, status_code, response FROM idempotency_keys WHERE scope = $1 AND key = $2',
    [scope, key],
  );
  return rows[0]!;
}

export async function storeResponse(
  tx: Queryable,
  scope: string,
  key: string,
  status: number,
  response: unknown,
) {
  await tx.query(
    'UPDATE idempotency_keys SET status_code = $3, response = $4 WHERE scope = $1 AND key = $2',
    [scope, key, status, JSON.stringify(response)],
  );
}

/** Keys are kept for a day: long enough for any client retry. */
export async function forgetOldKeys(db: Queryable): Promise<void> {
  await db.query(`DELETE FROM idempotency_keys WHERE created_at < now() - interval '24 hours'`);
}

/** The committed answer to a key, read before a request does work that must not be repeated. */
export async function findKey(db: Queryable, scope: string, key: string): Promise<StoredResponse | null> {
  const { rows } = await db.query<StoredResponse>(
    'SELECT request_hash, status_code, response FROM idempotency_keys WHERE scope = $1 AND key = $2',
    [scope, key],
  );
  return rows[0] ?? null;
}
