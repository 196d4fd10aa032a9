import type { FacilityConfig } from '@easypark/facility/client';
import { fromMajor } from '@easypark/kernel';
import type { Emit, EventHandlers, Queryable } from '@easypark/platform';
import {
  countsBefore,
  occupancyRate,
  type StatusChange,
  tally,
  thresholdCrossing,
} from './domain/occupancy.ts';
import { fillChargeAmount } from './store/sessions.ts';
import { countByStatus, lockFacility, type SpaceRow } from './store/spaces.ts';

/**
 * What the Parking service publishes (see EventCatalog in the kernel): vehicle entered/exited,
 * space occupied/released/status changed, spaces added, and occupancy threshold crossings. It consumes
 * billing.charge.created (below) and reservation events (in reservations.ts).
 */

export function emitSpaceEvent(
  emit: Emit,
  type: 'parking.space.occupied' | 'parking.space.released',
  space: SpaceRow,
  now: Date,
): void {
  emit({
    type,
    subject: space.space_id,
    tenantid: space.tenant_id,
    facilityid: space.facility_id,
    data: {
      space_id: space.space_id,
      facility_id: space.facility_id,
      size: space.size,
      timestamp: now.toISOString(),
    },
  });
}

/** Spaces just registered, for the readers that keep a directory of them (Reservation). */
export function emitSpacesAdded(
  emit: Emit,
  facility: { facility_id: string; tenant_id: string },
  spaces: SpaceRow[],
  totalSpaces: number,
  now: Date,
): void {
  emit({
    type: 'parking.spaces.added',
    subject: facility.facility_id,
    tenantid: facility.tenant_id,
    facilityid: facility.facility_id,
    data: {
      facility_id: facility.facility_id,
      spaces: spaces.map((s) => ({
        space_id: s.space_id,
        size: s.size,
        location: { floor: s.location_floor, aisle: s.location_aisle, number: s.location_number },
      })),
      total_spaces: totalSpaces,
      timestamp: now.toISOString(),
    },
  });
}

export function emitStatusChanged(emit: Emit, before: SpaceRow, after: SpaceRow, now: Date): void {
  emit({
    type: 'parking.space.status.changed',
    subject: after.space_id,
    tenantid: after.tenant_id,
    facilityid: after.facility_id,
    data: {
      space_id: after.space_id,
      facility_id: after.facility_id,
      size: after.size,
      previous_status: before.status,
      current_status: after.status,
      reason: after.status_reason,
      timestamp: now.toISOString(),
    },
  });
}

/**
 * Call last in a transaction that changed space statuses. Under a per-facility lock held to
 * commit, counts include every earlier change and this one, so each change sees the exact
 * occupancy before and after it and a crossing is reported once, by the change that made it.
 * Without the facility's config (facility service down during an exit) nothing is reported.
 * Returns the counts after the change (null when nothing was counted).
 */
export async function reportOccupancyChange(
  tx: Queryable,
  emit: Emit,
  facility: FacilityConfig | null,
  change: StatusChange,
  now: Date,
): Promise<{ occupied: number } | null> {
  if (!facility || change.count === 0) return null;
  await lockFacility(tx, 'occupancy', facility.facility_id);
  const after = tally(await countByStatus(tx, facility.facility_id)).all;
  const rate = occupancyRate(after);
  const threshold = Number(facility.occupancy_alert_threshold);
  const direction = thresholdCrossing(occupancyRate(countsBefore(after, change)), rate, threshold);
  if (!direction) return after;
  emit({
    type: 'parking.occupancy.threshold',
    subject: facility.facility_id,
    tenantid: facility.tenant_id,
    facilityid: facility.facility_id,
    data: {
      facility_id: facility.facility_id,
      occupancy_rate: rate,
      threshold,
      direction,
      occupied_spaces: after.occupied,
      available_spaces: after.available,
      timestamp: now.toISOString(),
    },
  });
  return after;
}

/** The exit saga's compensation: a charge Billing made from the exit event fills in the session's amount. */
export const billingHandlers: EventHandlers = {
  async 'billing.charge.created'(tx, event) {
    const d = event.data;
    if (d.charge_type !== 'PARKING' || !d.parking_session_id || !d.currency) return;
    await fillChargeAmount(
      tx,
      d.parking_session_id,
      fromMajor(d.amount, d.currency).amount,
      new Date(event.time),
    );
  },
};
