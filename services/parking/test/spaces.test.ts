import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ParkingWorld, startParkingWorld } from './helpers.ts';

let w: ParkingWorld;
beforeAll(async () => {
  w = await startParkingWorld();
});
afterAll(() => w?.stop());

const space = (facility_id: string, number: number, size = 'STANDARD', floor = 1, aisle = 'S') => ({
  facility_id,
  size,
  location: { floor, aisle, number },
});

describe('POST /spaces', () => {
  it('registers an AVAILABLE space in the facility', async () => {
    const res = await w.api('POST', '/spaces', w.a.operatorToken, space(w.facilityId, 1));
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      facility_id: w.facilityId,
      size: 'STANDARD',
      status: 'AVAILABLE',
      location: { floor: 1, aisle: 'S', number: 1 },
    });
    expect(res.body.space_id).toMatch(/^spc_[0-9a-f]{32}$/);
  });

  it('refuses a second space at the same location', async () => {
    await w.api('POST', '/spaces', w.a.operatorToken, space(w.facilityId, 2));
    const res = await w.api('POST', '/spaces', w.a.adminToken, space(w.facilityId, 2, 'LARGE'));
    expect(res.status).toBe(409);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.body.code).toBe('SPACE_LOCATION_TAKEN');
    expect(JSON.stringify(res.body)).not.toMatch(/duplicate key|constraint|INSERT/i);
  });

  it('never exceeds the facility capacity for the size', async () => {
    const facility = await w.newFacility({ capacity_breakdown: { compact: 0, standard: 1, large: 2 } });
    expect((await w.api('POST', '/spaces', w.a.operatorToken, space(facility, 1, 'LARGE'))).status).toBe(201);
    expect((await w.api('POST', '/spaces', w.a.operatorToken, space(facility, 2, 'LARGE'))).status).toBe(201);
    const third = await w.api('POST', '/spaces', w.a.operatorToken, space(facility, 3, 'LARGE'));
    expect(third.status).toBe(409);
    expect(third.body).toMatchObject({
      code: 'FACILITY_CAPACITY_EXCEEDED',
      capacity: 2,
      existing: 2,
      requested: 1,
    });
    const compact = await w.api('POST', '/spaces', w.a.operatorToken, space(facility, 4, 'COMPACT'));
    expect(compact.body.code).toBe('FACILITY_CAPACITY_EXCEEDED');
    expect((await w.api('POST', '/spaces', w.a.operatorToken, space(facility, 5, 'STANDARD'))).status).toBe(
      201,
    );
  });

  it('answers 404 for an unknown facility and for another tenant’s', async () => {
    const unknown = await w.api('POST', '/spaces', w.a.operatorToken, space(`fac_${'0'.repeat(32)}`, 1));
    expect(unknown.status).toBe(404);
    expect(unknown.body.code).toBe('FACILITY_NOT_FOUND');
    const foreign = await w.api('POST', '/spaces', w.b.adminToken, space(w.facilityId, 99));
    expect(foreign.status).toBe(404);
    expect(foreign.body.code).toBe('FACILITY_NOT_FOUND');
  });

  it('is for staff only and validates the body', async () => {
    expect((await w.api('POST', '/spaces', w.driver.token, space(w.facilityId, 50))).status).toBe(403);
    expect(
      (await w.t.request('POST', '/api/v1/parking/spaces', { body: space(w.facilityId, 50) })).status,
    ).toBe(401);
    const extra = await w.api('POST', '/spaces', w.a.operatorToken, {
      ...space(w.facilityId, 50),
      colour: 'red',
    });
    expect(extra.status).toBe(400);
    expect(extra.body.code).toBe('VALIDATION_FAILED');
    const size = await w.api('POST', '/spaces', w.a.operatorToken, space(w.facilityId, 50, 'HUGE'));
    expect(size.body.code).toBe('VALIDATION_FAILED');
    const location = await w.api('POST', '/spaces', w.a.operatorToken, {
      facility_id: w.facilityId,
      size: 'LARGE',
    });
    expect(location.body.code).toBe('VALIDATION_FAILED');
    expect(location.body.errors).toEqual(
      expect.arrayContaining([expect.objectContaining({ field: 'location' })]),
    );
  });
});

describe('POST /spaces/bulk', () => {
  it('creates a numbered row in one go', async () => {
    const facility = await w.newFacility();
    const res = await w.api('POST', '/spaces/bulk', w.a.operatorToken, {
      facility_id: facility,
      size: 'COMPACT',
      floor: -1,
      aisle: 'M',
      count: 4,
      start_number: 10,
    });
    expect(res.status).toBe(201);
    expect(res.body.map((s: any) => s.location.number)).toEqual([10, 11, 12, 13]);
    expect(
      res.body.every((s: any) => s.size === 'COMPACT' && s.status === 'AVAILABLE' && s.location.floor === -1),
    ).toBe(true);
  });

  it('creates all or nothing', async () => {
    const facility = await w.newFacility({ capacity_breakdown: { compact: 0, standard: 5, large: 0 } });
    await w.row(facility, 'STANDARD', 1, 0, 'A', 3);
    const taken = await w.api('POST', '/spaces/bulk', w.a.operatorToken, {
      facility_id: facility,
      size: 'STANDARD',
      floor: 0,
      aisle: 'A',
      count: 3,
    });
    expect(taken.status).toBe(409);
    expect(taken.body.code).toBe('SPACE_LOCATION_TAKEN');
    const tooMany = await w.api('POST', '/spaces/bulk', w.a.operatorToken, {
      facility_id: facility,
      size: 'STANDARD',
      floor: 1,
      aisle: 'A',
      count: 5,
    });
    expect(tooMany.body).toMatchObject({
      status: 409,
      code: 'FACILITY_CAPACITY_EXCEEDED',
      existing: 1,
      requested: 5,
    });
    const list = await w.api('GET', `/spaces/${facility}`, w.a.operatorToken);
    expect(list.body).toHaveLength(1);
  });

  it('takes 1 to 1000 spaces', async () => {
    for (const count of [0, 1001]) {
      const res = await w.api('POST', '/spaces/bulk', w.a.operatorToken, {
        facility_id: w.facilityId,
        size: 'LARGE',
        floor: 0,
        aisle: 'Z',
        count,
      });
      expect(res.status).toBe(400);
      expect(res.body.code).toBe('VALIDATION_FAILED');
    }
  });

  it('never exceeds capacity when creations race', async () => {
    const facility = await w.newFacility({ capacity_breakdown: { compact: 0, standard: 20, large: 0 } });
    const attempts = Array.from({ length: 10 }, (_, i) =>
      w.api('POST', '/spaces/bulk', w.a.operatorToken, {
        facility_id: facility,
        size: 'STANDARD',
        floor: 0,
        aisle: `R${i}`,
        count: 3,
      }),
    );
    const singles = Array.from({ length: 5 }, (_, i) =>
      w.api('POST', '/spaces', w.a.operatorToken, space(facility, i, 'STANDARD', 9, 'X')),
    );
    const results = await Promise.all([...attempts, ...singles]);
    expect(results.every((r) => r.status === 201 || r.body.code === 'FACILITY_CAPACITY_EXCEEDED')).toBe(true);
    const created = results
      .filter((r) => r.status === 201)
      .reduce((n, r) => n + (Array.isArray(r.body) ? r.body.length : 1), 0);
    const occupancy = await w.api('GET', `/occupancy/${facility}`, w.a.operatorToken);
    expect(occupancy.body.total_spaces).toBe(created);
    expect(created).toBeLessThanOrEqual(20);
    expect(created).toBeGreaterThanOrEqual(18); // six rows of three always fit
  });
});
