import { problem } from '../errors.ts';
import type { VehicleType } from './vehicles.ts';

export const spaceSizes = ['COMPACT', 'STANDARD', 'LARGE'] as const;
export type SpaceSize = (typeof spaceSizes)[number];

export const spaceStatuses = ['AVAILABLE', 'OCCUPIED', 'RESERVED', 'MAINTENANCE'] as const;
export type SpaceStatus = (typeof spaceStatuses)[number];

/** The sizes a vehicle may park in, best fit first. */
const fittingSizesByType: Record<VehicleType, readonly SpaceSize[]> = {
  MOTORCYCLE: ['COMPACT', 'STANDARD', 'LARGE'],
  CAR: ['STANDARD', 'LARGE'],
  TRUCK: ['LARGE'],
  BUS: ['LARGE'],
};

export function fittingSizes(type: VehicleType): readonly SpaceSize[] {
  return fittingSizesByType[type];
}

export function fits(size: SpaceSize, type: VehicleType): boolean {
  return fittingSizesByType[type].includes(size);
}

export interface SpaceLocation {
  floor: number;
  aisle: string;
  number: number;
}

export interface Candidate {
  size: SpaceSize;
  status: SpaceStatus;
  location: SpaceLocation;
  /** When the space's next reservation may arrive (arrival_from); null or absent: none. */
  next_arrival?: Date | null;
  /** A reservation's arrival window is open now, so the space is kept for its driver. */
  held?: boolean;
}

const arrivalRank = (c: Candidate) => c.next_arrival?.getTime() ?? Number.POSITIVE_INFINITY;

/**
 * The order in which free spaces are offered to an arriving vehicle: the best-fitting size,
 * then spaces nobody booked, then those booked for latest (a drive-up should not take a space
 * a driver is due in soon), then the level nearest the ground (smallest |floor|, lower first
 * on a tie), aisle and number. `store/spaces.ts` (occupyFreeSpace) sorts the same way in SQL.
 */
export function compareCandidates(type: VehicleType) {
  const sizes = fittingSizes(type);
  return (a: Candidate, b: Candidate): number =>
    sizes.indexOf(a.size) - sizes.indexOf(b.size) ||
    Math.sign(arrivalRank(b) - arrivalRank(a)) ||
    Math.abs(a.location.floor) - Math.abs(b.location.floor) ||
    a.location.floor - b.location.floor ||
    (a.location.aisle < b.location.aisle ? -1 : a.location.aisle > b.location.aisle ? 1 : 0) ||
    a.location.number - b.location.number;
}

/** The space a vehicle of `type` gets among `spaces`, or null when none is free and fitting. */
export function chooseSpace<T extends Candidate>(spaces: readonly T[], type: VehicleType): T | null {
  const free = spaces.filter((s) => s.status === 'AVAILABLE' && !s.held && fits(s.size, type));
  return free.sort(compareCandidates(type))[0] ?? null;
}

/**
 * Status changes an operator may make by hand. OCCUPIED belongs to entries and exits only,
 * so that a space's status never disagrees with its open session.
 */
const manualTransitions: Record<SpaceStatus, readonly SpaceStatus[]> = {
  AVAILABLE: ['MAINTENANCE', 'RESERVED'],
  RESERVED: ['AVAILABLE', 'MAINTENANCE'],
  MAINTENANCE: ['AVAILABLE'],
  OCCUPIED: [],
};

export function canTransition(from: SpaceStatus, to: SpaceStatus): boolean {
  return manualTransitions[from].includes(to);
}

export function assertManualTransition(from: SpaceStatus, to: SpaceStatus): void {
  if (canTransition(from, to)) return;
  const detail =
    from === 'OCCUPIED' || to === 'OCCUPIED'
      ? 'OCCUPIED is set by a vehicle entry and cleared by its exit, never by hand'
      : `A space cannot go from ${from} to ${to}`;
  throw problem('INVALID_STATUS_TRANSITION', detail, { current_status: from, requested_status: to });
}
