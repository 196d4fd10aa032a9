import { addDays, localParts, utcOffsetMs } from '@easypark/kernel/time';

export { addDays };

/**
 * Wall-clock time in a facility's IANA time zone, which need not be the browser's: its day
 * boundaries, its local hours, and the instant a local date and time stands for.
 */

/** How far the zone's wall clock is ahead of UTC at an instant, in minutes (London in summer: 60). */
export function zoneOffsetMinutes(instant: Date, timeZone: string): number {
  return Math.round(utcOffsetMs(instant.getTime(), timeZone) / 60_000);
}

const localDateTimePattern = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2}))?$/;

/**
 * The instant a local `YYYY-MM-DD` or `YYYY-MM-DDTHH:MM` stands for in a time zone. A time that
 * does not exist (the hour skipped when clocks go forward) is read as that many minutes after the
 * jump; a time that happens twice (clocks going back) is the first of the two.
 */
export function zonedToInstant(local: string, timeZone: string): Date {
  const match = localDateTimePattern.exec(local);
  if (!match) throw new RangeError(`Not a local date and time: ${local}`);
  const [, y, mo, d, h = '0', mi = '0'] = match;
  const asUtc = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi));
  // The true instant is within 14 hours of the guess, so the offsets a day either side are the
  // ones in force before and after any clock change near it. The larger offset first: it gives
  // the earlier instant, the first of a repeated hour.
  const before = zoneOffsetMinutes(new Date(asUtc - 86_400_000), timeZone);
  const after = zoneOffsetMinutes(new Date(asUtc + 86_400_000), timeZone);
  for (const offset of [Math.max(before, after), Math.min(before, after)]) {
    const candidate = new Date(asUtc - offset * 60_000);
    if (zoneOffsetMinutes(candidate, timeZone) === offset) return candidate;
  }
  // In the gap of a forward jump: the wall time as if the clock had not jumped yet.
  return new Date(asUtc - before * 60_000);
}

const pad = (n: number) => String(n).padStart(2, '0');

/** The local date (`YYYY-MM-DD`) of an instant in a time zone. */
export function localDateAt(instant: Date, timeZone: string): string {
  return localParts(instant, timeZone).date;
}

/** The local `YYYY-MM-DDTHH:MM` of an instant, as a datetime-local input shows it. */
export function localInputValue(instant: Date, timeZone: string): string {
  const local = localParts(instant, timeZone);
  return `${local.date}T${pad(local.hour)}:${pad(local.minute)}`;
}

/** The local hour of day (0–23) of an instant. */
export function localHourAt(instant: Date, timeZone: string): number {
  return localParts(instant, timeZone).hour;
}

/** [start, end) of a local calendar day, as instants. */
export function localDayBounds(date: string, timeZone: string): { from: Date; to: Date } {
  return { from: zonedToInstant(date, timeZone), to: zonedToInstant(addDays(date, 1), timeZone) };
}

/** Local `HH:MM` of an instant in the zone, in the reader's own style of writing times. */
export function formatTime(iso: string | Date, timeZone: string, locale?: string): string {
  return new Intl.DateTimeFormat(locale, { timeZone, hour: '2-digit', minute: '2-digit' }).format(
    new Date(iso),
  );
}

/** Local date and time of an instant in the zone, short. */
export function formatDateTime(iso: string | Date, timeZone: string, locale?: string): string {
  return new Intl.DateTimeFormat(locale, {
    timeZone,
    weekday: 'short',
    day: 'numeric',
    month: 'short',
    hour: '2-digit',
    minute: '2-digit',
  }).format(new Date(iso));
}

/** `HH:00–HH:00` for a local hour of day. */
export function hourLabel(hour: number): string {
  return `${pad(hour)}:00–${pad((hour + 1) % 24)}:00`;
}
