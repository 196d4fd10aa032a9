/**
 * The route-access table, proven: every route of the table is called with every kind of caller,
 * through the gateway and at the owning service directly, and each is let through or refused
 * exactly as the table says. Generated from the table, so a new route is covered the day it is
 * added (and a route missing from the table stops its service from starting at all).
 */
import {
  accessOf,
  mayCall,
  newId,
  type Permission,
  type Principal,
  permissionNames,
  type RouteAccess,
  routeAccess,
} from '@easypark/kernel';
import { signToken } from '@easypark/platform';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';

interface Caller {
  name: string;
  principal: Principal | null;
}

const tenantId = newId('tenant');
const facilityId = newId('facility');
const callers: Caller[] = [
  { name: 'anonymous', principal: null },
  { name: 'platform_admin', principal: { sub: newId('user'), role: 'platform_admin' } },
  { name: 'tenant_admin', principal: { sub: newId('user'), role: 'tenant_admin', tenant_id: tenantId } },
  { name: 'operator', principal: { sub: newId('user'), role: 'operator', tenant_id: tenantId } },
  { name: 'driver', principal: { sub: newId('user'), role: 'driver', customer_id: newId('customer') } },
  ...permissionNames.map((permission: Permission) => ({
    name: `api_key[${permission}]`,
    principal: {
      sub: newId('apiKey'),
      role: 'api_key' as const,
      tenant_id: tenantId,
      facility_id: facilityId,
      permissions: [permission],
    },
  })),
  { name: 'service', principal: { sub: 'svc:test', role: 'service' } },
];

/** Which service answers a route, from its path. */
const ownerOf: Record<string, string> = {
  parking: 'parking',
  reservations: 'reservation',
  facilities: 'facility',
  charging: 'charging',
  billing: 'billing',
  analytics: 'analytics',
};

function serviceOf(url: string): string | null {
  if (url.startsWith('/api/') || url.startsWith('/docs') || url.startsWith('/problems')) return 'gateway';
  if (url === '/' || url.startsWith('/assets/')) return 'gateway'; // the web app
  const segment = /^\/([a-z-]+)\/(v1|internal)(\/|$)/.exec(url)?.[1];
  return segment ? ownerOf[segment]! : null; // null: every service has it (health, metrics)
}

/** A well-formed id of the right kind for each path parameter, of nothing that exists. */
function fill(url: string): string {
  return url.replace(/:([a-z_]+)/g, (_m, name: string) => {
    if (name === 'file') return 'start.js';
    if (name === 'slug') return 'not-found';
    const kinds: Record<string, Parameters<typeof newId>[0]> = {
      facility_id: 'facility',
      space_id: 'space',
      session_id: 'parkingSession',
      vehicle_id: 'vehicle',
      reservation_id: 'reservation',
      charging_session_id: 'chargingSession',
      parking_session_id: 'parkingSession',
      station_id: 'station',
      queue_id: 'queueEntry',
      invoice_id: 'invoice',
      payment_id: 'payment',
      promo_id: 'promoCode',
      alert_id: 'alert',
      customer_id: 'customer',
      charge_id: 'charge',
      tenant_id: 'tenant',
      key_id: 'apiKey',
      id: url.startsWith('/charging') ? 'station' : 'invoice',
    };
    const kind = kinds[name];
    if (!kind) throw new Error(`${url}: no id kind for :${name}; add it to the test`);
    return newId(kind);
  });
}

/** `/parking/v1/x` → `/api/v1/parking/x`; the gateway's own routes are already public paths. */
function publicPath(url: string): string {
  if (url.startsWith('/api/')) return url;
  return url.replace(/^\/([a-z-]+)\/v1(?=\/|$)/, '/api/v1/$1');
}

function expected(access: RouteAccess, caller: Caller): 'allowed' | 401 | 403 {
  if (access === 'public') return 'allowed';
  if (!caller.principal) return 401;
  return mayCall(caller.principal, access) ? 'allowed' : 403;
}

/**
 * The table's content, checked against the rules it must follow, written out here independently
 * of it: what is public, what is internal, what a driver may change, what a key may do.
 */
describe('the route-access table', () => {
  const entries = Object.entries(routeAccess);

  it('makes public only sign-in, sign-up, health, metrics and the API reference', () => {
    const open = entries.filter(([, a]) => a === 'public').map(([key]) => key);
    expect(open.sort()).toEqual(
      [
        'GET /healthz',
        'GET /readyz',
        'GET /metrics',
        'GET /openapi.json',
        'POST /api/v1/auth/token',
        'POST /api/v1/auth/register',
        'GET /api/v1/health',
        'GET /api/v1/openapi.json',
        'GET /docs',
        'GET /docs/assets/:file',
        'GET /problems',
        'GET /problems/:slug',
        'GET /',
        'GET /assets/:file',
      ].sort(),
    );
  });

  it('keeps every /internal/ route for services, and only those', () => {
    for (const [key, access] of entries)
      expect(access === 'internal', key).toBe(/^[A-Z]+ \/[a-z-]+\/internal\//.test(key));
  });

  it('gives API keys the machine routes only: gates, display boards, payment terminals, validators', () => {
    const keyed = entries
      .filter(([, a]) => typeof a === 'object' && a.key)
      .map(([key, a]) => `${(a as { key: string }).key} ${key}`);
    expect(keyed.sort()).toEqual(
      [
        'entries:record POST /parking/v1/sessions/entry',
        'exits:record POST /parking/v1/sessions/exit',
        'exits:record POST /parking/v1/sessions/:session_id/exit',
        'occupancy:read GET /parking/v1/occupancy/:facility_id',
        'occupancy:read GET /analytics/v1/occupancy/:facility_id',
        'occupancy:read GET /analytics/v1/occupancy/:facility_id/stream',
        'invoices:pay GET /billing/v1/invoices/:id',
        'invoices:pay GET /billing/v1/invoices/:invoice_id/print',
        'invoices:pay POST /billing/v1/invoices/:invoice_id/pay',
        'validations:create POST /billing/v1/validations',
      ].sort(),
    );
  });

  it('lets drivers change only their own things: vehicles, reservations, charging, payments, permits', () => {
    const driverWrites = entries
      .filter(([key, a]) => !key.startsWith('GET ') && typeof a === 'object' && a.roles.includes('driver'))
      .map(([key]) => key);
    for (const key of driverWrites)
      expect(key, `${key}: may a driver really do this?`).toMatch(
        /^(POST \/api\/v1\/auth\/logout|POST \/parking\/v1\/vehicles|POST \/reservations\/v1\/|POST \/charging\/v1\/(sessions|queue)|DELETE \/charging\/v1\/queue\/|POST \/billing\/v1\/(charges\/calculate|promo-codes\/redeem|permits|invoices\/:invoice_id\/pay)$)/,
      );
  });

  it('keeps users, machine clients, API keys and the audit log to admins', () => {
    for (const [key, access] of entries.filter(([k]) => /\/api\/v1\/(users|clients|api-keys|audit)/.test(k)))
      expect(access, key).toEqual({ roles: ['platform_admin', 'tenant_admin'] });
  });
});

describe('every route with every kind of caller, as the route-access table says', () => {
  let t: TestPlatform;
  const tokens = new Map<string, string>();

  beforeAll(async () => {
    t = await startTestPlatform();
    for (const caller of callers) {
      if (caller.principal) tokens.set(caller.name, await signToken(t.keys, caller.principal, 600));
    }
  });
  afterAll(() => t?.stop());

  const routes = Object.entries(routeAccess).map(([key, access]) => {
    const [method, url] = key.split(' ') as [string, string];
    return { method, url, access };
  });

  async function call(app: 'gateway' | string, method: string, path: string, caller: Caller) {
    const running = t.platform.services.get(app) ?? t.platform.gateway;
    const token = tokens.get(caller.name);
    const answer = await running.app.inject({
      method: method as 'GET',
      url: path,
      headers: token ? { authorization: `Bearer ${token}` } : {},
      ...(['POST', 'PUT', 'PATCH'].includes(method) ? { payload: {} } : {}),
    });
    return { status: answer.statusCode, code: answer.statusCode >= 400 ? answer.json().code : undefined };
  }

  it('has an entry for every route the services register, and no entry for a route that does not exist', () => {
    const apps = [...t.platform.services.values(), t.platform.gateway].map((s) => s.app);
    for (const { method, url } of routes) {
      const registered = apps.some((app) => app.hasRoute({ method: method as 'GET', url }));
      expect(registered, `${method} ${url} is in the table but no service has it`).toBe(true);
    }
  });

  it('lets through or refuses each caller at the gateway exactly as the table says', async () => {
    const mismatches: string[] = [];
    for (const { method, url, access } of routes) {
      if (access === 'internal') continue; // not reachable through the gateway at all: next test
      const owner = serviceOf(url);
      if (owner === null) continue; // every service's health and metrics: at the services, below
      const path = publicPath(fill(url));
      for (const caller of callers) {
        const want = expected(access, caller);
        const got = await call('gateway', method, path, caller);
        const ok = want === 'allowed' ? got.status !== 401 && got.status !== 403 : got.status === want;
        if (!ok)
          mismatches.push(
            `${caller.name} ${method} ${path}: ${got.status} ${got.code ?? ''}, wanted ${want}`,
          );
      }
    }
    expect(mismatches).toEqual([]);
  });

  it('lets through or refuses each caller at the service itself exactly as the table says', async () => {
    const mismatches: string[] = [];
    for (const { method, url, access } of routes) {
      const owner = serviceOf(url);
      const owners = owner === null ? [...t.platform.services.keys()] : [owner];
      for (const service of owners) {
        const path = fill(url);
        for (const caller of callers) {
          const want = expected(access, caller);
          const got = await call(service, method, path, caller);
          const ok = want === 'allowed' ? got.status !== 401 && got.status !== 403 : got.status === want;
          if (!ok)
            mismatches.push(
              `${caller.name} ${service} ${method} ${path}: ${got.status} ${got.code ?? ''}, wanted ${want}`,
            );
        }
      }
    }
    expect(mismatches).toEqual([]);
  });

  it('never reaches an internal route through the gateway, whoever calls', async () => {
    const internal = routes.filter((r) => r.access === 'internal');
    expect(internal.length).toBeGreaterThan(10);
    for (const { method, url } of internal) {
      const path = fill(url);
      // As it is, as a public path would name it, and climbing out of a public API with `..`.
      const climbs = [
        `/api/v1/parking/..${path}`,
        `/api/v1/parking/%2e%2e/%2E%2E${path}`,
        `/api/v1/parking/./..${path}`,
      ];
      for (const attempt of [path, `/api/v1${path}`, ...climbs]) {
        const got = await call('gateway', method, attempt, callers.find((c) => c.name === 'service')!);
        expect(got.status, `${method} ${attempt}`).toBe(404);
      }
    }
  });

  it('decides HEAD as GET', () => {
    expect(accessOf('HEAD', '/healthz')).toBe('public');
  });
});
