import { readFileSync } from 'node:fs';
import { manualClock } from '@easypark/kernel';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPlatform, type TenantFixture, type TestPlatform } from '../../../test/support/platform.ts';

/**
 * History from an older system (the Birmingham open data imported through the API), what is
 * learnt from it (hourly and daily history, peak hours, the forecast), and the figures live
 * traffic adds up to: performance and the daily report written after local midnight.
 */

const csv = readFileSync(
  new URL('../../../datasets/birmingham-parking-2016-10-04_2016-11-30.csv', import.meta.url),
  'utf8',
);
const rowsOf = (carPark: string) => csv.split('\n').filter((line) => line.startsWith(`${carPark},`)).length;

// Thursday 2016-12-01, 00:00 in Birmingham: the morning after the data ends.
const clock = manualClock('2016-12-01T00:00:00Z');
let t: TestPlatform;
let acme: TenantFixture;
let facilityId: string;

beforeAll(async () => {
  t = await startTestPlatform({ clock });
  acme = await t.createTenant();
  facilityId = (
    await t.registerFacility(acme.adminToken, { capacity_breakdown: { compact: 0, standard: 577, large: 0 } })
  ).facility_id;
  await t.drainEvents();
});
afterAll(() => t.stop());

const analytics = <T = any>(
  method: string,
  path: string,
  token: string,
  options: { body?: unknown; type?: string } = {},
) =>
  t.request<T>(method, `/api/v1/analytics${path}`, {
    token,
    ...(options.body !== undefined ? { body: options.body } : {}),
    ...(options.type ? { headers: { 'content-type': options.type } } : {}),
  });

describe('importing history', () => {
  it('takes one car park of the Birmingham file, says what it skipped, and changes nothing the second time', async () => {
    const unnamed = await analytics('POST', `/occupancy/${facilityId}/import`, acme.adminToken, {
      body: csv,
      type: 'text/csv',
    });
    expect(unnamed.status).toBe(400);
    expect(unnamed.body.code).toBe('INVALID_IMPORT');
    const names = new Set(
      csv
        .trim()
        .split('\n')
        .slice(1)
        .map((line) => line.split(',')[0]),
    );
    expect(unnamed.body.car_parks).toEqual([...names].sort());
    expect(names.size).toBe(29);
    expect(
      (
        await analytics('POST', `/occupancy/${facilityId}/import?car_park=BHMBCCMKT01`, acme.operatorToken, {
          body: csv,
          type: 'text/csv',
        })
      ).status,
    ).toBe(403);

    const first = await analytics(
      'POST',
      `/occupancy/${facilityId}/import?car_park=BHMBCCMKT01`,
      acme.adminToken,
      {
        body: csv,
        type: 'text/csv',
      },
    );
    expect(first.status, JSON.stringify(first.body)).toBe(201);
    expect(first.body.accepted + first.body.skipped.total).toBe(rowsOf('BHMBCCMKT01'));
    expect(first.body.accepted).toBeGreaterThan(900);
    expect(first.body.other_car_parks).toBe(csv.trim().split('\n').length - 1 - rowsOf('BHMBCCMKT01'));
    expect(first.body.first_timestamp).toBe('2016-10-04T06:59:42.000Z'); // 07:59:42 in BST
    expect(first.body.gaps.length).toBeGreaterThan(0);
    const before = (
      await analytics(
        'GET',
        `/occupancy/${facilityId}/history?start_date=2016-10-01&end_date=2016-11-30&interval=DAILY`,
        acme.operatorToken,
      )
    ).body;
    const again = await analytics(
      'POST',
      `/occupancy/${facilityId}/import?car_park=BHMBCCMKT01`,
      acme.adminToken,
      {
        body: csv,
        type: 'text/csv',
      },
    );
    expect(again.body.accepted).toBe(first.body.accepted);
    const after = (
      await analytics(
        'GET',
        `/occupancy/${facilityId}/history?start_date=2016-10-01&end_date=2016-11-30&interval=DAILY`,
        acme.operatorToken,
      )
    ).body;
    expect(after).toEqual(before);
  });

  it('takes JSON rows with their own capacity, and refuses rows it cannot trust', async () => {
    const other = await t.registerFacility(acme.adminToken);
    const answer = await analytics('POST', `/occupancy/${other.facility_id}/import`, acme.adminToken, {
      body: [
        { timestamp: '2016-11-01T09:00:00Z', occupied_spaces: 10, capacity: 40 },
        { timestamp: '2016-11-01 10:00', occupied_spaces: 20, capacity: 40 },
        { timestamp: '2016-11-01T11:00:00Z', occupied_spaces: 50, capacity: 40 },
        { timestamp: '2016-11-01T12:00:00Z', occupied_spaces: -1, capacity: 40 },
        { timestamp: 'yesterday', occupied_spaces: 5, capacity: 40 },
      ],
    });
    expect(answer.status, JSON.stringify(answer.body)).toBe(201);
    expect(answer.body).toMatchObject({ accepted: 2, skipped: { total: 3 } });
    expect(Object.keys(answer.body.skipped.by_reason).sort()).toEqual([
      'ABOVE_CAPACITY',
      'NEGATIVE_OCCUPANCY',
      'UNPARSEABLE',
    ]);
    const hours = (
      await analytics(
        'GET',
        `/occupancy/${other.facility_id}/history?start_date=2016-11-01&end_date=2016-11-01`,
        acme.operatorToken,
      )
    ).body;
    expect(hours).toEqual([
      expect.objectContaining({
        timestamp: '2016-11-01T09:00:00.000Z',
        occupancy_rate: 25,
        available_spaces: 30,
      }),
      expect.objectContaining({
        timestamp: '2016-11-01T10:00:00.000Z',
        occupancy_rate: 50,
        available_spaces: 20,
      }),
    ]);
  });
});

describe('what the history tells', () => {
  it('hourly and daily history in local time', async () => {
    // Monday 14 November 2016 (GMT): the car park opens its counts around 08:00.
    const hours = (
      await analytics(
        'GET',
        `/occupancy/${facilityId}/history?start_date=2016-11-14&end_date=2016-11-14&interval=HOURLY`,
        acme.operatorToken,
      )
    ).body;
    expect(hours.length).toBeGreaterThanOrEqual(8);
    for (const h of hours) {
      expect(h.occupancy_rate).toBeGreaterThanOrEqual(0);
      expect(h.occupancy_rate).toBeLessThanOrEqual(h.peak_occupancy_rate);
    }
    const morning = hours.find((h: any) => h.timestamp === '2016-11-14T08:00:00.000Z');
    const afternoon = hours.find((h: any) => h.timestamp === '2016-11-14T13:00:00.000Z');
    expect(afternoon.occupancy_rate).toBeGreaterThan(morning.occupancy_rate);
    const days = (
      await analytics(
        'GET',
        `/occupancy/${facilityId}/history?start_date=2016-11-01&end_date=2016-11-30&interval=DAILY`,
        acme.operatorToken,
      )
    ).body;
    expect(days[0]).toMatchObject({ date: '2016-11-01', timestamp: '2016-11-01T00:00:00.000Z' });
    expect(days.length).toBeGreaterThan(20);
    const range = await analytics(
      'GET',
      `/occupancy/${facilityId}/history?start_date=2016-11-30&end_date=2016-11-01`,
      acme.operatorToken,
    );
    expect(range.body.code).toBe('INVALID_RANGE');
  });

  it('peak hours per weekday: the afternoon is busier than the early morning', async () => {
    const peaks = (
      await analytics(
        'GET',
        `/peak-hours/${facilityId}?start_date=2016-10-04&end_date=2016-11-30`,
        acme.operatorToken,
      )
    ).body;
    expect(peaks.peak_hours).toHaveLength(3);
    expect(peaks.least_busy_hours).toHaveLength(3);
    for (const p of peaks.peak_hours) expect(p.hour).toBeGreaterThanOrEqual(11);
    for (const q of peaks.least_busy_hours) expect(q.hour).toBeLessThanOrEqual(9);
    expect(peaks.seasonal_patterns.by_weekday).toHaveLength(7);
    expect(peaks.peak_occupancy.occupancy_rate).toBeGreaterThan(
      peaks.peak_hours[0].average_occupancy_rate - 0.01,
    );
  });

  it('forecasts the next day from it, with an interval and how often such intervals held', async () => {
    const answer = await analytics('GET', `/forecast/${facilityId}?hours_ahead=24`, acme.operatorToken);
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    const { forecast_points: points, model } = answer.body;
    expect(points).toHaveLength(24);
    expect(model.backtest_coverage).toBeGreaterThan(50);
    for (const p of points) {
      expect(p.confidence_level).toBe(80);
      expect(p.lower_occupancy).toBeLessThanOrEqual(p.predicted_occupancy);
      expect(p.upper_occupancy).toBeGreaterThanOrEqual(p.predicted_occupancy);
    }
    // Thursday 1 December: busier at 13:00 than at 08:00, like every weekday before it.
    const at = (iso: string) => points.find((p: any) => p.timestamp === iso).predicted_occupancy;
    expect(at('2016-12-01T13:00:00.000Z')).toBeGreaterThan(at('2016-12-01T08:00:00.000Z'));
    const driver = await t.createDriver();
    expect(
      (await analytics('GET', `/forecast/${facilityId}?hours_ahead=3`, driver.token)).body.forecast_points,
    ).toHaveLength(3);
    const empty = await t.registerFacility(acme.adminToken);
    await t.drainEvents();
    expect((await analytics('GET', `/forecast/${empty.facility_id}`, acme.operatorToken)).body.code).toBe(
      'NOT_ENOUGH_HISTORY',
    );
  });
});

describe('live traffic adds up', () => {
  it('to performance and, after local midnight, a daily report nobody asked for', async () => {
    const f = await t.registerFacility(acme.adminToken, {
      capacity_breakdown: { compact: 0, standard: 10, large: 0 },
    });
    const call = (method: string, path: string, body?: unknown) =>
      t.request(method, path, { token: acme.adminToken, ...(body !== undefined ? { body } : {}) });
    expect(
      (
        await call('POST', '/api/v1/parking/spaces/bulk', {
          facility_id: f.facility_id,
          size: 'STANDARD',
          floor: 0,
          aisle: 'A',
          count: 10,
        })
      ).status,
    ).toBe(201);
    expect([200, 201]).toContain(
      (
        await call('PUT', `/api/v1/facilities/${f.facility_id}/pricing`, {
          vehicle_type: 'CAR',
          hourly_rate: 2,
        })
      ).status,
    );
    clock.set('2016-12-01T09:00:00Z');
    const enter = async (plate: string) =>
      (
        await call('POST', '/api/v1/parking/sessions/entry', {
          facility_id: f.facility_id,
          registration_number: plate,
        })
      ).body.session_id;
    const first = await enter('PERF 1');
    await enter('PERF 2');
    await t.drainEvents(); // analytics samples the entries at 09:00, before the clock moves on
    clock.advance(90 * 60_000);
    const exit = await call('POST', `/api/v1/parking/sessions/${first}/exit`, {});
    expect(exit.body.charge_amount).toBe(4);
    await t.drainEvents();
    const revenueAlert = await analytics('PUT', `/alerts/${f.facility_id}/thresholds`, acme.adminToken, {
      body: { alert_type: 'HIGH_REVENUE', raise_at: 4, clear_at: 1, severity: 'INFO' },
    });
    expect(revenueAlert.status).toBe(200);
    const invoice = (await call('GET', `/api/v1/billing/invoices?facility_id=${f.facility_id}&status=ISSUED`))
      .body[0];
    const paid = await call('POST', `/api/v1/billing/invoices/${invoice.invoice_id}/pay`, {
      payment_method: 'CREDIT_CARD',
      payment_token: 'tok_visa',
      amount: 4,
    });
    expect(paid.status).toBe(201);
    await t.drainEvents();
    const revenueAlerts = () =>
      analytics('GET', `/alerts/${f.facility_id}?include_cleared=true`, acme.operatorToken).then((r) =>
        r.body.filter((a: any) => a.alert_type === 'HIGH_REVENUE'),
      );
    expect(await revenueAlerts()).toEqual([
      expect.objectContaining({ current_value: 4, threshold_value: 4, severity: 'INFO', active: true }),
    ]);

    const performance = (
      await analytics(
        'GET',
        `/performance/${f.facility_id}?start_date=2016-12-01&end_date=2016-12-01`,
        acme.operatorToken,
      )
    ).body;
    expect(performance).toMatchObject({
      total_transactions: 1,
      total_entries: 2,
      total_revenue: 4,
      currency: 'GBP',
      average_duration: 90,
      revenue_per_transaction: 4,
      peak_occupancy: 20,
      customer_satisfaction: null,
    });

    await t.platform.services.get('analytics')!.background!.run!();
    expect((await analytics('GET', `/reports/${f.facility_id}/daily`, acme.operatorToken)).body).toEqual([]);
    clock.set('2016-12-02T00:30:00Z'); // half past midnight in Birmingham
    await t.platform.services.get('analytics')!.background!.run!();
    // An hour without money: the revenue alert clears.
    expect(await revenueAlerts()).toEqual([
      expect.objectContaining({ active: false, cleared_at: expect.any(String) }),
    ]);
    const reports = (await analytics('GET', `/reports/${f.facility_id}/daily`, acme.operatorToken)).body;
    expect(reports).toEqual([
      expect.objectContaining({
        report_date: '2016-12-01',
        total_transactions: 1,
        total_revenue: 4,
        currency: 'GBP',
        average_session_duration: 90,
        peak_occupancy_rate: 20,
        peak_hour: 9,
      }),
    ]);
    await t.platform.services.get('analytics')!.background!.run!();
    expect((await analytics('GET', `/reports/${f.facility_id}/daily`, acme.operatorToken)).body).toHaveLength(
      1,
    );
  });
});

describe('the sweep', () => {
  it('samples each facility with no sample in the 5-minute slot, once, and leaves traffic’s samples alone', async () => {
    clock.set('2016-12-02T10:00:00Z');
    const call = (method: string, path: string, body?: unknown) =>
      t.request(method, path, { token: acme.adminToken, ...(body !== undefined ? { body } : {}) });
    const newFacility = async () =>
      (
        await t.registerFacility(acme.adminToken, {
          capacity_breakdown: { compact: 0, standard: 4, large: 0 },
        })
      ).facility_id as string;
    const busy = await newFacility();
    const idle = await newFacility();
    for (const facility_id of [busy, idle])
      expect(
        (
          await call('POST', '/api/v1/parking/spaces/bulk', {
            facility_id,
            size: 'STANDARD',
            floor: 0,
            aisle: 'S',
            count: 4,
          })
        ).status,
      ).toBe(201);
    clock.set('2016-12-02T10:01:00Z');
    const entry = await call('POST', '/api/v1/parking/sessions/entry', {
      facility_id: busy,
      registration_number: 'SWEEP 1',
    });
    expect(entry.status).toBe(201);
    await t.drainEvents();

    const pool = t.platform.pools.get('analytics')!;
    const query = pool.query;
    let samplesWritten = 0;
    pool.query = ((text: unknown, ...rest: unknown[]) => {
      if (typeof text === 'string' && text.includes('INSERT INTO occupancy_metrics')) samplesWritten++;
      return (query as (...args: unknown[]) => unknown).call(pool, text, ...rest);
    }) as typeof query;
    const sweep = t.platform.services.get('analytics')!.background!.run!;
    try {
      clock.set('2016-12-02T10:02:00Z');
      await sweep();
      expect(samplesWritten).toBeGreaterThan(0);
      const firstRound = samplesWritten;
      clock.set('2016-12-02T10:04:00Z');
      await sweep();
      expect(samplesWritten).toBe(firstRound); // the same slot: nothing to sample again
    } finally {
      pool.query = query;
    }
    const { rows } = await pool.query(
      `SELECT facility_id, occupied_spaces FROM occupancy_metrics
       WHERE timestamp = '2016-12-02T10:00:00Z' AND facility_id = ANY($1) ORDER BY facility_id = $2 DESC`,
      [[busy, idle], busy],
    );
    expect(rows).toEqual([
      { facility_id: busy, occupied_spaces: 1 },
      { facility_id: idle, occupied_spaces: 0 },
    ]);
  });
});
