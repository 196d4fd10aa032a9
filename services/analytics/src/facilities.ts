import { facilityClient } from '@easypark/facility/client';
import { AppError, addDays, localParts } from '@easypark/kernel';
import type { Queryable, ServiceRuntime } from '@easypark/platform';
import * as store from './store.ts';

/**
 * The facility as analytics knows it. One registered before this service first ran (or whose
 * facility.registered event is still on its way) is learnt from the facility service, once. Null
 * when the facility service does not know it either.
 */
export function knownFacilities(runtime: ServiceRuntime) {
  let facilities: ReturnType<typeof facilityClient> | undefined;
  return async function knownFacility(
    db: Queryable,
    facilityId: string,
    lock = false,
  ): Promise<store.FacilityRow | null> {
    const known = await store.findFacility(db, facilityId, lock);
    if (known) return known;
    try {
      facilities ??= facilityClient(runtime.client('facility'));
      const f = await facilities.config(facilityId);
      await store.saveFacility(
        db,
        { ...f, reported_through: dayBefore(f.timezone, runtime.clock.now()) },
        runtime.clock.now(),
      );
    } catch (error) {
      if (error instanceof AppError && error.status === 404) return null;
      throw error;
    }
    return store.findFacility(db, facilityId, lock);
  };
}

export type KnownFacility = ReturnType<typeof knownFacilities>;

/** Daily reports start with the day a facility became known: every day before counts as reported. */
export function dayBefore(timezone: string, at: Date): string {
  return addDays(localParts(at, timezone).date, -1);
}
