import type { SpaceSize, SpaceStatus } from './spaces.ts';

export interface Counts {
  total: number;
  available: number;
  occupied: number;
  reserved: number;
  maintenance: number;
}

export const emptyCounts = (): Counts => ({
  total: 0,
  available: 0,
  occupied: 0,
  reserved: 0,
  maintenance: 0,
});

const field: Record<SpaceStatus, keyof Counts> = {
  AVAILABLE: 'available',
  OCCUPIED: 'occupied',
  RESERVED: 'reserved',
  MAINTENANCE: 'maintenance',
};

export interface CountRow {
  size: SpaceSize;
  status: SpaceStatus;
  count: number;
}

/** Folds `(size, status, count)` rows into totals per size and for the whole facility. */
export function tally(rows: readonly CountRow[]): { all: Counts; bySize: Record<SpaceSize, Counts> } {
  const all = emptyCounts();
  const bySize = { COMPACT: emptyCounts(), STANDARD: emptyCounts(), LARGE: emptyCounts() };
  for (const row of rows) {
    for (const counts of [all, bySize[row.size]]) {
      counts.total += row.count;
      counts[field[row.status]] += row.count;
    }
  }
  return { all, bySize };
}

/**
 * Percentage of usable spaces that hold a vehicle: occupied / (total − maintenance), 0–100
 * with 2 decimals. Spaces under maintenance cannot be used, so they do not count; a facility
 * with no usable space is 0 % occupied.
 */
export function occupancyRate(counts: Counts): number {
  const usable = counts.total - counts.maintenance;
  if (usable <= 0) return 0;
  return Math.round((counts.occupied * 10_000) / usable) / 100;
}

/** How a change moved spaces: `count` spaces went from `from` (null: newly created) to `to`. */
export interface StatusChange {
  from: SpaceStatus | null;
  to: SpaceStatus;
  count: number;
}

/** The counts as they were before `change`, given the counts after it. */
export function countsBefore(after: Counts, change: StatusChange): Counts {
  const before = { ...after };
  before[field[change.to]] -= change.count;
  if (change.from === null) before.total -= change.count;
  else before[field[change.from]] += change.count;
  return before;
}

export type Direction = 'UP' | 'DOWN';

/** UP when the rate reaches the threshold from below, DOWN when it falls back below it. */
export function thresholdCrossing(
  beforeRate: number,
  afterRate: number,
  threshold: number,
): Direction | null {
  if (beforeRate < threshold && afterRate >= threshold) return 'UP';
  if (beforeRate >= threshold && afterRate < threshold) return 'DOWN';
  return null;
}
