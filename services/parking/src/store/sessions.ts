import type { Queryable } from '@easypark/platform';
import type { SpaceSize } from '../domain/spaces.ts';
import type { ConnectorType, VehicleType } from '../domain/vehicles.ts';

export interface SessionRow {
  session_id: string;
  tenant_id: string;
  vehicle_id: string;
  space_id: string;
  facility_id: string;
  entry_time: Date;
  exit_time: Date | null;
  duration_hours: number | null;
  charge_amount: number | null;
  currency: string;
  customer_id: string | null;
  reservation_id: string | null;
  created_at: Date;
  updated_at: Date;
}

/** A session with what readers want to know about its vehicle and space. */
export interface SessionDetail extends SessionRow {
  registration_number: string;
  vehicle_type: VehicleType;
  is_electric: boolean;
  battery_capacity_kwh: number | null;
  connector_type: ConnectorType | null;
  space_size: SpaceSize;
  location_floor: number;
  location_aisle: string;
  location_number: number;
}

export type NewSession = Omit<
  SessionRow,
  'exit_time' | 'duration_hours' | 'charge_amount' | 'created_at' | 'updated_at'
>;

const detailSelect = `SELECT s.session_id, s.tenant_id, s.vehicle_id, s.space_id, s.facility_id, s.entry_time, s.exit_time,
    s.duration_hours, s.charge_amount, s.currency, s.customer_id, s.reservation_id, s.created_at, s.updated_at,
    v.registration_number, v.vehicle_type, v.is_electric, v.battery_capacity_kwh, v.connector_type,
    p.size AS space_size, p.location_floor, p.location_aisle, p.location_number
  FROM parking_sessions s
  JOIN vehicles v ON v.vehicle_id = s.vehicle_id
  JOIN parking_spaces p ON p.space_id = s.space_id`;

export async function insertSession(tx: Queryable, s: NewSession, now: Date): Promise<void> {
  await tx.query(
    `INSERT INTO parking_sessions (session_id, tenant_id, vehicle_id, space_id, facility_id, entry_time, currency,
       customer_id, reservation_id, created_at, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10)`,
    [
      s.session_id,
      s.tenant_id,
      s.vehicle_id,
      s.space_id,
      s.facility_id,
      s.entry_time,
      s.currency,
      s.customer_id,
      s.reservation_id,
      now,
    ],
  );
}

export async function getSessionDetail(db: Queryable, sessionId: string): Promise<SessionDetail | null> {
  const { rows } = await db.query<SessionDetail>(`${detailSelect} WHERE s.session_id = $1`, [sessionId]);
  return rows[0] ?? null;
}

/** Locks the session row so that two exits of one session cannot both close it. */
export async function lockSessionDetail(tx: Queryable, sessionId: string): Promise<SessionDetail | null> {
  const { rows } = await tx.query<SessionDetail>(`${detailSelect} WHERE s.session_id = $1 FOR UPDATE OF s`, [
    sessionId,
  ]);
  return rows[0] ?? null;
}

export async function openSessionOfVehicle(db: Queryable, vehicleId: string): Promise<SessionRow | null> {
  const { rows } = await db.query<SessionRow>(
    'SELECT * FROM parking_sessions WHERE vehicle_id = $1 AND exit_time IS NULL',
    [vehicleId],
  );
  return rows[0] ?? null;
}

/** The open session in a facility of a vehicle with this plate (the tenant's record or a driver's). */
export async function findOpenSessionByPlate(
  db: Queryable,
  facilityId: string,
  plate: string,
): Promise<string | null> {
  const { rows } = await db.query<{ session_id: string }>(
    `SELECT s.session_id FROM parking_sessions s JOIN vehicles v ON v.vehicle_id = s.vehicle_id
     WHERE s.facility_id = $1 AND s.exit_time IS NULL AND v.registration_number = $2
       AND (v.tenant_id = s.tenant_id OR v.tenant_id IS NULL)
     ORDER BY v.tenant_id NULLS LAST LIMIT 1`,
    [facilityId, plate],
  );
  return rows[0]?.session_id ?? null;
}

/**
 * Like findOpenSessionByPlate, with the session's details: found through the plate's vehicles
 * (vehicles_registration), then each one's open session (parking_sessions_open_vehicle).
 */
export async function openSessionDetailByPlate(
  db: Queryable,
  facilityId: string,
  plate: string,
): Promise<SessionDetail | null> {
  const { rows } = await db.query<SessionDetail>(
    `${detailSelect}
     WHERE s.facility_id = $1 AND s.exit_time IS NULL AND v.registration_number = $2
       AND (v.tenant_id = s.tenant_id OR v.tenant_id IS NULL)
     ORDER BY v.tenant_id NULLS LAST LIMIT 1`,
    [facilityId, plate],
  );
  return rows[0] ?? null;
}

/** Billing priced a visit after its exit (it could not be asked at the exit): the session keeps the amount. */
export async function fillChargeAmount(
  tx: Queryable,
  sessionId: string,
  amount: number,
  now: Date,
): Promise<void> {
  await tx.query(
    `UPDATE parking_sessions SET charge_amount = $2, updated_at = $3
     WHERE session_id = $1 AND exit_time IS NOT NULL AND charge_amount IS NULL`,
    [sessionId, amount, now],
  );
}

export async function closeSession(
  tx: Queryable,
  sessionId: string,
  close: { exit_time: Date; duration_hours: number; charge_amount: number | null },
  now: Date,
): Promise<void> {
  await tx.query(
    `UPDATE parking_sessions SET exit_time = $2, duration_hours = $3, charge_amount = $4, updated_at = $5
     WHERE session_id = $1`,
    [sessionId, close.exit_time, close.duration_hours, close.charge_amount, now],
  );
}

export interface SessionFilter {
  tenantId?: string | undefined;
  customerId?: string | undefined;
  facilityId?: string | undefined;
  vehicleId?: string | undefined;
  status?: 'OPEN' | 'CLOSED' | undefined;
}

/** Newest entries first; the cursor is the (entry_time, session_id) of the last row shown. */
export type SessionCursor = [entryTime: string, sessionId: string];

export async function listSessions(
  db: Queryable,
  filter: SessionFilter,
  after: SessionCursor | undefined,
  limit: number,
) {
  const { rows } = await db.query<SessionDetail>(
    `${detailSelect}
     WHERE ($1::text IS NULL OR s.tenant_id = $1)
       AND ($2::text IS NULL OR s.customer_id = $2)
       AND ($3::text IS NULL OR s.facility_id = $3)
       AND ($4::text IS NULL OR s.vehicle_id = $4)
       AND ($5::text IS NULL OR (s.exit_time IS NULL) = ($5 = 'OPEN'))
       AND ($6::timestamptz IS NULL OR (s.entry_time, s.session_id) < ($6, $7::text))
     ORDER BY s.entry_time DESC, s.session_id DESC
     LIMIT $8`,
    [
      filter.tenantId ?? null,
      filter.customerId ?? null,
      filter.facilityId ?? null,
      filter.vehicleId ?? null,
      filter.status ?? null,
      ...(after ?? [null, null]),
      limit,
    ],
  );
  return rows;
}
