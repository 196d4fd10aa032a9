import { type FacilityConfig, facilityClient } from '@easypark/facility/client';
import { AppError, canSeeFacility, canSeeTenant, type Principal } from '@easypark/kernel';
import type { ServiceRuntime } from '@easypark/platform';
import { problem } from './errors.ts';

/** The facility's configuration from the facility service; unknown facilities are FACILITY_NOT_FOUND. */
export async function loadFacility(
  runtime: ServiceRuntime,
  facilityId: string,
  options: { fresh?: boolean } = {},
): Promise<FacilityConfig> {
  try {
    return await facilityClient(runtime.client('facility')).config(facilityId, options);
  } catch (error) {
    if (error instanceof AppError && error.status === 404) {
      throw problem('FACILITY_NOT_FOUND', `Facility ${facilityId} does not exist`);
    }
    throw error;
  }
}

/**
 * A facility the principal may manage (an API key: its own facility only). Another tenant's
 * facility answers exactly like a missing one, so that its existence is not revealed.
 */
export async function facilityForStaff(
  runtime: ServiceRuntime,
  principal: Principal,
  facilityId: string,
  options: { fresh?: boolean } = {},
): Promise<FacilityConfig> {
  const facility = await loadFacility(runtime, facilityId, options);
  if (!canSeeFacility(principal, facility.tenant_id, facility.facility_id)) {
    throw problem('FACILITY_NOT_FOUND', `Facility ${facilityId} does not exist`);
  }
  return facility;
}

/**
 * The facility config for work that must go on while the facility service is down (exits,
 * status changes): then null, and only the occupancy alert is skipped. Unknown is still unknown.
 */
export async function facilityIfReachable(
  runtime: ServiceRuntime,
  facilityId: string,
): Promise<FacilityConfig | null> {
  try {
    return await loadFacility(runtime, facilityId);
  } catch (error) {
    if (error instanceof AppError && error.code === 'FACILITY_NOT_FOUND') throw error;
    runtime.logger.warn(
      { err: error, facility_id: facilityId },
      'facility config unavailable; occupancy alerts skipped',
    );
    return null;
  }
}

/**
 * True when the principal may see an object of this tenant (staff, platform admins); with the
 * object's facility, an API key may too if it is the key's facility.
 */
export function staffSees(principal: Principal, tenantId: string | null, facilityId?: string): boolean {
  if (principal.role === 'platform_admin') return true;
  if (principal.role === 'driver' || tenantId === null) return false;
  return facilityId === undefined
    ? canSeeTenant(principal, tenantId)
    : canSeeFacility(principal, tenantId, facilityId);
}
