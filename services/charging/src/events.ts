import { toMajor } from '@easypark/kernel';
import type { Emit, EventHandlers } from '@easypark/platform';
import { chargingFinishedAt } from './domain/meter.ts';
import type { QueueRow, SessionRow, StationRow } from './store.ts';
import * as store from './store.ts';

/**
 * What the Charging service publishes: charging.session.started, .updated, .completed,
 * charging.station.status.changed and charging.queue.position.changed. It consumes
 * parking.vehicle.exited: a car that leaves stops charging and leaves the queue.
 */

const major = (amount: number, currency: string) => toMajor({ amount, currency });

export function emitStarted(emit: Emit, s: SessionRow) {
  emit({
    type: 'charging.session.started',
    subject: s.charging_session_id,
    tenantid: s.tenant_id,
    facilityid: s.facility_id,
    data: {
      charging_session_id: s.charging_session_id,
      vehicle_id: s.vehicle_id,
      station_id: s.station_id,
      start_time: s.start_time.toISOString(),
      facility_id: s.facility_id,
      parking_session_id: s.parking_session_id,
      customer_id: s.customer_id,
      started_by: s.started_by,
    },
  });
}

export function emitUpdated(emit: Emit, s: SessionRow) {
  emit({
    type: 'charging.session.updated',
    subject: s.charging_session_id,
    tenantid: s.tenant_id,
    facilityid: s.facility_id,
    data: {
      charging_session_id: s.charging_session_id,
      energy_delivered_kwh: s.energy_delivered_kwh,
      current_rate_kw: s.current_rate_kw,
      station_id: s.station_id,
      facility_id: s.facility_id,
      soc_percent: s.soc_percent,
    },
  });
}

export function emitCompleted(emit: Emit, s: SessionRow) {
  emit({
    type: 'charging.session.completed',
    subject: s.charging_session_id,
    tenantid: s.tenant_id,
    facilityid: s.facility_id,
    data: {
      charging_session_id: s.charging_session_id,
      energy_delivered_kwh: s.energy_delivered_kwh,
      total_cost: major(s.cost ?? 0, s.currency),
      currency: s.currency,
      status: s.status as 'COMPLETED' | 'INTERRUPTED',
      price_per_kwh: major(s.price_per_kwh, s.currency),
      vehicle_id: s.vehicle_id,
      station_id: s.station_id,
      facility_id: s.facility_id,
      parking_session_id: s.parking_session_id,
      customer_id: s.customer_id,
      start_time: s.start_time.toISOString(),
      stop_time: s.stop_time!.toISOString(),
      charging_finished_at: chargingFinishedAt(s)?.toISOString() ?? null,
      vehicle_type: s.vehicle_type,
      stop_reason: s.stop_reason,
    },
  });
}

export function emitStationStatus(emit: Emit, station: StationRow, previous: string) {
  emit({
    type: 'charging.station.status.changed',
    subject: station.station_id,
    tenantid: station.tenant_id,
    facilityid: station.facility_id,
    data: {
      station_id: station.station_id,
      facility_id: station.facility_id,
      previous_status: previous,
      current_status: station.status,
      timestamp: station.updated_at.toISOString(),
    },
  });
}

export function emitQueuePosition(emit: Emit, entry: QueueRow, position: number) {
  emit({
    type: 'charging.queue.position.changed',
    subject: entry.queue_id,
    tenantid: entry.tenant_id,
    facilityid: entry.facility_id,
    data: {
      vehicle_id: entry.vehicle_id,
      queue_position: position,
      estimated_wait_time: entry.estimated_wait_time,
      queue_id: entry.queue_id,
      facility_id: entry.facility_id,
      station_id: entry.offered_station_id,
      offer_expires_at: entry.offer_expires_at?.toISOString() ?? null,
    },
  });
}

export const chargingEventHandlers: EventHandlers = {
  /** The car left: its place in the queue goes, and its charging is stopped by the next sweep. */
  async 'parking.vehicle.exited'(tx, event) {
    const { vehicle_id, exit_time } = event.data;
    await store.vehicleLeft(tx, vehicle_id, new Date(exit_time));
  },
};
