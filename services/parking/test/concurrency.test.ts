import { manualClock } from '@easypark/kernel';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ParkingWorld, startParkingWorld } from './helpers.ts';

let w: ParkingWorld;
beforeAll(async () => {
  w = await startParkingWorld();
});
afterAll(() => w?.stop());

const statuses = (results: Array<{ status: number; body: any }>) => {
  const tally: Record<string, number> = {};
  for (const r of results) {
    const key = r.status === 201 || r.status === 200 ? String(r.status) : `${r.status} ${r.body.code}`;
    tally[key] = (tally[key] ?? 0) + 1;
  }
  return tally;
};

const openSessions = async (column: 'space_id' | 'vehicle_id', id: string) => {
  const { rows } = await w.t.platform.pools
    .get('parking')!
    .query(`SELECT count(*)::int AS n FROM parking_sessions WHERE ${column} = $1 AND exit_time IS NULL`, [
      id,
    ]);
  return rows[0].n as number;
};

describe('the database keeps the invariants when requests race', () => {
  it('20 vehicles entering one space at once: one session', async () => {
    const facility = await w.newFacility();
    const [space] = await w.row(facility, 'STANDARD', 1);
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        w.api('POST', '/sessions/entry', w.a.operatorToken, {
          facility_id: facility,
          registration_number: `RACE S${i}`,
          space_id: space.space_id,
        }),
      ),
    );
    expect(statuses(results)).toEqual({ '201': 1, '409 SPACE_OCCUPIED': 19 });
    expect(await openSessions('space_id', space.space_id)).toBe(1);
    const occupied = (await w.events('parking.space.occupied')).filter(
      (e) => e.data.space_id === space.space_id,
    );
    expect(occupied).toHaveLength(1);
  });

  it('one vehicle entering 20 times at once: one session', async () => {
    const facility = await w.newFacility();
    await w.row(facility, 'STANDARD', 20);
    const vehicle = (
      await w.api('POST', '/vehicles', w.a.operatorToken, {
        registration_number: 'RACE V',
        vehicle_type: 'CAR',
        is_electric: false,
      })
    ).body;
    const results = await Promise.all(
      Array.from({ length: 20 }, () =>
        w.api('POST', '/sessions/entry', w.a.operatorToken, {
          facility_id: facility,
          vehicle_id: vehicle.vehicle_id,
        }),
      ),
    );
    expect(statuses(results)).toEqual({ '201': 1, '409 VEHICLE_ALREADY_PARKED': 19 });
    expect(await openSessions('vehicle_id', vehicle.vehicle_id)).toBe(1);
    const occupancy = await w.api('GET', `/occupancy/${facility}`, w.a.operatorToken);
    expect(occupancy.body.occupied_spaces).toBe(1);
  });

  it('one unknown plate at 10 gates at once: one vehicle record, one session', async () => {
    const facility = await w.newFacility();
    await w.row(facility, 'STANDARD', 10);
    const results = await Promise.all(
      Array.from({ length: 10 }, () =>
        w.api('POST', '/sessions/entry', w.a.operatorToken, {
          facility_id: facility,
          registration_number: 'DRIVE UP 1',
        }),
      ),
    );
    expect(statuses(results)).toEqual({ '201': 1, '409 VEHICLE_ALREADY_PARKED': 9 });
    const found = await w.t.request('GET', '/api/v1/parking/vehicles', {
      token: w.a.operatorToken,
      query: { registration_number: 'DRIVEUP1' },
    });
    expect(found.body).toHaveLength(1);
  });

  it('30 vehicles for 10 spaces: 10 sessions in 10 different spaces', async () => {
    const facility = await w.newFacility();
    await w.row(facility, 'STANDARD', 10);
    const results = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        w.api('POST', '/sessions/entry', w.a.operatorToken, {
          facility_id: facility,
          registration_number: `MANY ${i}`,
        }),
      ),
    );
    expect(statuses(results)).toEqual({ '201': 10, '409 NO_SPACE_AVAILABLE': 20 });
    const spaces = results.filter((r) => r.status === 201).map((r) => r.body.space_id);
    expect(new Set(spaces).size).toBe(10);
    const occupancy = await w.api('GET', `/occupancy/${facility}`, w.a.operatorToken);
    expect(occupancy.body).toMatchObject({ occupied_spaces: 10, available_spaces: 0, occupancy_rate: 100 });
  });

  it('10 exits of one session at once: closed once, one exit event', async () => {
    const facility = await w.newFacility();
    await w.row(facility, 'STANDARD', 1);
    const entry = await w.api('POST', '/sessions/entry', w.a.operatorToken, {
      facility_id: facility,
      registration_number: 'LEAVE 1',
    });
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        i % 2 === 0
          ? w.api('POST', `/sessions/${entry.body.session_id}/exit`, w.a.operatorToken, {})
          : w.api('POST', '/sessions/exit', w.a.operatorToken, {
              facility_id: facility,
              registration_number: 'LEAVE 1',
            }),
      ),
    );
    expect(results.filter((r) => r.status === 200)).toHaveLength(1);
    expect(
      results.every(
        (r) =>
          r.status === 200 || ['SESSION_ALREADY_CLOSED', 'VEHICLE_NOT_IN_FACILITY'].includes(r.body.code),
      ),
    ).toBe(true);
    const exited = (await w.events('parking.vehicle.exited')).filter(
      (e) => e.data.session_id === entry.body.session_id,
    );
    expect(exited).toHaveLength(1);
  });

  it('reports a threshold crossing exactly once however entries and exits interleave', async () => {
    const facility = await w.newFacility({ occupancy_alert_threshold: 50 });
    await w.row(facility, 'STANDARD', 10);
    const entries = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        w.api('POST', '/sessions/entry', w.a.operatorToken, {
          facility_id: facility,
          registration_number: `TH ${i}`,
        }),
      ),
    );
    expect(entries.every((r) => r.status === 201)).toBe(true);
    const crossings = async () =>
      (await w.events('parking.occupancy.threshold')).filter((e) => e.data.facility_id === facility);
    expect((await crossings()).map((e) => [e.data.direction, e.data.occupancy_rate])).toEqual([['UP', 50]]);
    await Promise.all(
      entries.map((r) => w.api('POST', `/sessions/${r.body.session_id}/exit`, w.a.operatorToken, {})),
    );
    expect((await crossings()).map((e) => [e.data.direction, e.data.occupancy_rate])).toEqual([
      ['UP', 50],
      ['DOWN', 40],
    ]);
  });
});

describe('an entry whose clock reading is older than the exit that freed its space', () => {
  // The request read the clock, then an exit committed with a later time (or another replica,
  // its clock a little ahead, closed the stay): the space was free only from that exit on.
  const clock = manualClock(new Date(Math.floor(Date.now() / 1000) * 1000));
  let v: ParkingWorld;
  beforeAll(async () => {
    v = await startParkingWorld({}, { clock });
  });
  afterAll(() => v?.stop());

  const at = (seconds: number) => new Date(clock.now().getTime() + seconds * 1000);

  it('starts the stay when the space was freed, on a free space and on one the gate names', async () => {
    const facility = await v.newFacility();
    const [space] = await v.row(facility, 'STANDARD', 1);
    const stay = async (plate: string, named: boolean) => {
      const entry = await v.api('POST', '/sessions/entry', v.a.operatorToken, {
        facility_id: facility,
        registration_number: plate,
        ...(named ? { space_id: space.space_id } : {}),
      });
      expect(entry.status, JSON.stringify(entry.body)).toBe(201);
      return entry.body;
    };
    const leave = async (sessionId: string) => {
      const exit = await v.api('POST', `/sessions/${sessionId}/exit`, v.a.operatorToken, {});
      expect(exit.status, JSON.stringify(exit.body)).toBe(200);
      return exit.body.exit_time as string;
    };

    for (const named of [false, true]) {
      const first = await stay(named ? 'LATE N1' : 'LATE F1', named);
      const freedAt = at(10);
      clock.set(freedAt);
      expect(await leave(first.session_id)).toBe(freedAt.toISOString());
      clock.set(at(-5)); // the next entry's clock reading: before the space was freed
      const next = await stay(named ? 'LATE N2' : 'LATE F2', named);
      expect(next.space_id).toBe(space.space_id);
      expect(next.entry_time).toBe(freedAt.toISOString());
      clock.set(at(60));
      await leave(next.session_id);
    }
  });
});
