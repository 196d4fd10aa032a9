import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  addDays,
  hourLabel,
  localDateAt,
  localDayBounds,
  localHourAt,
  localInputValue,
  zonedToInstant,
  zoneOffsetMinutes,
} from '../src/lib/zoned-time.ts';

describe('facility-local time', () => {
  it('knows the offset of a zone at an instant, summer time included', () => {
    expect(zoneOffsetMinutes(new Date('2026-01-15T12:00:00Z'), 'Europe/London')).toBe(0);
    expect(zoneOffsetMinutes(new Date('2026-07-15T12:00:00Z'), 'Europe/London')).toBe(60);
    expect(zoneOffsetMinutes(new Date('2026-07-15T12:00:00Z'), 'America/New_York')).toBe(-240);
    expect(zoneOffsetMinutes(new Date('2026-07-15T12:00:00Z'), 'Asia/Tokyo')).toBe(540);
    expect(zoneOffsetMinutes(new Date('2026-07-15T12:00:00Z'), 'Asia/Kolkata')).toBe(330);
  });

  it('turns a local date and time into the instant it stands for', () => {
    expect(zonedToInstant('2026-11-24T08:00', 'Europe/London').toISOString()).toBe(
      '2026-11-24T08:00:00.000Z',
    );
    expect(zonedToInstant('2026-07-01T08:00', 'Europe/London').toISOString()).toBe(
      '2026-07-01T07:00:00.000Z',
    );
    expect(zonedToInstant('2026-11-24', 'Asia/Tokyo').toISOString()).toBe('2026-11-23T15:00:00.000Z');
    expect(zonedToInstant('2026-11-24T00:00', 'America/New_York').toISOString()).toBe(
      '2026-11-24T05:00:00.000Z',
    );
    expect(zonedToInstant('2026-11-24T09:30', 'Asia/Kolkata').toISOString()).toBe('2026-11-24T04:00:00.000Z');
  });

  it('reads a time skipped by the spring change as after the jump, and a repeated one as the first', () => {
    // London, 29 March 2026: 01:00 GMT becomes 02:00 BST; 01:30 does not exist.
    expect(zonedToInstant('2026-03-29T01:30', 'Europe/London').toISOString()).toBe(
      '2026-03-29T01:30:00.000Z',
    );
    expect(localInputValue(new Date('2026-03-29T01:30:00Z'), 'Europe/London')).toBe('2026-03-29T02:30');
    // London, 25 October 2026: 01:30 happens at 00:30 UTC (BST) and again at 01:30 UTC (GMT).
    expect(zonedToInstant('2026-10-25T01:30', 'Europe/London').toISOString()).toBe(
      '2026-10-25T00:30:00.000Z',
    );
    // New York, 1 November 2026: 01:30 EDT first.
    expect(zonedToInstant('2026-11-01T01:30', 'America/New_York').toISOString()).toBe(
      '2026-11-01T05:30:00.000Z',
    );
  });

  it('gives back the same wall time for any instant, in any of the zones it is used with', () => {
    const zones = ['Europe/London', 'America/New_York', 'Asia/Tokyo', 'Australia/Sydney', 'Asia/Kolkata'];
    fc.assert(
      fc.property(
        fc.integer({ min: Date.UTC(2020, 0, 1), max: Date.UTC(2035, 0, 1) }),
        fc.constantFrom(...zones),
        (ms, zone) => {
          const instant = new Date(Math.floor(ms / 60_000) * 60_000);
          const local = localInputValue(instant, zone);
          const back = zonedToInstant(local, zone);
          expect(localInputValue(back, zone)).toBe(local);
          // The same instant, or the first of a repeated hour (up to an hour earlier).
          expect(back.getTime()).toBeLessThanOrEqual(instant.getTime());
          expect(instant.getTime() - back.getTime()).toBeLessThanOrEqual(3_600_000);
        },
      ),
      { numRuns: 400 },
    );
  });

  it('bounds a local day, which lasts 23 or 25 hours on the days the clocks change', () => {
    const normal = localDayBounds('2026-11-24', 'Europe/London');
    expect(normal.from.toISOString()).toBe('2026-11-24T00:00:00.000Z');
    expect(normal.to.toISOString()).toBe('2026-11-25T00:00:00.000Z');
    const spring = localDayBounds('2026-03-29', 'Europe/London');
    expect((spring.to.getTime() - spring.from.getTime()) / 3_600_000).toBe(23);
    const autumn = localDayBounds('2026-10-25', 'Europe/London');
    expect((autumn.to.getTime() - autumn.from.getTime()) / 3_600_000).toBe(25);
    const tokyo = localDayBounds('2026-11-24', 'Asia/Tokyo');
    expect(tokyo.from.toISOString()).toBe('2026-11-23T15:00:00.000Z');
  });

  it('names the local date and hour of an instant, and moves dates by days across months and leap days', () => {
    const instant = new Date('2026-11-24T20:30:00Z');
    expect(localDateAt(instant, 'Asia/Tokyo')).toBe('2026-11-25');
    expect(localDateAt(instant, 'America/New_York')).toBe('2026-11-24');
    expect(localHourAt(instant, 'Asia/Tokyo')).toBe(5);
    expect(localHourAt(new Date('2026-11-24T23:30:00Z'), 'Europe/London')).toBe(23);
    expect(addDays('2028-02-28', 1)).toBe('2028-02-29');
    expect(addDays('2026-03-01', -1)).toBe('2026-02-28');
    expect(addDays('2026-12-31', 1)).toBe('2027-01-01');
    expect(hourLabel(9)).toBe('09:00–10:00');
    expect(hourLabel(23)).toBe('23:00–00:00');
  });

  it('refuses text that is not a local date', () => {
    expect(() => zonedToInstant('24/11/2026', 'Europe/London')).toThrow(RangeError);
  });
});
