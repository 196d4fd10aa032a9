import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import {
  createPool,
  dropDatabase,
  ensureDatabase,
  type Pool,
  withDatabase,
  withTransaction,
} from '../src/db/pool.ts';
import { dropMonthlyPartitions, ensureMonthlyPartitions } from '../src/partitions.ts';

const serverUrl = inject('postgresUrl');
const database = `t${randomBytes(5).toString('hex')}_partitions`;
let pool: Pool;
beforeAll(async () => {
  await ensureDatabase(serverUrl, database);
  pool = createPool(withDatabase(serverUrl, database), { max: 4 });
});
afterAll(async () => {
  await pool.end();
  await dropDatabase(serverUrl, database);
});

beforeEach(async () => {
  await pool.query('DROP TABLE IF EXISTS readings');
  await pool.query(`CREATE TABLE readings (
    id bigint GENERATED ALWAYS AS IDENTITY,
    at timestamptz NOT NULL,
    value integer NOT NULL
  ) PARTITION BY RANGE (at)`);
});

const ensure = (from: string, through?: string) =>
  withTransaction(pool, (tx) =>
    ensureMonthlyPartitions(tx, 'readings', new Date(from), through ? new Date(through) : undefined),
  );

async function partitions(): Promise<string[]> {
  const { rows } = await pool.query<{ name: string }>(
    `SELECT inhrelid::regclass::text AS name FROM pg_inherits WHERE inhparent = 'readings'::regclass ORDER BY 1`,
  );
  return rows.map((r) => r.name);
}

/** Where each reading is stored, by its value. */
async function placement(): Promise<Record<number, string>> {
  const { rows } = await pool.query<{ value: number; partition: string }>(
    'SELECT value, tableoid::regclass::text AS partition FROM readings',
  );
  return Object.fromEntries(rows.map((r) => [r.value, r.partition]));
}

const insert = (at: string, value: number) =>
  pool.query('INSERT INTO readings (at, value) VALUES ($1, $2)', [at, value]);

describe('monthly partitions', () => {
  it('are made for every month of the range, bounded on UTC months whatever the session time zone', async () => {
    const created = await withTransaction(pool, async (tx) => {
      await tx.query(`SET LOCAL TIME ZONE 'Pacific/Kiritimati'`);
      return ensureMonthlyPartitions(
        tx,
        'readings',
        new Date('2024-11-20T00:00:00Z'),
        new Date('2025-02-01T00:00:00Z'),
      );
    });
    expect(created).toEqual([
      'readings_default',
      'readings_2024_11',
      'readings_2024_12',
      'readings_2025_01',
      'readings_2025_02',
    ]);
    expect(await partitions()).toEqual([
      'readings_2024_11',
      'readings_2024_12',
      'readings_2025_01',
      'readings_2025_02',
      'readings_default',
    ]);
    await insert('2024-11-30T23:59:59.999Z', 1);
    await insert('2024-12-01T00:00:00Z', 2);
    await insert('2025-01-01T00:00:00+14:00', 3); // still 2024 in UTC
    await insert('2025-02-28T23:59:00Z', 4);
    await insert('2025-03-01T00:00:00Z', 5);
    expect(await placement()).toEqual({
      1: 'readings_2024_11',
      2: 'readings_2024_12',
      3: 'readings_2024_12',
      4: 'readings_2025_02',
      5: 'readings_default',
    });
  });

  it('are made once: ensuring them again changes nothing and locks no table', async () => {
    await ensure('2024-01-15T00:00:00Z', '2024-06-15T00:00:00Z');
    const before = await partitions();
    const again = await withTransaction(pool, async (tx) => {
      const created = await ensureMonthlyPartitions(
        tx,
        'readings',
        new Date('2024-02-01T00:00:00Z'),
        new Date('2024-06-30T00:00:00Z'),
      );
      const { rows } = await tx.query(
        `SELECT 1 FROM pg_locks WHERE pid = pg_backend_pid() AND mode = 'AccessExclusiveLock'`,
      );
      return { created, exclusiveLocks: rows.length };
    });
    expect(again).toEqual({ created: [], exclusiveLocks: 0 });
    expect(await partitions()).toEqual(before);
  });

  it('take a row far in the past or the future in the default partition, then give it its own month', async () => {
    await ensure('2025-03-01T00:00:00Z');
    await insert('1901-07-04T12:00:00Z', 1);
    await insert('2999-12-31T23:55:00Z', 2);
    await insert('2025-03-10T00:00:00Z', 3);
    expect(await placement()).toEqual({
      1: 'readings_default',
      2: 'readings_default',
      3: 'readings_2025_03',
    });
    const { rows: ids } = await pool.query('SELECT id, value FROM readings ORDER BY value');

    // Creating a month whose rows wait in the default partition is what PostgreSQL refuses...
    await expect(
      pool.query(
        `CREATE TABLE readings_1901_07 PARTITION OF readings
         FOR VALUES FROM ('1901-07-01 00:00:00+00') TO ('1901-08-01 00:00:00+00')`,
      ),
    ).rejects.toThrow(/default partition/);
    // ...so their rows are moved, whatever range was asked for, and keep their identity.
    expect(await ensure('2025-03-01T00:00:00Z')).toEqual(['readings_1901_07', 'readings_2999_12']);
    expect(await placement()).toEqual({
      1: 'readings_1901_07',
      2: 'readings_2999_12',
      3: 'readings_2025_03',
    });
    expect((await pool.query('SELECT id, value FROM readings ORDER BY value')).rows).toEqual(ids);
    expect((await pool.query('SELECT count(*)::int AS n FROM readings_default')).rows[0].n).toBe(0);
    // New rows still get new ids.
    await insert('2025-03-11T00:00:00Z', 4);
    const { rows } = await pool.query('SELECT id FROM readings WHERE value = 4');
    expect(rows[0].id).toBeGreaterThan(Math.max(...ids.map((r) => Number(r.id))));
  });

  it('are made by one of two transactions at once, the other finding them made', async () => {
    await ensure('2025-01-01T00:00:00Z');
    await insert('2025-05-05T00:00:00Z', 1); // waits in the default partition
    const first = await pool.connect();
    try {
      await first.query('BEGIN');
      const createdFirst = await ensureMonthlyPartitions(
        first,
        'readings',
        new Date('2025-04-01T00:00:00Z'),
        new Date('2025-06-01T00:00:00Z'),
      );
      const second = ensure('2025-04-01T00:00:00Z', '2025-06-01T00:00:00Z');
      // A live writer waits too, and lands in the new partition, not the default one.
      const writer = insert('2025-05-06T00:00:00Z', 2);
      await new Promise((resolve) => setTimeout(resolve, 200));
      await first.query('COMMIT');
      expect(createdFirst).toEqual(['readings_2025_04', 'readings_2025_05', 'readings_2025_06']);
      expect(await second).toEqual([]);
      await writer;
    } finally {
      first.release(true); // not back to the pool, in case it is left inside the transaction
    }
    expect(await placement()).toEqual({ 1: 'readings_2025_05', 2: 'readings_2025_05' });
  });

  it('are kept by several transactions at once without a deadlock', async () => {
    await ensure('2025-01-01T00:00:00Z');
    for (let i = 0; i < 6; i++) await insert(`2026-0${i + 1}-15T00:00:00Z`, i);
    const results = await Promise.allSettled(
      Array.from({ length: 6 }, async (_, i) => {
        const client = await pool.connect();
        try {
          await client.query('BEGIN');
          const created = await ensureMonthlyPartitions(
            client,
            'readings',
            new Date(`2027-0${i + 1}-01T00:00:00Z`),
            new Date(`2027-0${i + 4}-01T00:00:00Z`),
          );
          await client.query('COMMIT');
          return created;
        } finally {
          client.release(true);
        }
      }),
    );
    expect(results.filter((r) => r.status === 'rejected')).toEqual([]);
    expect(await partitions()).toHaveLength(1 + 1 + 6 + 9);
  });

  it('are dropped once their whole month is before the cutoff; older rows in the default partition go too', async () => {
    await ensure('2024-10-01T00:00:00Z', '2025-01-01T00:00:00Z');
    await insert('2024-10-10T00:00:00Z', 1);
    await insert('2024-11-30T00:00:00Z', 2);
    await insert('2024-12-01T00:00:00Z', 3);
    await insert('2023-01-01T00:00:00Z', 4); // in the default partition
    await insert('2026-01-01T00:00:00Z', 5); // in the default partition, kept
    const drop = (before: string) =>
      withTransaction(pool, (tx) => dropMonthlyPartitions(tx, 'readings', new Date(before)));
    expect(await drop('2024-12-15T00:00:00Z')).toEqual(['readings_2024_10', 'readings_2024_11']);
    expect(await placement()).toEqual({ 3: 'readings_2024_12', 5: 'readings_default' });
    expect(await drop('2024-12-15T00:00:00Z')).toEqual([]);
    expect(await drop('2025-01-01T00:00:00Z')).toEqual(['readings_2024_12']);
    expect(await partitions()).toEqual(['readings_2025_01', 'readings_default']);
  });

  it('are only made for a table partitioned by range, with a plain name', async () => {
    await pool.query('DROP TABLE IF EXISTS plain');
    await pool.query('CREATE TABLE plain (at timestamptz)');
    await expect(
      withTransaction(pool, (tx) => ensureMonthlyPartitions(tx, 'plain', new Date())),
    ).rejects.toThrow(/not partitioned by range/);
    await expect(
      withTransaction(pool, (tx) => ensureMonthlyPartitions(tx, 'readings; DROP TABLE plain', new Date())),
    ).rejects.toThrow(/unsupported table name/);
  });
});
