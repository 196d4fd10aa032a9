import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, type JWK, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPlatform, type TenantFixture, type TestPlatform } from '../../../test/support/platform.ts';
import { parseRoleMap } from '../src/oidc.ts';

/**
 * A local OpenID Connect provider: its discovery document and its JWKS, whose keys the test
 * rotates. The gateway finds the JWKS through discovery, as it would at a real provider.
 */
interface LocalIssuer {
  url: string;
  /** The keys the JWKS publishes now. */
  publish(keys: JWK[]): void;
  fetches: number;
  close(): Promise<void>;
}

async function startIssuer(): Promise<LocalIssuer> {
  let published: JWK[] = [];
  const issuer = { fetches: 0 } as LocalIssuer;
  const server: Server = createServer((request, response) => {
    response.setHeader('content-type', 'application/json');
    if (request.url === '/.well-known/openid-configuration') {
      response.end(JSON.stringify({ issuer: issuer.url, jwks_uri: `${issuer.url}/jwks` }));
    } else if (request.url === '/jwks') {
      issuer.fetches += 1;
      response.end(JSON.stringify({ keys: published }));
    } else {
      response.statusCode = 404;
      response.end('{}');
    }
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  issuer.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  issuer.publish = (keys) => {
    published = keys;
  };
  issuer.close = () => new Promise((done) => server.close(() => done()));
  return issuer;
}

async function signingKey(kid: string) {
  const { privateKey, publicKey } = await generateKeyPair('RS256');
  const jwk = { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' };
  return { kid, privateKey, jwk };
}

type Key = Awaited<ReturnType<typeof signingKey>>;

const audience = 'easypark-api';

describe('tokens of an external OpenID Connect provider', () => {
  let issuer: LocalIssuer;
  let t: TestPlatform;
  let tenant: TenantFixture;
  let first: Key;
  let second: Key;

  const token = (
    key: Key,
    claims: Record<string, unknown>,
    options: { aud?: string; iss?: string; exp?: string } = {},
  ) =>
    new SignJWT(claims)
      .setProtectedHeader({ alg: 'RS256', kid: key.kid })
      .setIssuer(options.iss ?? issuer.url)
      .setAudience(options.aud ?? audience)
      .setIssuedAt()
      .setExpirationTime(options.exp ?? '10m')
      .sign(key.privateKey);

  beforeAll(async () => {
    issuer = await startIssuer();
    first = await signingKey('key-1');
    second = await signingKey('key-2');
    issuer.publish([first.jwk]);
    t = await startTestPlatform({
      oidc: {
        issuer: issuer.url,
        audience,
        roleClaim: 'groups',
        roleMap: parseRoleMap('parking-managers:tenant_admin,gate-staff:operator'),
        defaultRole: 'driver',
        tenantClaim: 'easypark_tenant',
        jwksCacheSeconds: 600,
        jwksCooldownSeconds: 0,
      },
    });
    tenant = await t.createTenant();
  });

  afterAll(async () => {
    await t?.stop();
    await issuer?.close();
  });

  it('maps the provider’s groups and tenant claim to our role and tenant', async () => {
    const manager = await token(first, {
      sub: 'alice@corp',
      name: 'Alice',
      groups: ['everyone', 'parking-managers'],
      easypark_tenant: tenant.tenant_id,
    });
    const created = { body: await t.registerFacility(manager) };
    expect(created.body.tenant_id).toBe(tenant.tenant_id);

    // The facility is the tenant's: its own tenant admin (signed in with a password) sees it.
    const listed = await t.request('GET', '/api/v1/facilities', { token: tenant.adminToken });
    expect(listed.body.map((f: any) => f.facility_id)).toContain(created.body.facility_id);

    // An operator of the same provider may not manage users (the route is for admins).
    const operator = await token(first, {
      sub: 'bob@corp',
      groups: ['gate-staff'],
      easypark_tenant: tenant.tenant_id,
    });
    expect((await t.request('GET', '/api/v1/users', { token: operator })).status).toBe(403);
    expect((await t.request('GET', '/api/v1/users', { token: manager })).status).toBe(200);
  });

  it('gives a provider’s driver the same customer id on every token', async () => {
    const plate = `OI${Math.floor(Math.random() * 1e5)}DC`;
    const one = await token(first, { sub: 'driver-123' });
    const registered = await t.request('POST', '/api/v1/parking/vehicles', {
      token: one,
      body: { registration_number: plate, vehicle_type: 'CAR', is_electric: false },
    });
    expect(registered.status).toBe(201);
    const again = await token(first, { sub: 'driver-123' });
    const mine = await t.request('GET', '/api/v1/parking/vehicles', { token: again });
    expect(mine.body.map((v: any) => v.vehicle_id)).toContain(registered.body.vehicle_id);
    const someoneElse = await token(first, { sub: 'driver-456' });
    const theirs = await t.request('GET', '/api/v1/parking/vehicles', { token: someoneElse });
    expect(theirs.body.map((v: any) => v.vehicle_id)).not.toContain(registered.body.vehicle_id);
  });

  it('refuses tokens for another audience, expired, unsigned by the provider, or without a tenant', async () => {
    const refused = async (jwt: string) => {
      const answer = await t.request('GET', '/api/v1/parking/vehicles', { token: jwt });
      expect(answer.status).toBe(401);
      expect(answer.body.code).toBe('UNAUTHENTICATED');
    };
    await refused(await token(first, { sub: 'x' }, { aud: 'someone-else' }));
    await refused(await token(first, { sub: 'x' }, { exp: '-2m' }));
    const stranger = await signingKey('key-1'); // same kid, other key: the signature is wrong
    await refused(await token(stranger, { sub: 'x' }));
    // An HMAC token claiming the provider as issuer: only the provider's asymmetric keys count.
    await refused(
      await new SignJWT({ sub: 'x' })
        .setProtectedHeader({ alg: 'HS256', kid: 'key-1' })
        .setIssuer(issuer.url)
        .setAudience(audience)
        .setExpirationTime('5m')
        .sign(new TextEncoder().encode('a shared secret anybody could pick')),
    );
    // A manager role without the tenant claim names no tenant to manage.
    await refused(await token(first, { sub: 'y', groups: ['parking-managers'] }));
  });

  it('picks up a rotated key and stops accepting the retired one', async () => {
    const before = await token(first, { sub: 'rotating-driver' });
    expect((await t.request('GET', '/api/v1/parking/vehicles', { token: before })).status).toBe(200);
    const fetchesBefore = issuer.fetches;

    // The provider rotates: key-2 signs from now on, key-1 is withdrawn.
    issuer.publish([second.jwk]);
    const after = await token(second, { sub: 'rotating-driver' });
    expect((await t.request('GET', '/api/v1/parking/vehicles', { token: after })).status).toBe(200);
    expect(issuer.fetches).toBe(fetchesBefore + 1); // an unknown kid made the gateway fetch the JWKS again

    const retired = await token(first, { sub: 'rotating-driver' });
    expect((await t.request('GET', '/api/v1/parking/vehicles', { token: retired })).status).toBe(401);
  });

  it('says the provider is unavailable (503) rather than refusing a token it cannot check', async () => {
    const third = await signingKey('key-3');
    await issuer.close();
    const answer = await t.request('GET', '/api/v1/parking/vehicles', {
      token: await token(third, { sub: 'late-driver' }),
    });
    expect(answer.status).toBe(503);
    expect(answer.body.code).toBe('IDENTITY_PROVIDER_UNAVAILABLE');
    // Our own tokens do not depend on the provider.
    expect((await t.request('GET', '/api/v1/tenants', { token: tenant.adminToken })).status).toBe(200);
  });
});
