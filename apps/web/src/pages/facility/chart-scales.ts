/** Scales, ticks and SVG paths for the page's hand-drawn charts: plain arithmetic, no DOM. */
import { localHourAt, localInputValue } from '../../lib/zoned-time.ts';

export interface Point {
  x: number;
  y: number;
}

/** Maps a value of [d0, d1] linearly onto [r0, r1] (an empty domain maps to the middle). */
export function linearScale(domain: [number, number], range: [number, number]): (value: number) => number {
  const [d0, d1] = domain;
  const [r0, r1] = range;
  if (d1 === d0) return () => (r0 + r1) / 2;
  return (value) => r0 + ((value - d0) / (d1 - d0)) * (r1 - r0);
}

/** A round upper bound at or above `max` (1, 2, 2.5 or 5 times a power of ten), for an axis from 0. */
export function niceMax(max: number): number {
  if (!(max > 0)) return 1;
  const power = 10 ** Math.floor(Math.log10(max));
  for (const step of [1, 2, 2.5, 5, 10]) if (step * power >= max) return step * power;
  return 10 * power;
}

/** `count` + 1 evenly spaced ticks from 0 to `max`. */
export function ticksTo(max: number, count = 4): number[] {
  return Array.from({ length: count + 1 }, (_, i) => (max * i) / count);
}

const round1 = (n: number) => Math.round(n * 10) / 10;

/** An SVG path through the points; `null` breaks the line (a gap in the data). */
export function linePath(points: readonly (Point | null)[]): string {
  let path = '';
  let drawing = false;
  for (const point of points) {
    if (!point) {
      drawing = false;
      continue;
    }
    path += `${drawing ? 'L' : 'M'}${round1(point.x)} ${round1(point.y)}`;
    drawing = true;
  }
  return path;
}

/** A closed SVG path between an upper and a lower line over the same x positions: an interval band. */
export function bandPath(upper: readonly Point[], lower: readonly Point[]): string {
  if (upper.length === 0 || upper.length !== lower.length) return '';
  const forward = upper.map((p, i) => `${i === 0 ? 'M' : 'L'}${round1(p.x)} ${round1(p.y)}`).join('');
  const back = [...lower]
    .reverse()
    .map((p) => `L${round1(p.x)} ${round1(p.y)}`)
    .join('');
  return `${forward}${back}Z`;
}

const hourMs = 3_600_000;
const quarterMs = 15 * 60_000;

/**
 * Ticks on local whole hours of the facility's time zone between two instants: every 1, 2, 3, 6
 * or 12 hours, or at local midnights, whichever gives at most `maxTicks`. Labels are `HH:00`, or
 * the day (`Tue 24`) at midnights.
 */
export function timeTicks(
  from: Date,
  to: Date,
  timeZone: string,
  maxTicks: number,
): { at: Date; label: string; midnight: boolean }[] {
  const span = (to.getTime() - from.getTime()) / hourMs;
  const step = [1, 2, 3, 6, 12, 24].find((s) => span / s <= maxTicks) ?? 24 * Math.ceil(span / 24 / maxTicks);
  const ticks: { at: Date; label: string; midnight: boolean }[] = [];
  // Quarter hours, because some zones are 30 or 45 minutes off whole UTC hours.
  const start = Math.ceil(from.getTime() / quarterMs) * quarterMs;
  for (let t = start; t <= to.getTime(); t += quarterMs) {
    const at = new Date(t);
    const local = localInputValue(at, timeZone);
    if (!local.endsWith(':00')) continue;
    const hour = localHourAt(at, timeZone);
    const midnight = hour === 0;
    if (step >= 24 ? !midnight || dayIndex(local) % (step / 24) !== 0 : hour % step !== 0) continue;
    ticks.push({ at, label: midnight ? dayLabel(local) : local.slice(11), midnight });
  }
  return ticks;
}

const weekdays = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

function dayIndex(local: string): number {
  return Math.round(Date.parse(`${local.slice(0, 10)}T00:00:00Z`) / 86_400_000);
}

function dayLabel(local: string): string {
  const day = new Date(`${local.slice(0, 10)}T00:00:00Z`);
  return `${weekdays[day.getUTCDay()]} ${day.getUTCDate()}`;
}

export interface Bar {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** Bars for values from 0 up to `max`, side by side across [left, right], growing up from `bottom`. */
export function barLayout(
  values: readonly number[],
  area: { left: number; right: number; top: number; bottom: number },
  max: number,
  gapRatio = 0.2,
): Bar[] {
  if (values.length === 0) return [];
  const slot = (area.right - area.left) / values.length;
  const width = Math.max(1, slot * (1 - gapRatio));
  const y = linearScale([0, max], [area.bottom, area.top]);
  return values.map((value, i) => {
    const top = y(Math.max(0, Math.min(value, max)));
    return { x: area.left + i * slot + (slot - width) / 2, y: top, width, height: area.bottom - top };
  });
}
