import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { addDays, localMidnight, localParts } from '@easypark/kernel';
import { everySeconds, type ServiceDefinition, type ServiceRuntime } from '@easypark/platform';
import { slotOf } from './domain/occupancy.ts';
import { dayOfHours } from './domain/patterns.ts';
import { analyticsEventHandlers } from './events.ts';
import { type Forecaster, forecaster } from './forecaster.ts';
import { type LiveFeed, liveFeed } from './live.ts';
import { checkRevenueAlert, currentSnapshot } from './monitor.ts';
import { alertRoutes } from './routes/alerts.ts';
import { insightRoutes } from './routes/insights.ts';
import { occupancyRoutes } from './routes/occupancy.ts';
import { type AnalyticsSettings, analyticsSettings } from './settings.ts';
import * as store from './store.ts';

/** Each running analytics service's parts, built once per runtime. */
const parts = new WeakMap<
  ServiceRuntime,
  { settings: AnalyticsSettings; feed: LiveFeed; forecasts: Forecaster }
>();

function partsOf(runtime: ServiceRuntime) {
  let p = parts.get(runtime);
  if (!p) {
    const settings = analyticsSettings();
    p = { settings, feed: liveFeed(runtime.pool, runtime.logger), forecasts: forecaster(runtime, settings) };
    parts.set(runtime, p);
  }
  return p;
}

export const analyticsService: ServiceDefinition = {
  name: 'analytics',
  title: 'EasyParkPlus Monitoring & Analytics service',
  description:
    'Live occupancy (with a Server-Sent Events stream), occupancy history, peak hours, performance, daily reports, ' +
    'alerts with thresholds and hysteresis, imports of older history, and occupancy forecasts. Built from events ' +
    'only: parking.vehicle.entered/exited, parking.space.*, charging.session.started/completed, ' +
    'charging.station.status.changed, billing.payment.received/refunded and facility.registered/updated. ' +
    'Publishes no events.',
  migrationsDir: join(dirname(fileURLToPath(import.meta.url)), 'migrations'),
  async routes(app, runtime) {
    const { settings, feed, forecasts } = partsOf(runtime);
    await store.prepareSampleMonths(runtime.pool, runtime.clock.now(), settings.sampleRetentionDays);
    app.addContentTypeParser(['text/csv', 'text/plain'], { parseAs: 'string' }, (_request, body, done) =>
      done(null, body),
    );
    app.addHook('onClose', () => feed.close());
    occupancyRoutes(app, runtime, settings, feed, forecasts);
    insightRoutes(app, runtime, forecasts);
    alertRoutes(app, runtime);
  },
  handlers: analyticsEventHandlers,
  background: (runtime) => {
    const { settings } = partsOf(runtime);
    return everySeconds(runtime, settings.sweepSeconds, 'analytics sweep', () => sweep(runtime, settings));
  },
};

/**
 * The clock's work: a sample in every facility's current 5-minute slot even when nothing moved,
 * the hourly rollup of the last hour, revenue alerts of an hour that ended, daily reports of the
 * local days that ended, and old samples and closed visits dropped.
 */
async function sweep(runtime: ServiceRuntime, settings: AnalyticsSettings): Promise<void> {
  const { pool, clock } = runtime;
  const now = clock.now();
  const facilities = await store.allFacilities(pool);
  // A facility whose occupancy changed in this slot has its sample already; the others get one
  // once per slot, not at every sweep (with 1,000 facilities, 3,000 statements every 15 s).
  const slot = slotOf(now);
  const unsampled = await store.facilitiesWithoutSample(pool, slot);
  for (const facility of facilities.filter((f) => unsampled.has(f.facility_id)))
    await store.recordSample(
      pool,
      facility.facility_id,
      slot,
      await currentSnapshot(pool, facility),
      now,
      true,
    );
  await store.rollUpHours(pool, new Date(now.getTime() - 3_600_000), new Date(now.getTime() + 300_000));
  for (const facilityId of await store.facilitiesWithOpenAlert(pool, 'HIGH_REVENUE')) {
    await runtime.transaction(async (tx) => {
      const facility = await store.findFacility(tx, facilityId, true);
      if (facility) await checkRevenueAlert(tx, facility, now);
    });
  }
  for (const facility of facilities) await writeDailyReports(runtime, facility, now);
  await store.prepareSampleMonths(pool, now, settings.sampleRetentionDays);
  await store.dropSamplesBefore(pool, new Date(now.getTime() - settings.sampleRetentionDays * 86_400_000));
  await store.pruneClosed(pool, new Date(now.getTime() - 3 * 86_400_000));
}

/** Reports for the facility's finished local days not reported yet (at most a month per round). */
async function writeDailyReports(runtime: ServiceRuntime, facility: store.FacilityRow, now: Date) {
  const yesterday = addDays(localParts(now, facility.timezone).date, -1);
  let day = facility.reported_through ? addDays(facility.reported_through, 1) : yesterday;
  for (let done = 0; day <= yesterday && done < 31; day = addDays(day, 1), done++) {
    const from = localMidnight(day, facility.timezone);
    const to = localMidnight(addDays(day, 1), facility.timezone);
    // The last hour of the day may not be rolled up yet.
    await store.rollUpHours(runtime.pool, from, to, facility.facility_id);
    const hours = await store.hoursOfDay(runtime.pool, facility.facility_id, facility.timezone, from, to);
    const totals = await store.performanceTotals(runtime.pool, facility.facility_id, from, to);
    const date = day;
    await runtime.transaction(async (tx) => {
      await store.saveDailyReport(
        tx,
        {
          facility_id: facility.facility_id,
          report_date: date,
          total_transactions: totals.exits,
          total_revenue: totals.revenue,
          currency: facility.currency,
          ...dayOfHours(hours),
          average_session_duration:
            totals.exits > 0 ? Math.round((totals.session_minutes / totals.exits) * 100) / 100 : null,
        },
        now,
      );
      await store.setReportedThrough(tx, facility.facility_id, date);
    });
  }
}
