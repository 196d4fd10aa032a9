/**
 * The geometry of the occupancy chart: the hourly history up to now, then the forecast ahead with
 * its interval drawn as a band. Pure: the component only draws what this answers.
 */
import { bandPath, linearScale, linePath, type Point, timeTicks } from './chart-scales.ts';
import type { ForecastPoint, HistoryPoint } from './types.ts';

export interface OccupancyChartInput {
  /** Hourly averages; each `timestamp` starts its hour. */
  history: readonly HistoryPoint[];
  /** Predictions from now on. */
  forecast: readonly ForecastPoint[];
  /** The live occupancy rate now, if known: where the history ends and the forecast starts. */
  liveRate: number | null;
  now: Date;
  from: Date;
  to: Date;
  width: number;
  height: number;
  timeZone: string;
}

export interface OccupancyChart {
  plot: { left: number; right: number; top: number; bottom: number };
  yTicks: { y: number; label: string }[];
  xTicks: { x: number; label: string; midnight: boolean }[];
  historyPath: string;
  forecastPath: string;
  bandPath: string;
  /** Where "now" is, if it is within the chart. */
  nowX: number | null;
  /** The live occupancy now, if known. */
  livePoint: Point | null;
}

export const chartMargin = { left: 44, right: 12, top: 12, bottom: 28 };
const halfHourMs = 30 * 60_000;
/** Hours further apart than this are not joined by the line: there is no data between them. */
const maxJoinMs = 2 * 3_600_000;

export function buildOccupancyChart(input: OccupancyChartInput): OccupancyChart {
  const plot = {
    left: chartMargin.left,
    right: Math.max(chartMargin.left + 1, input.width - chartMargin.right),
    top: chartMargin.top,
    bottom: Math.max(chartMargin.top + 1, input.height - chartMargin.bottom),
  };
  const x = linearScale([input.from.getTime(), input.to.getTime()], [plot.left, plot.right]);
  const y = linearScale([0, 100], [plot.bottom, plot.top]);
  const within = (t: number) => t >= input.from.getTime() && t <= input.to.getTime();
  const rate = (value: number) => y(Math.max(0, Math.min(100, value)));
  const now = input.now.getTime();

  // History: each hour's average in the middle of its hour, broken where hours are missing.
  const past = input.history
    .map((p) => ({ t: Date.parse(p.timestamp) + halfHourMs, value: p.occupancy_rate }))
    .filter((p) => within(p.t) && p.t <= now)
    .sort((a, b) => a.t - b.t);
  if (input.liveRate !== null && within(now)) past.push({ t: now, value: input.liveRate });
  const historyPoints: (Point | null)[] = [];
  past.forEach((p, i) => {
    const previous = past[i - 1];
    if (previous && p.t - previous.t > maxJoinMs) historyPoints.push(null);
    historyPoints.push({ x: x(p.t), y: rate(p.value) });
  });

  // Forecast: from the live value now (when known), then each prediction and its interval.
  const ahead = input.forecast
    .map((p) => ({ t: Date.parse(p.timestamp), p }))
    .filter(({ t }) => within(t) && t >= now)
    .sort((a, b) => a.t - b.t);
  const start = input.liveRate !== null && within(now) ? [{ x: x(now), y: rate(input.liveRate) }] : [];
  const line = [...start, ...ahead.map(({ t, p }) => ({ x: x(t), y: rate(p.predicted_occupancy) }))];
  const upper = [...start, ...ahead.map(({ t, p }) => ({ x: x(t), y: rate(p.upper_occupancy) }))];
  const lower = [...start, ...ahead.map(({ t, p }) => ({ x: x(t), y: rate(p.lower_occupancy) }))];

  const maxTicks = Math.max(2, Math.floor((plot.right - plot.left) / 70));
  return {
    plot,
    yTicks: [0, 25, 50, 75, 100].map((value) => ({ y: y(value), label: `${value}%` })),
    xTicks: timeTicks(input.from, input.to, input.timeZone, maxTicks).map((tick) => ({
      x: x(tick.at.getTime()),
      label: tick.label,
      midnight: tick.midnight,
    })),
    historyPath: linePath(historyPoints),
    forecastPath: ahead.length > 0 ? linePath(line) : '',
    bandPath: ahead.length > 0 ? bandPath(upper, lower) : '',
    nowX: within(now) ? x(now) : null,
    livePoint: start[0] ?? null,
  };
}

/** Lowest, highest and average of some rates, rounded to one decimal; null for none. */
export function rateSummary(values: readonly number[]): { min: number; max: number; average: number } | null {
  if (values.length === 0) return null;
  const round = (n: number) => Math.round(n * 10) / 10;
  return {
    min: round(Math.min(...values)),
    max: round(Math.max(...values)),
    average: round(values.reduce((sum, v) => sum + v, 0) / values.length),
  };
}
