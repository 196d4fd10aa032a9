import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPlatform, type TenantFixture, type TestPlatform } from '../../../test/support/platform.ts';

let t: TestPlatform;
let acme: TenantFixture;

beforeAll(async () => {
  t = await startTestPlatform();
  acme = await t.createTenant();
});
afterAll(() => t?.stop());

describe('tokens', () => {
  it('issues a bearer JWT for the password grant, as JSON or as a form', async () => {
    const json = await t.request('POST', '/api/v1/auth/token', {
      body: { grant_type: 'password', username: 'admin@easypark.local', password: 'correct-horse-battery' },
    });
    expect(json.status).toBe(200);
    expect(json.body).toMatchObject({ token_type: 'Bearer', expires_in: 3600, role: 'platform_admin' });
    expect(json.body.access_token.split('.')).toHaveLength(3);
    const form = await t.platform.gateway.app.inject({
      method: 'POST',
      url: '/api/v1/auth/token',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'grant_type=password&username=ADMIN%40easypark.local&password=correct-horse-battery',
    });
    expect(form.statusCode).toBe(200);
    expect(form.json().token_type).toBe('Bearer');
  });

  it('refuses wrong credentials the same way whether or not the account exists', async () => {
    const wrong = await t.request('POST', '/api/v1/auth/token', {
      body: { grant_type: 'password', username: 'admin@easypark.local', password: 'nope' },
    });
    const unknown = await t.request('POST', '/api/v1/auth/token', {
      body: { grant_type: 'password', username: 'ghost@example.com', password: 'nope' },
    });
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(wrong.body.code).toBe('INVALID_CREDENTIALS');
    expect(unknown.body.detail).toBe(wrong.body.detail);
    const grant = await t.request('POST', '/api/v1/auth/token', { body: { grant_type: 'implicit' } });
    expect(grant.status).toBe(400);
  });

  it('issues client_credentials tokens to machine clients a tenant admin creates, secret shown once', async () => {
    const created = await t.request('POST', '/api/v1/clients', {
      token: acme.adminToken,
      body: { name: 'Gate 1 controller' },
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ role: 'operator', tenant_id: acme.tenant_id });
    const token = await t.request('POST', '/api/v1/auth/token', {
      body: {
        grant_type: 'client_credentials',
        client_id: created.body.client_id,
        client_secret: created.body.client_secret,
      },
    });
    expect(token.status).toBe(200);
    expect(token.body).toMatchObject({ role: 'operator', tenant_id: acme.tenant_id });
    const bad = await t.request('POST', '/api/v1/auth/token', {
      body: { grant_type: 'client_credentials', client_id: created.body.client_id, client_secret: 'guess' },
    });
    expect(bad.status).toBe(401);
    expect(
      (await t.request('POST', '/api/v1/clients', { token: acme.operatorToken, body: { name: 'x' } })).status,
    ).toBe(403);
  });

  it('rejects a missing, malformed, tampered or foreign-signed token on every API', async () => {
    const facility = await t.registerFacility(acme.adminToken);
    const path = `/api/v1/parking/occupancy/${facility.facility_id}`;
    expect((await t.request('GET', path)).status).toBe(401);
    expect((await t.request('GET', path, { headers: { authorization: 'Basic abc' } })).status).toBe(401);
    const [header, payload, signature] = acme.operatorToken.split('.');
    const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString());
    const forged = Buffer.from(JSON.stringify({ ...claims, role: 'platform_admin' })).toString('base64url');
    const tampered = await t.request('GET', path, { token: `${header}.${forged}.${signature}` });
    expect(tampered.status).toBe(401);
    expect(tampered.body.code).toBe('UNAUTHENTICATED');
    expect((await t.request('GET', path, { token: acme.operatorToken })).status).toBe(200);
  });
});

describe('drivers, users and tenants', () => {
  it('lets a driver sign up once per email and gives them a customer id', async () => {
    const body = { email: 'Sam@Example.com', password: 'a-long-password', name: 'Sam' };
    const first = await t.request('POST', '/api/v1/auth/register', { body });
    expect(first.status).toBe(201);
    expect(first.body.customer_id).toMatch(/^cus_[0-9a-f]{32}$/);
    expect(first.body).not.toHaveProperty('password_hash');
    const again = await t.request('POST', '/api/v1/auth/register', {
      body: { ...body, email: 'sam@example.com' },
    });
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('EMAIL_TAKEN');
    const short = await t.request('POST', '/api/v1/auth/register', {
      body: { ...body, email: 'x@example.com', password: 'short' },
    });
    expect(short.status).toBe(400);
    expect(short.body.errors[0].field).toBe('password');
    const token = await t.login('sam@example.com', 'a-long-password');
    expect((await t.request('GET', '/api/v1/tenants', { token })).status).toBe(403);
  });

  it('keeps tenant admins to their own tenant', async () => {
    const other = await t.createTenant();
    const intoOther = await t.request('POST', '/api/v1/users', {
      token: acme.adminToken,
      body: {
        email: 'spy@example.com',
        password: 'a-long-password',
        role: 'operator',
        tenant_id: other.tenant_id,
      },
    });
    expect(intoOther.status).toBe(403);
    const escalate = await t.request('POST', '/api/v1/users', {
      token: acme.adminToken,
      body: { email: 'boss@example.com', password: 'a-long-password', role: 'platform_admin' },
    });
    expect(escalate.status).toBe(403);
    const users = await t.request('GET', '/api/v1/users', { token: acme.adminToken });
    expect(users.body.length).toBeGreaterThan(0);
    expect(users.body.every((u: { tenant_id: string }) => u.tenant_id === acme.tenant_id)).toBe(true);
    const others = await t.request('GET', '/api/v1/users', {
      token: acme.adminToken,
      query: { tenant_id: other.tenant_id },
    });
    expect(others.status).toBe(404);
    expect(others.body.code).toBe('TENANT_NOT_FOUND');
    // A platform admin looks at one tenant's accounts at a time.
    const byAdmin = await t.request('GET', '/api/v1/users', {
      token: t.adminToken,
      query: { tenant_id: other.tenant_id },
    });
    expect(byAdmin.status).toBe(200);
    expect(byAdmin.body.map((u: { role: string }) => u.role).sort()).toEqual(['operator', 'tenant_admin']);
    expect(byAdmin.body.every((u: { tenant_id: string }) => u.tenant_id === other.tenant_id)).toBe(true);
    const tenants = await t.request('GET', '/api/v1/tenants', { token: acme.operatorToken });
    expect(tenants.body.map((x: { tenant_id: string }) => x.tenant_id)).toEqual([acme.tenant_id]);
    expect(
      (await t.request('POST', '/api/v1/tenants', { token: acme.adminToken, body: { name: 'Mine now' } }))
        .status,
    ).toBe(403);
  });

  it('refuses a second tenant of the same name and users for an unknown tenant', async () => {
    const name = `Unique ${Date.now()}`;
    expect((await t.request('POST', '/api/v1/tenants', { token: t.adminToken, body: { name } })).status).toBe(
      201,
    );
    const twice = await t.request('POST', '/api/v1/tenants', {
      token: t.adminToken,
      body: { name: name.toUpperCase() },
    });
    expect(twice.status).toBe(409);
    expect(twice.body.code).toBe('TENANT_NAME_TAKEN');
    const orphan = await t.request('POST', '/api/v1/users', {
      token: t.adminToken,
      body: {
        email: 'orphan@example.com',
        password: 'a-long-password',
        role: 'operator',
        tenant_id: `ten_${'a'.repeat(32)}`,
      },
    });
    expect(orphan.status).toBe(404);
    expect(orphan.body.code).toBe('TENANT_NOT_FOUND');
  });
});

describe('routing and documents', () => {
  it('answers health for every service without a token', async () => {
    const health = await t.request('GET', '/api/v1/health');
    expect(health.status).toBe(200);
    expect(health.body.services).toEqual({
      facility: 'up',
      parking: 'up',
      reservation: 'up',
      charging: 'up',
      billing: 'up',
      analytics: 'up',
    });
  });

  it('has no route to internal endpoints and none to unknown APIs', async () => {
    const facility = await t.registerFacility(acme.adminToken);
    for (const path of [
      `/api/v1/facilities/internal/${facility.facility_id}/config`,
      `/api/v1/parking/internal/spaces/spc_${'0'.repeat(32)}/status`,
      '/parking/internal/sessions/x',
      '/facilities/v1/register',
    ]) {
      const res = await t.request('GET', path, { token: t.adminToken });
      expect(res.status, path).toBe(404);
    }
    const unknown = await t.request('GET', '/api/v1/teleport/now', { token: t.adminToken });
    expect(unknown.status).toBe(404);
    expect(unknown.body.code).toBe('SERVICE_NOT_FOUND');
  });

  it('names the public path a client asked as the instance of a service’s problem', async () => {
    const missing = `pks_${'0'.repeat(32)}`;
    const res = await t.request('GET', `/api/v1/parking/sessions/${missing}?x=1`, { token: acme.adminToken });
    expect(res.status).toBe(404);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body).toMatchObject({
      code: 'SESSION_NOT_FOUND',
      instance: `/api/v1/parking/sessions/${missing}`,
    });
  });

  it('does not pass client-sent internal headers to the services', async () => {
    const facility = await t.registerFacility(acme.adminToken);
    const res = await t.request('GET', `/api/v1/parking/occupancy/${facility.facility_id}`, {
      token: acme.operatorToken,
      headers: { 'x-request-id': 'client-chosen', 'x-internal-tenant': 'other' },
    });
    expect(res.status).toBe(200);
    expect(res.headers['x-request-id']).toMatch(/^req_/);
  });

  it('serves one OpenAPI 3.1 document with every public route and no internal one, and the reference page', async () => {
    const doc = await t.request('GET', '/api/v1/openapi.json');
    expect(doc.status).toBe(200);
    expect(doc.body.openapi).toBe('3.1.0');
    const paths = Object.keys(doc.body.paths);
    expect(paths).toEqual(
      expect.arrayContaining([
        '/api/v1/auth/token',
        '/api/v1/facilities/register',
        '/api/v1/facilities/{facility_id}/pricing',
        '/api/v1/parking/sessions/entry',
        '/api/v1/parking/occupancy/{facility_id}',
        '/api/v1/analytics/occupancy/{facility_id}/stream',
        '/api/v1/analytics/forecast/{facility_id}',
      ]),
    );
    expect(paths.filter((p) => p.includes('internal'))).toEqual([]);
    expect(paths.every((p) => p.startsWith('/api/v1/'))).toBe(true);
    const page = await t.request('GET', '/docs');
    expect(page.status).toBe(200);
    expect(page.body).toContain('/docs/assets/start.js');
    expect(page.body).not.toMatch(/<script>/); // the policy allows no inline script
    expect((await t.request('GET', '/docs/assets/swagger-ui-bundle.js')).status).toBe(200);
    expect((await t.request('GET', '/docs/assets/start.js')).body).toContain('/api/v1/openapi.json');
  });

  it('sends security headers on its own answers and on the services’ it relays', async () => {
    for (const path of ['/api/v1/health', '/docs', `/api/v1/facilities`]) {
      const res = await t.request('GET', path, { token: acme.adminToken });
      expect(res.headers['x-content-type-options'], path).toBe('nosniff');
      expect(res.headers['x-frame-options'], path).toBe('SAMEORIGIN');
      expect(res.headers['strict-transport-security'], path).toContain('max-age=');
      expect(String(res.headers['content-security-policy']), path).toContain("script-src 'self'");
      expect(res.headers['x-powered-by'], path).toBeUndefined();
    }
  });

  it('refuses a body over the limit with 413 problem+json', async () => {
    const big = await t.request('POST', '/api/v1/parking/sessions/entry', {
      token: acme.operatorToken,
      body: { facility_id: 'x', registration_number: 'A'.repeat(1_100_000) },
    });
    expect(big.status).toBe(413);
    expect(big.body).toMatchObject({ code: 'PAYLOAD_TOO_LARGE', status: 413 });
    expect(big.headers['content-type']).toContain('application/problem+json');
  });

  it('answers CORS preflights and exposes the headers clients need', async () => {
    const res = await t.platform.gateway.app.inject({
      method: 'OPTIONS',
      url: '/api/v1/parking/sessions/entry',
      headers: { origin: 'https://app.example.com', 'access-control-request-method': 'POST' },
    });
    expect(res.statusCode).toBe(204);
    expect(res.headers['access-control-allow-origin']).toBe('https://app.example.com');
    expect(String(res.headers['access-control-expose-headers'])).toContain('ratelimit-remaining');
  });

  it('shows every service in one /metrics', async () => {
    await t.request('GET', '/api/v1/health');
    const metrics = await t.request('GET', '/metrics');
    expect(metrics.status).toBe(200);
    expect(metrics.body).toContain('service="gateway"');
    expect(metrics.body).toContain('service="facility"');
  });
});

describe('problem types', () => {
  it('resolve: every problem an API answers links to a page saying what its code means', async () => {
    const missing = await t.request('GET', `/api/v1/facilities/fac_${'0'.repeat(32)}`, {
      token: acme.adminToken,
    });
    expect(missing.body.type).toBe('/problems/facility-not-found');
    const page = await t.request('GET', missing.body.type);
    expect(page.status).toBe(200);
    expect(page.body).toContain('FACILITY_NOT_FOUND');
    expect(page.body).toContain('HTTP 404');
    const all = await t.request('GET', '/problems');
    const codes = all.body.map((p: { code: string }) => p.code);
    expect(codes).toEqual(
      expect.arrayContaining(['SPACE_OCCUPIED', 'VALIDATION_FAILED', 'EMAIL_TAKEN', 'PRICING_IN_THE_PAST']),
    );
    expect((await t.request('GET', '/problems/no-such-thing')).status).toBe(404);
  });
});
