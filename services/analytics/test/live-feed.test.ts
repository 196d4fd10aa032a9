/**
 * The live feed's one LISTEN connection against a real PostgreSQL: it survives its backend being
 * terminated (a server restart, a failover), and a connection lost after the feed closed is the
 * pool's business, not a crash.
 */
import { randomBytes } from 'node:crypto';
import { createLogger, createPool, dropDatabase, ensureDatabase, withDatabase } from '@easypark/platform';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { liveFeed } from '../src/live.ts';
import type { LiveMessage } from '../src/monitor.ts';
import { liveChannel } from '../src/monitor.ts';

// A database of its own: the test terminates every other connection to it.
const serverUrl = inject('postgresUrl');
const database = `livefeed_${randomBytes(4).toString('hex')}`;
const pool = createPool(withDatabase(serverUrl, database), { max: 4, name: 'live-feed-test' });
const logger = createLogger({ name: 'test', level: 'silent' });
beforeAll(() => ensureDatabase(serverUrl, database));
afterAll(async () => {
  await pool.end();
  await dropDatabase(serverUrl, database);
});

const notify = (facilityId: string, n: number) =>
  pool.query('SELECT pg_notify($1, $2)', [liveChannel, JSON.stringify({ facility_id: facilityId, n })]);
/** Terminates the backends listening on the live channel, as a restarting server does. */
const terminateListeners = () =>
  pool.query(
    `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
      WHERE pid <> pg_backend_pid() AND datname = current_database() AND query LIKE $1`,
    [`%LISTEN ${liveChannel}%`],
  );

describe('the live feed', () => {
  it('hears notifications again after its connection is terminated', async () => {
    const feed = liveFeed(pool, logger);
    const heard: number[] = [];
    const facility = `fac_live_${Date.now()}`;
    await feed.subscribe(facility, (m: LiveMessage) => heard.push((m as unknown as { n: number }).n));
    await notify(facility, 1);
    await expect.poll(() => heard).toEqual([1]);
    expect((await terminateListeners()).rowCount).toBeGreaterThan(0);
    // Reconnected within a second or so; notifications sent while it was away are not replayed.
    await expect
      .poll(
        async () => {
          await notify(facility, 2);
          return heard.includes(2);
        },
        { timeout: 5000, interval: 300 },
      )
      .toBe(true);
    await feed.close();
  });

  it('does not release its connection twice when the server drops it after close', async () => {
    const feed = liveFeed(pool, logger);
    await feed.subscribe(`fac_closed_${Date.now()}`, () => {});
    await feed.close();
    const crashes: unknown[] = [];
    const onError = (error: unknown) => crashes.push(error);
    process.on('uncaughtException', onError);
    try {
      // The pool keeps the feed's client idle; from outside the pool (which would hand out that
      // very client), terminate every backend of this database.
      const outsider = new pg.Client({ connectionString: withDatabase(serverUrl, database) });
      await outsider.connect();
      const terminated = await outsider.query(
        `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
          WHERE pid <> pg_backend_pid() AND datname = current_database()`,
      );
      await outsider.end();
      expect(terminated.rowCount).toBeGreaterThan(0);
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(crashes).toEqual([]);
      expect((await pool.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
    } finally {
      process.off('uncaughtException', onError);
    }
  });
});
