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
  if (localDate.test(value)) return localMidnight(endOfDay ? addDays(value, 1) : value, timezone);
  const at = new Date(value.replace(' ', 'T'));
  if (Number.isNaN(at.getTime()) || !/(Z|[+-]\d{2}:?\d{2})$/.test(value))
    throw problem('INVALID_RANGE', `${field} is neither a date nor a time with a zone`, {
      errors: [{ field, message: 'YYYY-MM-DD or ISO 8601 with Z or an offset' }],
    });
  return at;
}
