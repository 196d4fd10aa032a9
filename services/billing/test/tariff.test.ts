import type { PricingConfig, PricingStrategy } from '@easypark/facility/client';
import { localParts, minorUnits, money, multiply, parseClockTime } from '@easypark/kernel';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { chargingCost, idleFee, quoteStay } from '../src/domain/tariff.ts';

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
    idle_fee_per_hour: null,
    idle_grace_minutes: 10,
    effective_from: '2025-01-01T00:00:00Z',
    effective_to: null,
    ...overrides,
  };
}

const at = (iso: string) => new Date(iso);
const runs = (quote: ReturnType<typeof quoteStay>) =>
  quote.breakdown.map(({ rate, minutes, amount }) => [rate, minutes, amount]);

describe('quoteStay: worked examples', () => {
  it('USD: rounds an 80 minute stay up to 90 minutes of 15 minute increments', () => {
    const quote = quoteStay({
      strategy: 'BASIC',
      prices: [pricing({ hourly_rate: 2.5, billing_increment_minutes: 15, grace_period_minutes: 10 })],
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
          config_id: 'prc_test',
          local_date: '2025-06-02',
          amount: 375,
        },
      ],
      days: [{ local_date: '2025-06-02', amount: 375, cap: null, capped: false }],
      daily_cap_applied: false,
    });
  });

  it('grace period: free up to and including the grace minutes, charged a whole increment after', () => {
    const prices = [pricing({ hourly_rate: 2.5, billing_increment_minutes: 15, grace_period_minutes: 10 })];
    const start = at('2025-06-02T14:00:00Z');
    const inGrace = quoteStay({
      strategy: 'BASIC',
      prices,
      timezone: 'UTC',
      start,
      end: at('2025-06-02T14:10:00Z'),
    });
    expect(inGrace).toMatchObject({ parking: 0, total: 0, billable_minutes: 0, breakdown: [], days: [] });
    const justAfter = quoteStay({
      strategy: 'BASIC',
      prices,
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
      prices: [pricing({ currency: 'JPY', hourly_rate: 100, billing_increment_minutes: 1 })],
      timezone: 'Asia/Tokyo',
      start: at('2025-06-02T00:00:00Z'),
      end: at('2025-06-02T00:07:00Z'),
    });
    // 100 × 7 / 60 = 11.67 → 12 (per-minute rounding would give 7 × 2 = 14)
    expect(quote).toMatchObject({ currency: 'JPY', parking: 12, billable_minutes: 7 });
  });

  it('JPY with a 7 minute increment: increments belong to the local day they start on', () => {
    const quote = quoteStay({
      strategy: 'BASIC',
      prices: [pricing({ currency: 'JPY', hourly_rate: 500, billing_increment_minutes: 7, daily_max: 3000 })],
      timezone: 'Asia/Tokyo',
      // 23:40 → 00:20 Tokyo: 6 increments (42 min) starting 23:40, 23:47, 23:54 | 00:01, 00:08, 00:15
      start: at('2025-06-02T14:40:00Z'),
      end: at('2025-06-02T15:20:00Z'),
    });
    expect(quote.breakdown.map(({ local_date, minutes, amount }) => [local_date, minutes, amount])).toEqual([
      ['2025-06-02', 21, 175], // 500 × 21 / 60 = 175
      ['2025-06-03', 21, 175],
    ]);
    expect(quote.breakdown[1]!.start_time).toBe('2025-06-02T15:01:00.000Z');
    expect(quote).toMatchObject({ currency: 'JPY', parking: 350, billable_minutes: 42 });
    // 30 minutes: 5 increments = 35 minutes, 500 × 35 / 60 = 291.67 → 292
    expect(
      quoteStay({
        strategy: 'BASIC',
        prices: [pricing({ currency: 'JPY', hourly_rate: 500, billing_increment_minutes: 7 })],
        timezone: 'Asia/Tokyo',
        start: at('2025-06-02T01:00:00Z'),
        end: at('2025-06-02T01:30:00Z'),
      }),
    ).toMatchObject({ parking: 292, billable_minutes: 35 });
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
      prices: [tokyoPeak],
      timezone: 'Asia/Tokyo',
      start: at('2025-06-01T22:00:00Z'),
      end: at('2025-06-02T02:00:00Z'),
    });
    expect(runs(quote)).toEqual([
      ['STANDARD', 60, 300],
      ['PEAK', 120, 900], // 300 × 2 × 1.5
      ['STANDARD', 60, 300],
    ]);
    expect(quote.breakdown[1]).toMatchObject({
      start_time: '2025-06-01T23:00:00.000Z',
      end_time: '2025-06-02T01:00:00.000Z',
      local_date: '2025-06-02',
    });
    expect(quote.total).toBe(1500);
  });

  it('BASIC ignores the peak window', () => {
    const quote = quoteStay({
      strategy: 'BASIC',
      prices: [tokyoPeak],
      timezone: 'Asia/Tokyo',
      start: at('2025-06-01T22:00:00Z'),
      end: at('2025-06-02T02:00:00Z'),
    });
    expect(quote.breakdown).toHaveLength(1);
    expect(quote.total).toBe(1200);
  });

  it('a night window wrapping midnight: one rate, two local days', () => {
    // 21:00 → 07:00 local: 1 h standard, 8 h night split at local midnight, 1 h standard
    const quote = quoteStay({
      strategy: 'PEAK_HOUR',
      prices: [tokyoPeak],
      timezone: 'Asia/Tokyo',
      start: at('2025-06-02T12:00:00Z'),
      end: at('2025-06-02T22:00:00Z'),
    });
    expect(
      quote.breakdown.map(({ rate, local_date, minutes, amount }) => [rate, local_date, minutes, amount]),
    ).toEqual([
      ['STANDARD', '2025-06-02', 60, 300],
      ['NIGHT', '2025-06-02', 120, 300], // 300 × 2 × 0.5
      ['NIGHT', '2025-06-03', 360, 900],
      ['STANDARD', '2025-06-03', 60, 300],
    ]);
    expect(quote.days.map((d) => [d.local_date, d.amount])).toEqual([
      ['2025-06-02', 600],
      ['2025-06-03', 1200],
    ]);
    expect(quote.total).toBe(1800);
  });

  it('peak wins where peak and night windows overlap', () => {
    const overlapping = { ...tokyoPeak, peak_start_time: '05:00', peak_end_time: '07:00' };
    // 04:00 → 08:00 local
    const quote = quoteStay({
      strategy: 'PEAK_HOUR',
      prices: [overlapping],
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
      prices: [
        pricing({
          config_id: 'prc_kwd',
          currency: 'KWD',
          hourly_rate: 0.125,
          billing_increment_minutes: 20,
          night_rate_multiplier: 0.8,
          night_start_time: '23:00',
          night_end_time: '05:00',
          reservation_fee: 0.25,
        }),
      ],
      timezone: 'Asia/Kuwait',
      // 22:30 → 00:10 local (UTC+3): increments at 22:30, 22:50 (standard), 23:10, 23:30, 23:50 (night),
      // all starting on the 2nd, so one local day
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
          config_id: 'prc_kwd',
          local_date: '2025-06-02',
          amount: 83,
        },
        {
          start_time: '2025-06-02T20:10:00.000Z',
          end_time: '2025-06-02T21:10:00.000Z',
          minutes: 60,
          rate: 'NIGHT',
          config_id: 'prc_kwd',
          local_date: '2025-06-02',
          amount: 100,
        },
      ],
      days: [{ local_date: '2025-06-02', amount: 183, cap: null, capped: false }],
      daily_cap_applied: false,
    });
  });

  it('Asia/Kathmandu (+05:45): the window edge falls at a quarter past the UTC hour', () => {
    const quote = quoteStay({
      strategy: 'BASIC',
      prices: [
        pricing({
          currency: 'NPR',
          hourly_rate: 100,
          billing_increment_minutes: 15,
          night_rate_multiplier: 0.5,
          night_start_time: '22:00',
          night_end_time: '06:00',
        }),
      ],
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

  it('daily cap per local calendar day: a 30 hour stay touches two days, both capped', () => {
    const quote = quoteStay({
      strategy: 'BASIC',
      prices: [pricing({ hourly_rate: 3, daily_max: 20 })],
      timezone: 'UTC',
      start: at('2025-06-02T09:00:00Z'),
      end: at('2025-06-03T15:00:00Z'),
    });
    // 2 June 09:00–24:00: 15 × 300 = 4500 → 2000; 3 June 00:00–15:00: 4500 → 2000
    expect(quote.breakdown.map(({ local_date, minutes, amount }) => [local_date, minutes, amount])).toEqual([
      ['2025-06-02', 900, 4500],
      ['2025-06-03', 900, 4500],
    ]);
    expect(quote.days).toEqual([
      { local_date: '2025-06-02', amount: 2000, cap: 2000, capped: true },
      { local_date: '2025-06-03', amount: 2000, cap: 2000, capped: true },
    ]);
    expect(quote).toMatchObject({
      parking: 4000,
      total: 4000,
      daily_cap_applied: true,
      billable_minutes: 1800,
    });
  });

  it('daily cap: a 20:00–03:00 local stay is seven hours but two capped days', () => {
    const quote = quoteStay({
      strategy: 'BASIC',
      prices: [pricing({ currency: 'EUR', hourly_rate: 3, daily_max: 8 })],
      timezone: 'Europe/Paris',
      start: at('2025-06-02T18:00:00Z'), // 20:00 CEST
      end: at('2025-06-03T01:00:00Z'), // 03:00 CEST
    });
    // 2 June: 4 h × 300 = 1200 → 800; 3 June: 3 h × 300 = 900 → 800
    expect(quote.days).toEqual([
      { local_date: '2025-06-02', amount: 800, cap: 800, capped: true },
      { local_date: '2025-06-03', amount: 800, cap: 800, capped: true },
    ]);
    expect(quote).toMatchObject({ parking: 1600, daily_cap_applied: true });
    // The same seven hours within one local day are capped once.
    expect(
      quoteStay({
        strategy: 'BASIC',
        prices: [pricing({ currency: 'EUR', hourly_rate: 3, daily_max: 8 })],
        timezone: 'Europe/Paris',
        start: at('2025-06-02T07:00:00Z'),
        end: at('2025-06-02T14:00:00Z'),
      }),
    ).toMatchObject({ parking: 800, days: [{ amount: 800, capped: true }] });
  });

  it('daily cap: each local day of a multi-day stay, the partial first and last days capped as well', () => {
    const quote = quoteStay({
      strategy: 'BASIC',
      prices: [pricing({ hourly_rate: 3, daily_max: 20 })],
      timezone: 'Europe/Paris',
      start: at('2025-06-02T09:00:00Z'), // 11:00 local: 13 h on the 2nd
      end: at('2025-06-05T19:00:00Z'), // 21:00 local: 21 h on the 5th
    });
    expect(quote.days.map((d) => [d.local_date, d.amount, d.capped])).toEqual([
      ['2025-06-02', 2000, true],
      ['2025-06-03', 2000, true],
      ['2025-06-04', 2000, true],
      ['2025-06-05', 2000, true],
    ]);
    expect(quote).toMatchObject({ parking: 8000, daily_cap_applied: true });
  });

  it('daily cap is not applied when a day stays below it', () => {
    const quote = quoteStay({
      strategy: 'BASIC',
      prices: [pricing({ hourly_rate: 3, daily_max: 20 })],
      timezone: 'UTC',
      start: at('2025-06-02T09:00:00Z'),
      end: at('2025-06-02T15:00:00Z'),
    });
    expect(quote).toMatchObject({
      parking: 1800,
      daily_cap_applied: false,
      days: [{ local_date: '2025-06-02', amount: 1800, cap: 2000, capped: false }],
    });
  });

  it('Europe/London on the spring-forward night has only 7 hours of 22:00–06:00', () => {
    // 2025-03-30 01:00 UTC: clocks go from 01:00 GMT to 02:00 BST.
    // Stay 21:00 GMT Saturday → 08:00 BST Sunday: 10 real hours.
    const quote = quoteStay({
      strategy: 'PEAK_HOUR',
      prices: [
        pricing({
          currency: 'GBP',
          hourly_rate: 4,
          night_rate_multiplier: 0.5,
          night_start_time: '22:00',
          night_end_time: '06:00',
        }),
      ],
      timezone: 'Europe/London',
      start: at('2025-03-29T21:00:00Z'),
      end: at('2025-03-30T07:00:00Z'),
    });
    expect(quote.breakdown.map(({ config_id: _, ...run }) => run)).toEqual([
      {
        start_time: '2025-03-29T21:00:00.000Z',
        end_time: '2025-03-29T22:00:00.000Z',
        minutes: 60,
        rate: 'STANDARD',
        local_date: '2025-03-29',
        amount: 400,
      },
      {
        start_time: '2025-03-29T22:00:00.000Z',
        end_time: '2025-03-30T00:00:00.000Z',
        minutes: 120,
        rate: 'NIGHT',
        local_date: '2025-03-29',
        amount: 400,
      },
      {
        start_time: '2025-03-30T00:00:00.000Z',
        end_time: '2025-03-30T05:00:00.000Z', // 06:00 BST
        minutes: 300,
        rate: 'NIGHT',
        local_date: '2025-03-30',
        amount: 1000,
      },
      {
        start_time: '2025-03-30T05:00:00.000Z',
        end_time: '2025-03-30T07:00:00.000Z',
        minutes: 120,
        rate: 'STANDARD',
        local_date: '2025-03-30',
        amount: 800,
      },
    ]);
    expect(quote.total).toBe(2600);
  });

  it('Europe/London on the fall-back night has 9 hours of 22:00–06:00', () => {
    // 2025-10-26 01:00 UTC: clocks go from 02:00 BST back to 01:00 GMT.
    const quote = quoteStay({
      strategy: 'BASIC',
      prices: [
        pricing({
          currency: 'GBP',
          hourly_rate: 4,
          night_rate_multiplier: 0.5,
          night_start_time: '22:00',
          night_end_time: '06:00',
        }),
      ],
      timezone: 'Europe/London',
      start: at('2025-10-25T21:00:00Z'), // 22:00 BST
      end: at('2025-10-26T07:00:00Z'), // 07:00 GMT
    });
    // 22:00–00:00 BST on the 25th, then 00:00 BST–06:00 GMT on the 26th: 7 real hours.
    expect(
      quote.breakdown.map(({ rate, local_date, minutes, amount }) => [rate, local_date, minutes, amount]),
    ).toEqual([
      ['NIGHT', '2025-10-25', 120, 400],
      ['NIGHT', '2025-10-26', 420, 1400],
      ['STANDARD', '2025-10-26', 60, 400],
    ]);
    expect(quote.breakdown[1]!.start_time).toBe('2025-10-25T23:00:00.000Z');
  });

  it.each([
    // zone, the DST day, its hours, a local midnight before it, one after it, local days between
    ['Europe/London', '2025-03-30', 23, '2025-03-29T00:00:00Z', '2025-03-30T23:00:00Z', 2],
    ['Europe/London', '2025-10-26', 25, '2025-10-25T23:00:00Z', '2025-10-28T00:00:00Z', 2],
    ['America/New_York', '2025-03-09', 23, '2025-03-08T05:00:00Z', '2025-03-10T04:00:00Z', 2],
    ['America/New_York', '2025-11-02', 25, '2025-10-31T04:00:00Z', '2025-11-04T05:00:00Z', 4],
  ] as const)('%s: %s has %i hours, capped on its own', (zone, dstDay, hours, from, to, dayCount) => {
    const quote = quoteStay({
      strategy: 'BASIC',
      // 1.00 an hour, capped at 24.50 a day: only a 25 hour day reaches the cap
      prices: [pricing({ hourly_rate: 1, daily_max: 24.5 })],
      timezone: zone,
      start: at(from),
      end: at(to),
    });
    expect(quote.days).toHaveLength(dayCount);
    expect(quote.breakdown.filter((r) => r.local_date === dstDay).reduce((s, r) => s + r.minutes, 0)).toBe(
      hours * 60,
    );
    expect(quote.days.find((d) => d.local_date === dstDay)).toEqual({
      local_date: dstDay,
      amount: Math.min(hours * 100, 2450),
      cap: 2450,
      capped: hours === 25,
    });
    for (const other of quote.days.filter((d) => d.local_date !== dstDay)) {
      expect(other).toMatchObject({ amount: 2400, capped: false });
    }
    expect(quote.parking).toBe((dayCount - 1) * 2400 + Math.min(hours * 100, 2450));
  });

  it('a price change mid-stay: minutes before it at the old rate, after it at the new one', () => {
    const before = pricing({
      config_id: 'prc_old',
      hourly_rate: 2,
      billing_increment_minutes: 60,
      grace_period_minutes: 10,
      effective_to: '2025-06-02T12:00:00Z',
    });
    const after = pricing({
      config_id: 'prc_new',
      hourly_rate: 4,
      billing_increment_minutes: 15, // not used: the increment is the one in force at the start
      grace_period_minutes: 0,
      effective_from: '2025-06-02T12:00:00Z',
    });
    const quote = quoteStay({
      strategy: 'BASIC',
      prices: [after, before], // any order
      timezone: 'UTC',
      start: at('2025-06-02T10:00:00Z'),
      end: at('2025-06-02T14:00:00Z'),
    });
    expect(
      quote.breakdown.map(({ config_id, start_time, minutes, amount }) => [
        config_id,
        start_time,
        minutes,
        amount,
      ]),
    ).toEqual([
      ['prc_old', '2025-06-02T10:00:00.000Z', 120, 400],
      ['prc_new', '2025-06-02T12:00:00.000Z', 120, 800],
    ]);
    expect(quote).toMatchObject({ parking: 1200, billable_minutes: 240 });

    // An hour-long increment starting 11:05 is priced wholly at the old rate; the one at 12:05 at the new.
    const straddling = quoteStay({
      strategy: 'BASIC',
      prices: [before, after],
      timezone: 'UTC',
      start: at('2025-06-02T10:05:00Z'),
      end: at('2025-06-02T12:30:00Z'),
    });
    expect(
      straddling.breakdown.map(({ config_id, minutes, amount }) => [config_id, minutes, amount]),
    ).toEqual([
      ['prc_old', 120, 400],
      ['prc_new', 60, 400],
    ]);
    // Starting under the new price: its 15 minute increment and no grace.
    expect(
      quoteStay({
        strategy: 'BASIC',
        prices: [before, after],
        timezone: 'UTC',
        start: at('2025-06-02T12:00:00Z'),
        end: at('2025-06-02T12:05:00Z'),
      }),
    ).toMatchObject({ parking: 100, billable_minutes: 15 });
  });

  it('a price change moves the daily cap with it: the cap of the config at the day’s first increment', () => {
    const before = pricing({
      config_id: 'prc_old',
      hourly_rate: 3,
      daily_max: 20,
      effective_to: '2025-06-02T12:00:00Z',
    });
    const after = pricing({
      config_id: 'prc_new',
      hourly_rate: 3,
      daily_max: 30,
      effective_from: '2025-06-02T12:00:00Z',
    });
    const quote = quoteStay({
      strategy: 'BASIC',
      prices: [before, after],
      timezone: 'UTC',
      start: at('2025-06-02T00:00:00Z'),
      end: at('2025-06-04T00:00:00Z'),
    });
    expect(quote.days).toEqual([
      { local_date: '2025-06-02', amount: 2000, cap: 2000, capped: true },
      { local_date: '2025-06-03', amount: 3000, cap: 3000, capped: true },
    ]);
  });

  it('a stay starting before every configuration is priced by the earliest', () => {
    const quote = quoteStay({
      strategy: 'BASIC',
      prices: [
        pricing({
          config_id: 'prc_first',
          hourly_rate: 2,
          effective_from: '2025-06-02T12:00:00Z',
          effective_to: '2025-06-03T00:00:00Z',
        }),
        pricing({ config_id: 'prc_second', hourly_rate: 5, effective_from: '2025-06-03T00:00:00Z' }),
      ],
      timezone: 'UTC',
      start: at('2025-06-02T10:00:00Z'),
      end: at('2025-06-02T13:00:00Z'),
    });
    expect(quote.breakdown.map(({ config_id, minutes }) => [config_id, minutes])).toEqual([
      ['prc_first', 180],
    ]);
    expect(quote.parking).toBe(600);
  });

  it('free_until: a merchant validation of 2 hours prices only what follows, in increments from there', () => {
    const prices = [pricing({ hourly_rate: 3, billing_increment_minutes: 30, grace_period_minutes: 10 })];
    const stay = { strategy: 'BASIC' as const, prices, timezone: 'UTC', start: at('2025-06-02T09:00:00Z') };
    const validated = quoteStay({
      ...stay,
      end: at('2025-06-02T12:20:00Z'),
      free_until: at('2025-06-02T11:00:00Z'),
    });
    // 11:00–12:20 is 80 minutes: three 30 minute increments, 300 × 90 / 60 = 450
    expect(validated).toMatchObject({ parking: 450, billable_minutes: 90 });
    expect(validated.breakdown).toEqual([
      {
        start_time: '2025-06-02T11:00:00.000Z',
        end_time: '2025-06-02T12:30:00.000Z',
        minutes: 90,
        rate: 'STANDARD',
        config_id: 'prc_test',
        local_date: '2025-06-02',
        amount: 450,
      },
    ]);
    // One second past the validation is a whole increment; the grace applies to the stay, not to it.
    expect(
      quoteStay({ ...stay, end: at('2025-06-02T11:00:01Z'), free_until: at('2025-06-02T11:00:00Z') }),
    ).toMatchObject({ parking: 150, billable_minutes: 30 });
    // Leaving within the validation, or a validation that started nothing: free / ignored.
    expect(
      quoteStay({ ...stay, end: at('2025-06-02T10:59:00Z'), free_until: at('2025-06-02T11:00:00Z') }),
    ).toMatchObject({ parking: 0, billable_minutes: 0, breakdown: [], days: [] });
    expect(
      quoteStay({ ...stay, end: at('2025-06-02T11:00:00Z'), free_until: at('2025-06-02T11:00:00Z') }),
    ).toMatchObject({ parking: 0 });
    expect(
      quoteStay({ ...stay, end: at('2025-06-02T10:00:00Z'), free_until: at('2025-06-01T00:00:00Z') }),
    ).toMatchObject({ parking: 300 });
    expect(quoteStay({ ...stay, end: at('2025-06-02T10:00:00Z'), free_until: null })).toMatchObject({
      parking: 300,
    });
  });

  it('reservation fee is that of the configuration in force at the start', () => {
    const prices = [
      pricing({ config_id: 'prc_old', reservation_fee: 1.5, effective_to: '2025-06-02T12:00:00Z' }),
      pricing({ config_id: 'prc_new', reservation_fee: 3, effective_from: '2025-06-02T12:00:00Z' }),
    ];
    const book = (start: string, end: string) =>
      quoteStay({
        strategy: 'BASIC',
        prices,
        timezone: 'UTC',
        start: at(start),
        end: at(end),
        reservation: true,
      });
    expect(book('2025-06-02T11:00:00Z', '2025-06-02T13:00:00Z')).toMatchObject({
      parking: 400,
      reservation_fee: 150,
      total: 550,
    });
    expect(book('2025-06-02T12:00:00Z', '2025-06-02T13:00:00Z')).toMatchObject({
      reservation_fee: 300,
      total: 500,
    });
  });

  it('reservation fee is added to a stay within the grace period', () => {
    const quote = quoteStay({
      strategy: 'BASIC',
      prices: [pricing({ reservation_fee: 1.5, grace_period_minutes: 15 })],
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
      prices: [pricing({ reservation_fee: 1.5 })],
      timezone: 'UTC',
      start: at('2025-06-02T09:00:00Z'),
      end: at('2025-06-02T10:00:00Z'),
    });
    expect(quote).toMatchObject({ parking: 200, reservation_fee: 0, total: 200 });
  });

  it('subscribers pay nothing for parking under SUBSCRIPTION, but do pay a reservation fee', () => {
    const prices = [pricing({ hourly_rate: 2, reservation_fee: 1 })];
    const stay = { timezone: 'UTC', start: at('2025-06-02T09:00:00Z'), end: at('2025-06-02T12:00:00Z') };
    expect(
      quoteStay({ strategy: 'SUBSCRIPTION', prices, ...stay, subscriber: true, reservation: true }),
    ).toMatchObject({ parking: 0, reservation_fee: 100, total: 100, breakdown: [], days: [] });
    expect(quoteStay({ strategy: 'SUBSCRIPTION', prices, ...stay, subscriber: false })).toMatchObject({
      parking: 600,
    });
    expect(quoteStay({ strategy: 'BASIC', prices, ...stay, subscriber: true })).toMatchObject({
      parking: 600,
    });
  });

  it('refuses a stay that does not end after it starts, invalid dates, and unusable prices', () => {
    const start = at('2025-06-02T09:00:00Z');
    const end = at('2025-06-02T10:00:00Z');
    const base = { strategy: 'BASIC' as const, prices: [pricing()], timezone: 'UTC', start, end };
    expect(() => quoteStay({ ...base, end: start })).toThrow(RangeError);
    expect(() => quoteStay({ ...base, end: at('2025-06-02T08:00:00Z') })).toThrow(RangeError);
    expect(() => quoteStay({ ...base, start: new Date(Number.NaN) })).toThrow(RangeError);
    expect(() => quoteStay({ ...base, free_until: new Date('not a date') })).toThrow(RangeError);
    expect(() => quoteStay({ ...base, prices: [] })).toThrow(RangeError);
    expect(() =>
      quoteStay({
        ...base,
        prices: [
          pricing({ effective_to: '2025-06-02T09:30:00Z' }),
          pricing({ currency: 'EUR', effective_from: '2025-06-02T09:30:00Z' }),
        ],
      }),
    ).toThrow(/currencies/);
    expect(() =>
      quoteStay({
        ...base,
        prices: [pricing(), pricing({ config_id: 'prc_later', effective_from: '2025-06-02T09:30:00Z' })],
      }),
    ).toThrow(/overlap/);
    expect(() =>
      quoteStay({
        ...base,
        prices: [pricing(), pricing({ vehicle_type: 'BUS', effective_from: '2026-01-01T00:00:00Z' })],
      }),
    ).toThrow(/vehicle type/);
    expect(() => quoteStay({ ...base, prices: [pricing({ hourly_rate: 2.555 })] })).toThrow(RangeError);
  });

  it('prices a 30-day stay in 1-minute increments across a DST change', () => {
    const input = {
      strategy: 'PEAK_HOUR' as const,
      prices: [
        pricing({
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
      ],
      timezone: 'Europe/London',
      start: at('2025-03-15T10:17:00Z'),
      end: at('2025-04-14T10:17:00Z'),
    };
    const quote = quoteStay(input);
    // 30 × 24 h, of which per day 2.25 h peak, 8 h night (7 on the spring-forward night, which the DST
    // shift gives back to the standard hours), hourly 360 pence: 6, 9 and 3 pence a minute, exact.
    expect(quote.billable_minutes).toBe(30 * 1440);
    const minutesOf = (rate: string) =>
      quote.breakdown.filter((r) => r.rate === rate).reduce((sum, r) => sum + r.minutes, 0);
    expect(minutesOf('PEAK')).toBe(30 * 135);
    expect(minutesOf('NIGHT')).toBe(30 * 480 - 60);
    expect(quote.total).toBe(30 * 135 * 9 + (30 * 480 - 60) * 3 + (30 * 825 + 60) * 6);
    // 15 March to 14 April local: 31 days, each run inside one of them.
    expect(quote.days).toHaveLength(31);
    expect(quote.days[0]!.local_date).toBe('2025-03-15');
    expect(quote.days.at(-1)!.local_date).toBe('2025-04-14');
  });
});

describe('chargingCost', () => {
  it('prices energy at the agreed price, rounded once half away from zero', () => {
    // 35 cents × 12 345 Wh / 1000 = 432.075 → 432
    expect(chargingCost({ energy_kwh: 12.345, price_per_kwh: 0.35, currency: 'USD' })).toEqual({
      amount: 432,
      energy_wh: 12_345,
    });
    // 5 cents × 100 Wh / 1000 = 0.5 → 1
    expect(chargingCost({ energy_kwh: 0.1, price_per_kwh: 0.05, currency: 'USD' })).toEqual({
      amount: 1,
      energy_wh: 100,
    });
    // Floats that are not what they print: 1.005 kWh is read as 1005 Wh, 0.29 as 29 cents.
    expect(chargingCost({ energy_kwh: 1.005, price_per_kwh: 0.29, currency: 'EUR' })).toEqual({
      amount: 29, // 29 × 1005 / 1000 = 29.145
      energy_wh: 1005,
    });
    expect(chargingCost({ energy_kwh: 0, price_per_kwh: 0.35, currency: 'USD' }).amount).toBe(0);
    // KWD: 3 decimals. 0.045 KWD = 45 fils × 20 500 Wh / 1000 = 922.5 → 923
    expect(chargingCost({ energy_kwh: 20.5, price_per_kwh: 0.045, currency: 'KWD' }).amount).toBe(923);
  });

  it('JPY: whole yen per kWh', () => {
    expect(chargingCost({ energy_kwh: 7.5, price_per_kwh: 30, currency: 'JPY' })).toEqual({
      amount: 225,
      energy_wh: 7500,
    });
    // 25 × 100 / 1000 = 2.5 → 3; 27 × 50 / 1000 = 1.35 → 1
    expect(chargingCost({ energy_kwh: 0.1, price_per_kwh: 25, currency: 'JPY' }).amount).toBe(3);
    expect(chargingCost({ energy_kwh: 0.05, price_per_kwh: 27, currency: 'JPY' }).amount).toBe(1);
    expect(() => chargingCost({ energy_kwh: 1, price_per_kwh: 30.5, currency: 'JPY' })).toThrow(RangeError);
  });

  it('refuses energy finer than a watt-hour, negative energy or a negative price', () => {
    expect(() => chargingCost({ energy_kwh: 1.0005, price_per_kwh: 0.3, currency: 'USD' })).toThrow(
      RangeError,
    );
    expect(() => chargingCost({ energy_kwh: -1, price_per_kwh: 0.3, currency: 'USD' })).toThrow(RangeError);
    expect(() => chargingCost({ energy_kwh: Number.NaN, price_per_kwh: 0.3, currency: 'USD' })).toThrow(
      RangeError,
    );
    expect(() => chargingCost({ energy_kwh: 1, price_per_kwh: -0.3, currency: 'USD' })).toThrow(RangeError);
  });
});

describe('idleFee', () => {
  const ev = (overrides: Partial<PricingConfig> = {}) =>
    pricing({ idle_fee_per_hour: 6, idle_grace_minutes: 10, ...overrides });

  it('charges each started minute plugged in beyond the grace at idle_fee_per_hour / 60', () => {
    // Idle 10:00:00 → 10:25:30: 26 started minutes, 16 beyond the grace, 600 × 16 / 60 = 160
    expect(
      idleFee({
        strategy: 'EV_OPTIMIZED',
        prices: [ev()],
        charging_finished_at: at('2025-06-02T10:00:00Z'),
        unplugged_at: at('2025-06-02T10:25:30Z'),
      }),
    ).toEqual({ amount: 160, idle_minutes: 26, billable_minutes: 16, currency: 'USD' });
  });

  it('is free within the grace, and starts with the first minute past it', () => {
    const fee = (unplugged: string) =>
      idleFee({
        strategy: 'EV_OPTIMIZED',
        prices: [ev({ idle_fee_per_hour: 7 })],
        charging_finished_at: at('2025-06-02T10:00:00Z'),
        unplugged_at: at(unplugged),
      });
    expect(fee('2025-06-02T10:10:00Z')).toEqual({
      amount: 0,
      idle_minutes: 10,
      billable_minutes: 0,
      currency: 'USD',
    });
    // 700 × 1 / 60 = 11.67 → 12
    expect(fee('2025-06-02T10:10:00.001Z')).toMatchObject({ amount: 12, billable_minutes: 1 });
    // Unplugged when (or, inconsistently, before) charging completed: no idle time.
    expect(fee('2025-06-02T10:00:00Z')).toMatchObject({ amount: 0, idle_minutes: 0 });
    expect(fee('2025-06-02T09:59:00Z')).toMatchObject({ amount: 0, idle_minutes: 0 });
  });

  it('JPY, no grace: rounded once over the billable minutes', () => {
    // 100 yen an hour × 7 minutes / 60 = 11.67 → 12 (per-minute rounding would give 7 × 2 = 14)
    expect(
      idleFee({
        strategy: 'EV_OPTIMIZED',
        prices: [ev({ currency: 'JPY', idle_fee_per_hour: 100, idle_grace_minutes: 0 })],
        charging_finished_at: at('2025-06-02T10:00:00Z'),
        unplugged_at: at('2025-06-02T10:07:00Z'),
      }),
    ).toEqual({ amount: 12, idle_minutes: 7, billable_minutes: 7, currency: 'JPY' });
  });

  it('uses the fee and grace in force when charging completed, not when the car left', () => {
    const prices = [
      ev({
        config_id: 'prc_old',
        idle_fee_per_hour: 6,
        idle_grace_minutes: 5,
        effective_to: '2025-06-02T10:15:00Z',
      }),
      ev({
        config_id: 'prc_new',
        idle_fee_per_hour: 60,
        idle_grace_minutes: 0,
        effective_from: '2025-06-02T10:15:00Z',
      }),
    ];
    expect(
      idleFee({
        strategy: 'EV_OPTIMIZED',
        prices,
        charging_finished_at: at('2025-06-02T10:00:00Z'),
        unplugged_at: at('2025-06-02T10:35:00Z'),
      }),
    ).toMatchObject({ amount: 300, billable_minutes: 30 });
  });

  it('is 0 for other strategies and for a configuration without an idle fee', () => {
    const times = {
      charging_finished_at: at('2025-06-02T10:00:00Z'),
      unplugged_at: at('2025-06-02T12:00:00Z'),
    };
    for (const strategy of ['BASIC', 'PEAK_HOUR', 'SUBSCRIPTION'] as const) {
      expect(idleFee({ strategy, prices: [ev()], ...times })).toMatchObject({
        amount: 0,
        billable_minutes: 0,
      });
    }
    expect(
      idleFee({ strategy: 'EV_OPTIMIZED', prices: [ev({ idle_fee_per_hour: null })], ...times }),
    ).toEqual({ amount: 0, idle_minutes: 120, billable_minutes: 0, currency: 'USD' });
    expect(() => idleFee({ strategy: 'EV_OPTIMIZED', prices: [], ...times })).toThrow(RangeError);
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

interface RandomConfig {
  config: PricingConfig;
  ratios: { PEAK: [number, number, number]; NIGHT: [number, number, number] };
}

function randomConfig(r: Random, id: string, from: number, to: number | null): RandomConfig {
  const hourlyCents = r.int(0, 1000);
  const peak = r.pick(multipliers);
  const night = r.pick(multipliers);
  const peakWindow = r.next() < 0.7 ? [clockTime(r), clockTime(r)] : [null, null];
  const nightWindow = r.next() < 0.7 ? [clockTime(r), clockTime(r)] : [null, null];
  return {
    config: pricing({
      config_id: id,
      hourly_rate: hourlyCents / 100,
      daily_max: r.next() < 0.5 ? (hourlyCents * r.int(1, 30)) / 100 : null,
      billing_increment_minutes: r.pick([1, 5, 7, 10, 15, 20, 30, 60, 90]),
      grace_period_minutes: r.pick([0, 0, 5, 10, 15]),
      reservation_fee: r.int(0, 500) / 100,
      peak_hour_multiplier: peak[0],
      peak_start_time: peakWindow[0] ?? null,
      peak_end_time: peakWindow[1] ?? null,
      night_rate_multiplier: night[0],
      night_start_time: nightWindow[0] ?? null,
      night_end_time: nightWindow[1] ?? null,
      effective_from: new Date(from).toISOString(),
      effective_to: to === null ? null : new Date(to).toISOString(),
    }),
    ratios: { PEAK: peak, NIGHT: night },
  };
}

function randomCase(r: Random) {
  const strategy = r.pick<PricingStrategy>(['BASIC', 'PEAK_HOUR', 'SUBSCRIPTION', 'EV_OPTIMIZED']);
  const start =
    r.next() < 0.5
      ? r.pick(dstChanges) - r.int(0, 36 * 3600) * 1000
      : Date.parse('2025-01-01T00:00:00Z') + r.int(0, 364 * 24 * 3600) * 1000;
  const stayMs = r.int(1, 3 * 24 * 3600) * 1000;
  // 1 to 3 contiguous periods; boundaries anywhere around the stay (often inside it), to the
  // second; the first one may start after the stay does (then it prices the start as well).
  const periodCount = r.int(1, 3);
  const boundaries = Array.from({ length: periodCount - 1 }, () => start + r.int(-6 * 3600, 80 * 3600) * 1000)
    .sort((a, b) => a - b)
    .filter((b, i, all) => i === 0 || b !== all[i - 1]);
  const firstFrom = start + r.int(-48 * 3600, r.next() < 0.8 ? 0 : 3600) * 1000;
  const froms = [Math.min(firstFrom, (boundaries[0] ?? firstFrom + 1000) - 1000), ...boundaries];
  const configs = froms.map((from, i) => randomConfig(r, `prc_${i}`, from, froms[i + 1] ?? null));
  const freeUntil =
    r.next() < 0.3 ? new Date(start + r.int(-3600, Math.min(stayMs / 1000 + 3600, 6 * 3600)) * 1000) : null;
  return {
    strategy,
    prices: r.next() < 0.5 ? configs.map((c) => c.config) : configs.map((c) => c.config).reverse(),
    configs,
    timezone: r.pick(zones),
    start: new Date(start),
    end: new Date(start + stayMs),
    subscriber: r.next() < 0.2,
    reservation: r.next() < 0.3,
    free_until: freeUntil,
  };
}

type Case = ReturnType<typeof randomCase>;

/** The configuration in force at an instant, read off the rule: [from, to), else the earliest. */
function referenceConfig(c: Case, ms: number): RandomConfig {
  const inForce = c.configs.find(
    ({ config }) =>
      Date.parse(config.effective_from) <= ms &&
      (config.effective_to === null || ms < Date.parse(config.effective_to)),
  );
  if (inForce) return inForce;
  return [...c.configs].sort(
    (a, b) => Date.parse(a.config.effective_from) - Date.parse(b.config.effective_from),
  )[0]!;
}

/** Increment by increment, asking the local time and the price of each: slow, obvious, independent of the walk. */
function referenceParking(c: Case): number {
  const startMs = c.start.getTime();
  const endMs = c.end.getTime();
  const first = referenceConfig(c, startMs).config;
  if (endMs - startMs <= first.grace_period_minutes * 60_000) return 0;
  if (c.strategy === 'SUBSCRIPTION' && c.subscriber) return 0;
  const pricedFrom = Math.max(startMs, c.free_until?.getTime() ?? startMs);
  if (pricedFrom >= endMs) return 0;
  const increment = first.billing_increment_minutes;
  const count = Math.ceil((endMs - pricedFrom) / (increment * 60_000));
  const inside = (minute: number, from: string | null, to: string | null) => {
    if (from === null || to === null || from === to) return false;
    const a = parseClockTime(from)!;
    const b = parseClockTime(to)!;
    return a < b ? minute >= a && minute < b : minute >= a || minute < b;
  };
  const runs: { rate: string; config: RandomConfig; date: string; minutes: number }[] = [];
  for (let i = 0; i < count; i++) {
    const instant = pricedFrom + i * increment * 60_000;
    const config = referenceConfig(c, instant);
    const p = config.config;
    const local = localParts(new Date(instant), c.timezone);
    const minute = local.hour * 60 + local.minute;
    const rate =
      c.strategy === 'PEAK_HOUR' && inside(minute, p.peak_start_time, p.peak_end_time)
        ? 'PEAK'
        : inside(minute, p.night_start_time, p.night_end_time)
          ? 'NIGHT'
          : 'STANDARD';
    const last = runs.at(-1);
    if (last && last.rate === rate && last.config === config && last.date === local.date)
      last.minutes += increment;
    else runs.push({ rate, config, date: local.date, minutes: increment });
  }
  const perDay = new Map<string, { amount: number; cap: number | null }>();
  for (const run of runs) {
    const [, num, den] =
      run.rate === 'STANDARD' ? [1, 1, 1] : run.config.ratios[run.rate as 'PEAK' | 'NIGHT'];
    const hourly = Math.round(run.config.config.hourly_rate * 100);
    const amount = multiply(money(hourly, 'USD'), run.minutes * num, 60 * den).amount;
    const dailyMax = run.config.config.daily_max;
    const day = perDay.get(run.date) ?? {
      amount: 0,
      cap: dailyMax === null ? null : Math.round(dailyMax * 100),
    };
    day.amount += amount;
    perDay.set(run.date, day);
  }
  let total = 0;
  for (const day of perDay.values()) total += day.cap === null ? day.amount : Math.min(day.amount, day.cap);
  return total;
}

describe('quoteStay: properties over seeded random stays', () => {
  const random = seededRandom(20250330);
  const cases = Array.from({ length: 300 }, () => randomCase(random));

  it('agrees with an increment-by-increment reference, price changes and free_until included', () => {
    for (const c of cases) {
      expect(quoteStay(c).parking, JSON.stringify(c)).toBe(referenceParking(c));
    }
  });

  it('is never negative, adds up, and never above the sum of its days’ caps', () => {
    for (const c of cases) {
      const quote = quoteStay(c);
      const atStart = referenceConfig(c, c.start.getTime()).config;
      expect(quote.parking).toBeGreaterThanOrEqual(0);
      expect(quote.reservation_fee).toBe(c.reservation ? Math.round(atStart.reservation_fee * 100) : 0);
      expect(quote.total).toBe(quote.parking + quote.reservation_fee);
      expect(quote.parking).toBe(quote.days.reduce((sum, d) => sum + d.amount, 0));
      for (const day of quote.days) {
        if (day.cap !== null) expect(day.amount).toBeLessThanOrEqual(day.cap);
      }
      expect(quote.breakdown.reduce((sum, r) => sum + r.minutes, 0)).toBe(quote.billable_minutes);
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

  it('is within rounding of hourly_rate × hours for BASIC on whole hours without cap or night window', () => {
    // Runs now end at every local midnight, and each run is rounded on its own, so the total can
    // differ from hourly_rate × hours by at most half a minor unit per run (exactly equal when the
    // hourly rate is a multiple of 60 minor units, every run then being exact).
    for (let i = 0; i < 200; i++) {
      const hourlyCents = random.next() < 0.3 ? 60 * random.int(0, 80) : random.int(0, 5000);
      const hours = random.int(1, 24 * 10);
      const start = Date.parse('2025-01-01T00:00:00Z') + random.int(0, 364 * 24 * 60) * 60_000;
      const quote = quoteStay({
        strategy: 'BASIC',
        prices: [
          pricing({
            hourly_rate: hourlyCents / 100,
            billing_increment_minutes: random.pick([1, 5, 15, 20, 30, 60]),
            grace_period_minutes: random.int(0, 59),
            peak_hour_multiplier: 2,
            peak_start_time: '08:00',
            peak_end_time: '10:00',
          }),
        ],
        timezone: random.pick(zones),
        start: new Date(start),
        end: new Date(start + hours * 3_600_000),
      });
      expect(quote.billable_minutes).toBe(hours * 60);
      expect(Math.abs(quote.total - hourlyCents * hours)).toBeLessThanOrEqual(quote.breakdown.length / 2);
      if (hourlyCents % 60 === 0) expect(quote.total).toBe(hourlyCents * hours);
    }
  });
});

describe('quoteStay: fast-check properties', () => {
  const clock = fc
    .tuple(fc.integer({ min: 0, max: 23 }), fc.integer({ min: 0, max: 59 }))
    .map(([h, m]) => `${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}`);
  const window = fc.option(fc.tuple(clock, clock), { nil: null });
  const ratio = fc.constantFrom(0.5, 0.75, 1, 1.25, 1.5, 2);
  const config = fc
    .record({
      hourlyCents: fc.integer({ min: 0, max: 2000 }),
      capHours: fc.option(fc.integer({ min: 1, max: 30 }), { nil: null }),
      increment: fc.constantFrom(1, 5, 7, 10, 15, 20, 30, 60, 90),
      grace: fc.constantFrom(0, 5, 10, 15),
      reservationCents: fc.integer({ min: 0, max: 500 }),
      peak: window,
      night: window,
      peakRatio: ratio,
      nightRatio: ratio,
      // Amounts are drawn in minor units: cents, yen (none), fils (thousandths).
      currency: fc.constantFrom('USD', 'JPY', 'KWD', 'EUR'),
    })
    .map((c) =>
      pricing({
        currency: c.currency,
        hourly_rate: c.hourlyCents / 10 ** minorUnits(c.currency),
        daily_max: c.capHours === null ? null : (c.hourlyCents * c.capHours) / 10 ** minorUnits(c.currency),
        billing_increment_minutes: c.increment,
        grace_period_minutes: c.grace,
        reservation_fee: c.reservationCents / 10 ** minorUnits(c.currency),
        peak_hour_multiplier: c.peakRatio,
        peak_start_time: c.peak?.[0] ?? null,
        peak_end_time: c.peak?.[1] ?? null,
        night_rate_multiplier: c.nightRatio,
        night_start_time: c.night?.[0] ?? null,
        night_end_time: c.night?.[1] ?? null,
      }),
    );
  const stay = fc.record({
    strategy: fc.constantFrom<PricingStrategy>('BASIC', 'PEAK_HOUR', 'SUBSCRIPTION', 'EV_OPTIMIZED'),
    timezone: fc.constantFrom(...zones),
    // Seconds into 2025 (often near a DST change) and a stay of up to 4 days.
    start: fc.oneof(
      fc.integer({ min: 0, max: 364 * 86_400 }).map((s) => Date.parse('2025-01-01T00:00:00Z') + s * 1000),
      fc
        .tuple(fc.constantFrom(...dstChanges), fc.integer({ min: -36 * 3600, max: 3600 }))
        .map(([change, s]) => change + s * 1000),
    ),
    seconds: fc.integer({ min: 1, max: 4 * 86_400 }),
    subscriber: fc.boolean(),
    reservation: fc.boolean(),
  });
  const options = { seed: 20251026, numRuns: 300 };
  type Stay = typeof stay extends fc.Arbitrary<infer T> ? T : never;
  const quoteOf = (p: PricingConfig, s: Stay) =>
    quoteStay({
      strategy: s.strategy,
      prices: [p],
      timezone: s.timezone,
      start: new Date(s.start),
      end: new Date(s.start + s.seconds * 1000),
      subscriber: s.subscriber,
      reservation: s.reservation,
    });
  /** Local calendar dates an interval touches: from the date of its start to that of its last instant. */
  const localDaysTouched = (startMs: number, endMs: number, zone: string) => {
    const first = Date.parse(localParts(new Date(startMs), zone).date);
    const last = Date.parse(localParts(new Date(endMs - 1), zone).date);
    return Math.round((last - first) / 86_400_000) + 1;
  };

  it('parking is never negative, and total is parking + reservation_fee', () => {
    fc.assert(
      fc.property(config, stay, (p, s) => {
        const quote = quoteOf(p, s);
        expect(quote.parking).toBeGreaterThanOrEqual(0);
        expect(quote.total).toBe(quote.parking + quote.reservation_fee);
        expect(quote.reservation_fee).toBe(
          s.reservation ? Math.round(p.reservation_fee * 10 ** minorUnits(p.currency)) : 0,
        );
      }),
      options,
    );
  });

  it('with a daily_max, every day is at most the cap and parking at most cap × local days touched', () => {
    fc.assert(
      fc.property(
        config.filter((p) => p.daily_max !== null),
        stay,
        (p, s) => {
          const quote = quoteOf(p, s);
          const cap = Math.round(p.daily_max! * 10 ** minorUnits(p.currency));
          for (const day of quote.days) {
            expect(day.amount).toBeLessThanOrEqual(cap);
            expect(day.cap).toBe(cap);
          }
          const days = localDaysTouched(s.start, s.start + s.seconds * 1000, s.timezone);
          expect(quote.days.length).toBeLessThanOrEqual(days);
          expect(quote.parking).toBeLessThanOrEqual(cap * days);
        },
      ),
      options,
    );
  });

  it('a longer stay is never cheaper (same config, same start, no free_until)', () => {
    // Holds under these rules: the increment, grace and every increment's price and local day depend
    // only on the start and the instant, not on the end, so a longer stay only adds increments to the
    // last run or new runs after it; a run's rounded amount grows with its minutes, and
    // min(day amount, cap) grows with the day amount.
    fc.assert(
      fc.property(config, stay, fc.integer({ min: 0, max: 2 * 86_400 }), (p, s, extra) => {
        const shorter = quoteOf(p, s);
        const longer = quoteOf(p, { ...s, seconds: s.seconds + extra });
        expect(longer.parking).toBeGreaterThanOrEqual(shorter.parking);
        expect(longer.total).toBeGreaterThanOrEqual(shorter.total);
      }),
      options,
    );
  });
});
