/**
 * Out-of-sample evaluation of the forecast against naive baselines, on history with a
 * train/test split by local date. Pure: text in, figures out (the CLI is scripts/eval-forecast.ts).
 *
 * For every test day the model is refitted on all data before that local day. It then predicts
 * - day ahead: every observation of the day from the data up to the previous day, against the
 *   same car park one week earlier (nearest observation within ±15 minutes of the same local time);
 * - 30 minutes ahead: every observation from the latest one 25–35 minutes before it, against
 *   that observation's value (persistence).
 * Points the baseline cannot cover are dropped for both, so they are compared on the same points.
 */
import { addDays, localMidnight, localParts } from '@easypark/kernel';
import { type ForecastOptions, fitForecastModel, type Observation, predict } from './forecast.ts';
import { type ImportResult, listCarParks, parseOccupancyImport } from './occupancy-import.ts';

export interface EvaluationOptions {
  timezone: string;
  /** Last local date (YYYY-MM-DD) of the training period; the test period is every day after it. */
  lastTrainingDate: string;
  /** Car parks with fewer local days of training data are left out. */
  minTrainingDays?: number;
  /** Model settings other than the time zone (defaults otherwise). */
  model?: Omit<ForecastOptions, 'timezone'>;
}

/** Absolute errors summed, so scores pool over car parks exactly. */
export interface HorizonScore {
  points: number;
  model_error_sum: number;
  baseline_error_sum: number;
  /** Points whose actual value lay inside the model's interval. */
  covered: number;
}

export interface HorizonSummary {
  points: number;
  model_mae: number | null;
  baseline_mae: number | null;
  /** Share of points inside the model's 80% interval, 0–100. */
  coverage: number | null;
}

export interface CarParkEvaluation {
  car_park: string;
  training_points: number;
  test_points: number;
  day_ahead: HorizonSummary;
  thirty_minutes: HorizonSummary;
  /** The interval coverage the last model fitted claimed from its own backtest (0–100). */
  backtest_coverage: number | null;
}

export interface EvaluationReport {
  car_parks: CarParkEvaluation[];
  overall: { day_ahead: HorizonSummary; thirty_minutes: HorizonSummary };
  skipped_car_parks: Array<{ car_park: string; reason: string }>;
  imports: Array<{
    car_park: string;
    accepted: number;
    skipped: ImportResult['skipped'];
    gaps: string[];
  }>;
  method: string;
}

export const EVALUATION_METHOD =
  'model refitted per test day on all data before that local day; within the day, the 30-minute ' +
  'forecast also uses the observations up to its origin';

const DEFAULT_MIN_TRAINING_DAYS = 14;
const MINUTE_MS = 60_000;
const BASELINE_TOLERANCE_MS = 15 * MINUTE_MS;
const ORIGIN_MIN_MS = 25 * MINUTE_MS;
const ORIGIN_MAX_MS = 35 * MINUTE_MS;

/** Imports every car park of a Birmingham-shaped CSV and evaluates each one. */
export function evaluateForecastOnCsv(csv: string, options: EvaluationOptions): EvaluationReport {
  const minTrainingDays = options.minTrainingDays ?? DEFAULT_MIN_TRAINING_DAYS;
  const carParks: CarParkEvaluation[] = [];
  const skippedCarParks: EvaluationReport['skipped_car_parks'] = [];
  const imports: EvaluationReport['imports'] = [];
  const pooledDayAhead = emptyScore();
  const pooledThirtyMinutes = emptyScore();

  for (const carPark of listCarParks(csv)) {
    const imported = parseOccupancyImport(csv, 'csv', { timezone: options.timezone, carPark });
    imports.push({
      car_park: carPark,
      accepted: imported.accepted,
      skipped: imported.skipped,
      gaps: imported.gaps,
    });
    const observations = imported.rows.map((row) => ({
      at: row.timestamp,
      occupancy: (row.occupied_spaces / row.capacity) * 100,
    }));

    const split = splitByDate(observations, options);
    if (split.trainingDays < minTrainingDays || split.testDays === 0) {
      skippedCarParks.push({
        car_park: carPark,
        reason: `${split.trainingDays} training days (at least ${minTrainingDays} needed), ${split.testDays} test days`,
      });
      continue;
    }
    const scores = evaluateSeries(observations, options);
    addScore(pooledDayAhead, scores.dayAhead);
    addScore(pooledThirtyMinutes, scores.thirtyMinutes);
    carParks.push({
      car_park: carPark,
      training_points: split.trainingPoints,
      test_points: observations.length - split.trainingPoints,
      day_ahead: summarise(scores.dayAhead),
      thirty_minutes: summarise(scores.thirtyMinutes),
      backtest_coverage: scores.backtestCoverage,
    });
  }

  return {
    car_parks: carParks,
    overall: { day_ahead: summarise(pooledDayAhead), thirty_minutes: summarise(pooledThirtyMinutes) },
    skipped_car_parks: skippedCarParks,
    imports,
    method: EVALUATION_METHOD,
  };
}

/** Scores one car park's series (rates 0–100, sorted by time) on the days after the training period. */
export function evaluateSeries(
  observations: Observation[],
  options: EvaluationOptions,
): { dayAhead: HorizonScore; thirtyMinutes: HorizonScore; backtestCoverage: number | null } {
  const zone = options.timezone;
  const dates = observations.map((o) => localParts(o.at, zone).date);
  const times = observations.map((o) => o.at.getTime());
  const dayAhead = emptyScore();
  const thirtyMinutes = emptyScore();
  let backtestCoverage: number | null = null;

  const testDates = [...new Set(dates)].filter((date) => date > options.lastTrainingDate);
  for (const date of testDates) {
    const dayStart = dates.indexOf(date);
    const dayEnd = dates.lastIndexOf(date) + 1;
    const history = observations.slice(0, dayStart);
    const day = observations.slice(dayStart, dayEnd);
    const model = fitForecastModel(history, { ...options.model, timezone: zone });
    backtestCoverage = model.backtest_coverage;

    const midnight = localMidnight(date, zone).getTime();
    const weekEarlierMidnight = localMidnight(addDays(date, -7), zone).getTime();
    const dayAheadTargets = day.flatMap((o) => {
      const baseline = nearestWithin(times, weekEarlierMidnight + (o.at.getTime() - midnight));
      return baseline === null
        ? []
        : [{ actual: o.occupancy, baseline: observations[baseline]!.occupancy, at: o.at }];
    });
    const dayAheadPredictions = predict(
      model,
      { at: new Date(midnight), recent: history },
      dayAheadTargets.map((t) => t.at),
    );
    dayAheadTargets.forEach((target, i) => {
      score(dayAhead, target.actual, target.baseline, dayAheadPredictions[i]!);
    });

    for (let j = dayStart; j < dayEnd; j++) {
      const origin = latestAtOrBefore(times, times[j]! - ORIGIN_MIN_MS);
      if (origin < 0 || times[origin]! < times[j]! - ORIGIN_MAX_MS) continue;
      const [prediction] = predict(
        model,
        { at: observations[origin]!.at, recent: observations.slice(0, origin + 1) },
        [observations[j]!.at],
      );
      score(thirtyMinutes, observations[j]!.occupancy, observations[origin]!.occupancy, prediction!);
    }
  }
  return { dayAhead, thirtyMinutes, backtestCoverage };
}

function splitByDate(observations: Observation[], options: EvaluationOptions) {
  const dates = observations.map((o) => localParts(o.at, options.timezone).date);
  const trainingDates = new Set(dates.filter((d) => d <= options.lastTrainingDate));
  const testDates = new Set(dates.filter((d) => d > options.lastTrainingDate));
  return {
    trainingDays: trainingDates.size,
    testDays: testDates.size,
    trainingPoints: dates.filter((d) => d <= options.lastTrainingDate).length,
  };
}

function emptyScore(): HorizonScore {
  return { points: 0, model_error_sum: 0, baseline_error_sum: 0, covered: 0 };
}

function score(
  into: HorizonScore,
  actual: number,
  baseline: number,
  prediction: { predicted_occupancy: number; lower: number; upper: number },
): void {
  into.points++;
  into.model_error_sum += Math.abs(actual - prediction.predicted_occupancy);
  into.baseline_error_sum += Math.abs(actual - baseline);
  if (actual >= prediction.lower && actual <= prediction.upper) into.covered++;
}

function addScore(into: HorizonScore, from: HorizonScore): void {
  into.points += from.points;
  into.model_error_sum += from.model_error_sum;
  into.baseline_error_sum += from.baseline_error_sum;
  into.covered += from.covered;
}

function summarise(score: HorizonScore): HorizonSummary {
  const mean = (sum: number) => (score.points > 0 ? sum / score.points : null);
  return {
    points: score.points,
    model_mae: mean(score.model_error_sum),
    baseline_mae: mean(score.baseline_error_sum),
    coverage: score.points > 0 ? (100 * score.covered) / score.points : null,
  };
}

/** Index of the last time <= `limit`, or -1. */
function latestAtOrBefore(times: number[], limit: number): number {
  let low = 0;
  let high = times.length;
  while (low < high) {
    const mid = (low + high) >> 1;
    if (times[mid]! <= limit) low = mid + 1;
    else high = mid;
  }
  return low - 1;
}

/** Index of the time nearest to `at` within the baseline tolerance, or null. */
function nearestWithin(times: number[], at: number): number | null {
  const before = latestAtOrBefore(times, at);
  let best: number | null = null;
  for (const i of [before, before + 1]) {
    const time = times[i];
    if (time === undefined || Math.abs(time - at) > BASELINE_TOLERANCE_MS) continue;
    if (best === null || Math.abs(time - at) < Math.abs(times[best]! - at)) best = i;
  }
  return best;
}
