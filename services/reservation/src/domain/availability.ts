// Which spaces are free when, from the reservations that hold them. Times are epoch milliseconds;
// intervals are half-open [start, end). Pure functions.

export interface Interval {
  start: number;
  end: number;
}

export interface SpaceBookings {
  space_id: string;
  /** Active reservations of the space, any order. */
  busy: Interval[];
}

const overlaps = (a: Interval, b: Interval) => a.start < b.end && b.start < a.end;

export function isFree(space: SpaceBookings, window: Interval): boolean {
  return !space.busy.some((b) => overlaps(b, window));
}

/** The stretches of `range` not covered by `busy`. */
export function freeStretches(range: Interval, busy: Interval[]): Interval[] {
  const free: Interval[] = [];
  let cursor = range.start;
  for (const b of [...busy].sort((x, y) => x.start - y.start)) {
    if (b.end <= cursor) continue;
    if (b.start >= range.end) break;
    if (b.start > cursor) free.push({ start: cursor, end: b.start });
    cursor = Math.max(cursor, b.end);
    if (cursor >= range.end) break;
  }
  if (cursor < range.end) free.push({ start: cursor, end: range.end });
  return free;
}

/**
 * The window split where the number of free spaces changes: for each stretch, how many spaces
 * are free throughout it.
 */
export function availabilityTimeline(
  range: Interval,
  spaces: SpaceBookings[],
): { start: number; end: number; available: number }[] {
  const cuts = new Set([range.start, range.end]);
  for (const space of spaces)
    for (const b of space.busy) {
      if (b.start > range.start && b.start < range.end) cuts.add(b.start);
      if (b.end > range.start && b.end < range.end) cuts.add(b.end);
    }
  const points = [...cuts].sort((a, b) => a - b);
  const timeline: { start: number; end: number; available: number }[] = [];
  for (let i = 0; i + 1 < points.length; i++) {
    const piece = { start: points[i]!, end: points[i + 1]! };
    const available = spaces.filter((s) => isFree(s, piece)).length;
    const last = timeline.at(-1);
    if (last && last.available === available) last.end = piece.end;
    else timeline.push({ ...piece, available });
  }
  return timeline;
}

/**
 * Times at or after `from` (up to `horizon`) at which some space is free for `durationMs`:
 * the start of every long-enough free stretch, earliest first.
 */
export function fittingStarts(
  spaces: SpaceBookings[],
  from: number,
  durationMs: number,
  horizon: number,
): number[] {
  const starts = new Set<number>();
  for (const space of spaces)
    for (const stretch of freeStretches({ start: from, end: horizon + durationMs }, space.busy))
      if (stretch.end - stretch.start >= durationMs && stretch.start <= horizon) starts.add(stretch.start);
  return [...starts].sort((a, b) => a - b);
}
