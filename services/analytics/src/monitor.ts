/**
 * What follows a change at a facility, in the transaction that recorded it: the current
 * occupancy, this 5-minute slot's sample, the hour's peak, the alerts it raises or clears, and a
 * notification (PostgreSQL NOTIFY, delivered at commit to every analytics process) for the live
 * streams.
 */

import { toMajor } from '@easypark/kernel';
import { beforeCommit, type Queryable, type Tx } from '@easypark/platform';
import {
  type AlertType,
  alertMessage,
  alertTransition,
  type Threshold,
  thresholdsInForce,
} from './domain/alerts.ts';
import { hourOf, type OccupancySnapshot, occupancyRate, slotOf, snapshotOf } from './domain/occupancy.ts';
import * as store from './store.ts';
import { alertView } from './views.ts';

export const liveChannel = 'analytics_live';

export type LiveMessage =
  | { facility_id: string; kind: 'occupancy'; data: ReturnType<typeof occupancyView> }
  | { facility_id: string; kind: 'alert'; data: ReturnType<typeof alertView> };

export async function notify(tx: Queryable, message: LiveMessage): Promise<void> {
  await tx.query('SELECT pg_notify($1, $2)', [liveChannel, JSON.stringify(message)]);
}

export function occupancyView(facility: store.FacilityRow, s: OccupancySnapshot, at: Date) {
  return {
    facility_id: facility.facility_id,
    timestamp: at.toISOString(),
    occupancy_rate: s.occupancy_rate,
    occupied_spaces: s.occupied_spaces,
    available_spaces: s.available_spaces,
    capacity: s.capacity,
    available_by_size: s.available_by_size,
    active_sessions: s.active_sessions,
    active_charging_sessions: s.active_charging_sessions,
  };
}

export async function currentSnapshot(
  db: Queryable,
  facility: store.FacilityRow,
): Promise<OccupancySnapshot> {
  const live = await store.liveCounts(db, facility.facility_id);
  return snapshotOf(store.capacityOf(facility), live.counts, {
    sessions: live.sessions,
    charging: live.charging,
  });
}

/**
 * After spaces, visits or charging changed: sample, peak, occupancy alerts, notification, worked
 * out once per facility when the transaction's events are all applied (a consumer applies the
 * events delivered together in one transaction). `occupiedAtEntry` is Parking's count when a
 * vehicle came in: occupancy only rises at an entry, so the highest of these and the occupancy
 * after the batch is the batch's peak, though later events in it brought the count down.
 */
export function occupancyChanged(
  tx: Tx,
  facility: store.FacilityRow,
  now: Date,
  occupiedAtEntry: number | null = null,
): void {
  const pending = beforeCommit(
    tx,
    `occupancy ${facility.facility_id}`,
    () => ({ facility, now, occupiedAtEntry: null as number | null }),
    (p) => settleOccupancy(tx, p.facility, p.now, p.occupiedAtEntry),
  );
  pending.facility = facility;
  pending.now = now;
  if (occupiedAtEntry !== null)
    pending.occupiedAtEntry = Math.max(pending.occupiedAtEntry ?? 0, occupiedAtEntry);
}

async function settleOccupancy(
  tx: Tx,
  facility: store.FacilityRow,
  now: Date,
  occupiedAtEntry: number | null,
): Promise<void> {
  const snapshot = await currentSnapshot(tx, facility);
  const peak = Math.max(
    snapshot.occupancy_rate,
    occupiedAtEntry === null ? 0 : occupancyRate(occupiedAtEntry, snapshot.usable_spaces),
  );
  await store.recordSample(tx, facility.facility_id, slotOf(now), snapshot, now, false, peak);
  await store.addPerformance(tx, facility.facility_id, hourOf(now), { peak_occupancy: peak }, now);
  await notify(tx, {
    facility_id: facility.facility_id,
    kind: 'occupancy',
    data: occupancyView(facility, snapshot, now),
  });
  await checkOccupancyAlerts(tx, facility, snapshot, now);
}

async function thresholds(tx: Queryable, facility: store.FacilityRow): Promise<Threshold[]> {
  return thresholdsInForce(await store.thresholdsOf(tx, facility.facility_id), {
    occupancy_alert_threshold: facility.occupancy_alert_threshold,
    capacity: store.capacityOf(facility),
  });
}

export async function checkOccupancyAlerts(
  tx: Queryable,
  facility: store.FacilityRow,
  snapshot: OccupancySnapshot,
  now: Date,
): Promise<void> {
  const available = {
    COMPACT: snapshot.available_by_size.compact,
    STANDARD: snapshot.available_by_size.standard,
    LARGE: snapshot.available_by_size.large,
  } as Record<string, number>;
  const open = await store.openAlerts(tx, facility.facility_id);
  for (const t of await thresholds(tx, facility)) {
    if (t.alert_type === 'HIGH_OCCUPANCY')
      await apply(tx, facility, t, '', snapshot.occupancy_rate, open, now);
    if (t.alert_type === 'LOW_AVAILABILITY')
      await apply(tx, facility, t, t.scope, available[t.scope] ?? 0, open, now);
  }
}

export async function checkRevenueAlert(
  tx: Queryable,
  facility: store.FacilityRow,
  now: Date,
): Promise<void> {
  const threshold = (await thresholds(tx, facility)).find((x) => x.alert_type === 'HIGH_REVENUE')!;
  const open = await store.openAlerts(tx, facility.facility_id);
  if (!threshold.enabled && !open.some((a) => a.alert_type === 'HIGH_REVENUE')) return;
  const minor = await store.revenueInHour(tx, facility.facility_id, hourOf(now));
  await apply(
    tx,
    facility,
    threshold,
    '',
    toMajor({ amount: minor, currency: facility.currency }),
    open,
    now,
  );
}

export async function checkStationAlert(
  tx: Queryable,
  facility: store.FacilityRow,
  stationId: string,
  status: string,
  now: Date,
): Promise<void> {
  const t = (await thresholds(tx, facility)).find((x) => x.alert_type === 'STATION_OFFLINE')!;
  const open = await store.openAlerts(tx, facility.facility_id);
  await apply(tx, facility, t, stationId, status === 'OFFLINE' ? 1 : 0, open, now);
}

async function apply(
  tx: Queryable,
  facility: store.FacilityRow,
  threshold: Threshold,
  subject: string,
  value: number,
  open: store.AlertRow[],
  now: Date,
): Promise<void> {
  const current = open.find((a) => a.alert_type === threshold.alert_type && a.subject === subject);
  const step = alertTransition(threshold, current !== undefined, value);
  if (step === 'RAISE') {
    const raised = await store.raiseAlert(tx, {
      tenant_id: facility.tenant_id,
      facility_id: facility.facility_id,
      alert_type: threshold.alert_type as AlertType,
      subject,
      severity: threshold.severity,
      threshold_value: threshold.alert_type === 'STATION_OFFLINE' ? null : threshold.raise_at,
      current_value: threshold.alert_type === 'STATION_OFFLINE' ? null : value,
      message: alertMessage(threshold.alert_type, subject, value, threshold.raise_at),
      created_at: now,
    });
    if (raised)
      await notify(tx, { facility_id: facility.facility_id, kind: 'alert', data: alertView(raised) });
  } else if (step === 'CLEAR' && current) {
    const cleared = await store.clearAlert(
      tx,
      current.alert_id,
      threshold.alert_type === 'STATION_OFFLINE' ? null : value,
      now,
    );
    if (cleared)
      await notify(tx, { facility_id: facility.facility_id, kind: 'alert', data: alertView(cleared) });
  }
}
