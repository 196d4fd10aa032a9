import type { Queryable } from '@easypark/platform';
import type { LocalReservationStatus } from '../domain/reservations.ts';

export interface SpaceReservationRow {
  reservation_id: string;
  space_id: string;
  facility_id: string;
  customer_id: string | null;
  confirmation_code: string | null;
  registration_number: string | null;
  start_time: Date | null;
  end_time: Date | null;
  arrival_from: Date | null;
  arrival_until: Date | null;
  status: LocalReservationStatus;
  session_id: string | null;
  updated_at: Date;
}

/** A confirmed reservation as its event (or the Reservation service's arrival answer) describes it. */
export interface ConfirmedReservation {
  reservation_id: string;
  space_id: string;
  customer_id: string;
  confirmation_code: string;
  registration_number: string | null;
  start_time: string;
  end_time: string;
  arrival_from: string;
  arrival_until: string;
}

const columns = `reservation_id, space_id, facility_id, customer_id, confirmation_code, registration_number,
  start_time, end_time, arrival_from, arrival_until, status, session_id, updated_at`;

/**
 * Records a confirmed reservation as ACTIVE, or refreshes its details while it is still ACTIVE.
 * One already released or fulfilled stays so (a late or repeated confirmation). A space this
 * service does not know records nothing. Returns whether the reservation is ACTIVE now.
 */
export async function recordConfirmed(tx: Queryable, r: ConfirmedReservation, now: Date): Promise<boolean> {
  const { rowCount } = await tx.query(
    `INSERT INTO space_reservations (reservation_id, space_id, facility_id, customer_id, confirmation_code,
       registration_number, start_time, end_time, arrival_from, arrival_until, status, updated_at)
     SELECT $1, space_id, facility_id, $3, $4, $5, $6, $7, $8, $9, 'ACTIVE', $10
     FROM parking_spaces WHERE space_id = $2
     ON CONFLICT (reservation_id) DO UPDATE SET space_id = EXCLUDED.space_id, facility_id = EXCLUDED.facility_id,
       customer_id = EXCLUDED.customer_id, confirmation_code = EXCLUDED.confirmation_code,
       registration_number = EXCLUDED.registration_number, start_time = EXCLUDED.start_time,
       end_time = EXCLUDED.end_time, arrival_from = EXCLUDED.arrival_from, arrival_until = EXCLUDED.arrival_until,
       updated_at = EXCLUDED.updated_at
     WHERE space_reservations.status = 'ACTIVE'`,
    [
      r.reservation_id,
      r.space_id,
      r.customer_id,
      r.confirmation_code,
      r.registration_number,
      r.start_time,
      r.end_time,
      r.arrival_from,
      r.arrival_until,
      now,
    ],
  );
  return rowCount === 1;
}

/**
 * Ends a reservation: RELEASED (cancelled, expired, no-show) only while it is ACTIVE; FULFILLED
 * (the driver parked) whatever it was. One not seen before is recorded without its details,
 * so that a confirmation arriving after it changes nothing. Unknown spaces record nothing.
 */
export async function settleReservation(
  tx: Queryable,
  r: { reservation_id: string; space_id: string; customer_id: string | null },
  status: 'RELEASED' | 'FULFILLED',
  sessionId: string | null,
  now: Date,
): Promise<void> {
  await tx.query(
    `INSERT INTO space_reservations (reservation_id, space_id, facility_id, customer_id, status, session_id, updated_at)
     SELECT $1, space_id, facility_id, $3, $4, $5, $6 FROM parking_spaces WHERE space_id = $2
     ON CONFLICT (reservation_id) DO UPDATE SET status = EXCLUDED.status,
       session_id = coalesce(EXCLUDED.session_id, space_reservations.session_id), updated_at = EXCLUDED.updated_at
     WHERE space_reservations.status = 'ACTIVE' OR EXCLUDED.status = 'FULFILLED'`,
    [r.reservation_id, r.space_id, r.customer_id, status, sessionId, now],
  );
}

/** The reservation whose arrival window is open at `at` on this space (the earliest, should two overlap). */
export async function currentReservation(tx: Queryable, spaceId: string, at: Date): Promise<string | null> {
  const { rows } = await tx.query<{ reservation_id: string }>(
    `SELECT reservation_id FROM space_reservations
     WHERE space_id = $1 AND status = 'ACTIVE' AND arrival_from <= $2 AND arrival_until > $2
     ORDER BY arrival_from, reservation_id LIMIT 1`,
    [spaceId, at],
  );
  return rows[0]?.reservation_id ?? null;
}

/**
 * The ACTIVE reservation of a plate in a facility whose arrival window is open at `at`, locked
 * so that two entries cannot both park under it.
 */
export async function lockArrivingReservation(
  tx: Queryable,
  facilityId: string,
  plate: string,
  at: Date,
): Promise<SpaceReservationRow | null> {
  const { rows } = await tx.query<SpaceReservationRow>(
    `SELECT ${columns} FROM space_reservations
     WHERE facility_id = $1 AND registration_number = $2 AND status = 'ACTIVE'
       AND arrival_from <= $3 AND arrival_until > $3
     ORDER BY arrival_from, reservation_id LIMIT 1
     FOR UPDATE`,
    [facilityId, plate, at],
  );
  return rows[0] ?? null;
}

/**
 * Spaces whose status may be out of step with their reservations at `at`: free ones whose
 * reservation's window has opened, and ones held for a reservation whose window is not open.
 */
export async function spacesToReconcile(
  db: Queryable,
  at: Date,
): Promise<Array<{ space_id: string; facility_id: string }>> {
  const { rows } = await db.query<{ space_id: string; facility_id: string }>(
    `SELECT p.space_id, p.facility_id FROM space_reservations r JOIN parking_spaces p ON p.space_id = r.space_id
     WHERE r.status = 'ACTIVE' AND r.arrival_from <= $1 AND r.arrival_until > $1 AND p.status = 'AVAILABLE'
     UNION
     SELECT p.space_id, p.facility_id FROM parking_spaces p
     WHERE p.status = 'RESERVED' AND p.status_reason LIKE 'reservation %'
       AND NOT EXISTS (
         SELECT 1 FROM space_reservations r
         WHERE r.space_id = p.space_id AND r.status = 'ACTIVE' AND r.arrival_from <= $1 AND r.arrival_until > $1
           AND p.status_reason = 'reservation ' || r.reservation_id)
     ORDER BY facility_id, space_id`,
    [at],
  );
  return rows;
}
