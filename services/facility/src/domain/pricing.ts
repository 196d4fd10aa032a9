import { fromMajor, parseClockTime, toMajor } from '@easypark/kernel';
import { problem } from '../errors.ts';

export const vehicleTypes = ['CAR', 'MOTORCYCLE', 'TRUCK', 'BUS'] as const;
export type VehicleType = (typeof vehicleTypes)[number];

/** Price fields as the API carries them: decimals in the facility currency's major units. */
export interface PricingInput {
  vehicle_type: VehicleType;
  hourly_rate: number;
  daily_max?: number | null;
  monthly_rate?: number | null;
  peak_hour_multiplier?: number;
  night_rate_multiplier?: number;
  peak_start_time?: string | null;
  peak_end_time?: string | null;
  night_start_time?: string | null;
  night_end_time?: string | null;
  ev_charging_rate_per_kwh?: number | null;
  reservation_fee?: number;
  billing_increment_minutes?: number;
  grace_period_minutes?: number;
  /** EV_OPTIMIZED: per hour plugged in after charging completes, beyond idle_grace_minutes. */
  idle_fee_per_hour?: number | null;
  idle_grace_minutes?: number;
  effective_from?: string;
}

/** The same, money in integer minor units, as stored. */
export interface PricingRecord {
  vehicle_type: VehicleType;
  hourly_rate: number;
  daily_max: number | null;
  monthly_rate: number | null;
  peak_hour_multiplier: number;
  night_rate_multiplier: number;
  peak_start_time: string | null;
  peak_end_time: string | null;
  night_start_time: string | null;
  night_end_time: string | null;
  ev_charging_rate_per_kwh: number | null;
  reservation_fee: number;
  billing_increment_minutes: number;
  grace_period_minutes: number;
  idle_fee_per_hour: number | null;
  idle_grace_minutes: number;
}

const moneyFields = [
  'hourly_rate',
  'daily_max',
  'monthly_rate',
  'ev_charging_rate_per_kwh',
  'reservation_fee',
  'idle_fee_per_hour',
] as const;

export function toPricingRecord(input: PricingInput, currency: string): PricingRecord {
  const minor = (field: (typeof moneyFields)[number]): number | null => {
    const value = input[field];
    if (value === undefined || value === null) return null;
    try {
      return fromMajor(value, currency).amount;
    } catch (error) {
      throw problem('INVALID_PRICE', `${field}: ${(error as Error).message}`, {
        errors: [{ field, message: (error as Error).message }],
      });
    }
  };
  const window = (start: string | null | undefined, end: string | null | undefined, name: string) => {
    if ((start ?? null) === null && (end ?? null) === null) return [null, null] as const;
    if (!start || !end || parseClockTime(start) === null || parseClockTime(end) === null || start === end) {
      throw problem('INVALID_PRICE', `${name} hours need a start and a different end, both HH:MM`);
    }
    return [start, end] as const;
  };
  const [peakStart, peakEnd] = window(input.peak_start_time, input.peak_end_time, 'peak');
  const [nightStart, nightEnd] = window(input.night_start_time, input.night_end_time, 'night');
  const hourly = minor('hourly_rate') ?? 0;
  const dailyMax = minor('daily_max');
  if (dailyMax !== null && dailyMax < hourly)
    throw problem('INVALID_PRICE', 'daily_max is below one hour at hourly_rate');
  return {
    vehicle_type: input.vehicle_type,
    hourly_rate: hourly,
    daily_max: dailyMax,
    monthly_rate: minor('monthly_rate'),
    peak_hour_multiplier: input.peak_hour_multiplier ?? 1,
    night_rate_multiplier: input.night_rate_multiplier ?? 1,
    peak_start_time: peakStart,
    peak_end_time: peakEnd,
    night_start_time: nightStart,
    night_end_time: nightEnd,
    ev_charging_rate_per_kwh: minor('ev_charging_rate_per_kwh'),
    reservation_fee: minor('reservation_fee') ?? 0,
    billing_increment_minutes: input.billing_increment_minutes ?? 60,
    grace_period_minutes: input.grace_period_minutes ?? 0,
    idle_fee_per_hour: minor('idle_fee_per_hour'),
    idle_grace_minutes: input.idle_grace_minutes ?? 10,
  };
}

/** Back to API shape: decimals beside the currency. */
export function toPricingView<T extends PricingRecord>(record: T, currency: string) {
  const major = (amount: number | null) => (amount === null ? null : toMajor({ amount, currency }));
  return {
    ...record,
    currency,
    hourly_rate: toMajor({ amount: record.hourly_rate, currency }),
    daily_max: major(record.daily_max),
    monthly_rate: major(record.monthly_rate),
    ev_charging_rate_per_kwh: major(record.ev_charging_rate_per_kwh),
    reservation_fee: toMajor({ amount: record.reservation_fee, currency }),
    idle_fee_per_hour: major(record.idle_fee_per_hour),
  };
}

/** A price change may be scheduled from now on (a minute of clock skew allowed); history is never rewritten. */
export function checkEffectiveFrom(requested: string | undefined, now: Date): Date {
  const from = requested ? new Date(requested) : now;
  if (from.getTime() < now.getTime() - 60_000) {
    throw problem(
      'PRICING_IN_THE_PAST',
      `effective_from ${from.toISOString()} is in the past; prices already charged stay as they were`,
    );
  }
  return from;
}
