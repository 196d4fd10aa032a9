import { fits, type SpaceSize, type SpaceStatus } from './spaces.ts';
import { isValidPlate, normalisePlate, type VehicleType } from './vehicles.ts';

/**
 * Parking's side of reservations: a confirmed reservation holds its space RESERVED from
 * arrival_from until just before arrival_until (start ± the facility's grace; the SQL in
 * store/reservations.ts selects that window), and the driver who arrives in it parks in it.
 */

export type LocalReservationStatus = 'ACTIVE' | 'FULFILLED' | 'RELEASED';

const reasonPrefix = 'reservation ';

/** The status_reason of a space held for a reservation; it is how a hold is told from an operator's. */
export function reservationReason(reservationId: string): string {
  return `${reasonPrefix}${reservationId}`;
}

/** The reservation a RESERVED space is held for; null when it is not held for one (an operator's hold). */
export function holdingReservation(space: {
  status: SpaceStatus;
  status_reason: string | null;
}): string | null {
  if (space.status !== 'RESERVED' || !space.status_reason?.startsWith(reasonPrefix)) return null;
  return space.status_reason.slice(reasonPrefix.length);
}

/**
 * What a space's status must become given the reservation whose arrival window is open now
 * (null: none), or null when it stays as it is. Occupied spaces and spaces under maintenance are
 * never touched, and neither is a space an operator reserved by hand.
 */
export function reservedStatus(
  space: { status: SpaceStatus; status_reason: string | null },
  current: string | null,
): { status: SpaceStatus; reason: string | null } | null {
  if (space.status === 'OCCUPIED' || space.status === 'MAINTENANCE') return null;
  const holder = holdingReservation(space);
  if (space.status === 'RESERVED' && holder === null) return null;
  if (current === null) return holder === null ? null : { status: 'AVAILABLE', reason: null };
  return holder === current ? null : { status: 'RESERVED', reason: reservationReason(current) };
}

/**
 * Whether a vehicle arriving under a reservation the Reservation service has just validated may
 * park in the space booked for it: it must fit, and be free or held. A hold for a later booking
 * does not stop it: bookings of a space never overlap, so a valid arrival is still inside its own
 * window and the later driver, arriving early, is the one who gets another space.
 */
export function canTakeBookedSpace(
  space: { size: SpaceSize; status: SpaceStatus },
  type: VehicleType,
): boolean {
  return fits(space.size, type) && (space.status === 'AVAILABLE' || space.status === 'RESERVED');
}

/** A reservation's plate as Parking compares plates; null when there is none or it cannot be one. */
export function reservationPlate(raw: string | null | undefined): string | null {
  if (raw == null) return null;
  const plate = normalisePlate(raw);
  return isValidPlate(plate) ? plate : null;
}
