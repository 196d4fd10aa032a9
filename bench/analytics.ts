/**
 * The analytics service on its own (its database, an in-process bus only it listens to):
 *
 * - events ingested per second: entries, exits and space changes at 20 facilities, published
 *   by 16 concurrent publishers, each applied with its inbox record, samples, alerts and NOTIFY;
 * - history over a year of 5-minute samples for 100 facilities (10.5 million rows, written
 *   with generate_series, then rolled up as the service's sweep does): latency of HOURLY
 *   (a week), DAILY (a year) and peak hours (8 weeks), and the forecast fit on 8 weeks.
 */
import { randomBytes } from 'node:crypto';
import { type EventEnvelope, makeEvent, newId, systemClock } from '@easypark/kernel';
import {
  createLogger,
  createMemoryBus,
  createPool,
  dropDatabase,
  ensureDatabase,
  type RunningService,
  startService,
  tokenKeys,
  withDatabase,
} from '@easypark/platform';
import { fitForecastModel } from '../services/analytics/src/domain/forecast.ts';
import { analyticsService } from '../services/analytics/src/index.ts';
import * as store from '../services/analytics/src/store.ts';
import type { Result } from './support.ts';

const facilities = 100;
const yearOfSlots = 365 * 288;

async function analyticsAlone(serverUrl: string) {
  const database = `bench${randomBytes(3).toString('hex')}_analytics`;
  await ensureDatabase(serverUrl, database);
  const pool = createPool(withDatabase(serverUrl, database), { max: 20, name: 'analytics' });
  const bus = createMemoryBus();
  const keys = tokenKeys(randomBytes(32).toString('hex'));
  const service: RunningService = await startService(analyticsService, {
    logger: createLogger({ name: 'bench', level: 'warn' }),
    pool,
    bus,
    keys,
    clock: systemClock,
    clients: {},
  });
  return {
    pool,
    bus,
    service,
    async close() {
      await service.stop();
      await bus.close();
      await pool.end();
      await dropDatabase(serverUrl, database).catch(() => {});
    },
  };
}

const timed = async (work: () => Promise<unknown>, times: number) => {
  const latencies: number[] = [];
  for (let i = 0; i < times; i++) {
    const began = performance.now();
    await work();
    latencies.push(performance.now() - began);
  }
  latencies.sort((a, b) => a - b);
  const at = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))]!;
  return { p50: Math.round(at(0.5) * 100) / 100, p99: Math.round(at(0.99) * 100) / 100 };
};

export async function analyticsBench(label: string, serverUrl: string): Promise<Result[]> {
  const a = await analyticsAlone(serverUrl);
  try {
    const tenant = newId('tenant');
    const ids = Array.from({ length: facilities }, () => newId('facility'));
    await a.bus.publish(
      ids.map((facility_id, i) =>
        makeEvent('/services/facility', {
          type: 'facility.registered',
          tenantid: tenant,
          facilityid: facility_id,
          data: {
            facility_id,
            tenant_id: tenant,
            name: `Bench ${i}`,
            capacity: { compact: 0, standard: 500, large: 0, total: 500 },
            timezone: 'Europe/London',
            currency: 'GBP',
            occupancy_alert_threshold: 90,
          },
        }),
      ),
    );

    // Ingest: each visit is four events (entered, occupied, exited, released) at one of 20 facilities.
    const visits = 2000;
    const events: EventEnvelope[][] = [];
    for (let v = 0; v < visits; v++) {
      const facility_id = ids[v % 20]!;
      const space_id = newId('space');
      const session_id = newId('parkingSession');
      const entry = new Date(Date.now() - 3_600_000).toISOString();
      const exit = new Date().toISOString();
      const space = { space_id, facility_id, size: 'STANDARD' as const };
      const envelope = { tenantid: tenant, facilityid: facility_id };
      events.push([
        makeEvent('/services/parking', {
          type: 'parking.vehicle.entered',
          ...envelope,
          data: {
            vehicle_id: newId('vehicle'),
            space_id,
            facility_id,
            session_id,
            registration_number: `B${v}`,
            vehicle_type: 'CAR',
            space_size: 'STANDARD',
            customer_id: null,
            timestamp: entry,
          },
        }),
        makeEvent('/services/parking', {
          type: 'parking.space.occupied',
          ...envelope,
          data: { ...space, timestamp: entry },
        }),
        makeEvent('/services/parking', {
          type: 'parking.vehicle.exited',
          ...envelope,
          data: {
            vehicle_id: newId('vehicle'),
            space_id,
            session_id,
            facility_id,
            registration_number: `B${v}`,
            vehicle_type: 'CAR',
            customer_id: null,
            entry_time: entry,
            exit_time: exit,
            duration_hours: 1,
            charge_amount: 2.4,
            currency: 'GBP',
            timestamp: exit,
          },
        }),
        makeEvent('/services/parking', {
          type: 'parking.space.released',
          ...envelope,
          data: { ...space, timestamp: exit },
        }),
      ]);
    }
    const publishers = 16;
    const began = performance.now();
    await Promise.all(
      Array.from({ length: publishers }, async (_, p) => {
        for (let v = p; v < visits; v += publishers) await a.bus.publish(events[v]!);
      }),
    );
    const ingestSeconds = (performance.now() - began) / 1000;
    const ingested = visits * 4;

    // A year of 5-minute samples for 100 facilities, as the sampler would have written them.
    // The year up to today: within the samples' retention, which the service's sweep enforces.
    const today = new Date();
    const yearStart = new Date(
      Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate() - 365),
    );
    // A bulk load as an operator would do it: indexes built once after the rows, not row by row,
    // and the service's sweep stopped first (its samples need the unique index the load drops).
    await a.service.background?.stop();
    const loadBegan = performance.now();
    await a.pool.query('DROP INDEX occupancy_metrics_facility_time, occupancy_metrics_time_brin');
    await a.pool.query(
      `INSERT INTO occupancy_metrics (facility_id, timestamp, occupancy_rate, peak_occupancy_rate, occupied_spaces,
         capacity, available_spaces, source, created_at)
       SELECT f.id, s.at, r.rate, r.rate, round(r.rate * 5)::int, 500, 500 - round(r.rate * 5)::int, 'LIVE', now()
       FROM unnest($1::text[]) AS f (id)
       CROSS JOIN generate_series($2::timestamptz, $2::timestamptz + interval '5 minutes' * ($3 - 1), interval '5 minutes') AS s (at)
       CROSS JOIN LATERAL (SELECT round((50 + 35 * sin(extract(epoch FROM s.at) / 86400 * 2 * pi()) * CASE WHEN extract(isodow FROM s.at) > 5 THEN 0.5 ELSE 1 END)::numeric, 2) AS rate) AS r`,
      [ids, yearStart, yearOfSlots],
    );
    await a.pool.query(
      'CREATE UNIQUE INDEX occupancy_metrics_facility_time ON occupancy_metrics (facility_id, timestamp DESC)',
    );
    await a.pool.query(
      'CREATE INDEX occupancy_metrics_time_brin ON occupancy_metrics USING brin (timestamp)',
    );
    const loadSeconds = (performance.now() - loadBegan) / 1000;
    const rollBegan = performance.now();
    for (let month = 0; month < 13; month++) {
      const from = new Date(yearStart.getTime() + month * 28 * 86_400_000);
      await store.rollUpHours(a.pool, from, new Date(from.getTime() + 28 * 86_400_000));
    }
    const rollSeconds = (performance.now() - rollBegan) / 1000;
    const { rows } = await a.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM occupancy_metrics');
    await a.pool.query('ANALYZE');

    const facility = (await store.findFacility(a.pool, ids[42]!))!;
    const weekFrom = new Date(yearStart.getTime() + 180 * 86_400_000);
    const weekTo = new Date(weekFrom.getTime() + 7 * 86_400_000);
    const yearTo = new Date(yearStart.getTime() + 365 * 86_400_000);
    const hourly = await timed(
      () => store.hourlyHistory(a.pool, facility.facility_id, weekFrom, weekTo),
      200,
    );
    const daily = await timed(
      () => store.dailyHistory(a.pool, facility.facility_id, facility.timezone, yearStart, yearTo),
      50,
    );
    const peaks = await timed(
      () =>
        store.weekdayHourProfile(
          a.pool,
          facility.facility_id,
          facility.timezone,
          new Date(yearTo.getTime() - 56 * 86_400_000),
          yearTo,
        ),
      50,
    );
    const rawMonth = await timed(
      () =>
        store.samples(a.pool, facility.facility_id, weekFrom, new Date(weekFrom.getTime() + 30 * 86_400_000)),
      20,
    );
    // As the service fits it: 15-minute averages of the last 8 weeks.
    const history = await store.samples(
      a.pool,
      facility.facility_id,
      new Date(yearTo.getTime() - 56 * 86_400_000),
      yearTo,
      15,
    );
    const fit = await timed(async () => fitForecastModel(history, { timezone: facility.timezone }), 5);

    const size = `${facilities} facilities × a year of 5-minute samples (${rows[0]!.n.toLocaleString('en')} rows)`;
    return [
      {
        name: `analytics: events ingested/s (${label})`,
        value: Math.round(ingested / ingestSeconds),
        unit: 'events/s',
        detail: `${ingested} entry/occupied/exit/released events at 20 facilities, ${publishers} publishers`,
      },
      {
        name: `analytics: HOURLY history of a week, p50 (${label})`,
        value: hourly.p50,
        unit: 'ms',
        detail: `p99 ${hourly.p99} ms; ${size}`,
      },
      {
        name: `analytics: DAILY history of a year, p50 (${label})`,
        value: daily.p50,
        unit: 'ms',
        detail: `p99 ${daily.p99} ms; from the hourly rollup, grouped by local day`,
      },
      {
        name: `analytics: peak hours over 8 weeks, p50 (${label})`,
        value: peaks.p50,
        unit: 'ms',
        detail: `p99 ${peaks.p99} ms`,
      },
      {
        name: `analytics: a month of raw 5-minute samples, p50 (${label})`,
        value: rawMonth.p50,
        unit: 'ms',
        detail: `p99 ${rawMonth.p99} ms; 8,640 rows by the (facility, time) index`,
      },
      {
        name: `analytics: forecast fit on 8 weeks of history, p50 (${label})`,
        value: fit.p50,
        unit: 'ms',
        detail: `${history.length} 15-minute averages; the model is kept for an hour per facility`,
      },
      {
        name: `analytics: writing and rolling up the year (${label})`,
        value: Math.round(loadSeconds + rollSeconds),
        unit: 's',
        detail: `insert ${Math.round(loadSeconds)} s, hourly rollup ${Math.round(rollSeconds)} s (done once here; live, the sweep rolls up the last hour)`,
      },
    ];
  } finally {
    await a.close();
  }
}
