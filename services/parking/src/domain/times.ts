import { hoursBetween } from '@easypark/kernel';
import { problem } from '../errors.ts';

/** Gate controllers' clocks drift a little; a time this far ahead of ours still counts as now. */
export const clockSkewMs = 60_000;
/** Controllers upload entries they buffered while offline, but not forever. */
export const maxEntryAgeMs = 7 * 24 * 3600_000;

function invalidTime(field: string, detail: string) {
  return problem('INVALID_TIME', detail, { errors: [{ field, message: detail }] });
}

/**
 * The entry time to record: now when none is given; a given time must not be in the future
 * (beyond the skew, and within the skew it is recorded as now) nor older than seven days.
 */
export function resolveEntryTime(requested: Date | undefined, now: Date): Date {
  if (requested === undefined) return now;
  if (requested.getTime() > now.getTime() + clockSkewMs) {
    throw invalidTime('entry_time', 'entry_time is in the future');
  }
  if (requested.getTime() < now.getTime() - maxEntryAgeMs) {
    throw invalidTime('entry_time', 'entry_time is more than 7 days ago');
  }
  return requested.getTime() > now.getTime() ? now : requested;
}

/** The exit time to record: now by default; never in the future, never before the entry. */
export function resolveExitTime(requested: Date | undefined, entry: Date, now: Date): Date {
  if (requested !== undefined && requested.getTime() > now.getTime() + clockSkewMs) {
    throw invalidTime('exit_time', 'exit_time is in the future');
  }
  const exit = requested === undefined || requested.getTime() > now.getTime() ? now : requested;
  if (exit.getTime() < entry.getTime()) {
    throw invalidTime('exit_time', `exit_time is before the entry at ${entry.toISOString()}`);
  }
  return exit;
}

/** The seed's `duration_hours`: decimal hours, 2 places. */
export function durationHours(entry: Date, exit: Date): number {
  return hoursBetween(entry, exit);
}
