import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ReservationWorld, startReservationWorld } from './world.ts';

// Double booking is ruled out by the database (an exclusion constraint), so these run against
// whichever PostgreSQL the suite uses: the embedded one, or Debian's with DATABASE_URL.

let w: ReservationWorld;
beforeAll(async () => {
  w = await startReservationWorld();
});
afterAll(() => w?.t.stop());

/** Pairs of active reservations of one space whose windows overlap: there must never be any. */
async function overlappingPairs(): Promise<number> {
  const { rows } = await w.t.platform.pools.get('reservation')!.query(
    `SELECT count(*)::int AS pairs FROM reservations a JOIN reservations b
       ON a.space_id = b.space_id AND a.reservation_id < b.reservation_id
      AND tstzrange(a.start_time, a.end_time) && tstzrange(b.start_time, b.end_time)
     WHERE a.status IN ('PENDING', 'CONFIRMED', 'FULFILLED') AND b.status IN ('PENDING', 'CONFIRMED', 'FULFILLED')`,
  );
  return rows[0].pairs;
}

describe('under concurrency', () => {
  it('gives the last free space to exactly one of 50 simultaneous creates', async () => {
    const { facility_id } = await w.facility({ name: 'Last space' }, 3);
    const window = { start_time: w.inMinutes(120), end_time: w.inMinutes(240) };
    const body = { facility_id, desired_space_size: 'STANDARD', ...window };
    for (let i = 0; i < 2; i++) expect((await w.reserve(w.driver.token, body)).status).toBe(201);
    const drivers = await Promise.all(Array.from({ length: 5 }, () => w.t.createDriver()));
    const answers = await Promise.all(
      Array.from({ length: 50 }, (_, i) => w.reserve(drivers[i % drivers.length]!.token, body)),
    );
    const won = answers.filter((a) => a.status === 201);
    expect(won).toHaveLength(1);
    expect(won[0]!.body.status).toBe('PENDING');
    const lost = answers.filter((a) => a.status !== 201);
    expect(new Set(lost.map((a) => `${a.status} ${a.body.code}`))).toEqual(
      new Set(['409 NO_SPACE_AVAILABLE']),
    );
    expect(await overlappingPairs()).toBe(0);
  });

  it('is refused by the database itself when a write skips the service’s checks', async () => {
    const { facility_id } = await w.facility({ name: 'Constraint' }, 1);
    const booked = await w.reserve(w.driver.token, {
      facility_id,
      desired_space_size: 'STANDARD',
      start_time: w.inMinutes(120),
      end_time: w.inMinutes(240),
    });
    const pool = w.t.platform.pools.get('reservation')!;
    const copy = (id: string, code: string, status: string, shiftMinutes: number) =>
      pool.query(
        `INSERT INTO reservations
           SELECT (json_populate_record(r, json_build_object(
             'reservation_id', $2::text, 'confirmation_code', $3::text, 'status', $4::text,
             'start_time', r.start_time + make_interval(mins => $5), 'end_time', r.end_time + make_interval(mins => $5),
             'arrival_from', r.arrival_from + make_interval(mins => $5),
             'arrival_until', r.arrival_until + make_interval(mins => $5),
             'cancelled_at', CASE WHEN $4 = 'CANCELLED' THEN now() END,
             'confirmed_at', CASE WHEN $4 = 'CONFIRMED' THEN now() END)::json)).*
           FROM reservations r WHERE reservation_id = $1`,
        [booked.body.reservation_id, id, code, status, shiftMinutes],
      );
    const overlapping = await copy('res_overlap', 'AAAAAAAA', 'CONFIRMED', 60).catch((e) => e);
    expect([overlapping.code, overlapping.constraint]).toEqual(['23P01', 'reservations_space_no_overlap']);
    // A cancelled one may overlap, and an active one may follow back to back.
    await copy('res_cancelled', 'BBBBBBBB', 'CANCELLED', 60);
    await copy('res_next', 'CCCCCCCC', 'PENDING', 120);
    expect(await overlappingPairs()).toBe(0);
  });

  it('never lets two active reservations of a space overlap, whatever drivers do', async () => {
    type Command =
      | { kind: 'create'; start: number; length: number }
      | { kind: 'confirm' | 'cancel'; pick: number }
      | { kind: 'expire' };
    const command: fc.Arbitrary<Command> = fc.oneof(
      {
        weight: 4,
        arbitrary: fc.record({
          kind: fc.constant('create' as const),
          start: fc.integer({ min: 0, max: 8 }),
          length: fc.integer({ min: 1, max: 4 }),
        }),
      },
      { weight: 2, arbitrary: fc.record({ kind: fc.constant('confirm' as const), pick: fc.nat() }) },
      { weight: 1, arbitrary: fc.record({ kind: fc.constant('cancel' as const), pick: fc.nat() }) },
      { weight: 1, arbitrary: fc.constant({ kind: 'expire' as const }) },
    );
    let round = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(command, { minLength: 1, maxLength: 14 }), async (commands) => {
        round += 1;
        const { facility_id } = await w.facility({ name: `Property ${round}` }, 2);
        // Windows on a half-hour grid from 24 hours ahead: the sweep below only expires holds.
        const base = w.clock.now().getTime() + 24 * 3_600_000;
        const slot = (n: number) => new Date(base + n * 30 * 60_000).toISOString();
        const model: { id: string; status: string; space: string; start: number; end: number }[] = [];
        for (const c of commands) {
          if (c.kind === 'create') {
            const window = { start: c.start, end: c.start + c.length };
            const answer = await w.reserve(w.driver.token, {
              facility_id,
              desired_space_size: 'STANDARD',
              start_time: slot(window.start),
              end_time: slot(window.end),
            });
            // The model: a create succeeds exactly when one of the two spaces has no active
            // reservation overlapping the window, and it gets such a space.
            const overlapping = model.filter(
              (r) =>
                ['PENDING', 'CONFIRMED'].includes(r.status) && r.start < window.end && window.start < r.end,
            );
            const busySpaces = new Set(overlapping.map((r) => r.space));
            if (answer.status === 201) {
              expect(busySpaces.has(answer.body.space_id)).toBe(false);
              model.push({
                id: answer.body.reservation_id,
                status: 'PENDING',
                space: answer.body.space_id,
                ...window,
              });
            } else {
              expect(answer.body.code).toBe('NO_SPACE_AVAILABLE');
              expect(busySpaces.size).toBe(2);
            }
          } else if (c.kind === 'expire') {
            w.clock.advance(16 * 60_000);
            await w.sweep();
            for (const r of model) if (r.status === 'PENDING') r.status = 'EXPIRED';
          } else if (model.length > 0) {
            const target = model[c.pick % model.length]!;
            const answer =
              c.kind === 'confirm'
                ? await w.confirm(w.driver.token, target.id)
                : await w.cancel(w.driver.token, target.id);
            if (answer.status === 200) target.status = answer.body.status;
            else expect(answer.status).toBe(409);
          }
          expect(await overlappingPairs()).toBe(0);
        }
        for (const r of model) expect((await w.get(w.driver.token, r.id)).body.status).toBe(r.status);
      }),
      { numRuns: 20 },
    );
  });
});
