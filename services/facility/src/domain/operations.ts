/** Summaries of facility_operations rows: pure arithmetic, shared by status and operations-summary. */
export interface DayOperations {
  operation_date: string;
  total_entries: number;
  total_exits: number;
  total_duration_hours: number;
  revenue_generated: number;
  entries_by_hour: number[];
  peak_occupied: number;
  peak_hour: number | null;
}

export function addDays(date: string, days: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

export function daysBetween(start: string, end: string): number {
  return Math.round((Date.parse(`${end}T00:00:00Z`) - Date.parse(`${start}T00:00:00Z`)) / 86_400_000);
}

export function summarise(days: readonly DayOperations[], capacity: number) {
  const entriesByHour = Array.from({ length: 24 }, (_, hour) =>
    days.reduce((n, d) => n + (d.entries_by_hour[hour] ?? 0), 0),
  );
  const exits = days.reduce((n, d) => n + d.total_exits, 0);
  const hours = days.reduce((n, d) => n + Number(d.total_duration_hours), 0);
  const peakDay = days.reduce<DayOperations | null>(
    (best, d) => (!best || d.peak_occupied > best.peak_occupied ? d : best),
    null,
  );
  const busiest = entriesByHour
    .map((entries, hour) => ({ hour, entries }))
    .filter((h) => h.entries > 0)
    .sort((a, b) => b.entries - a.entries || a.hour - b.hour)
    .slice(0, 3);
  return {
    total_entries: days.reduce((n, d) => n + d.total_entries, 0),
    total_exits: exits,
    revenue_minor: days.reduce((n, d) => n + d.revenue_generated, 0),
    average_duration_hours: exits === 0 ? 0 : Math.round((hours / exits) * 100) / 100,
    entries_by_hour: entriesByHour,
    busiest_hours: busiest,
    peak_hour: peakDay?.peak_hour ?? null,
    peak_occupancy_rate: peakDay && capacity > 0 ? rate(peakDay.peak_occupied, capacity) : 0,
  };
}

/** A percentage 0–100 with two decimals. */
export function rate(part: number, whole: number): number {
  return whole <= 0 ? 0 : Math.round((part / whole) * 10_000) / 100;
}
