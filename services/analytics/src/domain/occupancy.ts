/** Occupancy arithmetic on the read model's counts: pure, shared by the live view, samples and alerts. */

export type SpaceSize = 'COMPACT' | 'STANDARD' | 'LARGE';
export const spaceSizes: readonly SpaceSize[] = ['COMPACT', 'STANDARD', 'LARGE'];

export interface Capacity {
  COMPACT: number;
  STANDARD: number;
  LARGE: number;
}

/** Spaces of each size that are not available, by status, as the read model knows them. */
export interface SpaceCounts {
  occupied: Capacity;
  /** Not available for another reason: reserved or in maintenance. */
  reserved: Capacity;
  maintenance: Capacity;
}

export interface OccupancySnapshot {
  occupancy_rate: number;
  occupied_spaces: number;
  available_spaces: number;
  capacity: number;
  /** Spaces not in maintenance: what the rate is a share of. */
  usable_spaces: number;
  available_by_size: { compact: number; standard: number; large: number };
  active_sessions: number;
  active_charging_sessions: number;
}

const sum = (c: Capacity) => c.COMPACT + c.STANDARD + c.LARGE;

/** Percent with two decimals, as Parking reports it: occupied over the spaces not in maintenance. */
export function occupancyRate(occupied: number, usable: number): number {
  if (usable <= 0) return 0;
  return Math.min(100, Math.round((occupied * 10_000) / usable) / 100);
}

export function snapshotOf(
  capacity: Capacity,
  counts: SpaceCounts,
  active: { sessions: number; charging: number },
): OccupancySnapshot {
  const availableOf = (size: SpaceSize) =>
    Math.max(0, capacity[size] - counts.occupied[size] - counts.reserved[size] - counts.maintenance[size]);
  const occupied = sum(counts.occupied);
  const total = sum(capacity);
  const available_by_size = {
    compact: availableOf('COMPACT'),
    standard: availableOf('STANDARD'),
    large: availableOf('LARGE'),
  };
  return {
    occupancy_rate: occupancyRate(occupied, total - sum(counts.maintenance)),
    occupied_spaces: occupied,
    available_spaces: available_by_size.compact + available_by_size.standard + available_by_size.large,
    capacity: total,
    usable_spaces: total - sum(counts.maintenance),
    available_by_size,
    active_sessions: active.sessions,
    active_charging_sessions: active.charging,
  };
}

export type Trend = 'INCREASING' | 'DECREASING' | 'STABLE';

/** Where occupancy is heading: now against about half an hour ago, with 2 points of dead band. */
export function trendOf(now: number, halfAnHourAgo: number | null): Trend {
  if (halfAnHourAgo === null) return 'STABLE';
  if (now - halfAnHourAgo >= 2) return 'INCREASING';
  if (halfAnHourAgo - now >= 2) return 'DECREASING';
  return 'STABLE';
}

/** The 5-minute slot an instant falls in (samples are kept per slot). */
export function slotOf(at: Date, minutes = 5): Date {
  const ms = minutes * 60_000;
  return new Date(Math.floor(at.getTime() / ms) * ms);
}

export function hourOf(at: Date): Date {
  return slotOf(at, 60);
}
