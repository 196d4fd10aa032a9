import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hoursAgo, type ParkingWorld, startParkingWorld } from './helpers.ts';

let w: ParkingWorld;
beforeAll(async () => {
  w = await startParkingWorld();
});
afterAll(() => w?.stop());

const enter: ParkingWorld['enter'] = (...args) => w.enter(...args);

describe('POST /sessions/entry', () => {
  it('opens a session in the named space and publishes it', async () => {
    const facility = await w.newFacility();
    const [space] = await w.row(facility, 'STANDARD', 2);
    const vehicle = (
      await w.api('POST', '/vehicles', w.a.operatorToken, {
        registration_number: 'EN 1',
        vehicle_type: 'CAR',
        is_electric: false,
      })
    ).body;
    const res = await enter(w.a.operatorToken, {
      facility_id: facility,
      vehicle_id: vehicle.vehicle_id,
      space_id: space.space_id,
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      status: 'OPEN',
      facility_id: facility,
      space_id: space.space_id,
      vehicle_id: vehicle.vehicle_id,
      registration_number: 'EN1',
      location: space.location,
      space_size: 'STANDARD',
      currency: 'GBP',
      exit_time: null,
    });
    expect(res.body.session_id).toMatch(/^pks_[0-9a-f]{32}$/);
    expect(Math.abs(Date.parse(res.body.entry_time) - Date.now())).toBeLessThan(10_000);
    const spaceNow = await w.api('GET', `/spaces/${facility}/${space.space_id}`, w.a.operatorToken);
    expect(spaceNow.body.status).toBe('OCCUPIED');

    const entered = (await w.events('parking.vehicle.entered')).find(
      (e) => e.data.session_id === res.body.session_id,
    );
    expect(entered).toMatchObject({
      subject: res.body.session_id,
      tenantid: w.a.tenant_id,
      facilityid: facility,
    });
    expect(entered!.data).toMatchObject({
      vehicle_id: vehicle.vehicle_id,
      space_id: space.space_id,
      facility_id: facility,
      registration_number: 'EN1',
      vehicle_type: 'CAR',
      space_size: 'STANDARD',
      customer_id: null,
      timestamp: res.body.entry_time,
    });
    const occupied = (await w.events('parking.space.occupied')).filter(
      (e) => e.data.space_id === space.space_id,
    );
    expect(occupied).toHaveLength(1);
    expect(occupied[0]!.data).toMatchObject({ facility_id: facility, size: 'STANDARD' });
  });

  it('creates a vehicle record for an unknown plate and assigns the best fitting space', async () => {
    const facility = await w.newFacility();
    await w.row(facility, 'LARGE', 2, 0, 'A');
    await w.row(facility, 'STANDARD', 2, 2, 'A');
    await w.row(facility, 'STANDARD', 2, -1, 'B');
    await w.row(facility, 'COMPACT', 1, 0, 'C');
    const truck = await enter(w.a.operatorToken, {
      facility_id: facility,
      registration_number: 'new truck 1',
      vehicle_type: 'TRUCK',
    });
    expect(truck.status).toBe(201);
    expect(truck.body).toMatchObject({
      vehicle_type: 'TRUCK',
      space_size: 'LARGE',
      location: { floor: 0, aisle: 'A', number: 1 },
    });
    // The answer is the session as stored, field for field.
    expect((await w.api('GET', `/sessions/${truck.body.session_id}`, w.a.operatorToken)).body).toEqual(
      truck.body,
    );
    const vehicle = await w.api('GET', `/vehicles/${truck.body.vehicle_id}`, w.a.operatorToken);
    expect(vehicle.body).toMatchObject({
      registration_number: 'NEWTRUCK1',
      tenant_id: w.a.tenant_id,
      owner_id: null,
    });

    const carOne = await enter(w.a.operatorToken, { facility_id: facility, registration_number: 'CAR A' });
    expect(carOne.body).toMatchObject({
      vehicle_type: 'CAR',
      space_size: 'STANDARD',
      location: { floor: -1, aisle: 'B', number: 1 },
    });
    const carTwo = await enter(w.a.operatorToken, { facility_id: facility, registration_number: 'CAR B' });
    expect(carTwo.body.location).toEqual({ floor: -1, aisle: 'B', number: 2 });
    const moto = await enter(w.a.operatorToken, {
      facility_id: facility,
      registration_number: 'MOTO 1',
      vehicle_type: 'MOTORCYCLE',
    });
    expect(moto.body.space_size).toBe('COMPACT');
    const moto2 = await enter(w.a.operatorToken, {
      facility_id: facility,
      registration_number: 'MOTO 2',
      vehicle_type: 'MOTORCYCLE',
    });
    expect(moto2.body).toMatchObject({ space_size: 'STANDARD', location: { floor: 2 } });
    await enter(w.a.operatorToken, { facility_id: facility, registration_number: 'CAR C' });
    const largeForCar = await enter(w.a.operatorToken, {
      facility_id: facility,
      registration_number: 'CAR D',
    });
    expect(largeForCar.body).toMatchObject({
      space_size: 'LARGE',
      location: { floor: 0, aisle: 'A', number: 2 },
    });
    const full = await enter(w.a.operatorToken, { facility_id: facility, registration_number: 'CAR E' });
    expect(full.status).toBe(409);
    expect(full.body.code).toBe('NO_SPACE_AVAILABLE');
    const bus = await enter(w.a.operatorToken, {
      facility_id: facility,
      registration_number: 'BUS 1',
      vehicle_type: 'BUS',
    });
    expect(bus.body.code).toBe('NO_SPACE_AVAILABLE');
  });

  it('explains why a named space cannot be taken', async () => {
    const facility = await w.newFacility();
    const [compact] = await w.row(facility, 'COMPACT', 1, 0, 'C');
    const [standard, maintenance] = await w.row(facility, 'STANDARD', 2, 0, 'S');
    await w.api('PUT', `/spaces/${maintenance.space_id}/status`, w.a.operatorToken, {
      status: 'MAINTENANCE',
    });
    const [elsewhere] = await w.row(w.facilityId, 'STANDARD', 1, 7, 'E');
    const go = (plate: string, space_id: string) =>
      enter(w.a.operatorToken, { facility_id: facility, registration_number: plate, space_id });

    expect((await go('SMALL1', compact.space_id)).body.code).toBe('SPACE_TOO_SMALL');
    expect((await go('MAINT1', maintenance.space_id)).body).toMatchObject({
      status: 409,
      code: 'SPACE_NOT_AVAILABLE',
      space_status: 'MAINTENANCE',
    });
    expect((await go('OTHER1', elsewhere.space_id)).body).toMatchObject({
      status: 404,
      code: 'SPACE_NOT_FOUND',
    });
    expect((await go('FIRST1', standard.space_id)).status).toBe(201);
    expect((await go('SECOND1', standard.space_id)).body).toMatchObject({
      status: 409,
      code: 'SPACE_OCCUPIED',
    });
  });

  it('refuses a vehicle that is already parked, here or elsewhere', async () => {
    const f1 = await w.newFacility();
    const f2 = await w.newFacility();
    await w.row(f1, 'STANDARD', 2);
    await w.row(f2, 'STANDARD', 2);
    expect((await enter(w.a.operatorToken, { facility_id: f1, registration_number: 'TWICE 1' })).status).toBe(
      201,
    );
    const again = await enter(w.a.operatorToken, { facility_id: f1, registration_number: 'twice-1' });
    expect(again.body).toMatchObject({ status: 409, code: 'VEHICLE_ALREADY_PARKED' });
    expect(
      (await enter(w.a.operatorToken, { facility_id: f2, registration_number: 'TWICE1' })).body.code,
    ).toBe('VEHICLE_ALREADY_PARKED');
  });

  it('accepts buffered entry times up to 7 days old, never future ones', async () => {
    const facility = await w.newFacility();
    await w.row(facility, 'STANDARD', 3);
    const buffered = await enter(w.a.operatorToken, {
      facility_id: facility,
      registration_number: 'BUF 1',
      entry_time: hoursAgo(30),
    });
    expect(buffered.status).toBe(201);
    expect(Date.parse(buffered.body.entry_time)).toBeCloseTo(Date.now() - 30 * 3600_000, -4);
    const future = await enter(w.a.operatorToken, {
      facility_id: facility,
      registration_number: 'BUF 2',
      entry_time: new Date(Date.now() + 5 * 60_000).toISOString(),
    });
    expect(future.body).toMatchObject({ status: 400, code: 'INVALID_TIME' });
    const old = await enter(w.a.operatorToken, {
      facility_id: facility,
      registration_number: 'BUF 3',
      entry_time: hoursAgo(7 * 24 + 1),
    });
    expect(old.body.code).toBe('INVALID_TIME');
    const garbage = await enter(w.a.operatorToken, {
      facility_id: facility,
      registration_number: 'BUF 4',
      entry_time: 'yesterday',
    });
    expect(garbage.body.code).toBe('VALIDATION_FAILED');
  });

  it('refuses a backdated entry that overlaps what the space already recorded', async () => {
    const facility = await w.newFacility();
    const [space] = await w.row(facility, 'STANDARD', 1);
    const first = await enter(w.a.operatorToken, {
      facility_id: facility,
      registration_number: 'LAP 1',
      entry_time: hoursAgo(5),
    });
    await w.api('POST', `/sessions/${first.body.session_id}/exit`, w.a.operatorToken, {
      exit_time: hoursAgo(2),
    });
    const overlapping = await enter(w.a.operatorToken, {
      facility_id: facility,
      registration_number: 'LAP 2',
      space_id: space.space_id,
      entry_time: hoursAgo(3),
    });
    expect(overlapping.body).toMatchObject({ status: 409, code: 'SPACE_OCCUPIED' });
    expect((await w.api('GET', `/spaces/${facility}/${space.space_id}`, w.a.operatorToken)).body.status).toBe(
      'AVAILABLE',
    );
    const after = await enter(w.a.operatorToken, {
      facility_id: facility,
      registration_number: 'LAP 2',
      space_id: space.space_id,
      entry_time: hoursAgo(1),
    });
    expect(after.status).toBe(201);
  });

  it('gives a backdated entry a space nobody used since, not the first free one now', async () => {
    const facility = await w.newFacility();
    const [first, second] = await w.row(facility, 'STANDARD', 2);
    const earlier = await enter(w.a.operatorToken, {
      facility_id: facility,
      registration_number: 'GAP 1',
      entry_time: hoursAgo(5),
    });
    expect(earlier.body.space_id).toBe(first.space_id);
    await w.api('POST', `/sessions/${earlier.body.session_id}/exit`, w.a.operatorToken, {
      exit_time: hoursAgo(2),
    });
    // Both spaces are free now, but the first was taken until two hours ago.
    const buffered = await enter(w.a.operatorToken, {
      facility_id: facility,
      registration_number: 'GAP 2',
      entry_time: hoursAgo(3),
    });
    expect(buffered.status).toBe(201);
    expect(buffered.body.space_id).toBe(second.space_id);
    // No space was free all that time: refused, and nothing is left taken.
    await w.api('POST', `/sessions/${buffered.body.session_id}/exit`, w.a.operatorToken, {});
    const none = await enter(w.a.operatorToken, {
      facility_id: facility,
      registration_number: 'GAP 3',
      entry_time: hoursAgo(4),
    });
    expect(none.body).toMatchObject({ status: 409, code: 'NO_SPACE_AVAILABLE' });
    const occupancy = await w.api('GET', `/occupancy/${facility}`, w.a.operatorToken);
    expect(occupancy.body.available_spaces).toBe(2);
  });

  it('checks the request and who makes it', async () => {
    const facility = await w.newFacility();
    await w.row(facility, 'STANDARD', 1);
    const both = await enter(w.a.operatorToken, {
      facility_id: facility,
      registration_number: 'A1',
      vehicle_id: `veh_${'1'.repeat(32)}`,
    });
    expect(both.body.code).toBe('VALIDATION_FAILED');
    expect((await enter(w.a.operatorToken, { facility_id: facility })).body.code).toBe('VALIDATION_FAILED');
    expect(
      (await enter(w.a.operatorToken, { facility_id: facility, registration_number: '---' })).body.code,
    ).toBe('INVALID_REGISTRATION');
    const unknownVehicle = await enter(w.a.operatorToken, {
      facility_id: facility,
      vehicle_id: `veh_${'1'.repeat(32)}`,
    });
    expect(unknownVehicle.body).toMatchObject({ status: 404, code: 'VEHICLE_NOT_FOUND' });
    const bVehicle = (
      await w.api('POST', '/vehicles', w.b.operatorToken, {
        registration_number: 'BVEH1',
        vehicle_type: 'CAR',
        is_electric: false,
      })
    ).body;
    expect(
      (await enter(w.a.operatorToken, { facility_id: facility, vehicle_id: bVehicle.vehicle_id })).body.code,
    ).toBe('VEHICLE_NOT_FOUND');
    const foreign = await enter(w.b.operatorToken, { facility_id: facility, registration_number: 'B1' });
    expect(foreign.body).toMatchObject({ status: 404, code: 'FACILITY_NOT_FOUND' });
    expect((await enter(w.driver.token, { facility_id: facility, registration_number: 'D1' })).status).toBe(
      403,
    );
    const unknownFacility = await enter(w.a.operatorToken, {
      facility_id: `fac_${'2'.repeat(32)}`,
      registration_number: 'U1',
    });
    expect(unknownFacility.body.code).toBe('FACILITY_NOT_FOUND');
  });

  it('takes no entries while the facility is not active', async () => {
    const facility = await w.newFacility();
    await w.row(facility, 'STANDARD', 1);
    const patch = await w.t.request('PATCH', `/api/v1/facilities/${facility}`, {
      token: w.a.adminToken,
      body: { status: 'MAINTENANCE' },
    });
    expect(patch.status).toBe(200);
    // The change is announced (facility.updated): Parking forgets the config it had read.
    await w.t.drainEvents();
    const refused = await enter(w.a.operatorToken, { facility_id: facility, registration_number: 'CLOSED1' });
    expect(refused.body).toMatchObject({ status: 409, code: 'FACILITY_NOT_ACTIVE' });
  });
});
