import { fromMajor, localParts, toMajor } from '@easypark/kernel';
import type { Emit, EventHandlers, ServiceRuntime, Tx } from '@easypark/platform';
import { rate } from './domain/operations.ts';
import * as store from './store.ts';

/**
 * The facility keeps its own daily operations from parking events: entries per local hour,
 * exits, durations and revenue, and a live count of parked vehicles for its status and
 * capacity alerts. Events may arrive out of order (a broker delivers to concurrent handlers),
 * so the live count only adds and subtracts, and a day's peak comes from the occupancy
 * Parking counted at each entry.
 */
export const facilityEventHandlers: EventHandlers = {
  async 'parking.vehicle.entered'(tx, event, emit) {
    const facility = await store.findFacility(tx, event.data.facility_id);
    if (!facility) return;
    const local = localParts(new Date(event.data.timestamp), facility.timezone);
    await checkThreshold(
      tx,
      facility,
      await store.recordEntry(
        tx,
        facility.facility_id,
        local.date,
        local.hour,
        event.data.occupied_spaces ?? null,
      ),
      emit,
    );
  },

  async 'parking.vehicle.exited'(tx, event, emit) {
    const facility = await store.findFacility(tx, event.data.facility_id);
    if (!facility) return;
    const local = localParts(new Date(event.data.exit_time), facility.timezone);
    const { charge_amount: charge, currency } = event.data;
    const revenue =
      charge !== null && currency === facility.currency ? fromMajor(charge, currency).amount : 0;
    const occupied = await store.recordExit(
      tx,
      facility.facility_id,
      local.date,
      event.data.duration_hours,
      revenue,
    );
    await checkThreshold(tx, facility, occupied, emit);
  },
};

async function checkThreshold(tx: Tx, facility: store.FacilityRow, live: store.LiveCount, emit: Emit) {
  const { occupied, above_threshold: wasAbove } = live;
  const occupancyRate = rate(occupied, facility.total_capacity);
  const isAbove = occupancyRate >= facility.occupancy_alert_threshold;
  if (isAbove === wasAbove) return;
  await store.setAboveThreshold(tx, facility.facility_id, isAbove);
  if (isAbove) {
    emit({
      type: 'facility.capacity.threshold',
      subject: facility.facility_id,
      tenantid: facility.tenant_id,
      facilityid: facility.facility_id,
      data: {
        facility_id: facility.facility_id,
        occupancy_rate: occupancyRate,
        available_spaces: Math.max(facility.total_capacity - occupied, 0),
      },
    });
  }
}

/**
 * Once a facility's local day is over, its operations summary goes out as
 * `facility.operations.summary`. Checked every minute; nobody has to ask.
 */
export function startDailySummaries(runtime: ServiceRuntime, intervalMs = 60_000) {
  let running = false;
  async function publishClosedDays() {
    if (running) return;
    running = true;
    try {
      const now = runtime.clock.now();
      const facilities = await store.facilityZones(runtime.pool);
      const today = new Map(facilities.map((f) => [f.facility_id, localParts(now, f.timezone).date]));
      const currencies = new Map(facilities.map((f) => [f.facility_id, f.currency]));
      for (const day of await store.unpublishedClosedDays(runtime.pool, today)) {
        await runtime.transaction(async (tx, emit) => {
          await store.markSummaryPublished(tx, day.facility_id, day.operation_date);
          const currency = currencies.get(day.facility_id) ?? 'USD';
          emit({
            type: 'facility.operations.summary',
            subject: day.facility_id,
            facilityid: day.facility_id,
            data: {
              facility_id: day.facility_id,
              total_transactions: day.total_exits,
              revenue: toMajor({ amount: day.revenue_generated, currency }),
              date: day.operation_date,
            },
          });
        });
      }
    } catch (error) {
      runtime.logger.warn({ err: error }, 'daily operations summaries failed; will retry');
    } finally {
      running = false;
    }
  }
  const timer = setInterval(publishClosedDays, intervalMs);
  timer.unref();
  return {
    run: publishClosedDays,
    async stop() {
      clearInterval(timer);
    },
  };
}
