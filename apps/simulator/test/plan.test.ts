import { describe, expect, it } from 'vitest';
import { loadBirminghamProfile } from '../src/calibration.ts';
import {
  arrivalRatePerHour,
  createArrivals,
  defaultBehaviour,
  type FacilitySpec,
  idTagOf,
  localTime,
  normalisePlate,
  plateFor,
  type Visit,
} from '../src/plan.ts';
import { createRandom } from '../src/random.ts';

const profile = loadBirminghamProfile();
const london: FacilitySpec = {
  key: 'Birmingham Bull Ring',
  capacity: { compact: 20, standard: 120, large: 10, total: 150 },
  timezone: 'Europe/London',
  country: 'GB',
  connectors: ['TYPE2', 'CCS'],
};
const tokyo: FacilitySpec = {
  ...london,
  key: 'Shinjuku',
  timezone: 'Asia/Tokyo',
  country: 'JP',
  connectors: ['CHADEMO'],
};
// Monday 2025-03-03, 00:00 in London (UTC, before the clocks change).
const monday = Date.parse('2025-03-03T00:00:00Z');
const HOUR = 3_600_000;

function visitsUntil(
  spec: FacilitySpec,
  seed: string,
  untilMs: number,
  behaviour = defaultBehaviour,
): Visit[] {
  const plan = createArrivals(spec, profile, behaviour, createRandom(seed), monday);
  const visits: Visit[] = [];
  for (let visit = plan.next(); visit && visit.arriveAt < untilMs; visit = plan.next()) visits.push(visit);
  return visits;
}

describe('the seeded generator', () => {
  it('gives the same sequence for the same seed, another for another seed', () => {
    const draw = (seed: string) => {
      const random = createRandom(seed);
      return Array.from({ length: 1000 }, () => random.next());
    };
    expect(draw('42')).toEqual(draw('42'));
    expect(draw('42')).not.toEqual(draw('43'));
    expect(draw('42').every((x) => x >= 0 && x < 1)).toBe(true);
  });

  it('forks streams that do not depend on what was drawn before', () => {
    const a = createRandom('seed');
    const b = createRandom('seed');
    for (let i = 0; i < 17; i++) b.next();
    expect(a.fork('facility/x').next()).toBe(b.fork('facility/x').next());
    expect(a.fork('facility/x').next()).not.toBe(a.fork('facility/y').next());
  });

  it('draws from the distributions it names', () => {
    const random = createRandom('moments');
    const n = 20_000;
    const mean = (f: () => number) => Array.from({ length: n }, f).reduce((s, x) => s + x, 0) / n;
    expect(mean(() => random.uniform(2, 4))).toBeCloseTo(3, 1);
    expect(mean(() => random.exponential(4))).toBeCloseTo(0.25, 2);
    expect(mean(() => random.normal(10, 2))).toBeCloseTo(10, 1);
    expect(mean(() => (random.chance(0.3) ? 1 : 0))).toBeCloseTo(0.3, 1);
    const picks = new Set(Array.from({ length: 200 }, () => random.pick(['a', 'b', 'c'])));
    expect([...picks].sort()).toEqual(['a', 'b', 'c']);
  });
});

describe('the plan of arrivals', () => {
  it('is the same sequence of decisions for the same seed, and another for another seed', () => {
    const week = monday + 7 * 24 * HOUR;
    const first = visitsUntil(london, '42', week);
    expect(visitsUntil(london, '42', week)).toEqual(first);
    const other = visitsUntil(london, '43', week);
    expect(other.slice(0, 10).map((v) => v.vehicle.plate)).not.toEqual(
      first.slice(0, 10).map((v) => v.vehicle.plate),
    );
    // Every kind of decision shows up in a week.
    expect(first.some((v) => v.vehicle.electric && v.charges)).toBe(true);
    expect(first.some((v) => v.booking?.noShow)).toBe(true);
    expect(first.some((v) => v.booking && !v.booking.noShow)).toBe(true);
    expect(first.some((v) => v.firstCard === 'tok_chargeDeclined')).toBe(true);
  });

  it('changes who arrives, never when, when a share changes', () => {
    const until = monday + 24 * HOUR;
    const usual = visitsUntil(london, '42', until);
    const electric = visitsUntil(london, '42', until, { ...defaultBehaviour, evShare: 0.9 });
    expect(electric.map((v) => v.arriveAt)).toEqual(usual.map((v) => v.arriveAt));
    expect(electric.filter((v) => v.vehicle.electric).length).toBeGreaterThan(
      3 * usual.filter((v) => v.vehicle.electric).length,
    );
  });

  it('follows the profile in the facility’s local time', () => {
    // Four weeks of arrivals at a 150-space car park, counted by local hour on weekdays.
    const visits = visitsUntil(london, '7', monday + 28 * 24 * HOUR);
    const countAt = (hours: number[]) =>
      visits.filter((v) => {
        const t = localTime(v.arriveAt, london.timezone);
        return t.weekday < 5 && hours.includes(t.hour);
      }).length;
    const expected = (hours: number[]) =>
      4 *
      [0, 1, 2, 3, 4].reduce(
        (sum, day) => sum + hours.reduce((s, h) => s + 150 * profile.arrivalsPerHour[day]![h]!, 0),
        0,
      );
    // Poisson counts: within four standard deviations of what the profile says.
    for (const hours of [
      [9, 10, 11],
      [1, 2, 3],
      [17, 18],
    ]) {
      expect(Math.abs(countAt(hours) - expected(hours))).toBeLessThan(4 * Math.sqrt(expected(hours)));
    }
    expect(countAt([9, 10, 11])).toBeGreaterThan(3 * countAt([1, 2, 3]));
    // The same profile in Tokyo: the morning rush is at midnight UTC, not at 9 UTC.
    const tokyoVisits = visitsUntil(tokyo, '7', monday + 7 * 24 * HOUR);
    const byUtcHour = (hour: number) =>
      tokyoVisits.filter((v) => new Date(v.arriveAt).getUTCHours() === hour).length;
    expect(byUtcHour(1)).toBeGreaterThan(3 * byUtcHour(10));
  });

  it('never goes below the floor rate', () => {
    const floor = { ...defaultBehaviour, minArrivalsPerHour: 60 };
    expect(arrivalRatePerHour(london, profile, floor, Date.parse('2025-03-04T03:00:00Z'))).toBe(60);
    const night = visitsUntil(london, '9', monday + 4 * HOUR, floor).filter(
      (v) => v.arriveAt >= monday + HOUR,
    );
    expect(night.length).toBeGreaterThan(150);
    expect(night.length).toBeLessThan(210);
  });
});

describe('plates', () => {
  it('look local and are valid registration numbers', () => {
    const random = createRandom('plates');
    for (let i = 0; i < 200; i++) {
      expect(plateFor('GB', random)).toMatch(/^[A-Z]{2}(1[6-9]|2[0-5]|6[6-9]|7[0-5]) [A-Z]{3}$/);
      expect(plateFor('US', random)).toMatch(/^[A-Z]{3}-\d{4}$/);
      const japanese = plateFor('JP', random);
      expect(japanese).toMatch(/^\p{Script=Han}{2,3} [3-5]\d\d \p{Script=Hiragana} [1-9]\d-\d\d$/u);
      // What the platform accepts: 1 to 15 letters or digits once spaces and dashes are gone.
      expect(normalisePlate(japanese)).toMatch(/^[\p{L}\p{N}]{1,15}$/u);
    }
  });

  it('give the id tag a station reads: the plate’s letters and digits', () => {
    expect(idTagOf('AB21 CDE')).toBe('AB21CDE');
    expect(idTagOf('AB21 CDE')).toBe(normalisePlate('AB21 CDE'));
    // A Japanese plate's kana and kanji are lost: the tag no longer names the car.
    expect(idTagOf('品川 330 さ 12-34')).toBe('3301234');
    expect(normalisePlate('品川 330 さ 12-34')).toBe('品川330さ1234');
  });
});
