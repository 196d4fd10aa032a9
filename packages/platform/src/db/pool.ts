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
  pool.on('connect', prepareStatements);
  return pool;
}

/** The name each statement's text is prepared under, the same on every connection of the process. */
const statementNames = new Map<string, string>();
/** Beyond this many texts (a statement built with a varying number of rows, say), parse each time. */
const maxPreparedStatements = 2000;

function statementName(text: string): string | undefined {
  let name = statementNames.get(text);
  if (name === undefined && statementNames.size < maxPreparedStatements) {
    name = `ep${statementNames.size}`;
    statementNames.set(text, name);
  }
  return name;
}

/**
 * A statement prepared before a migration changed the columns it returns (`SELECT *` while a
 * newer release adds a column) fails once with this; prepared again under a new name it works.
 */
export function isStalePlan(error: unknown): boolean {
  return (
    pgErrorCode(error) === '0A000' &&
    /cached plan must not change result type/.test((error as Error | null)?.message ?? '')
  );
}

/**
 * Every statement with parameters is prepared once per connection and from then on only bound
 * and executed: PostgreSQL parses and plans it once, not on every call (an entry and exit run
 * some sixty statements). A statement whose plan went stale is prepared again under a new name
 * on that connection; outside a transaction it is run again at once, inside one the transaction
 * fails and withTransaction runs it again.
 */
function prepareStatements(client: pg.PoolClient): void {
  const query = client.query as (...args: unknown[]) => unknown;
  const renamed = new Map<string, string>();
  let renames = 0;
  const run = (text: string, values: unknown[], rest: unknown[], retried: boolean): unknown => {
    const name = renamed.get(text) ?? statementName(text);
    if (name === undefined) return query.call(client, text, values, ...rest);
    const again = (error: unknown) => {
      if (!isStalePlan(error)) return false;
      renamed.set(text, `${name.replace(/_.*$/, '')}_${++renames}`);
      return !retried && client.getTransactionStatus() === 'I';
    };
    const callback = rest[0];
    if (typeof callback === 'function') {
      // pool.query hands the connection a callback.
      return query.call(client, { name, text, values }, (error: unknown, result: unknown) => {
        if (error && again(error)) run(text, values, rest, true);
        else callback(error, result);
      });
    }
    return (query.call(client, { name, text, values }) as Promise<unknown>).catch((error: unknown) => {
      if (again(error)) return run(text, values, rest, true);
      throw error;
    });
  };
  client.query = ((...args: unknown[]) => {
    const [text, values, ...rest] = args;
    if (typeof text === 'string' && Array.isArray(values)) return run(text, values, rest, false);
    return query.apply(client, args);
  }) as typeof client.query;
}

const retryable = new Set(['40001', '40P01']); // serialization failure, deadlock

/**
 * Runs `work` in one transaction: commit on success, roll back on any error.
 * Serialization failures and deadlocks are retried, as PostgreSQL advises, and so is a statement
 * whose prepared plan a migration made stale (see prepareStatements).
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
      if (attempt < attempts && ((code && retryable.has(code)) || isStalePlan(error))) continue;
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

/**
 * What `load` answers, loaded once per transaction (withTransaction's) for `key`: a row that each
 * of the events delivered together needs is read (and locked) by the first of them. Not for rows
 * the transaction changes, unless it forgets them (forgetInTransaction).
 */
export function oncePerTransaction<T>(tx: Tx, key: string, load: () => Promise<T>): Promise<T> {
  const loaded = loadedIn(tx);
  let value = loaded.get(key);
  if (value === undefined) {
    value = load();
    loaded.set(key, value);
  }
  return value as Promise<T>;
}

/** The transaction changed what oncePerTransaction loaded for `key`: the next call loads it again. */
export function forgetInTransaction(tx: Tx, key: string): void {
  loadedIn(tx).delete(key);
}

const loadedIn = (tx: Tx) => transactionState(tx, 'loaded once', () => new Map<string, Promise<unknown>>());

/** State kept as long as the transaction (withTransaction's), made by `init` on first use. */
export function transactionState<S>(tx: Tx, key: string, init: () => S): S {
  return beforeCommit(tx, key, init, async () => {});
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
