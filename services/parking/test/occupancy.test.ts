import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ParkingWorld, startParkingWorld } from './helpers.ts';

let w: ParkingWorld;
beforeAll(async () => {
  w = await startParkingWorld();
});
afterAll(() => w?.stop());

describe('GET /occupancy/{facility_id}', () => {
  it('counts spaces by status and size; maintenance is left out of the rate', async () => {
    const facility = await w.newFacility();
    await w.row(facility, 'COMPACT', 2, 0, 'C');
    const standard = await w.row(facility, 'STANDARD', 5, 0, 'S');
    await w.row(facility, 'LARGE', 1, 0, 'L');
    await w.api('PUT', `/spaces/${standard[3].space_id}/status`, w.a.operatorToken, {
      status: 'MAINTENANCE',
    });
    await w.api('PUT', `/spaces/${standard[4].space_id}/status`, w.a.operatorToken, { status: 'RESERVED' });
    for (const plate of ['OC 1', 'OC 2'])
      await w.api('POST', '/sessions/entry', w.a.operatorToken, {
        facility_id: facility,
        registration_number: plate,
      });
    await w.api('POST', '/sessions/entry', w.a.operatorToken, {
      facility_id: facility,
      registration_number: 'OC M',
      vehicle_type: 'MOTORCYCLE',
    });

    const res = await w.api('GET', `/occupancy/${facility}`, w.a.operatorToken);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      facility_id: facility,
      total_spaces: 8,
      occupied_spaces: 3,
      available_spaces: 3,
      reserved_spaces: 1,
      maintenance_spaces: 1,
      occupancy_rate: 42.86, // 3 of the 7 usable spaces
      availability_by_size: { COMPACT: 1, STANDARD: 1, LARGE: 1 },
      spaces_by_size: {
        COMPACT: { total: 2, available: 1, occupied: 1, reserved: 0, maintenance: 0 },
        STANDARD: { total: 5, available: 1, occupied: 2, reserved: 1, maintenance: 1 },
        LARGE: { total: 1, available: 1, occupied: 0, reserved: 0, maintenance: 0 },
      },
    });
    expect(Math.abs(Date.parse(res.body.timestamp) - Date.now())).toBeLessThan(10_000);
  });

  it('is zero for a facility without spaces', async () => {
    const facility = await w.newFacility();
    const res = await w.api('GET', `/occupancy/${facility}`, w.a.adminToken);
    expect(res.body).toMatchObject({
      total_spaces: 0,
      occupancy_rate: 0,
      availability_by_size: { COMPACT: 0, STANDARD: 0, LARGE: 0 },
    });
  });

  it('is public to drivers for active facilities only, and private to other tenants', async () => {
    const facility = await w.newFacility();
    expect((await w.api('GET', `/occupancy/${facility}`, w.driver.token)).status).toBe(200);
    const foreign = await w.api('GET', `/occupancy/${facility}`, w.b.operatorToken);
    expect(foreign.body).toMatchObject({ status: 404, code: 'FACILITY_NOT_FOUND' });
    await w.t.request('PATCH', `/api/v1/facilities/${facility}`, {
      token: w.a.adminToken,
      body: { status: 'INACTIVE' },
    });
    // The change is announced (facility.updated): Parking forgets the config it had read.
    await w.t.drainEvents();
    expect((await w.api('GET', `/occupancy/${facility}`, w.driver.token)).body.code).toBe(
      'FACILITY_NOT_FOUND',
    );
    expect((await w.api('GET', `/occupancy/${facility}`, w.a.operatorToken)).status).toBe(200);
    expect((await w.api('GET', `/occupancy/fac_${'0'.repeat(32)}`, w.a.operatorToken)).body.code).toBe(
      'FACILITY_NOT_FOUND',
    );
    expect((await w.t.request('GET', `/api/v1/parking/occupancy/${facility}`)).status).toBe(401);
  });
});

describe('parking.occupancy.threshold', () => {
  const crossings = async (facility: string) =>
    (await w.events('parking.occupancy.threshold'))
      .filter((e) => e.data.facility_id === facility)
      .map((e) => `${e.data.direction} ${e.data.occupancy_rate}`);

  it('fires UP on reaching the threshold and DOWN on falling below it, once each', async () => {
    const facility = await w.newFacility({ occupancy_alert_threshold: 50 });
    await w.row(facility, 'STANDARD', 4);
    const enter = (plate: string) =>
      w.api('POST', '/sessions/entry', w.a.operatorToken, {
        facility_id: facility,
        registration_number: plate,
      });
    const s1 = (await enter('TH 1')).body.session_id;
    expect(await crossings(facility)).toEqual([]);
    const s2 = (await enter('TH 2')).body.session_id;
    expect(await crossings(facility)).toEqual(['UP 50']);
    const s3 = (await enter('TH 3')).body.session_id;
    await w.api('POST', `/sessions/${s3}/exit`, w.a.operatorToken, {});
    expect(await crossings(facility)).toEqual(['UP 50']);
    await w.api('POST', `/sessions/${s2}/exit`, w.a.operatorToken, {});
    expect(await crossings(facility)).toEqual(['UP 50', 'DOWN 25']);
    await w.api('POST', `/sessions/${s1}/exit`, w.a.operatorToken, {});

    const [event] = (await w.events('parking.occupancy.threshold')).filter(
      (e) => e.data.facility_id === facility,
    );
    expect(event).toMatchObject({ tenantid: w.a.tenant_id, facilityid: facility });
    expect(event!.data).toMatchObject({
      threshold: 50,
      direction: 'UP',
      occupied_spaces: 2,
      available_spaces: 2,
    });
    await w.t.drainEvents();
  });

  it('follows status changes too: spaces in maintenance raise the rate', async () => {
    const facility = await w.newFacility({ occupancy_alert_threshold: 50 });
    const spaces = await w.row(facility, 'STANDARD', 4);
    const entry = await w.api('POST', '/sessions/entry', w.a.operatorToken, {
      facility_id: facility,
      registration_number: 'TH M',
    });
    const free = spaces.filter((s) => s.space_id !== entry.body.space_id);
    await w.api('PUT', `/spaces/${free[0].space_id}/status`, w.a.operatorToken, { status: 'MAINTENANCE' });
    expect(await crossings(facility)).toEqual([]);
    await w.api('PUT', `/spaces/${free[1].space_id}/status`, w.a.operatorToken, { status: 'MAINTENANCE' });
    expect(await crossings(facility)).toEqual(['UP 50']);
    await w.row(facility, 'STANDARD', 1, 5, 'N');
    expect(await crossings(facility)).toEqual(['UP 50', 'DOWN 33.33']);
  });
});
