import type { AddressInfo } from 'node:net';
import {
  accessOf,
  type IdKind,
  idPrefixes,
  mayCall,
  newId,
  type Principal,
  permissionNames,
  type RouteAccess,
} from '@easypark/kernel';
import { type ChargePoint, createChargePoint } from '@easypark/simulator/chargepoint';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  startTestPlatform,
  type TenantFixture,
  type TestPlatform,
  type TestResponse,
} from '../support/platform.ts';

/**
 * Tenant isolation, proved against every route of the merged OpenAPI document.
 *
 * Tenant A gets one object of every kind a public route reaches by id (driver D1 parks, charges,
 * queues, reserves and is invoiced there). Then every operation whose path has a `{param}` is
 * called with tenant A's ids as each of tenant B's principals (tenant admin, operator, another
 * driver D2, an API key with every permission at B's facility). Each answer must be 404, or 403
 * when the route-access table denies the role the route outright; it must equal the answer for
 * a well-formed id that does not exist (status and problem code, and the body for the few
 * tenant-scoped views that answer 200); and it must carry none of tenant A's ids or names. A new
 * route with a parameter this file cannot fill, or a body it has none for, fails it.
 *
 * Then: A's ids in request bodies and queries; D2 against D1's own objects and lists; every list
 * route; tenant A's objects unchanged; API keys bound to their facility and revoked at once; and
 * last, the same requests as tenant A's own admin, answered 2xx (so they are realistic ones).
 *
 * By design, not isolation failures: drivers read any tenant's active facilities (the public
 * directory, occupancy, forecast, stations), and customers belong to no tenant, so routes keyed
 * by a customer id answer the caller's own view of that customer (see publicToDrivers and
 * customerViews).
 */

interface Caller {
  label: string;
  principal: Principal;
  token?: string;
  apiKey?: string;
}

interface Operation {
  method: string;
  /** As in the OpenAPI document: `/api/v1/parking/spaces/{facility_id}`. */
  path: string;
  key: string;
  params: string[];
  hasBody: boolean;
  access: RouteAccess | undefined;
}

const kindOfPrefix = new Map<string, IdKind>(
  Object.entries(idPrefixes).map(([kind, prefix]) => [prefix, kind as IdKind]),
);

const ghosts = new Map<string, string>();

/**
 * A well-formed id of the same kind that does not exist: the same one for the same id, so that a
 * write through one route (B's terms for a customer) is seen by the next like the real id's.
 */
function missingLike(id: string): string {
  const kind = kindOfPrefix.get(id.slice(0, 3));
  if (!kind || id[3] !== '_') throw new Error(`not an id: ${id}`);
  if (!ghosts.has(id)) ghosts.set(id, newId(kind));
  return ghosts.get(id)!;
}

/** `/api/v1/parking/spaces/{facility_id}` is decided as `/parking/v1/spaces/:facility_id`. */
function accessOfOperation(method: string, path: string): RouteAccess | undefined {
  const url = path.replace(/\{(\w+)\}/g, ':$1');
  const direct = accessOf(method, url);
  if (direct) return direct;
  const [, api, rest = ''] = /^\/api\/v1\/([^/]+)(\/.*)?$/.exec(url) ?? [];
  return api ? accessOf(method, `/${api}/v1${rest}`) : undefined;
}

const fillPath = (path: string, values: Record<string, string>) =>
  path.replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent(values[name]!));

const isoTime = /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)/g;

/** What an answer says, with the ids the request named and the clock's times masked. */
function gist(answer: TestResponse, named: string[]) {
  const code = typeof answer.body === 'object' && answer.body !== null ? (answer.body.code ?? null) : null;
  if (answer.status >= 300) return { status: answer.status, code };
  let text = typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body);
  for (const id of named) text = text.replaceAll(id, '<id>');
  return { status: answer.status, code, body: text.replace(isoTime, '<time>') };
}

const bodyText = (answer: TestResponse) =>
  typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body ?? null);

async function eventually(check: () => Promise<boolean> | boolean, what: string): Promise<void> {
  for (let attempt = 0; attempt < 200; attempt += 1) {
    if (await check()) return;
    await new Promise((done) => setTimeout(done, 25));
  }
  throw new Error(`timed out waiting for ${what}`);
}

let t: TestPlatform;
let endpoint: string;
const chargePoints: ChargePoint[] = [];
let tenantA: TenantFixture;
let tenantB: TenantFixture;
let adminA: Caller;
let operatorA: Caller;
let driver1: Caller & { customer_id: string };
let driver2: Caller & { customer_id: string };
let bCallers: Caller[];
let operations: Operation[];
/** Every GET route of the document without a path parameter. */
let listRoutes: string[];

/** Tenant A's objects (and driver D1's, who parks and charges at tenant A). */
const A = {
  facility: '',
  facilityName: '',
  facility2: '',
  facility2Name: '',
  space: '',
  spareSpace: '',
  vehicle: '',
  vehiclePlate: 'ISOTA1',
  closedSession: '',
  openSession: '',
  evSession: '',
  ev2Session: '',
  reservation: '',
  confirmationCode: '',
  station: '',
  stationName: 'Isolation charger A',
  stationPassword: '',
  chargingSession: '',
  queueEntry: '',
  invoice: '',
  draftInvoice: '',
  draftInvoice2: '',
  payment: '',
  promo: '',
  promoCode: 'ISOA10',
  alert: '',
  apiKey: '',
  apiKeyId: '',
  apiKeyName: 'Tenant A north gate',
  customer: '',
  tenant: '',
  /** D1's own vehicles. */
  plainVehicle: '',
  plainPlate: 'ISOD1P',
  evVehicle: '',
  evPlate: 'ISOD1EV',
  ev2Vehicle: '',
  ev2Plate: 'ISOD1EW',
};

/** Tenant B's own objects, for probes that mix B's and A's ids. */
const B = { facility: '', space: '', openSession: '', apiKey: '', plate: 'ISOTB1', d2Vehicle: '' };

async function call(
  caller: Caller | null,
  method: string,
  path: string,
  options: { body?: unknown; headers?: Record<string, string> } = {},
): Promise<TestResponse> {
  const headers: Record<string, string> = { ...(options.headers ?? {}) };
  if (caller?.apiKey) headers['x-api-key'] = caller.apiKey;
  return t.request(method, path, {
    ...(caller?.token ? { token: caller.token } : {}),
    headers,
    ...(options.body !== undefined ? { body: options.body } : {}),
  });
}

/** The answer, or a thrown error saying what went wrong while building fixtures. */
async function must(
  caller: Caller | null,
  method: string,
  path: string,
  body?: unknown,
  status?: number,
): Promise<any> {
  const answer = await call(caller, method, path, body === undefined ? {} : { body });
  const good = status === undefined ? answer.status >= 200 && answer.status < 300 : answer.status === status;
  if (!good) throw new Error(`${method} ${path} as ${caller?.label}: ${answer.status} ${bodyText(answer)}`);
  return answer.body;
}

/** Every id and name of tenant A's; none may appear in what tenant B is answered. */
function secretsOfA(): Map<string, string> {
  return new Map(Object.entries(A).filter(([, value]) => value.length >= 6) as [string, string][]);
}

const in30Days = () => new Date(Date.now() + 30 * 86_400_000).toISOString();

beforeAll(async () => {
  t = await startTestPlatform();
  const app = t.platform.gateway.app;
  await app.listen({ port: 0, host: '127.0.0.1' });
  endpoint = `ws://127.0.0.1:${(app.server.address() as AddressInfo).port}/ocpp`;

  tenantA = await t.createTenant();
  tenantB = await t.createTenant();
  A.tenant = tenantA.tenant_id;
  const d1 = await t.createDriver();
  const d2 = await t.createDriver();
  adminA = {
    label: 'A tenant_admin',
    token: tenantA.adminToken,
    principal: { sub: 'a-admin', role: 'tenant_admin', tenant_id: tenantA.tenant_id },
  };
  operatorA = {
    label: 'A operator',
    token: tenantA.operatorToken,
    principal: { sub: 'a-operator', role: 'operator', tenant_id: tenantA.tenant_id },
  };
  driver1 = {
    label: 'driver D1',
    token: d1.token,
    customer_id: d1.customer_id,
    principal: { sub: 'd1', role: 'driver', customer_id: d1.customer_id },
  };
  driver2 = {
    label: 'driver D2',
    token: d2.token,
    customer_id: d2.customer_id,
    principal: { sub: 'd2', role: 'driver', customer_id: d2.customer_id },
  };
  A.customer = d1.customer_id;

  // Tenant A: two facilities, prices, spaces.
  const f1 = await t.registerFacility(tenantA.adminToken);
  const f2 = await t.registerFacility(tenantA.adminToken);
  A.facility = f1.facility_id;
  A.facilityName = f1.name;
  A.facility2 = f2.facility_id;
  A.facility2Name = f2.name;
  for (const facility of [A.facility, A.facility2]) {
    await must(adminA, 'PUT', `/api/v1/facilities/${facility}/pricing`, {
      vehicle_type: 'CAR',
      hourly_rate: 2,
      reservation_fee: 1,
      ev_charging_rate_per_kwh: 0.45,
    });
    await must(operatorA, 'POST', '/api/v1/parking/spaces/bulk', {
      facility_id: facility,
      size: 'STANDARD',
      floor: 0,
      aisle: 'A',
      count: 10,
    });
  }
  const spaces = await must(operatorA, 'GET', `/api/v1/parking/spaces/${A.facility}`);
  A.space = spaces[0].space_id;
  A.spareSpace = (
    await must(operatorA, 'POST', '/api/v1/parking/spaces', {
      facility_id: A.facility,
      size: 'LARGE',
      location: { floor: 2, aisle: 'Z', number: 1 },
    })
  ).space_id;

  // Vehicles: one of tenant A's, three of driver D1's own.
  A.vehicle = (
    await must(operatorA, 'POST', '/api/v1/parking/vehicles', {
      registration_number: A.vehiclePlate,
      vehicle_type: 'CAR',
      is_electric: false,
      make: 'Isolation',
    })
  ).vehicle_id;
  const ownCar = (plate: string, electric: boolean) =>
    must(driver1, 'POST', '/api/v1/parking/vehicles', {
      registration_number: plate,
      vehicle_type: 'CAR',
      is_electric: electric,
      ...(electric ? { battery_capacity_kwh: 60, connector_type: 'TYPE2' } : {}),
    });
  A.plainVehicle = (await ownCar(A.plainPlate, false)).vehicle_id;
  A.evVehicle = (await ownCar(A.evPlate, true)).vehicle_id;
  A.ev2Vehicle = (await ownCar(A.ev2Plate, true)).vehicle_id;

  const enter = async (facility: string, plate: string) =>
    (
      await must(operatorA, 'POST', '/api/v1/parking/sessions/entry', {
        facility_id: facility,
        registration_number: plate,
      })
    ).session_id as string;
  const leave = (session: string, amount: number) =>
    must(operatorA, 'POST', `/api/v1/parking/sessions/${session}/exit`, { charge_amount: amount });

  // A closed visit of D1's: billing charges it and issues an invoice, which D1 pays in part.
  A.closedSession = await enter(A.facility, A.plainPlate);
  await leave(A.closedSession, 5);
  await t.drainEvents();
  const issued = await must(
    adminA,
    'GET',
    `/api/v1/billing/invoices?customer_id=${A.customer}&status=ISSUED`,
  );
  A.invoice = issued.find((i: any) => i.parking_session_id === A.closedSession).invoice_id;
  A.payment = (
    await must(driver1, 'POST', `/api/v1/billing/invoices/${A.invoice}/pay`, {
      payment_method: 'CREDIT_CARD',
      payment_token: 'tok_visa',
      amount: 1,
    })
  ).payment_id;

  // A billing account: D1 billed monthly for a while, which leaves two drafts (one per facility).
  await must(adminA, 'PUT', `/api/v1/billing/accounts/${A.customer}`, { billing_cycle: 'MONTHLY' });
  await leave(await enter(A.facility, A.plainPlate), 3);
  await leave(await enter(A.facility2, A.plainPlate), 3);
  await t.drainEvents();
  await must(adminA, 'PUT', `/api/v1/billing/accounts/${A.customer}`, {
    billing_cycle: 'PER_VISIT',
    payment_terms_days: 21,
  });
  const drafts = await must(adminA, 'GET', `/api/v1/billing/invoices?customer_id=${A.customer}&status=DRAFT`);
  A.draftInvoice = drafts.find((i: any) => i.facility_id === A.facility).invoice_id;
  A.draftInvoice2 = drafts.find((i: any) => i.facility_id === A.facility2).invoice_id;

  // Cars parked now: a plain one, and two electric ones.
  A.openSession = await enter(A.facility, A.plainPlate);
  A.evSession = await enter(A.facility, A.evPlate);
  A.ev2Session = await enter(A.facility, A.ev2Plate);

  // A charging station, connected; D1's first EV charges on it, the second queues for it.
  const station = await must(operatorA, 'POST', '/api/v1/charging/stations', {
    facility_id: A.facility,
    charger_level: 'LEVEL2',
    connector_type: 'TYPE2',
    power_rating_kw: 22,
    name: A.stationName,
  });
  A.station = station.station_id;
  A.stationPassword = station.ocpp_password;
  const cp = createChargePoint({
    endpoint,
    stationId: A.station,
    password: A.stationPassword,
    protocol: 'ocpp1.6',
    maxPowerKw: 22,
    meterStartWh: 1_000_000,
    onError: (error) => {
      throw error;
    },
  });
  await cp.connect();
  chargePoints.push(cp);
  await eventually(async () => {
    const view = await must(operatorA, 'GET', `/api/v1/charging/stations/${A.station}`);
    return view.status === 'AVAILABLE';
  }, 'the station to be available');
  await cp.plugIn({ idTag: A.evPlate, batteryKwh: 60, socPercent: 40 });
  A.chargingSession = (
    await must(
      driver1,
      'POST',
      '/api/v1/charging/sessions/start',
      {
        vehicle_id: A.evVehicle,
        parking_session_id: A.evSession,
        station_id: A.station,
        target_charge_percent: 80,
      },
      201,
    )
  ).charging_session_id;
  await eventually(() => cp.state.transactionId !== null, 'the transaction');
  A.queueEntry = (
    await must(driver1, 'POST', '/api/v1/charging/queue', {
      facility_id: A.facility,
      vehicle_id: A.ev2Vehicle,
      parking_session_id: A.ev2Session,
    })
  ).queue_id;

  // D1 reserves a space for tomorrow.
  const start = new Date(Date.now() + 26 * 3_600_000);
  const reservation = await must(driver1, 'POST', '/api/v1/reservations/create', {
    facility_id: A.facility,
    desired_space_size: 'STANDARD',
    start_time: start.toISOString(),
    end_time: new Date(start.getTime() + 2 * 3_600_000).toISOString(),
  });
  A.reservation = reservation.reservation_id;
  A.confirmationCode = reservation.confirmation_code ?? '';

  // A promo code, an alert, an API key.
  A.promo = (
    await must(adminA, 'POST', '/api/v1/billing/promo-codes', {
      code: A.promoCode,
      kind: 'PERCENTAGE',
      percent_off: 10,
      facility_id: A.facility,
      valid_until: in30Days(),
    })
  ).promo_id;
  await t.drainEvents();
  await must(adminA, 'PUT', `/api/v1/analytics/alerts/${A.facility}/thresholds`, {
    alert_type: 'HIGH_OCCUPANCY',
    raise_at: 1,
    clear_at: 0,
  });
  await t.drainEvents();
  await eventually(async () => {
    const alerts = await must(operatorA, 'GET', `/api/v1/analytics/alerts/${A.facility}`);
    A.alert = alerts[0]?.alert_id ?? '';
    return A.alert !== '';
  }, 'an alert');
  const key = await must(
    adminA,
    'POST',
    '/api/v1/api-keys',
    { name: A.apiKeyName, facility_id: A.facility, permissions: permissionNames },
    201,
  );
  A.apiKey = key.key;
  A.apiKeyId = key.key_id;

  // Tenant B: a facility with spaces, a car parked, an API key with every permission there.
  const adminB: Caller = {
    label: 'B tenant_admin',
    token: tenantB.adminToken,
    principal: { sub: 'b-admin', role: 'tenant_admin', tenant_id: tenantB.tenant_id },
  };
  const operatorB: Caller = {
    label: 'B operator',
    token: tenantB.operatorToken,
    principal: { sub: 'b-operator', role: 'operator', tenant_id: tenantB.tenant_id },
  };
  B.facility = (await t.registerFacility(tenantB.adminToken)).facility_id;
  const bSpaces = await must(operatorB, 'POST', '/api/v1/parking/spaces/bulk', {
    facility_id: B.facility,
    size: 'STANDARD',
    floor: 0,
    aisle: 'B',
    count: 5,
  });
  B.space = bSpaces[0].space_id;
  B.openSession = (
    await must(operatorB, 'POST', '/api/v1/parking/sessions/entry', {
      facility_id: B.facility,
      registration_number: B.plate,
    })
  ).session_id;
  B.apiKey = (
    await must(
      adminB,
      'POST',
      '/api/v1/api-keys',
      { name: 'Tenant B everything', facility_id: B.facility, permissions: permissionNames },
      201,
    )
  ).key;
  const keyB: Caller = {
    label: 'B api_key (all permissions)',
    apiKey: B.apiKey,
    principal: {
      sub: 'key-b',
      role: 'api_key',
      tenant_id: tenantB.tenant_id,
      facility_id: B.facility,
      permissions: [...permissionNames],
    },
  };
  bCallers = [adminB, operatorB, driver2, keyB];
  B.d2Vehicle = (
    await must(driver2, 'POST', '/api/v1/parking/vehicles', {
      registration_number: 'ISOD2EV',
      vehicle_type: 'CAR',
      is_electric: true,
      battery_capacity_kwh: 50,
      connector_type: 'TYPE2',
    })
  ).vehicle_id;
  await t.drainEvents();

  // Every operation of the merged document whose path has a parameter.
  const doc = (await call(null, 'GET', '/api/v1/openapi.json')).body;
  operations = [];
  listRoutes = Object.keys(doc.paths).filter((path) => doc.paths[path].get && !path.includes('{'));
  for (const [path, item] of Object.entries<any>(doc.paths)) {
    for (const [method, op] of Object.entries<any>(item)) {
      if (!['get', 'post', 'put', 'patch', 'delete'].includes(method) || !path.includes('{')) continue;
      const upper = method.toUpperCase();
      operations.push({
        method: upper,
        path,
        key: `${upper} ${path}`,
        params: [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!),
        hasBody: op.requestBody !== undefined,
        access: accessOfOperation(upper, path),
      });
    }
  }
}, 180_000);

afterAll(async () => {
  for (const cp of chargePoints) await cp.disconnect().catch(() => {});
  await t?.stop();
});

/**
 * The values of each path parameter: by name, or where the name alone is ambiguous, by the path
 * it is in. Every value is tried.
 */
function parameterValues(): { byPath: Array<[RegExp, string, string[]]>; byName: Record<string, string[]> } {
  return {
    byPath: [
      [/^\/api\/v1\/charging\/stations\/\{id\}$/, 'id', [A.station, A.facility]],
      [/^\/api\/v1\/billing\/invoices\/\{id\}$/, 'id', [A.invoice, A.customer]],
    ],
    byName: {
      key_id: [A.apiKeyId],
      facility_id: [A.facility],
      space_id: [A.space, A.spareSpace],
      vehicle_id: [A.vehicle],
      session_id: [A.closedSession, A.openSession],
      reservation_id: [A.reservation],
      station_id: [A.station],
      charging_session_id: [A.chargingSession],
      queue_id: [A.queueEntry],
      invoice_id: [A.invoice, A.draftInvoice],
      payment_id: [A.payment],
      customer_id: [A.customer],
      promo_id: [A.promo],
      alert_id: [A.alert],
    },
  };
}

function valuesOf(op: Operation, param: string): string[] | undefined {
  const { byPath, byName } = parameterValues();
  const contextual = byPath.find(([pattern, name]) => name === param && pattern.test(op.path));
  return contextual ? contextual[2] : byName[param];
}

/** Every combination of the parameters' values. */
function combinations(op: Operation): Array<Record<string, string>> {
  let combos: Array<Record<string, string>> = [{}];
  for (const param of op.params) {
    const values = valuesOf(op, param)!;
    combos = combos.flatMap((combo) => values.map((value) => ({ ...combo, [param]: value })));
  }
  return combos;
}

/**
 * The sweep's cases: tenant A's values against ids that do not exist; and where a path has
 * several parameters, one of them tenant B's own (B's facility with A's space) against B's
 * own with ids that do not exist.
 */
function casesOf(op: Operation) {
  const ownOfB: Record<string, string> = {
    facility_id: B.facility,
    space_id: B.space,
    session_id: B.openSession,
  };
  return combinations(op).flatMap((values) => {
    const missing = Object.fromEntries(Object.entries(values).map(([k, v]) => [k, missingLike(v)]));
    const mixed =
      op.params.length < 2
        ? []
        : op.params
            .filter((param) => ownOfB[param] !== undefined)
            .map((param) => ({
              values: { ...values, [param]: ownOfB[param]! },
              missing: { ...missing, [param]: ownOfB[param]! },
            }));
    return [{ values, missing }, ...mixed];
  });
}

/** A body tenant A's own admin would be answered 2xx with. */
const bodies: Record<string, unknown> = {
  'PATCH /api/v1/facilities/{facility_id}': { occupancy_alert_threshold: 85 },
  'PUT /api/v1/facilities/{facility_id}/pricing': {
    vehicle_type: 'CAR',
    hourly_rate: 2.5,
    ev_charging_rate_per_kwh: 0.45,
  },
  'PUT /api/v1/parking/spaces/{space_id}/status': { status: 'MAINTENANCE', reason: 'line repainting' },
  'POST /api/v1/parking/sessions/{session_id}/exit': {},
  'POST /api/v1/reservations/{reservation_id}/cancel': { reason: 'plans changed' },
  'PATCH /api/v1/charging/stations/{station_id}': { name: 'Renamed charger' },
  'POST /api/v1/charging/stations/{station_id}/maintenance': { reason: 'cable check' },
  'POST /api/v1/charging/stations/{station_id}/maintenance/end': { notes: 'cable fine' },
  'PUT /api/v1/charging/facilities/{facility_id}/power-limit': { max_power_kw: 100 },
  'POST /api/v1/charging/sessions/{charging_session_id}/stop': { reason: 'done' },
  'POST /api/v1/billing/invoices/{invoice_id}/pay': {
    payment_method: 'CREDIT_CARD',
    payment_token: 'tok_visa',
    amount: 1,
  },
  'POST /api/v1/billing/invoices/{invoice_id}/credit-notes': { amount: 0.5, reason: 'barrier fault' },
  'POST /api/v1/billing/payments/{payment_id}/refund': { amount: 0.5, reason: 'goodwill' },
  'PUT /api/v1/billing/accounts/{customer_id}': { billing_cycle: 'PER_VISIT', payment_terms_days: 30 },
  'POST /api/v1/analytics/occupancy/{facility_id}/import': [
    { timestamp: '2020-01-06T09:00:00Z', occupied_spaces: 3, capacity: 35 },
  ],
  'PUT /api/v1/analytics/alerts/{facility_id}/thresholds': {
    alert_type: 'HIGH_OCCUPANCY',
    raise_at: 1,
    clear_at: 0,
  },
};

/**
 * Routes a driver may call for any tenant's active facility, by design: the public directory
 * (facility, status, prices), current occupancy and forecast, and the charging stations to
 * choose from. Nothing private is in them.
 */
const publicToDrivers = new Set([
  'GET /api/v1/facilities',
  'GET /api/v1/facilities/{facility_id}',
  'GET /api/v1/facilities/{facility_id}/status',
  'GET /api/v1/facilities/{facility_id}/pricing',
  'GET /api/v1/parking/occupancy/{facility_id}',
  'GET /api/v1/analytics/occupancy/{facility_id}',
  'GET /api/v1/analytics/forecast/{facility_id}',
  'GET /api/v1/charging/stations/{id}',
]);

/**
 * Customers are the drivers' own, not a tenant's: routes keyed by a customer id answer the
 * caller's view of that customer (what the caller's tenant billed them, the caller's terms for
 * them), which is the same for a customer that does not exist.
 */
const customerViews = new Set([
  'GET /api/v1/billing/invoices/{id}',
  'GET /api/v1/billing/customer-summary/{customer_id}',
  'GET /api/v1/billing/accounts/{customer_id}',
  'PUT /api/v1/billing/accounts/{customer_id}',
]);

const requestFor = (op: Operation, values: Record<string, string>) => {
  const body = bodies[op.key];
  return { path: fillPath(op.path, values), ...(body !== undefined ? { body } : {}) };
};

/** Only what a caller may already know: what it sent. */
function leaks(answer: TestResponse, sent: string): string[] {
  const text = bodyText(answer);
  return [...secretsOfA()]
    .filter(([, secret]) => !sent.includes(secret) && text.includes(secret))
    .map(([name]) => name);
}

/** A's objects as A's admin sees them, minus what moves with the clock. */
async function snapshotOfA() {
  const volatile = /(_at|_time|timestamp|time_remaining|duration|estimated|as_of|wait|minutes|date)$/;
  const strip = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(strip);
    if (value && typeof value === 'object')
      return Object.fromEntries(
        Object.entries(value)
          .filter(([k]) => !volatile.test(k))
          .map(([k, v]) => [k, strip(v)]),
      );
    return value;
  };
  const paths = [
    `/api/v1/facilities/${A.facility}`,
    `/api/v1/facilities/${A.facility}/pricing`,
    `/api/v1/parking/spaces/${A.facility}/${A.space}`,
    `/api/v1/parking/spaces/${A.facility}/${A.spareSpace}`,
    `/api/v1/parking/vehicles/${A.vehicle}`,
    `/api/v1/parking/sessions/${A.closedSession}`,
    `/api/v1/parking/sessions/${A.openSession}`,
    `/api/v1/reservations/${A.reservation}`,
    `/api/v1/charging/stations/${A.station}`,
    `/api/v1/charging/stations/${A.station}/maintenance`,
    `/api/v1/charging/facilities/${A.facility}/power-limit`,
    `/api/v1/charging/queue/${A.queueEntry}`,
    `/api/v1/billing/invoices/${A.invoice}`,
    `/api/v1/billing/invoices/${A.draftInvoice}`,
    `/api/v1/billing/invoices/${A.draftInvoice2}`,
    `/api/v1/billing/payments/${A.payment}`,
    `/api/v1/billing/accounts/${A.customer}`,
    '/api/v1/billing/promo-codes',
    `/api/v1/analytics/alerts/${A.facility}`,
    `/api/v1/analytics/alerts/${A.facility}/thresholds`,
    `/api/v1/api-keys/${A.apiKeyId}`,
  ];
  const snapshot: Record<string, unknown> = {};
  for (const path of paths) snapshot[path] = strip(await must(adminA, 'GET', path));
  const charging = await must(adminA, 'GET', `/api/v1/charging/sessions/${A.chargingSession}`);
  snapshot.charging = { status: charging.status, station_id: charging.station_id };
  return snapshot;
}

/** Tenant A's objects before tenant B's requests (compared once B's requests are all made). */
let before: Record<string, unknown>;

describe('tenant B cannot reach tenant A’s objects through any route with an id in its path', () => {
  it('every path parameter of the OpenAPI document can be filled, and every operation has a rule', () => {
    expect(operations.length).toBeGreaterThan(50);
    const unfilled = operations.flatMap((op) =>
      op.params.filter((param) => valuesOf(op, param) === undefined).map((param) => `${op.key}: {${param}}`),
    );
    expect(unfilled, 'parameters this test cannot fill: add them to parameterValues()').toEqual([]);
    const ruleless = operations.filter((op) => op.access === undefined).map((op) => op.key);
    expect(ruleless, 'operations missing from the route-access table').toEqual([]);
    const bodiless = operations.filter((op) => op.hasBody && !(op.key in bodies)).map((op) => op.key);
    expect(bodiless, 'operations that need a body: add one to `bodies`').toEqual([]);
  });

  it('answers each of tenant B’s principals exactly as for an id that does not exist', async () => {
    before = await snapshotOfA();
    const failures: string[] = [];
    let checks = 0;
    const started = Date.now();
    for (const op of operations) {
      for (const { values, missing } of casesOf(op)) {
        const real = requestFor(op, values);
        const ghost = requestFor(op, missing);
        for (const caller of bCallers) {
          checks += 1;
          const answer = await call(caller, op.method, real.path, real);
          const control = await call(caller, op.method, ghost.path, ghost);
          const where = `${caller.label} ${op.method} ${real.path}`;
          const allowed =
            op.access === 'public' || (typeof op.access === 'object' && mayCall(caller.principal, op.access));
          const publicDirectory = caller.principal.role === 'driver' && publicToDrivers.has(op.key);
          if (publicDirectory) {
            if (answer.status !== 200)
              failures.push(`${where}: ${answer.status}, expected 200 (public to drivers)`);
            if (control.status !== 404) failures.push(`${where}: missing id answered ${control.status}`);
            continue;
          }
          if (!allowed) {
            if (answer.status !== 403 || answer.body?.code !== 'FORBIDDEN')
              failures.push(`${where}: ${answer.status} ${bodyText(answer)}, expected 403 (route denied)`);
          } else if (
            !(customerViews.has(op.key) && Object.values(values).some((v) => v.startsWith('cus_')))
          ) {
            if (answer.status !== 404)
              failures.push(`${where}: ${answer.status} ${bodyText(answer).slice(0, 300)}, expected 404`);
          }
          const named = [...Object.values(values), ...Object.values(missing)];
          const [seen, unseen] = [gist(answer, named), gist(control, named)];
          if (JSON.stringify(seen) !== JSON.stringify(unseen))
            failures.push(
              `${where}: ${JSON.stringify(seen)} differs from a missing id's ${JSON.stringify(unseen)}`,
            );
          const leaked = leaks(answer, real.path + JSON.stringify(real.body ?? null));
          if (leaked.length > 0) failures.push(`${where}: the answer names tenant A's ${leaked.join(', ')}`);
        }
      }
    }
    console.info(
      `tenant isolation: ${operations.length} operations, ${checks} principal × operation × id checks in ${Date.now() - started} ms`,
    );
    expect(failures).toEqual([]);
  });
});

describe('ids of tenant A in bodies and queries', () => {
  const soon = () => new Date(Date.now() + 26 * 3_600_000);
  const later = () => new Date(Date.now() + 28 * 3_600_000);
  const thisMonth = () => new Date().toISOString().slice(0, 7);

  /**
   * Requests of tenant B's principals that name tenant A's objects in the body or the query.
   * `swap`: what is A's in it, replaced for the control request by something that does not
   * exist. `lists`: a list filtered by A's id, which answers the caller's own (empty) list.
   * `notDrivers`: drivers may do this at any tenant's facility by design (book, buy a permit,
   * look at availability), so only staff and keys are checked.
   */
  const probes = (): Array<{
    method: string;
    path: string;
    body?: unknown;
    swap: string[];
    lists?: boolean;
    notDrivers?: boolean;
  }> => [
    {
      method: 'POST',
      path: '/api/v1/parking/sessions/entry',
      body: { facility_id: A.facility, registration_number: 'ISOX1' },
      swap: [A.facility],
    },
    {
      method: 'POST',
      path: '/api/v1/parking/sessions/entry',
      body: { facility_id: B.facility, vehicle_id: A.vehicle },
      swap: [A.vehicle],
    },
    {
      method: 'POST',
      path: '/api/v1/parking/sessions/entry',
      body: { facility_id: B.facility, registration_number: 'ISOX2', space_id: A.space },
      swap: [A.space],
    },
    {
      method: 'POST',
      path: '/api/v1/parking/sessions/exit',
      body: { facility_id: A.facility, registration_number: A.plainPlate },
      swap: [A.facility],
    },
    {
      method: 'POST',
      path: '/api/v1/parking/spaces',
      body: { facility_id: A.facility, size: 'COMPACT', location: { floor: 5, aisle: 'Q', number: 1 } },
      swap: [A.facility],
    },
    {
      method: 'POST',
      path: '/api/v1/parking/spaces/bulk',
      body: { facility_id: A.facility, size: 'COMPACT', floor: 5, aisle: 'Q', count: 2 },
      swap: [A.facility],
    },
    {
      method: 'POST',
      path: '/api/v1/parking/vehicles',
      body: { registration_number: 'ISOX3', vehicle_type: 'CAR', is_electric: false, tenant_id: A.tenant },
      swap: [A.tenant],
    },
    {
      method: 'GET',
      path: `/api/v1/parking/sessions?facility_id=${A.facility}`,
      swap: [A.facility],
      lists: true,
    },
    {
      method: 'GET',
      path: `/api/v1/parking/sessions?vehicle_id=${A.vehicle}`,
      swap: [A.vehicle],
      lists: true,
    },
    {
      method: 'GET',
      path: `/api/v1/parking/vehicles?registration_number=${A.vehiclePlate}`,
      swap: [A.vehiclePlate],
      lists: true,
    },
    {
      method: 'POST',
      path: '/api/v1/reservations/create',
      body: {
        facility_id: A.facility,
        customer_id: driver2.customer_id,
        desired_space_size: 'STANDARD',
        start_time: soon().toISOString(),
        end_time: later().toISOString(),
      },
      swap: [A.facility],
      notDrivers: true,
    },
    {
      method: 'GET',
      path: `/api/v1/reservations/availability?facility_id=${A.facility}&size=STANDARD&start_time=${soon().toISOString()}&end_time=${later().toISOString()}`,
      swap: [A.facility],
      notDrivers: true,
    },
    {
      method: 'GET',
      path: `/api/v1/reservations?facility_id=${A.facility}`,
      swap: [A.facility],
      lists: true,
    },
    {
      method: 'GET',
      path: `/api/v1/reservations?customer_id=${A.customer}`,
      swap: [A.customer],
      lists: true,
    },
    {
      method: 'POST',
      path: '/api/v1/charging/stations',
      body: {
        facility_id: A.facility,
        charger_level: 'LEVEL2',
        connector_type: 'TYPE2',
        power_rating_kw: 11,
      },
      swap: [A.facility],
    },
    {
      method: 'POST',
      path: '/api/v1/charging/sessions/start',
      body: {
        vehicle_id: A.evVehicle,
        parking_session_id: A.evSession,
        station_id: A.station,
        target_charge_percent: 80,
      },
      swap: [A.evVehicle, A.evSession],
    },
    {
      // The caller's own car with someone else's parking session.
      method: 'POST',
      path: '/api/v1/charging/sessions/start',
      body: {
        vehicle_id: B.d2Vehicle,
        parking_session_id: A.ev2Session,
        station_id: A.station,
        target_charge_percent: 80,
      },
      swap: [A.ev2Session],
    },
    {
      method: 'POST',
      path: '/api/v1/charging/sessions/start',
      body: {
        vehicle_id: A.plainVehicle,
        parking_session_id: A.closedSession,
        station_id: A.station,
        target_charge_percent: 80,
      },
      swap: [A.plainVehicle, A.closedSession],
    },
    {
      method: 'POST',
      path: '/api/v1/charging/queue',
      body: { facility_id: A.facility, vehicle_id: A.ev2Vehicle, parking_session_id: A.ev2Session },
      swap: [A.ev2Vehicle, A.ev2Session],
    },
    {
      method: 'POST',
      path: '/api/v1/charging/queue',
      body: { facility_id: A.facility, vehicle_id: B.d2Vehicle, parking_session_id: A.closedSession },
      swap: [A.closedSession],
    },
    { method: 'GET', path: `/api/v1/charging/queue?facility_id=${A.facility}`, swap: [A.facility] },
    {
      method: 'GET',
      path: `/api/v1/charging/availability?facility_id=${A.facility}`,
      swap: [A.facility],
      notDrivers: true,
    },
    {
      method: 'GET',
      path: `/api/v1/charging/sessions?facility_id=${A.facility}`,
      swap: [A.facility],
      lists: true,
    },
    {
      method: 'GET',
      path: `/api/v1/charging/sessions?parking_session_id=${A.evSession}`,
      swap: [A.evSession],
      lists: true,
    },
    {
      method: 'POST',
      path: '/api/v1/billing/charges/calculate',
      body: { parking_session_id: A.closedSession },
      swap: [A.closedSession],
    },
    {
      method: 'POST',
      path: '/api/v1/billing/charges/calculate',
      body: { parking_session_id: A.evSession, charging_session_id: A.chargingSession },
      swap: [A.evSession, A.chargingSession],
    },
    {
      method: 'POST',
      path: '/api/v1/billing/promo-codes/redeem',
      body: { code: A.promoCode, parking_session_id: A.openSession },
      swap: [A.openSession],
    },
    {
      // Tenant A's code on tenant B's own visit.
      method: 'POST',
      path: '/api/v1/billing/promo-codes/redeem',
      body: { code: A.promoCode, parking_session_id: B.openSession },
      swap: [A.promoCode],
    },
    {
      method: 'POST',
      path: '/api/v1/billing/validations',
      body: { parking_session_id: A.openSession, merchant_name: 'Cinema', free_hours: 1 },
      swap: [A.openSession],
    },
    {
      method: 'POST',
      path: '/api/v1/billing/promo-codes',
      body: {
        code: 'ISOB20',
        kind: 'PERCENTAGE',
        percent_off: 5,
        facility_id: A.facility,
        valid_until: in30Days(),
      },
      swap: [A.facility],
    },
    {
      method: 'POST',
      path: '/api/v1/billing/permits',
      body: { facility_id: A.facility, registration_number: 'ISOX4', month: thisMonth() },
      swap: [A.facility],
      notDrivers: true,
    },
    {
      method: 'GET',
      path: `/api/v1/billing/invoices?facility_id=${A.facility}`,
      swap: [A.facility],
      lists: true,
    },
    {
      method: 'GET',
      path: `/api/v1/billing/invoices?customer_id=${A.customer}`,
      swap: [A.customer],
      lists: true,
    },
    {
      method: 'GET',
      path: `/api/v1/billing/permits?facility_id=${A.facility}`,
      swap: [A.facility],
      lists: true,
    },
    {
      method: 'POST',
      path: '/api/v1/api-keys',
      body: { name: 'stolen', facility_id: A.facility, permissions: ['occupancy:read'] },
      swap: [A.facility],
    },
  ];

  const ghostOf = (value: string) =>
    /^[a-z]{3}_[0-9a-f]{32}$/.test(value) ? missingLike(value) : 'ISONONE9';

  it('answers each of tenant B’s principals as for an object that does not exist', async () => {
    const failures: string[] = [];
    let checks = 0;
    for (const probe of probes()) {
      let ghostText = JSON.stringify({ path: probe.path, body: probe.body ?? null });
      for (const value of probe.swap) ghostText = ghostText.replaceAll(value, ghostOf(value));
      const ghost = JSON.parse(ghostText) as { path: string; body: unknown };
      for (const caller of bCallers) {
        if (probe.notDrivers && caller.principal.role === 'driver') continue;
        checks += 1;
        const sent = probe.body === undefined ? {} : { body: probe.body };
        const answer = await call(caller, probe.method, probe.path, sent);
        const control = await call(
          caller,
          probe.method,
          ghost.path,
          ghost.body === null ? {} : { body: ghost.body },
        );
        const where = `${caller.label} ${probe.method} ${probe.path} ${JSON.stringify(probe.body ?? '')}`;
        const fine = [403, 404, ...(probe.lists ? [200] : [])];
        if (!fine.includes(answer.status))
          failures.push(`${where}: ${answer.status} ${bodyText(answer).slice(0, 300)}`);
        const named = [...probe.swap, ...probe.swap.map(ghostOf)];
        const [seen, unseen] = [gist(answer, named), gist(control, named)];
        if (JSON.stringify(seen) !== JSON.stringify(unseen))
          failures.push(`${where}: ${JSON.stringify(seen)} differs from ${JSON.stringify(unseen)}`);
        const leaked = leaks(answer, probe.path + JSON.stringify(probe.body ?? null));
        if (leaked.length > 0) failures.push(`${where}: the answer names tenant A's ${leaked.join(', ')}`);
      }
    }
    console.info(`tenant isolation: ${checks} principal × request checks with A's ids in bodies and queries`);
    expect(failures).toEqual([]);
  });
});

describe('a driver sees only their own vehicles, visits, reservations, charging and invoices', () => {
  const ownedByD1 = () => [
    `/api/v1/parking/vehicles/${A.plainVehicle}`,
    `/api/v1/parking/vehicles/${A.evVehicle}`,
    `/api/v1/parking/vehicles/${A.ev2Vehicle}`,
    `/api/v1/parking/sessions/${A.closedSession}`,
    `/api/v1/parking/sessions/${A.openSession}`,
    `/api/v1/parking/sessions/${A.evSession}`,
    `/api/v1/parking/sessions/${A.ev2Session}`,
    `/api/v1/reservations/${A.reservation}`,
    `/api/v1/charging/sessions/${A.chargingSession}`,
    `/api/v1/charging/queue/${A.queueEntry}`,
    `/api/v1/billing/invoices/${A.invoice}`,
    `/api/v1/billing/invoices/${A.invoice}/print`,
    `/api/v1/billing/invoices/${A.invoice}/payments`,
    `/api/v1/billing/invoices/${A.draftInvoice}`,
    `/api/v1/billing/invoices/${A.draftInvoice2}`,
    `/api/v1/billing/payments/${A.payment}`,
    `/api/v1/billing/customer-summary/${A.customer}`,
  ];

  it('D1 reads each of their objects; D2 is answered 404, as for an id that does not exist', async () => {
    const failures: string[] = [];
    for (const path of ownedByD1()) {
      const own = await call(driver1, 'GET', path);
      if (own.status !== 200) failures.push(`D1 GET ${path}: ${own.status} ${bodyText(own)}`);
      const id = /[a-z]{3}_[0-9a-f]{32}/.exec(path)![0];
      const answer = await call(driver2, 'GET', path);
      const control = await call(driver2, 'GET', path.replace(id, missingLike(id)));
      if (answer.status !== 404) failures.push(`D2 GET ${path}: ${answer.status} ${bodyText(answer)}`);
      if (JSON.stringify(gist(answer, [])) !== JSON.stringify(gist(control, [])))
        failures.push(
          `D2 GET ${path}: ${JSON.stringify(gist(answer, []))} vs ${JSON.stringify(gist(control, []))}`,
        );
      const leaked = leaks(answer, path);
      if (leaked.length > 0) failures.push(`D2 GET ${path}: names ${leaked.join(', ')}`);
    }
    expect(failures).toEqual([]);
  });

  it('another tenant’s staff do not see D1’s vehicles: D1 parked at tenant A only', async () => {
    const failures: string[] = [];
    for (const vehicle of [A.plainVehicle, A.evVehicle, A.ev2Vehicle]) {
      const path = `/api/v1/parking/vehicles/${vehicle}`;
      if ((await call(operatorA, 'GET', path)).status !== 200) failures.push(`A's operator GET ${path}`);
      for (const staff of bCallers.filter((c) => c.label.startsWith('B ') && !c.label.includes('api_key'))) {
        const answer = await call(staff, 'GET', path);
        if (answer.status !== 404 || answer.body.code !== 'VEHICLE_NOT_FOUND')
          failures.push(`${staff.label} GET ${path}: ${answer.status} ${bodyText(answer)}`);
      }
    }
    expect(failures).toEqual([]);
  });

  it('D2 cannot act on D1’s reservation, charging, queue place or invoice', async () => {
    const writes: Array<[string, string, unknown?]> = [
      ['POST', `/api/v1/reservations/${A.reservation}/confirm`],
      ['POST', `/api/v1/reservations/${A.reservation}/cancel`, { reason: 'not mine' }],
      ['POST', `/api/v1/charging/sessions/${A.chargingSession}/pause`],
      ['POST', `/api/v1/charging/sessions/${A.chargingSession}/stop`, {}],
      ['DELETE', `/api/v1/charging/queue/${A.queueEntry}`],
      [
        'POST',
        `/api/v1/billing/invoices/${A.invoice}/pay`,
        { payment_method: 'CREDIT_CARD', payment_token: 'tok_visa', amount: 1 },
      ],
    ];
    for (const [method, path, body] of writes) {
      const answer = await call(driver2, method, path, body === undefined ? {} : { body });
      expect(answer.status, `${method} ${path}`).toBe(404);
    }
  });

  it('D2’s lists hold none of D1’s objects, filtered or not; D1’s hold them', async () => {
    const lists = [
      '/api/v1/parking/vehicles',
      '/api/v1/parking/sessions',
      '/api/v1/reservations',
      '/api/v1/billing/invoices',
      '/api/v1/charging/sessions',
      '/api/v1/billing/permits',
    ];
    const filtered = [
      `/api/v1/parking/sessions?vehicle_id=${A.evVehicle}`,
      `/api/v1/parking/sessions?facility_id=${A.facility}`,
      `/api/v1/reservations?customer_id=${A.customer}`,
      `/api/v1/billing/invoices?customer_id=${A.customer}`,
      `/api/v1/billing/invoices/${A.customer}`,
      `/api/v1/billing/invoices/${driver2.customer_id}`,
      `/api/v1/charging/sessions?parking_session_id=${A.evSession}`,
      `/api/v1/charging/sessions?vehicle_id=${A.evVehicle}`,
    ];
    for (const path of [...lists, ...filtered]) {
      const answer = await call(driver2, 'GET', path);
      expect(answer.status, path).toBe(200);
      expect(Array.isArray(answer.body), path).toBe(true);
      expect(leaks(answer, path), path).toEqual([]);
    }
    const idsIn = async (path: string) =>
      (await must(driver1, 'GET', path)).map((row: any) =>
        Object.values(row).filter((v) => typeof v === 'string'),
      );
    expect((await idsIn(lists[0]!)).flat()).toEqual(
      expect.arrayContaining([A.plainVehicle, A.evVehicle, A.ev2Vehicle]),
    );
    expect((await idsIn(lists[1]!)).flat()).toEqual(
      expect.arrayContaining([A.closedSession, A.openSession, A.evSession, A.ev2Session]),
    );
    expect((await idsIn(lists[2]!)).flat()).toContain(A.reservation);
    expect((await idsIn(lists[3]!)).flat()).toEqual(
      expect.arrayContaining([A.invoice, A.draftInvoice, A.draftInvoice2]),
    );
    expect((await idsIn(lists[4]!)).flat()).toContain(A.chargingSession);
  });
});

describe('after every request of tenant B’s and of the other driver', () => {
  it('tenant A’s objects are as they were', async () => {
    expect(await snapshotOfA()).toEqual(before);
  });

  it('no list route answers tenant B’s principals anything of tenant A’s', async () => {
    const lists = operations.length > 0 ? listRoutes : [];
    expect(lists.length).toBeGreaterThan(10);
    const failures: string[] = [];
    for (const path of lists)
      for (const caller of bCallers) {
        if (caller.principal.role === 'driver' && publicToDrivers.has(`GET ${path}`)) continue;
        const answer = await call(caller, 'GET', path);
        if (answer.status >= 500) failures.push(`${caller.label} GET ${path}: ${answer.status}`);
        // B's audit trail holds the paths B itself called (with A's ids in them, by this test).
        if (path === '/api/v1/audit' && Array.isArray(answer.body))
          answer.body = answer.body.map(({ path: _called, ...row }: any) => row);
        const leaked = leaks(answer, '');
        if (leaked.length > 0)
          failures.push(`${caller.label} GET ${path}: names tenant A's ${leaked.join(', ')}`);
      }
    expect(failures).toEqual([]);
  });
});

describe('API keys act at their own facility only', () => {
  let key: string;
  let keyId: string;
  let keyCaller: Caller;
  let sessionAtF2: string;

  beforeAll(async () => {
    const issued = await must(
      adminA,
      'POST',
      '/api/v1/api-keys',
      { name: 'F1 gate reader', facility_id: A.facility, permissions: ['entries:record', 'occupancy:read'] },
      201,
    );
    expect(issued.key).toMatch(/^epk_/);
    key = issued.key;
    keyId = issued.key_id;
    keyCaller = {
      label: 'A key at F1',
      apiKey: key,
      principal: {
        sub: keyId,
        role: 'api_key',
        tenant_id: A.tenant,
        facility_id: A.facility,
        permissions: ['entries:record', 'occupancy:read'],
      },
    };
    sessionAtF2 = (
      await must(operatorA, 'POST', '/api/v1/parking/sessions/entry', {
        facility_id: A.facility2,
        registration_number: 'ISOF2CAR',
      })
    ).session_id;
  });

  it('records entries and reads occupancy at its facility', async () => {
    const entry = await call(keyCaller, 'POST', '/api/v1/parking/sessions/entry', {
      body: { facility_id: A.facility, registration_number: 'ISOKEY1' },
    });
    expect(entry.status, bodyText(entry)).toBe(201);
    const occupancy = await call(keyCaller, 'GET', `/api/v1/parking/occupancy/${A.facility}`);
    expect(occupancy.status).toBe(200);
    expect(occupancy.body.facility_id).toBe(A.facility);
  });

  it('at its tenant’s other facility it is answered as for a facility that does not exist', async () => {
    const ghost = missingLike(A.facility2);
    const pairs: Array<[string, string, (facility: string) => unknown]> = [
      ['POST', '/api/v1/parking/sessions/entry', (f) => ({ facility_id: f, registration_number: 'ISOKEY2' })],
      ['POST', '/api/v1/parking/sessions/exit', (f) => ({ facility_id: f, registration_number: 'ISOF2CAR' })],
    ];
    for (const [method, path, body] of pairs) {
      const answer = await call(keyCaller, method, path, { body: body(A.facility2) });
      const control = await call(keyCaller, method, path, { body: body(ghost) });
      // exits:record was not granted: 403 for both, before anything is looked up.
      expect(answer.status, `${method} ${path}`).toBe(path.endsWith('exit') ? 403 : 404);
      expect(gist(answer, [A.facility2, ghost]), path).toEqual(gist(control, [A.facility2, ghost]));
      expect(leaks(answer, JSON.stringify(body(A.facility2)))).toEqual([]);
    }
    for (const path of ['/api/v1/parking/occupancy/{f}', '/api/v1/analytics/occupancy/{f}']) {
      const answer = await call(keyCaller, 'GET', path.replace('{f}', A.facility2));
      const control = await call(keyCaller, 'GET', path.replace('{f}', ghost));
      expect(answer.status, path).toBe(404);
      expect(answer.body.code).toBe('FACILITY_NOT_FOUND');
      expect(gist(answer, [A.facility2, ghost])).toEqual(gist(control, [A.facility2, ghost]));
    }
  });

  it('exits at its facility need exits:record; a key with it cannot close a visit at the other facility', async () => {
    const exitKey = await must(
      adminA,
      'POST',
      '/api/v1/api-keys',
      { name: 'F1 exit reader', facility_id: A.facility, permissions: ['exits:record'] },
      201,
    );
    const exitCaller: Caller = {
      label: 'A exit key at F1',
      apiKey: exitKey.key,
      principal: keyCaller.principal,
    };
    const answer = await call(exitCaller, 'POST', `/api/v1/parking/sessions/${sessionAtF2}/exit`, {
      body: {},
    });
    const control = await call(
      exitCaller,
      'POST',
      `/api/v1/parking/sessions/${missingLike(sessionAtF2)}/exit`,
      {
        body: {},
      },
    );
    expect(answer.status).toBe(404);
    expect(gist(answer, [])).toEqual(gist(control, []));
    const byPlate = await call(exitCaller, 'POST', '/api/v1/parking/sessions/exit', {
      body: { facility_id: A.facility2, registration_number: 'ISOF2CAR' },
    });
    expect(byPlate.status).toBe(404);
    expect(byPlate.body.code).toBe('FACILITY_NOT_FOUND');
    const still = await must(operatorA, 'GET', `/api/v1/parking/sessions/${sessionAtF2}`);
    expect(still.exit_time ?? null).toBeNull();
  });

  it('is refused routes its permissions do not name, and key management', async () => {
    for (const [method, path] of [
      ['GET', `/api/v1/billing/invoices/${A.invoice}`],
      ['GET', `/api/v1/parking/sessions/${A.openSession}`],
      ['GET', `/api/v1/facilities/${A.facility}`],
      ['GET', '/api/v1/api-keys'],
      ['POST', '/api/v1/api-keys'],
    ] as const) {
      const answer = await call(keyCaller, method, path, method === 'POST' ? { body: {} } : {});
      expect(answer.status, `${method} ${path}`).toBe(403);
      expect(answer.body.code).toBe('FORBIDDEN');
    }
  });

  it('a tenant lists only its own keys, and the key itself is never shown again', async () => {
    const mine = await must(adminA, 'GET', '/api/v1/api-keys');
    expect(mine.map((k: any) => k.key_id)).toEqual(expect.arrayContaining([A.apiKeyId, keyId]));
    expect(mine.every((k: any) => k.tenant_id === A.tenant)).toBe(true);
    expect(JSON.stringify(mine)).not.toContain(key);
    const theirs = await call(bCallers[0]!, 'GET', '/api/v1/api-keys');
    expect(theirs.status).toBe(200);
    expect(leaks(theirs, '')).toEqual([]);
  });

  it('a revoked key is 401 at once, as is an unknown one', async () => {
    const revoked = await call(adminA, 'DELETE', `/api/v1/api-keys/${keyId}`);
    expect(revoked.status).toBe(204);
    const answer = await call(keyCaller, 'GET', `/api/v1/parking/occupancy/${A.facility}`);
    expect(answer.status).toBe(401);
    expect(answer.body.code).toBe('UNAUTHENTICATED');
    const unknown = await call(
      { ...keyCaller, apiKey: `epk_${'x'.repeat(43)}` },
      'GET',
      `/api/v1/parking/occupancy/${A.facility}`,
    );
    expect(unknown.status).toBe(401);
    const view = await must(adminA, 'GET', `/api/v1/api-keys/${keyId}`);
    expect(view.revoked_at).not.toBeNull();
  });
});

describe('the requests are realistic: tenant A’s own admin is answered 2xx to each', () => {
  /** Which of the values each mutation gets, and their order (the state each needs). */
  const writes: Array<[string, Record<string, () => string>?]> = [
    ['PATCH /api/v1/facilities/{facility_id}'],
    ['PUT /api/v1/facilities/{facility_id}/pricing'],
    ['PUT /api/v1/charging/facilities/{facility_id}/power-limit'],
    ['PUT /api/v1/parking/spaces/{space_id}/status', { space_id: () => A.spareSpace }],
    ['POST /api/v1/analytics/occupancy/{facility_id}/import'],
    ['POST /api/v1/analytics/alerts/{alert_id}/acknowledge'],
    ['PUT /api/v1/analytics/alerts/{facility_id}/thresholds'],
    ['PUT /api/v1/billing/accounts/{customer_id}'],
    ['POST /api/v1/reservations/{reservation_id}/confirm'],
    ['POST /api/v1/reservations/{reservation_id}/cancel'],
    ['POST /api/v1/charging/sessions/{charging_session_id}/pause'],
    ['POST /api/v1/charging/sessions/{charging_session_id}/resume'],
    ['POST /api/v1/charging/sessions/{charging_session_id}/stop'],
    ['DELETE /api/v1/charging/queue/{queue_id}'],
    ['POST /api/v1/charging/stations/{station_id}/maintenance'],
    ['POST /api/v1/charging/stations/{station_id}/maintenance/end'],
    ['PATCH /api/v1/charging/stations/{station_id}'],
    ['POST /api/v1/charging/stations/{station_id}/password'],
    ['POST /api/v1/billing/invoices/{invoice_id}/pay', { invoice_id: () => A.invoice }],
    ['POST /api/v1/billing/invoices/{invoice_id}/credit-notes', { invoice_id: () => A.invoice }],
    ['POST /api/v1/billing/payments/{payment_id}/refund'],
    ['POST /api/v1/billing/invoices/{invoice_id}/issue', { invoice_id: () => A.draftInvoice }],
    ['POST /api/v1/billing/invoices/{invoice_id}/cancel', { invoice_id: () => A.draftInvoice2 }],
    ['POST /api/v1/billing/promo-codes/{promo_id}/deactivate'],
    ['POST /api/v1/parking/sessions/{session_id}/exit', { session_id: () => A.openSession }],
    ['DELETE /api/v1/api-keys/{key_id}'],
  ];

  /** An SSE stream never ends: its status and type are read from the listening gateway, then it is closed. */
  async function streamAnswer(path: string): Promise<{ status: number; type: string }> {
    const { port } = t.platform.gateway.app.server.address() as AddressInfo;
    const abort = new AbortController();
    const answer = await fetch(`http://127.0.0.1:${port}${path}`, {
      headers: { authorization: `Bearer ${adminA.token}`, accept: 'text/event-stream' },
      signal: abort.signal,
    });
    abort.abort();
    return { status: answer.status, type: answer.headers.get('content-type') ?? '' };
  }

  it('every read with every value, then every write in an order that gives each the state it needs', async () => {
    const failures: string[] = [];
    let checks = 0;
    const check = async (op: Operation, values: Record<string, string>) => {
      checks += 1;
      const request = requestFor(op, values);
      if (op.key.endsWith('/stream')) {
        const answer = await streamAnswer(request.path);
        if (answer.status !== 200 || !answer.type.includes('text/event-stream'))
          failures.push(`${op.key}: ${answer.status} ${answer.type}`);
        return;
      }
      const answer = await call(adminA, op.method, request.path, request);
      if (answer.status < 200 || answer.status >= 300)
        failures.push(`${op.method} ${request.path}: ${answer.status} ${bodyText(answer).slice(0, 300)}`);
    };
    const planned = new Set(writes.map(([key]) => key));
    for (const op of operations.filter((o) => o.method === 'GET'))
      for (const values of combinations(op)) await check(op, values);
    for (const [key, chosen = {}] of writes) {
      const op = operations.find((o) => o.key === key);
      if (!op) {
        failures.push(`${key} is not in the OpenAPI document any more`);
        continue;
      }
      const values = Object.fromEntries(op.params.map((p) => [p, chosen[p]?.() ?? valuesOf(op, p)![0]!]));
      await check(op, values);
    }
    // Writes added since: their first values, last.
    for (const op of operations.filter((o) => o.method !== 'GET' && !planned.has(o.key)))
      await check(op, combinations(op)[0]!);
    console.info(`tenant isolation: tenant A's admin answered on ${checks} of the same requests`);
    expect(failures).toEqual([]);
  });
});
