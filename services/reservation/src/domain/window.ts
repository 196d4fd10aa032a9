import { localParts, parseClockTime } from '@easypark/kernel';
import { problem } from '../errors.ts';

// The rules a reservation window must follow, and the times derived from it. Pure functions.

export interface OperatingHours {
  opening_time: string | null;
  closing_time: string | null;
  /** MON..SUN */
  operating_days: string[];
}

export interface BookingRules {
  now: Date;
  timezone: string;
  hours: OperatingHours;
  maxAdvanceDays: number;
  maxDurationHours: number;
}

const dayNames = ['MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT', 'SUN'];
const minuteMs = 60_000;

/** Throws the problem a driver should see when the window breaks a rule. */
export function checkBookingWindow(start: Date, end: Date, rules: BookingRules): void {
  if (end.getTime() <= start.getTime())
    throw problem('INVALID_RESERVATION_WINDOW', 'end_time must be after start_time');
  // A minute's slack: the driver's clock and ours differ, and "now" is a valid start.
  if (start.getTime() < rules.now.getTime() - minuteMs)
    throw problem('RESERVATION_IN_THE_PAST', `start_time ${start.toISOString()} has passed`);
  const hours = (end.getTime() - start.getTime()) / 3_600_000;
  if (hours > rules.maxDurationHours)
    throw problem(
      'INVALID_RESERVATION_WINDOW',
      `A reservation lasts at most ${rules.maxDurationHours} hours; this one lasts ${hours.toFixed(1)}`,
    );
  if (start.getTime() > rules.now.getTime() + rules.maxAdvanceDays * 86_400_000)
    throw problem('TOO_FAR_AHEAD', `The facility takes bookings up to ${rules.maxAdvanceDays} days ahead`);
  if (!isOpenThroughout(start, end, rules.hours, rules.timezone))
    throw problem(
      'OUTSIDE_OPERATING_HOURS',
      `The facility is not open for the whole window (${describeHours(rules.hours)}, ${rules.timezone})`,
    );
}

function describeHours(hours: OperatingHours): string {
  const days = hours.operating_days.join(', ');
  return hours.opening_time ? `${hours.opening_time}–${hours.closing_time} on ${days}` : `all day on ${days}`;
}

/**
 * True when [start, end) lies within the facility's open time. With opening and closing times the
 * window must fit one open period (which may run past midnight, e.g. 18:00–02:00, and belongs to
 * the day it opens); without them the facility is open all day on its operating days.
 */
export function isOpenThroughout(start: Date, end: Date, hours: OperatingHours, zone: string): boolean {
  const days = new Set(hours.operating_days);
  const open = hours.opening_time === null ? null : parseClockTime(hours.opening_time);
  const close = hours.closing_time === null ? null : parseClockTime(hours.closing_time);
  if (open === null || close === null || open === close) {
    // Open all day on operating days: every local date the window touches must be one. Each
    // local day lasts at least 23 hours, so hourly steps visit every date.
    const last = end.getTime() - 1;
    for (let t = start.getTime(); ; t = Math.min(t + 3_600_000, last)) {
      if (!days.has(dayNames[localParts(new Date(t), zone).weekday - 1]!)) return false;
      if (t === last) return true;
    }
  }
  const from = localParts(start, zone);
  const until = localParts(new Date(end.getTime() - 1), zone);
  const startMinute = from.hour * 60 + from.minute;
  const lastMinute = until.hour * 60 + until.minute; // the window's last minute, inclusive
  if (open < close) {
    return (
      days.has(dayNames[from.weekday - 1]!) &&
      startMinute >= open &&
      until.date === from.date &&
      lastMinute < close
    );
  }
  // Overnight: open from `open` until `close` the next morning.
  if (startMinute >= open) {
    if (!days.has(dayNames[from.weekday - 1]!)) return false;
    if (until.date === from.date) return true;
    return until.date === nextDate(from.date) && lastMinute < close;
  }
  if (startMinute < close) {
    const openedYesterday = dayNames[(from.weekday + 5) % 7]!;
    return days.has(openedYesterday) && until.date === from.date && lastMinute < close;
  }
  return false;
}

function nextDate(date: string): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d + 1)).toISOString().slice(0, 10);
}

export interface ArrivalPolicy {
  arrival_grace_early_minutes: number;
  arrival_grace_late_minutes: number;
}

/** When the driver may arrive: from start − early grace until start + late grace (not after the end). */
export function arrivalWindow(start: Date, end: Date, policy: ArrivalPolicy): { from: Date; until: Date } {
  return {
    from: new Date(start.getTime() - policy.arrival_grace_early_minutes * minuteMs),
    until: new Date(Math.min(start.getTime() + policy.arrival_grace_late_minutes * minuteMs, end.getTime())),
  };
}

/** 'early' | 'late' | 'on_time' for an arrival at `at`. */
export function arrivalTiming(at: Date, window: { from: Date; until: Date }): 'early' | 'late' | 'on_time' {
  if (at.getTime() < window.from.getTime()) return 'early';
  if (at.getTime() >= window.until.getTime()) return 'late';
  return 'on_time';
}

/**
 * What cancelling costs: nothing while the reservation is only held (PENDING) or before the free
 * cancellation deadline; the agreed fee after it.
 */
export function cancellationFee(
  reservation: { status: string; free_cancellation_until: Date; cancellation_fee: number },
  now: Date,
): number {
  if (reservation.status === 'PENDING') return 0;
  return now.getTime() < reservation.free_cancellation_until.getTime() ? 0 : reservation.cancellation_fee;
}
