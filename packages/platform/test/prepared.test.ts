import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, inject, it } from 'vitest';
import {
  createPool,
  dropDatabase,
  ensureDatabase,
  type Pool,
  withDatabase,
  withTransaction,
} from '../src/db/pool.ts';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

/** A pool of one connection on a database of its own, so every query meets the same session. */
async function onePool(): Promise<{ pool: Pool; server: string; name: string }> {
  const server = inject('postgresUrl');
  const name = `t${randomBytes(5).toString('hex')}_prepared`;
  await ensureDatabase(server, name);
  const pool = createPool(withDatabase(server, name), { max: 1 });
  cleanups.push(async () => {
    await pool.end();
    await dropDatabase(server, name);
  });
  return { pool, server, name };
}

describe('statements with parameters are prepared once per connection', () => {
  it('parses a statement on its first call and only binds it afterwards', async () => {
    const { pool } = await onePool();
    const text = 'SELECT $1::int + 1 AS n';
    const answers = [];
    for (const n of [1, 2, 3]) answers.push((await pool.query(text, [n])).rows[0].n);
    await withTransaction(pool, async (tx) => answers.push((await tx.query(text, [4])).rows[0].n));
    expect(answers).toEqual([2, 3, 4, 5]);
    const { rows } = await pool.query('SELECT from_sql FROM pg_prepared_statements WHERE statement = $1', [
      text,
    ]);
    expect(rows).toEqual([{ from_sql: false }]);
    // Without parameters (BEGIN, COMMIT, migrations' scripts) nothing is prepared.
    await pool.query('SELECT 1');
    const plain = await pool.query(
      "SELECT count(*)::int AS n FROM pg_prepared_statements WHERE statement = 'SELECT 1'",
      [],
    );
    expect(plain.rows[0].n).toBe(0);
  });

  it('prepares again a statement whose columns a migration changed, in and out of transactions', async () => {
    const { pool, server, name } = await onePool();
    await pool.query('CREATE TABLE plates (plate text PRIMARY KEY)');
    await pool.query("INSERT INTO plates VALUES ('AB12CDE'), ('XY34ZZZ')");
    const byPlate = 'SELECT * FROM plates WHERE plate = $1';
    const byPrefix = 'SELECT * FROM plates WHERE plate LIKE $1 ORDER BY plate';
    expect((await pool.query(byPlate, ['AB12CDE'])).rows).toEqual([{ plate: 'AB12CDE' }]);
    await withTransaction(pool, (tx) => tx.query(byPrefix, ['%']));

    // Another release's migration adds a column while this connection holds both plans.
    const other = createPool(withDatabase(server, name), { max: 1 });
    await other.query("ALTER TABLE plates ADD COLUMN make text NOT NULL DEFAULT 'Ford'");
    await other.end();

    expect((await pool.query(byPlate, ['AB12CDE'])).rows).toEqual([{ plate: 'AB12CDE', make: 'Ford' }]);
    let attempts = 0;
    const inTransaction = await withTransaction(pool, async (tx) => {
      attempts++;
      return (await tx.query(byPrefix, ['%'])).rows;
    });
    expect(inTransaction).toEqual([
      { plate: 'AB12CDE', make: 'Ford' },
      { plate: 'XY34ZZZ', make: 'Ford' },
    ]);
    expect(attempts).toBe(2);
  });

  it('a statement that fails to parse is not taken for prepared', async () => {
    const { pool } = await onePool();
    const text = 'SELECT $1::int AS n FROM nowhere';
    await expect(pool.query(text, [1])).rejects.toMatchObject({ code: '42P01' });
    await pool.query('CREATE TABLE nowhere (n int)');
    await pool.query('INSERT INTO nowhere VALUES (1)');
    expect((await pool.query(text, [7])).rows).toEqual([{ n: 7 }]);
  });
});
