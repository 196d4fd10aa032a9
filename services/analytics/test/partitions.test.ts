/**
 * The 5-minute samples partitioned by month (migration 0002): an existing deployment's rows survive
 * the upgrade, each row is in its month's partition, a sample in a month without one still goes in,
 * the analytics queries answer what they answered on the unpartitioned table, and retention drops
 * whole months.
 */
import { randomBytes } from 'node:crypto';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  createPool,
  dropDatabase,
  ensureDatabase,
  type Pool,
  platformMigrations,
  runMigrations,
  withDatabase,
  withTransaction,
} from '@easypark/platform';
import { afterAll, describe, expect, inject, it } from 'vitest';
import type { OccupancySnapshot } from '../src/domain/occupancy.ts';
import * as store from '../src/store.ts';

const serverUrl = inject('postgresUrl');
const migrations = join(dirname(fileURLToPath(import.meta.url)), '..', 'src', 'migrations');
/** The analytics migrations as they were before partitioning. */
const previous = mkdtempSync(join(tmpdir(), 'analytics-0001-'));
copyFileSync(join(migrations, '0001_init.sql'), join(previous, '0001_init.sql'));

const cleanups: Array<() => Promise<void>> = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
  rmSync(previous, { recursive: true, force: true });
});

async function database(upTo: 'previous' | 'latest'): Promise<Pool> {
  const name = `t${randomBytes(5).toString('hex')}_analytics`;
  await ensureDatabase(serverUrl, name);
  const pool = createPool(withDatabase(serverUrl, name), { max: 4 });
  cleanups.push(async () => {
    await pool.end();
    await dropDatabase(serverUrl, name);
  });
  await migrate(pool, upTo);
  await pool.query(
    `INSERT INTO analytics_facilities (facility_id, tenant_id, name, timezone, currency, standard_capacity, updated_at)
     VALUES ('fac_a', 'ten_a', 'A', 'Europe/London', 'GBP', 200, now()),
            ('fac_b', 'ten_a', 'B', 'Asia/Tokyo', 'JPY', 80, now())`,
  );
  return pool;
}

const migrate = (pool: Pool, upTo: 'previous' | 'latest') =>
  runMigrations(pool, [
    platformMigrations,
    { name: 'analytics', dir: upTo === 'previous' ? previous : migrations },
  ]);

const monthStart = (at: Date, months = 0) =>
  new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth() + months, 1));
const key = (at: Date) => `${at.getUTCFullYear()}_${String(at.getUTCMonth() + 1).padStart(2, '0')}`;
const thisMonth = monthStart(new Date());

/**
 * Samples every 5 minutes for both facilities: the week either side of the start of this month
 * (two partitions), and a week in October 2016, a month the migration makes no partition for.
 */
async function loadSamples(pool: Pool): Promise<void> {
  for (const [from, to] of [
    [new Date(thisMonth.getTime() - 7 * 86_400_000), new Date(thisMonth.getTime() + 7 * 86_400_000)],
    [new Date('2016-10-10T00:00:00Z'), new Date('2016-10-17T00:00:00Z')],
  ] as const) {
    await pool.query(
      `INSERT INTO occupancy_metrics (facility_id, timestamp, occupancy_rate, peak_occupancy_rate, occupied_spaces,
         capacity, available_spaces, source, created_at)
       SELECT f.id, s.at, r.rate, least(100, r.rate + 3), round(r.rate * f.capacity / 100)::int, f.capacity,
         f.capacity - round(r.rate * f.capacity / 100)::int, 'IMPORT', s.at
       FROM (VALUES ('fac_a', 200), ('fac_b', 80)) AS f (id, capacity)
       CROSS JOIN generate_series($1::timestamptz, $2::timestamptz - interval '5 minutes', interval '5 minutes') AS s (at)
       CROSS JOIN LATERAL (SELECT round((50 + 45 * sin(extract(epoch FROM s.at) / 86400 * 2 * pi() + f.capacity))::numeric, 2) AS rate) AS r`,
      [from, to],
    );
  }
  await store.rollUpHours(
    pool,
    new Date('2016-01-01T00:00:00Z'),
    new Date(thisMonth.getTime() + 8 * 86_400_000),
  );
}

/** What the service reads from the samples and their rollup, for a facility and a range. */
async function answers(pool: Pool, facilityId: string, timezone: string, from: Date, to: Date) {
  const middle = new Date((from.getTime() + to.getTime()) / 2);
  return {
    hourly: await store.hourlyHistory(pool, facilityId, from, to),
    daily: await store.dailyHistory(pool, facilityId, timezone, from, to),
    profile: await store.weekdayHourProfile(pool, facilityId, timezone, from, to),
    hoursOfDay: await store.hoursOfDay(pool, facilityId, timezone, from, to),
    samples: await store.samples(pool, facilityId, from, to),
    samples15: await store.samples(pool, facilityId, from, to, 15),
    rateAt: [
      await store.rateAt(pool, facilityId, middle),
      await store.rateAt(pool, facilityId, new Date(middle.getTime() + 123_000)),
      await store.rateAt(pool, facilityId, new Date(to.getTime() + 3_600_000)),
    ],
    latest: await store.latestSampleAt(pool, facilityId),
  };
}

async function allAnswers(pool: Pool) {
  const result = [];
  for (const [facilityId, timezone] of [
    ['fac_a', 'Europe/London'],
    ['fac_b', 'Asia/Tokyo'],
  ] as const) {
    result.push(
      await answers(
        pool,
        facilityId,
        timezone,
        new Date(thisMonth.getTime() - 3 * 86_400_000),
        new Date(thisMonth.getTime() + 2 * 86_400_000),
      ),
      await answers(
        pool,
        facilityId,
        timezone,
        new Date('2016-10-09T00:00:00Z'),
        new Date('2016-10-20T00:00:00Z'),
      ),
    );
  }
  return result;
}

async function placement(pool: Pool) {
  const { rows } = await pool.query<{ partition: string; month: string; n: number }>(
    `SELECT tableoid::regclass::text AS partition, to_char(timestamp AT TIME ZONE 'UTC', 'YYYY_MM') AS month,
       count(*)::int AS n
     FROM occupancy_metrics GROUP BY 1, 2 ORDER BY 2`,
  );
  return rows;
}

async function partitions(pool: Pool): Promise<string[]> {
  const { rows } = await pool.query<{ name: string }>(
    `SELECT inhrelid::regclass::text AS name FROM pg_inherits WHERE inhparent = 'occupancy_metrics'::regclass ORDER BY 1`,
  );
  return rows.map((r) => r.name);
}

const everything = (pool: Pool) =>
  pool
    .query('SELECT * FROM occupancy_metrics ORDER BY metric_id')
    .then((r) => r.rows.map((row) => ({ ...row, timestamp: row.timestamp.toISOString() })));

const snapshot = (rate: number, capacity = 200): OccupancySnapshot => {
  const occupied = Math.round((rate * capacity) / 100);
  return {
    occupancy_rate: rate,
    occupied_spaces: occupied,
    available_spaces: capacity - occupied,
    capacity,
    usable_spaces: capacity,
    available_by_size: { compact: 0, standard: capacity - occupied, large: 0 },
    active_sessions: occupied,
    active_charging_sessions: 0,
  };
};

describe('occupancy samples partitioned by month', () => {
  it('keep an existing deployment’s samples through the upgrade, each in its month’s partition', async () => {
    const pool = await database('previous');
    await loadSamples(pool);
    await store.recordSample(pool, 'fac_a', new Date('2009-02-13T23:30:00Z'), snapshot(42), new Date());
    const before = await everything(pool);
    const answersBefore = await allAnswers(pool);
    expect(before.length).toBe(2 * 288 * 21 + 1);

    expect(await migrate(pool, 'latest')).toEqual(['analytics/0002_occupancy_metrics_by_month.sql']);

    const { rows: partitioned } = await pool.query(
      `SELECT partstrat, pg_get_partkeydef(partrelid) AS key FROM pg_partitioned_table
       WHERE partrelid = 'occupancy_metrics'::regclass`,
    );
    expect(partitioned).toEqual([{ partstrat: 'r', key: 'RANGE ("timestamp")' }]);
    expect(await everything(pool)).toEqual(before);
    expect(await allAnswers(pool)).toEqual(answersBefore);
    // Each row in its month's partition, none left in the default one.
    const rows = await placement(pool);
    expect(rows.map((r) => r.month)).toEqual([
      '2009_02',
      '2016_10',
      key(monthStart(thisMonth, -1)),
      key(thisMonth),
    ]);
    for (const r of rows) expect(r.partition).toBe(`occupancy_metrics_${r.month}`);
    // And the months the samples will need: from the default retention through three months ahead.
    const names = await partitions(pool);
    expect(names).toContain('occupancy_metrics_default');
    for (let m = -13; m <= 3; m++)
      expect(names).toContain(`occupancy_metrics_${key(monthStart(thisMonth, m))}`);

    // Ids go on from where they were; the indexes and the foreign key are there again.
    const later = new Date(thisMonth.getTime() + 10 * 86_400_000);
    await store.recordSample(pool, 'fac_b', later, snapshot(10, 80), new Date());
    const { rows: added } = await pool.query(
      'SELECT metric_id FROM occupancy_metrics WHERE facility_id = $1 AND timestamp = $2',
      ['fac_b', later],
    );
    expect(added[0].metric_id).toBeGreaterThan(Math.max(...before.map((r) => r.metric_id)));
    const { rows: indexes } = await pool.query(
      `SELECT indexrelid::regclass::text AS name, indisunique AS unique FROM pg_index
       WHERE indrelid = 'occupancy_metrics'::regclass ORDER BY 1`,
    );
    expect(indexes).toEqual([
      { name: 'occupancy_metrics_facility_time', unique: true },
      { name: 'occupancy_metrics_time_brin', unique: false },
    ]);
    await expect(store.recordSample(pool, 'fac_nobody', thisMonth, snapshot(10), new Date())).rejects.toThrow(
      /foreign key/,
    );
  });

  it('answer the analytics queries as the unpartitioned table did, before and after the default partition is emptied', async () => {
    const unpartitioned = await database('previous');
    const partitioned = await database('latest');
    await loadSamples(unpartitioned);
    await loadSamples(partitioned);
    // October 2016 has no partition: its samples wait in the default one.
    expect((await placement(partitioned)).find((r) => r.month === '2016_10')?.partition).toBe(
      'occupancy_metrics_default',
    );
    const expected = await allAnswers(unpartitioned);
    expect(expected[0]!.hourly.length).toBeGreaterThan(100);
    expect(await allAnswers(partitioned)).toEqual(expected);

    await store.dropSamplesBefore(partitioned, new Date('2016-01-01T00:00:00Z'));
    expect((await placement(partitioned)).find((r) => r.month === '2016_10')?.partition).toBe(
      'occupancy_metrics_2016_10',
    );
    expect(await allAnswers(partitioned)).toEqual(expected);
  });

  it('take live samples and imports in any month, upserted as before', async () => {
    const pool = await database('latest');
    const slot = new Date(thisMonth.getTime() + 3_600_000);
    await store.recordSample(pool, 'fac_a', slot, snapshot(70), new Date());
    await store.recordSample(pool, 'fac_a', slot, snapshot(40), new Date());
    const { rows } = await pool.query(
      'SELECT occupancy_rate, peak_occupancy_rate, tableoid::regclass::text AS partition FROM occupancy_metrics',
    );
    expect(rows).toEqual([
      { occupancy_rate: 40, peak_occupancy_rate: 70, partition: `occupancy_metrics_${key(thisMonth)}` },
    ]);

    // Far in the past and the future: no partition, no failure.
    await store.recordSample(pool, 'fac_a', new Date('1999-12-31T23:55:00Z'), snapshot(5), new Date());
    await store.recordSample(pool, 'fac_a', new Date('2199-01-01T00:00:00Z'), snapshot(6), new Date());
    expect((await placement(pool)).filter((r) => r.partition === 'occupancy_metrics_default')).toHaveLength(
      2,
    );

    // An import of old history makes its months' partitions (the samples waiting in the default
    // partition get theirs on the way) and never overwrites a live sample.
    const history = [
      { slot: new Date('2014-03-31T23:55:00Z'), occupied: 50, capacity: 200, rate: 25 },
      { slot: new Date('2014-04-01T00:00:00Z'), occupied: 60, capacity: 200, rate: 30 },
      { slot, occupied: 100, capacity: 200, rate: 50 },
    ];
    expect(await withTransaction(pool, (tx) => store.importSamples(tx, 'fac_a', history, new Date()))).toBe(
      2,
    );
    expect(await placement(pool)).toEqual([
      { partition: 'occupancy_metrics_1999_12', month: '1999_12', n: 1 },
      { partition: 'occupancy_metrics_2014_03', month: '2014_03', n: 1 },
      { partition: 'occupancy_metrics_2014_04', month: '2014_04', n: 1 },
      { partition: `occupancy_metrics_${key(thisMonth)}`, month: key(thisMonth), n: 1 },
      { partition: 'occupancy_metrics_2199_01', month: '2199_01', n: 1 },
    ]);
    expect(await store.rateAt(pool, 'fac_a', slot)).toBe(40);
  });

  it('are prepared ahead once, and dropped a whole month at a time by retention', async () => {
    const pool = await database('latest');
    const now = new Date(thisMonth.getTime() + 10 * 86_400_000);
    await store.prepareSampleMonths(pool, now, 400);
    const prepared = await partitions(pool);
    expect(prepared).toContain(`occupancy_metrics_${key(monthStart(thisMonth, 3))}`);
    await store.prepareSampleMonths(pool, now, 400);
    expect(await partitions(pool)).toEqual(prepared);

    const lastMonth = monthStart(thisMonth, -1);
    for (const at of [
      monthStart(thisMonth, -2),
      lastMonth,
      new Date(thisMonth.getTime() - 300_000),
      thisMonth,
    ])
      await store.recordSample(pool, 'fac_a', at, snapshot(30), new Date());
    // A cutoff inside last month keeps all of it; the month before goes with its partition.
    await store.dropSamplesBefore(pool, new Date(lastMonth.getTime() + 5 * 86_400_000));
    expect((await placement(pool)).map((r) => [r.month, r.n])).toEqual([
      [key(lastMonth), 2],
      [key(thisMonth), 1],
    ]);
    expect(await partitions(pool)).not.toContain(`occupancy_metrics_${key(monthStart(thisMonth, -2))}`);
    await store.dropSamplesBefore(pool, thisMonth);
    expect((await placement(pool)).map((r) => r.month)).toEqual([key(thisMonth)]);
    expect((await partitions(pool))[0]).toBe(`occupancy_metrics_${key(thisMonth)}`);
  });
});
