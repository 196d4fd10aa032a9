import { newId } from '@easypark/kernel';
import type { Queryable, Tx } from '@easypark/platform';
import type { ReservationPolicy } from './domain/facility.ts';
import type { DayOperations } from './domain/operations.ts';
import type { PricingRecord } from './domain/pricing.ts';

// All SQL of the facility service.

export interface TenantRow {
  tenant_id: string;
  name: string;
  status: 'ACTIVE' | 'SUSPENDED';
  created_at: Date;
}

export interface FacilityRow extends ReservationPolicy {
  facility_id: string;
  tenant_id: string;
  name: string;
  address_line1: string;
  city: string;
  state: string | null;
  postal_code: string | null;
  country: string;
  latitude: number | null;
  longitude: number | null;
  compact_spaces_count: number;
  standard_spaces_count: number;
  large_spaces_count: number;
  total_capacity: number;
  charging_stations_count: number;
  pricing_strategy: 'BASIC' | 'PEAK_HOUR' | 'SUBSCRIPTION' | 'EV_OPTIMIZED';
  timezone: string;
  currency: string;
  opening_time: string | null;
  closing_time: string | null;
  operating_days: string[];
  occupancy_alert_threshold: number;
  status: 'ACTIVE' | 'INACTIVE' | 'MAINTENANCE';
  created_at: Date;
  updated_at: Date;
}

export interface PricingRow extends PricingRecord {
  config_id: string;
  facility_id: string;
  effective_from: Date;
  effective_to: Date | null;
  created_at: Date;
}

const facilityColumns = `facility_id, tenant_id, name, address_line1, city, state, postal_code, country, latitude, longitude,
  compact_spaces_count, standard_spaces_count, large_spaces_count, total_capacity, charging_stations_count,
  pricing_strategy, timezone, currency, to_char(opening_time, 'HH24:MI') AS opening_time,
  to_char(closing_time, 'HH24:MI') AS closing_time, operating_days, occupancy_alert_threshold, status, created_at, updated_at,
  free_cancellation_minutes, cancellation_fee, no_show_fee, arrival_grace_early_minutes, arrival_grace_late_minutes,
  reservation_max_advance_days`;

const pricingColumns = `config_id, facility_id, vehicle_type, hourly_rate, daily_max, monthly_rate, peak_hour_multiplier,
  night_rate_multiplier, to_char(peak_start_time, 'HH24:MI') AS peak_start_time, to_char(peak_end_time, 'HH24:MI') AS peak_end_time,
  to_char(night_start_time, 'HH24:MI') AS night_start_time, to_char(night_end_time, 'HH24:MI') AS night_end_time,
  ev_charging_rate_per_kwh, reservation_fee, billing_increment_minutes, grace_period_minutes, idle_fee_per_hour,
  idle_grace_minutes, effective_from, effective_to, created_at`;

export async function insertTenant(
  db: Queryable,
  tenant: { tenant_id: string; name: string },
): Promise<TenantRow> {
  const { rows } = await db.query<TenantRow>(
    'INSERT INTO tenants (tenant_id, name) VALUES ($1, $2) RETURNING tenant_id, name, status, created_at',
    [tenant.tenant_id, tenant.name],
  );
  return rows[0]!;
}

export async function findTenant(db: Queryable, tenantId: string): Promise<TenantRow | undefined> {
  const { rows } = await db.query<TenantRow>(
    'SELECT tenant_id, name, status, created_at FROM tenants WHERE tenant_id = $1',
    [tenantId],
  );
  return rows[0];
}

export async function listTenants(db: Queryable): Promise<TenantRow[]> {
  return (
    await db.query<TenantRow>('SELECT tenant_id, name, status, created_at FROM tenants ORDER BY created_at')
  ).rows;
}

export type NewFacility = Omit<FacilityRow, 'total_capacity' | 'created_at' | 'updated_at' | 'status'>;

export async function insertFacility(tx: Tx, f: NewFacility): Promise<FacilityRow> {
  await tx.query(
    `INSERT INTO facilities (facility_id, tenant_id, name, address_line1, city, state, postal_code, country, latitude, longitude,
       compact_spaces_count, standard_spaces_count, large_spaces_count, charging_stations_count, pricing_strategy, timezone,
       currency, opening_time, closing_time, operating_days, occupancy_alert_threshold, free_cancellation_minutes,
       cancellation_fee, no_show_fee, arrival_grace_early_minutes, arrival_grace_late_minutes, reservation_max_advance_days)
     VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,$18,$19,$20,$21,$22,$23,$24,$25,$26,$27)`,
    [
      f.facility_id,
      f.tenant_id,
      f.name,
      f.address_line1,
      f.city,
      f.state,
      f.postal_code,
      f.country,
      f.latitude,
      f.longitude,
      f.compact_spaces_count,
      f.standard_spaces_count,
      f.large_spaces_count,
      f.charging_stations_count,
      f.pricing_strategy,
      f.timezone,
      f.currency,
      f.opening_time,
      f.closing_time,
      f.operating_days,
      f.occupancy_alert_threshold,
      f.free_cancellation_minutes,
      f.cancellation_fee,
      f.no_show_fee,
      f.arrival_grace_early_minutes,
      f.arrival_grace_late_minutes,
      f.reservation_max_advance_days,
    ],
  );
  await tx.query('INSERT INTO facility_live (facility_id) VALUES ($1)', [f.facility_id]);
  return (await findFacility(tx, f.facility_id))!;
}

export async function findFacility(
  db: Queryable,
  facilityId: string,
  forUpdate = false,
): Promise<FacilityRow | undefined> {
  const { rows } = await db.query<FacilityRow>(
    `SELECT ${facilityColumns} FROM facilities WHERE facility_id = $1 ${forUpdate ? 'FOR UPDATE' : ''}`,
    [facilityId],
  );
  return rows[0];
}

export async function listFacilities(
  db: Queryable,
  filter: { tenantId?: string; status?: string; city?: string; after?: string; limit: number },
): Promise<FacilityRow[]> {
  const { rows } = await db.query<FacilityRow>(
    `SELECT ${facilityColumns} FROM facilities
     WHERE ($1::text IS NULL OR tenant_id = $1) AND ($2::text IS NULL OR status = $2)
       AND ($3::text IS NULL OR lower(city) = lower($3)) AND ($4::text IS NULL OR facility_id > $4)
     ORDER BY facility_id LIMIT $5`,
    [filter.tenantId ?? null, filter.status ?? null, filter.city ?? null, filter.after ?? null, filter.limit],
  );
  return rows;
}

const updatableColumns = [
  'name',
  'status',
  'opening_time',
  'closing_time',
  'operating_days',
  'occupancy_alert_threshold',
  'charging_stations_count',
  'compact_spaces_count',
  'standard_spaces_count',
  'large_spaces_count',
  'pricing_strategy',
  'free_cancellation_minutes',
  'cancellation_fee',
  'no_show_fee',
  'arrival_grace_early_minutes',
  'arrival_grace_late_minutes',
  'reservation_max_advance_days',
] as const;
export type FacilityPatch = Partial<Pick<FacilityRow, (typeof updatableColumns)[number]>>;

export async function updateFacility(tx: Tx, facilityId: string, patch: FacilityPatch): Promise<FacilityRow> {
  const entries = Object.entries(patch).filter(
    ([k, v]) => v !== undefined && (updatableColumns as readonly string[]).includes(k),
  );
  if (entries.length > 0) {
    const sets = entries.map(([k], i) => `${k} = $${i + 2}`).join(', ');
    await tx.query(`UPDATE facilities SET ${sets}, updated_at = now() WHERE facility_id = $1`, [
      facilityId,
      ...entries.map(([, v]) => v),
    ]);
  }
  return (await findFacility(tx, facilityId))!;
}

export async function pricingInForce(db: Queryable, facilityId: string, at: Date): Promise<PricingRow[]> {
  const { rows } = await db.query<PricingRow>(
    `SELECT ${pricingColumns} FROM pricing_configurations
     WHERE facility_id = $1 AND effective_from <= $2 AND (effective_to IS NULL OR effective_to > $2)
     ORDER BY vehicle_type`,
    [facilityId, at],
  );
  return rows;
}

/**
 * Every period of every vehicle type overlapping [from, until): the prices a stay over that range
 * may be charged at, ordered by vehicle type, then effective_from.
 */
export async function pricingOverlapping(
  db: Queryable,
  facilityId: string,
  from: Date,
  until: Date,
): Promise<PricingRow[]> {
  const { rows } = await db.query<PricingRow>(
    `SELECT ${pricingColumns} FROM pricing_configurations
     WHERE facility_id = $1 AND effective_from < $3 AND (effective_to IS NULL OR effective_to > $2)
     ORDER BY vehicle_type, effective_from`,
    [facilityId, from, until],
  );
  return rows;
}

export async function pricingHistory(db: Queryable, facilityId: string): Promise<PricingRow[]> {
  const { rows } = await db.query<PricingRow>(
    `SELECT ${pricingColumns} FROM pricing_configurations WHERE facility_id = $1 ORDER BY vehicle_type, effective_from`,
    [facilityId],
  );
  return rows;
}

/**
 * Schedules a price from `from`: the period in force at that instant is closed there, and the new
 * one runs until the next scheduled change (or open-ended). Callers lock the facility row first.
 */
export async function schedulePricing(
  tx: Tx,
  facilityId: string,
  record: PricingRecord,
  from: Date,
  createdBy: string,
): Promise<{ row: PricingRow; startsTaken: boolean }> {
  const { rows: clash } = await tx.query(
    'SELECT 1 FROM pricing_configurations WHERE facility_id = $1 AND vehicle_type = $2 AND effective_from = $3',
    [facilityId, record.vehicle_type, from],
  );
  if (clash.length > 0) return { row: undefined as never, startsTaken: true };
  const { rows: next } = await tx.query<{ next: Date | null }>(
    `SELECT min(effective_from) AS next FROM pricing_configurations
     WHERE facility_id = $1 AND vehicle_type = $2 AND effective_from > $3`,
    [facilityId, record.vehicle_type, from],
  );
  await tx.query(
    `UPDATE pricing_configurations SET effective_to = $3
     WHERE facility_id = $1 AND vehicle_type = $2 AND effective_from < $3 AND (effective_to IS NULL OR effective_to > $3)`,
    [facilityId, record.vehicle_type, from],
  );
  const configId = newId('pricing');
  const r = record;
  await tx.query(
    `INSERT INTO pricing_configurations (config_id, facility_id, vehicle_type, hourly_rate, daily_max, monthly_rate,
       peak_hour_multiplier, night_rate_multiplier, peak_start_time, peak_end_time, night_start_time, night_end_time,
       ev_charging_rate_per_kwh, reservation_fee, billing_increment_minutes, grace_period_minutes, idle_fee_per_hour,
       idle_grace_minutes, effective_from, effective_to, created_by)
     VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,$18,$19,$20,$21)`,
    [
      configId,
      facilityId,
      r.vehicle_type,
      r.hourly_rate,
      r.daily_max,
      r.monthly_rate,
      r.peak_hour_multiplier,
      r.night_rate_multiplier,
      r.peak_start_time,
      r.peak_end_time,
      r.night_start_time,
      r.night_end_time,
      r.ev_charging_rate_per_kwh,
      r.reservation_fee,
      r.billing_increment_minutes,
      r.grace_period_minutes,
      r.idle_fee_per_hour,
      r.idle_grace_minutes,
      from,
      next[0]?.next ?? null,
      createdBy,
    ],
  );
  const { rows } = await tx.query<PricingRow>(
    `SELECT ${pricingColumns} FROM pricing_configurations WHERE config_id = $1`,
    [configId],
  );
  return { row: rows[0]!, startsTaken: false };
}

export interface OperationsRow extends DayOperations {
  facility_id: string;
}

export interface LiveCount {
  occupied: number;
  /** Whether the facility was above its alert threshold before this change. */
  above_threshold: boolean;
}

/**
 * Counts an entry on its local day and hour and moves the live count up, in one statement
 * (a consumer's cost is its round trips). Answers the new count and the threshold state.
 */
export async function recordEntry(
  tx: Tx,
  facilityId: string,
  localDate: string,
  localHour: number,
  reportedOccupied: number | null,
): Promise<LiveCount> {
  const { rows } = await tx.query<LiveCount>(
    `WITH live AS (
       UPDATE facility_live SET occupied = occupied + 1, updated_at = now() WHERE facility_id = $1
       RETURNING greatest(occupied, 0) AS occupied, above_threshold
     ), day AS (
       INSERT INTO facility_operations AS o
         (operation_id, facility_id, operation_date, total_entries, entries_by_hour, peak_occupied, peak_hour)
       SELECT $2, $1, $3, 1,
              (SELECT array_agg(CASE WHEN h = $4::int THEN 1 ELSE 0 END ORDER BY h) FROM generate_series(0, 23) AS h),
              coalesce($5::int, live.occupied), $4::int
       FROM live
       ON CONFLICT (facility_id, operation_date) DO UPDATE SET
         total_entries = o.total_entries + 1,
         entries_by_hour[$4::int + 1] = o.entries_by_hour[$4::int + 1] + 1,
         peak_hour = CASE WHEN excluded.peak_occupied > o.peak_occupied THEN $4::int ELSE o.peak_hour END,
         peak_occupied = greatest(o.peak_occupied, excluded.peak_occupied),
         updated_at = now()
     )
     SELECT occupied, above_threshold FROM live`,
    [facilityId, newId('facilityOperation'), localDate, localHour, reportedOccupied],
  );
  return rows[0] ?? { occupied: 0, above_threshold: false };
}

/** Counts an exit (its stay and revenue) on its local day and moves the live count down. */
export async function recordExit(
  tx: Tx,
  facilityId: string,
  localDate: string,
  durationHours: number,
  revenueMinor: number,
): Promise<LiveCount> {
  const { rows } = await tx.query<LiveCount>(
    `WITH live AS (
       UPDATE facility_live SET occupied = occupied - 1, updated_at = now() WHERE facility_id = $1
       RETURNING greatest(occupied, 0) AS occupied, above_threshold
     ), day AS (
       INSERT INTO facility_operations AS o
         (operation_id, facility_id, operation_date, total_exits, total_duration_hours, revenue_generated)
       VALUES ($2, $1, $3, 1, $4, $5)
       ON CONFLICT (facility_id, operation_date) DO UPDATE SET
         total_exits = o.total_exits + 1,
         total_duration_hours = o.total_duration_hours + excluded.total_duration_hours,
         revenue_generated = o.revenue_generated + excluded.revenue_generated,
         updated_at = now()
     )
     SELECT occupied, above_threshold FROM live`,
    [facilityId, newId('facilityOperation'), localDate, durationHours, revenueMinor],
  );
  return rows[0] ?? { occupied: 0, above_threshold: false };
}

export async function liveState(
  db: Queryable,
  facilityId: string,
): Promise<{ occupied: number; above_threshold: boolean }> {
  const { rows } = await db.query<{ occupied: number; above_threshold: boolean }>(
    'SELECT greatest(occupied, 0) AS occupied, above_threshold FROM facility_live WHERE facility_id = $1',
    [facilityId],
  );
  return rows[0] ?? { occupied: 0, above_threshold: false };
}

export async function setAboveThreshold(tx: Tx, facilityId: string, above: boolean): Promise<void> {
  await tx.query('UPDATE facility_live SET above_threshold = $2 WHERE facility_id = $1', [facilityId, above]);
}

export async function operationsBetween(
  db: Queryable,
  facilityId: string,
  start: string,
  end: string,
): Promise<OperationsRow[]> {
  const { rows } = await db.query<OperationsRow>(
    `SELECT facility_id, to_char(operation_date, 'YYYY-MM-DD') AS operation_date, total_entries, total_exits,
            total_duration_hours, revenue_generated, entries_by_hour, peak_occupied, peak_hour
     FROM facility_operations WHERE facility_id = $1 AND operation_date BETWEEN $2 AND $3 ORDER BY operation_date`,
    [facilityId, start, end],
  );
  return rows;
}

/** Days that ended before `today` (local) and whose summary event has not gone out yet. */
export async function unpublishedClosedDays(
  db: Queryable,
  today: Map<string, string>,
): Promise<OperationsRow[]> {
  if (today.size === 0) return [];
  const { rows } = await db.query<OperationsRow>(
    `SELECT o.facility_id, to_char(o.operation_date, 'YYYY-MM-DD') AS operation_date, o.total_entries, o.total_exits,
            o.total_duration_hours, o.revenue_generated, o.entries_by_hour, o.peak_occupied, o.peak_hour
     FROM facility_operations o JOIN unnest($1::text[], $2::date[]) AS t(facility_id, today) ON t.facility_id = o.facility_id
     WHERE o.summary_published_at IS NULL AND o.operation_date < t.today`,
    [[...today.keys()], [...today.values()]],
  );
  return rows;
}

export async function markSummaryPublished(tx: Tx, facilityId: string, date: string): Promise<void> {
  await tx.query(
    'UPDATE facility_operations SET summary_published_at = now() WHERE facility_id = $1 AND operation_date = $2',
    [facilityId, date],
  );
}

export async function facilityZones(
  db: Queryable,
): Promise<{ facility_id: string; timezone: string; currency: string }[]> {
  return (await db.query('SELECT facility_id, timezone, currency FROM facilities')).rows;
}
