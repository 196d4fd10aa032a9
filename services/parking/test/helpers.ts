import type { Clock } from '@easypark/kernel';
import {
  startTestPlatform,
  type TenantFixture,
  type TestPlatform,
  type TestResponse,
} from '../../../test/support/platform.ts';
import { type ParkingClient, parkingClient } from '../src/client.ts';

/** One platform per test file, with two tenants (A owns a facility), a driver and helpers for parking. */
export interface ParkingWorld {
  t: TestPlatform;
  a: TenantFixture;
  b: TenantFixture;
  driver: { token: string; customer_id: string };
  /** A's facility: capacity compact 10, standard 20, large 5, threshold as given. */
  facilityId: string;
  api<T = any>(
    method: string,
    path: string,
    token: string,
    body?: unknown,
    headers?: Record<string, string>,
  ): Promise<TestResponse<T>>;
  /** POST /sessions/entry as the given principal. */
  enter(
    token: string,
    body: Record<string, unknown>,
    headers?: Record<string, string>,
  ): Promise<TestResponse<any>>;
  /** Registers another facility of tenant A. */
  newFacility(fields?: Record<string, unknown>): Promise<string>;
  /** Creates spaces through the API and returns them. */
  row(
    facilityId: string,
    size: string,
    count: number,
    floor?: number,
    aisle?: string,
    start?: number,
  ): Promise<any[]>;
  /** Events the parking service wrote to its outbox, oldest first, optionally of one type. */
  events(
    type?: string,
  ): Promise<Array<{ type: string; subject?: string; tenantid?: string; facilityid?: string; data: any }>>;
  internal: ParkingClient;
  stop(): Promise<void>;
}

export async function startParkingWorld(
  facilityFields: Record<string, unknown> = {},
  options: { clock?: Clock } = {},
): Promise<ParkingWorld> {
  const t = await startTestPlatform(options);
  const a = await t.createTenant();
  const b = await t.createTenant();
  const driver = await t.createDriver();
  const api = <T>(
    method: string,
    path: string,
    token: string,
    body?: unknown,
    headers?: Record<string, string>,
  ) =>
    t.request<T>(method, `/api/v1/parking${path}`, {
      token,
      ...(body !== undefined ? { body } : {}),
      ...(headers ? { headers } : {}),
    });
  const newFacility = async (fields: Record<string, unknown> = {}) =>
    (await t.registerFacility(a.adminToken, fields)).facility_id as string;
  const facilityId = await newFacility(facilityFields);
  const pool = t.platform.pools.get('parking')!;
  // The facility service holds clients for every domain service: borrow its client for parking.
  const internal = parkingClient(t.platform.services.get('facility')!.runtime.client('parking'));

  return {
    t,
    a,
    b,
    driver,
    facilityId,
    api,
    enter: (token, body, headers) => api('POST', '/sessions/entry', token, body, headers),
    newFacility,
    async row(facility, size, count, floor = 0, aisle = 'A', start = 1) {
      const res = await api('POST', '/spaces/bulk', a.adminToken, {
        facility_id: facility,
        size,
        floor,
        aisle,
        count,
        start_number: start,
      });
      if (res.status !== 201) throw new Error(`bulk: ${res.status} ${JSON.stringify(res.body)}`);
      return res.body as any[];
    },
    async events(type) {
      const { rows } = await pool.query<{ envelope: any }>(
        `SELECT envelope FROM outbox WHERE ($1::text IS NULL OR type = $1) ORDER BY position`,
        [type ?? null],
      );
      return rows.map((r) => r.envelope);
    },
    internal,
    stop: () => t.stop(),
  };
}

/** An ISO time `h` hours ago, for buffered entries and backdated exits. */
export const hoursAgo = (h: number) => new Date(Date.now() - h * 3600_000).toISOString();
