/** Facility-local time helpers. Facilities keep an IANA time zone; days and hours are counted there. */

export function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return zone.length > 0;
  } catch {
    return false;
  }
}

export interface LocalParts {
  date: string; // YYYY-MM-DD
  hour: number; // 0-23
  minute: number;
  weekday: number; // 1 = Monday ... 7 = Sunday (ISO)
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(zone: string): Intl.DateTimeFormat {
  let f = formatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      weekday: 'short',
      hourCycle: 'h23',
    });
    formatters.set(zone, f);
  }
  return f;
}

const weekdays: Record<string, number> = { Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6, Sun: 7 };

export function localParts(instant: Date, zone: string): LocalParts {
  const parts = Object.fromEntries(
    formatterFor(zone)
      .formatToParts(instant)
      .map((p) => [p.type, p.value]),
  );
  return {
    date: `${parts.year}-${parts.month}-${parts.day}`,
    hour: Number(parts.hour),
    minute: Number(parts.minute),
    weekday: weekdays[parts.weekday as string] ?? 1,
  };
}

/** `HH:MM` (24h) to minutes after midnight; null for a malformed value. */
export function parseClockTime(value: string): number | null {
  const match = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(value);
  return match ? Number(match[1]) * 60 + Number(match[2]) : null;
}

/** Decimal hours between two instants, rounded to 2 decimals (the seed's `duration_hours`). */
export function hoursBetween(from: Date, to: Date): number {
  return Math.round((to.getTime() - from.getTime()) / 36_000) / 100;
}

/** Calendar arithmetic on `YYYY-MM-DD` strings (no time zone involved). */
export function addDays(date: string, days: number): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d + days)).toISOString().slice(0, 10);
}

/**
 * The instant at which a facility's clock shows midnight starting `date` (YYYY-MM-DD).
 * Where midnight does not exist (a DST jump at 00:00) it is the first instant of that day.
 */
export function localMidnight(date: string, zone: string): Date {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const wall = Date.UTC(y, m - 1, d);
  const shownAt = (instant: number) => {
    const parts = localParts(new Date(instant), zone);
    const [ly, lm, ld] = parts.date.split('-').map(Number) as [number, number, number];
    return Date.UTC(ly, lm - 1, ld, parts.hour, parts.minute);
  };
  // Correcting by the offset seen at the guess, twice, settles every zone where midnight exists.
  let guess = wall;
  for (let i = 0; i < 3; i++) {
    const shown = shownAt(guess);
    if (shown === wall) return new Date(guess);
    guess += wall - shown;
  }
  // Midnight was skipped: the day begins at the first minute whose local date is `date`.
  let instant = guess - 3 * 3_600_000;
  while (localParts(new Date(instant), zone).date < date) instant += 60_000;
  return new Date(instant);
}

const hourMs = 3_600_000;
const offsets = new Map<string, number>();

/**
 * The zone's offset from UTC at an instant, in milliseconds (wall clock − UTC). Cached per UTC
 * hour, since Intl formatting is slow and imports and forecasts ask for thousands of instants;
 * an hour whose two ends disagree holds a transition and is answered minute by minute instead.
 */
export function utcOffsetMs(instant: number, zone: string): number {
  const hourStart = Math.floor(instant / hourMs) * hourMs;
  const key = `${zone} ${hourStart}`;
  const cached = offsets.get(key);
  if (cached !== undefined) return cached;
  const atStart = offsetFromIntl(hourStart, zone);
  if (atStart !== offsetFromIntl(hourStart + hourMs - 60_000, zone)) return offsetFromIntl(instant, zone);
  if (offsets.size > 100_000) offsets.clear();
  offsets.set(key, atStart);
  return atStart;
}

function offsetFromIntl(instant: number, zone: string): number {
  const parts = localParts(new Date(instant), zone);
  const [y, m, d] = parts.date.split('-').map(Number) as [number, number, number];
  return Date.UTC(y, m - 1, d, parts.hour, parts.minute) - Math.floor(instant / 60_000) * 60_000;
}
