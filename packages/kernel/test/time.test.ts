import { describe, expect, it } from 'vitest';
import { utcOffsetMs } from '../src/time.ts';

const hour = 3_600_000;

describe('utcOffsetMs', () => {
  it('gives the offset in winter and summer, and exactly at a daylight-saving change', () => {
    expect(utcOffsetMs(Date.parse('2026-01-15T12:00:00Z'), 'Europe/London')).toBe(0);
    expect(utcOffsetMs(Date.parse('2026-07-15T12:00:00Z'), 'Europe/London')).toBe(hour);
    expect(utcOffsetMs(Date.parse('2026-07-15T12:00:00Z'), 'Asia/Tokyo')).toBe(9 * hour);
    expect(utcOffsetMs(Date.parse('2026-07-15T12:00:00Z'), 'America/New_York')).toBe(-4 * hour);
    // London springs forward at 01:00 UTC on 29 March 2026: the minute before and the minute of it.
    expect(utcOffsetMs(Date.parse('2026-03-29T00:59:00Z'), 'Europe/London')).toBe(0);
    expect(utcOffsetMs(Date.parse('2026-03-29T01:00:00Z'), 'Europe/London')).toBe(hour);
    // India's half hour, asked twice (the second from the cache).
    for (let i = 0; i < 2; i++)
      expect(utcOffsetMs(Date.parse('2026-05-01T06:10:00Z'), 'Asia/Kolkata')).toBe(5.5 * hour);
  });
});
