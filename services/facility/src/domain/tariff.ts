/**
 * Prices a parking stay from a facility's pricing configuration. Pure: no clock, no store.
 *
 * The tariff:
 * - `end <= start` is a RangeError.
 * - A stay no longer than `grace_period_minutes` costs nothing for parking.
 * - Otherwise the stay is rounded up to whole billing increments (`billing_increment_minutes`).
 * - Each increment costs hourly_rate × increment/60 × multiplier, the multiplier chosen by the
 *   facility-local wall-clock time at the start of the increment:
 *   PEAK_HOUR uses the peak window, then the night window (peak wins when both match);
 *   BASIC, EV_OPTIMIZED and SUBSCRIPTION use the night window only. Windows are
 *   [start, end) in local time, may wrap midnight, and a null window never matches.
 * - Consecutive increments of one rate within one 24-hour period form a run, priced exactly
 *   and rounded once (half away from zero) in minor units.
 * - `daily_max` caps each 24-hour period counted from the start of the stay (elapsed time,
 *   not local calendar days); a shorter last period is capped by the same amount.
 * - SUBSCRIPTION with `subscriber: true` pays nothing for parking; other strategies ignore `subscriber`.
 * - `reservation: true` adds `reservation_fee` whatever the parking charge.
 * When parking is free (grace, subscriber) there are no billable minutes and no breakdown.
 */
import { fromMajor, localParts, parseClockTime } from '@easypark/kernel';
import type { PricingConfig, PricingStrategy } from '../client.ts';

export type TariffRate = 'STANDARD' | 'PEAK' | 'NIGHT';

export interface StayQuote {
  currency: string;
  /** Minor units: the time-based charge, after the daily cap. */
  parking: number;
  /** Minor units; 0 unless a reservation was asked for. */
  reservation_fee: number;
  /** Minor units: parking + reservation_fee. */
  total: number;
  billable_minutes: number;
  /** Contiguous runs of one rate, amounts in minor units before the daily cap. */
  breakdown: StayQuoteRun[];
  daily_cap_applied: boolean;
}

export interface StayQuoteRun {
  start_time: string;
  end_time: string;
  minutes: number;
  rate: TariffRate;
  amount: number;
}

export interface StayQuoteInput {
  strategy: PricingStrategy;
  pricing: PricingConfig;
  timezone: string;
  start: Date;
  end: Date;
  reservation?: boolean;
  subscriber?: boolean;
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

interface Run {
  rate: TariffRate;
  day: number;
  firstIncrement: number;
  endIncrement: number;
}

export function quoteStay(input: StayQuoteInput): StayQuote {
  const { pricing, strategy, timezone } = input;
  const startMs = input.start.getTime();
  const endMs = input.end.getTime();
  if (!Number.isFinite(startMs) || !Number.isFinite(endMs))
    throw new RangeError('start and end must be valid dates');
  if (endMs <= startMs) throw new RangeError('a stay must end after it starts');

  const currency = pricing.currency;
  const increment = pricing.billing_increment_minutes;
  if (!Number.isSafeInteger(increment) || increment < 1) {
    throw new RangeError(`billing_increment_minutes must be a whole number >= 1, got ${increment}`);
  }
  if (!(pricing.grace_period_minutes >= 0)) throw new RangeError('grace_period_minutes must not be negative');
  const hourlyRate = nonNegativeMinor(pricing.hourly_rate, currency, 'hourly_rate');
  const dailyMax =
    pricing.daily_max === null ? null : nonNegativeMinor(pricing.daily_max, currency, 'daily_max');
  const reservationFee = input.reservation
    ? nonNegativeMinor(pricing.reservation_fee, currency, 'reservation_fee')
    : 0;

  const stayMs = endMs - startMs;
  const parkingIsFree =
    stayMs <= pricing.grace_period_minutes * msPerMinute ||
    (strategy === 'SUBSCRIPTION' && !!input.subscriber);
  if (parkingIsFree) {
    return {
      currency,
      parking: 0,
      reservation_fee: reservationFee,
      total: reservationFee,
      billable_minutes: 0,
      breakdown: [],
      daily_cap_applied: false,
    };
  }

  const incrementCount = Math.ceil(stayMs / (increment * msPerMinute));
  const peak =
    strategy === 'PEAK_HOUR' ? clockWindow(pricing.peak_start_time, pricing.peak_end_time, 'peak') : null;
  const night = clockWindow(pricing.night_start_time, pricing.night_end_time, 'night');
  const multipliers: Record<TariffRate, Ratio> = {
    STANDARD: { numerator: 1n, denominator: 1n },
    PEAK: decimalRatio(pricing.peak_hour_multiplier, 'peak_hour_multiplier'),
    NIGHT: decimalRatio(pricing.night_rate_multiplier, 'night_rate_multiplier'),
  };
  const rateAt = (minuteOfDay: number): TariffRate => {
    if (peak && inWindow(minuteOfDay, peak)) return 'PEAK';
    if (night && inWindow(minuteOfDay, night)) return 'NIGHT';
    return 'STANDARD';
  };
  const edges = [peak, night].flatMap((w) => (w ? [w.start, w.end] : []));
  const instantOf = (incrementIndex: number) => startMs + incrementIndex * increment * msPerMinute;

  // Walk spans of increments over which the rate cannot change: up to the next window edge on the
  // local clock, the end of the 24-hour period, or a change of UTC offset (DST), whichever is first.
  const runs: Run[] = [];
  const clockAt = (i: number) => wallClock(instantOf(i), timezone);
  let index = 0;
  let clock = clockAt(0);
  while (index < incrementCount) {
    const day = Math.floor((index * increment) / minutesPerDay);
    const nextDayIndex = Math.ceil(((day + 1) * minutesPerDay) / increment);
    const nextEdgeIndex = index + Math.ceil(minutesUntilNextEdge(clock.minuteOfDay, edges) / increment);
    let stop = Math.min(incrementCount, nextDayIndex, nextEdgeIndex);
    let nextClock = clockAt(stop);
    if (nextClock.offsetMinutes !== clock.offsetMinutes) {
      stop = firstIndexWithOtherOffset(index, stop, clock.offsetMinutes, (i) => clockAt(i).offsetMinutes);
      nextClock = clockAt(stop);
    }
    const rate = rateAt(clock.minuteOfDay);
    const last = runs.at(-1);
    if (last && last.rate === rate && last.day === day && last.endIncrement === index)
      last.endIncrement = stop;
    else runs.push({ rate, day, firstIncrement: index, endIncrement: stop });
    index = stop;
    clock = nextClock;
  }

  const breakdown = runs.map((run): StayQuoteRun => {
    const minutes = (run.endIncrement - run.firstIncrement) * increment;
    const multiplier = multipliers[run.rate];
    return {
      start_time: new Date(instantOf(run.firstIncrement)).toISOString(),
      end_time: new Date(instantOf(run.endIncrement)).toISOString(),
      minutes,
      rate: run.rate,
      amount: roundHalfAwayFromZero(
        BigInt(hourlyRate) * BigInt(minutes) * multiplier.numerator,
        60n * multiplier.denominator,
      ),
    };
  });

  const perDay = new Map<number, number>();
  runs.forEach((run, i) => {
    perDay.set(run.day, (perDay.get(run.day) ?? 0) + breakdown[i]!.amount);
  });
  let parking = 0;
  let dailyCapApplied = false;
  for (const dayAmount of perDay.values()) {
    if (dailyMax !== null && dayAmount > dailyMax) {
      parking += dailyMax;
      dailyCapApplied = true;
    } else {
      parking += dayAmount;
    }
  }

  return {
    currency,
    parking,
    reservation_fee: reservationFee,
    total: parking + reservationFee,
    billable_minutes: incrementCount * increment,
    breakdown,
    daily_cap_applied: dailyCapApplied,
  };
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

/** Minutes (>= 1) until the local clock next reaches an edge; Infinity when there are none. */
function minutesUntilNextEdge(minuteOfDay: number, edges: number[]): number {
  let nearest = Number.POSITIVE_INFINITY;
  for (const edge of edges) {
    const ahead = (edge - minuteOfDay + minutesPerDay) % minutesPerDay || minutesPerDay;
    nearest = Math.min(nearest, ahead);
  }
  return nearest;
}

/** Local minute of the day and UTC offset of an instant in a time zone. */
function wallClock(ms: number, zone: string): { minuteOfDay: number; offsetMinutes: number } {
  const parts = localParts(new Date(ms), zone);
  const [year, month, day] = parts.date.split('-').map(Number) as [number, number, number];
  const wallMinutes = Date.UTC(year, month - 1, day, parts.hour, parts.minute) / msPerMinute;
  return {
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

function roundHalfAwayFromZero(numerator: bigint, denominator: bigint): number {
  // Both are non-negative here.
  return Number((numerator * 2n + denominator) / (denominator * 2n));
}
