import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ParkingWorld, startParkingWorld } from './helpers.ts';

let w: ParkingWorld;
let otherDriver: { token: string; customer_id: string };
beforeAll(async () => {
  w = await startParkingWorld();
  otherDriver = await w.t.createDriver();
});
afterAll(() => w?.stop());

const car = (registration_number: string, extra: Record<string, unknown> = {}) => ({
  registration_number,
  vehicle_type: 'CAR',
  is_electric: false,
  ...extra,
});

describe('POST /vehicles', () => {
  it('lets a driver register a vehicle of their own', async () => {
    const res = await w.api(
      'POST',
      '/vehicles',
      w.driver.token,
      car('dr-1 ev', { is_electric: true, battery_capacity_kwh: 75, make: 'Kia', color: 'blue' }),
    );
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      registration_number: 'DR1EV',
      vehicle_type: 'CAR',
      is_electric: true,
      battery_capacity_kwh: 75,
      make: 'Kia',
      model: null,
      color: 'blue',
      owner_id: w.driver.customer_id,
      tenant_id: null,
    });
    expect(res.body.vehicle_id).toMatch(/^veh_[0-9a-f]{32}$/);
  });

  it('keeps plates unique among drivers, whatever the spelling', async () => {
    expect((await w.api('POST', '/vehicles', w.driver.token, car('DUP 42'))).status).toBe(201);
    const again = await w.api('POST', '/vehicles', otherDriver.token, car('dup-42'));
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('DUPLICATE_REGISTRATION');
  });

  it('stops drivers registering for someone else or for a tenant', async () => {
    const forOther = await w.api(
      'POST',
      '/vehicles',
      w.driver.token,
      car('X1', { owner_id: otherDriver.customer_id }),
    );
    expect(forOther.status).toBe(403);
    const forTenant = await w.api(
      'POST',
      '/vehicles',
      w.driver.token,
      car('X2', { tenant_id: w.a.tenant_id }),
    );
    expect(forTenant.status).toBe(403);
    const own = await w.api(
      'POST',
      '/vehicles',
      w.driver.token,
      car('X3', { owner_id: w.driver.customer_id }),
    );
    expect(own.status).toBe(201);
  });

  it('registers staff vehicles in their tenant, unique per tenant', async () => {
    const res = await w.api(
      'POST',
      '/vehicles',
      w.a.operatorToken,
      car('FLEET 1', { vehicle_type: 'TRUCK', owner_id: w.driver.customer_id }),
    );
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      tenant_id: w.a.tenant_id,
      owner_id: w.driver.customer_id,
      vehicle_type: 'TRUCK',
    });
    const same = await w.api('POST', '/vehicles', w.a.adminToken, car('fleet-1'));
    expect(same.body.code).toBe('DUPLICATE_REGISTRATION');
    expect((await w.api('POST', '/vehicles', w.b.operatorToken, car('FLEET1'))).status).toBe(201);
    const foreign = await w.api(
      'POST',
      '/vehicles',
      w.b.operatorToken,
      car('FLEET2', { tenant_id: w.a.tenant_id }),
    );
    expect(foreign.status).toBe(403);
  });

  it('lets a platform admin register into a tenant, and asks whose it is', async () => {
    const res = await w.api('POST', '/vehicles', w.t.adminToken, car('PA 1', { tenant_id: w.b.tenant_id }));
    expect(res.body.tenant_id).toBe(w.b.tenant_id);
    const nobody = await w.api('POST', '/vehicles', w.t.adminToken, car('PA 2'));
    expect(nobody.status).toBe(400);
    expect(nobody.body.code).toBe('VALIDATION_FAILED');
  });

  it('validates the body', async () => {
    const battery = await w.api(
      'POST',
      '/vehicles',
      w.a.operatorToken,
      car('BAT1', { battery_capacity_kwh: 50 }),
    );
    expect(battery.status).toBe(400);
    expect(battery.body.errors[0].field).toBe('battery_capacity_kwh');
    const plate = await w.api('POST', '/vehicles', w.a.operatorToken, car('??'));
    expect(plate.status).toBe(400);
    expect(plate.body.code).toBe('INVALID_REGISTRATION');
    const type = await w.api('POST', '/vehicles', w.a.operatorToken, car('T1', { vehicle_type: 'TANK' }));
    expect(type.body.code).toBe('VALIDATION_FAILED');
    const missing = await w.api('POST', '/vehicles', w.a.operatorToken, {
      registration_number: 'M1',
      vehicle_type: 'CAR',
    });
    expect(missing.body.code).toBe('VALIDATION_FAILED');
    const extra = await w.api('POST', '/vehicles', w.a.operatorToken, car('E1', { wheels: 4 }));
    expect(extra.body.code).toBe('VALIDATION_FAILED');
  });
});

describe('GET /vehicles/{vehicle_id}', () => {
  it('shows drivers their own vehicles only', async () => {
    const mine = (await w.api('POST', '/vehicles', w.driver.token, car('SEE 1'))).body;
    expect((await w.api('GET', `/vehicles/${mine.vehicle_id}`, w.driver.token)).body).toEqual(mine);
    const other = await w.api('GET', `/vehicles/${mine.vehicle_id}`, otherDriver.token);
    expect(other.status).toBe(404);
    expect(other.body.code).toBe('VEHICLE_NOT_FOUND');
    // Staff see a driver's vehicle once it has parked at one of their facilities, not before.
    const before = await w.api('GET', `/vehicles/${mine.vehicle_id}`, w.a.operatorToken);
    expect(before.status).toBe(404);
    expect(before.body.code).toBe('VEHICLE_NOT_FOUND');
    await w.row(w.facilityId, 'STANDARD', 1, 7, 'V');
    const entered = await w.enter(w.a.operatorToken, {
      facility_id: w.facilityId,
      vehicle_id: mine.vehicle_id,
    });
    expect(entered.status).toBe(201);
    expect((await w.api('GET', `/vehicles/${mine.vehicle_id}`, w.a.operatorToken)).status).toBe(200);
    expect((await w.api('GET', `/vehicles/${mine.vehicle_id}`, w.b.operatorToken)).status).toBe(404);
    expect((await w.api('GET', `/vehicles/${mine.vehicle_id}`, w.t.adminToken)).status).toBe(200);
  });

  it('shows staff their tenant’s vehicles, 404 to other tenants', async () => {
    const fleet = (await w.api('POST', '/vehicles', w.a.operatorToken, car('SEE 2'))).body;
    expect((await w.api('GET', `/vehicles/${fleet.vehicle_id}`, w.a.adminToken)).status).toBe(200);
    expect((await w.api('GET', `/vehicles/${fleet.vehicle_id}`, w.t.adminToken)).status).toBe(200);
    const foreign = await w.api('GET', `/vehicles/${fleet.vehicle_id}`, w.b.adminToken);
    expect(foreign.status).toBe(404);
    expect((await w.api('GET', `/vehicles/${fleet.vehicle_id}`, w.driver.token)).status).toBe(404);
    expect((await w.api('GET', `/vehicles/veh_${'0'.repeat(32)}`, w.a.adminToken)).body.code).toBe(
      'VEHICLE_NOT_FOUND',
    );
  });
});

describe('GET /vehicles?registration_number=', () => {
  it('finds the tenant’s record first, else a driver’s', async () => {
    const drivers = (await w.api('POST', '/vehicles', w.driver.token, car('LOOK 1'))).body;
    const found = await w.t.request('GET', '/api/v1/parking/vehicles', {
      token: w.b.operatorToken,
      query: { registration_number: 'look-1' },
    });
    expect(found.status).toBe(200);
    expect(found.body.map((v: any) => v.vehicle_id)).toEqual([drivers.vehicle_id]);
    const tenants = (await w.api('POST', '/vehicles', w.a.operatorToken, car('LOOK1'))).body;
    const preferred = await w.t.request('GET', '/api/v1/parking/vehicles', {
      token: w.a.operatorToken,
      query: { registration_number: 'LOOK 1' },
    });
    expect(preferred.body.map((v: any) => v.vehicle_id)).toEqual([tenants.vehicle_id]);
    const none = await w.t.request('GET', '/api/v1/parking/vehicles', {
      token: w.a.operatorToken,
      query: { registration_number: 'NOPE1' },
    });
    expect(none.body).toEqual([]);
  });

  it('gives drivers their own vehicles only', async () => {
    const driver = await w.t.createDriver();
    const v1 = (await w.api('POST', '/vehicles', driver.token, car('OWN 1'))).body;
    const v2 = (await w.api('POST', '/vehicles', driver.token, car('OWN 2'))).body;
    const all = await w.api('GET', '/vehicles', driver.token);
    expect(all.body.map((v: any) => v.vehicle_id)).toEqual([v1.vehicle_id, v2.vehicle_id]);
    const one = await w.t.request('GET', '/api/v1/parking/vehicles', {
      token: driver.token,
      query: { registration_number: 'own 2' },
    });
    expect(one.body.map((v: any) => v.vehicle_id)).toEqual([v2.vehicle_id]);
    const notMine = await w.t.request('GET', '/api/v1/parking/vehicles', {
      token: otherDriver.token,
      query: { registration_number: 'OWN2' },
    });
    expect(notMine.body).toEqual([]);
  });

  it('lists a tenant’s vehicles page by page', async () => {
    const c = await w.t.createTenant();
    for (const plate of ['P1', 'P2', 'P3']) await w.api('POST', '/vehicles', c.operatorToken, car(plate));
    const first = await w.t.request('GET', '/api/v1/parking/vehicles', {
      token: c.operatorToken,
      query: { limit: 2 },
    });
    expect(first.body.map((v: any) => v.registration_number)).toEqual(['P1', 'P2']);
    const next = /<([^>]+)>; rel="next"/.exec(String(first.headers.link))![1]!;
    const second = await w.t.request('GET', next, { token: c.operatorToken });
    expect(second.body.map((v: any) => v.registration_number)).toEqual(['P3']);
    expect(second.headers.link).toBeUndefined();
  });
});
