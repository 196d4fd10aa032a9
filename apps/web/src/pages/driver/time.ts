/**
 * Times for the driver's pages. A reservation window is entered as wall-clock times (an
 * `<input type="datetime-local">` gives `YYYY-MM-DDTHH:mm`) and read in the facility's own time
 * zone: "9:00 to 11:00" at a car park in Tokyo means 9:00 in Tokyo, wherever the driver is.
 * Pure functions: no DOM, no clock of their own.
 */

import { localInputValue, zonedToInstant } from '../../lib/zoned-time.ts';

const minuteMs = 60_000;
const hourMs = 60 * minuteMs;
const dayMs = 24 * hourMs;

/** How long a reservation may last (the reservation service's default RESERVATION_MAX_HOURS). */
export const maxReservationHours = 720;

const localPattern = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})$/;

/** The wall-clock fields of `YYYY-MM-DDTHH:mm` as if they were UTC, or null if it is not a real time. */
function wallClockMs(local: string): number | null {
  const match = localPattern.exec(local);
  if (!match) return null;
  const [year, month, day, hour, minute] = match.slice(1).map(Number) as [
    number,
    number,
    number,
    number,
    number,
  ];
  const ms = Date.UTC(year, month - 1, day, hour, minute);
  const check = new Date(ms);
  // Date.UTC rolls 31 February over into March: that is not a date the driver meant.
  if (check.getUTCMonth() !== month - 1 || check.getUTCDate() !== day || hour > 23 || minute > 59)
    return null;
  return ms;
}

/**
 * The instant a wall-clock time in a zone stands for, or null if the text is not a time. As clocks
 * do: a time skipped when they go forward is read with the offset from before (01:30 on the spring
 * morning London skips becomes 02:30 BST); a time that happens twice is its first occurrence.
 */
export function zonedTimeToInstant(local: string, timeZone: string): Date | null {
  return wallClockMs(local) === null ? null : zonedToInstant(local, timeZone);
}

/** An instant as the `YYYY-MM-DDTHH:mm` a datetime-local input shows, in a zone. */
export const instantToZonedInput = localInputValue;

/** A first window to offer: from the next quarter hour, for two hours, in the zone. */
export function suggestedWindow(now: Date, timeZone: string): { arrive: string; leave: string } {
  const quarter = 15 * minuteMs;
  const start = Math.ceil((now.getTime() + minuteMs) / quarter) * quarter;
  return {
    arrive: instantToZonedInput(new Date(start), timeZone),
    leave: instantToZonedInput(new Date(start + 2 * hourMs), timeZone),
  };
}

export interface WindowErrors {
  arrive?: string;
  leave?: string;
}

/** What is wrong with the entered window before any facility is asked (empty when nothing). */
export function checkWindowFields(arrive: string, leave: string): WindowErrors {
  const errors: WindowErrors = {};
  const from = wallClockMs(arrive);
  const until = wallClockMs(leave);
  if (from === null) errors.arrive = arrive ? 'Enter a date and time.' : 'Enter when you arrive.';
  if (until === null) errors.leave = leave ? 'Enter a date and time.' : 'Enter when you leave.';
  if (from === null || until === null) return errors;
  if (until <= from) errors.leave = 'Leaving must be after arriving.';
  else if (until - from > maxReservationHours * hourMs)
    errors.leave = `A reservation lasts at most ${maxReservationHours / 24} days.`;
  return errors;
}

export type ZonedWindow = { start: Date; end: Date } | { problem: string };

/**
 * The window at one facility: its instants, or why that facility cannot take it. `maxAdvanceDays`
 * is the facility's booking horizon. A minute of slack for "now", as the reservation service has.
 */
export function windowAt(
  fields: { arrive: string; leave: string },
  facility: { timezone: string; maxAdvanceDays: number },
  now: Date,
  locale?: string,
): ZonedWindow {
  const start = zonedTimeToInstant(fields.arrive, facility.timezone);
  const end = zonedTimeToInstant(fields.leave, facility.timezone);
  if (!start || !end) return { problem: 'Enter when you arrive and when you leave.' };
  if (end.getTime() <= start.getTime())
    return { problem: 'In this car park’s local time, leaving is not after arriving.' };
  if (start.getTime() < now.getTime() - minuteMs)
    return {
      problem: `That arrival time has already passed here (it is ${formatTime(now, facility.timezone, locale)} local time).`,
    };
  if (start.getTime() > now.getTime() + facility.maxAdvanceDays * dayMs)
    return { problem: `This car park takes reservations up to ${facility.maxAdvanceDays} days ahead.` };
  return { start, end };
}

// --- Showing times -------------------------------------------------------------------------------

function format(
  instant: Date,
  timeZone: string | undefined,
  options: Intl.DateTimeFormatOptions,
  locale?: string,
) {
  return new Intl.DateTimeFormat(locale, { timeZone, ...options }).format(instant);
}

const dayAndTime: Intl.DateTimeFormatOptions = {
  weekday: 'short',
  day: 'numeric',
  month: 'short',
  hour: '2-digit',
  minute: '2-digit',
};

/** "Tue 24 Nov, 13:40" in the zone (the browser's if none). */
export function formatDateTime(iso: string | Date, timeZone?: string, locale?: string): string {
  return format(new Date(iso), timeZone, dayAndTime, locale);
}

/** "13:40" in the zone. */
export function formatTime(iso: string | Date, timeZone?: string, locale?: string): string {
  return format(new Date(iso), timeZone, { hour: '2-digit', minute: '2-digit' }, locale);
}

/** "24 Nov 2026" in the zone. */
export function formatDate(iso: string | Date, timeZone?: string, locale?: string): string {
  return format(new Date(iso), timeZone, { day: 'numeric', month: 'short', year: 'numeric' }, locale);
}

/** "Tue 24 Nov, 13:40 – 15:40", or both dates when the window crosses midnight in the zone. */
export function formatWindow(start: string, end: string, timeZone?: string, locale?: string): string {
  const sameDay =
    format(new Date(start), timeZone, { dateStyle: 'short' }, 'en-CA') ===
    format(new Date(end), timeZone, { dateStyle: 'short' }, 'en-CA');
  const until = sameDay ? formatTime(end, timeZone, locale) : formatDateTime(end, timeZone, locale);
  return `${formatDateTime(start, timeZone, locale)} – ${until}`;
}

/** Minutes as a person says them: "45 min", "2 h", "1 h 5 min", "3 d 2 h". */
export function formatDuration(totalMinutes: number): string {
  const minutes = Math.max(0, Math.round(totalMinutes));
  if (minutes < 60) return `${minutes} min`;
  const days = Math.floor(minutes / 1440);
  const hours = Math.floor((minutes % 1440) / 60);
  const rest = minutes % 60;
  if (days > 0) return hours > 0 ? `${days} d ${hours} h` : `${days} d`;
  return rest > 0 ? `${hours} h ${rest} min` : `${hours} h`;
}

/** Whole minutes from one instant to another (never negative). */
export function minutesBetween(from: string | Date, to: Date): number {
  return Math.max(0, Math.floor((to.getTime() - new Date(from).getTime()) / minuteMs));
}
