import { toMajor } from '@easypark/kernel';
import type { SessionDetail } from './store/sessions.ts';
import type { SpaceRow } from './store/spaces.ts';
import type { VehicleRow } from './store/vehicles.ts';

/** Database rows as the API shows them: snake_case, ISO times in UTC, money in major units. */

export const iso = (d: Date) => d.toISOString();

export function locationOf(row: { location_floor: number; location_aisle: string; location_number: number }) {
  return { floor: row.location_floor, aisle: row.location_aisle, number: row.location_number };
}

export function spaceView(row: SpaceRow) {
  return {
    space_id: row.space_id,
    facility_id: row.facility_id,
    size: row.size,
    status: row.status,
    location: locationOf(row),
    status_reason: row.status_reason,
    last_updated: iso(row.last_updated),
    created_at: iso(row.created_at),
  };
}

export function vehicleView(row: VehicleRow) {
  return {
    vehicle_id: row.vehicle_id,
    registration_number: row.registration_number,
    vehicle_type: row.vehicle_type,
    make: row.make,
    model: row.model,
    color: row.color,
    is_electric: row.is_electric,
    battery_capacity_kwh: row.battery_capacity_kwh,
    connector_type: row.connector_type,
    owner_id: row.owner_id,
    tenant_id: row.tenant_id,
    created_at: iso(row.created_at),
  };
}

export function chargeView(row: { charge_amount: number | null; currency: string }): number | null {
  return row.charge_amount === null ? null : toMajor({ amount: row.charge_amount, currency: row.currency });
}

export function sessionView(row: SessionDetail) {
  return {
    session_id: row.session_id,
    status: row.exit_time === null ? ('OPEN' as const) : ('CLOSED' as const),
    facility_id: row.facility_id,
    space_id: row.space_id,
    vehicle_id: row.vehicle_id,
    registration_number: row.registration_number,
    vehicle_type: row.vehicle_type,
    customer_id: row.customer_id,
    reservation_id: row.reservation_id,
    entry_time: iso(row.entry_time),
    exit_time: row.exit_time && iso(row.exit_time),
    duration_hours: row.duration_hours,
    charge_amount: chargeView(row),
    currency: row.currency.trim(),
    location: locationOf(row),
    space_size: row.space_size,
  };
}

/** Billing and charging need the tenant, the vehicle's EV data and the bookkeeping times too. */
export function internalSessionView(row: SessionDetail) {
  return {
    ...sessionView(row),
    tenant_id: row.tenant_id,
    is_electric: row.is_electric,
    battery_capacity_kwh: row.battery_capacity_kwh,
    connector_type: row.connector_type,
    created_at: iso(row.created_at),
    updated_at: iso(row.updated_at),
  };
}
