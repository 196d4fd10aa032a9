/**
 * Monthly partitions of a table partitioned by range on a timestamptz column: one partition per
 * UTC month, named `<table>_YYYY_MM`, and `<table>_default` for rows no month takes yet (an import
 * of old history, a clock far off), so an insert never fails for want of a partition.
 *
 * Run both functions in a transaction. A month whose rows already wait in the default partition
 * cannot simply be created (PostgreSQL refuses a partition that rows in the default would belong
 * to): its rows are moved out of the default and into the new partition, in that transaction,
 * under a lock on the table that keeps new rows out meanwhile.
 */
import type { Queryable } from './db/pool.ts';

interface Layout {
  /** The partition key. */
  column: string;
  /** The default partition's name, if there is one. */
  defaultPartition: string | null;
  /** The months that have a partition, as `YYYY_MM`. */
  months: Set<string>;
}

/**
 * Makes sure `table` has a partition for every month from `from` through `through` (UTC), and a
 * default partition; rows waiting in the default partition go to their month's partition, created
 * for them. Idempotent: when everything exists it only reads the catalog and the default
 * partition (normally empty), and locks no table. Returns the partitions it created.
 */
export async function ensureMonthlyPartitions(
  tx: Queryable,
  table: string,
  from: Date,
  through: Date = from,
): Promise<string[]> {
  checkName(table);
  await oneKeeperAtATime(tx, table);
  const wanted = monthsBetween(from, through);
  const layout = await layoutOf(tx, table);
  let waiting = await waitingMonths(tx, layout);
  if (layout.defaultPartition && missing(layout, wanted, waiting).length === 0) return [];

  await tx.query(`LOCK TABLE ONLY ${table} IN ACCESS EXCLUSIVE MODE`);
  // Rows may have gone into the default partition while this waited for the lock.
  waiting = await waitingMonths(tx, layout);
  const waitingKeys = new Set(waiting.map(monthKey));
  const created: string[] = [];
  if (!layout.defaultPartition) {
    await tx.query(`CREATE TABLE ${table}_default PARTITION OF ${table} DEFAULT`);
    created.push(`${table}_default`);
  }
  for (const month of missing(layout, wanted, waiting)) {
    const name = `${table}_${monthKey(month)}`;
    const bounds = { from: literal(month), to: literal(nextMonth(month)) };
    const inRange = `"${layout.column}" >= ${bounds.from} AND "${layout.column}" < ${bounds.to}`;
    const move = waitingKeys.has(monthKey(month));
    if (move) {
      await tx.query(
        `CREATE TEMP TABLE partition_rows_moving ON COMMIT DROP AS SELECT * FROM ${layout.defaultPartition} WHERE ${inRange}`,
      );
      await tx.query(`DELETE FROM ${layout.defaultPartition} WHERE ${inRange}`);
    }
    await tx.query(
      `CREATE TABLE ${name} PARTITION OF ${table} FOR VALUES FROM (${bounds.from}) TO (${bounds.to})`,
    );
    if (move) {
      // Identity values are kept as they are.
      await tx.query(`INSERT INTO ${name} OVERRIDING SYSTEM VALUE SELECT * FROM partition_rows_moving`);
      await tx.query('DROP TABLE partition_rows_moving');
    }
    created.push(name);
  }
  return created;
}

/**
 * Retention a month at a time: drops the monthly partitions of `table` whose whole month is before
 * `before`, and deletes the rows before `before` from the default partition. Returns the
 * partitions it dropped.
 */
export async function dropMonthlyPartitions(tx: Queryable, table: string, before: Date): Promise<string[]> {
  checkName(table);
  await oneKeeperAtATime(tx, table);
  const layout = await layoutOf(tx, table);
  if (layout.defaultPartition)
    await tx.query(`DELETE FROM ${layout.defaultPartition} WHERE "${layout.column}" < $1`, [before]);
  const dropped = [...layout.months]
    .filter((key) => nextMonth(monthOfKey(key)).getTime() <= before.getTime())
    .sort()
    .map((key) => `${table}_${key}`);
  if (dropped.length === 0) return [];
  await tx.query(`LOCK TABLE ONLY ${table} IN ACCESS EXCLUSIVE MODE`);
  for (const name of dropped) await tx.query(`DROP TABLE ${name}`);
  return dropped;
}

/**
 * Keepers of a table's partitions take turns, until their transaction ends. Without this, two of
 * them can deadlock: each reads the default partition, then one waits for the other's lock on the
 * table while the other waits for the first to let go of the default partition.
 */
async function oneKeeperAtATime(tx: Queryable, table: string): Promise<void> {
  await tx.query(`SELECT pg_advisory_xact_lock(hashtextextended('monthly partitions of ' || $1, 0))`, [
    table,
  ]);
}

async function layoutOf(tx: Queryable, table: string): Promise<Layout> {
  const { rows } = await tx.query<{
    column: string;
    default_partition: string | null;
    partition: string | null;
  }>(
    `SELECT a.attname AS column, nullif(p.partdefid, 0)::regclass::text AS default_partition,
       c.relname AS partition
     FROM pg_partitioned_table p
     JOIN pg_attribute a ON a.attrelid = p.partrelid AND a.attnum = p.partattrs[0]
     LEFT JOIN pg_inherits i ON i.inhparent = p.partrelid
     LEFT JOIN pg_class c ON c.oid = i.inhrelid
     WHERE p.partrelid = $1::regclass AND p.partstrat = 'r' AND p.partnatts = 1`,
    [table],
  );
  if (rows.length === 0) throw new Error(`${table} is not partitioned by range on one column`);
  const pattern = new RegExp(`^${table}_(\\d{4}_\\d{2})$`);
  const months = new Set<string>();
  for (const r of rows) {
    const key = r.partition?.match(pattern)?.[1];
    if (key) months.add(key);
  }
  return { column: rows[0]!.column, defaultPartition: rows[0]!.default_partition, months };
}

/** The months of the rows in the default partition (it is normally empty). */
async function waitingMonths(tx: Queryable, layout: Layout): Promise<Date[]> {
  if (!layout.defaultPartition) return [];
  const { rows } = await tx.query<{ month: Date }>(
    `SELECT DISTINCT date_trunc('month', "${layout.column}", 'UTC') AS month FROM ${layout.defaultPartition}`,
  );
  return rows.map((r) => r.month);
}

function missing(layout: Layout, wanted: Date[], waiting: Date[]): Date[] {
  const months = new Map<string, Date>();
  for (const month of [...wanted, ...waiting]) months.set(monthKey(month), month);
  return [...months]
    .filter(([key]) => !layout.months.has(key))
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([, month]) => month);
}

function checkName(table: string): void {
  // Partition names add 8 characters; PostgreSQL names are at most 63.
  if (!/^[a-z_][a-z0-9_]*$/.test(table) || table.length > 55)
    throw new Error(`unsupported table name ${table}`);
}

/** The first instant of a UTC month (`setUTCFullYear`, unlike `Date.UTC`, takes years below 100 as they are). */
function utcMonth(year: number, monthIndex: number): Date {
  const month = new Date(0);
  month.setUTCFullYear(year, monthIndex, 1);
  return month;
}
const startOfMonth = (at: Date) => utcMonth(at.getUTCFullYear(), at.getUTCMonth());
const nextMonth = (month: Date) => utcMonth(month.getUTCFullYear(), month.getUTCMonth() + 1);
const monthKey = (at: Date) =>
  `${String(at.getUTCFullYear()).padStart(4, '0')}_${String(at.getUTCMonth() + 1).padStart(2, '0')}`;
const monthOfKey = (key: string) => utcMonth(Number(key.slice(0, 4)), Number(key.slice(5, 7)) - 1);
/** A timestamptz literal for a partition bound, the same whatever the session's time zone. */
const literal = (month: Date) => `'${monthKey(month).replace('_', '-')}-01 00:00:00+00'`;

function monthsBetween(from: Date, through: Date): Date[] {
  const months: Date[] = [];
  for (let month = startOfMonth(from); month <= through; month = nextMonth(month)) months.push(month);
  return months;
}
