import { canSeeFacility, type Principal } from '@easypark/kernel';
import type { ServiceRuntime } from '@easypark/platform';
import { problem } from './errors.ts';
import { knownFacilities } from './facilities.ts';
import type * as store from './store.ts';

/**
 * The facility, if the principal may look at it: staff of its tenant (and platform admins) may see
 * everything; drivers only what helps them park (current occupancy and the forecast), at any
 * facility; an API key only its own facility. Anyone else gets the same 404 as for a facility
 * that does not exist.
 */
export function visibleFacilities(runtime: ServiceRuntime) {
  const knownFacility = knownFacilities(runtime);
  return async function facilityFor(
    principal: Principal,
    facilityId: string,
    { drivers = false }: { drivers?: boolean } = {},
  ): Promise<store.FacilityRow> {
    const facility = await knownFacility(runtime.pool, facilityId);
    const visible =
      facility !== null &&
      (canSeeFacility(principal, facility.tenant_id, facility.facility_id) ||
        (drivers && principal.role === 'driver'));
    if (!visible) throw problem('FACILITY_NOT_FOUND', `There is no facility ${facilityId}`);
    return facility;
  };
}
