import { AppError } from '@easypark/kernel';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type Counts,
  countsBefore,
  occupancyRate,
  type StatusChange,
  tally,
  thresholdCrossing,
} from '../src/domain/occupancy.ts';
import {
  assertManualTransition,
  type Candidate,
  canTransition,
  chooseSpace,
  fits,
  fittingSizes,
  type SpaceSize,
  type SpaceStatus,
  spaceSizes,
  spaceStatuses,
} from '../src/domain/spaces.ts';
import { durationHours, maxEntryAgeMs, resolveEntryTime, resolveExitTime } from '../src/domain/times.ts';
import { isValidPlate, normalisePlate, parsePlate, vehicleTypes } from '../src/domain/vehicles.ts';

const codeOf = (fn: () => unknown): string | undefined => {
  try {
    fn();
  } catch (error) {
    return error instanceof AppError ? error.code : 'NOT_AN_APP_ERROR';
  }
  return undefined;
};

describe('plates', () => {
  it('normalises to upper case without spaces, dashes or dots', () => {
    expect(normalisePlate(' ab-12 cd ')).toBe('AB12CD');
    expect(normalisePlate('m–ab·1234')).toBe('MAB1234');
    expect(normalisePlate('b.ab.123')).toBe('BAB123');
  });

  it('refuses what cannot be a plate', () => {
    expect(codeOf(() => parsePlate(' - '))).toBe('INVALID_REGISTRATION');
    expect(codeOf(() => parsePlate('AB!12'))).toBe('INVALID_REGISTRATION');
    expect(codeOf(() => parsePlate('A'.repeat(16)))).toBe('INVALID_REGISTRATION');
    expect(parsePlate('ö 123')).toBe('Ö123');
  });

  it('is idempotent and yields a valid plate or an error', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 20 }), (raw) => {
        const once = normalisePlate(raw);
        expect(normalisePlate(once)).toBe(once);
        if (isValidPlate(once)) expect(parsePlate(raw)).toBe(once);
        else expect(codeOf(() => parsePlate(raw))).toBe('INVALID_REGISTRATION');
      }),
    );
  });
});

describe('space sizes', () => {
  it('fits each vehicle type to the sizes the spec names, best first', () => {
    expect(fittingSizes('MOTORCYCLE')).toEqual(['COMPACT', 'STANDARD', 'LARGE']);
    expect(fittingSizes('CAR')).toEqual(['STANDARD', 'LARGE']);
    expect(fittingSizes('TRUCK')).toEqual(['LARGE']);
    expect(fittingSizes('BUS')).toEqual(['LARGE']);
    expect(fits('COMPACT', 'CAR')).toBe(false);
    expect(fits('STANDARD', 'TRUCK')).toBe(false);
  });

  const candidate: fc.Arbitrary<Candidate & { id: number }> = fc.record({
    id: fc.nat(),
    size: fc.constantFrom(...spaceSizes),
    status: fc.constantFrom(...spaceStatuses),
    location: fc.record({
      floor: fc.integer({ min: -3, max: 5 }),
      aisle: fc.constantFrom('A', 'B', 'C'),
      number: fc.integer({ min: 0, max: 50 }),
    }),
  });
  const rank = (s: SpaceSize) => spaceSizes.indexOf(s);

  it('assignment never picks a space that is too small or not free', () => {
    fc.assert(
      fc.property(
        fc.array(candidate, { maxLength: 40 }),
        fc.constantFrom(...vehicleTypes),
        (spaces, type) => {
          const chosen = chooseSpace(spaces, type);
          const usable = spaces.filter((s) => s.status === 'AVAILABLE' && fits(s.size, type));
          if (usable.length === 0) {
            expect(chosen).toBeNull();
            return;
          }
          expect(chosen).not.toBeNull();
          expect(chosen!.status).toBe('AVAILABLE');
          expect(rank(chosen!.size)).toBeGreaterThanOrEqual(rank(fittingSizes(type)[0]!));
        },
      ),
    );
  });

  it('assignment prefers the exact size, then the level nearest the ground', () => {
    fc.assert(
      fc.property(
        fc.array(candidate, { maxLength: 40 }),
        fc.constantFrom(...vehicleTypes),
        (spaces, type) => {
          const chosen = chooseSpace(spaces, type);
          if (!chosen) return;
          const sizes = fittingSizes(type);
          for (const other of spaces.filter((s) => s.status === 'AVAILABLE' && fits(s.size, type))) {
            const better = sizes.indexOf(other.size) < sizes.indexOf(chosen.size);
            expect(better).toBe(false);
            if (other.size === chosen.size) {
              expect(Math.abs(other.location.floor)).toBeGreaterThanOrEqual(Math.abs(chosen.location.floor));
            }
          }
        },
      ),
    );
    const at = (
      size: SpaceSize,
      floor: number,
      aisle: string,
      number: number,
      status: SpaceStatus = 'AVAILABLE',
    ) => ({
      size,
      status,
      location: { floor, aisle, number },
    });
    const spaces = [
      at('LARGE', 0, 'A', 1),
      at('STANDARD', 2, 'A', 1),
      at('STANDARD', -1, 'B', 2),
      at('STANDARD', 1, 'A', 9),
    ];
    expect(chooseSpace(spaces, 'CAR')).toBe(spaces[2]);
    expect(chooseSpace(spaces, 'BUS')).toBe(spaces[0]);
    expect(chooseSpace([at('STANDARD', 0, 'A', 1, 'OCCUPIED')], 'CAR')).toBeNull();
  });
});

describe('manual status transitions', () => {
  const allowed = new Set([
    'AVAILABLE>MAINTENANCE',
    'MAINTENANCE>AVAILABLE',
    'AVAILABLE>RESERVED',
    'RESERVED>AVAILABLE',
    'RESERVED>MAINTENANCE',
  ]);

  it('allows exactly the listed transitions and never OCCUPIED', () => {
    for (const from of spaceStatuses) {
      for (const to of spaceStatuses) {
        expect(canTransition(from, to), `${from}>${to}`).toBe(allowed.has(`${from}>${to}`));
        const code = codeOf(() => assertManualTransition(from, to));
        expect(code).toBe(allowed.has(`${from}>${to}`) ? undefined : 'INVALID_STATUS_TRANSITION');
      }
    }
  });
});

describe('entry and exit times', () => {
  const now = new Date('2025-06-01T12:00:00Z');
  const plus = (ms: number) => new Date(now.getTime() + ms);

  it('takes now by default and accepts a buffered time up to 7 days old', () => {
    expect(resolveEntryTime(undefined, now)).toEqual(now);
    expect(resolveEntryTime(plus(-maxEntryAgeMs), now)).toEqual(plus(-maxEntryAgeMs));
    expect(codeOf(() => resolveEntryTime(plus(-maxEntryAgeMs - 1), now))).toBe('INVALID_TIME');
  });

  it('tolerates a minute of clock skew, recording it as now, and refuses the future beyond', () => {
    expect(resolveEntryTime(plus(59_000), now)).toEqual(now);
    expect(codeOf(() => resolveEntryTime(plus(61_000), now))).toBe('INVALID_TIME');
    expect(resolveExitTime(plus(30_000), plus(-3600_000), now)).toEqual(now);
    expect(codeOf(() => resolveExitTime(plus(61_000), plus(-3600_000), now))).toBe('INVALID_TIME');
  });

  it('never closes a session before it began', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: maxEntryAgeMs }),
        fc.integer({ min: -maxEntryAgeMs, max: 120_000 }),
        (age, exitOffset) => {
          const entry = resolveEntryTime(plus(-age), now);
          const requested = plus(exitOffset);
          const code = codeOf(() => resolveExitTime(requested, entry, now));
          if (exitOffset > 60_000 || requested < entry) expect(code).toBe('INVALID_TIME');
          else {
            const exit = resolveExitTime(requested, entry, now);
            expect(exit.getTime()).toBeGreaterThanOrEqual(entry.getTime());
            expect(exit.getTime()).toBeLessThanOrEqual(now.getTime());
            expect(durationHours(entry, exit)).toBeGreaterThanOrEqual(0);
          }
        },
      ),
    );
  });

  it('gives the duration in decimal hours with 2 places', () => {
    expect(durationHours(now, plus(90 * 60_000))).toBe(1.5);
    expect(durationHours(now, plus(20 * 60_000))).toBe(0.33);
    expect(durationHours(now, now)).toBe(0);
  });
});

describe('occupancy', () => {
  const counts = (c: Partial<Counts>): Counts => ({
    total: 0,
    available: 0,
    occupied: 0,
    reserved: 0,
    maintenance: 0,
    ...c,
  });

  it('is occupied over usable spaces, 2 decimals, 0 when nothing is usable', () => {
    expect(occupancyRate(counts({ total: 3, occupied: 1, available: 2 }))).toBe(33.33);
    expect(occupancyRate(counts({ total: 10, occupied: 4, maintenance: 2, available: 4 }))).toBe(50);
    expect(occupancyRate(counts({ total: 2, maintenance: 2 }))).toBe(0);
    expect(occupancyRate(counts({}))).toBe(0);
  });

  it('tallies rows per size and in all', () => {
    const { all, bySize } = tally([
      { size: 'COMPACT', status: 'AVAILABLE', count: 2 },
      { size: 'STANDARD', status: 'OCCUPIED', count: 3 },
      { size: 'STANDARD', status: 'MAINTENANCE', count: 1 },
    ]);
    expect(all).toEqual(counts({ total: 6, available: 2, occupied: 3, maintenance: 1 }));
    expect(bySize.STANDARD).toEqual(counts({ total: 4, occupied: 3, maintenance: 1 }));
    expect(bySize.LARGE).toEqual(counts({}));
  });

  it('stays within 0–100 and undoes a change exactly', () => {
    const status = fc.constantFrom(...spaceStatuses);
    fc.assert(
      fc.property(
        fc.record({
          available: fc.nat(50),
          occupied: fc.nat(50),
          reserved: fc.nat(50),
          maintenance: fc.nat(50),
        }),
        fc.option(status, { nil: null }),
        status,
        fc.integer({ min: 1, max: 5 }),
        (base, from, to, count) => {
          const before = counts({
            ...base,
            total: base.available + base.occupied + base.reserved + base.maintenance,
          });
          const rate = occupancyRate(before);
          expect(rate).toBeGreaterThanOrEqual(0);
          expect(rate).toBeLessThanOrEqual(100);
          const after = { ...before };
          const key = (s: SpaceStatus) => s.toLowerCase() as keyof Counts;
          if (from === null) after.total += count;
          else if (after[key(from)] < count) return;
          else after[key(from)] -= count;
          after[key(to)] += count;
          const change: StatusChange = { from, to, count };
          expect(countsBefore(after, change)).toEqual(before);
        },
      ),
    );
  });

  it('reports a crossing once in each direction', () => {
    expect(thresholdCrossing(89.99, 90, 90)).toBe('UP');
    expect(thresholdCrossing(90, 95, 90)).toBeNull();
    expect(thresholdCrossing(90, 89.5, 90)).toBe('DOWN');
    expect(thresholdCrossing(50, 60, 90)).toBeNull();
    fc.assert(
      fc.property(
        fc.array(
          fc.integer({ min: 0, max: 10_000 }).map((n) => n / 100),
          { minLength: 2 },
        ),
        fc.integer({ min: 1, max: 100 }),
        (rates, threshold) => {
          const directions = rates
            .slice(1)
            .map((r, i) => thresholdCrossing(rates[i]!, r, threshold))
            .filter((d) => d !== null);
          for (let i = 1; i < directions.length; i++) expect(directions[i]).not.toBe(directions[i - 1]);
          if (directions.length > 0)
            expect(directions.at(-1)).toBe(rates.at(-1)! >= threshold ? 'UP' : 'DOWN');
        },
      ),
    );
  });
});
