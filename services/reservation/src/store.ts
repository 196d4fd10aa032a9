import { newId } from '@easypark/kernel';
import type { Queryable, Tx } from '@easypark/platform';

// All SQL of the reservation service.

export type ReservationStatus = 'PENDING' | 'CONFIRMED' | 'CANCELLED' | 'EXPIRED' | 'FULFILLED' | 'NO_SHOW';
export const activeStatuses: ReservationStatus[] = ['PENDING', 'CONFIRMED', 'FULFILLED'];

export interface ReservationRow {
  reservation_id: string;
  tenant_id: string;
  customer_id: string;
  facility_id: string;
  space_id: string;
  desired_size: 'COMPACT' | 'STANDARD' | 'LARGE';
  space_floor: number;
  space_aisle: string;
  space_number: number;
  vehicle_type: 'CAR' | 'MOTORCYCLE' | 'TRUCK' | 'BUS';
  registration_number: string | null;
  start_time: Date;
  end_time: Date;
  status: ReservationStatus;
  confirmation_code: string;
  currency: string;
  estimated_parking: number | null;
  reservation_fee: number;
  free_cancellation_until: Date;
  cancellation_fee: number;
  no_show_fee: number;
  arrival_from: Date;
  arrival_until: Date;
  fee_charged: number | null;
  cancellation_reason: string | null;
  session_id: string | null;
  created_at: Date;
  expires_at: Date;
  confirmed_at: Date | null;
  cancelled_at: Date | null;
  expired_at: Date | null;
  fulfilled_at: Date | null;
  no_show_at: Date | null;
  updated_at: Date;
}

export type NewReservation = Omit<
  ReservationRow,
  | 'status'
  | 'fee_charged'
  | 'cancellation_reason'
  | 'session_id'
  | 'confirmed_at'
  | 'cancelled_at'
  | 'expired_at'
  | 'fulfilled_at'
  | 'no_show_at'
  | 'updated_at'
>;

const newColumns = [
  'reservation_id',
  'tenant_id',
  'customer_id',
  'facility_id',
  'space_id',
  'desired_size',
  'space_floor',
  'space_aisle',
  'space_number',
  'vehicle_type',
  'registration_number',
  'start_time',
  'end_time',
  'confirmation_code',
  'currency',
  'estimated_parking',
  'reservation_fee',
  'free_cancellation_until',
  'cancellation_fee',
  'no_show_fee',
  'arrival_from',
  'arrival_until',
  'created_at',
  'expires_at',
] as const satisfies readonly (keyof NewReservation)[];

/** Inserts a PENDING reservation and its hold. Overlaps fail with reservations_space_no_overlap. */
export async function insertReservation(tx: Tx, r: NewReservation): Promise<ReservationRow> {
  const { rows } = await tx.query<ReservationRow>(
    `INSERT INTO reservations (${newColumns.join(', ')}, updated_at)
     VALUES (${newColumns.map((_, i) => `$${i + 1}`).join(', ')}, $${newColumns.length - 1})
     RETURNING *`,
    newColumns.map((column) => r[column]),
  );
  await tx.query(
    `INSERT INTO reservation_holds (hold_id, reservation_id, space_id, held_until, created_at)
     VALUES ($1, $2, $3, $4, $5)`,
    [newId('hold'), r.reservation_id, r.space_id, r.expires_at, r.created_at],
  );
  return rows[0]!;
}

export async function findReservation(
  db: Queryable,
  reservationId: string,
  forUpdate = false,
): Promise<ReservationRow | undefined> {
  const { rows } = await db.query<ReservationRow>(
    `SELECT * FROM reservations WHERE reservation_id = $1 ${forUpdate ? 'FOR UPDATE' : ''}`,
    [reservationId],
  );
  return rows[0];
}

export async function findByCode(db: Queryable, code: string): Promise<ReservationRow | undefined> {
  const { rows } = await db.query<ReservationRow>('SELECT * FROM reservations WHERE confirmation_code = $1', [
    code,
  ]);
  return rows[0];
}

/** The confirmed reservation of this plate at the facility whose arrival time is nearest `at`. */
export async function findConfirmedByPlate(
  db: Queryable,
  facilityId: string,
  plate: string,
  at: Date,
): Promise<ReservationRow | undefined> {
  const { rows } = await db.query<ReservationRow>(
    `SELECT * FROM reservations
     WHERE facility_id = $1 AND registration_number = $2 AND status = 'CONFIRMED'
     ORDER BY abs(extract(epoch FROM start_time - $3::timestamptz)) LIMIT 1`,
    [facilityId, plate, at],
  );
  return rows[0];
}

export interface ListFilter {
  tenantId?: string;
  customerId?: string;
  facilityId?: string;
  status?: ReservationStatus;
  from?: Date;
  to?: Date;
  after?: string;
  limit: number;
}

export async function listReservations(db: Queryable, f: ListFilter): Promise<ReservationRow[]> {
  const { rows } = await db.query<ReservationRow>(
    `SELECT * FROM reservations
     WHERE ($1::text IS NULL OR tenant_id = $1) AND ($2::text IS NULL OR customer_id = $2)
       AND ($3::text IS NULL OR facility_id = $3) AND ($4::text IS NULL OR status = $4)
       AND ($5::timestamptz IS NULL OR end_time > $5) AND ($6::timestamptz IS NULL OR start_time < $6)
       AND ($7::text IS NULL OR reservation_id < $7)
     ORDER BY reservation_id DESC LIMIT $8`,
    [
      f.tenantId ?? null,
      f.customerId ?? null,
      f.facilityId ?? null,
      f.status ?? null,
      f.from ?? null,
      f.to ?? null,
      f.after ?? null,
      f.limit,
    ],
  );
  return rows;
}

export interface Booking {
  space_id: string;
  reservation_id: string;
  start_time: Date;
  end_time: Date;
}

/** Active reservations at the facility (of one size, or all) overlapping [from, to). */
export async function activeBookings(
  db: Queryable,
  facilityId: string,
  size: string | undefined,
  from: Date,
  to: Date,
): Promise<Booking[]> {
  const { rows } = await db.query<Booking>(
    `SELECT space_id, reservation_id, start_time, end_time FROM reservations
     WHERE facility_id = $1 AND ($2::text IS NULL OR desired_size = $2) AND status = ANY($3::text[])
       AND start_time < $5 AND end_time > $4
     ORDER BY space_id, start_time`,
    [facilityId, size ?? null, activeStatuses, from, to],
  );
  return rows;
}

// Writers of a space's reservations take this lock first. The exclusion constraint alone would
// make two simultaneous overlapping inserts wait on each other, a deadlock PostgreSQL breaks only
// after a second; under the lock the second writer instead sees the first's committed booking.
const spaceLock = `pg_try_advisory_xact_lock(hashtext('reservation.space'), hashtext(space_id))`;

/** The first of `spaceIds` (in order) no other transaction is booking now, locked until commit. */
export async function lockFirstUnbusySpace(tx: Tx, spaceIds: string[]): Promise<string | null> {
  const { rows } = await tx.query<{ space_id: string }>(
    `SELECT space_id FROM unnest($1::text[]) AS candidate(space_id) WHERE ${spaceLock} LIMIT 1`,
    [spaceIds],
  );
  return rows[0]?.space_id ?? null;
}

/** Waits for the space's booking lock. */
export async function lockSpace(tx: Tx, spaceId: string): Promise<void> {
  await tx.query(`SELECT pg_advisory_xact_lock(hashtext('reservation.space'), hashtext($1))`, [spaceId]);
}

async function releaseHold(tx: Tx, reservationId: string, reason: string, now: Date) {
  await tx.query(
    `UPDATE reservation_holds SET released_at = $2, release_reason = $3
     WHERE reservation_id = $1 AND released_at IS NULL`,
    [reservationId, now, reason],
  );
}

export async function markConfirmed(tx: Tx, reservationId: string, now: Date): Promise<ReservationRow> {
  const { rows } = await tx.query<ReservationRow>(
    `UPDATE reservations SET status = 'CONFIRMED', confirmed_at = $2, updated_at = $2
     WHERE reservation_id = $1 RETURNING *`,
    [reservationId, now],
  );
  await releaseHold(tx, reservationId, 'CONFIRMED', now);
  return rows[0]!;
}

export async function markCancelled(
  tx: Tx,
  reservationId: string,
  reason: string | null,
  fee: number,
  now: Date,
): Promise<ReservationRow> {
  const { rows } = await tx.query<ReservationRow>(
    `UPDATE reservations SET status = 'CANCELLED', cancelled_at = $2, updated_at = $2,
       cancellation_reason = $3, fee_charged = $4
     WHERE reservation_id = $1 RETURNING *`,
    [reservationId, now, reason, fee],
  );
  await releaseHold(tx, reservationId, 'CANCELLED', now);
  return rows[0]!;
}

/**
 * Expires up to `limit` PENDING reservations whose hold ran out by `now` (only `reservationId`,
 * when given); each once, across instances.
 */
export async function expireDueHolds(
  tx: Tx,
  now: Date,
  limit: number,
  reservationId: string | null = null,
): Promise<ReservationRow[]> {
  const { rows } = await tx.query<ReservationRow>(
    `WITH due AS (
       SELECT reservation_id FROM reservations
       WHERE status = 'PENDING' AND expires_at <= $1 AND ($3::text IS NULL OR reservation_id = $3)
       ORDER BY expires_at LIMIT $2 FOR UPDATE SKIP LOCKED
     )
     UPDATE reservations r SET status = 'EXPIRED', expired_at = $1, updated_at = $1
     FROM due WHERE r.reservation_id = due.reservation_id RETURNING r.*`,
    [now, limit, reservationId],
  );
  await tx.query(
    `UPDATE reservation_holds SET released_at = $1, release_reason = 'EXPIRED'
     WHERE reservation_id = ANY($2::text[]) AND released_at IS NULL`,
    [now, rows.map((r) => r.reservation_id)],
  );
  return rows;
}

/** Marks up to `limit` CONFIRMED reservations whose arrival time ran out by `now` as NO_SHOW. */
export async function markDueNoShows(tx: Tx, now: Date, limit: number): Promise<ReservationRow[]> {
  const { rows } = await tx.query<ReservationRow>(
    `WITH due AS (
       SELECT reservation_id FROM reservations WHERE status = 'CONFIRMED' AND arrival_until <= $1
       ORDER BY arrival_until LIMIT $2 FOR UPDATE SKIP LOCKED
     )
     UPDATE reservations r SET status = 'NO_SHOW', no_show_at = $1, updated_at = $1, fee_charged = r.no_show_fee
     FROM due WHERE r.reservation_id = due.reservation_id RETURNING r.*`,
    [now, limit],
  );
  return rows;
}

/** The driver parked under the reservation. Only a CONFIRMED (or a just-lapsed NO_SHOW) one counts. */
export async function markFulfilled(
  tx: Tx,
  reservationId: string,
  sessionId: string,
  arrivedAt: Date,
): Promise<ReservationRow | undefined> {
  const { rows } = await tx.query<ReservationRow>(
    `UPDATE reservations SET status = 'FULFILLED', fulfilled_at = $3, session_id = $2, updated_at = $3,
       no_show_at = NULL, fee_charged = NULL
     WHERE reservation_id = $1 AND status IN ('CONFIRMED', 'NO_SHOW') RETURNING *`,
    [reservationId, sessionId, arrivedAt],
  );
  return rows[0];
}

/** Parking's location order of spaces; directory_spaces_in_order is indexed the same way. */
const locationOrder = 'abs(s.floor), s.floor, s.aisle COLLATE "C", s.number';

export interface DirectorySpace {
  space_id: string;
  size: 'COMPACT' | 'STANDARD' | 'LARGE';
  location: { floor: number; aisle: string; number: number };
  in_maintenance: boolean;
}

/**
 * The facility's spaces (of one size, or all) in Parking's location order, or null when the
 * directory does not hold all of them yet.
 */
export async function directorySpaces(
  db: Queryable,
  facilityId: string,
  size: string | undefined,
): Promise<DirectorySpace[] | null> {
  const { rows } = await db.query<{ complete: boolean; space: DirectorySpace | null }>(
    `SELECT d.complete, CASE WHEN s.space_id IS NOT NULL THEN json_build_object(
         'space_id', s.space_id, 'size', s.size, 'in_maintenance', s.in_maintenance,
         'location', json_build_object('floor', s.floor, 'aisle', s.aisle, 'number', s.number)) END AS space
     FROM space_directories d
     LEFT JOIN directory_spaces s ON s.facility_id = d.facility_id AND ($2::text IS NULL OR s.size = $2)
     WHERE d.facility_id = $1
     ORDER BY ${locationOrder}`,
    [facilityId, size ?? null],
  );
  if (!rows[0]?.complete) return null;
  return rows.flatMap((r) => (r.space ? [r.space] : []));
}

/** Whether the directory holds all of the facility's spaces Parking announced. */
export async function directoryComplete(db: Queryable, facilityId: string): Promise<boolean> {
  const { rows } = await db.query<{ complete: boolean }>(
    'SELECT complete FROM space_directories WHERE facility_id = $1',
    [facilityId],
  );
  return rows[0]?.complete ?? false;
}

/**
 * The first `limit` spaces of the size in the directory, in location order, that a booking of
 * [from, to) can take: not in maintenance, not in `skip`, and with no active reservation
 * overlapping the window. Chosen here, in the order of an index, so a booking reads a few dozen
 * rows however large the garage.
 */
export async function freeDirectorySpaces(
  db: Queryable,
  facilityId: string,
  size: string,
  window: { from: Date; to: Date },
  skip: readonly string[],
  limit: number,
): Promise<DirectorySpace[]> {
  const { rows } = await db.query<DirectorySpace>(
    `SELECT s.space_id, s.size, s.in_maintenance,
       json_build_object('floor', s.floor, 'aisle', s.aisle, 'number', s.number) AS location
     FROM directory_spaces s
     WHERE s.facility_id = $1 AND s.size = $2 AND NOT s.in_maintenance AND s.space_id <> ALL($5::text[])
       AND NOT EXISTS (
         SELECT 1 FROM reservations r
         WHERE r.space_id = s.space_id AND r.status = ANY($6::text[]) AND r.start_time < $4 AND r.end_time > $3)
     ORDER BY ${locationOrder}
     LIMIT $7`,
    [facilityId, size, window.from, window.to, skip, activeStatuses, limit],
  );
  return rows;
}

type AnnouncedSpace = Omit<DirectorySpace, 'in_maintenance'>;

function spaceColumns(spaces: readonly AnnouncedSpace[]) {
  return [
    spaces.map((s) => s.space_id),
    spaces.map((s) => s.size),
    spaces.map((s) => s.location.floor),
    spaces.map((s) => s.location.aisle),
    spaces.map((s) => s.location.number),
  ];
}

/**
 * All of a facility's spaces as Parking lists them now: the directory is complete unless an
 * announcement of later spaces came first.
 */
export async function saveDirectory(
  tx: Tx,
  facilityId: string,
  spaces: readonly (AnnouncedSpace & { in_maintenance: boolean })[],
  at: Date,
): Promise<void> {
  await lockDirectory(tx, facilityId, spaces.length);
  await tx.query(
    `INSERT INTO directory_spaces (space_id, facility_id, size, floor, aisle, number, in_maintenance, status_at)
     SELECT s.space_id, $1, s.size, s.floor, s.aisle, s.number, s.in_maintenance, $8
     FROM unnest($2::text[], $3::text[], $4::int[], $5::text[], $6::int[], $7::boolean[])
       AS s (space_id, size, floor, aisle, number, in_maintenance)
     ON CONFLICT (space_id) DO UPDATE SET in_maintenance = EXCLUDED.in_maintenance, status_at = EXCLUDED.status_at
       WHERE directory_spaces.status_at IS NULL OR directory_spaces.status_at < EXCLUDED.status_at`,
    [facilityId, ...spaceColumns(spaces), spaces.map((s) => s.in_maintenance), at],
  );
  await settleCompleteness(tx, facilityId);
}

/**
 * Takes the facility's directory row until commit, first, so that announcements and loads of one
 * facility apply one after the other (and never wait on each other's spaces the other way round)
 * and each counts what the one before added; remembers the largest total announced.
 */
async function lockDirectory(tx: Tx, facilityId: string, total: number): Promise<void> {
  await tx.query(
    `INSERT INTO space_directories (facility_id, complete, announced_total) VALUES ($1, false, $2)
     ON CONFLICT (facility_id) DO UPDATE
       SET announced_total = greatest(space_directories.announced_total, EXCLUDED.announced_total)`,
    [facilityId, total],
  );
}

async function settleCompleteness(tx: Tx, facilityId: string): Promise<void> {
  await tx.query(
    `UPDATE space_directories
     SET complete = (SELECT count(*) FROM directory_spaces WHERE facility_id = $1) >= announced_total
     WHERE facility_id = $1`,
    [facilityId],
  );
}

/**
 * Spaces Parking announced; the directory is complete when it knows as many spaces as the largest
 * total announced (an announcement of spaces added before the directory existed, or one applied
 * before an earlier one, leaves it incomplete).
 */
export async function addToDirectory(
  tx: Tx,
  facilityId: string,
  spaces: readonly AnnouncedSpace[],
  totalSpaces: number,
): Promise<void> {
  await lockDirectory(tx, facilityId, totalSpaces);
  await tx.query(
    `INSERT INTO directory_spaces (space_id, facility_id, size, floor, aisle, number)
     SELECT s.space_id, $1, s.size, s.floor, s.aisle, s.number
     FROM unnest($2::text[], $3::text[], $4::int[], $5::text[], $6::int[]) AS s (space_id, size, floor, aisle, number)
     ON CONFLICT (space_id) DO NOTHING`,
    [facilityId, ...spaceColumns(spaces)],
  );
  await settleCompleteness(tx, facilityId);
}

/** A space went into or out of maintenance at `at` (an older report arriving late changes nothing). */
export async function setMaintenance(
  tx: Tx,
  spaceId: string,
  inMaintenance: boolean,
  at: Date,
): Promise<void> {
  await tx.query(
    `UPDATE directory_spaces SET in_maintenance = $2, status_at = $3
     WHERE space_id = $1 AND (status_at IS NULL OR status_at < $3)`,
    [spaceId, inMaintenance, at],
  );
}
