import { describe, expect, it } from 'vitest';
import {
  checkWindowFields,
  formatDateTime,
  formatDuration,
  formatWindow,
  instantToZonedInput,
  suggestedWindow,
  windowAt,
  zonedTimeToInstant,
} from '../src/pages/driver/time.ts';

const iso = (d: Date | null) => d?.toISOString();

describe('zonedTimeToInstant', () => {
  it('reads a wall-clock time in the facility’s zone, not the browser’s', () => {
    expect(iso(zonedTimeToInstant('2026-11-24T09:00', 'Europe/London'))).toBe('2026-11-24T09:00:00.000Z');
    expect(iso(zonedTimeToInstant('2026-07-01T09:00', 'Europe/London'))).toBe('2026-07-01T08:00:00.000Z');
    expect(iso(zonedTimeToInstant('2026-11-24T09:00', 'Asia/Tokyo'))).toBe('2026-11-24T00:00:00.000Z');
    expect(iso(zonedTimeToInstant('2026-11-24T09:00', 'America/New_York'))).toBe('2026-11-24T14:00:00.000Z');
  });

  it('moves a time the clocks skip forward, and takes the first of a time that happens twice', () => {
    // London skips 01:00–02:00 on 29 March 2026 and has 01:00–02:00 twice on 25 October 2026.
    expect(iso(zonedTimeToInstant('2026-03-29T01:30', 'Europe/London'))).toBe('2026-03-29T01:30:00.000Z');
    expect(iso(zonedTimeToInstant('2026-10-25T01:30', 'Europe/London'))).toBe('2026-10-25T00:30:00.000Z');
    expect(iso(zonedTimeToInstant('2026-10-25T02:30', 'Europe/London'))).toBe('2026-10-25T02:30:00.000Z');
  });

  it('refuses text that is not a real time', () => {
    expect(zonedTimeToInstant('', 'Europe/London')).toBeNull();
    expect(zonedTimeToInstant('2026-02-31T10:00', 'Europe/London')).toBeNull();
    expect(zonedTimeToInstant('2026-11-24T24:00', 'Europe/London')).toBeNull();
    expect(zonedTimeToInstant('24/11/2026 10:00', 'Europe/London')).toBeNull();
  });

  it('round-trips with instantToZonedInput', () => {
    for (const zone of ['Europe/London', 'Asia/Tokyo', 'America/New_York', 'Asia/Kolkata']) {
      const instant = new Date('2026-06-15T17:45:00Z');
      const shown = instantToZonedInput(instant, zone);
      expect(zonedTimeToInstant(shown, zone)?.getTime()).toBe(instant.getTime());
    }
    expect(instantToZonedInput(new Date('2026-06-15T17:45:00Z'), 'Asia/Kolkata')).toBe('2026-06-15T23:15');
  });
});

describe('suggestedWindow', () => {
  it('starts at the next quarter hour and lasts two hours, in the zone', () => {
    expect(suggestedWindow(new Date('2026-11-24T13:31:10Z'), 'Asia/Tokyo')).toEqual({
      arrive: '2026-11-24T22:45',
      leave: '2026-11-25T00:45',
    });
    // Right on a quarter hour: at least a minute ahead, so it has not passed by the time it is sent.
    expect(suggestedWindow(new Date('2026-11-24T13:45:00Z'), 'UTC').arrive).toBe('2026-11-24T14:00');
  });
});

describe('checkWindowFields', () => {
  it('accepts a window that ends after it starts', () => {
    expect(checkWindowFields('2026-11-24T09:00', '2026-11-24T11:00')).toEqual({});
  });

  it('asks for missing times and names the field', () => {
    expect(checkWindowFields('', '')).toEqual({
      arrive: 'Enter when you arrive.',
      leave: 'Enter when you leave.',
    });
    expect(checkWindowFields('2026-11-24T09:00', 'soon')).toEqual({ leave: 'Enter a date and time.' });
  });

  it('refuses an end at or before the start, and more than 30 days', () => {
    expect(checkWindowFields('2026-11-24T09:00', '2026-11-24T09:00').leave).toBe(
      'Leaving must be after arriving.',
    );
    expect(checkWindowFields('2026-11-24T09:00', '2026-11-23T10:00').leave).toBe(
      'Leaving must be after arriving.',
    );
    expect(checkWindowFields('2026-11-01T09:00', '2026-12-01T09:00')).toEqual({});
    expect(checkWindowFields('2026-11-01T09:00', '2026-12-01T09:01').leave).toBe(
      'A reservation lasts at most 30 days.',
    );
  });
});

describe('windowAt', () => {
  const now = new Date('2026-11-24T13:30:00Z');
  const london = { timezone: 'Europe/London', maxAdvanceDays: 90 };

  it('gives the instants at the facility', () => {
    expect(windowAt({ arrive: '2026-11-24T14:00', leave: '2026-11-24T16:00' }, london, now)).toEqual({
      start: new Date('2026-11-24T14:00:00Z'),
      end: new Date('2026-11-24T16:00:00Z'),
    });
  });

  it('says when the arrival has passed in the facility’s local time', () => {
    // 14:00 is still ahead in London but long past in Tokyo (22:30 there).
    const tokyo = windowAt(
      { arrive: '2026-11-24T14:00', leave: '2026-11-24T16:00' },
      { timezone: 'Asia/Tokyo', maxAdvanceDays: 90 },
      now,
      'en-GB',
    );
    expect(tokyo).toEqual({
      problem: expect.stringMatching(/already passed here \(it is 22:30 local time\)/),
    });
  });

  it('allows a minute of slack for "now", as the service does', () => {
    expect('start' in windowAt({ arrive: '2026-11-24T13:29', leave: '2026-11-24T15:00' }, london, now)).toBe(
      true,
    );
    expect(
      'problem' in windowAt({ arrive: '2026-11-24T13:28', leave: '2026-11-24T15:00' }, london, now),
    ).toBe(true);
  });

  it('keeps to the facility’s booking horizon', () => {
    const far = windowAt(
      { arrive: '2026-12-30T10:00', leave: '2026-12-30T12:00' },
      { ...london, maxAdvanceDays: 30 },
      now,
    );
    expect(far).toEqual({ problem: 'This car park takes reservations up to 30 days ahead.' });
  });
});

describe('showing times', () => {
  it('formats in the facility’s zone', () => {
    expect(formatDateTime('2026-11-24T13:40:00Z', 'Europe/London', 'en-GB')).toBe('Tue 24 Nov, 13:40');
    expect(formatDateTime('2026-11-24T13:40:00Z', 'Asia/Tokyo', 'en-GB')).toBe('Tue 24 Nov, 22:40');
  });

  it('writes the date once for a window within a day, twice across midnight', () => {
    expect(formatWindow('2026-11-24T13:40:00Z', '2026-11-24T15:40:00Z', 'Europe/London', 'en-GB')).toBe(
      'Tue 24 Nov, 13:40 – 15:40',
    );
    expect(formatWindow('2026-11-24T13:40:00Z', '2026-11-24T15:40:00Z', 'Asia/Tokyo', 'en-GB')).toBe(
      'Tue 24 Nov, 22:40 – Wed 25 Nov, 00:40',
    );
  });

  it('says durations as a person would', () => {
    expect(formatDuration(0)).toBe('0 min');
    expect(formatDuration(45)).toBe('45 min');
    expect(formatDuration(120)).toBe('2 h');
    expect(formatDuration(65)).toBe('1 h 5 min');
    expect(formatDuration(3 * 1440 + 120 + 7)).toBe('3 d 2 h');
    expect(formatDuration(-5)).toBe('0 min');
  });
});
