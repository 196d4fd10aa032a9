import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ParkingWorld, startParkingWorld } from './helpers.ts';

let w: ParkingWorld;
beforeAll(async () => {
  w = await startParkingWorld();
});
afterAll(() => w?.stop());

describe('GET /spaces/{facility_id}', () => {
  let facility: string;
  beforeAll(async () => {
    facility = await w.newFacility();
    await w.row(facility, 'STANDARD', 3, 1, 'B');
    await w.row(facility, 'STANDARD', 2, 0, 'A');
    await w.row(facility, 'LARGE', 2, 0, 'L');
  });

  it('lists in location order and filters by status, size and floor', async () => {
    const all = await w.api('GET', `/spaces/${facility}`, w.a.operatorToken);
    expect(all.status).toBe(200);
    expect(all.body.map((s: any) => `${s.location.floor}${s.location.aisle}${s.location.number}`)).toEqual([
      '0A1',
      '0A2',
      '0L1',
      '0L2',
      '1B1',
      '1B2',
      '1B3',
    ]);
    const large = await w.t.request('GET', `/api/v1/parking/spaces/${facility}`, {
      token: w.a.operatorToken,
      query: { size: 'LARGE' },
    });
    expect(large.body).toHaveLength(2);
    const floor1 = await w.t.request('GET', `/api/v1/parking/spaces/${facility}`, {
      token: w.a.operatorToken,
      query: { floor: 1 },
    });
    expect(floor1.body).toHaveLength(3);
    await w.api('PUT', `/spaces/${floor1.body[0].space_id}/status`, w.a.operatorToken, {
      status: 'MAINTENANCE',
    });
    const maintenance = await w.t.request('GET', `/api/v1/parking/spaces/${facility}`, {
      token: w.a.operatorToken,
      query: { status: 'MAINTENANCE' },
    });
    expect(maintenance.body.map((s: any) => s.space_id)).toEqual([floor1.body[0].space_id]);
  });

  it('pages with limit and a Link rel="next" header', async () => {
    const seen: string[] = [];
    let path: string | undefined = `/api/v1/parking/spaces/${facility}?limit=3`;
    let pages = 0;
    while (path) {
      const res = await w.t.request('GET', path, { token: w.a.operatorToken });
      expect(res.status).toBe(200);
      seen.push(...res.body.map((s: any) => s.space_id));
      pages += 1;
      const link = res.headers.link as string | undefined;
      path = link ? /<([^>]+)>; rel="next"/.exec(link)?.[1] : undefined;
      if (path) expect(path.startsWith('/api/v1/parking/spaces/')).toBe(true);
    }
    expect(pages).toBe(3);
    expect(seen).toHaveLength(7);
    expect(new Set(seen).size).toBe(7);
    const bad = await w.t.request('GET', `/api/v1/parking/spaces/${facility}`, {
      token: w.a.operatorToken,
      query: { cursor: 'nonsense!' },
    });
    expect(bad.status).toBe(400);
    for (const forged of ['"abc"', '[1, 2]', '{"floor": 1}']) {
      const cursor = Buffer.from(forged).toString('base64url');
      const res = await w.t.request('GET', `/api/v1/parking/spaces/${facility}`, {
        token: w.a.operatorToken,
        query: { cursor },
      });
      expect(res.body).toMatchObject({ status: 400, code: 'VALIDATION_FAILED' });
    }
  });

  it('hides the facility from other tenants and from drivers', async () => {
    const foreign = await w.api('GET', `/spaces/${facility}`, w.b.operatorToken);
    expect(foreign.status).toBe(404);
    expect(foreign.body.code).toBe('FACILITY_NOT_FOUND');
    expect((await w.api('GET', `/spaces/${facility}`, w.driver.token)).status).toBe(403);
    expect((await w.api('GET', `/spaces/${facility}`, w.t.adminToken)).status).toBe(200);
  });
});

describe('GET /spaces/{facility_id}/{space_id}', () => {
  it('answers one space of the facility, 404 otherwise', async () => {
    const [s] = await w.row(w.facilityId, 'LARGE', 1, 3, 'G');
    const ok = await w.api('GET', `/spaces/${w.facilityId}/${s.space_id}`, w.a.operatorToken);
    expect(ok.status).toBe(200);
    expect(ok.body).toEqual(s);
    const other = await w.newFacility();
    const wrongFacility = await w.api('GET', `/spaces/${other}/${s.space_id}`, w.a.operatorToken);
    expect(wrongFacility.body.code).toBe('SPACE_NOT_FOUND');
    const foreign = await w.api('GET', `/spaces/${w.facilityId}/${s.space_id}`, w.b.adminToken);
    expect(foreign.status).toBe(404);
    expect(foreign.body.code).toBe('SPACE_NOT_FOUND');
    const malformed = await w.api('GET', `/spaces/${w.facilityId}/nope`, w.a.operatorToken);
    expect(malformed.status).toBe(400);
  });
});

describe('PUT /spaces/{space_id}/status', () => {
  it('moves between AVAILABLE, MAINTENANCE and RESERVED and says so in events', async () => {
    const [s] = await w.row(w.facilityId, 'STANDARD', 1, 4, 'P');
    const toMaintenance = await w.api('PUT', `/spaces/${s.space_id}/status`, w.a.operatorToken, {
      status: 'MAINTENANCE',
      reason: 'repainting',
    });
    expect(toMaintenance.status).toBe(200);
    expect(toMaintenance.body).toMatchObject({ status: 'MAINTENANCE', status_reason: 'repainting' });
    const back = await w.api('PUT', `/spaces/${s.space_id}/status`, w.a.operatorToken, {
      status: 'AVAILABLE',
    });
    expect(back.body).toMatchObject({ status: 'AVAILABLE', status_reason: null });
    expect(
      (await w.api('PUT', `/spaces/${s.space_id}/status`, w.a.operatorToken, { status: 'RESERVED' })).body
        .status,
    ).toBe('RESERVED');
    expect(
      (await w.api('PUT', `/spaces/${s.space_id}/status`, w.a.operatorToken, { status: 'MAINTENANCE' })).body
        .status,
    ).toBe('MAINTENANCE');

    const changes = (await w.events('parking.space.status.changed')).filter(
      (e) => e.data.space_id === s.space_id,
    );
    expect(changes.map((e) => `${e.data.previous_status}>${e.data.current_status}`)).toEqual([
      'AVAILABLE>MAINTENANCE',
      'MAINTENANCE>AVAILABLE',
      'AVAILABLE>RESERVED',
      'RESERVED>MAINTENANCE',
    ]);
    expect(changes[0]).toMatchObject({
      subject: s.space_id,
      tenantid: w.a.tenant_id,
      facilityid: w.facilityId,
    });
    expect(changes[0]!.data).toMatchObject({ reason: 'repainting', size: 'STANDARD' });
    const released = (await w.events('parking.space.released')).filter((e) => e.data.space_id === s.space_id);
    expect(released).toHaveLength(1);
  });

  it('refuses other transitions with INVALID_STATUS_TRANSITION', async () => {
    const [s] = await w.row(w.facilityId, 'STANDARD', 1, 4, 'Q');
    const occupied = await w.api('PUT', `/spaces/${s.space_id}/status`, w.a.operatorToken, {
      status: 'OCCUPIED',
    });
    expect(occupied.status).toBe(409);
    expect(occupied.body.code).toBe('INVALID_STATUS_TRANSITION');
    await w.api('PUT', `/spaces/${s.space_id}/status`, w.a.operatorToken, { status: 'MAINTENANCE' });
    const reserve = await w.api('PUT', `/spaces/${s.space_id}/status`, w.a.operatorToken, {
      status: 'RESERVED',
    });
    expect(reserve.body).toMatchObject({
      code: 'INVALID_STATUS_TRANSITION',
      current_status: 'MAINTENANCE',
      requested_status: 'RESERVED',
    });
  });

  it('never touches an occupied space', async () => {
    const facility = await w.newFacility();
    const [s] = await w.row(facility, 'STANDARD', 1);
    const entry = await w.api('POST', '/sessions/entry', w.a.operatorToken, {
      facility_id: facility,
      registration_number: 'OCC 1',
    });
    expect(entry.body.space_id).toBe(s.space_id);
    for (const status of ['AVAILABLE', 'MAINTENANCE', 'RESERVED']) {
      const res = await w.api('PUT', `/spaces/${s.space_id}/status`, w.a.operatorToken, { status });
      expect(res.body.code).toBe('INVALID_STATUS_TRANSITION');
    }
  });

  it('changes nothing when the status is already set', async () => {
    const [s] = await w.row(w.facilityId, 'STANDARD', 1, 4, 'N');
    const before = (await w.events('parking.space.status.changed')).length;
    const same = await w.api('PUT', `/spaces/${s.space_id}/status`, w.a.operatorToken, {
      status: 'AVAILABLE',
    });
    expect(same.status).toBe(200);
    expect((await w.events('parking.space.status.changed')).length).toBe(before);
  });

  it('hides other tenants’ spaces and refuses drivers', async () => {
    const [s] = await w.row(w.facilityId, 'STANDARD', 1, 4, 'H');
    const foreign = await w.api('PUT', `/spaces/${s.space_id}/status`, w.b.operatorToken, {
      status: 'MAINTENANCE',
    });
    expect(foreign.status).toBe(404);
    expect(foreign.body.code).toBe('SPACE_NOT_FOUND');
    expect(
      (await w.api('PUT', `/spaces/${s.space_id}/status`, w.driver.token, { status: 'MAINTENANCE' })).status,
    ).toBe(403);
    const unknown = await w.api('PUT', `/spaces/spc_${'0'.repeat(32)}/status`, w.a.operatorToken, {
      status: 'MAINTENANCE',
    });
    expect(unknown.body.code).toBe('SPACE_NOT_FOUND');
    expect((await w.api('GET', `/spaces/${w.facilityId}/${s.space_id}`, w.a.operatorToken)).body.status).toBe(
      'AVAILABLE',
    );
  });
});
