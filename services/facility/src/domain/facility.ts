import { fromMajor, isCurrency, isTimeZone, parseClockTime } from '@easypark/kernel';
import { problem } from '../errors.ts';

export const weekdays = ['MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT', 'SUN'] as const;
export type Weekday = (typeof weekdays)[number];

export interface CapacityBreakdown {
  compact: number;
  standard: number;
  large: number;
}

export interface OperatingHours {
  opening_time: string | null;
  closing_time: string | null;
  operating_days: Weekday[];
}

export function checkTimeZone(zone: string): string {
  if (!isTimeZone(zone))
    throw problem('INVALID_TIMEZONE', `${zone} is not an IANA time zone such as Europe/London`);
  return zone;
}

export function checkCurrency(code: string): string {
  if (!isCurrency(code))
    throw problem('INVALID_CURRENCY', `${code} is not an ISO 4217 currency code such as GBP`);
  return code;
}

export function checkCapacity(capacity: CapacityBreakdown): CapacityBreakdown & { total: number } {
  const total = capacity.compact + capacity.standard + capacity.large;
  if (total === 0) throw problem('INVALID_CAPACITY', 'A facility needs at least one space');
  return { ...capacity, total };
}

/**
 * Opening and closing are both given or both absent (open around the clock). A closing time
 * before the opening time means the facility closes after midnight (e.g. 18:00–02:00).
 */
export function checkOperatingHours(hours: Partial<OperatingHours>): OperatingHours {
  const opening = hours.opening_time ?? null;
  const closing = hours.closing_time ?? null;
  if ((opening === null) !== (closing === null)) {
    throw problem(
      'INVALID_OPERATING_HOURS',
      'Give both opening_time and closing_time, or neither for 24-hour operation',
    );
  }
  if (opening !== null && closing !== null) {
    const open = parseClockTime(opening);
    const close = parseClockTime(closing);
    if (open === null || close === null)
      throw problem('INVALID_OPERATING_HOURS', 'Times are HH:MM in 24-hour form');
    if (open === close)
      throw problem(
        'INVALID_OPERATING_HOURS',
        'Opening and closing times are the same; omit both for 24 hours',
      );
  }
  const days = hours.operating_days ?? [...weekdays];
  if (days.length === 0) throw problem('INVALID_OPERATING_HOURS', 'A facility operates on at least one day');
  const unique = [...new Set(days)].sort((a, b) => weekdays.indexOf(a) - weekdays.indexOf(b));
  return { opening_time: opening, closing_time: closing, operating_days: unique };
}

/** A facility's reservation rules as the API carries them: fees in major units of its currency. */
export interface ReservationPolicyInput {
  free_cancellation_minutes?: number;
  cancellation_fee?: number;
  no_show_fee?: number;
  arrival_grace_early_minutes?: number;
  arrival_grace_late_minutes?: number;
  max_advance_days?: number;
}

/** The same as stored: fees in integer minor units, every field set. */
export interface ReservationPolicy {
  free_cancellation_minutes: number;
  cancellation_fee: number;
  no_show_fee: number;
  arrival_grace_early_minutes: number;
  arrival_grace_late_minutes: number;
  reservation_max_advance_days: number;
}

export const defaultReservationPolicy: ReservationPolicy = {
  free_cancellation_minutes: 60,
  cancellation_fee: 0,
  no_show_fee: 0,
  arrival_grace_early_minutes: 15,
  arrival_grace_late_minutes: 30,
  reservation_max_advance_days: 90,
};

/** Merges `input` over `current`, converting fees to minor units of `currency`. */
export function checkReservationPolicy(
  input: ReservationPolicyInput,
  currency: string,
  current: ReservationPolicy = defaultReservationPolicy,
): ReservationPolicy {
  const fee = (field: 'cancellation_fee' | 'no_show_fee'): number => {
    const value = input[field];
    if (value === undefined) return current[field];
    try {
      return fromMajor(value, currency).amount;
    } catch (error) {
      throw problem('INVALID_PRICE', `reservation_policy.${field}: ${(error as Error).message}`, {
        errors: [{ field: `reservation_policy.${field}`, message: (error as Error).message }],
      });
    }
  };
  return {
    free_cancellation_minutes: input.free_cancellation_minutes ?? current.free_cancellation_minutes,
    cancellation_fee: fee('cancellation_fee'),
    no_show_fee: fee('no_show_fee'),
    arrival_grace_early_minutes: input.arrival_grace_early_minutes ?? current.arrival_grace_early_minutes,
    arrival_grace_late_minutes: input.arrival_grace_late_minutes ?? current.arrival_grace_late_minutes,
    reservation_max_advance_days: input.max_advance_days ?? current.reservation_max_advance_days,
  };
}
