/**
 * The read model, built from events only. Every handler that touches a facility first locks its
 * row, so changes at one facility are applied one at a time: each sees the counts its
 * predecessors left, and an alert is raised by exactly one of them. The events delivered together
 * are applied in one transaction; what follows from them (the hour's counts, the occupancy, its
 * sample, peak, alerts and notification) is worked out once per facility before it commits.
 */
import { fromMajor } from '@easypark/kernel';
import {
  beforeCommit,
  type EventHandlers,
  forgetInTransaction,
  oncePerTransaction,
  type ServiceRuntime,
  type Tx,
  transactionState,
} from '@easypark/platform';
import { hourOf, type SpaceSize } from './domain/occupancy.ts';
import { dayBefore, knownFacilities } from './facilities.ts';
import { checkRevenueAlert, checkStationAlert, occupancyChanged } from './monitor.ts';
import * as store from './store.ts';

export function analyticsEventHandlers(runtime: ServiceRuntime): EventHandlers {
  const knownFacility = knownFacilities(runtime);
  const now = () => runtime.clock.now();
  const facilityFor = (tx: Tx, facilityId: string | undefined) =>
    facilityId
      ? oncePerTransaction(tx, `facility ${facilityId}`, () => knownFacility(tx, facilityId, true))
      : Promise.resolve(null);

  // An entry or exit records its space's change; the parking.space.occupied or .released
  // delivered with it (same space, status and time) would change nothing.
  const spaceChange = (spaceId: string, status: string, at: Date) => `${spaceId} ${status} ${at.getTime()}`;
  const recordedSpaceChanges = (tx: Tx) => transactionState(tx, 'space changes', () => new Set<string>());

  async function spaceChanged(
    tx: Tx,
    d: { space_id: string; facility_id: string; size: SpaceSize; timestamp: string },
    status: string,
  ) {
    if (recordedSpaceChanges(tx).has(spaceChange(d.space_id, status, new Date(d.timestamp)))) return;
    const facility = await facilityFor(tx, d.facility_id);
    if (!facility) return;
    if (await store.setSpaceStatus(tx, { ...d, status, at: new Date(d.timestamp) }))
      occupancyChanged(tx, facility, now());
  }

  return {
    async 'facility.registered'(tx, event) {
      const d = event.data;
      await store.saveFacility(
        tx,
        { ...d, reported_through: dayBefore(d.timezone, new Date(event.time)) },
        now(),
      );
      forgetInTransaction(tx, `facility ${d.facility_id}`);
    },

    async 'facility.updated'(tx, event) {
      const facility = await store.findFacility(tx, event.data.facility_id, true);
      if (!facility) return;
      await store.updateFacility(tx, facility.facility_id, event.data, now());
      forgetInTransaction(tx, `facility ${facility.facility_id}`);
      if (event.data.capacity || event.data.occupancy_alert_threshold !== undefined)
        occupancyChanged(tx, (await facilityFor(tx, facility.facility_id))!, now());
    },

    async 'parking.vehicle.entered'(tx, event) {
      const d = event.data;
      const facility = await facilityFor(tx, d.facility_id);
      if (!facility) return;
      const entry = new Date(d.timestamp);
      if (
        await store.visitEntered(tx, {
          session_id: d.session_id,
          facility_id: d.facility_id,
          entry_time: entry,
        })
      )
        addPerformanceAtCommit(tx, facility.facility_id, hourOf(entry), { entries: 1 }, now());
      await store.setSpaceStatus(tx, {
        space_id: d.space_id,
        facility_id: d.facility_id,
        size: d.space_size,
        status: 'OCCUPIED',
        at: entry,
      });
      recordedSpaceChanges(tx).add(spaceChange(d.space_id, 'OCCUPIED', entry));
      occupancyChanged(tx, facility, now(), d.occupied_spaces ?? null);
    },

    async 'parking.vehicle.exited'(tx, event) {
      const d = event.data;
      const facility = await facilityFor(tx, d.facility_id);
      if (!facility) return;
      const exit = new Date(d.exit_time);
      const closed = await store.visitExited(tx, {
        session_id: d.session_id,
        facility_id: d.facility_id,
        entry_time: new Date(d.entry_time),
        exit_time: exit,
      });
      // An exit applied before its entry (another batch, a retry) counts the entry too.
      if (closed === 'recorded')
        addPerformanceAtCommit(
          tx,
          facility.facility_id,
          hourOf(new Date(d.entry_time)),
          { entries: 1 },
          now(),
        );
      if (closed)
        addPerformanceAtCommit(
          tx,
          facility.facility_id,
          hourOf(exit),
          {
            exits: 1,
            session_minutes: Math.max(0, (exit.getTime() - new Date(d.entry_time).getTime()) / 60_000),
          },
          now(),
        );
      if (d.space_id && (await store.freeSpace(tx, d.space_id, exit)))
        recordedSpaceChanges(tx).add(spaceChange(d.space_id, 'AVAILABLE', exit));
      occupancyChanged(tx, facility, now());
    },

    async 'parking.space.occupied'(tx, event) {
      await spaceChanged(tx, event.data, 'OCCUPIED');
    },

    async 'parking.space.released'(tx, event) {
      await spaceChanged(tx, event.data, 'AVAILABLE');
    },

    async 'parking.space.status.changed'(tx, event) {
      await spaceChanged(tx, event.data, event.data.current_status);
    },

    async 'charging.session.started'(tx, event) {
      const d = event.data;
      const facility = await facilityFor(tx, d.facility_id ?? event.facilityid);
      if (!facility) return;
      await store.chargingStarted(tx, {
        charging_session_id: d.charging_session_id,
        facility_id: facility.facility_id,
        station_id: d.station_id,
        at: new Date(d.start_time),
      });
      occupancyChanged(tx, facility, now());
    },

    async 'charging.session.completed'(tx, event) {
      const d = event.data;
      const facility = await facilityFor(tx, d.facility_id ?? event.facilityid);
      if (!facility) return;
      const stop = new Date(d.stop_time ?? event.time);
      const ended = await store.chargingEnded(tx, {
        charging_session_id: d.charging_session_id,
        facility_id: facility.facility_id,
        station_id: d.station_id ?? null,
        started: new Date(d.start_time ?? stop),
        at: stop,
      });
      if (ended)
        addPerformanceAtCommit(
          tx,
          facility.facility_id,
          hourOf(stop),
          { charging_sessions: 1, energy_kwh: d.energy_delivered_kwh },
          now(),
        );
      occupancyChanged(tx, facility, now());
    },

    async 'charging.station.status.changed'(tx, event) {
      const d = event.data;
      const facility = await facilityFor(tx, d.facility_id);
      if (!facility) return;
      const at = new Date(d.timestamp ?? event.time);
      await store.setStationStatus(tx, {
        station_id: d.station_id,
        facility_id: d.facility_id,
        status: d.current_status,
        at,
      });
      // The newest report decides (an older one arriving late changes nothing).
      const status = await store.stationStatus(tx, d.station_id);
      await checkStationAlert(tx, facility, d.station_id, status ?? d.current_status, now());
    },

    async 'billing.payment.received'(tx, event) {
      const d = event.data;
      const facility = await facilityFor(tx, d.facility_id ?? event.facilityid);
      if (!facility || !d.currency || d.currency !== facility.currency) return;
      const at = new Date(d.timestamp);
      await store.addPerformance(
        tx,
        facility.facility_id,
        hourOf(at),
        { revenue: fromMajor(d.amount, d.currency).amount, payments: 1 },
        now(),
      );
      await checkRevenueAlert(tx, facility, now());
    },

    async 'billing.payment.refunded'(tx, event) {
      const d = event.data;
      const facility = await facilityFor(tx, d.facility_id);
      if (!facility || d.currency !== facility.currency) return;
      await store.addPerformance(
        tx,
        facility.facility_id,
        hourOf(new Date(d.timestamp)),
        { revenue: -fromMajor(d.amount, d.currency).amount },
        now(),
      );
      await checkRevenueAlert(tx, facility, now());
    },
  };
}

/**
 * Counts for a facility's hour, added up over the events applied in this transaction and written
 * in one statement before it commits.
 */
function addPerformanceAtCommit(
  tx: Tx,
  facilityId: string,
  hour: Date,
  change: store.PerformanceChange,
  now: Date,
): void {
  const pending = beforeCommit(
    tx,
    `performance ${facilityId} ${hour.toISOString()}`,
    () => ({ sum: {} as store.PerformanceChange, now }),
    (p) => store.addPerformance(tx, facilityId, hour, p.sum, p.now),
  );
  for (const [key, value] of Object.entries(change) as [keyof store.PerformanceChange, number][])
    pending.sum[key] = (pending.sum[key] ?? 0) + value;
  pending.now = now;
}
