import { randomBytes } from 'node:crypto';
import { type EventEnvelope, makeEvent } from '@easypark/kernel';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { createMemoryBus } from '../src/bus/memory.ts';
import type { EventBus } from '../src/bus/port.ts';
import { runMigrations } from '../src/db/migrate.ts';
import {
  beforeCommit,
  createPool,
  dropDatabase,
  ensureDatabase,
  forgetInTransaction,
  oncePerTransaction,
  type Pool,
  type Tx,
  withDatabase,
  withTransaction,
} from '../src/db/pool.ts';
import { applyBatchOnce, applyOnce } from '../src/inbox.ts';
import { createLogger } from '../src/log.ts';
import { platformMigrations } from '../src/migrations.ts';
import { startOutboxRelay, writeToOutbox } from '../src/outbox.ts';

const logger = createLogger({ name: 'test', level: 'silent' });
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

async function freshDatabase(): Promise<Pool> {
  const server = inject('postgresUrl');
  const name = `t${randomBytes(5).toString('hex')}_outbox`;
  await ensureDatabase(server, name);
  const pool = createPool(withDatabase(server, name), { max: 4 });
  await runMigrations(pool, [platformMigrations]);
  await pool.query('CREATE TABLE effects (event_id text, n integer)');
  cleanups.push(async () => {
    await pool.end();
    await dropDatabase(server, name);
  });
  return pool;
}

const entered = (n: number) =>
  makeEvent('/services/test', {
    type: 'parking.vehicle.entered',
    data: { n } as never,
  });

function recordingBus(): EventBus & { seen: EventEnvelope[]; failNext: number } {
  const inner = createMemoryBus();
  const bus = {
    ...inner,
    seen: [] as EventEnvelope[],
    failNext: 0,
    async publish(events: readonly EventEnvelope[]) {
      if (bus.failNext > 0) {
        bus.failNext -= 1;
        throw new Error('broker unreachable');
      }
      bus.seen.push(...events);
      await inner.publish(events);
    },
  };
  return bus;
}

describe('transactional outbox', () => {
  it('publishes nothing of a rolled-back transaction and everything of a committed one', async () => {
    const pool = await freshDatabase();
    await expect(
      withTransaction(pool, async (tx) => {
        await writeToOutbox(tx, [entered(1)]);
        throw new Error('business rule failed');
      }),
    ).rejects.toThrow('business rule failed');
    await withTransaction(pool, (tx) => writeToOutbox(tx, [entered(2), entered(3)]));
    const bus = recordingBus();
    const relay = startOutboxRelay({ pool, bus, logger, pollIntervalMs: 20 });
    await relay.drain();
    await relay.stop();
    expect(bus.seen.map((e) => (e.data as { n: number }).n)).toEqual([2, 3]);
  });

  it('loses no event when the process dies between the commit and the publication', async () => {
    const pool = await freshDatabase();
    // The change and its event commit; the process "dies" before any relay publishes.
    const event = entered(7);
    await withTransaction(pool, (tx) => writeToOutbox(tx, [event]));
    // After the restart a new relay finds it; the broker is down for the first two tries.
    const bus = recordingBus();
    bus.failNext = 2;
    const relay = startOutboxRelay({ pool, bus, logger, pollIntervalMs: 20 });
    await expect.poll(() => bus.seen.length, { timeout: 5000 }).toBe(1);
    await relay.stop();
    expect(bus.seen[0]!.id).toBe(event.id);
    expect(await relay.backlog()).toBe(0);
  });

  it('shares the work between two relays without publishing an event twice', async () => {
    const pool = await freshDatabase();
    const events = Array.from({ length: 300 }, (_, i) => entered(i));
    await withTransaction(pool, (tx) => writeToOutbox(tx, events));
    const bus = recordingBus();
    const relays = [1, 2].map(() =>
      startOutboxRelay({ pool, bus, logger, pollIntervalMs: 10, batchSize: 25 }),
    );
    await Promise.all(relays.map((r) => r.drain()));
    await Promise.all(relays.map((r) => r.stop()));
    expect(bus.seen).toHaveLength(300);
    expect(new Set(bus.seen.map((e) => e.id)).size).toBe(300);
  });
});

describe('inbox', () => {
  it('applies an event delivered twice, even at the same time, exactly once', async () => {
    const pool = await freshDatabase();
    const handler = applyOnce(pool, 'billing', async (tx, event) => {
      await tx.query('INSERT INTO effects (event_id, n) VALUES ($1, 1)', [event.id]);
    });
    const event = entered(1);
    await Promise.all([handler(event), handler(event), handler(event)]);
    await handler(event);
    const { rows } = await pool.query('SELECT count(*)::int AS n FROM effects');
    expect(rows[0].n).toBe(1);
  });

  it('leaves no trace of a failed handler, so the retry applies it', async () => {
    const pool = await freshDatabase();
    let failures = 1;
    const handler = applyOnce(pool, 'billing', async (tx, event) => {
      await tx.query('INSERT INTO effects (event_id, n) VALUES ($1, 1)', [event.id]);
      if (failures-- > 0) throw new Error('downstream hiccup');
    });
    const event = entered(1);
    await expect(handler(event)).rejects.toThrow('downstream hiccup');
    await handler(event);
    const { rows } = await pool.query('SELECT count(*)::int AS n FROM effects');
    expect(rows[0].n).toBe(1);
  });
});

describe('inbox, events delivered together', () => {
  it('applies each new event once, in order, in one transaction, skipping those seen before or twice', async () => {
    const pool = await freshDatabase();
    const outcomes: string[] = [];
    const effect = async (tx: Tx, event: EventEnvelope) => {
      await tx.query('INSERT INTO effects (event_id, n) VALUES ($1, $2)', [
        event.id,
        (event.data as { n: number }).n,
      ]);
    };
    const [a, b, c] = [entered(1), entered(2), entered(3)];
    await applyOnce(pool, 'billing', effect)(a);
    const backends = new Set<number>();
    const batch = applyBatchOnce(
      pool,
      'billing',
      async (tx, event) => {
        backends.add((await tx.query('SELECT pg_backend_pid() AS pid')).rows[0].pid);
        await effect(tx, event);
      },
      (event, outcome) => outcomes.push(`${(event.data as { n: number }).n}:${outcome}`),
    );
    await batch([a, b, b, c]);
    await batch([c]);
    const { rows } = await pool.query('SELECT n FROM effects ORDER BY n');
    expect(rows.map((r) => r.n)).toEqual([1, 2, 3]);
    expect(backends.size).toBe(1);
    expect(outcomes).toEqual(['1:duplicate', '2:applied', '2:duplicate', '3:applied', '3:duplicate']);
  });

  it('records nothing of a batch one of whose events fails', async () => {
    const pool = await freshDatabase();
    const batch = applyBatchOnce(pool, 'billing', async (tx, event) => {
      await tx.query('INSERT INTO effects (event_id, n) VALUES ($1, 1)', [event.id]);
      if ((event.data as { n: number }).n === 2) throw new Error('no tariff for this facility');
    });
    await expect(batch([entered(1), entered(2)])).rejects.toThrow('no tariff');
    const effects = await pool.query('SELECT count(*)::int AS n FROM effects');
    const inbox = await pool.query('SELECT count(*)::int AS n FROM inbox');
    expect([effects.rows[0].n, inbox.rows[0].n]).toEqual([0, 0]);
  });
});

describe('work before commit', () => {
  it('runs once per key after the rest of the transaction, with what every call added', async () => {
    const pool = await freshDatabase();
    const sum = (tx: Tx, key: string, n: number) => {
      beforeCommit(
        tx,
        key,
        () => ({ total: 0 }),
        async (state) => {
          await tx.query('INSERT INTO effects (event_id, n) VALUES ($1, $2)', [key, state.total]);
        },
      ).total += n;
    };
    await withTransaction(pool, async (tx) => {
      sum(tx, 'a', 1);
      sum(tx, 'b', 10);
      sum(tx, 'a', 2);
      // Not yet: it runs after this function returns.
      expect((await tx.query('SELECT * FROM effects')).rows).toEqual([]);
    });
    expect((await pool.query('SELECT event_id, n FROM effects ORDER BY event_id')).rows).toEqual([
      { event_id: 'a', n: 3 },
      { event_id: 'b', n: 10 },
    ]);
  });

  it('leaves nothing of a transaction that fails, and starts from nothing in the next', async () => {
    const pool = await freshDatabase();
    const add = (tx: Tx, n: number, fail = false) => {
      beforeCommit(
        tx,
        'x',
        () => ({ total: 0 }),
        async (state) => {
          await tx.query('INSERT INTO effects (event_id, n) VALUES ($1, $2)', ['x', state.total]);
          if (fail) throw new Error('fails before commit');
        },
      ).total += n;
    };
    await expect(withTransaction(pool, async (tx) => add(tx, 5, true))).rejects.toThrow(
      'fails before commit',
    );
    await expect(
      withTransaction(pool, async (tx) => {
        add(tx, 7);
        throw new Error('fails in the work');
      }),
    ).rejects.toThrow('fails in the work');
    await withTransaction(pool, async (tx) => add(tx, 1));
    expect((await pool.query('SELECT event_id, n FROM effects')).rows).toEqual([{ event_id: 'x', n: 1 }]);
  });

  it('loads a row once per transaction and key, again after it is forgotten, and anew in the next', async () => {
    const pool = await freshDatabase();
    await pool.query('INSERT INTO effects (event_id, n) VALUES ($1, 1), ($2, 2)', ['a', 'b']);
    let loads = 0;
    const n = (tx: Tx, key: string) =>
      oncePerTransaction(tx, key, async () => {
        loads++;
        return (await tx.query('SELECT n FROM effects WHERE event_id = $1 FOR UPDATE', [key])).rows[0].n;
      });
    const seen = await withTransaction(pool, async (tx) => {
      const first = [await n(tx, 'a'), await n(tx, 'b'), await n(tx, 'a')];
      await tx.query("UPDATE effects SET n = 10 WHERE event_id = 'a'");
      const stale = await n(tx, 'a');
      forgetInTransaction(tx, 'a');
      return [...first, stale, await n(tx, 'a')];
    });
    expect(seen).toEqual([1, 2, 1, 1, 10]);
    expect(loads).toBe(3);
    expect(await withTransaction(pool, (tx) => n(tx, 'a'))).toBe(10);
    expect(loads).toBe(4);
  });
});

describe('in-process bus', () => {
  it('hands a consumer what was published together as one batch, in order', async () => {
    const bus = createMemoryBus();
    const batches: number[][] = [];
    await bus.subscribe({
      consumer: 'analytics',
      types: ['parking.vehicle.entered'],
      handler: async () => {
        throw new Error('not called when the batch succeeds');
      },
      handleBatch: async (events) => void batches.push(events.map((e) => (e.data as { n: number }).n)),
    });
    await bus.publish([entered(1), entered(2), entered(3)]);
    await bus.publish([entered(4)]);
    expect(batches).toEqual([[1, 2, 3]]);
    await bus.close();
  });

  it('falls back to one event at a time when the batch fails, so only the bad event is retried', async () => {
    const dead: number[] = [];
    const bus = createMemoryBus({
      maxAttempts: 2,
      retryDelayMs: 5,
      onDeadLetter: async (_consumer, event) => void dead.push((event.data as { n: number }).n),
    });
    const applied: number[] = [];
    await bus.subscribe({
      consumer: 'billing',
      types: ['parking.vehicle.entered'],
      handler: async (event) => {
        const n = (event.data as { n: number }).n;
        if (n === 2) throw new Error('poison');
        applied.push(n);
      },
      handleBatch: async () => {
        throw new Error('poison somewhere in the batch');
      },
    });
    await bus.publish([entered(1), entered(2), entered(3)]);
    expect(applied).toEqual([1, 3]);
    expect(dead).toEqual([2]);
    await bus.close();
  });

  it('retries a failing handler with backoff, then dead-letters it', async () => {
    const dead: string[] = [];
    const bus = createMemoryBus({
      maxAttempts: 3,
      retryDelayMs: 5,
      onDeadLetter: async (consumer) => void dead.push(consumer),
    });
    let calls = 0;
    await bus.subscribe({
      consumer: 'analytics',
      types: ['parking.vehicle.entered'],
      handler: async () => void calls++,
    });
    await bus.subscribe({
      consumer: 'billing',
      types: ['parking.vehicle.entered'],
      handler: async () => {
        throw new Error('always');
      },
    });
    const publishing = bus.publish([entered(1)]);
    expect(await bus.pending()).toBe(1);
    await publishing;
    expect(await bus.pending()).toBe(0);
    expect(calls).toBe(1);
    expect(dead).toEqual(['billing']);
    await bus.close();
  });
});
