import { describe, expect, it } from 'vitest';
import { demoHistory } from '../src/demo.ts';

const lastDate = (csv: string) => csv.trim().split('\n').at(-1)!.slice(0, 10);

describe('the demo facilities’ history', () => {
  it('is a Birmingham car park moved forward by whole weeks to end before today, scaled to the capacity', () => {
    const csv = demoHistory('Bull Ring', 150, 'Europe/London', new Date('2026-11-24T12:00:00Z'));
    const lines = csv.split('\n');
    expect(lines[0]).toBe('timestamp,occupied_spaces,capacity');
    expect(lines).toHaveLength(883); // the car park's 882 rows, quirks and all: the import sorts them out
    expect(lastDate(csv)).toBe('2026-11-18'); // 2016-11-30 was a Wednesday, and so is this
    expect(lines[1]).toBe('2026-09-22 07:59:42,11,150'); // 2016-10-04 07:59:42: 215 of 3053 spaces
    // On a Wednesday the same week would end today: it ends a week earlier instead.
    expect(lastDate(demoHistory('Bull Ring', 150, 'Europe/London', new Date('2026-11-18T12:00:00Z')))).toBe(
      '2026-11-11',
    );
    // Local dates of the facility decide: it is already Thursday in Tokyo.
    expect(lastDate(demoHistory('Shopping', 80, 'Asia/Tokyo', new Date('2026-11-18T20:00:00Z')))).toBe(
      '2026-11-18',
    );
  });
});
