import type { Queryable } from '@easypark/platform';
import type { CountRow } from '../domain/occupancy.ts';
import type { SpaceSize, SpaceStatus } from '../domain/spaces.ts';

export interface SpaceRow {
  space_id: string;
  tenant_id: string;
  facility_id: string;
  size: SpaceSize;
  status: SpaceStatus;
  location_floor: number;
  location_aisle: string;
  location_number: number;
  status_reason: string | null;
  last_updated: Date;
  created_at: Date;
}

export interface NewSpace {
  space_id: string;
  tenant_id: string;
  facility_id: string;
  size: SpaceSize;
  location_floor: number;
  location_aisle: string;
  location_number: number;
}

const columns = `space_id, tenant_id, facility_id, size, status, location_floor, location_aisle, location_number,
  status_reason, last_updated, created_at`;

/**
 * Serialises work on one facility until the transaction ends: `capacity` for creating spaces
 * (count, then insert), `occupancy` for changes whose before/after occupancy must be exact.
 */
export async function lockFacility(
  tx: Queryable,
  purpose: 'capacity' | 'occupancy',
  facilityId: string,
): Promise<void> {
  await tx.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [
    purpose === 'capacity' ? 1 : 2,
    facilityId,
  ]);
}

/** The facility's spaces of one size, or of all sizes. */
export async function countSpaces(db: Queryable, facilityId: string, size?: SpaceSize): Promise<number> {
  const { rows } = await db.query<{ n: number }>(
    'SELECT count(*)::int AS n FROM parking_spaces WHERE facility_id = $1 AND ($2::text IS NULL OR size = $2)',
    [facilityId, size ?? null],
  );
  return rows[0]?.n ?? 0;
}

export async function insertSpaces(
  tx: Queryable,
  spaces: readonly NewSpace[],
  now: Date,
): Promise<SpaceRow[]> {
  const { rows } = await tx.query<SpaceRow>(
    `INSERT INTO parking_spaces (space_id, tenant_id, facility_id, size, location_floor, location_aisle, location_number,
       last_updated, created_at)
     SELECT s.*, $8::timestamptz, $8::timestamptz
     FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::int[], $6::text[], $7::int[]) AS s
     RETURNING ${columns}`,
    [
      spaces.map((s) => s.space_id),
      spaces.map((s) => s.tenant_id),
      spaces.map((s) => s.facility_id),
      spaces.map((s) => s.size),
      spaces.map((s) => s.location_floor),
      spaces.map((s) => s.location_aisle),
      spaces.map((s) => s.location_number),
      now,
    ],
  );
  return rows.sort((a, b) => a.location_number - b.location_number);
}

export async function getSpace(db: Queryable, spaceId: string): Promise<SpaceRow | null> {
  const { rows } = await db.query<SpaceRow>(`SELECT ${columns} FROM parking_spaces WHERE space_id = $1`, [
    spaceId,
  ]);
  return rows[0] ?? null;
}

export async function lockSpace(tx: Queryable, spaceId: string): Promise<SpaceRow | null> {
  const { rows } = await tx.query<SpaceRow>(
    `SELECT ${columns} FROM parking_spaces WHERE space_id = $1 FOR UPDATE`,
    [spaceId],
  );
  return rows[0] ?? null;
}

export interface SpaceFilter {
  facilityId: string;
  status?: SpaceStatus | undefined;
  size?: SpaceSize | undefined;
  floor?: number | undefined;
}

/** Location order: floor, aisle, number (unique within a facility, so a complete keyset). */
export type SpaceCursor = [floor: number, aisle: string, number: number];

export async function listSpaces(
  db: Queryable,
  filter: SpaceFilter,
  after: SpaceCursor | undefined,
  limit: number,
) {
  const { rows } = await db.query<SpaceRow>(
    `SELECT ${columns} FROM parking_spaces
     WHERE facility_id = $1
       AND ($2::text IS NULL OR status = $2)
       AND ($3::text IS NULL OR size = $3)
       AND ($4::int IS NULL OR location_floor = $4)
       AND ($5::int IS NULL OR (location_floor, location_aisle COLLATE "C", location_number) > ($5, $6::text COLLATE "C", $7))
     ORDER BY location_floor, location_aisle COLLATE "C", location_number
     LIMIT $8`,
    [
      filter.facilityId,
      filter.status ?? null,
      filter.size ?? null,
      filter.floor ?? null,
      ...(after ?? [null, null, null]),
      limit,
    ],
  );
  return rows;
}

export async function setSpaceStatus(
  tx: Queryable,
  spaceId: string,
  status: SpaceStatus,
  reason: string | null,
  now: Date,
): Promise<SpaceRow> {
  const { rows } = await tx.query<SpaceRow>(
    `UPDATE parking_spaces SET status = $2, status_reason = $3, last_updated = $4 WHERE space_id = $1 RETURNING ${columns}`,
    [spaceId, status, reason, now],
  );
  return rows[0]!;
}

/** A space just occupied, and when it last changed before that (when it was freed, say). */
export type TakenSpace = SpaceRow & { available_since: Date };

/**
 * Occupies one named space if it is free and fits. The row lock makes racing entries queue
 * here; each re-reads the committed status, so only the first finds it AVAILABLE.
 */
export async function occupySpace(
  tx: Queryable,
  spaceId: string,
  facilityId: string,
  sizes: readonly SpaceSize[],
  now: Date,
): Promise<TakenSpace | null> {
  const { rows } = await tx.query<TakenSpace>(
    `WITH before AS (SELECT space_id, last_updated FROM parking_spaces WHERE space_id = $1 FOR UPDATE)
     UPDATE parking_spaces s SET status = 'OCCUPIED', status_reason = NULL, last_updated = $4
     FROM before
     WHERE s.space_id = before.space_id AND s.facility_id = $2 AND s.status = 'AVAILABLE'
       AND s.size = ANY($3::text[])
     RETURNING s.*, before.last_updated AS available_since`,
    [spaceId, facilityId, sizes, now],
  );
  return rows[0] ?? null;
}

/**
 * Picks and occupies the best free space for a vehicle that fits `sizes` (best fit first),
 * in the order of domain/spaces.ts compareCandidates: spaces nobody booked before those booked
 * for latest, and never one whose reservation's arrival window is open at `now` (it is kept
 * for that driver even before the status round marks it RESERVED). SKIP LOCKED lets
 * simultaneous entries take different spaces instead of queueing behind one another.
 */
export async function occupyFreeSpace(
  tx: Queryable,
  facilityId: string,
  sizes: readonly SpaceSize[],
  now: Date,
  since: Date = now,
): Promise<TakenSpace | null> {
  // A back-dated entry (buffered at the gate) needs a space nobody used since it: the sessions
  // table refuses two stays on one space that overlap.
  const { rows } = await tx.query<TakenSpace>(
    `WITH pick AS (
       SELECT p.space_id, p.last_updated FROM parking_spaces p
       WHERE p.facility_id = $1 AND p.status = 'AVAILABLE' AND p.size = ANY($2::text[])
         AND NOT EXISTS (
           SELECT 1 FROM space_reservations r
           WHERE r.space_id = p.space_id AND r.status = 'ACTIVE' AND r.arrival_from <= $3 AND r.arrival_until > $3)
         AND ($4::timestamptz >= $3 OR NOT EXISTS (
           SELECT 1 FROM parking_sessions ps
           WHERE ps.space_id = p.space_id AND ps.exit_time > $4))
       ORDER BY array_position($2::text[], p.size),
         (SELECT min(r.arrival_from) FROM space_reservations r
          WHERE r.space_id = p.space_id AND r.status = 'ACTIVE' AND r.arrival_from > $3) DESC NULLS FIRST,
         abs(p.location_floor), p.location_floor, p.location_aisle COLLATE "C", p.location_number
       LIMIT 1
       FOR UPDATE OF p SKIP LOCKED
     )
     UPDATE parking_spaces s SET status = 'OCCUPIED', status_reason = NULL, last_updated = $3
     FROM pick WHERE s.space_id = pick.space_id
     RETURNING s.*, pick.last_updated AS available_since`,
    [facilityId, sizes, now, since],
  );
  return rows[0] ?? null;
}

export async function releaseSpace(tx: Queryable, spaceId: string, now: Date): Promise<SpaceRow | null> {
  const { rows } = await tx.query<SpaceRow>(
    `UPDATE parking_spaces SET status = 'AVAILABLE', status_reason = NULL, last_updated = $2
     WHERE space_id = $1 AND status = 'OCCUPIED' RETURNING ${columns}`,
    [spaceId, now],
  );
  return rows[0] ?? null;
}

/**
 * Every space of a facility (optionally of one size), the level nearest the ground first, for
 * Reservation to choose from, already as the JSON array the internal route answers: PostgreSQL
 * builds it, so a garage of 500 spaces costs one string instead of 500 rows parsed and serialised
 * again (10 ms a listing before, and every booking at a facility not listed in the last few
 * seconds waits for one).
 */
export async function facilitySpacesJson(
  db: Queryable,
  facilityId: string,
  size: SpaceSize | undefined,
): Promise<string> {
  const { rows } = await db.query<{ spaces: string }>(
    `SELECT coalesce(json_agg(json_build_object(
         'space_id', space_id, 'size', size, 'status', status,
         'location', json_build_object('floor', location_floor, 'aisle', location_aisle, 'number', location_number))
       ORDER BY abs(location_floor), location_floor, location_aisle COLLATE "C", location_number), '[]')::text AS spaces
     FROM parking_spaces
     WHERE facility_id = $1 AND ($2::text IS NULL OR size = $2)`,
    [facilityId, size ?? null],
  );
  return rows[0]!.spaces;
}

export async function countByStatus(db: Queryable, facilityId: string): Promise<CountRow[]> {
  const { rows } = await db.query<CountRow>(
    `SELECT size, status, count(*)::int AS count FROM parking_spaces WHERE facility_id = $1 GROUP BY size, status`,
    [facilityId],
  );
  return rows;
}
