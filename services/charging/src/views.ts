import { toMajor } from '@easypark/kernel';
import {
  assumedBatteryKwh,
  assumedStartPercent,
  energyCost,
  minutesToCharge,
  socAfter,
} from './domain/estimates.ts';
import { minutesRemaining } from './queue.ts';
import type { MaintenanceRow, QueueRow, SessionRow, StationRow } from './store.ts';
import { openStatuses } from './store.ts';

// How stored rows look in the API: seed field names, decimals for money, ISO times, minutes.

const iso = (d: Date | null) => (d ? d.toISOString() : null);
const major = (amount: number, currency: string) => toMajor({ amount, currency });

export function stationView(s: StationRow, openSessionId: string | null = null) {
  return {
    station_id: s.station_id,
    facility_id: s.facility_id,
    name: s.name,
    charger_level: s.charger_level,
    connector_type: s.connector_type,
    power_rating_kw: s.power_rating_kw,
    status: s.status,
    connected: s.online,
    connector_status: s.connector_status,
    ocpp_protocol: s.ocpp_protocol,
    vendor: s.vendor,
    model: s.model,
    firmware_version: s.firmware_version,
    current_session_id: openSessionId,
    last_seen_at: iso(s.last_seen_at),
    warranty_expiry: s.warranty_expiry,
    last_maintenance: iso(s.last_maintenance),
    created_at: s.created_at.toISOString(),
    updated_at: s.updated_at.toISOString(),
  };
}

export function maintenanceView(m: MaintenanceRow) {
  return {
    maintenance_id: m.maintenance_id,
    station_id: m.station_id,
    reason: m.reason,
    notes: m.notes,
    started_at: m.started_at.toISOString(),
    started_by: m.started_by,
    ended_at: iso(m.ended_at),
    ended_by: m.ended_by,
  };
}

function stateOfCharge(s: SessionRow): { capacity: number; soc: number } {
  const capacity = s.battery_capacity_kwh ?? assumedBatteryKwh;
  const soc =
    s.soc_percent ?? socAfter(s.start_soc_percent ?? assumedStartPercent, s.energy_delivered_kwh, capacity);
  return { capacity, soc };
}

/** Minutes from the start's state of charge to the target at the power the session was given. */
export function estimatedDuration(s: SessionRow, ratingKw: number): number {
  const capacity = s.battery_capacity_kwh ?? assumedBatteryKwh;
  const power = s.allocated_kw !== null && s.allocated_kw > 0 ? Math.min(s.allocated_kw, ratingKw) : ratingKw;
  return minutesToCharge({
    capacityKwh: capacity,
    fromPercent: s.start_soc_percent ?? assumedStartPercent,
    toPercent: s.target_charge_percent,
    powerKw: power,
  });
}

export function sessionView(s: SessionRow, ratingKw: number) {
  const open = openStatuses.includes(s.status);
  const { capacity, soc } = stateOfCharge(s);
  const deliveredWh = Math.round(s.energy_delivered_kwh * 1000);
  const stillNeededWh = open
    ? Math.max(0, Math.round((capacity * (s.target_charge_percent - soc) * 1000) / 100))
    : 0;
  return {
    session_id: s.charging_session_id,
    charging_session_id: s.charging_session_id,
    status: s.status,
    vehicle_id: s.vehicle_id,
    station_id: s.station_id,
    facility_id: s.facility_id,
    parking_session_id: s.parking_session_id,
    started_by: s.started_by,
    start_time: s.start_time.toISOString(),
    stop_time: iso(s.stop_time),
    target_charge_percent: s.target_charge_percent,
    state_of_charge_percent: open ? Math.round(soc * 10) / 10 : s.soc_percent,
    energy_delivered_kwh: s.energy_delivered_kwh,
    current_rate_kw: s.current_rate_kw,
    allocated_power_kw: s.allocated_kw,
    estimated_duration: estimatedDuration(s, ratingKw),
    time_remaining: open ? minutesRemaining(s, ratingKw) : 0,
    currency: s.currency,
    price_per_kwh: major(s.price_per_kwh, s.currency),
    cost_so_far: major(energyCost(deliveredWh, s.price_per_kwh), s.currency),
    estimated_cost: major(s.cost ?? energyCost(deliveredWh + stillNeededWh, s.price_per_kwh), s.currency),
    total_cost: s.cost === null ? null : major(s.cost, s.currency),
    pause_count: s.pause_count,
    total_pause_duration: Math.round(s.total_pause_duration / 60),
    paused_at: iso(s.paused_at),
    stop_reason: s.stop_reason,
    created_at: s.created_at.toISOString(),
    updated_at: s.updated_at.toISOString(),
  };
}

export function queueView(q: QueueRow, position: number | null, now: Date) {
  const waiting = q.status === 'WAITING';
  return {
    queue_id: q.queue_id,
    status: q.status,
    facility_id: q.facility_id,
    vehicle_id: q.vehicle_id,
    parking_session_id: q.parking_session_id,
    connector_type: q.connector_type,
    arrival_time: q.arrival_time.toISOString(),
    desired_capacity_kwh: q.desired_capacity_kwh,
    queue_position: waiting ? position : null,
    estimated_wait_time: waiting ? q.estimated_wait_time : null,
    estimated_ready_time:
      waiting && q.estimated_wait_time !== null
        ? new Date(now.getTime() + q.estimated_wait_time * 60_000).toISOString()
        : null,
    offered_station_id: q.offered_station_id,
    offer_expires_at: iso(q.offer_expires_at),
    charging_session_id: q.charging_session_id,
    cancel_reason: q.cancel_reason,
    created_at: q.created_at.toISOString(),
    updated_at: q.updated_at.toISOString(),
  };
}
