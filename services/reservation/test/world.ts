import { manualClock } from '@easypark/kernel';

type ManualClock = ReturnType<typeof manualClock>;

import {
  startTestPlatform,
  type TenantFixture,
  type TestPlatform,
  type TestResponse,
} from '../../../test/support/platform.ts';

/** A platform on a manual clock with a tenant, a driver and helpers for reservations. */
export interface ReservationWorld {
  t: TestPlatform;
  clock: ManualClock;
  acme: TenantFixture;
  driver: { token: string; customer_id: string };
  /** A facility with `standard` STANDARD spaces (and 2 COMPACT), priced at 2.00/h + 1.50 reservation fee. */
  facility(
    fields?: Record<string, unknown>,
    standard?: number,
  ): Promise<{ facility_id: string; spaces: any[] }>;
  reserve(
    token: string,
    body: Record<string, unknown>,
    headers?: Record<string, string>,
  ): Promise<TestResponse>;
  confirm(token: string, id: string): Promise<TestResponse>;
  cancel(token: string, id: string, reason?: string): Promise<TestResponse>;
  get(token: string, id: string): Promise<TestResponse>;
  /** One round of the reservation service's expiry and no-show sweep, then all events delivered. */
  sweep(): Promise<void>;
  /** An ISO time `minutes` from the clock's now. */
  inMinutes(minutes: number): string;
}

export async function startReservationWorld(now = '2026-03-10T09:00:00Z'): Promise<ReservationWorld> {
  const clock = manualClock(now);
  const t = await startTestPlatform({ clock });
  const acme = await t.createTenant();
  const driver = await t.createDriver();
  return {
    t,
    clock,
    acme,
    driver,
    async facility(fields = {}, standard = 3) {
      const facility = await t.registerFacility(acme.adminToken, {
        capacity_breakdown: { compact: 2, standard, large: 0 },
        ...fields,
      });
      const spaces = [];
      for (const [size, count] of [
        ['STANDARD', standard],
        ['COMPACT', 2],
      ] as const) {
        if (count === 0) continue;
        const bulk = await t.request('POST', '/api/v1/parking/spaces/bulk', {
          token: acme.adminToken,
          body: { facility_id: facility.facility_id, size, floor: 0, aisle: size[0], count },
        });
        if (bulk.status !== 201) throw new Error(`spaces: ${JSON.stringify(bulk.body)}`);
        spaces.push(...bulk.body);
      }
      const price = await t.request('PUT', `/api/v1/facilities/${facility.facility_id}/pricing`, {
        token: acme.adminToken,
        body: { vehicle_type: 'CAR', hourly_rate: 2, reservation_fee: 1.5, billing_increment_minutes: 15 },
      });
      if (price.status !== 200 && price.status !== 201)
        throw new Error(`pricing: ${JSON.stringify(price.body)}`);
      return { facility_id: facility.facility_id, spaces };
    },
    reserve: (token, body, headers) =>
      t.request('POST', '/api/v1/reservations/create', { token, body, ...(headers ? { headers } : {}) }),
    confirm: (token, id) => t.request('POST', `/api/v1/reservations/${id}/confirm`, { token }),
    cancel: (token, id, reason) =>
      t.request('POST', `/api/v1/reservations/${id}/cancel`, { token, body: reason ? { reason } : {} }),
    get: (token, id) => t.request('GET', `/api/v1/reservations/${id}`, { token }),
    async sweep() {
      await t.platform.services.get('reservation')!.background!.run!();
      await t.drainEvents();
    },
    inMinutes: (minutes) => new Date(clock.now().getTime() + minutes * 60_000).toISOString(),
  };
}
