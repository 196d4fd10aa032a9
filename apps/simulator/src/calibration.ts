/**
 * When cars arrive and how long they stay, calibrated on real occupancy: the Birmingham car parks'
 * October–November 2016 readings (datasets/birmingham-parking-2016-10-04_2016-11-30.csv), about
 * every 30 minutes from 08:00 to 16:30 local time. Pure functions, except loadBirminghamProfile.
 *
 * The model. A car park is a queue with unlimited servers: cars arrive at a rate λ(t) and each
 * stays for a time S drawn from one distribution, so the occupancy O(t) rises by the arrivals and
 * falls by the departures of cars that came earlier:
 *
 *   O(t + dt) = O(t) + λ(t)·dt − Σ_{u < t} λ(u)·dt · P(S ends in [t, t + dt) | arrived at u)
 *
 * The readings give O(t); the stay distribution is an assumption (the data has occupancy, not
 * tickets): log-normal with a median of 2 h and σ = 0.9 (mean ≈ 3 h), between 10 minutes and 24
 * hours, the usual shape of town-centre stays. Solving the equation for λ step by step (arrivals =
 * the rise in occupancy + the departures owed by earlier arrivals) gives the arrival rate per
 * weekday and hour, as a share of capacity. The assumption is checked against the data: with these
 * stays the derived arrivals never have to be negative (with stays of 5 hours or more on average
 * they would at 16:00 on weekdays: the occupancy falls faster than such long-staying cars leave).
 * Weekdays come out at about 2.7 arrivals per space and day, busiest from 09:00 to 12:00.
 *
 * Outside the observed hours the occupancy is extended: overnight it rests at the quietest
 * morning's first reading (cars parked for the night, before anyone arrives); before 08:00 it
 * ramps up to the first reading at the slope seen between 08:00 and 08:30; after 16:30 it decays
 * towards the overnight level at the rate seen over the last half hour.
 */
import { readFileSync } from 'node:fs';

export interface OccupancyReading {
  carPark: string;
  capacity: number;
  occupied: number;
  /** 0 = Monday … 6 = Sunday, local time. */
  weekday: number;
  /** Minutes since local midnight. */
  minuteOfDay: number;
}

export interface StayDistribution {
  medianHours: number;
  /** The standard deviation of the stay's logarithm. */
  sigma: number;
  minHours: number;
  maxHours: number;
}

export interface TrafficProfile {
  /** Arrivals per hour as a share of capacity, by weekday (0 = Monday) and local hour. */
  arrivalsPerHour: number[][];
  /** The share of capacity occupied, by weekday and half-hour slot (0 = 00:00–00:30). */
  occupancy: number[][];
  stay: StayDistribution;
}

export const cityCentreStays: StayDistribution = {
  medianHours: 2,
  sigma: 0.9,
  minHours: 1 / 6,
  maxHours: 24,
};

export const SLOT_HOURS = 0.5;
export const SLOTS_PER_DAY = 48;
const SLOTS_PER_WEEK = 7 * SLOTS_PER_DAY;
/** A slot with fewer readings than this share of the day's best-covered slot is treated as unobserved. */
const MIN_COVERAGE = 0.25;
/** The morning ramp lasts at most this long before the first reading. */
const MAX_RAMP_HOURS = 3;
/** Bounds of the evening decay's time constant. */
const MIN_DECAY_HOURS = 1;
const MAX_DECAY_HOURS = 6;
/** Whole weeks solved before the one kept, so that cars still parked from the week before are counted. */
const WARM_UP_WEEKS = 2;

/**
 * The readings of the Birmingham file, without the rows real exports have wrong: occupancy below
 * zero or above capacity, and repeated (car park, time) pairs.
 */
export function readBirminghamCsv(text: string): OccupancyReading[] {
  const readings: OccupancyReading[] = [];
  const seen = new Set<string>();
  for (const line of text.split('\n')) {
    const [carPark, capacityText, occupiedText, at] = line.trim().split(',');
    if (!carPark || !at || carPark === 'SystemCodeNumber') continue;
    const capacity = Number(capacityText);
    const occupied = Number(occupiedText);
    const match = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2})/.exec(at);
    if (!match || !(capacity > 0) || !(occupied >= 0) || occupied > capacity) continue;
    const key = `${carPark}|${at}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const [, year, month, day, hour, minute] = match.map(Number) as number[];
    const sundayFirst = new Date(Date.UTC(year!, month! - 1, day!)).getUTCDay();
    readings.push({
      carPark,
      capacity,
      occupied,
      weekday: (sundayFirst + 6) % 7,
      minuteOfDay: hour! * 60 + minute!,
    });
  }
  return readings;
}

/**
 * The mean share of capacity occupied per weekday and half-hour slot (each reading counts in the
 * nearest slot; every car park counts the same); NaN where the data has (almost) nothing.
 */
export function occupancyBySlot(readings: readonly OccupancyReading[]): number[][] {
  const sums = grid(7, SLOTS_PER_DAY, 0);
  const counts = grid(7, SLOTS_PER_DAY, 0);
  for (const r of readings) {
    const slot = Math.round(r.minuteOfDay / 30) % SLOTS_PER_DAY;
    sums[r.weekday]![slot]! += r.occupied / r.capacity;
    counts[r.weekday]![slot]! += 1;
  }
  return sums.map((row, day) => {
    const best = Math.max(...counts[day]!);
    return row.map((sum, slot) => {
      const count = counts[day]![slot]!;
      return best > 0 && count >= best * MIN_COVERAGE ? sum / count : Number.NaN;
    });
  });
}

/** Every half-hour of the week, observed or extended as the module comment says; [weekday][slot]. */
export function weeklyOccupancy(bySlot: readonly (readonly number[])[]): number[][] {
  const firstReadings = bySlot.map((row) => row.find((value) => !Number.isNaN(value)));
  if (firstReadings.some((value) => value === undefined)) throw new Error('a weekday has no readings');
  const overnight = Math.min(...(firstReadings as number[]));
  const curves = bySlot.map((row) => dayCurve(row, overnight));
  return bySlot.map((_, day) =>
    Array.from({ length: SLOTS_PER_DAY }, (_, slot) => {
      const hour = slot * SLOT_HOURS;
      const previous = (day + 6) % 7;
      // The day's own curve, or the evening before still emptying, whichever has more cars.
      return Math.max(curves[day]!(hour), curves[previous]!(hour + 24));
    }),
  );
}

/** One day's occupancy at any hour from its midnight (before 0 or after 24 too). */
function dayCurve(row: readonly number[], overnight: number): (hour: number) => number {
  const observed = row.flatMap((value, slot) =>
    Number.isNaN(value) ? [] : [{ hour: slot * SLOT_HOURS, value }],
  );
  const first = observed[0]!;
  const last = observed[observed.length - 1]!;
  const second = observed[1] ?? first;
  const beforeLast = observed[observed.length - 2] ?? last;

  const observedRise =
    second.hour > first.hour ? (second.value - first.value) / (second.hour - first.hour) : 0;
  const rampSlope = Math.max(observedRise, (first.value - overnight) / MAX_RAMP_HOURS, 1e-9);
  const lastSlope =
    last.hour > beforeLast.hour ? (last.value - beforeLast.value) / (last.hour - beforeLast.hour) : 0;
  const decayHours =
    lastSlope < 0
      ? Math.min(MAX_DECAY_HOURS, Math.max(MIN_DECAY_HOURS, (last.value - overnight) / -lastSlope))
      : MAX_DECAY_HOURS;

  return (hour) => {
    if (hour <= first.hour) return Math.max(overnight, first.value - rampSlope * (first.hour - hour));
    if (hour >= last.hour)
      return overnight + (last.value - overnight) * Math.exp(-(hour - last.hour) / decayHours);
    const after = observed.findIndex((point) => point.hour >= hour);
    const right = observed[after]!;
    const left = observed[after - 1]!;
    return left.value + ((right.value - left.value) * (hour - left.hour)) / (right.hour - left.hour);
  };
}

/**
 * Arrivals per hour (share of capacity) for each half-hour slot of the week, solved from the
 * week's occupancy and the stay distribution (see the module comment). Negative solutions, where
 * the occupancy falls faster than the cars present can leave, become 0.
 */
export function solveArrivals(
  occupancy: readonly (readonly number[])[],
  stay: StayDistribution,
): { perSlot: number[]; clippedSlots: number[] } {
  const week = occupancy.flat();
  // leaveAfter[m]: probability that a car arriving during a slot leaves m slots later (arrivals
  // are taken at the middle of their slot).
  const maxSlots = Math.ceil(stay.maxHours / SLOT_HOURS) + 1;
  const leaveAfter = Array.from({ length: maxSlots + 1 }, (_, m) => {
    const from = Math.max(0, (m - 0.5) * SLOT_HOURS);
    return stayCdf(stay, (m + 0.5) * SLOT_HOURS) - stayCdf(stay, from);
  });
  // Before the first slot, a steady state (the cars then present came at a constant rate), so
  // that they leave like any others; the warm-up weeks then wash this guess out.
  const steadyArrivals = (week[0]! / meanStayHours(stay)) * SLOT_HOURS;
  const arrivals = new Array<number>(maxSlots).fill(steadyArrivals);
  const clipped = new Set<number>();
  for (let k = 0; k < SLOTS_PER_WEEK * (WARM_UP_WEEKS + 1); k++) {
    const at = maxSlots + k;
    let owedDepartures = 0;
    for (let m = 1; m <= maxSlots; m++) owedDepartures += arrivals[at - m]! * leaveAfter[m]!;
    const rise = week[(k + 1) % SLOTS_PER_WEEK]! - week[k % SLOTS_PER_WEEK]!;
    // Arrivals of this slot that also leave in it count on both sides.
    const solved = (rise + owedDepartures) / (1 - leaveAfter[0]!);
    if (k >= SLOTS_PER_WEEK * WARM_UP_WEEKS && solved < 0) clipped.add(k % SLOTS_PER_WEEK);
    arrivals.push(Math.max(0, solved));
  }
  const lastWeek = arrivals.slice(-SLOTS_PER_WEEK);
  return { perSlot: lastWeek.map((a) => a / SLOT_HOURS), clippedSlots: [...clipped].sort((a, b) => a - b) };
}

/**
 * The expected occupancy of each half-hour slot (at its end) of a week in a steady state, given arrivals per hour
 * per slot: the forward direction of solveArrivals, to check a profile reproduces the data.
 */
export function expectedOccupancy(arrivalsPerSlot: readonly number[], stay: StayDistribution): number[] {
  const presentAfter = (hours: number) => 1 - stayCdf(stay, hours);
  const result = new Array<number>(SLOTS_PER_WEEK).fill(0);
  const horizon = Math.ceil(stay.maxHours / SLOT_HOURS) + 1;
  for (let k = 0; k < SLOTS_PER_WEEK; k++) {
    let cars = 0;
    // Cars that arrived j slots before the end of slot k (in the middle of that slot) and are still there.
    for (let j = 0; j <= horizon; j++) {
      const slot = (((k - j) % SLOTS_PER_WEEK) + SLOTS_PER_WEEK) % SLOTS_PER_WEEK;
      cars += arrivalsPerSlot[slot]! * SLOT_HOURS * presentAfter((j + 0.5) * SLOT_HOURS);
    }
    result[k] = cars;
  }
  return result;
}

export function calibrate(
  readings: readonly OccupancyReading[],
  stay: StayDistribution = cityCentreStays,
): TrafficProfile {
  const occupancy = weeklyOccupancy(occupancyBySlot(readings));
  const { perSlot } = solveArrivals(occupancy, stay);
  const arrivalsPerHour = Array.from({ length: 7 }, (_, day) =>
    Array.from({ length: 24 }, (_, hour) => {
      const slot = day * SLOTS_PER_DAY + hour * 2;
      return (perSlot[slot]! + perSlot[slot + 1]!) / 2;
    }),
  );
  return { arrivalsPerHour, occupancy, stay };
}

export const birminghamDataset = new URL(
  '../../../datasets/birmingham-parking-2016-10-04_2016-11-30.csv',
  import.meta.url,
);

/** The profile of all the Birmingham car parks together (each counting the same). */
export function loadBirminghamProfile(stay: StayDistribution = cityCentreStays): TrafficProfile {
  return calibrate(readBirminghamCsv(readFileSync(birminghamDataset, 'utf8')), stay);
}

/** P(S ≤ hours) for the truncated log-normal. */
export function stayCdf(stay: StayDistribution, hours: number): number {
  if (hours <= stay.minHours) return 0;
  if (hours >= stay.maxHours) return 1;
  const raw = (h: number) => normalCdf(Math.log(h / stay.medianHours) / stay.sigma);
  const low = raw(stay.minHours);
  return (raw(hours) - low) / (raw(stay.maxHours) - low);
}

export function meanStayHours(stay: StayDistribution): number {
  // E[S] = ∫ P(S > h) dh, in steps of a minute.
  const step = 1 / 60;
  let mean = 0;
  for (let h = 0; h < stay.maxHours; h += step) mean += (1 - stayCdf(stay, h + step / 2)) * step;
  return mean;
}

/** A stay in hours drawn from the distribution (log-normal, redrawn when outside its bounds). */
export function sampleStayHours(stay: StayDistribution, random: { logNormal(m: number, s: number): number }) {
  for (let attempt = 0; attempt < 20; attempt++) {
    const hours = random.logNormal(stay.medianHours, stay.sigma);
    if (hours >= stay.minHours && hours <= stay.maxHours) return hours;
  }
  return stay.medianHours;
}

/** The standard normal CDF (Abramowitz and Stegun 7.1.26; error below 1.5e-7). */
function normalCdf(z: number): number {
  const x = Math.abs(z) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * x);
  const poly =
    t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
  const erf = 1 - poly * Math.exp(-x * x);
  return z >= 0 ? (1 + erf) / 2 : (1 - erf) / 2;
}

function grid(rows: number, columns: number, value: number): number[][] {
  return Array.from({ length: rows }, () => new Array<number>(columns).fill(value));
}
