import { describe, expect, it } from 'vitest';
import { availabilityTimeline, fittingStarts, freeStretches } from '../src/domain/availability.ts';
import { newConfirmationCode, normalizeConfirmationCode } from '../src/domain/codes.ts';
import { arrivalWindow, cancellationFee, isOpenThroughout } from '../src/domain/window.ts';

const at = (iso: string) => new Date(iso);
const week = ['MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT', 'SUN'];

describe('operating hours', () => {
  const dayHours = {
    opening_time: '07:00',
    closing_time: '22:00',
    operating_days: ['MON', 'TUE', 'WED', 'THU', 'FRI'],
  };
  // 2026-03-10 is a Tuesday; London is on GMT until 29 March.
  it('fits a window inside one day’s opening hours, local time', () => {
    expect(
      isOpenThroughout(at('2026-03-10T07:00:00Z'), at('2026-03-10T22:00:00Z'), dayHours, 'Europe/London'),
    ).toBe(true);
    expect(
      isOpenThroughout(at('2026-03-10T06:59:00Z'), at('2026-03-10T08:00:00Z'), dayHours, 'Europe/London'),
    ).toBe(false);
    expect(
      isOpenThroughout(at('2026-03-10T21:00:00Z'), at('2026-03-10T22:01:00Z'), dayHours, 'Europe/London'),
    ).toBe(false);
    // Saturday is closed.
    expect(
      isOpenThroughout(at('2026-03-14T09:00:00Z'), at('2026-03-14T10:00:00Z'), dayHours, 'Europe/London'),
    ).toBe(false);
    // 07:00 in Tokyo is 22:00 UTC the day before.
    expect(
      isOpenThroughout(at('2026-03-09T22:00:00Z'), at('2026-03-10T01:00:00Z'), dayHours, 'Asia/Tokyo'),
    ).toBe(true);
  });

  it('lets an overnight period run past midnight and belong to the day it opens', () => {
    const night = { opening_time: '18:00', closing_time: '02:00', operating_days: ['FRI'] };
    // Friday 13 March 23:00 to Saturday 01:30 London
    expect(
      isOpenThroughout(at('2026-03-13T23:00:00Z'), at('2026-03-14T01:30:00Z'), night, 'Europe/London'),
    ).toBe(true);
    expect(
      isOpenThroughout(at('2026-03-14T01:00:00Z'), at('2026-03-14T02:00:00Z'), night, 'Europe/London'),
    ).toBe(true);
    expect(
      isOpenThroughout(at('2026-03-14T01:00:00Z'), at('2026-03-14T02:30:00Z'), night, 'Europe/London'),
    ).toBe(false);
    // Saturday night is not Friday's.
    expect(
      isOpenThroughout(at('2026-03-14T19:00:00Z'), at('2026-03-14T20:00:00Z'), night, 'Europe/London'),
    ).toBe(false);
  });

  it('treats a facility without hours as open all day on its operating days', () => {
    const allDay = { opening_time: null, closing_time: null, operating_days: week };
    expect(
      isOpenThroughout(at('2026-03-10T00:00:00Z'), at('2026-03-20T00:00:00Z'), allDay, 'Europe/London'),
    ).toBe(true);
    const weekdays = { ...allDay, operating_days: week.slice(0, 5) };
    expect(
      isOpenThroughout(at('2026-03-12T00:00:00Z'), at('2026-03-14T00:00:00Z'), weekdays, 'Europe/London'),
    ).toBe(true);
    expect(
      isOpenThroughout(at('2026-03-12T00:00:00Z'), at('2026-03-14T00:00:01Z'), weekdays, 'Europe/London'),
    ).toBe(false);
  });
});

describe('terms', () => {
  it('opens arrival from start − early grace until start + late grace, never past the end', () => {
    const policy = { arrival_grace_early_minutes: 15, arrival_grace_late_minutes: 30 };
    expect(arrivalWindow(at('2026-03-10T10:00:00Z'), at('2026-03-10T12:00:00Z'), policy)).toEqual({
      from: at('2026-03-10T09:45:00Z'),
      until: at('2026-03-10T10:30:00Z'),
    });
    expect(arrivalWindow(at('2026-03-10T10:00:00Z'), at('2026-03-10T10:20:00Z'), policy).until).toEqual(
      at('2026-03-10T10:20:00Z'),
    );
  });

  it('charges a cancellation only for a confirmed booking past the free deadline', () => {
    const terms = { free_cancellation_until: at('2026-03-10T09:00:00Z'), cancellation_fee: 300 };
    expect(cancellationFee({ ...terms, status: 'CONFIRMED' }, at('2026-03-10T08:59:59Z'))).toBe(0);
    expect(cancellationFee({ ...terms, status: 'CONFIRMED' }, at('2026-03-10T09:00:00Z'))).toBe(300);
    expect(cancellationFee({ ...terms, status: 'PENDING' }, at('2026-03-10T10:00:00Z'))).toBe(0);
  });
});

describe('confirmation codes', () => {
  it('are 8 unambiguous characters, distinct, and read back however a person types them', () => {
    const codes = new Set(Array.from({ length: 2000 }, newConfirmationCode));
    expect(codes.size).toBe(2000);
    for (const code of codes) expect(code).toMatch(/^[0-9A-HJKMNP-TV-Z]{8}$/);
    expect(normalizeConfirmationCode('k7f2-9qxm')).toBe('K7F29QXM');
    expect(normalizeConfirmationCode('K7F2 9QXO')).toBe('K7F29QX0');
    expect(normalizeConfirmationCode('i1l0-abcd')).toBe('1110ABCD');
    expect(normalizeConfirmationCode('K7F2-9QX')).toBeNull();
    expect(normalizeConfirmationCode('UUUUUUUU')).toBeNull();
  });
});

describe('availability', () => {
  const h = (n: number) => n * 3_600_000;
  it('finds the free stretches between bookings', () => {
    expect(
      freeStretches({ start: 0, end: h(10) }, [
        { start: h(2), end: h(4) },
        { start: h(3), end: h(5) },
        { start: h(8), end: h(12) },
      ]),
    ).toEqual([
      { start: 0, end: h(2) },
      { start: h(5), end: h(8) },
    ]);
  });

  it('splits a window where the number of free spaces changes, and finds the next fitting start', () => {
    const spaces = [
      { space_id: 'a', busy: [{ start: h(1), end: h(3) }] },
      { space_id: 'b', busy: [{ start: h(2), end: h(4) }] },
    ];
    expect(availabilityTimeline({ start: 0, end: h(5) }, spaces)).toEqual([
      { start: 0, end: h(1), available: 2 },
      { start: h(1), end: h(2), available: 1 },
      { start: h(2), end: h(3), available: 0 },
      { start: h(3), end: h(4), available: 1 },
      { start: h(4), end: h(5), available: 2 },
    ]);
    expect(fittingStarts(spaces, h(1), h(2), h(24))).toEqual([h(3), h(4)]);
  });
});
