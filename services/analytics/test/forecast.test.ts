import { readFileSync } from 'node:fs';
import { localParts } from '@easypark/kernel';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type ForecastModel,
  fitForecastModel,
  forecastPoints,
  type Observation,
  predict,
} from '../src/domain/forecast.ts';
import { type EvaluationReport, evaluateForecastOnCsv } from '../src/domain/forecast-evaluation.ts';

const zone = 'Europe/London';
const HALF_HOUR = 30 * 60_000;

/** Occupancy by local weekday and time: busy weekdays with a midday peak, quieter weekends. */
function pattern(at: Date): number {
  const { weekday, hour, minute } = localParts(at, zone);
  const hours = hour + minute / 60;
  const daytime = Math.max(0, Math.sin((Math.PI * (hours - 6)) / 14)); // 06:00–20:00
  const peak = weekday <= 5 ? 70 + 3 * weekday : weekday === 6 ? 45 : 25;
  return 8 + peak * daytime;
}

/** Deterministic pseudo-random numbers (mulberry32). */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Half-hourly observations from `start` for `days` days: the pattern plus noise that persists
 * (AR(1), so the recent level carries information) and a small independent jitter.
 */
function series(
  start: string,
  days: number,
  options: { seed?: number; persistent?: number; jitter?: number; hours?: [number, number] } = {},
): Observation[] {
  const next = random(options.seed ?? 1);
  const observations: Observation[] = [];
  let noise = 0;
  for (let t = Date.parse(start); t < Date.parse(start) + days * 86_400_000; t += HALF_HOUR) {
    const at = new Date(t);
    noise = 0.9 * noise + (options.persistent ?? 0) * (next() - 0.5);
    const { hour } = localParts(at, zone);
    if (options.hours && (hour < options.hours[0] || hour >= options.hours[1])) continue;
    const jitter = (options.jitter ?? 0) * (next() - 0.5);
    observations.push({ at, occupancy: Math.min(100, Math.max(0, pattern(at) + noise + jitter)) });
  }
  return observations;
}

function expectValid(prediction: { predicted_occupancy: number; lower: number; upper: number }) {
  for (const value of [prediction.predicted_occupancy, prediction.lower, prediction.upper]) {
    expect(Number.isFinite(value)).toBe(true);
    expect(value).toBeGreaterThanOrEqual(0);
    expect(value).toBeLessThanOrEqual(100);
  }
  expect(prediction.lower).toBeLessThanOrEqual(prediction.predicted_occupancy);
  expect(prediction.predicted_occupancy).toBeLessThanOrEqual(prediction.upper);
}

describe('forecast model on synthetic data', () => {
  // Six weeks across the end of summer time, so the pattern must be learnt in local time.
  const history = series('2024-09-23T00:00:00Z', 42, { jitter: 2 });
  const model = fitForecastModel(history, { timezone: zone });

  it('learns the weekly and daily pattern', () => {
    const last = history.at(-1)!.at.getTime();
    // Four days to a week ahead, on and between the grid points: the profile alone speaks.
    const targets = Array.from(
      { length: 7 * 24 },
      (_, i) => new Date(last + 3 * 86_400_000 + i * 3_600_000 + 900_000),
    );
    const predictions = predict(model, { at: new Date(last), recent: history }, targets);
    const errors = predictions.map((p) => Math.abs(p.predicted_occupancy - pattern(p.timestamp)));
    expect(Math.max(...errors)).toBeLessThan(4);
    expect(errors.reduce((a, b) => a + b, 0) / errors.length).toBeLessThan(1.5);
    // The weekly part: a Sunday noon is far quieter than a Friday noon.
    const [friday, sunday] = predict(model, { at: new Date(last), recent: history }, [
      new Date('2024-11-08T12:00:00Z'),
      new Date('2024-11-10T12:00:00Z'),
    ]);
    expect(friday!.predicted_occupancy - sunday!.predicted_occupancy).toBeGreaterThan(40);
  });

  it('gives a plain object that survives JSON and predicts the same', () => {
    const copy = JSON.parse(JSON.stringify(model)) as ForecastModel;
    const origin = { at: history.at(-1)!.at, recent: history.slice(-50) };
    const targets = [new Date('2024-11-04T09:10:00Z'), new Date('2024-11-05T18:00:00Z')];
    expect(predict(copy, origin, targets)).toEqual(predict(model, origin, targets));
    expect(model.interval_level).toBe(80);
    expect(model.backtest_coverage).toBeGreaterThan(50);
    expect(model.backtest_coverage).toBeLessThanOrEqual(100);
  });

  it('follows a level shift within 30 minutes and lets it fade over the day', () => {
    const noisy = series('2024-09-23T00:00:00Z', 42, { seed: 7, persistent: 6, jitter: 1 });
    const fitted = fitForecastModel(noisy, { timezone: zone });
    // The car park suddenly runs 25 points above its usual level for the last two hours.
    const shiftStart = noisy.length - 4;
    const shifted = noisy.map((o, i) => (i >= shiftStart ? { at: o.at, occupancy: pattern(o.at) + 25 } : o));
    const origin = shifted.at(-1)!.at;
    const soon = new Date(origin.getTime() + HALF_HOUR);
    const [shortTerm] = predict(fitted, { at: origin, recent: shifted }, [soon]);
    const [unshifted] = predict(fitted, { at: origin, recent: noisy }, [soon]);
    expect(shortTerm!.predicted_occupancy - pattern(soon)).toBeGreaterThan(18);
    expect(shortTerm!.predicted_occupancy - unshifted!.predicted_occupancy).toBeGreaterThan(15);
    const nextWeek = new Date(origin.getTime() + 7 * 86_400_000);
    const [later] = predict(fitted, { at: origin, recent: shifted }, [nextWeek]);
    expect(Math.abs(later!.predicted_occupancy - pattern(nextWeek))).toBeLessThan(6);
  });

  it('keeps predictions within 0–100 when the level runs off the scale', () => {
    const full = series('2024-09-23T00:00:00Z', 21, { persistent: 8 }).map((o) => ({
      at: o.at,
      occupancy: Math.min(100, o.occupancy + 40),
    }));
    const fitted = fitForecastModel(full, { timezone: zone });
    const origin = full.at(-1)!.at;
    const recent = [...full, { at: origin, occupancy: 100 }];
    const targets = Array.from({ length: 48 }, (_, i) => new Date(origin.getTime() + (i + 1) * HALF_HOUR));
    const predictions = predict(fitted, { at: origin, recent }, targets);
    predictions.forEach(expectValid);
    expect(Math.max(...predictions.map((p) => p.predicted_occupancy))).toBe(100);
  });
});

describe('forecast model without history for some hours', () => {
  // Birmingham-like: observations from 08:00 to 16:30 only.
  const daytime = series('2024-01-08T00:00:00Z', 28, { jitter: 2, hours: [8, 17] });
  const model = fitForecastModel(daytime, { timezone: zone });

  it('predicts the night from the nearest hours it knows, never NaN', () => {
    const origin = daytime.at(-1)!.at;
    const targets = Array.from({ length: 24 * 4 }, (_, i) => new Date(origin.getTime() + (i + 1) * 900_000));
    const predictions = predict(model, { at: origin, recent: daytime }, targets);
    predictions.forEach(expectValid);
    const known = predictions.map((p) => p.predicted_occupancy);
    expect(Math.min(...known)).toBeGreaterThanOrEqual(0);
    const midnight = predictions.find((p) => localParts(p.timestamp, zone).hour === 0)!;
    // The nearest known slot to midnight is late afternoon (16:30), not the morning.
    expect(Math.abs(midnight.predicted_occupancy - pattern(new Date('2024-02-05T16:30:00Z')))).toBeLessThan(
      12,
    );
  });

  it('copes with no history and no recent observations at all', () => {
    const empty = fitForecastModel([], { timezone: zone });
    const at = new Date('2024-06-01T12:00:00Z');
    const [alone] = predict(empty, { at, recent: [] }, [new Date('2024-06-01T13:00:00Z')]);
    expectValid(alone!);
    expect(empty.backtest_coverage).toBeNull();
    const [withRecent] = predict(empty, { at, recent: [{ at, occupancy: 60 }] }, [
      new Date('2024-06-01T12:30:00Z'),
    ]);
    expectValid(withRecent!);
    expect(withRecent!.predicted_occupancy).toBeGreaterThan(30);
  });

  it('ignores observations after the origin', () => {
    const origin = daytime[daytime.length - 10]!.at;
    const target = [new Date(origin.getTime() + HALF_HOUR)];
    const withFuture = predict(model, { at: origin, recent: daytime }, target);
    const withoutFuture = predict(model, { at: origin, recent: daytime.slice(0, -9) }, target);
    expect(withFuture).toEqual(withoutFuture);
  });

  it('builds hourly forecast points with the interval level', () => {
    const from = daytime.at(-1)!.at;
    const points = forecastPoints(model, daytime, from, 24);
    expect(points).toHaveLength(24);
    expect(points[0]!.timestamp.getTime() - from.getTime()).toBe(3_600_000);
    expect(points[23]!.timestamp.getTime() - from.getTime()).toBe(24 * 3_600_000);
    for (const point of points) {
      expect(point.confidence_level).toBe(80);
      expect(point.lower_occupancy).toBeLessThanOrEqual(point.predicted_occupancy);
      expect(point.predicted_occupancy).toBeLessThanOrEqual(point.upper_occupancy);
    }
    expect(forecastPoints(model, daytime, from, 2, 15)).toHaveLength(8);
  });
});

describe('forecast model on arbitrary input', () => {
  it('always gives finite predictions in 0–100 with lower <= predicted <= upper', () => {
    const start = Date.parse('2024-03-20T00:00:00Z');
    const instant = fc.integer({ min: 0, max: 30 * 86_400_000 }).map((offset) => new Date(start + offset));
    const observation = fc.record({
      at: instant,
      occupancy: fc.oneof(fc.double({ min: -50, max: 150, noNaN: true }), fc.constant(Number.NaN)),
    });
    fc.assert(
      fc.property(
        fc.array(observation, { maxLength: 400 }),
        fc.array(observation, { maxLength: 20 }),
        fc.array(instant, { minLength: 1, maxLength: 20 }),
        fc.constantFrom('Europe/London', 'UTC', 'America/New_York', 'Asia/Kathmandu', 'Australia/Lord_Howe'),
        fc.constantFrom(15, 30, 60),
        instant,
        (history, recent, targets, timezone, slotMinutes, at) => {
          const sorted = [...history].sort((a, b) => a.at.getTime() - b.at.getTime());
          const model = fitForecastModel(sorted, { timezone, slotMinutes });
          const predictions = predict(model, { at, recent }, targets);
          expect(predictions).toHaveLength(targets.length);
          predictions.forEach(expectValid);
        },
      ),
      { numRuns: 60 },
    );
  });
});

describe('forecast evaluation on the Birmingham data', () => {
  let evaluated: EvaluationReport | undefined;
  // Train up to 2016-11-15, test from 2016-11-16 to 2016-11-30; computed once for the tests below.
  const report = () => {
    const csv = readFileSync(
      new URL('../../../datasets/birmingham-parking-2016-10-04_2016-11-30.csv', import.meta.url),
      'utf8',
    );
    evaluated ??= evaluateForecastOnCsv(csv, { timezone: zone, lastTrainingDate: '2016-11-15' });
    return evaluated;
  };

  it('beats both baselines overall, a day ahead and 30 minutes ahead', () => {
    const { day_ahead, thirty_minutes } = report().overall;
    expect(day_ahead.points).toBeGreaterThan(5000);
    expect(thirty_minutes.points).toBeGreaterThan(5000);
    expect(day_ahead.model_mae!).toBeLessThan(day_ahead.baseline_mae!);
    expect(thirty_minutes.model_mae!).toBeLessThan(thirty_minutes.baseline_mae!);
    // And by a clear margin, not a rounding error.
    expect(day_ahead.model_mae! / day_ahead.baseline_mae!).toBeLessThan(0.95);
    expect(thirty_minutes.model_mae! / thirty_minutes.baseline_mae!).toBeLessThan(0.6);
  });

  it('keeps the 80% interval roughly honest on the test days', () => {
    expect(report().overall.day_ahead.coverage!).toBeGreaterThan(65);
    expect(report().overall.thirty_minutes.coverage!).toBeGreaterThan(70);
    expect(report().overall.thirty_minutes.coverage!).toBeLessThan(92);
  });

  it('leaves out only the car park with too little history', () => {
    expect(report().skipped_car_parks.map((s) => s.car_park)).toEqual(['NIA North']);
    expect(report().car_parks).toHaveLength(28);
    expect(report().imports).toHaveLength(29);
  });
});
