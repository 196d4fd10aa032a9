import { describe, expect, it } from 'vitest';
import {
  bandPath,
  barLayout,
  linearScale,
  linePath,
  niceMax,
  ticksTo,
  timeTicks,
} from '../src/pages/facility/chart-scales.ts';
import { buildOccupancyChart, chartMargin, rateSummary } from '../src/pages/facility/occupancy-chart.ts';
import type { ForecastPoint, HistoryPoint } from '../src/pages/facility/types.ts';

describe('chart scales and paths', () => {
  it('maps values linearly, upside down for an SVG y axis', () => {
    const y = linearScale([0, 100], [200, 0]);
    expect(y(0)).toBe(200);
    expect(y(100)).toBe(0);
    expect(y(25)).toBe(150);
    expect(linearScale([5, 5], [0, 10])(5)).toBe(5);
  });

  it('rounds an axis up to 1, 2, 2.5 or 5 times a power of ten', () => {
    expect(niceMax(0)).toBe(1);
    expect(niceMax(7)).toBe(10);
    expect(niceMax(18)).toBe(20);
    expect(niceMax(21)).toBe(25);
    expect(niceMax(430)).toBe(500);
    expect(niceMax(0.3)).toBe(0.5);
    expect(niceMax(1000)).toBe(1000);
    expect(ticksTo(20)).toEqual([0, 5, 10, 15, 20]);
  });

  it('draws a line, breaking it at gaps', () => {
    expect(linePath([])).toBe('');
    expect(linePath([{ x: 0, y: 10 }, { x: 5.55, y: 20 }, null, { x: 20, y: 5 }, { x: 30, y: 6 }])).toBe(
      'M0 10L5.6 20M20 5L30 6',
    );
  });

  it('draws a band along the upper line and back along the lower one', () => {
    expect(
      bandPath(
        [
          { x: 0, y: 10 },
          { x: 10, y: 5 },
        ],
        [
          { x: 0, y: 10 },
          { x: 10, y: 15 },
        ],
      ),
    ).toBe('M0 10L10 5L10 15L0 10Z');
    expect(bandPath([], [])).toBe('');
    expect(bandPath([{ x: 0, y: 0 }], [])).toBe('');
  });

  it('places bars side by side, clamped to the axis', () => {
    const bars = barLayout([0, 50, 150], { left: 0, right: 300, top: 0, bottom: 100 }, 100, 0.2);
    expect(bars.map((b) => Math.round(b.x))).toEqual([10, 110, 210]);
    expect(bars.map((b) => b.width)).toEqual([80, 80, 80]);
    expect(bars.map((b) => b.height)).toEqual([0, 50, 100]);
    expect(bars.map((b) => b.y)).toEqual([100, 50, 0]);
    expect(barLayout([], { left: 0, right: 10, top: 0, bottom: 10 }, 1)).toEqual([]);
  });

  it('ticks on local whole hours of the facility, and on local midnights for long spans', () => {
    const from = new Date('2026-11-24T10:20:00Z');
    const to = new Date('2026-11-24T22:00:00Z');
    const london = timeTicks(from, to, 'Europe/London', 4);
    // 11⅔ hours in at most 4 ticks: every 3 hours.
    expect(london.map((t) => t.label)).toEqual(['12:00', '15:00', '18:00', '21:00']);
    expect(timeTicks(from, to, 'Europe/London', 6).map((t) => t.label)).toEqual([
      '12:00',
      '14:00',
      '16:00',
      '18:00',
      '20:00',
      '22:00',
    ]);
    // Tokyo is 9 hours ahead: the same instants are 19:20 to 07:00, over midnight.
    const tokyo = timeTicks(from, to, 'Asia/Tokyo', 4);
    expect(tokyo.map((t) => t.label)).toEqual(['21:00', 'Wed 25', '03:00', '06:00']);
    expect(tokyo[1]!.midnight).toBe(true);
    expect(tokyo[1]!.at.toISOString()).toBe('2026-11-24T15:00:00.000Z');
    // India is 5:30 ahead: its whole hours are at half past in UTC.
    const india = timeTicks(from, to, 'Asia/Kolkata', 12);
    expect(india[0]!.at.toISOString()).toBe('2026-11-24T10:30:00.000Z');
    expect(india[0]!.label).toBe('16:00');
    const week = timeTicks(
      new Date('2026-11-17T12:00:00Z'),
      new Date('2026-11-25T12:00:00Z'),
      'Europe/London',
      8,
    );
    expect(week.every((t) => t.midnight)).toBe(true);
    expect(week.map((t) => t.label)).toEqual([
      'Wed 18',
      'Thu 19',
      'Fri 20',
      'Sat 21',
      'Sun 22',
      'Mon 23',
      'Tue 24',
      'Wed 25',
    ]);
  });
});

const hour = 3_600_000;
const now = new Date('2026-11-24T12:00:00Z');

function history(hoursAgo: number, rate: number): HistoryPoint {
  return {
    timestamp: new Date(now.getTime() - hoursAgo * hour).toISOString(),
    occupancy_rate: rate,
    peak_occupancy_rate: rate + 5,
  };
}

function forecast(hoursAhead: number, predicted: number, lower: number, upper: number): ForecastPoint {
  return {
    timestamp: new Date(now.getTime() + hoursAhead * hour).toISOString(),
    predicted_occupancy: predicted,
    lower_occupancy: lower,
    upper_occupancy: upper,
  };
}

describe('the occupancy chart', () => {
  // 10 hours back, 10 ahead, 20 px per hour; y: 100 % at the top margin, 0 % at the plot bottom.
  const base = {
    now,
    from: new Date(now.getTime() - 10 * hour),
    to: new Date(now.getTime() + 10 * hour),
    width: chartMargin.left + 400 + chartMargin.right,
    height: chartMargin.top + 200 + chartMargin.bottom,
    timeZone: 'Europe/London',
  };
  const x = (hoursFromNow: number) => chartMargin.left + 200 + hoursFromNow * 20;
  const y = (rate: number) => chartMargin.top + 200 - rate * 2;

  it('draws the history at the middle of each hour up to the live figure now', () => {
    const chart = buildOccupancyChart({
      ...base,
      history: [history(3, 40), history(2, 50), history(1, 60)],
      forecast: [],
      liveRate: 65,
    });
    expect(chart.historyPath).toBe(
      `M${x(-2.5)} ${y(40)}L${x(-1.5)} ${y(50)}L${x(-0.5)} ${y(60)}L${x(0)} ${y(65)}`,
    );
    expect(chart.nowX).toBe(x(0));
    expect(chart.livePoint).toEqual({ x: x(0), y: y(65) });
    expect(chart.forecastPath).toBe('');
    expect(chart.bandPath).toBe('');
    expect(chart.yTicks.map((t) => [t.label, t.y])).toEqual([
      ['0%', y(0)],
      ['25%', y(25)],
      ['50%', y(50)],
      ['75%', y(75)],
      ['100%', y(100)],
    ]);
  });

  it('breaks the history line where hours are missing, and leaves out what is outside the chart', () => {
    const chart = buildOccupancyChart({
      ...base,
      history: [history(12, 10), history(8, 20), history(7, 25), history(3, 30)],
      forecast: [],
      liveRate: null,
    });
    expect(chart.historyPath).toBe(`M${x(-7.5)} ${y(20)}L${x(-6.5)} ${y(25)}M${x(-2.5)} ${y(30)}`);
    expect(chart.livePoint).toBeNull();
  });

  it('draws the forecast from the live figure, and its interval as a band around it', () => {
    const chart = buildOccupancyChart({
      ...base,
      history: [],
      forecast: [forecast(1, 70, 60, 80), forecast(2, 80, 65, 95), forecast(12, 10, 0, 20)],
      liveRate: 50,
    });
    expect(chart.forecastPath).toBe(`M${x(0)} ${y(50)}L${x(1)} ${y(70)}L${x(2)} ${y(80)}`);
    expect(chart.bandPath).toBe(
      `M${x(0)} ${y(50)}L${x(1)} ${y(80)}L${x(2)} ${y(95)}L${x(2)} ${y(65)}L${x(1)} ${y(60)}L${x(0)} ${y(50)}Z`,
    );
  });

  it('keeps rates inside 0–100 % and starts the forecast at its first point without a live figure', () => {
    const chart = buildOccupancyChart({
      ...base,
      history: [],
      forecast: [forecast(1, 100, 90, 112), forecast(2, 99, 85, 110)],
      liveRate: null,
    });
    expect(chart.forecastPath).toBe(`M${x(1)} ${y(100)}L${x(2)} ${y(99)}`);
    expect(chart.bandPath.startsWith(`M${x(1)} ${y(100)}L${x(2)} ${y(100)}`)).toBe(true);
  });

  it('summarises rates for the chart’s description', () => {
    expect(rateSummary([])).toBeNull();
    expect(rateSummary([10, 20, 33.33])).toEqual({ min: 10, max: 33.3, average: 21.1 });
  });
});
