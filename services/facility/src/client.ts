import type { EventBus, ServiceClient } from '@easypark/platform';

export type FacilityStatus = 'ACTIVE' | 'INACTIVE' | 'MAINTENANCE';
export type PricingStrategy = 'BASIC' | 'PEAK_HOUR' | 'SUBSCRIPTION' | 'EV_OPTIMIZED';
export type VehicleType = 'CAR' | 'MOTORCYCLE' | 'TRUCK' | 'BUS';

/** What other services need to know about a facility (GET /facilities/internal/{id}/config). */
export interface FacilityConfig {
  facility_id: string;
  tenant_id: string;
  name: string;
  status: FacilityStatus;
  timezone: string;
  currency: string;
  address: { line1: string; city: string; state: string | null; postal_code: string | null; country: string };
  capacity: { compact: number; standard: number; large: number; total: number };
  charging_stations_count: number;
  pricing_strategy: PricingStrategy;
  opening_time: string | null;
  closing_time: string | null;
  operating_days: string[];
  occupancy_alert_threshold: number;
  reservation_policy: ReservationPolicy;
}

/** When cancelling costs, what a no-show costs (major units of the facility currency), arrival grace. */
export interface ReservationPolicy {
  free_cancellation_minutes: number;
  cancellation_fee: number;
  no_show_fee: number;
  arrival_grace_early_minutes: number;
  arrival_grace_late_minutes: number;
  max_advance_days: number;
}

/** One pricing configuration, money in the facility currency's major units as in the public API. */
export interface PricingConfig {
  config_id: string;
  vehicle_type: VehicleType;
  currency: string;
  hourly_rate: number;
  daily_max: number | null;
  monthly_rate: number | null;
  peak_hour_multiplier: number;
  night_rate_multiplier: number;
  peak_start_time: string | null;
  peak_end_time: string | null;
  night_start_time: string | null;
  night_end_time: string | null;
  ev_charging_rate_per_kwh: number | null;
  reservation_fee: number;
  billing_increment_minutes: number;
  grace_period_minutes: number;
  /** EV_OPTIMIZED: per hour plugged in after charging completes, beyond idle_grace_minutes; null: none. */
  idle_fee_per_hour: number | null;
  idle_grace_minutes: number;
  effective_from: string;
  effective_to: string | null;
}

export interface PricingStrategyAnswer {
  facility_id: string;
  pricing_strategy: PricingStrategy;
  currency: string;
  timezone: string;
  at: string;
  /** Present when asked for a range: then configurations holds every period overlapping [at, until). */
  until?: string;
  configurations: PricingConfig[];
}

export interface Tenant {
  tenant_id: string;
  name: string;
  status: 'ACTIVE' | 'SUSPENDED';
  created_at: string;
}

/**
 * How long a service trusts a facility's configuration it has read, at most: every entry, exit,
 * quote and occupancy read needs it, and it changes only when staff edit the facility. Each edit
 * is announced (facility.updated) to every process, which then forgets what it read
 * (watchFacilityChanges); this bounds how long one that missed the announcement (its broker
 * connection down at the time) keeps the old one.
 */
export const facilityConfigTtlMs = 60_000;

const configCaches = new WeakMap<
  ServiceClient,
  Map<string, { readAt: number; config: Promise<FacilityConfig> }>
>();
/** When each facility last changed, as announced to this process: what was read before is stale. */
const changedAt = new Map<string, number>();

/** Every cached configuration of the facility read until now is stale: the next call asks again. */
export function forgetFacilityConfig(facilityId: string): void {
  changedAt.set(facilityId, Date.now());
}

/**
 * Makes this process forget a facility's configuration as soon as a change to it is announced.
 * Once per process: in the embedded mode one process runs every service.
 */
export function watchFacilityChanges(bus: EventBus): Promise<void> {
  return bus.subscribe({
    consumer: 'facility-config-watch',
    types: ['facility.updated'],
    everyProcess: true,
    async handler(event) {
      const facilityId = (event.data as { facility_id?: string }).facility_id;
      if (facilityId) forgetFacilityConfig(facilityId);
    },
  });
}

/**
 * The facility's configuration, read at most once per facilityConfigTtlMs by each service, and
 * again after a change was announced, or when `fresh` (a check that must see the latest, such as
 * capacity before adding spaces); failures are not kept.
 */
function cachedConfig(client: ServiceClient, facilityId: string, fresh: boolean): Promise<FacilityConfig> {
  let cache = configCaches.get(client);
  if (!cache) {
    cache = new Map();
    configCaches.set(client, cache);
  }
  const now = Date.now();
  const kept = cache.get(facilityId);
  // Read in the millisecond of the change or before it: it may predate it.
  const current = kept !== undefined && kept.readAt > (changedAt.get(facilityId) ?? -1);
  if (kept && current && !fresh && now - kept.readAt < facilityConfigTtlMs)
    return kept.config.then((c) => structuredClone(c));
  const config = client.get<FacilityConfig>(`/facilities/internal/${encodeURIComponent(facilityId)}/config`);
  cache.set(facilityId, { readAt: now, config });
  config.catch(() => {
    if (cache.get(facilityId)?.config === config) cache.delete(facilityId);
  });
  return config.then((c) => structuredClone(c));
}

/** The facility service's contract for other services: the only thing they import from it. */
export function facilityClient(client: ServiceClient) {
  return {
    config: (facilityId: string, options: { fresh?: boolean } = {}) =>
      cachedConfig(client, facilityId, options.fresh ?? false),
    /**
     * The strategy and the prices in force at `at` (default now); with `until`, every price period
     * of every vehicle type overlapping [at, until), ordered by vehicle_type, effective_from.
     */
    pricingStrategy: (facilityId: string, at?: Date, until?: Date) =>
      client.get<PricingStrategyAnswer>(
        `/facilities/internal/${encodeURIComponent(facilityId)}/pricing-strategy`,
        { at: at?.toISOString(), until: until?.toISOString() },
      ),
    tenant: (tenantId: string) =>
      client.get<Tenant>(`/facilities/internal/tenants/${encodeURIComponent(tenantId)}`),
    createTenant: (body: { name: string; tenant_id?: string }) =>
      client.post<Tenant>('/facilities/internal/tenants', body),
    listTenants: () => client.get<Tenant[]>('/facilities/internal/tenants'),
  };
}

export type FacilityClient = ReturnType<typeof facilityClient>;
