import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPlatform, type TenantFixture, type TestPlatform } from '../../../test/support/platform.ts';

let t: TestPlatform;
let tenant: TenantFixture;
let north: { facility_id: string };
let south: { facility_id: string };

beforeAll(async () => {
  t = await startTestPlatform();
  tenant = await t.createTenant();
  north = await t.registerFacility(tenant.adminToken);
  south = await t.registerFacility(tenant.adminToken);
  for (const facility of [north, south]) {
    const spaces = await t.request('POST', '/api/v1/parking/spaces/bulk', {
      token: tenant.adminToken,
      body: { facility_id: facility.facility_id, size: 'STANDARD', floor: 0, aisle: 'A', count: 5 },
    });
    expect(spaces.status).toBe(201);
  }
});
afterAll(() => t.stop());

const issue = (token: string, body: Record<string, unknown>) =>
  t.request('POST', '/api/v1/api-keys', { token, body });
const withKey = (key: string, method: string, path: string, body?: unknown) =>
  t.request(method, path, { headers: { 'x-api-key': key }, ...(body ? { body } : {}) });

describe('API keys', () => {
  it('are shown once, stored hashed, and listed without the key', async () => {
    const issued = await issue(tenant.adminToken, {
      name: 'North gate reader',
      facility_id: north.facility_id,
      permissions: ['entries:record', 'exits:record'],
    });
    expect(issued.status).toBe(201);
    expect(issued.headers['cache-control']).toBe('no-store');
    expect(issued.body).toMatchObject({
      key_id: expect.stringMatching(/^key_/),
      key: expect.stringMatching(/^epk_[A-Za-z0-9_-]{43}$/),
      tenant_id: tenant.tenant_id,
      facility_id: north.facility_id,
      permissions: ['entries:record', 'exits:record'],
      revoked_at: null,
    });
    expect(issued.body.key.startsWith(issued.body.key_prefix)).toBe(true);

    const listed = await t.request('GET', '/api/v1/api-keys', { token: tenant.adminToken });
    const row = listed.body.find((k: any) => k.key_id === issued.body.key_id);
    expect(row).toBeDefined();
    expect(JSON.stringify(listed.body)).not.toContain(issued.body.key);
    const one = await t.request('GET', `/api/v1/api-keys/${issued.body.key_id}`, {
      token: tenant.adminToken,
    });
    expect(one.body.key).toBeUndefined();

    const stored = await t.platform.pools
      .get('gateway')!
      .query('SELECT * FROM api_keys WHERE key_id = $1', [issued.body.key_id]);
    expect(JSON.stringify(stored.rows[0])).not.toContain(issued.body.key.slice(10));
  });

  it('record entries and exits at their facility only, and nothing else', async () => {
    const { body } = await issue(tenant.adminToken, {
      name: 'North gate',
      facility_id: north.facility_id,
      permissions: ['entries:record', 'exits:record'],
    });
    const plate = `KEY${Math.floor(Math.random() * 1e4)}`;
    const entered = await withKey(body.key, 'POST', '/api/v1/parking/sessions/entry', {
      facility_id: north.facility_id,
      registration_number: plate,
    });
    expect(entered.status, JSON.stringify(entered.body)).toBe(201);
    const left = await withKey(body.key, 'POST', '/api/v1/parking/sessions/exit', {
      facility_id: north.facility_id,
      registration_number: plate,
    });
    expect(left.status).toBe(200);

    // Another facility of the same tenant: as if it did not exist.
    const elsewhere = await withKey(body.key, 'POST', '/api/v1/parking/sessions/entry', {
      facility_id: south.facility_id,
      registration_number: plate,
    });
    expect(elsewhere.status).toBe(404);
    expect(elsewhere.body.code).toBe('FACILITY_NOT_FOUND');
    // A permission it was not given, and a route no key may call.
    const occupancy = await withKey(body.key, 'GET', `/api/v1/parking/occupancy/${north.facility_id}`);
    expect(occupancy.status).toBe(403);
    expect((await withKey(body.key, 'GET', '/api/v1/facilities')).status).toBe(403);
    expect((await withKey(body.key, 'GET', '/api/v1/api-keys')).status).toBe(403);
  });

  it('read occupancy with occupancy:read', async () => {
    const { body } = await issue(tenant.adminToken, {
      name: 'Display board',
      facility_id: south.facility_id,
      permissions: ['occupancy:read'],
    });
    const board = await withKey(body.key, 'GET', `/api/v1/parking/occupancy/${south.facility_id}`);
    expect(board.status).toBe(200);
    expect(board.body.facility_id).toBe(south.facility_id);
    expect((await withKey(body.key, 'GET', `/api/v1/parking/occupancy/${north.facility_id}`)).status).toBe(
      404,
    );
  });

  it('stop working when revoked, and when expired', async () => {
    const { body } = await issue(tenant.adminToken, {
      name: 'Old board',
      facility_id: south.facility_id,
      permissions: ['occupancy:read'],
    });
    const path = `/api/v1/parking/occupancy/${south.facility_id}`;
    expect((await withKey(body.key, 'GET', path)).status).toBe(200);
    const revoked = await t.request('DELETE', `/api/v1/api-keys/${body.key_id}`, {
      token: tenant.adminToken,
    });
    expect(revoked.status).toBe(204);
    const refused = await withKey(body.key, 'GET', path);
    expect(refused.status).toBe(401);
    expect(refused.body.code).toBe('UNAUTHENTICATED');
    const listed = await t.request('GET', `/api/v1/api-keys/${body.key_id}`, { token: tenant.adminToken });
    expect(listed.body.revoked_at).not.toBeNull();
    expect((await withKey('epk_not-a-key-at-all', 'GET', path)).status).toBe(401);

    const past = await issue(tenant.adminToken, {
      name: 'Already over',
      facility_id: south.facility_id,
      permissions: ['occupancy:read'],
      expires_at: new Date(Date.now() - 1000).toISOString(),
    });
    expect(past.status).toBe(400);
  });

  it('are issued by tenant admins for their own facilities, with known permissions only', async () => {
    const other = await t.createTenant();
    const foreign = await issue(other.adminToken, {
      name: 'Sneaky',
      facility_id: north.facility_id,
      permissions: ['entries:record'],
    });
    expect(foreign.status).toBe(404);
    expect(foreign.body.code).toBe('FACILITY_NOT_FOUND');
    expect(
      (
        await issue(tenant.operatorToken, {
          name: 'x',
          facility_id: north.facility_id,
          permissions: ['entries:record'],
        })
      ).status,
    ).toBe(403);
    const bad = await issue(tenant.adminToken, {
      name: 'x',
      facility_id: north.facility_id,
      permissions: ['facilities:delete'],
    });
    expect(bad.status).toBe(400);
    expect(
      (await issue(tenant.adminToken, { name: 'x', facility_id: north.facility_id, permissions: [] })).status,
    ).toBe(400);

    // Another tenant neither sees nor revokes this tenant's keys.
    const mine = await issue(tenant.adminToken, {
      name: 'Mine',
      facility_id: north.facility_id,
      permissions: ['exits:record'],
    });
    expect(
      (await t.request('GET', `/api/v1/api-keys/${mine.body.key_id}`, { token: other.adminToken })).status,
    ).toBe(404);
    expect(
      (await t.request('DELETE', `/api/v1/api-keys/${mine.body.key_id}`, { token: other.adminToken })).status,
    ).toBe(404);
    const theirs = await t.request('GET', '/api/v1/api-keys', { token: other.adminToken });
    expect(theirs.body).toEqual([]);
  });

  it('are audited by key: who recorded an entry is the key', async () => {
    const { body } = await issue(tenant.adminToken, {
      name: 'Audited gate',
      facility_id: north.facility_id,
      permissions: ['entries:record'],
    });
    await withKey(body.key, 'POST', '/api/v1/parking/sessions/entry', {
      facility_id: north.facility_id,
      registration_number: `AUD${Math.floor(Math.random() * 1e4)}`,
    });
    // The audit row is written once the response has gone (the onResponse hook): wait for it.
    await expect
      .poll(async () => {
        const audit = await t.request('GET', '/api/v1/audit', {
          token: tenant.adminToken,
          query: { actor: body.key_id },
        });
        expect(audit.status).toBe(200);
        return audit.body.some(
          (e: any) => e.actor === body.key_id && e.path === '/api/v1/parking/sessions/entry',
        );
      })
      .toBe(true);
  });
});
