/**
 * Prices a parking stay, EV energy and EV idle time from a facility's pricing configurations.
 * Pure: no clock, no store. Billing owns the calculation; the facility service owns the prices.
 *
 * Money in a PricingConfig is a decimal in major units of its `currency`; everything here is worked
 * in integer minor units with exact ratios (bigint) and rounded half away from zero, the platform's
 * one rounding rule. No float enters the money arithmetic.
 *
 * Which configuration applies:
 * - `prices` are the periods of ONE vehicle type, each in force over [effective_from, effective_to)
 *   (null: open-ended). The one in force at an instant t is the one with
 *   effective_from <= t < effective_to; before every period, the earliest one.
 * - Empty `prices`, periods in more than one currency or vehicle type, periods that overlap or end
 *   before they start: RangeError. In a gap between periods (the facility never leaves one, it
 *   closes a period where the next starts) the latest period started before t still applies.
 *
 * quoteStay, the parking charge:
 * - Invalid dates or `end <= start`: RangeError.
 * - The grace period and the billing increment are those of the configuration in force at `start`.
 *   A stay no longer than the grace period costs nothing for parking.
 * - SUBSCRIPTION with `subscriber: true` costs nothing for parking; other strategies ignore `subscriber`.
 * - Parking is priced from pricedFrom = max(start, free_until); before it, parking is free (a merchant
 *   validation, a permit ending mid-stay). If pricedFrom >= end, parking costs nothing. Otherwise
 *   [pricedFrom, end) is rounded up to whole billing increments counted from pricedFrom.
 * - Each increment is priced by the configuration in force at the instant it starts, at the
 *   multiplier chosen by the facility-local wall-clock time at that instant: PEAK_HOUR uses the
 *   peak window, then the night window (peak wins when both match); BASIC, EV_OPTIMIZED and
 *   SUBSCRIPTION use the night window only. Windows are [start, end) in local time, may wrap
 *   midnight, and a null window never matches. Multipliers are decimals turned into exact ratios.
 * - A run is consecutive increments of one rate, one configuration and one local calendar date
 *   (of the increment's start). A run costs hourly_rate × minutes × multiplier / 60, computed exactly
 *   and rounded once. A price change, a local midnight and a change of UTC offset (DST) fall exactly
 *   between increments, never inside a computed span.
 * - Daily maximum per local calendar day in the facility's time zone: increments are grouped by
 *   the local date they start on; a day's total is capped at the `daily_max` of the configuration in
 *   force at that day's first increment (null: no cap). A stay from 20:00 to 03:00 can be capped twice.
 * - `reservation: true` adds the `reservation_fee` of the configuration in force at `start`,
 *   whatever the parking charge.
 * When parking is free (grace, subscriber, free_until) there are no billable minutes, runs or days.
 *
 * chargingCost: energy at the agreed price per kWh, round_half_away(price_minor × Wh / 1000), the
 * kWh read exactly (at most 3 decimals, i.e. whole Wh).
 *
 * idleFee (EV_OPTIMIZED only): the minutes a car stays plugged in after charging completed, each
 * started minute counted, less `idle_grace_minutes`, at `idle_fee_per_hour` / 60 rounded once; both
 * fields from the configuration in force when charging completed. 0 for other strategies, a null
 * fee, or no idle time beyond the grace.
 */

import type { PricingConfig, PricingStrategy } from '@easypark/facility/client';
import { fromMajor, localParts, parseClockTime } from '@easypark/kernel';

export type TariffRate = 'STANDARD' | 'PEAK' | 'NIGHT';

export interface StayQuoteInput {
  strategy: PricingStrategy;
  /** Configurations of ONE vehicle type, each in force over [effective_from, effective_to). */
  prices: PricingConfig[];
  /** The facility's IANA time zone: windows and days are counted on its clock. */
  timezone: string;
  start: Date;
  end: Date;
  /** Adds the reservation_fee of the configuration in force at `start`. */
  reservation?: boolean;
  /** SUBSCRIPTION and a subscriber: parking is free (other strategies ignore it). */
  subscriber?: boolean;
  /** Parking before this instant is free (a merchant validation, a permit that ends mid-stay). */
  free_until?: Date | null;
}

/** Consecutive increments of one rate, configuration and local date; amount in minor units before the cap. */
export interface StayQuoteRun {
  start_time: string;
  end_time: string;
  minutes: number;
  rate: TariffRate;
  config_id: string;
  local_date: string;
  amount: number;
}

/** One local calendar day of the stay: amount in minor units after its cap. */
export interface StayQuoteDay {
  local_date: string;
  amount: number;
  cap: number | null;
  capped: boolean;
}

export interface StayQuote {
  currency: string;
  /** Minor units: the time-based charge, after the daily caps. */
  parking: number;
  /** Minor units; 0 unless a reservation was asked for. */
  reservation_fee: number;
  /** Minor units: parking + reservation_fee. */
  total: number;
  billable_minutes: number;
  /** Runs in time order, amounts before the daily cap. */
  breakdown: StayQuoteRun[];
  /** Local days in the order the stay reaches them. */
  days: StayQuoteDay[];
  daily_cap_applied: boolean;
}

const minutesPerDay = 1440;
const msPerMinute = 60_000;

interface Ratio {
  numerator: bigint;
  denominator: bigint;
}

interface ClockWindow {
  start: number;
  end: number;
}

/** A configuration and the instant it starts, in the order they take effect. */
interface Period {
  config: PricingConfig;
  from: number;
}

/** What quoteStay needs of one configuration, in minor units and exact ratios. */
interface Tariff {
  configId: string;
  hourlyRate: number;
  dailyMax: number | null;
  peak: ClockWindow | null;
  night: ClockWindow | null;
  multipliers: Record<TariffRate, Ratio>;
  /** Local minutes of the day at which the rate may change, midnight (0) included. */
  edges: number[];
}

interface Run {
  rate: TariffRate;
  period: number;
  localDate: string;
  firstIncrement: number;
  endIncrement: number;
}

export function quoteStay(input: StayQuoteInput): StayQuote {
  const { strategy, timezone } = input;
  const startMs = validInstant(input.start, 'start');
  const endMs = validInstant(input.end, 'end');
  if (endMs <= startMs) throw new RangeError('a stay must end after it starts');
  const freeUntilMs =
    input.free_until === undefined || input.free_until === null
      ? null
      : validInstant(input.free_until, 'free_until');

  const periods = schedule(input.prices);
  const currency = periods[0]!.config.currency;
  const atStart = periods[periodAt(periods, startMs)]!.config;
  const increment = atStart.billing_increment_minutes;
  if (!Number.isSafeInteger(increment) || increment < 1) {
    throw new RangeError(`billing_increment_minutes must be a whole number >= 1, got ${increment}`);
  }
  if (!(atStart.grace_period_minutes >= 0)) throw new RangeError('grace_period_minutes must not be negative');
  const reservationFee = input.reservation
    ? nonNegativeMinor(atStart.reservation_fee, currency, 'reservation_fee')
    : 0;
  const tariffs = periods.map((p) => tariffOf(p.config, strategy));

  const pricedFromMs = Math.max(startMs, freeUntilMs ?? startMs);
  const parkingIsFree =
    endMs - startMs <= atStart.grace_period_minutes * msPerMinute ||
    (strategy === 'SUBSCRIPTION' && !!input.subscriber) ||
    pricedFromMs >= endMs;
  if (parkingIsFree) {
    return {
      currency,
      parking: 0,
      reservation_fee: reservationFee,
      total: reservationFee,
      billable_minutes: 0,
      breakdown: [],
      days: [],
      daily_cap_applied: false,
    };
  }

  const incrementMs = increment * msPerMinute;
  const incrementCount = Math.ceil((endMs - pricedFromMs) / incrementMs);
  const instantOf = (index: number) => pricedFromMs + index * incrementMs;
  const clockAt = (index: number) => wallClock(instantOf(index), timezone);

  // Walk spans of increments over which nothing that prices them can change: up to the next window
  // edge or local midnight on the wall clock, the next price period, or a change of UTC offset (DST),
  // whichever comes first. Within a span the wall clock moves with real time, so the edge is exact.
  const runs: Run[] = [];
  let index = 0;
  let clock = clockAt(0);
  let period = periodAt(periods, instantOf(0));
  while (index < incrementCount) {
    const tariff = tariffs[period]!;
    const nextEdgeIndex =
      index + Math.ceil(minutesUntilNextEdge(clock.minuteOfDay, tariff.edges) / increment);
    const nextFrom = periods[period + 1]?.from;
    const nextPeriodIndex =
      nextFrom === undefined ? Number.POSITIVE_INFINITY : Math.ceil((nextFrom - pricedFromMs) / incrementMs);
    let stop = Math.min(incrementCount, nextEdgeIndex, nextPeriodIndex);
    let nextClock = clockAt(stop);
    if (nextClock.offsetMinutes !== clock.offsetMinutes) {
      stop = firstIndexWithOtherOffset(index, stop, clock.offsetMinutes, (i) => clockAt(i).offsetMinutes);
      nextClock = clockAt(stop);
    }
    const rate = rateAt(tariff, clock.minuteOfDay);
    const last = runs.at(-1);
    if (
      last &&
      last.rate === rate &&
      last.period === period &&
      last.localDate === clock.date &&
      last.endIncrement === index
    ) {
      last.endIncrement = stop;
    } else {
      runs.push({ rate, period, localDate: clock.date, firstIncrement: index, endIncrement: stop });
    }
    index = stop;
    clock = nextClock;
    if (index < incrementCount) period = periodAt(periods, instantOf(index));
  }

  const breakdown = runs.map((run): StayQuoteRun => {
    const tariff = tariffs[run.period]!;
    const minutes = (run.endIncrement - run.firstIncrement) * increment;
    const multiplier = tariff.multipliers[run.rate];
    return {
      start_time: new Date(instantOf(run.firstIncrement)).toISOString(),
      end_time: new Date(instantOf(run.endIncrement)).toISOString(),
      minutes,
      rate: run.rate,
      config_id: tariff.configId,
      local_date: run.localDate,
      amount: roundHalfAwayFromZero(
        BigInt(tariff.hourlyRate) * BigInt(minutes) * multiplier.numerator,
        60n * multiplier.denominator,
      ),
    };
  });

  // Local days in the order reached; the cap is that of the configuration at the day's first increment.
  const perDay = new Map<string, { uncapped: number; cap: number | null }>();
  runs.forEach((run, i) => {
    const day = perDay.get(run.localDate);
    if (day) day.uncapped += breakdown[i]!.amount;
    else perDay.set(run.localDate, { uncapped: breakdown[i]!.amount, cap: tariffs[run.period]!.dailyMax });
  });
  const days = [...perDay].map(([localDate, { uncapped, cap }]): StayQuoteDay => {
    const capped = cap !== null && uncapped > cap;
    return { local_date: localDate, amount: capped ? cap : uncapped, cap, capped };
  });
  const parking = days.reduce((sum, day) => sum + day.amount, 0);

  return {
    currency,
    parking,
    reservation_fee: reservationFee,
    total: parking + reservationFee,
    billable_minutes: incrementCount * increment,
    breakdown,
    days,
    daily_cap_applied: days.some((day) => day.capped),
  };
}

/**
 * EV energy at the agreed price: round_half_away(price_minor_per_kwh × Wh / 1000).
 * `energy_kwh` has at most 3 decimals (whole Wh) and is read exactly; `price_per_kwh` is in major
 * units of `currency` and may not be finer than the currency's minor unit.
 */
export function chargingCost(input: { energy_kwh: number; price_per_kwh: number; currency: string }): {
  amount: number;
  energy_wh: number;
} {
  const energyWh = wattHours(input.energy_kwh);
  const price = nonNegativeMinor(input.price_per_kwh, input.currency, 'price_per_kwh');
  return {
    amount: roundHalfAwayFromZero(BigInt(price) * BigInt(energyWh), 1000n),
    energy_wh: energyWh,
  };
}

/**
 * EV_OPTIMIZED idle fee: minutes plugged in after charging completed, beyond idle_grace_minutes of
 * the configuration in force when charging completed, each started minute at idle_fee_per_hour/60
 * of that configuration (rounded once). 0 for other strategies, a null fee, or no idle time.
 * `idle_minutes` is the started minutes plugged in after completion, whether charged or not;
 * `billable_minutes` those charged.
 */
export function idleFee(input: {
  strategy: PricingStrategy;
  prices: PricingConfig[];
  charging_finished_at: Date;
  unplugged_at: Date;
}): { amount: number; idle_minutes: number; billable_minutes: number; currency: string } {
  const finishedMs = validInstant(input.charging_finished_at, 'charging_finished_at');
  const unpluggedMs = validInstant(input.unplugged_at, 'unplugged_at');
  const periods = schedule(input.prices);
  const config = periods[periodAt(periods, finishedMs)]!.config;
  const currency = config.currency;
  const idleMinutes = Math.max(0, Math.ceil((unpluggedMs - finishedMs) / msPerMinute));
  const grace = config.idle_grace_minutes;
  if (!Number.isSafeInteger(grace) || grace < 0) {
    throw new RangeError(`idle_grace_minutes must be a whole number >= 0, got ${grace}`);
  }
  const feePerHour =
    config.idle_fee_per_hour === null || config.idle_fee_per_hour === undefined
      ? null
      : nonNegativeMinor(config.idle_fee_per_hour, currency, 'idle_fee_per_hour');
  if (input.strategy !== 'EV_OPTIMIZED' || feePerHour === null) {
    return { amount: 0, idle_minutes: idleMinutes, billable_minutes: 0, currency };
  }
  const billable = Math.max(0, idleMinutes - grace);
  return {
    amount: roundHalfAwayFromZero(BigInt(feePerHour) * BigInt(billable), 60n),
    idle_minutes: idleMinutes,
    billable_minutes: billable,
    currency,
  };
}

function validInstant(value: Date, field: string): number {
  const ms = value instanceof Date ? value.getTime() : Number.NaN;
  if (!Number.isFinite(ms)) throw new RangeError(`${field} must be a valid date`);
  return ms;
}

/** The periods in the order they take effect, checked: one currency, one vehicle type, no overlap. */
function schedule(prices: readonly PricingConfig[]): Period[] {
  if (prices.length === 0) throw new RangeError('no pricing configuration to price with');
  const { currency, vehicle_type: vehicleType } = prices[0]!;
  const periods = prices
    .map((config): Period & { to: number | null } => {
      if (config.currency !== currency) {
        throw new RangeError(`configurations mix currencies: ${currency} and ${config.currency}`);
      }
      if (config.vehicle_type !== vehicleType) {
        throw new RangeError(
          `configurations of one vehicle type only: ${vehicleType} and ${config.vehicle_type}`,
        );
      }
      const from = Date.parse(config.effective_from);
      const to = config.effective_to === null ? null : Date.parse(config.effective_to);
      if (!Number.isFinite(from) || (to !== null && !Number.isFinite(to))) {
        throw new RangeError(`configuration ${config.config_id} has an invalid effective period`);
      }
      if (to !== null && to <= from) {
        throw new RangeError(`configuration ${config.config_id} ends before it starts`);
      }
      return { config, from, to };
    })
    .sort((a, b) => a.from - b.from);
  for (let i = 1; i < periods.length; i++) {
    const before = periods[i - 1]!;
    if (before.to === null || before.to > periods[i]!.from) {
      throw new RangeError(
        `configurations ${before.config.config_id} and ${periods[i]!.config.config_id} overlap`,
      );
    }
  }
  return periods.map(({ config, from }) => ({ config, from }));
}

/** Index of the period in force at `ms`: the latest started at or before it, else the earliest. */
function periodAt(periods: readonly Period[], ms: number): number {
  let low = 0;
  let high = periods.length - 1;
  if (ms < periods[0]!.from) return 0;
  while (low < high) {
    const middle = Math.ceil((low + high) / 2);
    if (periods[middle]!.from <= ms) low = middle;
    else high = middle - 1;
  }
  return low;
}

function tariffOf(config: PricingConfig, strategy: PricingStrategy): Tariff {
  const { currency } = config;
  const peak =
    strategy === 'PEAK_HOUR' ? clockWindow(config.peak_start_time, config.peak_end_time, 'peak') : null;
  const night = clockWindow(config.night_start_time, config.night_end_time, 'night');
  return {
    configId: config.config_id,
    hourlyRate: nonNegativeMinor(config.hourly_rate, currency, 'hourly_rate'),
    dailyMax: config.daily_max === null ? null : nonNegativeMinor(config.daily_max, currency, 'daily_max'),
    peak,
    night,
    multipliers: {
      STANDARD: { numerator: 1n, denominator: 1n },
      PEAK: decimalRatio(config.peak_hour_multiplier, 'peak_hour_multiplier'),
      NIGHT: decimalRatio(config.night_rate_multiplier, 'night_rate_multiplier'),
    },
    edges: [0, ...[peak, night].flatMap((w) => (w ? [w.start, w.end] : []))],
  };
}

function rateAt(tariff: Tariff, minuteOfDay: number): TariffRate {
  if (tariff.peak && inWindow(minuteOfDay, tariff.peak)) return 'PEAK';
  if (tariff.night && inWindow(minuteOfDay, tariff.night)) return 'NIGHT';
  return 'STANDARD';
}

function nonNegativeMinor(value: number, currency: string, field: string): number {
  const amount = fromMajor(value, currency).amount;
  if (amount < 0) throw new RangeError(`${field} must not be negative`);
  return amount;
}

function clockWindow(start: string | null, end: string | null, name: string): ClockWindow | null {
  if (start === null || end === null) return null;
  const from = parseClockTime(start);
  const to = parseClockTime(end);
  if (from === null || to === null) throw new RangeError(`${name} window must be HH:MM, got ${start}-${end}`);
  return from === to ? null : { start: from, end: to };
}

function inWindow(minuteOfDay: number, window: ClockWindow): boolean {
  return window.start < window.end
    ? minuteOfDay >= window.start && minuteOfDay < window.end
    : minuteOfDay >= window.start || minuteOfDay < window.end;
}

/** Minutes (>= 1) until the local clock next reaches one of the edges. */
function minutesUntilNextEdge(minuteOfDay: number, edges: number[]): number {
  let nearest = minutesPerDay;
  for (const edge of edges) {
    const ahead = (edge - minuteOfDay + minutesPerDay) % minutesPerDay || minutesPerDay;
    nearest = Math.min(nearest, ahead);
  }
  return nearest;
}

/** Local date, minute of the day and UTC offset of an instant in a time zone. */
function wallClock(ms: number, zone: string): { date: string; minuteOfDay: number; offsetMinutes: number } {
  const parts = localParts(new Date(ms), zone);
  const [year, month, day] = parts.date.split('-').map(Number) as [number, number, number];
  const wallMinutes = Date.UTC(year, month - 1, day, parts.hour, parts.minute) / msPerMinute;
  return {
    date: parts.date,
    minuteOfDay: parts.hour * 60 + parts.minute,
    offsetMinutes: wallMinutes - Math.floor(ms / msPerMinute),
  };
}

/** Binary search in (low, high]: `low` has `offset`, `high` does not. */
function firstIndexWithOtherOffset(
  low: number,
  high: number,
  offset: number,
  offsetOf: (index: number) => number,
): number {
  let same = low;
  let other = high;
  while (other - same > 1) {
    const middle = Math.floor((same + other) / 2);
    if (offsetOf(middle) === offset) same = middle;
    else other = middle;
  }
  return other;
}

/** A decimal multiplier (1.5, 0.75) as an exact ratio, so no float enters the money arithmetic. */
function decimalRatio(value: number, field: string): Ratio {
  const text = Number.isFinite(value) && Math.abs(value) < 1e-6 ? value.toFixed(12) : String(value);
  const match = /^(\d+)(?:\.(\d+))?$/.exec(text);
  if (!match) throw new RangeError(`${field} must be a non-negative decimal, got ${value}`);
  const [, whole, fraction = ''] = match;
  return { numerator: BigInt(whole + fraction), denominator: 10n ** BigInt(fraction.length) };
}

/** kWh with at most 3 decimals, read from its decimal text, as whole Wh. */
function wattHours(kwh: number): number {
  const text = Number.isFinite(kwh) && Math.abs(kwh) < 1e-6 ? kwh.toFixed(12) : String(kwh);
  const match = /^(\d+)(?:\.(\d+))?$/.exec(text);
  if (!match) throw new RangeError(`energy_kwh must be a non-negative decimal, got ${kwh}`);
  const [, whole, fraction = ''] = match;
  const trimmed = fraction.replace(/0+$/, '');
  if (trimmed.length > 3) throw new RangeError(`energy_kwh has at most 3 decimals (whole Wh), got ${kwh}`);
  const wh = BigInt(whole!) * 1000n + BigInt(trimmed.padEnd(3, '0'));
  if (wh > BigInt(Number.MAX_SAFE_INTEGER)) throw new RangeError(`energy_kwh is too large: ${kwh}`);
  return Number(wh);
}

function roundHalfAwayFromZero(numerator: bigint, denominator: bigint): number {
  // Both are non-negative here.
  return Number((numerator * 2n + denominator) / (denominator * 2n));
}
