import { addDays, localMidnight, localParts } from '@easypark/kernel';
import { problem } from '../errors.ts';

const localDate = /^\d{4}-\d{2}-\d{2}$/;

/**
 * [from, to) from `start_date`/`end_date`, each a local date (whole days in the facility's time
 * zone, end inclusive) or an instant. Without them: the `defaultDays` local days up to today.
 */
export function timeRange(
  query: { start_date?: string | undefined; end_date?: string | undefined },
  timezone: string,
  now: Date,
  defaultDays: number,
  maxDays = 400,
): { from: Date; to: Date } {
  const today = localParts(now, timezone).date;
  const from =
    query.start_date === undefined
      ? localMidnight(addDays(today, 1 - defaultDays), timezone)
      : instant(query.start_date, timezone, 'start_date', false);
  const to =
    query.end_date === undefined
      ? localMidnight(addDays(today, 1), timezone)
      : instant(query.end_date, timezone, 'end_date', true);
  if (from >= to)
    throw problem('INVALID_RANGE', 'start_date must be before end_date', {
      errors: [{ field: 'start_date', message: 'before end_date' }],
    });
  if (to.getTime() - from.getTime() > maxDays * 86_400_000)
    throw problem('INVALID_RANGE', `A range covers at most ${maxDays} days`);
  return { from, to };
}

function instant(value: string, timezone: string, field: string, endOfDay: boolean): Date {
  const refused = () =>
    problem('INVALID_RANGE', `${field} is neither a date nor a time with a zone`, {
      errors: [{ field, message: 'YYYY-MM-DD or ISO 8601 with Z or an offset' }],
    });
  if (localDate.test(value)) {
    // A real calendar day (not 2024-02-30 nor month 70), in years the database holds.
    const day = new Date(`${value}T00:00:00Z`);
    if (Number.isNaN(day.getTime()) || !day.toISOString().startsWith(value) || !storableYear(day))
      throw refused();
    return localMidnight(endOfDay ? addDays(value, 1) : value, timezone);
  }
  const at = new Date(value.replace(' ', 'T'));
  if (Number.isNaN(at.getTime()) || !/(Z|[+-]\d{2}:?\d{2})$/.test(value) || !storableYear(at))
    throw refused();
  return at;
}

/** The years every request's dates are kept to (as the platform's date formats are). */
function storableYear(date: Date): boolean {
  return date.getUTCFullYear() >= 1000 && date.getUTCFullYear() <= 9000;
}
