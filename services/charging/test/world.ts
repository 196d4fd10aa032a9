import type { AddressInfo } from 'node:net';
import type { Clock } from '@easypark/kernel';
import { type ChargePoint, createChargePoint, type OcppVersion } from '@easypark/simulator/chargepoint';
import {
  startTestPlatform,
  type TenantFixture,
  type TestPlatform,
  type TestResponse,
} from '../../../test/support/platform.ts';
import { centralSystems } from '../src/index.ts';
import type { CentralSystem } from '../src/ocpp/central.ts';

/**
 * A platform whose gateway listens on a real port (stations connect over WebSocket), a tenant
 * with a facility selling energy at 0.45 GBP/kWh, and helpers to park cars and run stations.
 * Given a clock, the platform and the stations start their time from it (move both together).
 */
export interface ChargingWorld {
  t: TestPlatform;
  acme: TenantFixture;
  other: TenantFixture;
  driver: { token: string; customer_id: string };
  facilityId: string;
  endpoint: string;
  central: CentralSystem;
  api<T = any>(method: string, path: string, token: string, body?: unknown): Promise<TestResponse<T>>;
  /** Registers a station through the API; answers its id and OCPP password. */
  station(fields?: Record<string, unknown>): Promise<{ station_id: string; ocpp_password: string }>;
  /** A simulated station for a registered one, connected and booted. */
  connect(
    station: { station_id: string; ocpp_password: string },
    protocol?: OcppVersion,
    maxPowerKw?: number,
  ): Promise<ChargePoint>;
  /** A driver's electric car parked at the facility: its vehicle and open parking session. */
  park(
    plate: string,
    vehicle?: Record<string, unknown>,
  ): Promise<{ vehicle_id: string; session_id: string; plate: string }>;
  /** Events the charging service wrote to its outbox, oldest first, optionally of one type. */
  events(type?: string): Promise<Array<{ type: string; data: any }>>;
  /** One round of the charging sweep, then every event delivered. */
  sweep(): Promise<void>;
  stop(): Promise<void>;
}

export async function startChargingWorld(options: { clock?: Clock } = {}): Promise<ChargingWorld> {
  const { clock } = options;
  const t = await startTestPlatform(clock ? { clock } : {});
  const app = t.platform.gateway.app;
  await app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = app.server.address() as AddressInfo;
  const endpoint = `ws://127.0.0.1:${port}/ocpp`;
  const acme = await t.createTenant();
  const other = await t.createTenant();
  const driver = await t.createDriver();
  const facility = await t.registerFacility(acme.adminToken, {
    capacity_breakdown: { compact: 0, standard: 40, large: 0 },
  });
  const facilityId = facility.facility_id as string;
  const bulk = await t.request('POST', '/api/v1/parking/spaces/bulk', {
    token: acme.adminToken,
    body: { facility_id: facilityId, size: 'STANDARD', floor: 0, aisle: 'E', count: 40 },
  });
  if (bulk.status !== 201) throw new Error(`spaces: ${JSON.stringify(bulk.body)}`);
  const price = await t.request('PUT', `/api/v1/facilities/${facilityId}/pricing`, {
    token: acme.adminToken,
    body: { vehicle_type: 'CAR', hourly_rate: 2, ev_charging_rate_per_kwh: 0.45 },
  });
  if (price.status !== 200 && price.status !== 201) throw new Error(`pricing: ${JSON.stringify(price.body)}`);

  const runtime = t.platform.services.get('charging')!.runtime;
  const pool = t.platform.pools.get('charging')!;
  const chargePoints: ChargePoint[] = [];

  const api = <T = any>(method: string, path: string, token: string, body?: unknown) =>
    t.request<T>(method, `/api/v1/charging${path}`, { token, ...(body !== undefined ? { body } : {}) });

  return {
    t,
    acme,
    other,
    driver,
    facilityId,
    endpoint,
    central: centralSystems.get(runtime)!,
    api,
    async station(fields = {}) {
      const answer = await api('POST', '/stations', acme.operatorToken, {
        facility_id: facilityId,
        charger_level: 'LEVEL2',
        connector_type: 'TYPE2',
        power_rating_kw: 22,
        ...fields,
      });
      if (answer.status !== 201) throw new Error(`station: ${JSON.stringify(answer.body)}`);
      return answer.body;
    },
    async connect(station, protocol = 'ocpp1.6', maxPowerKw = 22) {
      const cp = createChargePoint({
        endpoint,
        stationId: station.station_id,
        password: station.ocpp_password,
        protocol,
        maxPowerKw,
        meterStartWh: 1_000_000,
        ...(clock ? { now: () => clock.now() } : {}),
        onError: (error) => {
          throw error;
        },
      });
      await cp.connect();
      chargePoints.push(cp);
      await eventually(async () => {
        const view = await api('GET', `/stations/${station.station_id}`, acme.operatorToken);
        return view.body.connector_status === 'Available' && view.body.status === 'AVAILABLE';
      });
      return cp;
    },
    async park(plate, vehicle = {}) {
      const registered = await t.request('POST', '/api/v1/parking/vehicles', {
        token: driver.token,
        body: {
          registration_number: plate,
          vehicle_type: 'CAR',
          is_electric: true,
          battery_capacity_kwh: 60,
          connector_type: 'TYPE2',
          ...vehicle,
        },
      });
      if (registered.status !== 201) throw new Error(`vehicle: ${JSON.stringify(registered.body)}`);
      const entry = await t.request('POST', '/api/v1/parking/sessions/entry', {
        token: acme.operatorToken,
        body: { facility_id: facilityId, registration_number: plate },
      });
      if (entry.status !== 201) throw new Error(`entry: ${JSON.stringify(entry.body)}`);
      return { vehicle_id: registered.body.vehicle_id, session_id: entry.body.session_id, plate };
    },
    async events(type) {
      const { rows } = await pool.query<{ envelope: any }>(
        'SELECT envelope FROM outbox WHERE ($1::text IS NULL OR type = $1) ORDER BY position',
        [type ?? null],
      );
      return rows.map((r) => r.envelope);
    },
    async sweep() {
      await t.platform.services.get('charging')!.background!.run!();
      await t.drainEvents();
    },
    async stop() {
      for (const cp of chargePoints) await cp.disconnect().catch(() => {});
      await t.stop();
    },
  };
}

/** Polls until `check` holds (stations answer asynchronously); fails after a few seconds. */
export async function eventually(check: () => Promise<boolean> | boolean, what = 'condition'): Promise<void> {
  for (let attempt = 0; attempt < 200; attempt += 1) {
    if (await check()) return;
    await new Promise((done) => setTimeout(done, 25));
  }
  throw new Error(`timed out waiting for ${what}`);
}
