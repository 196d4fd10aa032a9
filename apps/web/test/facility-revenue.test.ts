import { describe, expect, it } from 'vitest';
import { fillPeriods, mondayOf, periodLabel, revenueRange } from '../src/pages/facility/revenue.ts';
import type { RevenueRow } from '../src/pages/facility/types.ts';

describe('revenue periods', () => {
  it('finds the Monday of a date’s ISO week', () => {
    expect(mondayOf('2026-11-24')).toBe('2026-11-23'); // a Tuesday
    expect(mondayOf('2026-11-23')).toBe('2026-11-23');
    expect(mondayOf('2026-11-29')).toBe('2026-11-23'); // a Sunday belongs to the week before
    expect(mondayOf('2027-01-01')).toBe('2026-12-28');
  });

  it('asks for the last 30 days, day by day, ending today', () => {
    const range = revenueRange('DAILY', '2026-03-05');
    expect(range.start_date).toBe('2026-02-04');
    expect(range.end_date).toBe('2026-03-05');
    expect(range.periods).toHaveLength(30);
    expect(range.periods.slice(-2)).toEqual(['2026-03-04', '2026-03-05']);
  });

  it('asks for whole weeks from a Monday and whole months from the 1st', () => {
    const weeks = revenueRange('WEEKLY', '2026-11-24');
    expect(weeks.periods).toHaveLength(12);
    expect(weeks.start_date).toBe('2026-09-07');
    expect(weeks.periods[11]).toBe('2026-11-23');
    expect(new Set(weeks.periods.map((d) => new Date(`${d}T00:00:00Z`).getUTCDay()))).toEqual(new Set([1]));
    const months = revenueRange('MONTHLY', '2026-03-31');
    expect(months.start_date).toBe('2025-04-01');
    expect(months.end_date).toBe('2026-03-31');
    expect(months.periods[0]).toBe('2025-04-01');
    expect(months.periods[11]).toBe('2026-03-01');
  });

  it('fills the periods the API left out (no money) with zero, in order', () => {
    const row = (date: string, total: number): RevenueRow => ({
      date,
      currency: 'GBP',
      parking_revenue: total,
      charging_revenue: 0,
      reservation_revenue: 0,
      total_revenue: total,
      transaction_count: 1,
    });
    const filled = fillPeriods(
      [row('2026-11-24', 12.5), row('2026-11-22', 3)],
      ['2026-11-22', '2026-11-23', '2026-11-24'],
      'GBP',
    );
    expect(filled.map((r) => [r.date, r.total_revenue, r.transaction_count])).toEqual([
      ['2026-11-22', 3, 1],
      ['2026-11-23', 0, 0],
      ['2026-11-24', 12.5, 1],
    ]);
    expect(filled[1]!.currency).toBe('GBP');
  });

  it('names periods as people do', () => {
    expect(periodLabel('2026-11-24', 'DAILY')).toBe('24 Nov');
    expect(periodLabel('2026-11-23', 'WEEKLY')).toBe('Week of 23 Nov');
    expect(periodLabel('2026-01-01', 'MONTHLY')).toBe('Jan 2026');
  });
});
