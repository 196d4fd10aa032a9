/**
 * Occupancy forecast: a seasonal profile plus a correction for the recent level.
 *
 * - Profile: expected occupancy per (facility-local weekday, time-of-day grid point every
 *   `slotMinutes`). Each observation feeds its two neighbouring grid points (linear kernel), weighted
 *   by its age (exponential decay per week), and each weekday is shrunk toward its day type
 *   (Mon–Fri or Sat–Sun) where it has little data. Between grid points the profile is interpolated.
 * - Recent level: how far the latest observation, the last day and the last week lie above or below
 *   the profile. Per horizon bucket, a weight for each (ridge regression) says how much carries over:
 *   nearly all of the latest deviation 30 minutes ahead, mostly the day's and week's a day ahead.
 * - Interval: the 10th and 90th percentiles of out-of-sample errors per horizon bucket.
 *
 * Weights and intervals come from a rolling-origin backtest over the training history: every day
 * is predicted by a profile built from the days before it only.
 */
import { utcOffsetMs } from '@easypark/kernel';

export interface Observation {
  at: Date;
  /** Occupancy rate, 0–100. */
  occupancy: number;
}

/** How much of each deviation from the profile at the origin carries over to the target. */
export interface LevelWeights {
  /** For the latest observation's deviation. */
  latest: number;
  /** For the mean deviation over the 24 hours up to the latest observation. */
  day: number;
  /** For the mean deviation over the 7 days up to the latest observation. */
  week: number;
}

export interface HorizonBucket {
  /** Horizons (latest observation to target) up to this many minutes; null: any longer horizon. */
  up_to_minutes: number | null;
  weights: LevelWeights;
  /** Added to the prediction to get the interval bounds (percentage points). */
  lower_offset: number;
  upper_offset: number;
  /** Backtest pairs behind the figures (0: borrowed from the nearest bucket, or defaults). */
  samples: number;
}

/** A fitted model: a plain object that survives JSON. */
export interface ForecastModel {
  version: 1;
  timezone: string;
  slot_minutes: number;
  /** profile[weekday - 1][slot]: expected occupancy (0–100) at the grid point, local time. */
  profile: number[][];
  /** Ascending by horizon. */
  horizons: HorizonBucket[];
  /** Nominal level of the interval, percent. */
  interval_level: number;
  /** How often the intervals held in the backtest (0–100); null when the history was too short. */
  backtest_coverage: number | null;
  observations: number;
  trained_from: string | null;
  trained_to: string | null;
}

export interface ForecastOptions {
  timezone: string;
  slotMinutes?: number;
  /** Weight of an observation relative to one a week newer. */
  weeklyDecay?: number;
  /** Weight of the day-type profile when shrinking a weekday's slot, in recent-week samples. */
  shrinkage?: number;
}

export interface Prediction {
  timestamp: Date;
  predicted_occupancy: number;
  lower: number;
  upper: number;
}

export interface ForecastPoint {
  timestamp: Date;
  predicted_occupancy: number;
  confidence_level: number;
  lower_occupancy: number;
  upper_occupancy: number;
}

export const INTERVAL_LEVEL = 80;
const LOWER_QUANTILE = (1 - INTERVAL_LEVEL / 100) / 2;
const UPPER_QUANTILE = 1 - LOWER_QUANTILE;

const DEFAULT_SLOT_MINUTES = 30;
const DEFAULT_WEEKLY_DECAY = 0.75;
const DEFAULT_SHRINKAGE = 1;
/** Horizon bucket edges in minutes; beyond the last, the recent level is not used. */
const BUCKET_EDGES = [45, 90, 150, 240, 360, 540, 840, 1200, 1560, 2160, 2880, 4320];
/** Days of history before the backtest starts predicting. */
const BACKTEST_WARMUP_DAYS = 7;
/** With fewer backtest pairs a bucket borrows its figures from the nearest one that has enough. */
const MIN_BUCKET_SAMPLES = 20;
/** Prior scale of the level weights: how far from zero a weight goes without clear evidence. */
const PRIOR_WEIGHT = 0.2;
/** A bound on any weight, against a wild fit on odd data. */
const MAX_WEIGHT = 1.5;
/** Used before any backtest: a latest deviation halving every three hours, and wide intervals. */
const DEFAULT_HALF_LIFE_MINUTES = 180;
const DEFAULT_OFFSETS = { lower: -25, upper: 25 };

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;
const WEEK_MS = 7 * DAY_MS;

// ---------------------------------------------------------------------------------------------
// Fitting.

export function fitForecastModel(observations: Observation[], options: ForecastOptions): ForecastModel {
  const slotMinutes = options.slotMinutes ?? DEFAULT_SLOT_MINUTES;
  if (!(Number.isInteger(slotMinutes) && slotMinutes > 0 && 1440 % slotMinutes === 0)) {
    throw new RangeError('slotMinutes must divide a day into whole slots');
  }
  const grid: Grid = { timezone: options.timezone, slotMinutes, slots: 1440 / slotMinutes };
  const decay = options.weeklyDecay ?? DEFAULT_WEEKLY_DECAY;
  const shrinkage = options.shrinkage ?? DEFAULT_SHRINKAGE;

  const points = usableObservations(observations).map((observation) => locate(observation, grid));
  const days = groupByLocalDay(points);
  const sums = emptySums(grid);
  const backtest: BacktestPair[][] = [];
  let total = 0;
  let count = 0;

  for (const [index, day] of days.entries()) {
    if (index >= BACKTEST_WARMUP_DAYS) {
      const profile = buildProfile(sums, shrinkage, total / count);
      backtest.push(backtestDay(days, index, profile));
    }
    // From here on the day is history.
    advanceSums(sums, day.points[0]!.time, decay);
    for (const point of day.points) {
      addToSums(sums, point, decay);
      total += point.occupancy;
      count++;
    }
  }

  const { horizons, coverage } = fitHorizons(backtest);
  return {
    version: 1,
    timezone: grid.timezone,
    slot_minutes: slotMinutes,
    profile: buildProfile(sums, shrinkage, count > 0 ? total / count : 0).map((row) => row.map(round4)),
    horizons,
    interval_level: INTERVAL_LEVEL,
    backtest_coverage: coverage,
    observations: points.length,
    trained_from: points[0] ? new Date(points[0].time).toISOString() : null,
    trained_to: points.at(-1) ? new Date(points.at(-1)!.time).toISOString() : null,
  };
}

interface Grid {
  timezone: string;
  slotMinutes: number;
  slots: number;
}

/** An observation placed on the facility's local week. */
interface Point {
  time: number;
  occupancy: number;
  /** Local calendar day, as days since 1970-01-01. */
  day: number;
  /** 0 = Monday ... 6 = Sunday. */
  weekday: number;
  /** Position on the day's grid: 1.5 is halfway between grid points 1 and 2. */
  position: number;
}

function usableObservations(observations: Observation[]): Observation[] {
  return observations
    .filter((o) => Number.isFinite(o.occupancy) && Number.isFinite(o.at.getTime()))
    .map((o) => ({ at: o.at, occupancy: clampRate(o.occupancy) }))
    .sort((a, b) => a.at.getTime() - b.at.getTime());
}

function locate(observation: Observation, grid: Grid): Point {
  const time = observation.at.getTime();
  const wall = time + utcOffsetMs(time, grid.timezone);
  const day = Math.floor(wall / DAY_MS);
  const minuteOfDay = Math.floor((wall - day * DAY_MS) / MINUTE_MS);
  return {
    time,
    occupancy: observation.occupancy,
    day,
    weekday: (((day + 3) % 7) + 7) % 7, // 1970-01-01 was a Thursday
    position: minuteOfDay / grid.slotMinutes,
  };
}

interface Day {
  points: Point[];
}

function groupByLocalDay(points: Point[]): Day[] {
  const days: Day[] = [];
  for (const point of points) {
    const last = days.at(-1);
    if (last && last.points[0]!.day === point.day) last.points.push(point);
    else days.push({ points: [point] });
  }
  return days;
}

// ---------------------------------------------------------------------------------------------
// The seasonal profile: decayed, kernel-weighted sums per (weekday, grid point).

interface Sums {
  /** Weighted occupancy and weight per weekday and grid point, weights relative to `reference`. */
  value: number[][];
  weight: number[][];
  reference: number | null;
}

function emptySums(grid: Grid): Sums {
  const table = () => Array.from({ length: 7 }, () => new Array<number>(grid.slots).fill(0));
  return { value: table(), weight: table(), reference: null };
}

/** Moves the decay's reference time forward, ageing everything already summed. */
function advanceSums(sums: Sums, reference: number, decay: number): void {
  if (sums.reference !== null && reference <= sums.reference) return;
  if (sums.reference !== null) {
    const factor = decay ** ((reference - sums.reference) / WEEK_MS);
    for (const table of [sums.value, sums.weight]) {
      for (const row of table) for (let g = 0; g < row.length; g++) row[g]! *= factor;
    }
  }
  sums.reference = reference;
}

function addToSums(sums: Sums, point: Point, decay: number): void {
  const age = decay ** (Math.max(0, sums.reference! - point.time) / WEEK_MS);
  const slots = sums.value[0]!.length;
  const below = Math.floor(point.position);
  const share = point.position - below;
  const [nextWeekday, nextSlot] =
    below + 1 === slots ? [(point.weekday + 1) % 7, 0] : [point.weekday, below + 1];
  sums.value[point.weekday]![below]! += age * (1 - share) * point.occupancy;
  sums.weight[point.weekday]![below]! += age * (1 - share);
  sums.value[nextWeekday]![nextSlot]! += age * share * point.occupancy;
  sums.weight[nextWeekday]![nextSlot]! += age * share;
}

const DAY_TYPES = [
  [0, 1, 2, 3, 4],
  [5, 6],
];

/**
 * Each weekday's slot, shrunk toward its day type's value (or all days') by `shrinkage` samples.
 * Slots without data take the nearest slot of the same day; days without data their day type's
 * (or all days') shape; no data at all gives a flat `fallbackLevel`.
 */
function buildProfile(sums: Sums, shrinkage: number, fallbackLevel: number): number[][] {
  const slots = sums.value[0]!.length;
  const pooled = (weekdays: number[]) =>
    Array.from({ length: slots }, (_, g) => {
      let value = 0;
      let weight = 0;
      for (const w of weekdays) {
        value += sums.value[w]![g]!;
        weight += sums.weight[w]![g]!;
      }
      return weight > 1e-9 ? value / weight : null;
    });
  const allDays = pooled([0, 1, 2, 3, 4, 5, 6]);
  const filledAllDays = fillFromNearest(allDays) ?? new Array<number>(slots).fill(fallbackLevel);
  const byType = DAY_TYPES.map((weekdays) => pooled(weekdays).map((v, g) => v ?? allDays[g] ?? null));
  const filledByType = byType.map((row) => fillFromNearest(row) ?? filledAllDays);

  return Array.from({ length: 7 }, (_, w) => {
    const type = DAY_TYPES[0]!.includes(w) ? 0 : 1;
    const own = sums.weight[w]!.map((weight, g) => {
      const prior = byType[type]![g] ?? null;
      if (prior === null) return weight > 1e-9 ? sums.value[w]![g]! / weight : null;
      return (sums.value[w]![g]! + shrinkage * prior) / (weight + shrinkage);
    });
    return fillFromNearest(own) ?? filledByType[type]!;
  });
}

/** Nulls replaced by the nearest value around the clock (ties: the earlier slot); null if all are. */
function fillFromNearest(row: Array<number | null>): number[] | null {
  if (row.every((v) => v === null)) return null;
  const n = row.length;
  return row.map((value, g) => {
    if (value !== null) return value;
    for (let distance = 1; ; distance++) {
      const earlier = row[(g - distance + n) % n];
      if (earlier !== null && earlier !== undefined) return earlier;
      const later = row[(g + distance) % n];
      if (later !== null && later !== undefined) return later;
    }
  });
}

/** Linear interpolation between the grid points around a position (the last runs into the next day). */
function profileAt(profile: number[][], point: Point): number {
  const slots = profile[0]!.length;
  const below = Math.floor(point.position);
  const share = point.position - below;
  const next =
    below + 1 === slots ? profile[(point.weekday + 1) % 7]![0]! : profile[point.weekday]![below + 1]!;
  return (1 - share) * profile[point.weekday]![below]! + share * next;
}

// ---------------------------------------------------------------------------------------------
// The recent level: deviations from the profile up to an origin.

/** Deviations from the profile (percentage points) seen at an origin. */
interface LevelState {
  latest: number;
  day: number;
  week: number;
}

/** For each point (in time order), the level state if it were the latest observation. */
function levelStates(points: Point[], profile: number[][]): LevelState[] {
  const deviations = points.map((p) => p.occupancy - profileAt(profile, p));
  const cumulative = [0];
  for (const deviation of deviations) cumulative.push(cumulative.at(-1)! + deviation);
  const meanSince = (first: number, last: number) =>
    (cumulative[last + 1]! - cumulative[first]!) / (last + 1 - first);
  let dayStart = 0;
  let weekStart = 0;
  return points.map((point, i) => {
    while (point.time - points[dayStart]!.time >= DAY_MS) dayStart++;
    while (point.time - points[weekStart]!.time >= WEEK_MS) weekStart++;
    return { latest: deviations[i]!, day: meanSince(dayStart, i), week: meanSince(weekStart, i) };
  });
}

function levelCorrection(weights: LevelWeights, state: LevelState): number {
  return weights.latest * state.latest + weights.day * state.day + weights.week * state.week;
}

// ---------------------------------------------------------------------------------------------
// Rolling-origin backtest: the level state at an origin against the outcome at a later target.

interface BacktestPair {
  bucket: number;
  state: LevelState;
  /** The target's profile value and what was observed. */
  base: number;
  actual: number;
}

const NO_LEVEL: LevelState = { latest: 0, day: 0, week: 0 };

/**
 * Day `index` predicted from the profile of the days before it. For each target and horizon
 * bucket the origin is the latest observation whose horizon falls into that bucket. Origins on
 * earlier days are judged against this same profile, which includes them, just as in `predict`.
 */
function backtestDay(days: Day[], index: number, profile: number[][]): BacktestPair[] {
  const reach = BUCKET_EDGES.at(-1)! * MINUTE_MS + WEEK_MS;
  const dayStart = days[index]!.points[0]!.time;
  let from = index;
  while (from > 0 && dayStart - days[from - 1]!.points.at(-1)!.time <= reach) from--;
  const points = days.slice(from, index + 1).flatMap((day) => day.points);
  const states = levelStates(points, profile);
  const firstTarget = points.length - days[index]!.points.length;

  const pairs: BacktestPair[] = [];
  for (let t = firstTarget; t < points.length; t++) {
    const target = points[t]!;
    const base = profileAt(profile, target);
    // The bucket beyond the last edge: the profile alone.
    pairs.push({ bucket: BUCKET_EDGES.length, state: NO_LEVEL, base, actual: target.occupancy });
    // Walking back in time the horizon only grows, so the bucket only moves up.
    let bucket = 0;
    let lastPaired = -1;
    for (let o = t - 1; o >= 0; o--) {
      const minutes = (target.time - points[o]!.time) / MINUTE_MS;
      while (bucket < BUCKET_EDGES.length && minutes > BUCKET_EDGES[bucket]!) bucket++;
      if (bucket === BUCKET_EDGES.length) break;
      if (bucket === lastPaired) continue;
      lastPaired = bucket;
      pairs.push({ bucket, state: states[o]!, base, actual: target.occupancy });
    }
  }
  return pairs;
}

function fitHorizons(backtest: BacktestPair[][]): { horizons: HorizonBucket[]; coverage: number | null } {
  const bucketCount = BUCKET_EDGES.length + 1;
  const byBucket: BacktestPair[][] = Array.from({ length: bucketCount }, () => []);
  for (const day of backtest) for (const pair of day) byBucket[pair.bucket]!.push(pair);
  const weights = [
    ...borrowFromNearest(
      BUCKET_EDGES.map((_, b) =>
        byBucket[b]!.length >= MIN_BUCKET_SAMPLES ? fitLevelWeights(byBucket[b]!) : null,
      ),
      defaultWeights,
    ),
    NO_LEVEL,
  ];

  // Errors of the corrected prediction, day by day. Each day's coverage is judged with the
  // quantiles of the days before it only, so the figure is out-of-sample.
  const sortedErrors: number[][] = Array.from({ length: bucketCount }, () => []);
  let held = 0;
  let judged = 0;
  for (const day of backtest) {
    const errors = day.map((pair) => ({
      bucket: pair.bucket,
      error: pair.actual - clampRate(pair.base + levelCorrection(weights[pair.bucket]!, pair.state)),
    }));
    for (const { bucket, error } of errors) {
      const sorted = sortedErrors[bucket]!;
      if (sorted.length < MIN_BUCKET_SAMPLES) continue;
      judged++;
      if (error >= quantile(sorted, LOWER_QUANTILE) && error <= quantile(sorted, UPPER_QUANTILE)) held++;
    }
    for (const { bucket, error } of errors) insertSorted(sortedErrors[bucket]!, error);
  }
  const offsets = borrowFromNearest(
    sortedErrors.map((sorted) =>
      sorted.length >= MIN_BUCKET_SAMPLES
        ? { lower: quantile(sorted, LOWER_QUANTILE), upper: quantile(sorted, UPPER_QUANTILE) }
        : null,
    ),
    () => DEFAULT_OFFSETS,
  );

  const horizons = weights.map((w, b) => ({
    up_to_minutes: BUCKET_EDGES[b] ?? null,
    weights: { latest: round4(w.latest), day: round4(w.day), week: round4(w.week) },
    lower_offset: round4(Math.min(0, offsets[b]!.lower)),
    upper_offset: round4(Math.max(0, offsets[b]!.upper)),
    samples: byBucket[b]!.length >= MIN_BUCKET_SAMPLES ? byBucket[b]!.length : 0,
  }));
  return { horizons, coverage: judged > 0 ? round4((100 * held) / judged) : null };
}

/**
 * Least squares of the target's deviation on the origin's three deviations, as a ridge regression
 * whose penalty grows with the noise of the fit: a weight learnt from a noisy horizon is shrunk
 * toward zero (a prior of about ±PRIOR_WEIGHT), one from a clear relation hardly at all.
 */
function fitLevelWeights(pairs: BacktestPair[]): LevelWeights {
  const features = pairs.map((pair) => [pair.state.latest, pair.state.day, pair.state.week]);
  const outcomes = pairs.map((pair) => pair.actual - pair.base);
  const gram = [0, 1, 2].map((i) => [0, 1, 2].map((j) => sum(features.map((x) => x[i]! * x[j]!))));
  const moment = [0, 1, 2].map((i) => sum(features.map((x, n) => x[i]! * outcomes[n]!)));
  const solve = (penalty: number) =>
    solveLinear(
      gram.map((row, i) => row.map((value, j) => (i === j ? value + penalty : value))),
      moment,
    );

  const trace = gram[0]![0]! + gram[1]![1]! + gram[2]![2]!;
  const plain = solve(1e-6 * trace + 1e-9);
  const residualVariance =
    sum(outcomes.map((y, n) => (y - features[n]!.reduce((s, x, i) => s + x * plain[i]!, 0)) ** 2)) /
    pairs.length;
  const [latest, day, week] = solve(residualVariance / PRIOR_WEIGHT ** 2 + 1e-9).map((w) =>
    clamp(w, -MAX_WEIGHT, MAX_WEIGHT),
  );
  return { latest: latest!, day: day!, week: week! };
}

function sum(values: number[]): number {
  return values.reduce((total, value) => total + value, 0);
}

/** Gaussian elimination with partial pivoting, for the small positive-definite systems above. */
function solveLinear(matrix: number[][], vector: number[]): number[] {
  const n = vector.length;
  const a = matrix.map((row, i) => [...row, vector[i]!]);
  for (let col = 0; col < n; col++) {
    let pivot = col;
    for (let row = col + 1; row < n; row++)
      if (Math.abs(a[row]![col]!) > Math.abs(a[pivot]![col]!)) pivot = row;
    [a[col], a[pivot]] = [a[pivot]!, a[col]!];
    for (let row = col + 1; row < n; row++) {
      const factor = a[row]![col]! / a[col]![col]!;
      for (let c = col; c <= n; c++) a[row]![c]! -= factor * a[col]![c]!;
    }
  }
  const solution = new Array<number>(n).fill(0);
  for (let row = n - 1; row >= 0; row--) {
    let remainder = a[row]![n]!;
    for (let c = row + 1; c < n; c++) remainder -= a[row]![c]! * solution[c]!;
    solution[row] = remainder / a[row]![row]!;
  }
  return solution.map((v) => (Number.isFinite(v) ? v : 0));
}

function defaultWeights(bucket: number): LevelWeights {
  return { latest: 0.5 ** (BUCKET_EDGES[bucket]! / DEFAULT_HALF_LIFE_MINUTES), day: 0, week: 0 };
}

/** Missing entries take the nearest measured one (ties: the longer horizon); the default if none. */
function borrowFromNearest<T>(values: Array<T | null>, fallback: (index: number) => T): T[] {
  return values.map((value, index) => {
    if (value !== null) return value;
    for (let distance = 1; distance < values.length; distance++) {
      const longer = values[index + distance];
      if (longer !== null && longer !== undefined) return longer;
      const shorter = values[index - distance];
      if (shorter !== null && shorter !== undefined) return shorter;
    }
    return fallback(index);
  });
}

function insertSorted(sorted: number[], value: number): void {
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const mid = (low + high) >> 1;
    if (sorted[mid]! <= value) low = mid + 1;
    else high = mid;
  }
  sorted.splice(low, 0, value);
}

/** Linear interpolation between order statistics (the usual "type 7" quantile). */
function quantile(sorted: number[], q: number): number {
  const position = (sorted.length - 1) * q;
  const below = Math.floor(position);
  const above = Math.min(below + 1, sorted.length - 1);
  return sorted[below]! + (position - below) * (sorted[above]! - sorted[below]!);
}

// ---------------------------------------------------------------------------------------------
// Prediction.

/**
 * Predictions for `targets` from the observations up to `origin.at` (later ones are ignored).
 * Rates 0–100, rounded to one decimal, with `lower <= predicted_occupancy <= upper`.
 */
export function predict(
  model: ForecastModel,
  origin: { at: Date; recent: Observation[] },
  targets: Date[],
): Prediction[] {
  const grid: Grid = {
    timezone: model.timezone,
    slotMinutes: model.slot_minutes,
    slots: 1440 / model.slot_minutes,
  };
  const known = origin.recent.filter(
    (o) => o.at.getTime() <= origin.at.getTime() && Number.isFinite(o.occupancy),
  );
  const latestTime = known.reduce((latest, o) => Math.max(latest, o.at.getTime()), Number.NEGATIVE_INFINITY);
  const lastWeek = usableObservations(known.filter((o) => latestTime - o.at.getTime() < WEEK_MS));
  const state =
    levelStates(
      lastWeek.map((o) => locate(o, grid)),
      model.profile,
    ).at(-1) ?? NO_LEVEL;

  return targets.map((timestamp) => {
    if (!Number.isFinite(timestamp.getTime())) throw new RangeError('a forecast target is not a valid time');
    const point = locate({ at: timestamp, occupancy: 0 }, grid);
    const minutes = (point.time - latestTime) / MINUTE_MS;
    const bucket = model.horizons.find((h) => h.up_to_minutes === null || minutes <= h.up_to_minutes);
    const correction = bucket ? levelCorrection(bucket.weights, state) : 0;
    const predicted = round1(clampRate(profileAt(model.profile, point) + correction));
    const lower = round1(clampRate(predicted + (bucket?.lower_offset ?? DEFAULT_OFFSETS.lower)));
    const upper = round1(clampRate(predicted + (bucket?.upper_offset ?? DEFAULT_OFFSETS.upper)));
    return {
      timestamp,
      predicted_occupancy: predicted,
      lower: Math.min(lower, predicted),
      upper: Math.max(upper, predicted),
    };
  });
}

/** A forecast every `stepMinutes` after `from`, up to `hoursAhead` hours, in the API's shape. */
export function forecastPoints(
  model: ForecastModel,
  recent: Observation[],
  from: Date,
  hoursAhead: number,
  stepMinutes = 60,
): ForecastPoint[] {
  const steps = Math.max(0, Math.floor((hoursAhead * 60) / stepMinutes));
  const targets = Array.from(
    { length: steps },
    (_, i) => new Date(from.getTime() + (i + 1) * stepMinutes * MINUTE_MS),
  );
  return predict(model, { at: from, recent }, targets).map((p) => ({
    timestamp: p.timestamp,
    predicted_occupancy: p.predicted_occupancy,
    confidence_level: model.interval_level,
    lower_occupancy: p.lower,
    upper_occupancy: p.upper,
  }));
}

function clamp(value: number, low: number, high: number): number {
  return Math.min(high, Math.max(low, value));
}

function clampRate(value: number): number {
  return Number.isFinite(value) ? clamp(value, 0, 100) : 0;
}

function round1(value: number): number {
  return Math.round(value * 10) / 10;
}

function round4(value: number): number {
  return Math.round(value * 10_000) / 10_000;
}
