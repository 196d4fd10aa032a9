import type { Queryable, Tx } from '@easypark/platform';
import type { ChargerLevel, ConnectorType, StationStatus } from './domain/stations.ts';

// All SQL of the charging service.

export interface StationRow {
  station_id: string;
  tenant_id: string;
  facility_id: string;
  name: string | null;
  charger_level: ChargerLevel;
  connector_type: ConnectorType;
  power_rating_kw: number;
  status: StationStatus;
  in_maintenance: boolean;
  online: boolean;
  connector_status: string | null;
  ocpp_password_hash: string;
  ocpp_protocol: 'ocpp1.6' | 'ocpp2.0.1' | null;
  vendor: string | null;
  model: string | null;
  firmware_version: string | null;
  last_seen_at: Date | null;
  warranty_expiry: string | null;
  last_maintenance: Date | null;
  created_at: Date;
  updated_at: Date;
}

export type SessionStatus = 'ACTIVE' | 'PAUSED' | 'COMPLETED' | 'INTERRUPTED';
export const openStatuses: SessionStatus[] = ['ACTIVE', 'PAUSED'];

export interface SessionRow {
  charging_session_id: string;
  tenant_id: string;
  facility_id: string;
  parking_session_id: string;
  station_id: string;
  vehicle_id: string;
  customer_id: string | null;
  registration_number: string;
  vehicle_type: string;
  battery_capacity_kwh: number | null;
  id_tag: string;
  remote_start_id: number | null;
  ocpp_transaction_id: string | null;
  started_by: 'API' | 'STATION';
  target_charge_percent: number;
  start_soc_percent: number | null;
  soc_percent: number | null;
  start_time: Date;
  stop_time: Date | null;
  pause_count: number;
  total_pause_duration: number;
  paused_at: Date | null;
  meter_start_wh: number | null;
  meter_last_wh: number | null;
  /** The time of the last reading whose energy register was above the one before it. */
  energy_increased_at: Date | null;
  /** The session ended while PAUSED (held back by an operator, not idling). */
  ended_paused: boolean;
  energy_delivered_kwh: number;
  current_rate_kw: number;
  allocated_kw: number | null;
  currency: string;
  price_per_kwh: number;
  cost: number | null;
  status: SessionStatus;
  stop_reason: string | null;
  stop_requested_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

export interface QueueRow {
  queue_id: string;
  tenant_id: string;
  facility_id: string;
  vehicle_id: string;
  parking_session_id: string;
  customer_id: string | null;
  connector_type: ConnectorType;
  arrival_time: Date;
  desired_capacity_kwh: number | null;
  estimated_wait_time: number | null;
  status: 'WAITING' | 'CHARGING' | 'COMPLETED' | 'CANCELLED';
  offered_station_id: string | null;
  offer_expires_at: Date | null;
  charging_session_id: string | null;
  cancel_reason: string | null;
  created_at: Date;
  updated_at: Date;
}

export interface MaintenanceRow {
  maintenance_id: string;
  station_id: string;
  started_at: Date;
  ended_at: Date | null;
  reason: string;
  notes: string | null;
  started_by: string;
  ended_by: string | null;
}

async function insert<T>(db: Queryable, table: string, row: object): Promise<T> {
  const columns = Object.keys(row);
  const values = Object.values(row);
  const result = await db.query(
    `INSERT INTO ${table} (${columns.join(', ')}) VALUES (${columns.map((_, i) => `$${i + 1}`).join(', ')})
     RETURNING *`,
    values,
  );
  return result.rows[0] as T;
}

/** Sets the given columns (names come from this file's callers, never from input). */
async function update<T>(db: Queryable, table: string, key: string, id: string, patch: object): Promise<T> {
  const entries = Object.entries(patch).filter(([, value]) => value !== undefined);
  const sets = entries.map(([column], i) => `${column} = $${i + 2}`);
  const result = await db.query(`UPDATE ${table} SET ${sets.join(', ')} WHERE ${key} = $1 RETURNING *`, [
    id,
    ...entries.map(([, value]) => value),
  ]);
  return result.rows[0] as T;
}

// Stations

export type NewStation = Pick<
  StationRow,
  | 'station_id'
  | 'tenant_id'
  | 'facility_id'
  | 'name'
  | 'charger_level'
  | 'connector_type'
  | 'power_rating_kw'
  | 'ocpp_password_hash'
  | 'warranty_expiry'
  | 'created_at'
  | 'updated_at'
>;

export const insertStation = (tx: Tx, row: NewStation) => insert<StationRow>(tx, 'charging_stations', row);

export async function getStation(db: Queryable, stationId: string): Promise<StationRow | null> {
  const result = await db.query('SELECT * FROM charging_stations WHERE station_id = $1', [stationId]);
  return (result.rows[0] as StationRow | undefined) ?? null;
}

export async function lockStation(tx: Tx, stationId: string): Promise<StationRow | null> {
  const result = await tx.query('SELECT * FROM charging_stations WHERE station_id = $1 FOR UPDATE', [
    stationId,
  ]);
  return (result.rows[0] as StationRow | undefined) ?? null;
}

export type StationPatch = Partial<
  Pick<
    StationRow,
    | 'name'
    | 'status'
    | 'in_maintenance'
    | 'online'
    | 'connector_status'
    | 'ocpp_protocol'
    | 'vendor'
    | 'model'
    | 'firmware_version'
    | 'last_seen_at'
    | 'warranty_expiry'
    | 'last_maintenance'
    | 'power_rating_kw'
    | 'ocpp_password_hash'
    | 'updated_at'
  >
>;

export const updateStation = (tx: Tx, stationId: string, patch: StationPatch) =>
  update<StationRow>(tx, 'charging_stations', 'station_id', stationId, patch);

/** Each station's rating in kW, for the stations given. */
export async function stationRatings(db: Queryable, stationIds: string[]): Promise<Map<string, number>> {
  const result = await db.query<{ station_id: string; power_rating_kw: number }>(
    'SELECT station_id, power_rating_kw FROM charging_stations WHERE station_id = ANY($1)',
    [stationIds],
  );
  return new Map(result.rows.map((r) => [r.station_id, r.power_rating_kw]));
}

/** Notes that a station was heard from, without a row lock (a heartbeat must not wait for a session). */
export async function touchStation(db: Queryable, stationId: string, at: Date): Promise<void> {
  await db.query(
    'UPDATE charging_stations SET last_seen_at = $2 WHERE station_id = $1 AND (last_seen_at IS NULL OR last_seen_at < $2)',
    [stationId, at],
  );
}

export interface StationWithSession extends StationRow {
  open_session_id: string | null;
}

export async function facilityStations(
  db: Queryable,
  facilityId: string,
  connectorType?: ConnectorType,
): Promise<StationWithSession[]> {
  const result = await db.query(
    `SELECT st.*, se.charging_session_id AS open_session_id
       FROM charging_stations st
       LEFT JOIN charging_sessions se ON se.station_id = st.station_id AND se.status IN ('ACTIVE', 'PAUSED')
      WHERE st.facility_id = $1 AND ($2::text IS NULL OR st.connector_type = $2)
      ORDER BY st.created_at, st.station_id`,
    [facilityId, connectorType ?? null],
  );
  return result.rows as StationWithSession[];
}

/** Stations that look online but have been silent since `before`. */
export async function silentStations(db: Queryable, before: Date): Promise<string[]> {
  const result = await db.query(
    'SELECT station_id FROM charging_stations WHERE online AND (last_seen_at IS NULL OR last_seen_at < $1)',
    [before],
  );
  return result.rows.map((r: { station_id: string }) => r.station_id);
}

/** Stations recorded as online whose socket is not held by this process (after a restart). */
export async function onlineStations(db: Queryable): Promise<string[]> {
  const result = await db.query('SELECT station_id FROM charging_stations WHERE online');
  return result.rows.map((r: { station_id: string }) => r.station_id);
}

// Maintenance

export const insertMaintenance = (tx: Tx, row: Omit<MaintenanceRow, 'ended_at' | 'ended_by'>) =>
  insert<MaintenanceRow>(tx, 'station_maintenance', row);

export async function openMaintenance(db: Queryable, stationId: string): Promise<MaintenanceRow | null> {
  const result = await db.query(
    'SELECT * FROM station_maintenance WHERE station_id = $1 AND ended_at IS NULL',
    [stationId],
  );
  return (result.rows[0] as MaintenanceRow | undefined) ?? null;
}

export async function endMaintenance(
  tx: Tx,
  maintenanceId: string,
  at: Date,
  by: string,
): Promise<MaintenanceRow> {
  const result = await tx.query(
    'UPDATE station_maintenance SET ended_at = $2, ended_by = $3 WHERE maintenance_id = $1 RETURNING *',
    [maintenanceId, at, by],
  );
  return result.rows[0] as MaintenanceRow;
}

export async function maintenanceHistory(db: Queryable, stationId: string): Promise<MaintenanceRow[]> {
  const result = await db.query(
    'SELECT * FROM station_maintenance WHERE station_id = $1 ORDER BY started_at DESC LIMIT 100',
    [stationId],
  );
  return result.rows as MaintenanceRow[];
}

// Sites (a facility's power limit)

export async function siteLimitKw(db: Queryable, facilityId: string): Promise<number | null> {
  const result = await db.query('SELECT max_power_kw FROM charging_sites WHERE facility_id = $1', [
    facilityId,
  ]);
  return (result.rows[0] as { max_power_kw: number | null } | undefined)?.max_power_kw ?? null;
}

export async function setSiteLimit(
  tx: Tx,
  site: { facility_id: string; tenant_id: string; max_power_kw: number | null; updated_at: Date },
): Promise<void> {
  await tx.query(
    `INSERT INTO charging_sites (facility_id, tenant_id, max_power_kw, updated_at) VALUES ($1, $2, $3, $4)
     ON CONFLICT (facility_id) DO UPDATE SET max_power_kw = EXCLUDED.max_power_kw, updated_at = EXCLUDED.updated_at`,
    [site.facility_id, site.tenant_id, site.max_power_kw, site.updated_at],
  );
}

/** Serialises power sharing at one facility (one allocation decided at a time). */
export async function lockSite(tx: Tx, facilityId: string): Promise<void> {
  await tx.query("SELECT pg_advisory_xact_lock(hashtext('charging-site:' || $1))", [facilityId]);
}

// Sessions

export type NewSession = Pick<
  SessionRow,
  | 'charging_session_id'
  | 'tenant_id'
  | 'facility_id'
  | 'parking_session_id'
  | 'station_id'
  | 'vehicle_id'
  | 'customer_id'
  | 'registration_number'
  | 'vehicle_type'
  | 'battery_capacity_kwh'
  | 'id_tag'
  | 'remote_start_id'
  | 'ocpp_transaction_id'
  | 'started_by'
  | 'target_charge_percent'
  | 'start_soc_percent'
  | 'start_time'
  | 'meter_start_wh'
  | 'meter_last_wh'
  | 'allocated_kw'
  | 'currency'
  | 'price_per_kwh'
  | 'created_at'
  | 'updated_at'
>;

export const insertSession = (tx: Tx, row: NewSession) => insert<SessionRow>(tx, 'charging_sessions', row);

export type SessionPatch = Partial<
  Pick<
    SessionRow,
    | 'ocpp_transaction_id'
    | 'soc_percent'
    | 'start_soc_percent'
    | 'stop_time'
    | 'pause_count'
    | 'total_pause_duration'
    | 'paused_at'
    | 'meter_start_wh'
    | 'meter_last_wh'
    | 'energy_increased_at'
    | 'ended_paused'
    | 'energy_delivered_kwh'
    | 'current_rate_kw'
    | 'allocated_kw'
    | 'cost'
    | 'status'
    | 'stop_reason'
    | 'stop_requested_at'
    | 'start_time'
    | 'updated_at'
  >
>;

export const updateSession = (tx: Tx, sessionId: string, patch: SessionPatch) =>
  update<SessionRow>(tx, 'charging_sessions', 'charging_session_id', sessionId, patch);

export async function deleteSession(tx: Tx, sessionId: string): Promise<void> {
  await tx.query('DELETE FROM charging_sessions WHERE charging_session_id = $1', [sessionId]);
}

export async function getSession(db: Queryable, sessionId: string): Promise<SessionRow | null> {
  const result = await db.query('SELECT * FROM charging_sessions WHERE charging_session_id = $1', [
    sessionId,
  ]);
  return (result.rows[0] as SessionRow | undefined) ?? null;
}

export async function lockSession(tx: Tx, sessionId: string): Promise<SessionRow | null> {
  const result = await tx.query('SELECT * FROM charging_sessions WHERE charging_session_id = $1 FOR UPDATE', [
    sessionId,
  ]);
  return (result.rows[0] as SessionRow | undefined) ?? null;
}

export async function openSessionOnStation(db: Queryable, stationId: string): Promise<SessionRow | null> {
  const result = await db.query(
    "SELECT * FROM charging_sessions WHERE station_id = $1 AND status IN ('ACTIVE', 'PAUSED')",
    [stationId],
  );
  return (result.rows[0] as SessionRow | undefined) ?? null;
}

export async function openSessionOfVehicle(db: Queryable, vehicleId: string): Promise<SessionRow | null> {
  const result = await db.query(
    "SELECT * FROM charging_sessions WHERE vehicle_id = $1 AND status IN ('ACTIVE', 'PAUSED')",
    [vehicleId],
  );
  return (result.rows[0] as SessionRow | undefined) ?? null;
}

export async function sessionByTransaction(
  db: Queryable,
  stationId: string,
  transactionId: string,
): Promise<SessionRow | null> {
  const result = await db.query(
    'SELECT * FROM charging_sessions WHERE station_id = $1 AND ocpp_transaction_id = $2 FOR UPDATE',
    [stationId, transactionId],
  );
  return (result.rows[0] as SessionRow | undefined) ?? null;
}

export interface OpenSessionWithRating extends SessionRow {
  power_rating_kw: number;
}

export async function openSessionsAtFacility(
  db: Queryable,
  facilityId: string,
): Promise<OpenSessionWithRating[]> {
  const result = await db.query(
    `SELECT se.*, st.power_rating_kw
       FROM charging_sessions se JOIN charging_stations st USING (station_id)
      WHERE se.facility_id = $1 AND se.status IN ('ACTIVE', 'PAUSED')
      ORDER BY se.start_time, se.charging_session_id`,
    [facilityId],
  );
  return result.rows as OpenSessionWithRating[];
}

export async function listSessions(
  db: Queryable,
  filter: {
    tenantId?: string;
    customerId?: string;
    facilityId?: string;
    vehicleId?: string;
    parkingSessionId?: string;
    status?: SessionStatus;
    after?: string;
    limit: number;
  },
): Promise<SessionRow[]> {
  const result = await db.query(
    `SELECT * FROM charging_sessions
      WHERE ($1::text IS NULL OR tenant_id = $1) AND ($2::text IS NULL OR customer_id = $2)
        AND ($3::text IS NULL OR facility_id = $3) AND ($4::text IS NULL OR vehicle_id = $4)
        AND ($5::text IS NULL OR parking_session_id = $5) AND ($6::text IS NULL OR status = $6)
        AND ($7::text IS NULL OR charging_session_id < $7)
      ORDER BY charging_session_id DESC LIMIT $8`,
    [
      filter.tenantId ?? null,
      filter.customerId ?? null,
      filter.facilityId ?? null,
      filter.vehicleId ?? null,
      filter.parkingSessionId ?? null,
      filter.status ?? null,
      filter.after ?? null,
      filter.limit,
    ],
  );
  return result.rows as SessionRow[];
}

/** Open sessions that must stop (the car left). */
export async function requestedStops(db: Queryable): Promise<string[]> {
  const result = await db.query(
    `SELECT charging_session_id FROM charging_sessions
      WHERE status IN ('ACTIVE', 'PAUSED') AND stop_requested_at IS NOT NULL`,
  );
  return result.rows.map((r: { charging_session_id: string }) => r.charging_session_id);
}

export async function nextTransactionId(db: Queryable): Promise<number> {
  const result = await db.query("SELECT nextval('ocpp_transaction_ids')::integer AS id");
  return (result.rows[0] as { id: number }).id;
}

// Queue

export type NewQueueEntry = Pick<
  QueueRow,
  | 'queue_id'
  | 'tenant_id'
  | 'facility_id'
  | 'vehicle_id'
  | 'parking_session_id'
  | 'customer_id'
  | 'connector_type'
  | 'arrival_time'
  | 'desired_capacity_kwh'
  | 'estimated_wait_time'
  | 'created_at'
  | 'updated_at'
>;

export const insertQueueEntry = (tx: Tx, row: NewQueueEntry) => insert<QueueRow>(tx, 'charging_queue', row);

export type QueuePatch = Partial<
  Pick<
    QueueRow,
    | 'estimated_wait_time'
    | 'status'
    | 'offered_station_id'
    | 'offer_expires_at'
    | 'charging_session_id'
    | 'cancel_reason'
    | 'updated_at'
  >
>;

export const updateQueueEntry = (tx: Tx, queueId: string, patch: QueuePatch) =>
  update<QueueRow>(tx, 'charging_queue', 'queue_id', queueId, patch);

export async function getQueueEntry(db: Queryable, queueId: string): Promise<QueueRow | null> {
  const result = await db.query('SELECT * FROM charging_queue WHERE queue_id = $1', [queueId]);
  return (result.rows[0] as QueueRow | undefined) ?? null;
}

/** The facility's waiting vehicles, first come first served. */
export async function waitingQueue(db: Queryable, facilityId: string): Promise<QueueRow[]> {
  const result = await db.query(
    `SELECT * FROM charging_queue WHERE facility_id = $1 AND status = 'WAITING'
      ORDER BY arrival_time, queue_id`,
    [facilityId],
  );
  return result.rows as QueueRow[];
}

export async function waitingEntryOfVehicle(db: Queryable, vehicleId: string): Promise<QueueRow | null> {
  const result = await db.query("SELECT * FROM charging_queue WHERE vehicle_id = $1 AND status = 'WAITING'", [
    vehicleId,
  ]);
  return (result.rows[0] as QueueRow | undefined) ?? null;
}

export async function offerOnStation(db: Queryable, stationId: string): Promise<QueueRow | null> {
  const result = await db.query(
    "SELECT * FROM charging_queue WHERE offered_station_id = $1 AND status = 'WAITING'",
    [stationId],
  );
  return (result.rows[0] as QueueRow | undefined) ?? null;
}

/** Facilities with a station offer that ran out before `now`. */
export async function facilitiesWithLapsedOffers(db: Queryable, now: Date): Promise<string[]> {
  const result = await db.query(
    `SELECT DISTINCT facility_id FROM charging_queue
      WHERE status = 'WAITING' AND offer_expires_at IS NOT NULL AND offer_expires_at < $1`,
    [now],
  );
  return result.rows.map((r: { facility_id: string }) => r.facility_id);
}

export async function facilitiesWithQueues(db: Queryable): Promise<string[]> {
  const result = await db.query("SELECT DISTINCT facility_id FROM charging_queue WHERE status = 'WAITING'");
  return result.rows.map((r: { facility_id: string }) => r.facility_id);
}

/**
 * A car left its facility: its place in the queue is cancelled and its open charging session, if
 * any, is marked to be stopped (the sweep stops it at the station), in one statement.
 */
export async function vehicleLeft(tx: Tx, vehicleId: string, at: Date): Promise<void> {
  await tx.query(
    `WITH queue AS (
       UPDATE charging_queue SET status = 'CANCELLED', cancel_reason = 'VEHICLE_LEFT', offered_station_id = NULL,
              offer_expires_at = NULL, updated_at = $2
        WHERE vehicle_id = $1 AND status = 'WAITING'
     )
     UPDATE charging_sessions SET stop_requested_at = $2, stop_reason = 'VEHICLE_LEFT', updated_at = $2
      WHERE vehicle_id = $1 AND status IN ('ACTIVE', 'PAUSED')`,
    [vehicleId, at],
  );
}

export async function cancelLapsedOffers(tx: Tx, facilityId: string, at: Date): Promise<void> {
  await tx.query(
    `UPDATE charging_queue SET status = 'CANCELLED', cancel_reason = 'OFFER_EXPIRED', offered_station_id = NULL,
            offer_expires_at = NULL, updated_at = $2
      WHERE facility_id = $1 AND status = 'WAITING' AND offer_expires_at < $2`,
    [facilityId, at],
  );
}

/** The vehicle's waiting entry (if any) is now charging in this session. */
export async function queueEntryCharging(
  tx: Tx,
  vehicleId: string,
  sessionId: string,
  at: Date,
): Promise<void> {
  await tx.query(
    `UPDATE charging_queue SET status = 'CHARGING', charging_session_id = $2, offered_station_id = NULL,
            offer_expires_at = NULL, updated_at = $3
      WHERE vehicle_id = $1 AND status = 'WAITING'`,
    [vehicleId, sessionId, at],
  );
}

export async function queueEntryDone(tx: Tx, sessionId: string, at: Date): Promise<void> {
  await tx.query(
    `UPDATE charging_queue SET status = 'COMPLETED', updated_at = $2
      WHERE charging_session_id = $1 AND status = 'CHARGING'`,
    [sessionId, at],
  );
}

export async function setQueueWait(
  db: Queryable,
  queueId: string,
  minutes: number | null,
  at: Date,
): Promise<void> {
  await db.query('UPDATE charging_queue SET estimated_wait_time = $2, updated_at = $3 WHERE queue_id = $1', [
    queueId,
    minutes,
    at,
  ]);
}
