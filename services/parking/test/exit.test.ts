import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hoursAgo, type ParkingWorld, startParkingWorld } from './helpers.ts';

let w: ParkingWorld;
beforeAll(async () => {
  w = await startParkingWorld();
});
afterAll(() => w?.stop());

const enter: ParkingWorld['enter'] = (...args) => w.enter(...args);

describe('POST /sessions/{session_id}/exit', () => {
  it('closes the session, frees the space and publishes the exit', async () => {
    const facility = await w.newFacility();
    const [space] = await w.row(facility, 'STANDARD', 1);
    const entry = await enter(w.a.operatorToken, {
      facility_id: facility,
      registration_number: 'EXIT 1',
      entry_time: hoursAgo(2.5),
    });
    const exitTime = new Date(Date.parse(entry.body.entry_time) + 90 * 60_000).toISOString();
    const res = await w.api('POST', `/sessions/${entry.body.session_id}/exit`, w.a.operatorToken, {
      exit_time: exitTime,
      charge_amount: 12.5,
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      session_id: entry.body.session_id,
      status: 'CLOSED',
      space_id: space.space_id,
      entry_time: entry.body.entry_time,
      exit_time: exitTime,
      duration_hours: 1.5,
      charge_amount: 12.5,
      currency: 'GBP',
    });
    // The answer is the session as stored, field for field.
    expect((await w.api('GET', `/sessions/${entry.body.session_id}`, w.a.operatorToken)).body).toEqual(
      res.body,
    );
    expect((await w.api('GET', `/spaces/${facility}/${space.space_id}`, w.a.operatorToken)).body.status).toBe(
      'AVAILABLE',
    );
    const exited = (await w.events('parking.vehicle.exited')).filter(
      (e) => e.data.session_id === entry.body.session_id,
    );
    expect(exited).toHaveLength(1);
    expect(exited[0]!.data).toMatchObject({
      vehicle_id: entry.body.vehicle_id,
      space_id: space.space_id,
      facility_id: facility,
      registration_number: 'EXIT1',
      entry_time: entry.body.entry_time,
      exit_time: exitTime,
      duration_hours: 1.5,
      charge_amount: 12.5,
      currency: 'GBP',
    });
    const released = (await w.events('parking.space.released')).filter(
      (e) => e.data.space_id === space.space_id,
    );
    expect(released).toHaveLength(1);
    const raw = await w.t.platform.pools
      .get('parking')!
      .query('SELECT charge_amount FROM parking_sessions WHERE session_id = $1', [entry.body.session_id]);
    expect(raw.rows[0].charge_amount).toBe(1250);

    const again = await w.api('POST', `/sessions/${entry.body.session_id}/exit`, w.a.operatorToken, {});
    expect(again.body).toMatchObject({ status: 409, code: 'SESSION_ALREADY_CLOSED' });
  });

  it('defaults the exit to now and keeps money in the facility currency', async () => {
    const facility = await w.newFacility({ currency: 'JPY', timezone: 'Asia/Tokyo' });
    await w.row(facility, 'STANDARD', 1);
    const entry = await enter(w.a.operatorToken, { facility_id: facility, registration_number: 'YEN 1' });
    const cents = await w.api('POST', `/sessions/${entry.body.session_id}/exit`, w.a.operatorToken, {
      charge_amount: 500.5,
    });
    expect(cents.body).toMatchObject({ status: 400, code: 'VALIDATION_FAILED' });
    const res = await w.api('POST', `/sessions/${entry.body.session_id}/exit`, w.a.operatorToken, {
      charge_amount: 500,
    });
    expect(res.body).toMatchObject({ charge_amount: 500, currency: 'JPY', duration_hours: 0 });
    expect(Math.abs(Date.parse(res.body.exit_time) - Date.now())).toBeLessThan(10_000);
  });

  it('needs no body at all: Billing prices the stay (nothing here, the facility sets no price)', async () => {
    const facility = await w.newFacility();
    await w.row(facility, 'STANDARD', 1);
    const entry = await enter(w.a.operatorToken, { facility_id: facility, registration_number: 'BARE 1' });
    const res = await w.t.request('POST', `/api/v1/parking/sessions/${entry.body.session_id}/exit`, {
      token: w.a.operatorToken,
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'CLOSED', charge_amount: 0 });
  });

  it('refuses exit times before the entry or in the future', async () => {
    const facility = await w.newFacility();
    await w.row(facility, 'STANDARD', 1);
    const entry = await enter(w.a.operatorToken, {
      facility_id: facility,
      registration_number: 'TIME 1',
      entry_time: hoursAgo(1),
    });
    const before = await w.api('POST', `/sessions/${entry.body.session_id}/exit`, w.a.operatorToken, {
      exit_time: hoursAgo(2),
    });
    expect(before.body).toMatchObject({ status: 400, code: 'INVALID_TIME' });
    const future = await w.api('POST', `/sessions/${entry.body.session_id}/exit`, w.a.operatorToken, {
      exit_time: new Date(Date.now() + 3600_000).toISOString(),
    });
    expect(future.body.code).toBe('INVALID_TIME');
    const gbpCents = await w.api('POST', `/sessions/${entry.body.session_id}/exit`, w.a.operatorToken, {
      charge_amount: 1.005,
    });
    expect(gbpCents.body.code).toBe('VALIDATION_FAILED');
    expect((await w.api('GET', `/sessions/${entry.body.session_id}`, w.a.operatorToken)).body.status).toBe(
      'OPEN',
    );
  });

  it('hides sessions of other tenants and refuses drivers', async () => {
    const facility = await w.newFacility();
    await w.row(facility, 'STANDARD', 1);
    const entry = await enter(w.a.operatorToken, { facility_id: facility, registration_number: 'HIDE 1' });
    const foreign = await w.api('POST', `/sessions/${entry.body.session_id}/exit`, w.b.operatorToken, {});
    expect(foreign.body).toMatchObject({ status: 404, code: 'SESSION_NOT_FOUND' });
    expect((await w.api('POST', `/sessions/${entry.body.session_id}/exit`, w.driver.token, {})).status).toBe(
      403,
    );
    const unknown = await w.api('POST', `/sessions/pks_${'0'.repeat(32)}/exit`, w.a.operatorToken, {});
    expect(unknown.body.code).toBe('SESSION_NOT_FOUND');
    expect((await w.api('GET', `/sessions/${entry.body.session_id}`, w.a.operatorToken)).body.status).toBe(
      'OPEN',
    );
  });
});

describe('POST /sessions/exit (by plate)', () => {
  it('closes the open session of the plate in that facility only', async () => {
    const f1 = await w.newFacility();
    const f2 = await w.newFacility();
    await w.row(f1, 'STANDARD', 1);
    await w.row(f2, 'STANDARD', 1);
    const entry = await enter(w.a.operatorToken, { facility_id: f1, registration_number: 'GATE 1' });
    const wrongGate = await w.api('POST', '/sessions/exit', w.a.operatorToken, {
      facility_id: f2,
      registration_number: 'GATE 1',
    });
    expect(wrongGate.body).toMatchObject({ status: 409, code: 'VEHICLE_NOT_IN_FACILITY' });
    const stranger = await w.api('POST', '/sessions/exit', w.a.operatorToken, {
      facility_id: f1,
      registration_number: 'NEVER 1',
    });
    expect(stranger.body.code).toBe('VEHICLE_NOT_IN_FACILITY');
    const foreign = await w.api('POST', '/sessions/exit', w.b.operatorToken, {
      facility_id: f1,
      registration_number: 'GATE 1',
    });
    expect(foreign.body).toMatchObject({ status: 404, code: 'FACILITY_NOT_FOUND' });
    const res = await w.api('POST', '/sessions/exit', w.a.operatorToken, {
      facility_id: f1,
      registration_number: 'gate-1',
      charge_amount: 3,
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ session_id: entry.body.session_id, status: 'CLOSED', charge_amount: 3 });
    const twice = await w.api('POST', '/sessions/exit', w.a.operatorToken, {
      facility_id: f1,
      registration_number: 'GATE 1',
    });
    expect(twice.body.code).toBe('VEHICLE_NOT_IN_FACILITY');
  });
});
