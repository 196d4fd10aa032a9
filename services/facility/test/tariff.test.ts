import { localParts, money, multiply, parseClockTime } from '@easypark/kernel';
import { describe, expect, it } from 'vitest';
import type { PricingConfig, PricingStrategy } from '../src/client.ts';
import { quoteStay } from '../src/domain/tariff.ts';

function pricing(overrides: Partial<PricingConfig> = {}): PricingConfig {
  return {
    config_id: 'prc_test',
    vehicle_type: 'CAR',
    currency: 'USD',
    hourly_rate: 2,
    daily_max: null,
    monthly_rate: null,
    peak_hour_multiplier: 1,
    night_rate_multiplier: 1,
    peak_start_time: null,
    peak_end_time: null,
    night_start_time: null,
    night_end_time: null,
    ev_charging_rate_per_kwh: null,
    reservation_fee: 0,
    billing_increment_minutes: 60,
    grace_period_minutes: 0,
    effective_from: '2025-01-01T00:00:00Z',
    effective_to: null,
    ...overrides,
  };
}

const at = (iso: string) => new Date(iso);

describe('quoteStay: worked examples', () => {
  it('USD: rounds an 80 minute stay up to 90 minutes of 15 minute increments', () => {
    const quote = quoteStay({
      strategy: 'BASIC',
      pricing: pricing({ hourly_rate: 2.5, billing_increment_minutes: 15, grace_period_minutes: 10 }),
      timezone: 'America/New_York',
      start: at('2025-06-02T14:00:00Z'),
      end: at('2025-06-02T15:20:00Z'),
    });
    // 250 cents × 90 / 60 = 375
    expect(quote).toEqual({
      currency: 'USD',
      parking: 375,
      reservation_fee: 0,
      total: 375,
      billable_minutes: 90,
      breakdown: [
        {
          start_time: '2025-06-02T14:00:00.000Z',
          end_time: '2025-06-02T15:30:00.000Z',
          minutes: 90,
          rate: 'STANDARD',
          amount: 375,
        },
      ],
      daily_cap_applied: false,
    });
  });

  it('grace period: free up to and including the grace minutes, charged a whole increment after', () => {
    const config = pricing({ hourly_rate: 2.5, billing_increment_minutes: 15, grace_period_minutes: 10 });
    const start = at('2025-06-02T14:00:00Z');
    const inGrace = quoteStay({
      strategy: 'BASIC',
      pricing: config,
      timezone: 'UTC',
      start,
      end: at('2025-06-02T14:10:00Z'),
    });
    expect(inGrace).toMatchObject({ parking: 0, total: 0, billable_minutes: 0, breakdown: [] });
    const justAfter = quoteStay({
      strategy: 'BASIC',
      pricing: config,
      timezone: 'UTC',
      start,
      end: at('2025-06-02T14:10:01Z'),
    });
    // 250 × 15 / 60 = 62.5, half away from zero → 63
    expect(justAfter).toMatchObject({ parking: 63, billable_minutes: 15 });
  });

  it('JPY (no decimals): rounds once per run, half away from zero', () => {
    const quote = quoteStay({
      strategy: 'BASIC',
      pricing: pricing({ currency: 'JPY', hourly_rate: 100, billing_increment_minutes: 1 }),
      timezone: 'Asia/Tokyo',
      start: at('2025-06-02T00:00:00Z'),
      end: at('2025-06-02T00:07:00Z'),
    });
    // 100 × 7 / 60 = 11.67 → 12 (per-minute rounding would give 7 × 2 = 14)
    expect(quote).toMatchObject({ currency: 'JPY', parking: 12, billable_minutes: 7 });
  });

  const tokyoPeak = pricing({
    currency: 'JPY',
    hourly_rate: 300,
    billing_increment_minutes: 30,
    peak_hour_multiplier: 1.5,
    peak_start_time: '08:00',
    peak_end_time: '10:00',
    night_rate_multiplier: 0.5,
    night_start_time: '22:00',
    night_end_time: '06:00',
  });

  it('JPY PEAK_HOUR: the peak window is priced at the multiplier on local time', () => {
    // 07:00–11:00 in Tokyo (UTC+9)
    const quote = quoteStay({
      strategy: 'PEAK_HOUR',
      pricing: tokyoPeak,
      timezone: 'Asia/Tokyo',
      start: at('2025-06-01T22:00:00Z'),
      end: at('2025-06-02T02:00:00Z'),
    });
    expect(quote.breakdown.map(({ rate, minutes, amount }) => [rate, minutes, amount])).toEqual([
      ['STANDARD', 60, 300],
      ['PEAK', 120, 900], // 300 × 2 × 1.5
      ['STANDARD', 60, 300],
    ]);
    expect(quote.breakdown[1]).toMatchObject({
      start_time: '2025-06-01T23:00:00.000Z',
      end_time: '2025-06-02T01:00:00.000Z',
    });
    expect(quote.total).toBe(1500);
  });

  it('BASIC ignores the peak window', () => {
    const quote = quoteStay({
      strategy: 'BASIC',
      pricing: tokyoPeak,
      timezone: 'Asia/Tokyo',
      start: at('2025-06-01T22:00:00Z'),
      end: at('2025-06-02T02:00:00Z'),
    });
    expect(quote.breakdown).toHaveLength(1);
    expect(quote.total).toBe(1200);
  });

  it('a night window wrapping midnight', () => {
    // 21:00 → 07:00 local: 1 h standard, 8 h night, 1 h standard
    const quote = quoteStay({
      strategy: 'PEAK_HOUR',
      pricing: tokyoPeak,
      timezone: 'Asia/Tokyo',
      start: at('2025-06-02T12:00:00Z'),
      end: at('2025-06-02T22:00:00Z'),
    });
    expect(quote.breakdown.map(({ rate, minutes, amount }) => [rate, minutes, amount])).toEqual([
      ['STANDARD', 60, 300],
      ['NIGHT', 480, 1200], // 300 × 8 × 0.5
      ['STANDARD', 60, 300],
    ]);
    expect(quote.total).toBe(1800);
  });

  it('peak wins where peak and night windows overlap', () => {
    const overlapping = { ...tokyoPeak, peak_start_time: '05:00', peak_end_time: '07:00' };
    // 04:00 → 08:00 local
    const quote = quoteStay({
      strategy: 'PEAK_HOUR',
      pricing: overlapping,
      timezone: 'Asia/Tokyo',
      start: at('2025-06-01T19:00:00Z'),
      end: at('2025-06-01T23:00:00Z'),
    });
    expect(quote.breakdown.map(({ rate, amount }) => [rate, amount])).toEqual([
      ['NIGHT', 150],
      ['PEAK', 900],
      ['STANDARD', 300],
    ]);
    expect(quote.total).toBe(1350);
  });

  it('KWD (3 decimals): an increment is priced by the local time it starts at, plus a reservation fee', () => {
    const quote = quoteStay({
      strategy: 'BASIC',
      pricing: pricing({
        currency: 'KWD',
        hourly_rate: 0.125,
        billing_increment_minutes: 20,
        night_rate_multiplier: 0.8,
        night_start_time: '23:00',
        night_end_time: '05:00',
        reservation_fee: 0.25,
      }),
      timezone: 'Asia/Kuwait',
      // 22:30 → 00:10 local (UTC+3): increments at 22:30, 22:50 (standard), 23:10, 23:30, 23:50 (night)
      start: at('2025-06-02T19:30:00Z'),
      end: at('2025-06-02T21:10:00Z'),
      reservation: true,
    });
    expect(quote).toEqual({
      currency: 'KWD',
      parking: 183, // 125 × 40/60 = 83.33 → 83, plus 125 × 60/60 × 0.8 = 100
      reservation_fee: 250,
      total: 433,
      billable_minutes: 100,
      breakdown: [
        {
          start_time: '2025-06-02T19:30:00.000Z',
          end_time: '2025-06-02T20:10:00.000Z',
          minutes: 40,
          rate: 'STANDARD',
          amount: 83,
        },
        {
          start_time: '2025-06-02T20:10:00.000Z',
          end_time: '2025-06-02T21:10:00.000Z',
          minutes: 60,
          rate: 'NIGHT',
          amount: 100,
        },
      ],
      daily_cap_applied: false,
    });
  });

  it('Asia/Kathmandu (+05:45): the window edge falls at a quarter past the UTC hour', () => {
    const quote = quoteStay({
      strategy: 'BASIC',
      pricing: pricing({
        currency: 'NPR',
        hourly_rate: 100,
        billing_increment_minutes: 15,
        night_rate_multiplier: 0.5,
        night_start_time: '22:00',
        night_end_time: '06:00',
      }),
      timezone: 'Asia/Kathmandu',
      start: at('2025-06-02T16:00:00Z'), // 21:45 local
      end: at('2025-06-02T16:30:00Z'),
    });
    expect(quote.breakdown.map(({ rate, start_time, amount }) => [rate, start_time, amount])).toEqual([
      ['STANDARD', '2025-06-02T16:00:00.000Z', 2500],
      ['NIGHT', '2025-06-02T16:15:00.000Z', 1250],
    ]);
    expect(quote.total).toBe(3750);
  });

  it('daily cap: a 30 hour stay is one capped day plus 6 hours', () => {
    const config = pricing({ hourly_rate: 3, daily_max: 20 });
    const quote = quoteStay({
      strategy: 'BASIC',
      pricing: config,
      timezone: 'UTC',
      start: at('2025-06-02T09:00:00Z'),
      end: at('2025-06-03T15:00:00Z'),
    });
    // day 1: 24 × 300 = 7200 capped to 2000; then 6 × 300 = 1800
    expect(quote.breakdown.map(({ minutes, amount }) => [minutes, amount])).toEqual([
      [1440, 7200],
      [360, 1800],
    ]);
    expect(quote).toMatchObject({
      parking: 3800,
      total: 3800,
      daily_cap_applied: true,
      billable_minutes: 1800,
    });
  });

  it('daily cap: each 24 hours of a multi-day stay, the last partial period capped as well', () => {
    const quote = quoteStay({
      strategy: 'BASIC',
      pricing: pricing({ hourly_rate: 3, daily_max: 20 }),
      timezone: 'Europe/Paris',
      start: at('2025-06-02T09:00:00Z'),
      end: at('2025-06-05T19:00:00Z'), // 3 days + 10 hours: 10 × 300 = 3000 → 2000
    });
    expect(quote).toMatchObject({ parking: 8000, daily_cap_applied: true });
  });

  it('daily cap is not applied when a day stays below it', () => {
    const quote = quoteStay({
      strategy: 'BASIC',
      pricing: pricing({ hourly_rate: 3, daily_max: 20 }),
      timezone: 'UTC',
      start: at('2025-06-02T09:00:00Z'),
      end: at('2025-06-02T15:00:00Z'),
    });
    expect(quote).toMatchObject({ parking: 1800, daily_cap_applied: false });
  });

  it('Europe/London on the spring-forward night has only 7 hours of 22:00–06:00', () => {
    // 2025-03-30 01:00 UTC: clocks go from 01:00 GMT to 02:00 BST.
    // Stay 21:00 GMT Saturday → 08:00 BST Sunday: 10 real hours.
    const quote = quoteStay({
      strategy: 'PEAK_HOUR',
      pricing: pricing({
        currency: 'GBP',
        hourly_rate: 4,
        night_rate_multiplier: 0.5,
        night_start_time: '22:00',
        night_end_time: '06:00',
      }),
      timezone: 'Europe/London',
      start: at('2025-03-29T21:00:00Z'),
      end: at('2025-03-30T07:00:00Z'),
    });
    expect(quote.breakdown).toEqual([
      {
        start_time: '2025-03-29T21:00:00.000Z',
        end_time: '2025-03-29T22:00:00.000Z',
        minutes: 60,
        rate: 'STANDARD',
        amount: 400,
      },
      {
        start_time: '2025-03-29T22:00:00.000Z',
        end_time: '2025-03-30T05:00:00.000Z', // 06:00 BST
        minutes: 420,
        rate: 'NIGHT',
        amount: 1400,
      },
      {
        start_time: '2025-03-30T05:00:00.000Z',
        end_time: '2025-03-30T07:00:00.000Z',
        minutes: 120,
        rate: 'STANDARD',
        amount: 800,
      },
    ]);
    expect(quote.total).toBe(2600);
  });

  it('Europe/London on the fall-back night has 9 hours of 22:00–06:00', () => {
    // 2025-10-26 01:00 UTC: clocks go from 02:00 BST back to 01:00 GMT.
    const quote = quoteStay({
      strategy: 'BASIC',
      pricing: pricing({
        currency: 'GBP',
        hourly_rate: 4,
        night_rate_multiplier: 0.5,
        night_start_time: '22:00',
        night_end_time: '06:00',
      }),
      timezone: 'Europe/London',
      start: at('2025-10-25T21:00:00Z'), // 22:00 BST
      end: at('2025-10-26T07:00:00Z'), // 07:00 GMT
    });
    expect(quote.breakdown.map(({ rate, minutes, amount }) => [rate, minutes, amount])).toEqual([
      ['NIGHT', 540, 1800],
      ['STANDARD', 60, 400],
    ]);
  });

  it('reservation fee is added to a stay within the grace period', () => {
    const quote = quoteStay({
      strategy: 'BASIC',
      pricing: pricing({ reservation_fee: 1.5, grace_period_minutes: 15 }),
      timezone: 'UTC',
      start: at('2025-06-02T09:00:00Z'),
      end: at('2025-06-02T09:05:00Z'),
      reservation: true,
    });
    expect(quote).toMatchObject({ parking: 0, reservation_fee: 150, total: 150 });
  });

  it('reservation fee is not charged unless asked for', () => {
    const quote = quoteStay({
      strategy: 'BASIC',
      pricing: pricing({ reservation_fee: 1.5 }),
      timezone: 'UTC',
      start: at('2025-06-02T09:00:00Z'),
      end: at('2025-06-02T10:00:00Z'),
    });
    expect(quote).toMatchObject({ parking: 200, reservation_fee: 0, total: 200 });
  });

  it('subscribers pay nothing for parking under SUBSCRIPTION, but do pay a reservation fee', () => {
    const config = pricing({ hourly_rate: 2, reservation_fee: 1 });
    const stay = { timezone: 'UTC', start: at('2025-06-02T09:00:00Z'), end: at('2025-06-02T12:00:00Z') };
    expect(
      quoteStay({ strategy: 'SUBSCRIPTION', pricing: config, ...stay, subscriber: true, reservation: true }),
    ).toMatchObject({ parking: 0, reservation_fee: 100, total: 100, breakdown: [] });
    expect(
      quoteStay({ strategy: 'SUBSCRIPTION', pricing: config, ...stay, subscriber: false }),
    ).toMatchObject({
      parking: 600,
    });
    expect(quoteStay({ strategy: 'BASIC', pricing: config, ...stay, subscriber: true })).toMatchObject({
      parking: 600,
    });
  });

  it('refuses a stay that does not end after it starts', () => {
    const start = at('2025-06-02T09:00:00Z');
    expect(() =>
      quoteStay({ strategy: 'BASIC', pricing: pricing(), timezone: 'UTC', start, end: start }),
    ).toThrow(RangeError);
    expect(() =>
      quoteStay({
        strategy: 'BASIC',
        pricing: pricing(),
        timezone: 'UTC',
        start,
        end: at('2025-06-02T08:00:00Z'),
      }),
    ).toThrow(RangeError);
  });

  it('prices a 30-day stay in 1-minute increments across a DST change', () => {
    const input = {
      strategy: 'PEAK_HOUR' as const,
      pricing: pricing({
        currency: 'GBP',
        hourly_rate: 3.6,
        billing_increment_minutes: 1,
        peak_hour_multiplier: 1.5,
        peak_start_time: '07:30',
        peak_end_time: '09:45',
        night_rate_multiplier: 0.5,
        night_start_time: '22:00',
        night_end_time: '06:00',
      }),
      timezone: 'Europe/London',
      start: at('2025-03-15T10:17:00Z'),
      end: at('2025-04-14T10:17:00Z'),
    };
    const quote = quoteStay(input);
    // 30 × 24 h, of which per day 2.25 h peak, 8 h night (7 on the spring-forward night, which the DST
    // shift gives back to the standard hours), hourly 360 pence.
    expect(quote.billable_minutes).toBe(30 * 1440);
    const minutesOf = (rate: string) =>
      quote.breakdown.filter((r) => r.rate === rate).reduce((sum, r) => sum + r.minutes, 0);
    expect(minutesOf('PEAK')).toBe(30 * 135);
    expect(minutesOf('NIGHT')).toBe(30 * 480 - 60);
    expect(quote.total).toBe(30 * 135 * 9 + (30 * 480 - 60) * 3 + (30 * 825 + 60) * 6);
  });
});

/** mulberry32: a small deterministic PRNG so failures reproduce. */
function seededRandom(seed: number) {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (min: number, max: number) => min + Math.floor(next() * (max - min + 1));
  const pick = <T>(items: readonly T[]): T => items[int(0, items.length - 1)]!;
  return { next, int, pick };
}

type Random = ReturnType<typeof seededRandom>;

const zones = [
  'UTC',
  'Europe/London',
  'America/New_York',
  'Asia/Kathmandu',
  'America/St_Johns',
  'Australia/Lord_Howe',
  'Asia/Tokyo',
];
// DST changes of the zones above in 2025, so random stays often cross one.
const dstChanges = [
  '2025-03-09T07:00:00Z',
  '2025-11-02T06:00:00Z',
  '2025-03-30T01:00:00Z',
  '2025-10-26T01:00:00Z',
  '2025-03-09T05:30:00Z',
  '2025-04-05T15:00:00Z',
  '2025-10-04T15:30:00Z',
].map((iso) => Date.parse(iso));
// Multipliers with their exact ratios, for the reference computation.
const multipliers: [number, number, number][] = [
  [1, 1, 1],
  [0.5, 1, 2],
  [0.75, 3, 4],
  [1.25, 5, 4],
  [1.5, 3, 2],
  [2, 2, 1],
];
const clockTime = (r: Random) =>
  `${String(r.int(0, 23)).padStart(2, '0')}:${String(r.pick([0, 15, 30, 45, r.int(0, 59)])).padStart(2, '0')}`;

function randomCase(r: Random) {
  const strategy = r.pick<PricingStrategy>(['BASIC', 'PEAK_HOUR', 'SUBSCRIPTION', 'EV_OPTIMIZED']);
  const hourlyCents = r.int(0, 1000);
  const peak = r.pick(multipliers);
  const night = r.pick(multipliers);
  const peakWindow = r.next() < 0.7 ? [clockTime(r), clockTime(r)] : [null, null];
  const nightWindow = r.next() < 0.7 ? [clockTime(r), clockTime(r)] : [null, null];
  const config = pricing({
    hourly_rate: hourlyCents / 100,
    daily_max: r.next() < 0.5 ? (hourlyCents * r.int(1, 30)) / 100 : null,
    billing_increment_minutes: r.pick([1, 5, 7, 10, 15, 20, 30, 60, 90]),
    grace_period_minutes: r.pick([0, 0, 5, 10, 15]),
    peak_hour_multiplier: peak[0],
    peak_start_time: peakWindow[0] ?? null,
    peak_end_time: peakWindow[1] ?? null,
    night_rate_multiplier: night[0],
    night_start_time: nightWindow[0] ?? null,
    night_end_time: nightWindow[1] ?? null,
  });
  const start =
    r.next() < 0.5
      ? r.pick(dstChanges) - r.int(0, 36 * 3600) * 1000
      : Date.parse('2025-01-01T00:00:00Z') + r.int(0, 364 * 24 * 3600) * 1000;
  const stayMs = r.int(1, 3 * 24 * 3600) * 1000;
  return {
    strategy,
    pricing: config,
    timezone: r.pick(zones),
    start: new Date(start),
    end: new Date(start + stayMs),
    subscriber: r.next() < 0.2,
    multiplierRatios: { PEAK: peak, NIGHT: night },
  };
}

/** Increment by increment, asking the local time of each: slow, obvious, independent of the boundary walk. */
function referenceParking(c: ReturnType<typeof randomCase>): number {
  const p = c.pricing;
  const stayMs = c.end.getTime() - c.start.getTime();
  if (stayMs <= p.grace_period_minutes * 60_000) return 0;
  if (c.strategy === 'SUBSCRIPTION' && c.subscriber) return 0;
  const increment = p.billing_increment_minutes;
  const count = Math.ceil(stayMs / (increment * 60_000));
  const inside = (minute: number, from: string | null, to: string | null) => {
    if (from === null || to === null || from === to) return false;
    const a = parseClockTime(from)!;
    const b = parseClockTime(to)!;
    return a < b ? minute >= a && minute < b : minute >= a || minute < b;
  };
  const rateAt = (minute: number) => {
    if (c.strategy === 'PEAK_HOUR' && inside(minute, p.peak_start_time, p.peak_end_time)) return 'PEAK';
    if (inside(minute, p.night_start_time, p.night_end_time)) return 'NIGHT';
    return 'STANDARD';
  };
  const hourly = Math.round(p.hourly_rate * 100);
  const runs: { rate: string; day: number; minutes: number }[] = [];
  for (let i = 0; i < count; i++) {
    const local = localParts(new Date(c.start.getTime() + i * increment * 60_000), c.timezone);
    const rate = rateAt(local.hour * 60 + local.minute);
    const day = Math.floor((i * increment) / 1440);
    const last = runs.at(-1);
    if (last && last.rate === rate && last.day === day) last.minutes += increment;
    else runs.push({ rate, day, minutes: increment });
  }
  const perDay = new Map<number, number>();
  for (const run of runs) {
    const [, num, den] =
      run.rate === 'STANDARD' ? [1, 1, 1] : c.multiplierRatios[run.rate as 'PEAK' | 'NIGHT'];
    const amount = multiply(money(hourly, 'USD'), run.minutes * num, 60 * den).amount;
    perDay.set(run.day, (perDay.get(run.day) ?? 0) + amount);
  }
  const cap = p.daily_max === null ? null : Math.round(p.daily_max * 100);
  let total = 0;
  for (const amount of perDay.values()) total += cap === null ? amount : Math.min(amount, cap);
  return total;
}

describe('quoteStay: properties over seeded random stays', () => {
  const random = seededRandom(20250330);
  const cases = Array.from({ length: 300 }, () => randomCase(random));

  it('agrees with an increment-by-increment reference', () => {
    for (const c of cases) {
      expect(quoteStay(c).parking, JSON.stringify(c)).toBe(referenceParking(c));
    }
  });

  it('is never negative, and never above ceil(days) × daily_max', () => {
    for (const c of cases) {
      const quote = quoteStay(c);
      expect(quote.total).toBeGreaterThanOrEqual(0);
      expect(quote.total).toBe(quote.parking + quote.reservation_fee);
      if (c.pricing.daily_max !== null) {
        const days = Math.ceil((c.end.getTime() - c.start.getTime()) / 86_400_000);
        expect(quote.parking).toBeLessThanOrEqual(days * Math.round(c.pricing.daily_max * 100));
      }
    }
  });

  it('never decreases as the stay gets longer', () => {
    for (const c of cases.slice(0, 100)) {
      let previous = 0;
      for (let step = 1; step <= 40; step++) {
        const end = new Date(c.start.getTime() + step * 7 * 60_000 + random.int(0, 59) * 1000);
        const total = quoteStay({ ...c, end }).total;
        expect(total, JSON.stringify({ ...c, end })).toBeGreaterThanOrEqual(previous);
        previous = total;
      }
    }
  });

  it('is hourly_rate × hours for BASIC on whole hours without cap or night window', () => {
    for (let i = 0; i < 200; i++) {
      const hourlyCents = random.int(0, 5000);
      const hours = random.int(1, 24 * 10);
      const start = Date.parse('2025-01-01T00:00:00Z') + random.int(0, 364 * 24 * 60) * 60_000;
      const quote = quoteStay({
        strategy: 'BASIC',
        pricing: pricing({
          hourly_rate: hourlyCents / 100,
          billing_increment_minutes: random.pick([1, 5, 15, 20, 30, 60]),
          grace_period_minutes: random.int(0, 59),
          peak_hour_multiplier: 2,
          peak_start_time: '08:00',
          peak_end_time: '10:00',
        }),
        timezone: random.pick(zones),
        start: new Date(start),
        end: new Date(start + hours * 3_600_000),
      });
      expect(quote.total).toBe(hourlyCents * hours);
    }
  });
});
