import type { Emit, Queryable, ServiceRuntime } from '@easypark/platform';
import {
  assumedBatteryKwh,
  assumedStartPercent,
  minutesToCharge,
  socAfter,
  waitTimes,
} from './domain/estimates.ts';
import { type ConnectorType, cannotStartOn, connectorFits } from './domain/stations.ts';
import { emitQueuePosition } from './events.ts';
import type { ChargingSettings } from './settings.ts';
import * as store from './store.ts';

/**
 * The charging queue of a facility: vehicles waiting for a fitting station, first come first
 * served. When a station frees up it is offered to the first waiting vehicle it fits and held for
 * it a while; everyone behind moves up. Waits are estimated from the energy the cars on the
 * stations still need.
 */

/** Minutes until a session reaches its target at the power it gets (paused ones as if resumed). */
export function minutesRemaining(s: store.SessionRow, ratingKw: number): number {
  const capacity = s.battery_capacity_kwh ?? assumedBatteryKwh;
  const soc =
    s.soc_percent ?? socAfter(s.start_soc_percent ?? assumedStartPercent, s.energy_delivered_kwh, capacity);
  const power = s.allocated_kw !== null && s.allocated_kw > 0 ? Math.min(s.allocated_kw, ratingKw) : ratingKw;
  return minutesToCharge({
    capacityKwh: capacity,
    fromPercent: soc,
    toPercent: s.target_charge_percent,
    powerKw: power,
  });
}

/** Minutes a queued car will need on a station of this rating. */
function minutesNeeded(entry: store.QueueRow, ratingKw: number): number {
  const kwh = entry.desired_capacity_kwh ?? assumedBatteryKwh * 0.6;
  return Math.ceil((kwh / ratingKw) * 60);
}

export interface StationLoad {
  station: store.StationWithSession;
  /** Minutes until it is free; 0 when free now; null when it cannot be used (offline, maintenance). */
  minutesLeft: number | null;
}

export async function stationLoads(
  db: Queryable,
  facilityId: string,
  connectorType?: ConnectorType,
): Promise<StationLoad[]> {
  const stations = await store.facilityStations(db, facilityId, connectorType);
  const sessions = new Map(
    (await store.openSessionsAtFacility(db, facilityId)).map((s) => [s.station_id, s] as const),
  );
  return stations.map((station) => {
    if (cannotStartOn(station, false) !== null) return { station, minutesLeft: null };
    const session = sessions.get(station.station_id);
    return { station, minutesLeft: session ? minutesRemaining(session, station.power_rating_kw) : 0 };
  });
}

export interface QueueEstimate {
  position: number;
  waitMinutes: number | null;
}

/**
 * Each waiting entry's place (1 = next; 0 = a station is held for it) and wait: the fitting
 * stations' remaining time, with the cars ahead of it taking them in turn.
 */
export function queueEstimates(waiting: readonly store.QueueRow[], loads: readonly StationLoad[]) {
  const estimates = new Map<string, QueueEstimate>();
  const promisedTo = new Map(
    waiting.flatMap((e) => (e.offered_station_id ? [[e.offered_station_id, e] as const] : [])),
  );
  let position = 0;
  waiting.forEach((entry, index) => {
    if (entry.offered_station_id) {
      estimates.set(entry.queue_id, { position: 0, waitMinutes: 0 });
      return;
    }
    position += 1;
    const fitting = loads.filter(
      (l) => l.minutesLeft !== null && connectorFits(entry.connector_type, l.station.connector_type),
    );
    const fastest = Math.max(0, ...fitting.map((l) => l.station.power_rating_kw));
    const ahead = waiting
      .slice(0, index)
      .filter((e) => !e.offered_station_id && e.connector_type === entry.connector_type)
      .map((e) => ({ minutesNeeded: minutesNeeded(e, fastest || 1) }));
    // A station promised to a car is busy for as long as that car will need it.
    const busy = fitting.map((l) => {
      const promised = promisedTo.get(l.station.station_id);
      return {
        station_id: l.station.station_id,
        minutesLeft: promised ? minutesNeeded(promised, l.station.power_rating_kw) : l.minutesLeft,
      };
    });
    const waits = [...waitTimes(busy, ahead).values()];
    estimates.set(entry.queue_id, { position, waitMinutes: waits.length > 0 ? Math.min(...waits) : null });
  });
  return estimates;
}

/**
 * Minutes until each usable station is ready for a newcomer: its own car's remaining time (or the
 * hold for the car it is promised to), then the cars already queued for its connector take the
 * stations in turn.
 */
export function readyIn(
  loads: readonly StationLoad[],
  waiting: readonly store.QueueRow[],
  holdMinutes: number,
): Map<string, number> {
  const ready = new Map<string, number>();
  const promised = new Set(waiting.flatMap((e) => e.offered_station_id ?? []));
  for (const connector of new Set(loads.map((l) => l.station.connector_type))) {
    const stations = loads.filter((l) => l.station.connector_type === connector);
    const usable = stations.filter((l) => l.minutesLeft !== null);
    const fastest = Math.max(1, ...usable.map((l) => l.station.power_rating_kw));
    const queued = waiting
      .filter((e) => !e.offered_station_id && e.connector_type === connector)
      .map((e) => ({ minutesNeeded: minutesNeeded(e, fastest) }));
    const busy = stations.map((l) => ({
      station_id: l.station.station_id,
      minutesLeft:
        l.minutesLeft === null ? null : promised.has(l.station.station_id) ? holdMinutes : l.minutesLeft,
    }));
    for (const [stationId, minutes] of waitTimes(busy, queued)) ready.set(stationId, minutes);
  }
  return ready;
}

export interface Availability {
  available_now: boolean;
  /** minutes; null when the station cannot be used */
  wait_time: number | null;
  estimated_ready_time: string | null;
}

/** Each station's availability at a facility (optionally of one connector), for drivers. */
export async function facilityAvailability(
  db: Queryable,
  facilityId: string,
  holdMinutes: number,
  now: Date,
  connectorType?: ConnectorType,
): Promise<Array<{ load: StationLoad; availability: Availability }>> {
  const loads = await stationLoads(db, facilityId, connectorType);
  const waiting = (await store.waitingQueue(db, facilityId)).filter(
    (e) => connectorType === undefined || e.connector_type === connectorType,
  );
  const held = new Set(waiting.flatMap((e) => e.offered_station_id ?? []));
  const ready = readyIn(loads, waiting, holdMinutes);
  return loads.map((load) => {
    const wait = ready.get(load.station.station_id) ?? null;
    return {
      load,
      availability: {
        available_now: isFree(load, held) && wait === 0,
        wait_time: wait,
        estimated_ready_time: wait === null ? null : new Date(now.getTime() + wait * 60_000).toISOString(),
      },
    };
  });
}

/** A station nobody uses, nobody is plugged into and nobody is promised. */
export function isFree(load: StationLoad, held: ReadonlySet<string>): boolean {
  return (
    load.minutesLeft === 0 &&
    load.station.open_session_id === null &&
    load.station.status === 'AVAILABLE' &&
    !held.has(load.station.station_id)
  );
}

/**
 * Drops offers nobody took in time, offers free stations to the first fitting waiting vehicles,
 * and tells everyone whose place changed.
 */
export async function offerFreedStations(
  runtime: ServiceRuntime,
  settings: ChargingSettings,
  facilityId: string,
): Promise<void> {
  const at = runtime.clock.now();
  await runtime.transaction(async (tx, emit) => {
    await store.lockSite(tx, facilityId);
    await store.cancelLapsedOffers(tx, facilityId, at);
    const waiting = await store.waitingQueue(tx, facilityId);
    if (waiting.length === 0) return;
    const loads = await stationLoads(tx, facilityId);
    const before = queueEstimates(waiting, loads);
    const held = new Set(waiting.flatMap((e) => (e.offered_station_id ? [e.offered_station_id] : [])));

    for (const load of loads) {
      if (!isFree(load, held)) continue;
      const index = waiting.findIndex(
        (e) => !e.offered_station_id && connectorFits(e.connector_type, load.station.connector_type),
      );
      if (index < 0) continue;
      const offered = await store.updateQueueEntry(tx, waiting[index]!.queue_id, {
        offered_station_id: load.station.station_id,
        offer_expires_at: new Date(at.getTime() + settings.queueHoldMinutes * 60_000),
        estimated_wait_time: 0,
        updated_at: at,
      });
      waiting[index] = offered;
      held.add(load.station.station_id);
      emitQueuePosition(emit, offered, 0);
    }

    await announceMoves(tx, emit, waiting, before, queueEstimates(waiting, loads), at);
  });
}

/** Stores the new waits and publishes a position change for every entry that moved. */
export async function announceMoves(
  tx: Queryable,
  emit: Emit,
  waiting: readonly store.QueueRow[],
  before: ReadonlyMap<string, QueueEstimate>,
  after: ReadonlyMap<string, QueueEstimate>,
  at: Date,
): Promise<void> {
  for (const entry of waiting) {
    if (entry.offered_station_id) continue;
    const now = after.get(entry.queue_id)!;
    const then = before.get(entry.queue_id);
    if (now.waitMinutes !== entry.estimated_wait_time)
      await store.setQueueWait(tx, entry.queue_id, now.waitMinutes, at);
    if (then?.position !== now.position)
      emitQueuePosition(emit, { ...entry, estimated_wait_time: now.waitMinutes }, now.position);
  }
}
