/** The space map's arithmetic: spaces by level and aisle, counts by status, room left, keyboard moves. */
import type { Space, SpaceSize, SpaceStatus } from './types.ts';

export type StatusCounts = Record<SpaceStatus, number>;

export interface Aisle {
  aisle: string;
  /** In number order. */
  spaces: Space[];
}

export interface Level {
  floor: number;
  name: string;
  /** In aisle order. */
  aisles: Aisle[];
  counts: StatusCounts;
  total: number;
}

/** A level as people say it: 0 is the ground, negative ones are below it. */
export function levelName(floor: number): string {
  if (floor === 0) return 'Level 0 (ground)';
  if (floor < 0) return `Level ${floor} (basement)`;
  return `Level ${floor}`;
}

/** How a space is named on signs and in the app: aisle and number, `C-12`. */
export function spaceLabel(space: Pick<Space, 'location'>): string {
  return `${space.location.aisle}-${space.location.number}`;
}

export function countByStatus(spaces: readonly Space[]): StatusCounts {
  const counts: StatusCounts = { AVAILABLE: 0, OCCUPIED: 0, RESERVED: 0, MAINTENANCE: 0 };
  for (const space of spaces) counts[space.status] += 1;
  return counts;
}

const byAisle = (a: string, b: string) => a.localeCompare(b, 'en', { numeric: true });

/** Levels from the lowest up, each with its aisles in order and the spaces of each by number. */
export function groupByLevel(spaces: readonly Space[]): Level[] {
  const floors = new Map<number, Map<string, Space[]>>();
  for (const space of spaces) {
    const { floor, aisle } = space.location;
    let aisles = floors.get(floor);
    if (!aisles) {
      aisles = new Map();
      floors.set(floor, aisles);
    }
    const list = aisles.get(aisle);
    if (list) list.push(space);
    else aisles.set(aisle, [space]);
  }
  return [...floors.entries()]
    .sort(([a], [b]) => a - b)
    .map(([floor, aisles]) => {
      const rows = [...aisles.entries()]
        .sort(([a], [b]) => byAisle(a, b))
        .map(([aisle, list]) => ({
          aisle,
          spaces: [...list].sort((a, b) => a.location.number - b.location.number),
        }));
      const all = rows.flatMap((r) => r.spaces);
      return { floor, name: levelName(floor), aisles: rows, counts: countByStatus(all), total: all.length };
    });
}

/** Spaces a facility may still get of each size: its capacity less the spaces that exist. */
export function roomLeft(
  capacity: { compact: number; standard: number; large: number },
  spaces: readonly Space[],
): Record<SpaceSize, number> {
  const existing = { COMPACT: 0, STANDARD: 0, LARGE: 0 };
  for (const space of spaces) existing[space.size] += 1;
  return {
    COMPACT: Math.max(0, capacity.compact - existing.COMPACT),
    STANDARD: Math.max(0, capacity.standard - existing.STANDARD),
    LARGE: Math.max(0, capacity.large - existing.LARGE),
  };
}

/** The number after the highest in an aisle of a level (1 for a new aisle): where a new row continues. */
export function nextNumber(spaces: readonly Space[], floor: number, aisle: string): number {
  let highest = 0;
  for (const space of spaces)
    if (space.location.floor === floor && space.location.aisle === aisle)
      highest = Math.max(highest, space.location.number);
  return highest + 1;
}

export interface GridPosition {
  row: number;
  column: number;
}

/**
 * Where an arrow key (or Home/End) moves within rows of different lengths: left and right along
 * the aisle, up and down to the neighbouring aisle (to its last space if it is shorter), Home and
 * End to the ends of the aisle. Answers null for a key that moves nothing.
 */
export function moveInGrid(
  rowLengths: readonly number[],
  at: GridPosition,
  key: string,
): GridPosition | null {
  const length = (row: number) => rowLengths[row] ?? 0;
  const clamp = (row: number, column: number) => ({ row, column: Math.min(column, length(row) - 1) });
  switch (key) {
    case 'ArrowRight':
      return at.column + 1 < length(at.row) ? { row: at.row, column: at.column + 1 } : at;
    case 'ArrowLeft':
      return at.column > 0 ? { row: at.row, column: at.column - 1 } : at;
    case 'ArrowDown':
      return at.row + 1 < rowLengths.length ? clamp(at.row + 1, at.column) : at;
    case 'ArrowUp':
      return at.row > 0 ? clamp(at.row - 1, at.column) : at;
    case 'Home':
      return { row: at.row, column: 0 };
    case 'End':
      return { row: at.row, column: length(at.row) - 1 };
    default:
      return null;
  }
}

/** What a person may do to a space by hand (the API allows AVAILABLE ↔ MAINTENANCE, RESERVED → MAINTENANCE). */
export function maintenanceActionFor(status: SpaceStatus): 'start' | 'end' | null {
  if (status === 'AVAILABLE' || status === 'RESERVED') return 'start';
  if (status === 'MAINTENANCE') return 'end';
  return null;
}
