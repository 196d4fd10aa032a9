import { addDays, localParts, toMajor } from '@easypark/kernel';
import { type App, type ServiceRuntime, Type } from '@easypark/platform';
import { visibleFacilities } from '../access.ts';
import { peakPattern, weekdayNames } from '../domain/patterns.ts';
import { problem } from '../errors.ts';
import type { Forecaster } from '../forecaster.ts';
import * as store from '../store.ts';
import { dailyReportView } from '../views.ts';
import { timeRange } from './range.ts';
import { FacilityParams, RangeQuery } from './schemas.ts';

export function insightRoutes(app: App, runtime: ServiceRuntime, forecasts: Forecaster): void {
  const { pool, clock } = runtime;
  const facilityFor = visibleFacilities(runtime);

  app.get(
    '/analytics/v1/peak-hours/:facility_id',
    {
      schema: {
        tags: ['Patterns'],
        summary: 'Peak and least busy hours per weekday',
        description:
          'From hourly occupancy over the range (default: the last 8 weeks), in the facility’s local time. ' +
          '`peak_hours` and `least_busy_hours`: the three busiest and quietest hours of the week on average; ' +
          '`seasonal_patterns`: per weekday its own peak and quiet hours and average, and the average per hour of ' +
          'the day. `peak_occupancy`: the highest occupancy seen, and when.',
        params: FacilityParams,
        querystring: RangeQuery,
      },
    },
    async (request) => {
      const principal = request.principal!;
      const facility = await facilityFor(principal, request.params.facility_id);
      const { from, to } = timeRange(request.query, facility.timezone, clock.now(), 56);
      const profile = await store.weekdayHourProfile(pool, facility.facility_id, facility.timezone, from, to);
      const pattern = peakPattern(profile);
      return {
        facility_id: facility.facility_id,
        timezone: facility.timezone,
        from: from.toISOString(),
        to: to.toISOString(),
        peak_hours: pattern.busiest,
        least_busy_hours: pattern.quietest,
        peak_occupancy: pattern.peak
          ? {
              occupancy_rate: pattern.peak.peak_occupancy_rate,
              day_of_week: weekdayNames[pattern.peak.weekday - 1],
              hour: pattern.peak.hour,
            }
          : null,
        seasonal_patterns: { by_weekday: pattern.byWeekday, by_hour: pattern.byHour },
      };
    },
  );

  app.get(
    '/analytics/v1/performance/:facility_id',
    {
      schema: {
        tags: ['Performance'],
        summary: 'Traffic, stay length and revenue over a range',
        description:
          '`total_transactions`: visits that ended (exits) in the range; `total_revenue`: payments received minus ' +
          'refunds (major units of `currency`); `average_duration` in minutes; `customer_satisfaction` is null: ' +
          'the platform collects no ratings. Default: the last 30 local days.',
        params: FacilityParams,
        querystring: RangeQuery,
      },
    },
    async (request) => {
      const principal = request.principal!;
      const facility = await facilityFor(principal, request.params.facility_id);
      const { from, to } = timeRange(request.query, facility.timezone, clock.now(), 30);
      const t = await store.performanceTotals(pool, facility.facility_id, from, to);
      const revenue = toMajor({ amount: t.revenue, currency: facility.currency });
      const perTransaction =
        t.exits > 0
          ? toMajor({ amount: Math.round(t.revenue / t.exits), currency: facility.currency })
          : null;
      return {
        facility_id: facility.facility_id,
        from: from.toISOString(),
        to: to.toISOString(),
        currency: facility.currency,
        total_transactions: t.exits,
        total_entries: t.entries,
        total_revenue: revenue,
        payments_count: t.payments,
        average_duration: t.exits > 0 ? Math.round((t.session_minutes / t.exits) * 10) / 10 : null,
        revenue_per_transaction: perTransaction,
        charging_sessions: t.charging_sessions,
        energy_delivered_kwh: Math.round(t.energy_kwh * 1000) / 1000,
        peak_occupancy: t.peak_occupancy,
        customer_satisfaction: null,
      };
    },
  );

  app.get(
    '/analytics/v1/forecast/:facility_id',
    {
      schema: {
        tags: ['Forecast'],
        summary: 'Occupancy forecast',
        description:
          'Predicted occupancy (0–100) every `step_minutes` for `hours_ahead` hours, learnt from the facility’s ' +
          'own history (daily and weekly seasonality, recent level). Each point has an interval ' +
          '(`lower_occupancy`–`upper_occupancy`) at `confidence_level` percent; `model.backtest_coverage` says how ' +
          'often such intervals held when the model was tested on the facility’s past. Drivers may ask too.',
        params: FacilityParams,
        querystring: Type.Object({
          hours_ahead: Type.Optional(Type.Integer({ minimum: 1, maximum: 168, default: 24 })),
          step_minutes: Type.Optional(Type.Enum([15, 30, 60], { type: 'integer', default: 60 })),
        }),
      },
    },
    async (request) => {
      const principal = request.principal!;
      const facility = await facilityFor(principal, request.params.facility_id, { drivers: true });
      const now = clock.now();
      const result = await forecasts.forecast(
        facility,
        now,
        request.query.hours_ahead ?? 24,
        request.query.step_minutes ?? 60,
      );
      if (!result)
        throw problem(
          'NOT_ENOUGH_HISTORY',
          'The facility has no occupancy history yet: import some, or wait',
        );
      const { model, points } = result;
      return {
        facility_id: facility.facility_id,
        generated_at: now.toISOString(),
        model: {
          trained_from: model.trained_from,
          trained_to: model.trained_to,
          observations: model.observations,
          interval_level: model.interval_level,
          backtest_coverage:
            model.backtest_coverage === null ? null : Math.round(model.backtest_coverage * 10) / 10,
        },
        forecast_points: points.map((p) => ({
          timestamp: p.timestamp.toISOString(),
          predicted_occupancy: p.predicted_occupancy,
          confidence_level: p.confidence_level,
          lower_occupancy: p.lower_occupancy,
          upper_occupancy: p.upper_occupancy,
        })),
      };
    },
  );

  app.get(
    '/analytics/v1/reports/:facility_id/daily',
    {
      schema: {
        tags: ['Reports'],
        summary: 'Daily reports',
        description:
          'One report per finished local day, written shortly after the facility’s midnight without anyone asking: ' +
          'transactions, revenue, average and peak occupancy, peak and least busy hour, average stay (minutes). ' +
          'Default: the last 30 days, newest first.',
        params: FacilityParams,
        querystring: Type.Object({
          start_date: Type.Optional(Type.String({ format: 'date' })),
          end_date: Type.Optional(Type.String({ format: 'date' })),
        }),
      },
    },
    async (request) => {
      const principal = request.principal!;
      const facility = await facilityFor(principal, request.params.facility_id);
      const today = localParts(clock.now(), facility.timezone).date;
      const end = request.query.end_date ?? today;
      const start = request.query.start_date ?? addDays(end, -29);
      if (start > end) throw problem('INVALID_RANGE', 'start_date is after end_date');
      return (await store.dailyReports(pool, facility.facility_id, start, end)).map(dailyReportView);
    },
  );
}
