/** Peak hours, quiet hours and daily reports from hourly occupancy: pure arithmetic. */

export interface HourOfWeek {
  /** ISO weekday, 1 = Monday … 7 = Sunday, in the facility's local time. */
  weekday: number;
  /** Local hour of day, 0–23. */
  hour: number;
  occupancy_rate: number;
  peak_occupancy_rate: number;
}

export const weekdayNames = [
  'MONDAY',
  'TUESDAY',
  'WEDNESDAY',
  'THURSDAY',
  'FRIDAY',
  'SATURDAY',
  'SUNDAY',
] as const;

const round2 = (n: number) => Math.round(n * 100) / 100;

const busiestFirst = (a: HourOfWeek, b: HourOfWeek) =>
  b.occupancy_rate - a.occupancy_rate || a.weekday - b.weekday || a.hour - b.hour;
const quietestFirst = (a: HourOfWeek, b: HourOfWeek) =>
  a.occupancy_rate - b.occupancy_rate || a.weekday - b.weekday || a.hour - b.hour;

/**
 * The week's busiest and quietest `top` hours; per weekday its own, and its average; the average
 * per hour of day over the whole week; and the highest occupancy seen (among hours with data).
 */
export function peakPattern(profile: HourOfWeek[], top = 3) {
  const byWeekday = weekdayNames.map((name, i) => {
    const hours = profile.filter((p) => p.weekday === i + 1);
    const busiest = [...hours].sort(busiestFirst);
    const quietest = [...hours].sort(quietestFirst);
    return {
      day_of_week: name,
      average_occupancy_rate: hours.length
        ? round2(hours.reduce((s, h) => s + h.occupancy_rate, 0) / hours.length)
        : null,
      peak_hours: busiest.slice(0, top).map(view),
      least_busy_hours: quietest.slice(0, top).map(view),
    };
  });
  const byHour = Array.from({ length: 24 }, (_, hour) => {
    const hours = profile.filter((p) => p.hour === hour);
    return {
      hour,
      average_occupancy_rate: hours.length
        ? round2(hours.reduce((s, h) => s + h.occupancy_rate, 0) / hours.length)
        : null,
    };
  }).filter((h) => h.average_occupancy_rate !== null);
  const peak = profile.reduce<HourOfWeek | null>(
    (best, p) => (best === null || p.peak_occupancy_rate > best.peak_occupancy_rate ? p : best),
    null,
  );
  return {
    busiest: [...profile].sort(busiestFirst).slice(0, top).map(view),
    quietest: [...profile].sort(quietestFirst).slice(0, top).map(view),
    byWeekday,
    byHour,
    peak,
  };
}

const view = (h: HourOfWeek) => ({
  day_of_week: weekdayNames[h.weekday - 1]!,
  hour: h.hour,
  label: `${String(h.hour).padStart(2, '0')}:00–${String((h.hour + 1) % 24).padStart(2, '0')}:00`,
  average_occupancy_rate: h.occupancy_rate,
});

/** One local day's report from its hours (local hour of day with the average and peak rate). */
export function dayOfHours(
  hours: Array<{ hour: number; occupancy_rate: number; peak_occupancy_rate: number; samples: number }>,
) {
  if (hours.length === 0)
    return {
      average_occupancy_rate: null,
      peak_hour: null,
      peak_occupancy_rate: null,
      least_busy_hour: null,
    };
  const samples = hours.reduce((s, h) => s + h.samples, 0);
  const average = hours.reduce((s, h) => s + h.occupancy_rate * h.samples, 0) / samples;
  const busiest = hours.reduce((a, b) => (b.occupancy_rate > a.occupancy_rate ? b : a));
  const quietest = hours.reduce((a, b) => (b.occupancy_rate < a.occupancy_rate ? b : a));
  return {
    average_occupancy_rate: round2(average),
    peak_hour: busiest.hour,
    peak_occupancy_rate: Math.max(...hours.map((h) => h.peak_occupancy_rate)),
    least_busy_hour: quietest.hour,
  };
}
