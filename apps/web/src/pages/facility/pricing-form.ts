/**
 * The price form: what it starts from (the price in force for the vehicle type), the body of
 * PUT /facilities/{id}/pricing it makes, and the price schedule split into now and later.
 *
 * A PUT replaces the whole price of a vehicle type from its effective date: a field left out
 * falls back to the API's default, so the form always sends every field it shows.
 */
import { parseMoney } from '../../lib/money.ts';
import { zonedToInstant } from '../../lib/zoned-time.ts';
import type { PricingConfig, VehicleType } from './types.ts';

export interface PricingForm {
  vehicle_type: VehicleType;
  hourly_rate: string;
  daily_max: string;
  monthly_rate: string;
  peak_hour_multiplier: string;
  peak_start_time: string;
  peak_end_time: string;
  night_rate_multiplier: string;
  night_start_time: string;
  night_end_time: string;
  ev_charging_rate_per_kwh: string;
  reservation_fee: string;
  billing_increment_minutes: string;
  grace_period_minutes: string;
  idle_fee_per_hour: string;
  idle_grace_minutes: string;
  /** `now`, or `later` at `effective_from` (facility-local `YYYY-MM-DDTHH:MM`). */
  when: 'now' | 'later';
  effective_from: string;
}

const text = (value: number | string | null | undefined) =>
  value === null || value === undefined ? '' : String(value);

/** The form for a vehicle type, filled with its current price (or the API's defaults if it has none). */
export function formFor(vehicleType: VehicleType, current: PricingConfig | undefined): PricingForm {
  return {
    vehicle_type: vehicleType,
    hourly_rate: text(current?.hourly_rate),
    daily_max: text(current?.daily_max),
    monthly_rate: text(current?.monthly_rate),
    peak_hour_multiplier: text(current?.peak_hour_multiplier ?? 1),
    peak_start_time: text(current?.peak_start_time),
    peak_end_time: text(current?.peak_end_time),
    night_rate_multiplier: text(current?.night_rate_multiplier ?? 1),
    night_start_time: text(current?.night_start_time),
    night_end_time: text(current?.night_end_time),
    ev_charging_rate_per_kwh: text(current?.ev_charging_rate_per_kwh),
    reservation_fee: text(current?.reservation_fee ?? 0),
    billing_increment_minutes: text(current?.billing_increment_minutes ?? 60),
    grace_period_minutes: text(current?.grace_period_minutes ?? 0),
    idle_fee_per_hour: text(current?.idle_fee_per_hour),
    idle_grace_minutes: text(current?.idle_grace_minutes ?? 10),
    when: 'now',
    effective_from: '',
  };
}

export type PricingBody = Record<string, string | number | null>;

/**
 * The PUT body from the form, or the fields that are not right (keyed by the API's field names,
 * so the form shows the API's own field errors in the same places).
 */
export function pricingBody(
  form: PricingForm,
  facility: { currency: string; timezone: string },
  now: Date,
): { body: PricingBody } | { errors: Record<string, string> } {
  const errors: Record<string, string> = {};
  const body: PricingBody = { vehicle_type: form.vehicle_type };

  const money = (field: keyof PricingForm, required: boolean) => {
    const value = form[field].trim();
    if (value === '') {
      if (required) errors[field] = 'is required';
      else body[field] = null;
      return;
    }
    const parsed = parseMoney(value, facility.currency);
    if ('error' in parsed) errors[field] = parsed.error;
    else body[field] = parsed.amount;
  };
  const number = (field: keyof PricingForm, check: (n: number) => string | null) => {
    const value = form[field].trim();
    const n = Number(value);
    const problem = value === '' || !Number.isFinite(n) ? 'is required' : check(n);
    if (problem) errors[field] = problem;
    else body[field] = n;
  };
  const multiplier = (n: number) => (n > 0 && n <= 10 ? null : 'must be more than 0 and at most 10');
  const minutes = (min: number) => (n: number) =>
    Number.isInteger(n) && n >= min && n <= 1440 ? null : `must be whole minutes from ${min} to 1440`;
  const window = (start: 'peak_start_time' | 'night_start_time', end: 'peak_end_time' | 'night_end_time') => {
    const from = form[start].trim();
    const until = form[end].trim();
    if (!from && !until) {
      body[start] = null;
      body[end] = null;
    } else if (!from || !until) errors[from ? end : start] = 'needs both a start and an end';
    else if (from === until) errors[end] = 'must differ from the start';
    else {
      body[start] = from;
      body[end] = until;
    }
  };

  money('hourly_rate', true);
  money('daily_max', false);
  money('monthly_rate', false);
  number('peak_hour_multiplier', multiplier);
  window('peak_start_time', 'peak_end_time');
  number('night_rate_multiplier', multiplier);
  window('night_start_time', 'night_end_time');
  money('ev_charging_rate_per_kwh', false);
  money('reservation_fee', true);
  number('billing_increment_minutes', minutes(1));
  number('grace_period_minutes', minutes(0));
  money('idle_fee_per_hour', false);
  number('idle_grace_minutes', minutes(0));

  const hourly = body.hourly_rate;
  const dailyMax = body.daily_max;
  if (typeof hourly === 'number' && typeof dailyMax === 'number' && dailyMax < hourly)
    errors.daily_max = 'must be at least one hour at the hourly rate';

  if (form.when === 'later') {
    if (!form.effective_from) errors.effective_from = 'is required: pick a date and time';
    else {
      const from = zonedToInstant(form.effective_from, facility.timezone);
      if (from.getTime() < now.getTime()) errors.effective_from = 'must not be in the past';
      else body.effective_from = from.toISOString();
    }
  }
  return Object.keys(errors).length > 0 ? { errors } : { body };
}

/**
 * The schedule as the page shows it: per vehicle type the price in force now, and the changes
 * that start later (soonest first).
 */
export function splitSchedule(
  periods: readonly PricingConfig[],
  now: Date,
): { inForce: PricingConfig[]; scheduled: PricingConfig[] } {
  const t = now.getTime();
  const started = (p: PricingConfig) => Date.parse(p.effective_from) <= t;
  const notEnded = (p: PricingConfig) => p.effective_to === null || Date.parse(p.effective_to) > t;
  const order = ['CAR', 'MOTORCYCLE', 'TRUCK', 'BUS'];
  return {
    inForce: periods
      .filter((p) => started(p) && notEnded(p))
      .sort((a, b) => order.indexOf(a.vehicle_type) - order.indexOf(b.vehicle_type)),
    scheduled: periods
      .filter((p) => !started(p))
      .sort((a, b) => Date.parse(a.effective_from) - Date.parse(b.effective_from)),
  };
}
