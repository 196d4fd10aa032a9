import { type FacilityConfig, facilityClient } from '@easypark/facility/client';
import { AppError, canSeeTenant, type Principal } from '@easypark/kernel';
import { requireRole, type ServiceRuntime } from '@easypark/platform';
import { problem } from './errors.ts';

/** Who runs a facility's spaces, gates and sessions. */
export function requireStaff(principal: Principal | undefined): Principal {
  return requireRole(principal, 'platform_admin', 'tenant_admin', 'operator');
}

/** The facility's configuration from the facility service; unknown facilities are FACILITY_NOT_FOUND. */
export async function loadFacility(runtime: ServiceRuntime, facilityId: string): Promise<FacilityConfig> {
  try {
    return await facilityClient(runtime.client('facility')).config(facilityId);
  } catch (error) {
    if (error instanceof AppError && error.status === 404) {
      throw problem('FACILITY_NOT_FOUND', `Facility ${facilityId} does not exist`);
    }
    throw error;
  }
}

/**
 * A facility the principal may manage. Another tenant's facility answers exactly like a
 * missing one, so that its existence is not revealed.
 */
export async function facilityForStaff(
  runtime: ServiceRuntime,
  principal: Principal,
  facilityId: string,
): Promise<FacilityConfig> {
  const facility = await loadFacility(runtime, facilityId);
  if (!canSeeTenant(principal, facility.tenant_id)) {
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

/** True when the principal may see an object of this tenant (staff, platform admins). */
export function staffSees(principal: Principal, tenantId: string | null): boolean {
  if (principal.role === 'platform_admin') return true;
  return principal.role !== 'driver' && tenantId !== null && canSeeTenant(principal, tenantId);
}
