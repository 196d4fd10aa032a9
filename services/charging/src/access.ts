import { type FacilityConfig, facilityClient } from '@easypark/facility/client';
import { AppError, canSeeTenant, type Principal } from '@easypark/kernel';
import type { ServiceRuntime } from '@easypark/platform';
import { problem } from './errors.ts';

/** The facility's configuration; unknown facilities (and other tenants') are FACILITY_NOT_FOUND. */
export async function loadFacility(
  runtime: ServiceRuntime,
  principal: Principal,
  facilityId: string,
): Promise<FacilityConfig> {
  const hidden = () => problem('FACILITY_NOT_FOUND', `Facility ${facilityId} does not exist`);
  let facility: FacilityConfig;
  try {
    facility = await facilityClient(runtime.client('facility')).config(facilityId);
  } catch (error) {
    if (error instanceof AppError && error.status === 404) throw hidden();
    throw error;
  }
  if (principal.role !== 'driver' && !canSeeTenant(principal, facility.tenant_id)) throw hidden();
  return facility;
}

/** Stations are public to drivers (they look for one); staff see their tenant's. */
export function canSeeStation(principal: Principal, station: { tenant_id: string }): boolean {
  return principal.role === 'driver' || canSeeTenant(principal, station.tenant_id);
}

/** Drivers see their own charging; staff their tenant's. */
export function canSeeCharging(principal: Principal, row: { tenant_id: string; customer_id: string | null }) {
  if (principal.role === 'driver')
    return principal.customer_id !== undefined && principal.customer_id === row.customer_id;
  return canSeeTenant(principal, row.tenant_id);
}
