import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPlatform, type TestPlatform } from '../../../test/support/platform.ts';
import { loadBirminghamProfile } from '../src/calibration.ts';
import { createArrivals, defaultBehaviour, type FacilitySpec, normalisePlate } from '../src/plan.ts';
import { createRandom } from '../src/random.ts';
import type { Summary } from '../src/report.ts';
import { startSimulator } from '../src/traffic.ts';

// A short accelerated run against the whole platform on a real port: cars must really have entered
// and left, charged over OCPP, booked (and not turned up), and paid, as the API tells afterwards.

const HOUR = 3_600_000;
const managerEmail = 'manager@simulated.example.com';
const managerPassword = 'simulator-test-manager';
// A Tuesday at 09:00 in London: the morning rush.
const start = new Date('2025-03-04T09:00:00Z');
const behaviour = {
  evShare: 0.5,
  chargeShare: 1,
  reservationShare: 0.5,
  noShowShare: 0.4,
  declineShare: 0.3,
};
const seed = 'simulator-test';

describe('a simulated morning at a car park', () => {
  let t: TestPlatform;
  let url: string;
  let token: string;
  let facilityId: string;
  let summary: Summary;
  let realStart: number;
  const get = async <T = any>(path: string, query: Record<string, string | number> = {}) => {
    const answer = await t.request<T>('GET', path, { token, query });
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    return answer.body;
  };

  beforeAll(async () => {
    // Reservations lapse into no-shows on the sweep; once a second here.
    process.env.RESERVATION_SWEEP_SECONDS = '1';
    t = await startTestPlatform({ rateLimits: { auth: 120, write: 1200, read: 2400 } });
    const app = t.platform.gateway.app;
    await app.listen({ port: 0, host: '127.0.0.1' });
    url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;

    const tenant = await t.request<any>('POST', '/api/v1/tenants', {
      token: t.adminToken,
      body: { name: 'Simulated' },
    });
    await t.request('POST', '/api/v1/users', {
      token: t.adminToken,
      body: {
        email: managerEmail,
        password: managerPassword,
        role: 'tenant_admin',
        tenant_id: tenant.body.tenant_id,
      },
    });
    token = await t.login(managerEmail, managerPassword);
    const facility = await t.registerFacility(token, {
      name: 'Moor Street',
      capacity_breakdown: { compact: 4, standard: 26, large: 0 },
      reservation_policy: { no_show_fee: 3 },
    });
    facilityId = facility.facility_id;
    const setUp = async (method: string, path: string, body: unknown) => {
      const answer = await t.request(method, path, { token, body });
      expect(answer.status, JSON.stringify(answer.body)).toBeLessThan(300);
    };
    await setUp('PUT', `/api/v1/facilities/${facilityId}/pricing`, {
      vehicle_type: 'CAR',
      hourly_rate: 2,
      billing_increment_minutes: 15,
      ev_charging_rate_per_kwh: 0.4,
      reservation_fee: 1,
    });
    for (const [size, count] of [
      ['COMPACT', 4],
      ['STANDARD', 26],
    ] as const)
      await setUp('POST', '/api/v1/parking/spaces/bulk', {
        facility_id: facilityId,
        size,
        floor: 0,
        aisle: size[0],
        count,
      });
    for (const station of [
      { charger_level: 'LEVEL2', connector_type: 'TYPE2', power_rating_kw: 22 },
      { charger_level: 'LEVEL2', connector_type: 'TYPE2', power_rating_kw: 22 },
      { charger_level: 'DCFC', connector_type: 'CCS', power_rating_kw: 50 },
    ])
      await setUp('POST', '/api/v1/charging/stations', { facility_id: facilityId, ...station });

    // Five simulated hours in about eighteen seconds: at twice that speed a loaded CI machine fell
    // so far behind that no booking lapsed and no card was declined in some runs.
    realStart = Date.now();
    const simulator = startSimulator({
      url,
      email: managerEmail,
      password: managerPassword,
      speed: 1000,
      seed,
      start,
      durationMs: 5 * HOUR,
      drivers: 8,
      authPerMinute: 60,
      keepAliveSeconds: 0,
      behaviour,
    });
    await simulator.ready;
    summary = await simulator.finished;
  }, 60_000);

  afterAll(async () => {
    await t?.stop();
  });

  it('recorded entries and exits through the gate, as the API reads them back', async () => {
    const sessions = await get<any[]>('/api/v1/parking/sessions', { facility_id: facilityId, limit: 200 });
    expect(summary.stats.arrivals).toBeGreaterThan(10);
    expect(summary.stats.warmStart).toBeGreaterThan(5);
    expect(sessions).toHaveLength(summary.stats.entries);
    expect(sessions.filter((s) => s.status === 'CLOSED')).toHaveLength(summary.stats.exits);
    expect(summary.stats.exits).toBeGreaterThan(5);
    // Cars placed at the start came in before it (their entries are back-dated).
    const earliest = Math.min(...sessions.map((s) => Date.parse(s.entry_time)));
    expect(earliest).toBeLessThan(realStart);
  });

  it('drove the cars the plan says (the same seed, the same traffic)', async () => {
    const spec: FacilitySpec = {
      key: 'Moor Street',
      capacity: { compact: 4, standard: 26, large: 0, total: 30 },
      timezone: 'Europe/London',
      country: 'GB',
      connectors: ['TYPE2', 'CCS'],
    };
    const plan = createArrivals(
      spec,
      loadBirminghamProfile(),
      { ...defaultBehaviour, ...behaviour },
      createRandom(seed),
      start.getTime(),
    );
    const expectedPlates: string[] = [];
    for (let visit = plan.next(); visit && visit.arriveAt < start.getTime() + 2 * HOUR; visit = plan.next())
      if (!visit.booking) expectedPlates.push(normalisePlate(visit.vehicle.plate));
    expect(expectedPlates.length).toBeGreaterThan(3);
    const sessions = await get<any[]>('/api/v1/parking/sessions', { facility_id: facilityId, limit: 200 });
    const recorded = sessions
      .map((s) => s.registration_number)
      .filter((plate) => expectedPlates.includes(plate));
    expect(recorded.sort()).toEqual([...expectedPlates].sort());
  });

  it('charged electric cars over OCPP, and the energy reached the charging service', async () => {
    const stations = await get<any[]>(`/api/v1/charging/stations/${facilityId}`);
    expect(stations.map((s) => s.vendor)).toEqual(['EasyParkPlus', 'EasyParkPlus', 'EasyParkPlus']);
    expect(new Set(stations.map((s) => s.ocpp_protocol))).toEqual(new Set(['ocpp1.6', 'ocpp2.0.1']));
    const sessions = await get<any[]>('/api/v1/charging/sessions', { facility_id: facilityId, limit: 100 });
    expect(sessions.length).toBe(summary.stats.chargingSessions);
    const completed = sessions.filter((s) => s.status === 'COMPLETED');
    expect(completed.length).toBeGreaterThan(0);
    expect(completed.every((s) => s.energy_delivered_kwh > 0)).toBe(true);
    const delivered = sessions.reduce((kwh, s) => kwh + s.energy_delivered_kwh, 0);
    expect(summary.stats.energyKwh).toBeCloseTo(delivered, 0);
  });

  it('took bookings: some drivers came with their code, some never did', async () => {
    expect(summary.stats.reservations).toBeGreaterThan(1);
    expect(summary.stats.noShows, JSON.stringify(summary.stats)).toBeGreaterThan(0);
    expect(summary.stats.reservationArrivals).toBeGreaterThan(0);
    const reservations = await get<any[]>('/api/v1/reservations', { facility_id: facilityId, limit: 100 });
    expect(reservations.filter((r) => r.status === 'FULFILLED').length).toBe(
      summary.stats.reservationArrivals,
    );
    // The reservation service marks a booking nobody came for once its arrival window is over.
    await expect
      .poll(
        async () =>
          (await get<any[]>('/api/v1/reservations', { facility_id: facilityId, limit: 100 })).filter(
            (r) => r.status === 'NO_SHOW',
          ).length,
        {
          timeout: 15_000,
          interval: 500,
        },
      )
      .toBeGreaterThan(0);
  });

  it('paid invoices in the sandbox, a declined card now and then', async () => {
    expect(summary.stats.payments).toBeGreaterThan(0);
    expect(summary.stats.declined, JSON.stringify(summary.stats)).toBeGreaterThan(0);
    const paid = await get<any[]>('/api/v1/billing/invoices', {
      facility_id: facilityId,
      status: 'PAID',
      limit: 100,
    });
    expect(paid.length).toBe(summary.stats.payments);
    expect(paid.every((i) => i.balance_due === 0 && i.amount_paid > 0)).toBe(true);
    // Drivers with the app paid theirs; drive-up visits were paid at the pay station.
    expect(paid.some((i) => i.customer_id !== null)).toBe(true);
    expect(paid.some((i) => i.customer_id === null)).toBe(true);
  });

  it('counted refusals by code and cleaned up after itself', async () => {
    expect(summary.stats.refusals.NETWORK_ERROR ?? 0).toBe(0);
    const keys = await get<any[]>('/api/v1/api-keys');
    expect(keys.length).toBeGreaterThan(0);
    expect(keys.every((k) => k.revoked_at !== null)).toBe(true);
    expect(summary.until).toBe(new Date(start.getTime() + 5 * HOUR).toISOString());
  });
});
