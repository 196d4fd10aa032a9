import { toMajor } from '@easypark/kernel';
import type { FacilityConfig, PricingConfig } from './client.ts';
import { toPricingView } from './domain/pricing.ts';
import type { FacilityRow, PricingRow } from './store.ts';

// How stored rows look in the API: seed field names, decimals for money, ISO times.

const capacityView = (f: FacilityRow) => ({
  compact: f.compact_spaces_count,
  standard: f.standard_spaces_count,
  large: f.large_spaces_count,
  total: f.total_capacity,
});

const reservationPolicyView = (f: FacilityRow) => ({
  free_cancellation_minutes: f.free_cancellation_minutes,
  cancellation_fee: toMajor({ amount: f.cancellation_fee, currency: f.currency }),
  no_show_fee: toMajor({ amount: f.no_show_fee, currency: f.currency }),
  arrival_grace_early_minutes: f.arrival_grace_early_minutes,
  arrival_grace_late_minutes: f.arrival_grace_late_minutes,
  max_advance_days: f.reservation_max_advance_days,
});

const addressView = (f: FacilityRow) => ({
  line1: f.address_line1,
  city: f.city,
  state: f.state,
  postal_code: f.postal_code,
  country: f.country,
});

export function facilityConfigView(f: FacilityRow): FacilityConfig {
  return {
    facility_id: f.facility_id,
    tenant_id: f.tenant_id,
    name: f.name,
    status: f.status,
    timezone: f.timezone,
    currency: f.currency,
    address: addressView(f),
    capacity: capacityView(f),
    charging_stations_count: f.charging_stations_count,
    pricing_strategy: f.pricing_strategy,
    opening_time: f.opening_time,
    closing_time: f.closing_time,
    operating_days: f.operating_days,
    occupancy_alert_threshold: f.occupancy_alert_threshold,
    reservation_policy: reservationPolicyView(f),
  };
}

export function facilityView(f: FacilityRow) {
  return {
    facility_id: f.facility_id,
    tenant_id: f.tenant_id,
    name: f.name,
    status: f.status,
    address: { ...addressView(f), latitude: f.latitude, longitude: f.longitude },
    capacity: capacityView(f),
    charging_stations_count: f.charging_stations_count,
    pricing_strategy: f.pricing_strategy,
    timezone: f.timezone,
    currency: f.currency,
    operating_hours: {
      opening_time: f.opening_time,
      closing_time: f.closing_time,
      operating_days: f.operating_days,
    },
    occupancy_alert_threshold: f.occupancy_alert_threshold,
    reservation_policy: reservationPolicyView(f),
    created_at: f.created_at.toISOString(),
    updated_at: f.updated_at.toISOString(),
  };
}

/** A price period as the API and other services see it (PricingConfig: idle fee fields included). */
export function pricingView(p: PricingRow, currency: string): PricingConfig & { created_at: string } {
  const { facility_id: _facility, created_at, effective_from, effective_to, ...record } = p;
  return {
    ...toPricingView(record, currency),
    effective_from: effective_from.toISOString(),
    effective_to: effective_to ? effective_to.toISOString() : null,
    created_at: created_at.toISOString(),
  };
}

export const major = (amount: number, currency: string) => toMajor({ amount, currency });
