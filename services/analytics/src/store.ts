/** Every SQL statement of the analytics service. */
import { newId } from '@easypark/kernel';
import {
  dropMonthlyPartitions,
  ensureMonthlyPartitions,
  type Pool,
  type Queryable,
  type Tx,
  withTransaction,
} from '@easypark/platform';
import type { AlertType, Severity, Threshold } from './domain/alerts.ts';
import type { Capacity, OccupancySnapshot, SpaceCounts, SpaceSize } from './domain/occupancy.ts';

// Facilities

export interface FacilityRow {
  facility_id: string;
  tenant_id: string;
  name: string;
  timezone: string;
  currency: string;
  compact_capacity: number;
  standard_capacity: number;
  large_capacity: number;
  occupancy_alert_threshold: number;
  reported_through: string | null;
}

const facilityColumns = `facility_id, tenant_id, name, timezone, currency, compact_capacity, standard_capacity,
  large_capacity, occupancy_alert_threshold, reported_through::text AS reported_through`;

export const capacityOf = (f: FacilityRow): Capacity => ({
  COMPACT: f.compact_capacity,
  STANDARD: f.standard_capacity,
  LARGE: f.large_capacity,
});

export async function saveFacility(
  tx: Queryable,
  f: {
    facility_id: string;
    tenant_id: string;
    name: string;
    timezone: string;
    currency: string;
    capacity: { compact: number; standard: number; large: number };
    occupancy_alert_threshold?: number | undefined;
    reported_through: string;
  },
  now: Date,
): Promise<void> {
  await tx.query(
    `INSERT INTO analytics_facilities (facility_id, tenant_id, name, timezone, currency, compact_capacity,
       standard_capacity, large_capacity, occupancy_alert_threshold, reported_through, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, coalesce($9, 85), $10, $11)
     ON CONFLICT (facility_id) DO UPDATE SET name = EXCLUDED.name, timezone = EXCLUDED.timezone,
       currency = EXCLUDED.currency, compact_capacity = EXCLUDED.compact_capacity,
       standard_capacity = EXCLUDED.standard_capacity, large_capacity = EXCLUDED.large_capacity,
       occupancy_alert_threshold = coalesce($9, analytics_facilities.occupancy_alert_threshold),
       updated_at = EXCLUDED.updated_at`,
    [
      f.facility_id,
      f.tenant_id,
      f.name,
      f.timezone,
      f.currency,
      f.capacity.compact,
      f.capacity.standard,
      f.capacity.large,
      f.occupancy_alert_threshold ?? null,
      f.reported_through,
      now,
    ],
  );
}

export async function updateFacility(
  tx: Queryable,
  facilityId: string,
  change: {
    name?: string | undefined;
    capacity?: { compact: number; standard: number; large: number } | undefined;
    occupancy_alert_threshold?: number | undefined;
  },
  now: Date,
): Promise<void> {
  await tx.query(
    `UPDATE analytics_facilities SET name = coalesce($2, name),
       compact_capacity = coalesce($3, compact_capacity), standard_capacity = coalesce($4, standard_capacity),
       large_capacity = coalesce($5, large_capacity),
       occupancy_alert_threshold = coalesce($6, occupancy_alert_threshold), updated_at = $7
     WHERE facility_id = $1`,
    [
      facilityId,
      change.name ?? null,
      change.capacity?.compact ?? null,
      change.capacity?.standard ?? null,
      change.capacity?.large ?? null,
      change.occupancy_alert_threshold ?? null,
      now,
    ],
  );
}

export async function findFacility(
  db: Queryable,
  facilityId: string,
  lock = false,
): Promise<FacilityRow | null> {
  const { rows } = await db.query<FacilityRow>(
    `SELECT ${facilityColumns} FROM analytics_facilities WHERE facility_id = $1${lock ? ' FOR UPDATE' : ''}`,
    [facilityId],
  );
  return rows[0] ?? null;
}

export async function allFacilities(db: Queryable): Promise<FacilityRow[]> {
  const { rows } = await db.query<FacilityRow>(
    `SELECT ${facilityColumns} FROM analytics_facilities ORDER BY facility_id`,
  );
  return rows;
}

export async function setReportedThrough(tx: Queryable, facilityId: string, date: string): Promise<void> {
  await tx.query('UPDATE analytics_facilities SET reported_through = $2 WHERE facility_id = $1', [
    facilityId,
    date,
  ]);
}

// What is going on now

/**
 * Keeps the newer of two reports about a space (events may arrive out of order). False when
 * nothing changed: an older report, or the same news twice (an entry and its space.occupied).
 */
export async function setSpaceStatus(
  tx: Queryable,
  s: { space_id: string; facility_id: string; size: SpaceSize; status: string; at: Date },
): Promise<boolean> {
  const { rowCount } = await tx.query(
    `INSERT INTO space_states (space_id, facility_id, size, status, changed_at) VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (space_id) DO UPDATE SET status = EXCLUDED.status, size = EXCLUDED.size,
       changed_at = EXCLUDED.changed_at
     WHERE space_states.changed_at < EXCLUDED.changed_at
       OR (space_states.changed_at = EXCLUDED.changed_at AND space_states.status <> EXCLUDED.status)`,
    [s.space_id, s.facility_id, s.size, s.status, s.at],
  );
  return rowCount === 1;
}

/** An exit frees its space (the space.released that follows then changes nothing); false when it was not known. */
export async function freeSpace(tx: Queryable, spaceId: string, at: Date): Promise<boolean> {
  const { rowCount } = await tx.query(
    `UPDATE space_states SET status = 'AVAILABLE', changed_at = $2
     WHERE space_id = $1 AND (changed_at < $2 OR (changed_at = $2 AND status <> 'AVAILABLE'))`,
    [spaceId, at],
  );
  return rowCount === 1;
}

export async function visitEntered(
  tx: Queryable,
  v: { session_id: string; facility_id: string; entry_time: Date },
): Promise<boolean> {
  const { rowCount } = await tx.query(
    `INSERT INTO visits (session_id, facility_id, entry_time) VALUES ($1, $2, $3)
     ON CONFLICT (session_id) DO NOTHING`,
    [v.session_id, v.facility_id, v.entry_time],
  );
  return rowCount === 1;
}

/**
 * 'closed' when this closed the visit its entry opened, 'recorded' when the exit came first and
 * recorded the whole visit (its entry will change nothing), null when it was closed already.
 */
export async function visitExited(
  tx: Queryable,
  v: { session_id: string; facility_id: string; entry_time: Date; exit_time: Date },
): Promise<'closed' | 'recorded' | null> {
  const { rows } = await tx.query<{ recorded: boolean }>(
    `INSERT INTO visits (session_id, facility_id, entry_time, exit_time) VALUES ($1, $2, $3, $4)
     ON CONFLICT (session_id) DO UPDATE SET exit_time = EXCLUDED.exit_time WHERE visits.exit_time IS NULL
     RETURNING xmax = 0 AS recorded`,
    [v.session_id, v.facility_id, v.entry_time, v.exit_time],
  );
  if (rows.length === 0) return null;
  return rows[0]!.recorded ? 'recorded' : 'closed';
}

export async function chargingStarted(
  tx: Queryable,
  c: { charging_session_id: string; facility_id: string; station_id: string | null; at: Date },
): Promise<void> {
  await tx.query(
    `INSERT INTO charging_sessions (charging_session_id, facility_id, station_id, started_at) VALUES ($1, $2, $3, $4)
     ON CONFLICT (charging_session_id) DO NOTHING`,
    [c.charging_session_id, c.facility_id, c.station_id, c.at],
  );
}

export async function chargingEnded(
  tx: Queryable,
  c: { charging_session_id: string; facility_id: string; station_id: string | null; started: Date; at: Date },
): Promise<boolean> {
  const { rowCount } = await tx.query(
    `INSERT INTO charging_sessions (charging_session_id, facility_id, station_id, started_at, ended_at)
     VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (charging_session_id) DO UPDATE SET ended_at = EXCLUDED.ended_at
     WHERE charging_sessions.ended_at IS NULL`,
    [c.charging_session_id, c.facility_id, c.station_id, c.started, c.at],
  );
  return rowCount === 1;
}

/** Keeps the newer of two reports about a station. */
export async function setStationStatus(
  tx: Queryable,
  s: { station_id: string; facility_id: string; status: string; at: Date },
): Promise<void> {
  await tx.query(
    `INSERT INTO station_states (station_id, facility_id, status, changed_at) VALUES ($1, $2, $3, $4)
     ON CONFLICT (station_id) DO UPDATE SET status = EXCLUDED.status, changed_at = EXCLUDED.changed_at
     WHERE station_states.changed_at <= EXCLUDED.changed_at`,
    [s.station_id, s.facility_id, s.status, s.at],
  );
}

export async function stationStatus(db: Queryable, stationId: string): Promise<string | null> {
  const { rows } = await db.query<{ status: string }>(
    'SELECT status FROM station_states WHERE station_id = $1',
    [stationId],
  );
  return rows[0]?.status ?? null;
}

export async function liveCounts(
  db: Queryable,
  facilityId: string,
): Promise<{ counts: SpaceCounts; sessions: number; charging: number }> {
  const { rows } = await db.query<{ size: SpaceSize; status: string; n: number }>(
    `SELECT size, status, count(*)::int AS n FROM space_states
     WHERE facility_id = $1 AND status <> 'AVAILABLE' GROUP BY size, status`,
    [facilityId],
  );
  const zero = (): Capacity => ({ COMPACT: 0, STANDARD: 0, LARGE: 0 });
  const counts: SpaceCounts = { occupied: zero(), reserved: zero(), maintenance: zero() };
  for (const r of rows) {
    const bucket =
      r.status === 'OCCUPIED'
        ? counts.occupied
        : r.status === 'MAINTENANCE'
          ? counts.maintenance
          : counts.reserved;
    bucket[r.size] += r.n;
  }
  const active = await db.query<{ sessions: number; charging: number }>(
    `SELECT (SELECT count(*)::int FROM visits WHERE facility_id = $1 AND exit_time IS NULL) AS sessions,
            (SELECT count(*)::int FROM charging_sessions WHERE facility_id = $1 AND ended_at IS NULL) AS charging`,
    [facilityId],
  );
  return { counts, ...active.rows[0]! };
}

// Time series

/** The sample of a 5-minute slot takes the latest value; its peak keeps the highest seen. */
export async function recordSample(
  tx: Queryable,
  facilityId: string,
  slot: Date,
  s: OccupancySnapshot,
  now: Date,
  onlyIfMissing = false,
  /** The highest rate reached since the last sample was written, when above the current one. */
  peak = s.occupancy_rate,
): Promise<void> {
  await tx.query(
    `INSERT INTO occupancy_metrics (facility_id, timestamp, occupancy_rate, peak_occupancy_rate, occupied_spaces,
       capacity, available_spaces, available_compact_spaces, available_standard_spaces, available_large_spaces,
       active_sessions, active_charging_sessions, source, created_at)
     VALUES ($1, $2, $3, $13, $4, $5, $6, $7, $8, $9, $10, $11, 'LIVE', $12)
     ON CONFLICT (facility_id, timestamp) DO ${
       onlyIfMissing
         ? 'NOTHING'
         : `UPDATE SET occupancy_rate = EXCLUDED.occupancy_rate,
       peak_occupancy_rate = GREATEST(EXCLUDED.peak_occupancy_rate,
         CASE WHEN occupancy_metrics.source = 'LIVE' THEN occupancy_metrics.peak_occupancy_rate ELSE 0 END),
       occupied_spaces = EXCLUDED.occupied_spaces, capacity = EXCLUDED.capacity,
       available_spaces = EXCLUDED.available_spaces,
       available_compact_spaces = EXCLUDED.available_compact_spaces,
       available_standard_spaces = EXCLUDED.available_standard_spaces,
       available_large_spaces = EXCLUDED.available_large_spaces, active_sessions = EXCLUDED.active_sessions,
       active_charging_sessions = EXCLUDED.active_charging_sessions, source = 'LIVE'`
     }`,
    [
      facilityId,
      slot,
      s.occupancy_rate,
      s.occupied_spaces,
      Math.max(1, s.capacity),
      s.available_spaces,
      s.available_by_size.compact,
      s.available_by_size.standard,
      s.available_by_size.large,
      s.active_sessions,
      s.active_charging_sessions,
      now,
      Math.max(peak, s.occupancy_rate),
    ],
  );
}

/** The facilities with no sample yet in the 5-minute slot starting at `slot`. */
export async function facilitiesWithoutSample(db: Queryable, slot: Date): Promise<Set<string>> {
  const { rows } = await db.query<{ facility_id: string }>(
    `SELECT f.facility_id FROM analytics_facilities f
     WHERE NOT EXISTS (SELECT 1 FROM occupancy_metrics m WHERE m.facility_id = f.facility_id AND m.timestamp = $1)`,
    [slot],
  );
  return new Set(rows.map((r) => r.facility_id));
}

/**
 * Imported rows never overwrite live samples. Returns how many slots were written. In a
 * transaction: the months of history it brings get their partitions first, so the rows go straight
 * to them rather than through the default partition.
 */
export async function importSamples(
  tx: Queryable,
  facilityId: string,
  rows: Array<{ slot: Date; occupied: number; capacity: number; rate: number }>,
  now: Date,
): Promise<number> {
  const months = new Map(rows.map((r) => [`${r.slot.getUTCFullYear()}-${r.slot.getUTCMonth()}`, r.slot]));
  for (const month of months.values()) await ensureMonthlyPartitions(tx, 'occupancy_metrics', month);
  let written = 0;
  for (let i = 0; i < rows.length; i += 1000) {
    const batch = rows.slice(i, i + 1000);
    const { rowCount } = await tx.query(
      `INSERT INTO occupancy_metrics (facility_id, timestamp, occupancy_rate, peak_occupancy_rate, occupied_spaces,
         capacity, available_spaces, source, created_at)
       SELECT $1, r.slot, r.rate, r.rate, r.occupied, r.capacity, r.capacity - r.occupied, 'IMPORT', $2
       FROM unnest($3::timestamptz[], $4::numeric[], $5::int[], $6::int[]) AS r (slot, rate, occupied, capacity)
       ON CONFLICT (facility_id, timestamp) DO UPDATE SET occupancy_rate = EXCLUDED.occupancy_rate,
         peak_occupancy_rate = EXCLUDED.peak_occupancy_rate, occupied_spaces = EXCLUDED.occupied_spaces,
         capacity = EXCLUDED.capacity, available_spaces = EXCLUDED.available_spaces
       WHERE occupancy_metrics.source = 'IMPORT'`,
      [
        facilityId,
        now,
        batch.map((r) => r.slot),
        batch.map((r) => r.rate),
        batch.map((r) => r.occupied),
        batch.map((r) => r.capacity),
      ],
    );
    written += rowCount ?? 0;
  }
  return written;
}

/** Rolls the samples of [from, to) up into hours, for one facility or all. */
export async function rollUpHours(db: Queryable, from: Date, to: Date, facilityId?: string): Promise<void> {
  await db.query(
    `INSERT INTO occupancy_hourly (facility_id, hour, samples, average_occupancy_rate, peak_occupancy_rate,
       min_available_spaces, average_available_spaces)
     SELECT facility_id, date_trunc('hour', timestamp), count(*), round(avg(occupancy_rate), 2),
       max(peak_occupancy_rate), min(available_spaces), round(avg(available_spaces), 2)
     FROM occupancy_metrics
     WHERE timestamp >= date_trunc('hour', $1::timestamptz) AND timestamp < $2 AND ($3::text IS NULL OR facility_id = $3)
     GROUP BY facility_id, date_trunc('hour', timestamp)
     ON CONFLICT (facility_id, hour) DO UPDATE SET samples = EXCLUDED.samples,
       average_occupancy_rate = EXCLUDED.average_occupancy_rate, peak_occupancy_rate = EXCLUDED.peak_occupancy_rate,
       min_available_spaces = EXCLUDED.min_available_spaces,
       average_available_spaces = EXCLUDED.average_available_spaces`,
    [from, to, facilityId ?? null],
  );
}

/** The sample in force at `at`, if there is one from the half hour before it. */
export async function rateAt(db: Queryable, facilityId: string, at: Date): Promise<number | null> {
  const { rows } = await db.query<{ occupancy_rate: number }>(
    `SELECT occupancy_rate FROM occupancy_metrics
     WHERE facility_id = $1 AND timestamp <= $2 AND timestamp > $2::timestamptz - interval '30 minutes'
     ORDER BY timestamp DESC LIMIT 1`,
    [facilityId, at],
  );
  return rows[0]?.occupancy_rate ?? null;
}

export interface HistoryPoint {
  timestamp: Date;
  occupancy_rate: number;
  peak_occupancy_rate: number;
  available_spaces: number;
  min_available_spaces: number;
}

export async function hourlyHistory(
  db: Queryable,
  facilityId: string,
  from: Date,
  to: Date,
): Promise<HistoryPoint[]> {
  const { rows } = await db.query<HistoryPoint>(
    `SELECT hour AS timestamp, average_occupancy_rate AS occupancy_rate, peak_occupancy_rate,
       round(average_available_spaces)::int AS available_spaces, min_available_spaces
     FROM occupancy_hourly WHERE facility_id = $1 AND hour >= $2 AND hour < $3 ORDER BY hour`,
    [facilityId, from, to],
  );
  return rows;
}

/** Local calendar days: each day's average weighs every hour by its samples. */
export async function dailyHistory(
  db: Queryable,
  facilityId: string,
  timezone: string,
  from: Date,
  to: Date,
): Promise<Array<HistoryPoint & { date: string }>> {
  const { rows } = await db.query<HistoryPoint & { date: string }>(
    `SELECT (hour AT TIME ZONE $4)::date::text AS date, ((hour AT TIME ZONE $4)::date::timestamp AT TIME ZONE $4) AS timestamp,
       round(sum(average_occupancy_rate * samples) / sum(samples), 2)::float8 AS occupancy_rate,
       max(peak_occupancy_rate) AS peak_occupancy_rate,
       round(sum(average_available_spaces * samples) / sum(samples))::int AS available_spaces,
       min(min_available_spaces) AS min_available_spaces
     FROM occupancy_hourly WHERE facility_id = $1 AND hour >= $2 AND hour < $3
     GROUP BY 1, 2 ORDER BY 1`,
    [facilityId, from, to, timezone],
  );
  return rows;
}

/** Average occupancy per local weekday (1 = Monday) and hour over a range of hours. */
export async function weekdayHourProfile(
  db: Queryable,
  facilityId: string,
  timezone: string,
  from: Date,
  to: Date,
): Promise<
  Array<{ weekday: number; hour: number; occupancy_rate: number; peak_occupancy_rate: number; hours: number }>
> {
  const { rows } = await db.query(
    `SELECT extract(isodow FROM hour AT TIME ZONE $4)::int AS weekday, extract(hour FROM hour AT TIME ZONE $4)::int AS hour,
       round(sum(average_occupancy_rate * samples) / sum(samples), 2)::float8 AS occupancy_rate,
       max(peak_occupancy_rate) AS peak_occupancy_rate, count(*)::int AS hours
     FROM occupancy_hourly WHERE facility_id = $1 AND hour >= $2 AND hour < $3
     GROUP BY 1, 2 ORDER BY 1, 2`,
    [facilityId, from, to, timezone],
  );
  return rows;
}

/** Samples for the forecast: the facility's rates over a range, oldest first. */
export async function samples(
  db: Queryable,
  facilityId: string,
  from: Date,
  to: Date,
  everyMinutes = 5,
): Promise<Array<{ at: Date; occupancy: number }>> {
  const { rows } = await db.query<{ at: Date; occupancy: number }>(
    everyMinutes <= 5
      ? `SELECT timestamp AS at, occupancy_rate AS occupancy FROM occupancy_metrics
         WHERE facility_id = $1 AND timestamp >= $2 AND timestamp < $3 ORDER BY timestamp`
      : `SELECT date_bin(make_interval(mins => $4), timestamp, '2000-01-01'::timestamptz) AS at,
           round(avg(occupancy_rate), 2)::float8 AS occupancy
         FROM occupancy_metrics WHERE facility_id = $1 AND timestamp >= $2 AND timestamp < $3
         GROUP BY 1 ORDER BY 1`,
    everyMinutes <= 5 ? [facilityId, from, to] : [facilityId, from, to, everyMinutes],
  );
  return rows;
}

export async function latestSampleAt(db: Queryable, facilityId: string): Promise<Date | null> {
  const { rows } = await db.query<{ at: Date }>(
    'SELECT max(timestamp) AS at FROM occupancy_metrics WHERE facility_id = $1',
    [facilityId],
  );
  return rows[0]?.at ?? null;
}

// Performance

export interface PerformanceChange {
  entries?: number;
  exits?: number;
  session_minutes?: number;
  revenue?: number;
  payments?: number;
  charging_sessions?: number;
  energy_kwh?: number;
  peak_occupancy?: number;
}

export async function addPerformance(
  tx: Queryable,
  facilityId: string,
  hour: Date,
  c: PerformanceChange,
  now: Date,
): Promise<void> {
  await tx.query(
    `INSERT INTO performance_metrics AS p (facility_id, timestamp, entries_count, exits_count, total_session_minutes,
       revenue, payments_count, charging_sessions_count, energy_delivered_kwh, peak_occupancy, created_at, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11)
     ON CONFLICT (facility_id, timestamp) DO UPDATE SET
       entries_count = p.entries_count + EXCLUDED.entries_count, exits_count = p.exits_count + EXCLUDED.exits_count,
       total_session_minutes = p.total_session_minutes + EXCLUDED.total_session_minutes,
       revenue = p.revenue + EXCLUDED.revenue, payments_count = p.payments_count + EXCLUDED.payments_count,
       charging_sessions_count = p.charging_sessions_count + EXCLUDED.charging_sessions_count,
       energy_delivered_kwh = p.energy_delivered_kwh + EXCLUDED.energy_delivered_kwh,
       peak_occupancy = GREATEST(p.peak_occupancy, EXCLUDED.peak_occupancy), updated_at = EXCLUDED.updated_at`,
    [
      facilityId,
      hour,
      c.entries ?? 0,
      c.exits ?? 0,
      c.session_minutes ?? 0,
      c.revenue ?? 0,
      c.payments ?? 0,
      c.charging_sessions ?? 0,
      c.energy_kwh ?? 0,
      c.peak_occupancy ?? 0,
      now,
    ],
  );
}

export interface PerformanceTotals {
  entries: number;
  exits: number;
  session_minutes: number;
  revenue: number;
  payments: number;
  charging_sessions: number;
  energy_kwh: number;
  peak_occupancy: number | null;
}

export async function performanceTotals(
  db: Queryable,
  facilityId: string,
  from: Date,
  to: Date,
): Promise<PerformanceTotals> {
  const { rows } = await db.query<PerformanceTotals>(
    `SELECT coalesce(sum(entries_count), 0)::int AS entries, coalesce(sum(exits_count), 0)::int AS exits,
       coalesce(sum(total_session_minutes), 0)::float8 AS session_minutes, coalesce(sum(revenue), 0)::bigint AS revenue,
       coalesce(sum(payments_count), 0)::int AS payments,
       coalesce(sum(charging_sessions_count), 0)::int AS charging_sessions,
       coalesce(sum(energy_delivered_kwh), 0)::float8 AS energy_kwh, max(peak_occupancy)::float8 AS peak_occupancy
     FROM performance_metrics WHERE facility_id = $1 AND timestamp >= $2 AND timestamp < $3`,
    [facilityId, from, to],
  );
  return rows[0]!;
}

export async function revenueInHour(db: Queryable, facilityId: string, hour: Date): Promise<number> {
  const { rows } = await db.query<{ revenue: number }>(
    'SELECT revenue FROM performance_metrics WHERE facility_id = $1 AND timestamp = $2',
    [facilityId, hour],
  );
  return rows[0]?.revenue ?? 0;
}

// Alerts

export interface AlertRow {
  alert_id: string;
  tenant_id: string;
  facility_id: string;
  alert_type: AlertType;
  subject: string;
  severity: Severity;
  threshold_value: number | null;
  current_value: number | null;
  message: string;
  created_at: Date;
  cleared_at: Date | null;
  clear_value: number | null;
  acknowledged_at: Date | null;
  acknowledged_by: string | null;
}

const alertColumns = `alert_id, tenant_id, facility_id, alert_type, subject, severity, threshold_value, current_value,
  message, created_at, cleared_at, clear_value, acknowledged_at, acknowledged_by`;

export async function thresholdsOf(db: Queryable, facilityId: string): Promise<Threshold[]> {
  const { rows } = await db.query<Threshold>(
    `SELECT alert_type, scope, raise_at, clear_at, severity, enabled FROM alert_thresholds WHERE facility_id = $1`,
    [facilityId],
  );
  return rows;
}

export async function saveThreshold(
  tx: Queryable,
  facilityId: string,
  t: Threshold,
  by: string,
  now: Date,
): Promise<void> {
  await tx.query(
    `INSERT INTO alert_thresholds (facility_id, alert_type, scope, raise_at, clear_at, severity, enabled, updated_at, updated_by)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
     ON CONFLICT (facility_id, alert_type, scope) DO UPDATE SET raise_at = EXCLUDED.raise_at,
       clear_at = EXCLUDED.clear_at, severity = EXCLUDED.severity, enabled = EXCLUDED.enabled,
       updated_at = EXCLUDED.updated_at, updated_by = EXCLUDED.updated_by`,
    [facilityId, t.alert_type, t.scope, t.raise_at, t.clear_at, t.severity, t.enabled, now, by],
  );
}

export async function openAlerts(db: Queryable, facilityId: string, lock = false): Promise<AlertRow[]> {
  const { rows } = await db.query<AlertRow>(
    `SELECT ${alertColumns} FROM alerts WHERE facility_id = $1 AND cleared_at IS NULL ORDER BY created_at${
      lock ? ' FOR UPDATE' : ''
    }`,
    [facilityId],
  );
  return rows;
}

/** Null when an alert of that type and subject is already open (it is raised once). */
export async function raiseAlert(
  tx: Queryable,
  a: Omit<AlertRow, 'alert_id' | 'cleared_at' | 'clear_value' | 'acknowledged_at' | 'acknowledged_by'>,
): Promise<AlertRow | null> {
  const { rows } = await tx.query<AlertRow>(
    `INSERT INTO alerts (alert_id, tenant_id, facility_id, alert_type, subject, severity, threshold_value,
       current_value, message, created_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
     ON CONFLICT (facility_id, alert_type, subject) WHERE cleared_at IS NULL DO NOTHING
     RETURNING ${alertColumns}`,
    [
      newId('alert'),
      a.tenant_id,
      a.facility_id,
      a.alert_type,
      a.subject,
      a.severity,
      a.threshold_value,
      a.current_value,
      a.message,
      a.created_at,
    ],
  );
  return rows[0] ?? null;
}

export async function clearAlert(
  tx: Queryable,
  alertId: string,
  value: number | null,
  at: Date,
): Promise<AlertRow | null> {
  const { rows } = await tx.query<AlertRow>(
    `UPDATE alerts SET cleared_at = GREATEST($3::timestamptz, created_at), clear_value = $2
     WHERE alert_id = $1 AND cleared_at IS NULL RETURNING ${alertColumns}`,
    [alertId, value, at],
  );
  return rows[0] ?? null;
}

export async function findAlert(db: Queryable, alertId: string): Promise<AlertRow | null> {
  const { rows } = await db.query<AlertRow>(`SELECT ${alertColumns} FROM alerts WHERE alert_id = $1`, [
    alertId,
  ]);
  return rows[0] ?? null;
}

export async function acknowledgeAlert(
  tx: Queryable,
  alertId: string,
  by: string,
  at: Date,
): Promise<AlertRow | null> {
  const { rows } = await tx.query<AlertRow>(
    `UPDATE alerts SET acknowledged_at = $3, acknowledged_by = $2
     WHERE alert_id = $1 AND acknowledged_at IS NULL RETURNING ${alertColumns}`,
    [alertId, by, at],
  );
  return rows[0] ?? null;
}

export async function listAlerts(
  db: Queryable,
  facilityId: string,
  options: { includeCleared: boolean; limit: number; before?: Date | undefined },
): Promise<AlertRow[]> {
  const { rows } = await db.query<AlertRow>(
    `SELECT ${alertColumns} FROM alerts WHERE facility_id = $1 AND ($2 OR cleared_at IS NULL)
       AND ($4::timestamptz IS NULL OR created_at < $4)
     ORDER BY created_at DESC LIMIT $3`,
    [facilityId, options.includeCleared, options.limit, options.before ?? null],
  );
  return rows;
}

// Daily reports and imports

export interface DailyReportRow {
  report_id: string;
  facility_id: string;
  report_date: string;
  total_transactions: number;
  total_revenue: number;
  currency: string;
  average_occupancy_rate: number | null;
  peak_hour: number | null;
  peak_occupancy_rate: number | null;
  least_busy_hour: number | null;
  average_session_duration: number | null;
  created_at: Date;
  updated_at: Date;
}

export async function saveDailyReport(
  tx: Queryable,
  r: Omit<DailyReportRow, 'report_id' | 'created_at' | 'updated_at'>,
  now: Date,
): Promise<void> {
  await tx.query(
    `INSERT INTO daily_reports (report_id, facility_id, report_date, total_transactions, total_revenue, currency,
       average_occupancy_rate, peak_hour, peak_occupancy_rate, least_busy_hour, average_session_duration,
       created_at, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12)
     ON CONFLICT (facility_id, report_date) DO UPDATE SET total_transactions = EXCLUDED.total_transactions,
       total_revenue = EXCLUDED.total_revenue, average_occupancy_rate = EXCLUDED.average_occupancy_rate,
       peak_hour = EXCLUDED.peak_hour, peak_occupancy_rate = EXCLUDED.peak_occupancy_rate,
       least_busy_hour = EXCLUDED.least_busy_hour, average_session_duration = EXCLUDED.average_session_duration,
       updated_at = EXCLUDED.updated_at`,
    [
      newId('dailyReport'),
      r.facility_id,
      r.report_date,
      r.total_transactions,
      r.total_revenue,
      r.currency,
      r.average_occupancy_rate,
      r.peak_hour,
      r.peak_occupancy_rate,
      r.least_busy_hour,
      r.average_session_duration,
      now,
    ],
  );
}

export async function dailyReports(
  db: Queryable,
  facilityId: string,
  from: string,
  to: string,
): Promise<DailyReportRow[]> {
  const { rows } = await db.query<DailyReportRow>(
    `SELECT report_id, facility_id, report_date::text AS report_date, total_transactions, total_revenue, currency,
       average_occupancy_rate, peak_hour, peak_occupancy_rate, least_busy_hour, average_session_duration,
       created_at, updated_at
     FROM daily_reports WHERE facility_id = $1 AND report_date BETWEEN $2 AND $3 ORDER BY report_date DESC`,
    [facilityId, from, to],
  );
  return rows;
}

export async function recordImport(
  tx: Queryable,
  i: {
    facility_id: string;
    imported_by: string;
    accepted: number;
    skipped: unknown;
    first: Date | null;
    last: Date | null;
  },
  now: Date,
): Promise<string> {
  const id = newId('occupancyImport');
  await tx.query(
    `INSERT INTO occupancy_imports (import_id, facility_id, imported_by, accepted, skipped, first_timestamp,
       last_timestamp, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
    [id, i.facility_id, i.imported_by, i.accepted, JSON.stringify(i.skipped), i.first, i.last, now],
  );
  return id;
}

/** Closed visits and ended charging sessions older than `before` are in the hourly figures already. */
export async function pruneClosed(db: Queryable, before: Date): Promise<void> {
  await db.query('DELETE FROM visits WHERE exit_time < $1', [before]);
  await db.query('DELETE FROM charging_sessions WHERE ended_at < $1', [before]);
}

export type { Tx };

/** The hours of one local day: local hour of day, average and peak rate, samples. */
export async function hoursOfDay(
  db: Queryable,
  facilityId: string,
  timezone: string,
  from: Date,
  to: Date,
): Promise<Array<{ hour: number; occupancy_rate: number; peak_occupancy_rate: number; samples: number }>> {
  const { rows } = await db.query(
    `SELECT extract(hour FROM hour AT TIME ZONE $4)::int AS hour, average_occupancy_rate AS occupancy_rate,
       peak_occupancy_rate, samples
     FROM occupancy_hourly WHERE facility_id = $1 AND hour >= $2 AND hour < $3 ORDER BY hour`,
    [facilityId, from, to, timezone],
  );
  return rows;
}

// The samples are partitioned by UTC month (migration 0002).

/**
 * The samples' partitions for the months from the retention's oldest through three months ahead:
 * at start and from the sweep, so a month's partition is there before its first sample.
 */
export async function prepareSampleMonths(pool: Pool, now: Date, retentionDays: number): Promise<void> {
  const from = new Date(now.getTime() - retentionDays * 86_400_000);
  const through = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 3, 1));
  await withTransaction(pool, (tx) => ensureMonthlyPartitions(tx, 'occupancy_metrics', from, through));
}

/**
 * Retention, a month at a time: a month's samples go (its partition is dropped) once the whole
 * month is older than `before`. Samples that landed in the default partition, in a month nobody
 * prepared, move to their month's partition.
 */
export async function dropSamplesBefore(pool: Pool, before: Date): Promise<void> {
  await withTransaction(pool, async (tx) => {
    await dropMonthlyPartitions(tx, 'occupancy_metrics', before);
    await ensureMonthlyPartitions(tx, 'occupancy_metrics', before);
  });
}

export async function facilitiesWithOpenAlert(db: Queryable, type: AlertType): Promise<string[]> {
  const { rows } = await db.query<{ facility_id: string }>(
    'SELECT DISTINCT facility_id FROM alerts WHERE alert_type = $1 AND cleared_at IS NULL',
    [type],
  );
  return rows.map((r) => r.facility_id);
}
