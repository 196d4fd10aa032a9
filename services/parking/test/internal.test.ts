import { AppError } from '@easypark/kernel';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ParkingWorld, startParkingWorld } from './helpers.ts';

let w: ParkingWorld;
let facility: string;
let session: any;
let space: any;
let vehicle: any;
beforeAll(async () => {
  w = await startParkingWorld();
  facility = await w.newFacility();
  [space] = await w.row(facility, 'STANDARD', 2);
  vehicle = (
    await w.api('POST', '/vehicles', w.driver.token, {
      registration_number: 'EV 1',
      vehicle_type: 'CAR',
      is_electric: true,
      battery_capacity_kwh: 64,
    })
  ).body;
  session = (
    await w.api('POST', '/sessions/entry', w.a.operatorToken, {
      facility_id: facility,
      vehicle_id: vehicle.vehicle_id,
      space_id: space.space_id,
    })
  ).body;
});
afterAll(() => w?.stop());

const problemCode = async (promise: Promise<unknown>) => {
  try {
    await promise;
  } catch (error) {
    return error instanceof AppError ? `${error.status} ${error.code}` : String(error);
  }
  return 'no error';
};

describe('GET /parking/internal/sessions/{id}', () => {
  it('gives billing the whole session', async () => {
    const answer = await w.internal.session(session.session_id);
    expect(answer).toMatchObject({
      session_id: session.session_id,
      status: 'OPEN',
      tenant_id: w.a.tenant_id,
      facility_id: facility,
      space_id: space.space_id,
      vehicle_id: vehicle.vehicle_id,
      vehicle_type: 'CAR',
      is_electric: true,
      battery_capacity_kwh: 64,
      customer_id: w.driver.customer_id,
      entry_time: session.entry_time,
      exit_time: null,
      currency: 'GBP',
    });
    expect(await problemCode(w.internal.session(`pks_${'0'.repeat(32)}`))).toBe('404 SESSION_NOT_FOUND');
  });
});

describe('GET /parking/internal/spaces/{id}/status', () => {
  it('tells reservations whether a space is free', async () => {
    expect(await w.internal.spaceStatus(space.space_id)).toMatchObject({
      space_id: space.space_id,
      facility_id: facility,
      tenant_id: w.a.tenant_id,
      size: 'STANDARD',
      status: 'OCCUPIED',
    });
    expect(await problemCode(w.internal.spaceStatus(`spc_${'0'.repeat(32)}`))).toBe('404 SPACE_NOT_FOUND');
  });
});

describe('POST /parking/internal/sessions/{id}/validate', () => {
  it('says whether charging may start', async () => {
    expect(await w.internal.validateSession(session.session_id, vehicle.vehicle_id)).toMatchObject({
      valid: true,
      reason: null,
      session_id: session.session_id,
      vehicle_id: vehicle.vehicle_id,
      facility_id: facility,
      is_electric: true,
    });
    expect((await w.internal.validateSession(session.session_id)).valid).toBe(true);
    expect(await w.internal.validateSession(session.session_id, `veh_${'0'.repeat(32)}`)).toMatchObject({
      valid: false,
      reason: 'VEHICLE_MISMATCH',
    });
    expect(await problemCode(w.internal.validateSession(`pks_${'0'.repeat(32)}`))).toBe(
      '404 SESSION_NOT_FOUND',
    );

    const other = await w.api('POST', '/sessions/entry', w.a.operatorToken, {
      facility_id: facility,
      registration_number: 'GONE 2',
    });
    await w.api('POST', `/sessions/${other.body.session_id}/exit`, w.a.operatorToken, { charge_amount: 4.2 });
    const closed = await w.internal.validateSession(other.body.session_id);
    expect(closed).toMatchObject({
      valid: false,
      reason: 'SESSION_CLOSED',
      status: 'CLOSED',
      charge_amount: 4.2,
    });
  });
});

describe('internal routes', () => {
  it('are for services only, and not reachable through the gateway', async () => {
    const app = w.t.platform.services.get('parking')!.app;
    const asUser = await app.inject({
      method: 'GET',
      url: `/parking/internal/sessions/${session.session_id}`,
      headers: { authorization: `Bearer ${w.t.adminToken}` },
    });
    expect(asUser.statusCode).toBe(403);
    expect(asUser.json().code).toBe('FORBIDDEN');
    const anonymous = await app.inject({
      method: 'GET',
      url: `/parking/internal/spaces/${space.space_id}/status`,
    });
    expect(anonymous.statusCode).toBe(401);
    const viaGateway = await w.t.request('GET', `/api/v1/parking/internal/sessions/${session.session_id}`, {
      token: w.t.adminToken,
    });
    expect(viaGateway.status).toBe(404);
  });

  it('are described in the OpenAPI document with the public ones', async () => {
    const app = w.t.platform.services.get('parking')!.app;
    const doc = (await app.inject({ method: 'GET', url: '/openapi.json' })).json();
    for (const path of [
      '/parking/v1/spaces',
      '/parking/v1/spaces/bulk',
      '/parking/v1/spaces/{facility_id}',
      '/parking/v1/spaces/{facility_id}/{space_id}',
      '/parking/v1/spaces/{space_id}/status',
      '/parking/v1/vehicles',
      '/parking/v1/vehicles/{vehicle_id}',
      '/parking/v1/sessions/entry',
      '/parking/v1/sessions/exit',
      '/parking/v1/sessions/{session_id}/exit',
      '/parking/v1/sessions',
      '/parking/v1/sessions/{session_id}',
      '/parking/v1/occupancy/{facility_id}',
      '/parking/internal/sessions/{session_id}',
      '/parking/internal/spaces/{space_id}/status',
      '/parking/internal/sessions/{session_id}/validate',
      '/parking/internal/facilities/{facility_id}/open-sessions',
    ]) {
      expect(doc.paths[path], path).toBeDefined();
    }
    expect(doc.paths['/parking/v1/sessions/entry'].post.responses['409'].description).toContain(
      'SPACE_OCCUPIED',
    );
  });
});

describe('events reach the bus', () => {
  it('relays the outbox so consumers get the parking events', async () => {
    await w.t.drainEvents();
    const { rows } = await w.t.platform.pools
      .get('parking')!
      .query(`SELECT count(*)::int AS n FROM outbox WHERE published_at IS NULL`);
    expect(rows[0].n).toBe(0);
    const types = new Set((await w.events()).map((e) => e.type));
    for (const type of [
      'parking.vehicle.entered',
      'parking.space.occupied',
      'parking.vehicle.exited',
      'parking.space.released',
    ]) {
      expect(types.has(type), type).toBe(true);
    }
  });
});
