import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  birminghamDataset,
  calibrate,
  cityCentreStays,
  expectedOccupancy,
  meanStayHours,
  occupancyBySlot,
  readBirminghamCsv,
  SLOTS_PER_DAY,
  sampleStayHours,
  solveArrivals,
  stayCdf,
  weeklyOccupancy,
} from '../src/calibration.ts';
import { createRandom } from '../src/random.ts';

const text = readFileSync(birminghamDataset, 'utf8');
const readings = readBirminghamCsv(text);
const observed = occupancyBySlot(readings);
const week = weeklyOccupancy(observed);
const profile = calibrate(readings);
const [MON, TUE, , , FRI, SAT, SUN] = [0, 1, 2, 3, 4, 5, 6];
const slotOf = (hour: number, minute = 0) => hour * 2 + minute / 30;
const peakHour = (day: number) =>
  profile.arrivalsPerHour[day]!.indexOf(Math.max(...profile.arrivalsPerHour[day]!));
const dailyArrivals = (day: number) => profile.arrivalsPerHour[day]!.reduce((a, b) => a + b, 0);

describe('reading the Birmingham file', () => {
  it('keeps every valid reading once, and drops what real exports get wrong', () => {
    const rows = text
      .trim()
      .split('\n')
      .slice(1)
      .map((line) => line.trim().split(','));
    const invalid = rows.filter(
      ([, capacity, occupied]) => Number(occupied) < 0 || Number(occupied) > Number(capacity),
    );
    const unique = new Set(
      rows.filter((row) => !invalid.includes(row)).map(([name, , , at]) => `${name}|${at}`),
    );
    expect(invalid.length).toBeGreaterThan(0);
    expect(unique.size).toBeLessThan(rows.length - invalid.length); // the file repeats some pairs
    expect(readings).toHaveLength(unique.size);
    expect(readings.every((r) => r.occupied >= 0 && r.occupied <= r.capacity)).toBe(true);
  });

  it('places readings on the local weekday and minute', () => {
    // The file starts on Tuesday 2016-10-04 at 07:59:42, with the Bull Ring's first reading twice.
    const first = readings.filter((r) => r.carPark === 'Bull Ring' && r.minuteOfDay === 7 * 60 + 59);
    expect(first[0]).toEqual({
      carPark: 'Bull Ring',
      capacity: 3053,
      occupied: 215,
      weekday: TUE,
      minuteOfDay: 479,
    });
  });
});

describe('occupancy per weekday and half hour', () => {
  it('is the mean share of capacity of the readings nearest each slot', () => {
    const near = readings.filter((r) => r.weekday === TUE && Math.abs(r.minuteOfDay - 13 * 60) <= 15);
    const mean = near.reduce((sum, r) => sum + r.occupied / r.capacity, 0) / near.length;
    expect(observed[TUE]![slotOf(13)]).toBeCloseTo(mean, 12);
    // What the data says: Tuesdays at 13:00 about two thirds full, Sundays at 08:00 about 15 %.
    expect(observed[TUE]![slotOf(13)]).toBeCloseTo(0.65, 2);
    expect(observed[SUN]![slotOf(8)]).toBeCloseTo(0.15, 2);
  });

  it('has data from 08:00 to 16:30 only; the rest of the day is extended', () => {
    for (let day = MON; day <= SUN; day++) {
      const slots = observed[day]!.flatMap((v, slot) => (Number.isNaN(v) ? [] : [slot]));
      expect(slots[0]).toBe(slotOf(8));
      expect(slots.at(-1)).toBe(slotOf(16, 30));
    }
    // Observed slots are kept as they are.
    expect(week[FRI]![slotOf(12)]).toBe(observed[FRI]![slotOf(12)]);
  });

  it('rests overnight at the quietest morning’s first reading and rises to 08:00 at the slope seen after it', () => {
    const overnight = Math.min(...observed.map((row) => row[slotOf(8)]!));
    expect(overnight).toBeCloseTo(observed[SUN]![slotOf(8)]!, 12);
    // Tuesday 04:00 is past Monday evening's decay: close to the overnight level, never below it.
    expect(week[TUE]![slotOf(4)]).toBeGreaterThanOrEqual(overnight);
    expect(week[TUE]![slotOf(4)]).toBeLessThan(overnight + 0.03);
    // The weekday ramp before 08:00 continues the 08:00–08:30 rise backwards.
    const rise = observed[TUE]![slotOf(8, 30)]! - observed[TUE]![slotOf(8)]!;
    expect(week[TUE]![slotOf(7, 30)]).toBeCloseTo(Math.max(overnight, observed[TUE]![slotOf(8)]! - rise), 12);
    // After 16:30 it decays towards that level: lower at 20:00, still above it.
    expect(week[TUE]![slotOf(20)]).toBeLessThan(observed[TUE]![slotOf(16, 30)]!);
    expect(week[TUE]![slotOf(20)]).toBeGreaterThan(overnight);
  });
});

describe('arrivals derived from the occupancy', () => {
  it('peak on weekday mornings (09:00–12:00), in the afternoon on Saturdays, and are few at night', () => {
    for (const day of [MON, TUE, FRI]) {
      expect(peakHour(day)).toBeGreaterThanOrEqual(8);
      expect(peakHour(day)).toBeLessThanOrEqual(11);
      expect(profile.arrivalsPerHour[day]![peakHour(day)]).toBeGreaterThan(
        4 * profile.arrivalsPerHour[day]![3]!,
      );
    }
    expect(peakHour(SAT)).toBeGreaterThanOrEqual(12);
    // About 2.7 cars per space on a weekday, fewer on Sundays.
    expect(dailyArrivals(TUE)).toBeGreaterThan(2.2);
    expect(dailyArrivals(TUE)).toBeLessThan(3.2);
    expect(dailyArrivals(SUN)).toBeLessThan(0.8 * dailyArrivals(TUE));
    // Overnight, arrivals only replace the cars that leave: about occupancy / mean stay.
    const night = profile.arrivalsPerHour[TUE]![3]!;
    expect(night).toBeCloseTo(week[TUE]![slotOf(3)]! / meanStayHours(cityCentreStays), 1);
  });

  it('reproduce the occupancy when cars with these stays arrive at these rates', () => {
    const { perSlot, clippedSlots } = solveArrivals(week, cityCentreStays);
    expect(clippedSlots).toEqual([]);
    const modelled = expectedOccupancy(perSlot, cityCentreStays);
    const target = week.flat();
    // modelled[k] is the occupancy at the end of slot k.
    const worst = Math.max(...modelled.map((value, k) => Math.abs(value - target[(k + 1) % target.length]!)));
    expect(worst).toBeLessThan(0.001);
  });

  it('refute much longer stays: the weekday afternoon decline would need negative arrivals', () => {
    const longStays = { ...cityCentreStays, medianHours: 6 };
    expect(meanStayHours(longStays)).toBeGreaterThan(6);
    const { clippedSlots } = solveArrivals(week, longStays);
    expect(clippedSlots).toContain(TUE * SLOTS_PER_DAY + slotOf(16));
  });
});

describe('stay lengths', () => {
  it('have the median and bounds assumed, and sampling follows the distribution', () => {
    expect(stayCdf(cityCentreStays, cityCentreStays.medianHours)).toBeCloseTo(0.5, 2);
    expect(stayCdf(cityCentreStays, 1 / 6)).toBe(0);
    expect(stayCdf(cityCentreStays, 24)).toBe(1);
    expect(meanStayHours(cityCentreStays)).toBeCloseTo(2.92, 1);
    const random = createRandom('stays');
    const draws = Array.from({ length: 4000 }, () => sampleStayHours(cityCentreStays, random)).sort(
      (a, b) => a - b,
    );
    expect(draws[2000]).toBeGreaterThan(1.85);
    expect(draws[2000]).toBeLessThan(2.15);
    expect(draws[0]).toBeGreaterThanOrEqual(1 / 6);
    expect(draws.at(-1)).toBeLessThanOrEqual(24);
    const shareOver6h = draws.filter((h) => h > 6).length / draws.length;
    expect(shareOver6h).toBeCloseTo(1 - stayCdf(cityCentreStays, 6), 1);
  });
});
