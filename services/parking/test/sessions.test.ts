import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hoursAgo, type ParkingWorld, startParkingWorld } from './helpers.ts';

let w: ParkingWorld;
beforeAll(async () => {
  w = await startParkingWorld();
});
afterAll(() => w?.stop());

const enter: ParkingWorld['enter'] = (...args) => w.enter(...args);

describe('idempotent entries', () => {
  it('answers a retry with the same Idempotency-Key with the first result', async () => {
    const facility = await w.newFacility();
    await w.row(facility, 'STANDARD', 3);
    const body = { facility_id: facility, registration_number: 'IDEM 1' };
    const first = await enter(w.a.operatorToken, body, { 'idempotency-key': 'gate-7-0001' });
    const retry = await enter(w.a.operatorToken, body, { 'idempotency-key': 'gate-7-0001' });
    expect(first.status).toBe(201);
    expect(retry.status).toBe(201);
    expect(retry.body).toEqual(first.body);
    expect(retry.headers['idempotent-replayed']).toBe('true');
    const reused = await enter(
      w.a.operatorToken,
      { ...body, registration_number: 'IDEM 2' },
      { 'idempotency-key': 'gate-7-0001' },
    );
    expect(reused.body).toMatchObject({ status: 409, code: 'IDEMPOTENCY_KEY_REUSED' });
    const racing = await Promise.all(
      Array.from({ length: 5 }, () =>
        enter(
          w.a.operatorToken,
          { ...body, registration_number: 'IDEM 3' },
          { 'idempotency-key': 'gate-7-0002' },
        ),
      ),
    );
    expect(racing.map((r) => r.status)).toEqual([201, 201, 201, 201, 201]);
    expect(new Set(racing.map((r) => r.body.session_id)).size).toBe(1);
    const open = await w.t.request('GET', '/api/v1/parking/sessions', {
      token: w.a.operatorToken,
      query: { facility_id: facility, status: 'OPEN' },
    });
    expect(open.body).toHaveLength(2);
  });
});

describe('reading sessions', () => {
  let facility: string;
  let driverSession: string;
  let fleetSession: string;
  beforeAll(async () => {
    facility = await w.newFacility();
    await w.row(facility, 'STANDARD', 5);
    await w.api('POST', '/vehicles', w.driver.token, {
      registration_number: 'MINE 1',
      vehicle_type: 'CAR',
      is_electric: true,
    });
    driverSession = (
      await enter(w.a.operatorToken, {
        facility_id: facility,
        registration_number: 'MINE-1',
        entry_time: hoursAgo(3),
      })
    ).body.session_id;
    fleetSession = (
      await enter(w.a.operatorToken, {
        facility_id: facility,
        registration_number: 'FLEET 9',
        entry_time: hoursAgo(2),
      })
    ).body.session_id;
    const closed = await enter(w.a.operatorToken, {
      facility_id: facility,
      registration_number: 'GONE 1',
      entry_time: hoursAgo(1),
    });
    await w.api('POST', `/sessions/${closed.body.session_id}/exit`, w.a.operatorToken, {});
  });

  it('bills a driver’s own vehicle to the driver, who may read that session only', async () => {
    const mine = await w.api('GET', `/sessions/${driverSession}`, w.driver.token);
    expect(mine.status).toBe(200);
    expect(mine.body.customer_id).toBe(w.driver.customer_id);
    expect((await w.api('GET', `/sessions/${fleetSession}`, w.driver.token)).body.code).toBe(
      'SESSION_NOT_FOUND',
    );
    const list = await w.api('GET', '/sessions', w.driver.token);
    expect(list.body.map((s: any) => s.session_id)).toEqual([driverSession]);
    const stranger = await w.t.createDriver();
    expect((await w.api('GET', '/sessions', stranger.token)).body).toEqual([]);
  });

  it('lists newest first with filters and pages', async () => {
    const query = (q: Record<string, string | number>) =>
      w.t.request('GET', '/api/v1/parking/sessions', {
        token: w.a.operatorToken,
        query: { facility_id: facility, ...q },
      });
    const all = await query({});
    expect(all.body).toHaveLength(3);
    expect(all.body[1].session_id).toBe(fleetSession);
    expect(all.body[2].session_id).toBe(driverSession);
    expect((await query({ status: 'OPEN' })).body.map((s: any) => s.session_id)).toEqual([
      fleetSession,
      driverSession,
    ]);
    expect((await query({ status: 'CLOSED' })).body).toHaveLength(1);
    expect((await query({ vehicle_id: all.body[1].vehicle_id })).body.map((s: any) => s.session_id)).toEqual([
      fleetSession,
    ]);
    const first = await query({ limit: 2 });
    expect(first.body).toHaveLength(2);
    const next = /<([^>]+)>; rel="next"/.exec(String(first.headers.link))![1]!;
    const second = await w.t.request('GET', next, { token: w.a.operatorToken });
    expect(second.body.map((s: any) => s.session_id)).toEqual([driverSession]);
    expect((await query({ status: 'PARKED' })).status).toBe(400);
    const forged = Buffer.from('["not a time", 1]').toString('base64url');
    expect((await query({ cursor: forged })).body).toMatchObject({ status: 400, code: 'VALIDATION_FAILED' });
  });

  it('keeps tenants apart', async () => {
    const foreign = await w.t.request('GET', '/api/v1/parking/sessions', {
      token: w.b.operatorToken,
      query: { facility_id: facility },
    });
    expect(foreign.body).toMatchObject({ status: 404, code: 'FACILITY_NOT_FOUND' });
    const theirs = await w.api('GET', '/sessions', w.b.operatorToken);
    expect(theirs.status).toBe(200);
    expect(theirs.body.some((s: any) => s.facility_id === facility)).toBe(false);
    expect((await w.api('GET', `/sessions/${fleetSession}`, w.b.adminToken)).body.code).toBe(
      'SESSION_NOT_FOUND',
    );
    expect((await w.api('GET', `/sessions/${fleetSession}`, w.t.adminToken)).status).toBe(200);
  });
});
