import { AppError } from '@easypark/kernel';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ParkingWorld, startParkingWorld } from './helpers.ts';

/** An EV's charging inlet, and finding a plate's open session for a charging station. */

let w: ParkingWorld;
let facility: string;
let elsewhere: string;
beforeAll(async () => {
  w = await startParkingWorld();
  facility = await w.newFacility();
  elsewhere = await w.newFacility();
  await w.row(facility, 'STANDARD', 5);
  await w.row(elsewhere, 'STANDARD', 2);
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

const ev = (registration_number: string, extra: Record<string, unknown> = {}) => ({
  registration_number,
  vehicle_type: 'CAR',
  is_electric: true,
  ...extra,
});

const enter = async (token: string, body: Record<string, unknown>) => {
  const res = await w.enter(token, body);
  if (res.status !== 201) throw new Error(`entry: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
};

const storedPlates = async (plate: string) => {
  const { rows } = await w.t.platform.pools
    .get('parking')!
    .query<{ n: number }>('SELECT count(*)::int AS n FROM vehicles WHERE registration_number = $1', [plate]);
  return rows[0]!.n;
};

describe('a vehicle’s connector_type', () => {
  it('is registered with an electric vehicle and shown in every vehicle view', async () => {
    const res = await w.api(
      'POST',
      '/vehicles',
      w.driver.token,
      ev('con 1', { battery_capacity_kwh: 77, connector_type: 'CCS' }),
    );
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      registration_number: 'CON1',
      is_electric: true,
      battery_capacity_kwh: 77,
      connector_type: 'CCS',
    });
    const read = await w.api('GET', `/vehicles/${res.body.vehicle_id}`, w.driver.token);
    expect(read.status).toBe(200);
    expect(read.body).toEqual(res.body);
    const listed = await w.t.request('GET', '/api/v1/parking/vehicles', {
      token: w.a.operatorToken,
      query: { registration_number: 'CON-1' },
    });
    expect(listed.body).toEqual([res.body]);
  });

  it('is null when unknown', async () => {
    const plain = await w.api('POST', '/vehicles', w.a.operatorToken, ev('CON2', { is_electric: false }));
    expect(plain.status).toBe(201);
    expect(plain.body.connector_type).toBeNull();
    const evWithout = await w.api('POST', '/vehicles', w.a.operatorToken, ev('CON3'));
    expect(evWithout.body.connector_type).toBeNull();
    const read = await w.api('GET', `/vehicles/${evWithout.body.vehicle_id}`, w.a.operatorToken);
    expect(read.body).toHaveProperty('connector_type', null);
  });

  it('is refused for a vehicle that is not electric, and nothing is stored', async () => {
    const res = await w.api(
      'POST',
      '/vehicles',
      w.a.operatorToken,
      ev('NOEV 1', { is_electric: false, connector_type: 'TYPE2' }),
    );
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('VALIDATION_FAILED');
    expect(res.body.errors).toEqual([{ field: 'connector_type', message: 'only with is_electric: true' }]);
    expect(await storedPlates('NOEV1')).toBe(0);

    const both = await w.api(
      'POST',
      '/vehicles',
      w.a.operatorToken,
      ev('NOEV2', { is_electric: false, connector_type: 'CCS', battery_capacity_kwh: 40 }),
    );
    expect(both.status).toBe(400);
    expect(both.body.errors.map((e: any) => e.field)).toEqual(['battery_capacity_kwh', 'connector_type']);
    expect(await storedPlates('NOEV2')).toBe(0);
  });

  it('accepts only the known inlets', async () => {
    for (const connector_type of ['CCS', 'TESLA', 'CHADEMO', 'J1772', 'TYPE2']) {
      const res = await w.api(
        'POST',
        '/vehicles',
        w.b.operatorToken,
        ev(`K${connector_type}`, { connector_type }),
      );
      expect(res.status, connector_type).toBe(201);
      expect(res.body.connector_type).toBe(connector_type);
    }
    const unknown = await w.api(
      'POST',
      '/vehicles',
      w.b.operatorToken,
      ev('KSCHUKO', { connector_type: 'SCHUKO' }),
    );
    expect(unknown.status).toBe(400);
    expect(unknown.body.code).toBe('VALIDATION_FAILED');
    expect(await storedPlates('KSCHUKO')).toBe(0);
  });

  it('is checked by the database too', async () => {
    const pool = w.t.platform.pools.get('parking')!;
    const insert = (plate: string, electric: boolean, connector: string) =>
      pool
        .query(
          `INSERT INTO vehicles (vehicle_id, tenant_id, registration_number, vehicle_type, is_electric, connector_type)
           VALUES ($1, $2, $3, 'CAR', $4, $5)`,
          [`veh_${plate.toLowerCase().padEnd(32, '0')}`, w.a.tenant_id, plate, electric, connector],
        )
        .then(
          () => 'stored',
          (error: { code?: string; constraint?: string }) => `${error.code} ${error.constraint}`,
        );
    expect(await insert('DBBAD1', true, 'SCHUKO')).toBe('23514 vehicles_connector_type_known');
    expect(await insert('DBBAD2', true, 'ccs')).toBe('23514 vehicles_connector_type_known');
    expect(await insert('DBBAD3', false, 'CCS')).toBe('23514 vehicles_connector_electric_only');
    expect(await insert('DBGOOD', true, 'CHADEMO')).toBe('stored');
    expect(await storedPlates('DBBAD1')).toBe(0);
    expect(await storedPlates('DBGOOD')).toBe(1);
  });

  it('reaches billing and charging with the session', async () => {
    const vehicle = (
      await w.api('POST', '/vehicles', w.driver.token, ev('CHG 1', { connector_type: 'J1772' }))
    ).body;
    const session = await enter(w.a.operatorToken, { facility_id: facility, vehicle_id: vehicle.vehicle_id });
    expect(await w.internal.session(session.session_id)).toMatchObject({
      session_id: session.session_id,
      vehicle_id: vehicle.vehicle_id,
      is_electric: true,
      connector_type: 'J1772',
    });
    expect(await w.internal.validateSession(session.session_id, vehicle.vehicle_id)).toMatchObject({
      valid: true,
      connector_type: 'J1772',
    });
    // Public session views stay as they were.
    const pub = await w.api('GET', `/sessions/${session.session_id}`, w.a.operatorToken);
    expect(pub.status).toBe(200);
    expect(pub.body).not.toHaveProperty('connector_type');

    const driveUp = await enter(w.a.operatorToken, { facility_id: facility, registration_number: 'CHG 2' });
    const answer = await w.internal.session(driveUp.session_id);
    expect(answer.is_electric).toBe(false);
    expect(answer).toHaveProperty('connector_type', null);
  });
});

describe('GET /parking/internal/facilities/{id}/open-sessions?registration_number=', () => {
  it('finds the open session of a plate however it is written', async () => {
    const vehicle = (
      await w.api('POST', '/vehicles', w.driver.token, ev('PLUG 77', { connector_type: 'TESLA' }))
    ).body;
    const session = await enter(w.a.operatorToken, { facility_id: facility, vehicle_id: vehicle.vehicle_id });
    const found = await w.internal.openSessionByPlate(facility, 'plug 7-7');
    expect(found).toEqual(await w.internal.session(session.session_id));
    expect(found).toMatchObject({
      session_id: session.session_id,
      status: 'OPEN',
      tenant_id: w.a.tenant_id,
      facility_id: facility,
      space_id: session.space_id,
      vehicle_id: vehicle.vehicle_id,
      registration_number: 'PLUG77',
      customer_id: w.driver.customer_id,
      is_electric: true,
      connector_type: 'TESLA',
      exit_time: null,
    });
  });

  it('answers 404 after the exit, at another facility and for unknown plates; 400 for impossible ones', async () => {
    const session = await enter(w.a.operatorToken, { facility_id: facility, registration_number: 'GONE 9' });
    expect((await w.internal.openSessionByPlate(facility, 'gone9')).session_id).toBe(session.session_id);
    expect(await problemCode(w.internal.openSessionByPlate(elsewhere, 'GONE9'))).toBe(
      '404 SESSION_NOT_FOUND',
    );
    expect(await problemCode(w.internal.openSessionByPlate(`fac_${'0'.repeat(32)}`, 'GONE9'))).toBe(
      '404 SESSION_NOT_FOUND',
    );

    const exit = await w.api('POST', `/sessions/${session.session_id}/exit`, w.a.operatorToken, {});
    expect(exit.status).toBe(200);
    expect(await problemCode(w.internal.openSessionByPlate(facility, 'GONE9'))).toBe('404 SESSION_NOT_FOUND');

    expect(await problemCode(w.internal.openSessionByPlate(facility, 'NEVER SEEN'))).toBe(
      '404 SESSION_NOT_FOUND',
    );
    expect(await problemCode(w.internal.openSessionByPlate(facility, '??'))).toBe('400 INVALID_REGISTRATION');
    expect(await problemCode(w.internal.openSessionByPlate('not-a-facility', 'GONE9'))).toBe(
      '400 VALIDATION_FAILED',
    );
  });

  it('counts only the session in this facility when tenants share a plate', async () => {
    const bFacility = (await w.t.registerFacility(w.b.adminToken)).facility_id as string;
    const spaces = await w.api('POST', '/spaces/bulk', w.b.adminToken, {
      facility_id: bFacility,
      size: 'STANDARD',
      floor: 0,
      aisle: 'B',
      count: 2,
      start_number: 1,
    });
    expect(spaces.status).toBe(201);
    const inA = (await w.api('POST', '/vehicles', w.a.operatorToken, ev('TWIN1', { connector_type: 'CCS' })))
      .body;
    const inB = (
      await w.api('POST', '/vehicles', w.b.operatorToken, ev('TWIN1', { connector_type: 'CHADEMO' }))
    ).body;
    expect(inA.vehicle_id).not.toBe(inB.vehicle_id);

    // Only B's twin is parked: A's facility has no session for the plate.
    const bSession = await enter(w.b.operatorToken, {
      facility_id: bFacility,
      registration_number: 'twin 1',
    });
    expect(bSession.vehicle_id).toBe(inB.vehicle_id);
    expect(await problemCode(w.internal.openSessionByPlate(facility, 'TWIN1'))).toBe('404 SESSION_NOT_FOUND');

    const aSession = await enter(w.a.operatorToken, { facility_id: facility, registration_number: 'TWIN-1' });
    expect(aSession.vehicle_id).toBe(inA.vehicle_id);
    expect(await w.internal.openSessionByPlate(facility, 'twin1')).toMatchObject({
      session_id: aSession.session_id,
      vehicle_id: inA.vehicle_id,
      tenant_id: w.a.tenant_id,
      connector_type: 'CCS',
    });
    expect(await w.internal.openSessionByPlate(bFacility, 'twin1')).toMatchObject({
      session_id: bSession.session_id,
      vehicle_id: inB.vehicle_id,
      tenant_id: w.b.tenant_id,
      connector_type: 'CHADEMO',
    });
  });

  it('is for services only, and not reachable through the gateway', async () => {
    await enter(w.a.operatorToken, { facility_id: facility, registration_number: 'SVC 1' });
    const app = w.t.platform.services.get('parking')!.app;
    const url = `/parking/internal/facilities/${facility}/open-sessions?registration_number=SVC1`;
    for (const token of [w.t.adminToken, w.a.adminToken, w.a.operatorToken, w.driver.token]) {
      const asUser = await app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${token}` } });
      expect(asUser.statusCode).toBe(403);
      expect(asUser.json().code).toBe('FORBIDDEN');
      expect(asUser.body).not.toContain('SVC1');
    }
    const anonymous = await app.inject({ method: 'GET', url });
    expect(anonymous.statusCode).toBe(401);
    expect(anonymous.json().code).toBe('UNAUTHENTICATED');
    const viaGateway = await w.t.request('GET', `/api/v1${url}`, { token: w.t.adminToken });
    expect(viaGateway.status).toBe(404);
    // The same request as a service does reach it.
    expect((await w.internal.openSessionByPlate(facility, 'SVC1')).registration_number).toBe('SVC1');
  });

  it('is described in the OpenAPI document with connector_type in its answers', async () => {
    const app = w.t.platform.services.get('parking')!.app;
    const doc = (await app.inject({ method: 'GET', url: '/openapi.json' })).json();
    const route = doc.paths['/parking/internal/facilities/{facility_id}/open-sessions'];
    expect(route?.get).toBeDefined();
    expect(route.get.responses['404'].description).toContain('SESSION_NOT_FOUND');
    expect(route.get.responses['400'].description).toContain('INVALID_REGISTRATION');
    const schemaOf = (answer: any) => answer.content['application/json'].schema;
    expect(JSON.stringify(schemaOf(route.get.responses['200']))).toContain('connector_type');
    expect(
      JSON.stringify(schemaOf(doc.paths['/parking/internal/sessions/{session_id}'].get.responses['200'])),
    ).toContain('connector_type');
    expect(
      JSON.stringify(schemaOf(doc.paths['/parking/v1/vehicles/{vehicle_id}'].get.responses['200'])),
    ).toContain('TYPE2');
  });
});
