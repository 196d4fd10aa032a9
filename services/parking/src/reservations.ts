import type { FacilityConfig } from '@easypark/facility/client';
import type { Emit, EventHandlers, ServiceRuntime, Tx } from '@easypark/platform';
import { facilityIfReachable } from './access.ts';
import { reservationPlate, reservedStatus } from './domain/reservations.ts';
import { emitSpaceEvent, emitStatusChanged, reportOccupancyChange } from './events.ts';
import {
  currentReservation,
  recordConfirmed,
  settleReservation,
  spacesToReconcile,
} from './store/reservations.ts';
import { lockSpace, type SpaceRow, setSpaceStatus } from './store/spaces.ts';

/**
 * Parking follows the Reservation service's events into its own copy of confirmed reservations
 * (space_reservations) and shows a booked space RESERVED while its arrival window is open: at
 * once for the space an event is about, and for every space in a round every 30 seconds.
 */

/**
 * Brings one locked space's status in line with its reservations at `now`. Only AVAILABLE ↔
 * RESERVED moves here, which never changes the occupancy rate; it still goes through
 * reportOccupancyChange so that it is counted under the facility's lock like every change.
 */
export async function reconcileSpace(
  tx: Tx,
  emit: Emit,
  facility: FacilityConfig | null,
  space: SpaceRow,
  now: Date,
): Promise<void> {
  const change = reservedStatus(space, await currentReservation(tx, space.space_id, now));
  if (!change) return;
  const after = await setSpaceStatus(tx, space.space_id, change.status, change.reason, now);
  if (after.status === space.status) return;
  emitStatusChanged(emit, space, after, now);
  if (after.status === 'AVAILABLE') emitSpaceEvent(emit, 'parking.space.released', after, now);
  await reportOccupancyChange(tx, emit, facility, { from: space.status, to: after.status, count: 1 }, now);
}

/**
 * Handlers get no runtime (no clock, no facility client), so they judge a window as of the
 * event's time, never earlier than the space's last change: a late event must not put back a
 * status the round already moved on from. The next round corrects any difference.
 */
async function reconcileAfterEvent(tx: Tx, emit: Emit, spaceId: string, eventTime: string): Promise<void> {
  const space = await lockSpace(tx, spaceId);
  if (!space) return;
  const now = new Date(Math.max(Date.parse(eventTime), space.last_updated.getTime()));
  await reconcileSpace(tx, emit, null, space, now);
}

/** A cancelled, expired or missed reservation no longer holds its space. */
async function release(
  tx: Tx,
  emit: Emit,
  d: { reservation_id: string; space_id: string; customer_id: string | null },
  eventTime: string,
): Promise<void> {
  await settleReservation(tx, d, 'RELEASED', null, new Date(eventTime));
  await reconcileAfterEvent(tx, emit, d.space_id, eventTime);
}

export const reservationHandlers: EventHandlers = {
  async 'reservation.confirmed'(tx, event, emit) {
    const d = event.data;
    const now = new Date(event.time);
    await recordConfirmed(
      tx,
      {
        reservation_id: d.reservation_id,
        space_id: d.space_id,
        customer_id: d.customer_id,
        confirmation_code: d.confirmation_code,
        registration_number: reservationPlate(d.registration_number),
        start_time: d.start_time,
        end_time: d.end_time,
        arrival_from: d.arrival_from,
        arrival_until: d.arrival_until,
      },
      now,
    );
    await reconcileAfterEvent(tx, emit, d.space_id, event.time);
  },

  'reservation.cancelled': (tx, event, emit) => release(tx, emit, event.data, event.time),
  'reservation.expired': (tx, event, emit) =>
    release(tx, emit, { ...event.data, customer_id: null }, event.time),
  'reservation.no_show': (tx, event, emit) => release(tx, emit, event.data, event.time),

  async 'reservation.fulfilled'(tx, event, emit) {
    const d = event.data;
    await settleReservation(tx, d, 'FULFILLED', d.session_id, new Date(event.time));
    await reconcileAfterEvent(tx, emit, d.space_id, event.time);
  },
};

/**
 * One round over every space whose status may be out of step with its reservations, each in its
 * own transaction. A facility whose config cannot be had is still reconciled (nothing to report).
 */
export async function reconcileReservedSpaces(runtime: ServiceRuntime): Promise<void> {
  const now = runtime.clock.now();
  const facilities = new Map<string, FacilityConfig | null>();
  for (const { space_id, facility_id } of await spacesToReconcile(runtime.pool, now)) {
    try {
      if (!facilities.has(facility_id)) {
        facilities.set(facility_id, await facilityIfReachable(runtime, facility_id).catch(() => null));
      }
      await runtime.transaction(async (tx, emit) => {
        const space = await lockSpace(tx, space_id);
        if (space) await reconcileSpace(tx, emit, facilities.get(facility_id) ?? null, space, now);
      });
    } catch (error) {
      runtime.logger.warn({ err: error, space_id }, 'could not bring a reserved space up to date');
    }
  }
}
