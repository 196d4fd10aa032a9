import { canSeeTenant, type Principal } from '@easypark/kernel';
import type { Queryable } from '@easypark/platform';
import { problem } from './errors.ts';
import { type FacilityRow, findFacility } from './store.ts';

/**
 * Staff see their tenant's facilities, platform admins and services all of them, drivers the
 * active ones (the public directory). Anything else is "not found", never "forbidden": another
 * tenant's facility must not even be seen to exist.
 */
export async function visibleFacility(
  db: Queryable,
  principal: Principal,
  facilityId: string,
): Promise<FacilityRow> {
  const facility = await findFacility(db, facilityId);
  if (!facility || !mayRead(principal, facility))
    throw problem('FACILITY_NOT_FOUND', `No facility ${facilityId}`);
  return facility;
}

export function mayRead(principal: Principal, facility: FacilityRow): boolean {
  if (principal.role === 'driver') return facility.status === 'ACTIVE';
  return canSeeTenant(principal, facility.tenant_id);
}

/** Changing a facility (the route-access table admits only its managers): its tenant's, or any for a platform admin. */
export async function manageableFacility(
  db: Queryable,
  principal: Principal,
  facilityId: string,
  forUpdate = false,
) {
  const facility = await findFacility(db, facilityId, forUpdate);
  if (!facility || !canSeeTenant(principal, facility.tenant_id)) {
    throw problem('FACILITY_NOT_FOUND', `No facility ${facilityId}`);
  }
  return facility;
}
