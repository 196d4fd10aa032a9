import { localParts } from '@easypark/kernel';
import { type App, type ServiceRuntime, Type } from '@easypark/platform';
import { visibleFacility } from '../access.ts';
import { addDays, daysBetween, rate, summarise } from '../domain/operations.ts';
import { problem } from '../errors.ts';
import * as store from '../store.ts';
import { major } from '../views.ts';

const FacilityId = Type.String({ pattern: '^fac_[0-9a-f]{32}$', description: 'Facility id' });
const LocalDate = Type.String({ format: 'date', description: 'Local calendar date YYYY-MM-DD' });
const tags = ['facilities'];

/** Live status and daily operations, from the facility's own read model of parking events. */
export function operationsRoutes(app: App, runtime: ServiceRuntime): void {
  const { pool, clock } = runtime;

  app.get(
    '/facilities/v1/:facility_id/status',
    {
      schema: {
        tags,
        summary: 'Current status: occupancy, turnaround, peak hours, revenue rate',
        params: Type.Object({ facility_id: FacilityId }),
      },
    },
    async (request) => {
      const facility = await visibleFacility(pool, request.principal!, request.params.facility_id);
      const now = clock.now();
      const local = localParts(now, facility.timezone);
      const live = await store.liveState(pool, facility.facility_id);
      const week = summarise(
        await store.operationsBetween(pool, facility.facility_id, addDays(local.date, -6), local.date),
        facility.total_capacity,
      );
      const today = summarise(
        await store.operationsBetween(pool, facility.facility_id, local.date, local.date),
        facility.total_capacity,
      );
      const hoursToday = Math.max(local.hour + local.minute / 60, 1 / 60);
      return {
        facility_id: facility.facility_id,
        status: facility.status,
        total_spaces: facility.total_capacity,
        occupied_spaces: live.occupied,
        available_spaces: Math.max(facility.total_capacity - live.occupied, 0),
        occupancy_rate: rate(live.occupied, facility.total_capacity),
        average_turnaround: Math.round(week.average_duration_hours * 60),
        average_turnaround_unit: 'minutes',
        peak_hours: week.busiest_hours.map((h) => h.hour),
        current_revenue_rate: major(Math.round(today.revenue_minor / hoursToday), facility.currency),
        currency: facility.currency,
        local_date: local.date,
        as_of: now.toISOString(),
      };
    },
  );

  app.get(
    '/facilities/v1/:facility_id/operations-summary',
    {
      schema: {
        tags,
        summary: 'Operations summary over local dates (default: the last 30 days)',
        params: Type.Object({ facility_id: FacilityId }),
        querystring: Type.Object({
          start_date: Type.Optional(LocalDate),
          end_date: Type.Optional(LocalDate),
        }),
      },
    },
    async (request) => {
      const facility = await visibleFacility(pool, request.principal!, request.params.facility_id);
      const today = localParts(clock.now(), facility.timezone).date;
      const end = request.query.end_date ?? today;
      const start = request.query.start_date ?? addDays(end, -29);
      if (daysBetween(start, end) < 0 || daysBetween(start, end) > 366) {
        throw problem(
          'INVALID_DATE_RANGE',
          'start_date must be on or before end_date, at most 366 days apart',
        );
      }
      const days = await store.operationsBetween(pool, facility.facility_id, start, end);
      const s = summarise(days, facility.total_capacity);
      return {
        facility_id: facility.facility_id,
        start_date: start,
        end_date: end,
        currency: facility.currency,
        total_transactions: s.total_exits,
        total_entries: s.total_entries,
        total_revenue: major(s.revenue_minor, facility.currency),
        average_session_duration: s.average_duration_hours,
        peak_hours_analysis: {
          peak_hour: s.peak_hour,
          peak_occupancy_rate: s.peak_occupancy_rate,
          busiest_hours: s.busiest_hours,
          entries_by_hour: s.entries_by_hour,
        },
        days: days.map((d) => ({
          date: d.operation_date,
          entries: d.total_entries,
          exits: d.total_exits,
          revenue: major(d.revenue_generated, facility.currency),
          average_duration_hours:
            d.total_exits === 0
              ? 0
              : Math.round((Number(d.total_duration_hours) / d.total_exits) * 100) / 100,
          peak_hour: d.peak_hour,
          peak_occupancy_rate: rate(d.peak_occupied, facility.total_capacity),
        })),
      };
    },
  );
}
