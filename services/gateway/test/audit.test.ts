import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPlatform, type TenantFixture, type TestPlatform } from '../../../test/support/platform.ts';

let t: TestPlatform;
let a: TenantFixture;
let b: TenantFixture;
beforeAll(async () => {
  t = await startTestPlatform();
  a = await t.createTenant();
  b = await t.createTenant();
});
afterAll(() => t.stop());

const audit = (token: string, query = '') => t.request<any[]>('GET', `/api/v1/audit${query}`, { token });

describe('the audit trail', () => {
  it('records every change and sign-in with who, what, when and from where; reads are not recorded', async () => {
    const facility = await t.registerFacility(a.adminToken);
    await t.request('GET', `/api/v1/facilities/${facility.facility_id}`, { token: a.adminToken });
    const denied = await t.request('POST', '/api/v1/users', {
      token: a.operatorToken,
      body: { email: 'x@example.com', password: 'long-enough-1', role: 'operator' },
    });
    expect(denied.status).toBe(403);
    const wrong = await t.request('POST', '/api/v1/auth/token', {
      body: { grant_type: 'password', username: 'nobody@example.com', password: 'guess-guess' },
      headers: { 'user-agent': 'audit-test' },
    });
    expect(wrong.status).toBe(401);
    // Rows are written once each response has gone (the onResponse hook): wait for the last one.
    await expect
      .poll(async () => (await audit(t.adminToken, '?actor=nobody@example.com')).body.length)
      .toBe(1);

    const rows = (await audit(a.adminToken)).body;
    const registered = rows.find((r) => r.path === '/api/v1/facilities/register');
    expect(registered).toMatchObject({
      method: 'POST',
      status: 201,
      outcome: 'SUCCESS',
      tenant_id: a.tenant_id,
      actor_role: 'tenant_admin',
      ip: expect.any(String),
      request_id: expect.stringMatching(/^req_/),
    });
    expect(rows.find((r) => r.path === '/api/v1/users' && r.status === 403)).toMatchObject({
      outcome: 'DENIED',
      actor_role: 'operator',
    });
    expect(rows.some((r) => r.method === 'GET')).toBe(false);
    // The tenant's staff signing in are in its trail too.
    expect(rows.some((r) => r.path === '/api/v1/auth/token' && r.outcome === 'SUCCESS')).toBe(true);
    expect(rows.every((r) => r.tenant_id === a.tenant_id)).toBe(true);

    // A failed sign-in belongs to no tenant: the platform admin sees it, with the name tried.
    const all = (await audit(t.adminToken, '?actor=nobody@example.com')).body;
    expect(all).toEqual([
      expect.objectContaining({
        path: '/api/v1/auth/token',
        status: 401,
        outcome: 'DENIED',
        user_agent: 'audit-test',
      }),
    ]);
  });

  it('is each tenant’s own, for its admins only', async () => {
    const other = (await audit(b.adminToken)).body;
    expect(other.length).toBeGreaterThan(0); // its own staff signing in
    expect(other.every((r) => r.tenant_id === b.tenant_id)).toBe(true);
    expect((await audit(a.operatorToken)).status).toBe(403);
    const scoped = await audit(t.adminToken, `?tenant_id=${a.tenant_id}&limit=2`);
    expect(scoped.body).toHaveLength(2);
    expect(scoped.headers.link).toContain('cursor=');
  });

  it('writes the rows of calls that end together in one statement, and loses none', async () => {
    const calls = Array.from({ length: 40 }, (_, i) =>
      t.request('POST', '/api/v1/parking/sessions/entry', {
        token: a.operatorToken,
        body: { facility_id: 'fac_nowhere' },
        headers: { 'user-agent': `together-${i}` },
      }),
    );
    for (const answer of await Promise.all(calls)) expect(answer.status).toBe(400);
    const pool = t.platform.pools.get('gateway')!;
    const written = async () =>
      (
        await pool.query<{ rows: number; statements: number }>(
          `SELECT count(*)::int AS rows, count(DISTINCT xmin::text)::int AS statements
           FROM audit_log WHERE user_agent LIKE 'together-%'`,
        )
      ).rows[0]!;
    await expect.poll(async () => (await written()).rows).toBe(40);
    const { statements } = await written();
    // Each statement is its own transaction: rows sharing an xmin were inserted together.
    expect(statements).toBeLessThan(40);
    const rows = (await audit(a.adminToken, '?limit=100')).body.filter((r) =>
      String(r.user_agent).startsWith('together-'),
    );
    expect(new Set(rows.map((r) => r.user_agent)).size).toBe(40);
    expect(rows.every((r) => r.outcome === 'FAILED' && r.status === 400)).toBe(true);
  });

  it('cannot be changed or erased, whatever the code does', async () => {
    const pool = t.platform.pools.get('gateway')!;
    for (const sql of [
      "UPDATE audit_log SET outcome = 'SUCCESS'",
      'DELETE FROM audit_log',
      'TRUNCATE audit_log',
    ]) {
      const error = await pool.query(sql).then(
        () => null,
        (e) => e,
      );
      expect(error, sql).not.toBeNull();
      expect(error.message).toContain('append-only');
    }
  });
});
