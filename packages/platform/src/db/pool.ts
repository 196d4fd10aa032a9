import pg from 'pg';

// bigint counts and minor-unit amounts fit in a double far beyond any real total; numeric is used for
// measured quantities (kWh, coordinates), never money.
pg.types.setTypeParser(pg.types.builtins.INT8, (value) => Number(value));
pg.types.setTypeParser(pg.types.builtins.NUMERIC, (value) => Number.parseFloat(value));

export type Pool = pg.Pool;
export type Tx = pg.PoolClient;
/** Anything that can run a query: the pool, or a client inside a transaction. */
export type Queryable = Pick<pg.Pool, 'query'>;

export function createPool(connectionString: string, options: { max?: number; name?: string } = {}): Pool {
  const pool = new pg.Pool({
    connectionString,
    max: options.max ?? 10,
    application_name: options.name ?? 'easypark',
    idleTimeoutMillis: 30_000,
    connectionTimeoutMillis: 10_000,
  });
  // An idle client losing its connection (server restart) must not crash the process.
  pool.on('error', () => {});
  return pool;
}

const retryable = new Set(['40001', '40P01']); // serialization failure, deadlock

/**
 * Runs `work` in one transaction: commit on success, roll back on any error.
 * Serialization failures and deadlocks are retried, as PostgreSQL advises.
 */
export async function withTransaction<T>(pool: Pool, work: (tx: Tx) => Promise<T>, attempts = 3): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      const result = await work(client);
      await settle(client);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => {});
      const code = (error as { code?: string }).code;
      if (attempt < attempts && code && retryable.has(code)) continue;
      throw error;
    } finally {
      settling.delete(client);
      client.release();
    }
  }
}

interface Settling {
  state: unknown;
  run: (state: unknown) => Promise<void>;
}
/** Per transaction (withTransaction's client), what is to be done just before its COMMIT. */
const settling = new WeakMap<Tx, Map<string, Settling>>();

/**
 * Work done once per transaction, after the rest of it and just before COMMIT: a consumer that
 * applies events delivered together adds up what they change and writes the sum once. The first
 * call for `key` in the transaction makes the state (`init`) and registers `run`; every call
 * returns that state to add to. Only in withTransaction, which runs it.
 */
export function beforeCommit<S>(tx: Tx, key: string, init: () => S, run: (state: S) => Promise<void>): S {
  let pending = settling.get(tx);
  if (!pending) {
    pending = new Map();
    settling.set(tx, pending);
  }
  let entry = pending.get(key);
  if (!entry) {
    entry = { state: init(), run: run as (state: unknown) => Promise<void> };
    pending.set(key, entry);
  }
  return entry.state as S;
}

/** Runs the registered work in order; work it registers in turn runs after it. */
async function settle(tx: Tx): Promise<void> {
  for (let pending = settling.get(tx); pending; pending = settling.get(tx)) {
    settling.delete(tx);
    for (const { state, run } of pending.values()) await run(state);
  }
}

export function pgErrorCode(error: unknown): string | undefined {
  return (error as { code?: string } | null)?.code;
}

export function pgConstraint(error: unknown): string | undefined {
  return (error as { constraint?: string } | null)?.constraint;
}

/** Replaces the database name in a PostgreSQL URL (one server, one database per service). */
export function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

/** Creates the database if it does not exist yet, connecting through the server's `postgres` database. */
export async function ensureDatabase(serverUrl: string, database: string): Promise<void> {
  if (!/^[a-z_][a-z0-9_]*$/.test(database)) throw new Error(`unsafe database name ${database}`);
  const admin = new pg.Client({ connectionString: withDatabase(serverUrl, 'postgres') });
  await admin.connect();
  try {
    const found = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (found.rowCount === 0) {
      await admin.query(`CREATE DATABASE ${database}`).catch((error) => {
        if (pgErrorCode(error) !== '42P04') throw error; // created concurrently by another process
      });
    }
  } finally {
    await admin.end();
  }
}

export async function dropDatabase(serverUrl: string, database: string): Promise<void> {
  if (!/^[a-z_][a-z0-9_]*$/.test(database)) throw new Error(`unsafe database name ${database}`);
  const admin = new pg.Client({ connectionString: withDatabase(serverUrl, 'postgres') });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
  } finally {
    await admin.end();
  }
}
