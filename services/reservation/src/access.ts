import { type FacilityConfig, facilityClient } from '@easypark/facility/client';
import { AppError, canSeeTenant, type Principal } from '@easypark/kernel';
import type { ServiceRuntime } from '@easypark/platform';
import { problem } from './errors.ts';
import type { ReservationRow } from './store.ts';

/** The facility's configuration; unknown facilities are FACILITY_NOT_FOUND. */
export async function loadFacility(runtime: ServiceRuntime, facilityId: string): Promise<FacilityConfig> {
  try {
    return await facilityClient(runtime.client('facility')).config(facilityId);
  } catch (error) {
    if (error instanceof AppError && error.status === 404)
      throw problem('FACILITY_NOT_FOUND', `Facility ${facilityId} does not exist`);
    throw error;
  }
}

/** Drivers see their own reservations; staff their tenant's. Others' look missing. */
export function canSee(principal: Principal, r: Pick<ReservationRow, 'customer_id' | 'tenant_id'>): boolean {
  if (principal.role === 'driver') return principal.customer_id === r.customer_id;
  return canSeeTenant(principal, r.tenant_id);
}

/** Staff may book for a customer at their tenant's facilities; drivers only for themselves. */
export function bookingCustomer(
  principal: Principal,
  facility: FacilityConfig,
  customerId: string | undefined,
): string {
  if (principal.role === 'driver') {
    if (customerId !== undefined && customerId !== principal.customer_id)
      throw problem('FORBIDDEN', 'Drivers book for themselves only');
    return principal.customer_id!;
  }
  if (principal.role === 'service') throw problem('FORBIDDEN', 'Services do not book reservations');
  if (!canSeeTenant(principal, facility.tenant_id))
    throw problem('FACILITY_NOT_FOUND', `Facility ${facility.facility_id} does not exist`);
  if (!customerId)
    throw problem('VALIDATION_FAILED', 'customer_id is required when staff book', {
      errors: [{ field: 'customer_id', message: 'required' }],
    });
  return customerId;
}
