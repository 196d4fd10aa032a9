import { makeEvent, manualClock, newId } from '@easypark/kernel';
import { withTransaction } from '@easypark/platform';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPlatform, type TenantFixture, type TestPlatform } from '../../../test/support/platform.ts';
import { facilityEventHandlers } from '../src/events.ts';

// The facility service publishes facility.registered, facility.capacity.threshold and
// facility.operations.summary, and keeps its operations from parking's events.

const clock = manualClock('2026-03-10T09:30:00Z'); // 09:30 in London (GMT), 18:30 in Tokyo
let t: TestPlatform;
let acme: TenantFixture;

beforeAll(async () => {
  t = await startTestPlatform({ clock });
  acme = await t.createTenant();
});
afterAll(() => t?.stop());

async function outbox(type: string): Promise<any[]> {
  const { rows } = await t.platform.pools
    .get('facility')!
    .query('SELECT envelope FROM outbox WHERE type = $1 ORDER BY position', [type]);
  return rows.map((r) => r.envelope);
}

async function facilityWithSpaces(fields: Record<string, unknown>, spaces: number) {
  const facility = await t.registerFacility(acme.adminToken, fields);
  const bulk = await t.request('POST', '/api/v1/parking/spaces/bulk', {
    token: acme.adminToken,
    body: { facility_id: facility.facility_id, size: 'STANDARD', floor: 0, aisle: 'A', count: spaces },
  });
  expect(bulk.status).toBe(201);
  return facility;
}

const enter = (facilityId: string, plate: string) =>
  t.request('POST', '/api/v1/parking/sessions/entry', {
    token: acme.operatorToken,
    body: { facility_id: facilityId, registration_number: plate },
  });

describe('facility events', () => {
  it('announces a registered facility with its capacity, zone and currency', async () => {
    const facility = await t.registerFacility(acme.adminToken, { timezone: 'Asia/Tokyo', currency: 'JPY' });
    const event = (await outbox('facility.registered')).find((e) => e.subject === facility.facility_id);
    expect(event).toMatchObject({
      specversion: '1.0',
      source: '/services/facility',
      tenantid: acme.tenant_id,
      facilityid: facility.facility_id,
      data: {
        facility_id: facility.facility_id,
        timezone: 'Asia/Tokyo',
        currency: 'JPY',
        capacity: { total: 35 },
      },
    });
  });

  it('counts entries, exits, stay lengths and revenue per local day from parking events', async () => {
    const facility = await facilityWithSpaces(
      { capacity_breakdown: { compact: 0, standard: 4, large: 0 } },
      4,
    );
    const first = await enter(facility.facility_id, 'OPS 1');
    await enter(facility.facility_id, 'OPS 2');
    clock.advance(90 * 60_000);
    const exit = await t.request('POST', `/api/v1/parking/sessions/${first.body.session_id}/exit`, {
      token: acme.operatorToken,
      body: { charge_amount: 4.5 },
    });
    expect(exit.status).toBe(200);
    await t.drainEvents();
    const summary = await t.request('GET', `/api/v1/facilities/${facility.facility_id}/operations-summary`, {
      token: acme.operatorToken,
      query: { start_date: '2026-03-10', end_date: '2026-03-10' },
    });
    expect(summary.body).toMatchObject({
      total_entries: 2,
      total_transactions: 1,
      total_revenue: 4.5,
      average_session_duration: 1.5,
      peak_hours_analysis: { peak_hour: 9, busiest_hours: [{ hour: 9, entries: 2 }] },
    });
    expect(summary.body.days[0]).toMatchObject({
      date: '2026-03-10',
      entries: 2,
      exits: 1,
      peak_occupancy_rate: 50,
    });
    const status = await t.request('GET', `/api/v1/facilities/${facility.facility_id}/status`, {
      token: acme.operatorToken,
    });
    expect(status.body).toMatchObject({ occupied_spaces: 1, available_spaces: 3, occupancy_rate: 25 });
  });

  it('gets the same day whatever order a broker delivers parking events in', async () => {
    const facility = await t.registerFacility(acme.adminToken, {
      capacity_breakdown: { compact: 0, standard: 4, large: 0 },
    });
    const at = (minutes: number) =>
      new Date(Date.parse('2026-03-10T10:00:00Z') + minutes * 60_000).toISOString();
    const vehicle = (plate: string) => ({
      vehicle_id: newId('vehicle'),
      space_id: newId('space'),
      facility_id: facility.facility_id,
      session_id: newId('parkingSession'),
      registration_number: plate,
      vehicle_type: 'CAR',
      customer_id: null,
    });
    const a = vehicle('ORDER A');
    const b = vehicle('ORDER B');
    const entered = (v: typeof a, minutes: number, occupied: number) =>
      makeEvent('/services/parking', {
        type: 'parking.vehicle.entered',
        data: { ...v, space_size: 'STANDARD', timestamp: at(minutes), occupied_spaces: occupied },
      });
    const exited = makeEvent('/services/parking', {
      type: 'parking.vehicle.exited',
      data: {
        ...a,
        entry_time: at(0),
        exit_time: at(60),
        duration_hours: 1,
        charge_amount: 3,
        currency: 'USD',
        timestamp: at(60),
      },
    });
    // Sent as A in, B in, A out; handled as A in, A out, B in.
    const pool = t.platform.pools.get('facility')!;
    for (const event of [entered(a, 0, 1), exited, entered(b, 30, 2)]) {
      const handler = facilityEventHandlers[event.type as keyof typeof facilityEventHandlers]!;
      await withTransaction(pool, (tx) => handler(tx, event as any, () => {}));
    }
    const summary = await t.request('GET', `/api/v1/facilities/${facility.facility_id}/operations-summary`, {
      token: acme.operatorToken,
      query: { start_date: '2026-03-10', end_date: '2026-03-10' },
    });
    expect(summary.body.days[0]).toMatchObject({ entries: 2, exits: 1, peak_occupancy_rate: 50 });
    const status = await t.request('GET', `/api/v1/facilities/${facility.facility_id}/status`, {
      token: acme.operatorToken,
    });
    expect(status.body).toMatchObject({ occupied_spaces: 1, available_spaces: 3 });
  });

  it('raises facility.capacity.threshold once when occupancy crosses the facility’s threshold', async () => {
    const facility = await facilityWithSpaces(
      { capacity_breakdown: { compact: 0, standard: 4, large: 0 }, occupancy_alert_threshold: 75 },
      4,
    );
    for (const plate of ['TH 1', 'TH 2', 'TH 3', 'TH 4'])
      expect((await enter(facility.facility_id, plate)).status).toBe(201);
    await t.drainEvents();
    const events = (await outbox('facility.capacity.threshold')).filter(
      (e) => e.subject === facility.facility_id,
    );
    expect(events).toHaveLength(1);
    expect(events[0].data).toEqual({
      facility_id: facility.facility_id,
      occupancy_rate: 75,
      available_spaces: 1,
    });
  });

  it('publishes a day’s operations summary once that day is over in the facility’s time zone', async () => {
    const facility = await facilityWithSpaces({ timezone: 'Asia/Tokyo', currency: 'JPY' }, 2);
    clock.set('2026-03-11T10:00:00Z'); // 19:00 on the 11th in Tokyo
    const entry = await enter(facility.facility_id, 'DAY 1');
    await t.request('POST', `/api/v1/parking/sessions/${entry.body.session_id}/exit`, {
      token: acme.operatorToken,
      body: { charge_amount: 1200 },
    });
    await t.drainEvents();
    const background = t.platform.services.get('facility')!.background!;
    await background.run!();
    const mine = async () =>
      (await outbox('facility.operations.summary')).filter((e) => e.subject === facility.facility_id);
    expect(await mine()).toHaveLength(0); // the 11th is not over in Tokyo yet
    clock.set('2026-03-11T15:30:00Z'); // 00:30 on the 12th in Tokyo
    await background.run!();
    await background.run!();
    const summaries = await mine();
    expect(summaries).toHaveLength(1);
    expect(summaries[0].data).toEqual({
      facility_id: facility.facility_id,
      total_transactions: 1,
      revenue: 1200,
      date: '2026-03-11',
    });
  });
});
