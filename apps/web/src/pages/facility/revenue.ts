/**
 * Revenue periods: which local dates to ask for per grouping, and every period of the range
 * listed (the API leaves out days without money; a chart must show them as zero).
 */

import { addDays } from '../../lib/zoned-time.ts';
import type { RevenueRow } from './types.ts';

export type Grouping = 'DAILY' | 'WEEKLY' | 'MONTHLY';

/** How many periods each grouping shows, ending with the one holding today. */
export const periodsShown: Record<Grouping, number> = { DAILY: 30, WEEKLY: 12, MONTHLY: 12 };

/** Monday of the ISO week of a date. */
export function mondayOf(date: string): string {
  const weekday = new Date(`${date}T00:00:00Z`).getUTCDay(); // 0 = Sunday
  return addDays(date, -((weekday + 6) % 7));
}

function addMonths(firstOfMonth: string, months: number): string {
  const d = new Date(`${firstOfMonth}T00:00:00Z`);
  d.setUTCMonth(d.getUTCMonth() + months);
  return d.toISOString().slice(0, 10);
}

/**
 * The query range (local dates, end inclusive) and the first day of each period in it, oldest
 * first, as the API names periods (`date` is the first day: a Monday, the 1st of a month).
 */
export function revenueRange(
  grouping: Grouping,
  today: string,
): { start_date: string; end_date: string; periods: string[] } {
  const count = periodsShown[grouping];
  let periods: string[];
  if (grouping === 'DAILY') periods = Array.from({ length: count }, (_, i) => addDays(today, i - count + 1));
  else if (grouping === 'WEEKLY') {
    const monday = mondayOf(today);
    periods = Array.from({ length: count }, (_, i) => addDays(monday, 7 * (i - count + 1)));
  } else {
    const first = `${today.slice(0, 7)}-01`;
    periods = Array.from({ length: count }, (_, i) => addMonths(first, i - count + 1));
  }
  return { start_date: periods[0]!, end_date: today, periods };
}

/** One row per period, in order; periods the API left out (no money) as zero. */
export function fillPeriods(rows: readonly RevenueRow[], periods: readonly string[], currency: string) {
  const byDate = new Map(rows.map((r) => [r.date, r]));
  return periods.map(
    (date): RevenueRow =>
      byDate.get(date) ?? {
        date,
        currency,
        parking_revenue: 0,
        charging_revenue: 0,
        reservation_revenue: 0,
        total_revenue: 0,
        transaction_count: 0,
      },
  );
}

/** The sum of amounts in a currency with `digits` decimals, without floating-point dust. */
export function sumAmounts(amounts: readonly number[], digits: number): number {
  const scale = 10 ** digits;
  return amounts.reduce((sum, a) => sum + Math.round(a * scale), 0) / scale;
}

const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** A period as a person names it: `24 Nov`, `Week of 23 Nov`, `Nov 2026`. */
export function periodLabel(date: string, grouping: Grouping): string {
  const d = new Date(`${date}T00:00:00Z`);
  const dayMonth = `${d.getUTCDate()} ${months[d.getUTCMonth()]}`;
  if (grouping === 'DAILY') return dayMonth;
  if (grouping === 'WEEKLY') return `Week of ${dayMonth}`;
  return `${months[d.getUTCMonth()]} ${d.getUTCFullYear()}`;
}
