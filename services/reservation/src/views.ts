import { toMajor } from '@easypark/kernel';
import type { ReservationRow } from './store.ts';

// How stored reservations look in the API: seed field names, decimals for money, ISO times.

const iso = (d: Date | null) => (d ? d.toISOString() : null);
const major = (amount: number | null, currency: string) =>
  amount === null ? null : toMajor({ amount, currency });

export function reservationView(r: ReservationRow) {
  return {
    reservation_id: r.reservation_id,
    status: r.status,
    confirmation_code: r.confirmation_code,
    customer_id: r.customer_id,
    facility_id: r.facility_id,
    space_id: r.space_id,
    desired_space_size: r.desired_size,
    vehicle_type: r.vehicle_type,
    registration_number: r.registration_number,
    start_time: r.start_time.toISOString(),
    end_time: r.end_time.toISOString(),
    arrival_window: { from: r.arrival_from.toISOString(), until: r.arrival_until.toISOString() },
    expires_at: r.expires_at.toISOString(),
    currency: r.currency,
    pricing_estimate: priceView(r),
    cancellation_policy: {
      free_until: r.free_cancellation_until.toISOString(),
      cancellation_fee: major(r.cancellation_fee, r.currency),
      no_show_fee: major(r.no_show_fee, r.currency),
    },
    fee_charged: major(r.fee_charged, r.currency),
    cancellation_reason: r.cancellation_reason,
    session_id: r.session_id,
    created_at: r.created_at.toISOString(),
    confirmed_at: iso(r.confirmed_at),
    cancelled_at: iso(r.cancelled_at),
    expired_at: iso(r.expired_at),
    fulfilled_at: iso(r.fulfilled_at),
    no_show_at: iso(r.no_show_at),
  };
}

export function priceView(r: Pick<ReservationRow, 'estimated_parking' | 'reservation_fee' | 'currency'>) {
  if (r.estimated_parking === null) return null;
  return {
    parking: major(r.estimated_parking, r.currency),
    reservation_fee: major(r.reservation_fee, r.currency),
    total: major(r.estimated_parking + r.reservation_fee, r.currency),
    currency: r.currency,
  };
}

export function parkingDetails(
  r: ReservationRow,
  facility: { name: string; address: Record<string, unknown> },
) {
  return {
    space_id: r.space_id,
    size: r.desired_size,
    location: { floor: r.space_floor, aisle: r.space_aisle, number: r.space_number },
    facility_id: r.facility_id,
    facility_name: facility.name,
    address: facility.address,
    start_time: r.start_time.toISOString(),
    end_time: r.end_time.toISOString(),
    arrival_window: { from: r.arrival_from.toISOString(), until: r.arrival_until.toISOString() },
    confirmation_code: r.confirmation_code,
  };
}
