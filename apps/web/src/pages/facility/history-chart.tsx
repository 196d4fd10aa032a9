import { useId, useMemo, useState } from 'react';
import { Empty, Loading } from '../../components.tsx';
import { useAsync } from '../../hooks.ts';
import { ApiError, api } from '../../lib/api.ts';
import { formatDateTime } from '../../lib/zoned-time.ts';
import { ChartFigure, useElementWidth } from './chart.tsx';
import { buildOccupancyChart, rateSummary } from './occupancy-chart.ts';
import type { Facility, Forecast, HistoryPoint } from './types.ts';
import { ProblemNotice, Section } from './ui.tsx';

const windows = [
  { hours: 24, label: 'Last 24 hours' },
  { hours: 48, label: 'Last 2 days' },
  { hours: 168, label: 'Last 7 days' },
];
const forecastHours = 24;
const hourMs = 3_600_000;
const pct = (n: number) => `${n.toFixed(1)}%`;

/** Hourly occupancy up to now, the live figure, and the forecast ahead with its interval. */
export function HistorySection({ facility, liveRate }: { facility: Facility; liveRate: number | null }) {
  const id = useId();
  const path = encodeURIComponent(facility.facility_id);
  const [hours, setHours] = useState(48);
  const history = useAsync(
    async (signal) => {
      const to = new Date();
      const from = new Date(Math.floor((to.getTime() - hours * hourMs) / hourMs) * hourMs);
      const points = await api<HistoryPoint[]>(
        `analytics/occupancy/${path}/history?interval=HOURLY&start_date=${from.toISOString()}&end_date=${to.toISOString()}`,
        { signal },
      );
      // With the window it covers: a chart never draws one window's points over another's axis.
      return { hours, points };
    },
    [path, hours],
    5 * 60_000,
  );
  const forecast = useAsync(
    async (signal) => {
      try {
        return await api<Forecast>(
          `analytics/forecast/${path}?hours_ahead=${forecastHours}&step_minutes=60`,
          {
            signal,
          },
        );
      } catch (error) {
        // Not a failure: the facility has too little history to forecast yet.
        if (error instanceof ApiError && error.problem.code === 'NOT_ENOUGH_HISTORY') return null;
        throw error;
      }
    },
    [path],
    15 * 60_000,
  );

  return (
    <Section
      id="history"
      title="Occupancy history and forecast"
      wide
      lede={`Hourly averages in ${facility.timezone} time; the forecast for the next ${forecastHours} hours is dashed, its likely range shaded.`}
      tools={
        <div className="field fac-tool-field">
          <label htmlFor={`${id}-window`}>History shown</label>
          <select id={`${id}-window`} value={hours} onChange={(e) => setHours(Number(e.target.value))}>
            {windows.map((w) => (
              <option key={w.hours} value={w.hours}>
                {w.label}
              </option>
            ))}
          </select>
        </div>
      }
    >
      {(history.loading && !history.data) || (forecast.loading && forecast.data === undefined) ? (
        <Loading>Loading the occupancy history…</Loading>
      ) : null}
      <ProblemNotice error={history.error} retry={history.reload} />
      <ProblemNotice error={forecast.error} retry={forecast.reload} />
      {history.data && forecast.data !== undefined && (
        <OccupancyChart
          facility={facility}
          hours={history.data.hours}
          history={history.data.points}
          forecast={forecast.data}
          liveRate={liveRate}
        />
      )}
      {forecast.data === null && (
        <p className="muted small">
          No forecast yet: the facility needs some occupancy history first. It builds up as vehicles come and
          go.
        </p>
      )}
    </Section>
  );
}

function OccupancyChart({
  facility,
  hours,
  history,
  forecast,
  liveRate,
}: {
  facility: Facility;
  hours: number;
  history: HistoryPoint[];
  forecast: Forecast | null;
  liveRate: number | null;
}) {
  const [ref, width] = useElementWidth<HTMLDivElement>();
  const height = width < 480 ? 220 : 280;
  const tz = facility.timezone;
  const points = forecast?.forecast_points ?? [];
  // "Now" moves on with each reload of the data, not with every render.
  // biome-ignore lint/correctness/useExhaustiveDependencies: recomputed when the data changes
  const now = useMemo(() => new Date(), [history, forecast]);
  const chart = buildOccupancyChart({
    history,
    forecast: points,
    liveRate,
    now,
    from: new Date(now.getTime() - hours * hourMs),
    to: new Date(now.getTime() + forecastHours * hourMs),
    width,
    height,
    timeZone: tz,
  });
  const past = rateSummary(history.map((p) => p.occupancy_rate));
  const ahead = rateSummary(points.map((p) => p.predicted_occupancy));
  const level = forecast?.model.interval_level ?? 80;

  if (history.length === 0 && points.length === 0 && liveRate === null)
    return <Empty>No occupancy recorded in this period yet.</Empty>;

  const description = [
    past
      ? `Over the period shown, occupancy was between ${pct(past.min)} and ${pct(past.max)}, ${pct(past.average)} on average.`
      : 'No occupancy was recorded in the period shown.',
    liveRate !== null ? `Now: ${pct(liveRate)}.` : '',
    ahead
      ? `Forecast for the next ${forecastHours} hours: between ${pct(ahead.min)} and ${pct(ahead.max)}; likely range (${level}%) from ${pct(
          Math.min(...points.map((p) => p.lower_occupancy)),
        )} to ${pct(Math.max(...points.map((p) => p.upper_occupancy)))}.`
      : '',
  ]
    .filter(Boolean)
    .join(' ');

  return (
    <div ref={ref} className="fac-chart-box">
      <ChartFigure
        title="Occupancy history and forecast"
        description={description}
        width={width}
        height={height}
        legend={
          <ul className="fac-legend-list">
            <li>
              <span className="fac-key fac-key-history" aria-hidden="true" /> Occupancy (hourly average)
            </li>
            {points.length > 0 && (
              <>
                <li>
                  <span className="fac-key fac-key-forecast" aria-hidden="true" /> Forecast
                </li>
                <li>
                  <span className="fac-key fac-key-band" aria-hidden="true" /> {level}% likely range
                  {forecast?.model.backtest_coverage != null &&
                    ` (held ${forecast.model.backtest_coverage}% of the time in tests)`}
                </li>
              </>
            )}
          </ul>
        }
        table={{
          caption: 'Hourly occupancy, then the forecast',
          columns: ['Time', 'Occupancy', 'Peak or likely range'],
          rows: [
            ...history.map((p) => ({
              key: p.timestamp,
              cells: [
                formatDateTime(p.timestamp, tz),
                pct(p.occupancy_rate),
                `peak ${pct(p.peak_occupancy_rate)}`,
              ],
            })),
            ...points.map((p) => ({
              key: `f${p.timestamp}`,
              cells: [
                `${formatDateTime(p.timestamp, tz)} (forecast)`,
                pct(p.predicted_occupancy),
                `${pct(p.lower_occupancy)} to ${pct(p.upper_occupancy)}`,
              ],
            })),
          ],
        }}
      >
        {chart.yTicks.map((tick) => (
          <g key={tick.label} className="fac-grid">
            <line x1={chart.plot.left} x2={chart.plot.right} y1={tick.y} y2={tick.y} />
            <text x={chart.plot.left - 6} y={tick.y} dy="0.32em" textAnchor="end">
              {tick.label}
            </text>
          </g>
        ))}
        {chart.xTicks.map((tick) => (
          <g key={`${tick.x}`} className={tick.midnight ? 'fac-grid fac-grid-day' : 'fac-grid'}>
            <line x1={tick.x} x2={tick.x} y1={chart.plot.top} y2={chart.plot.bottom} />
            <text x={tick.x} y={height - 8} textAnchor="middle">
              {tick.label}
            </text>
          </g>
        ))}
        {chart.bandPath && <path className="fac-band" d={chart.bandPath} />}
        {chart.historyPath && <path className="fac-line-history" d={chart.historyPath} />}
        {chart.forecastPath && <path className="fac-line-forecast" d={chart.forecastPath} />}
        {chart.livePoint && (
          <circle className="fac-live-dot" cx={chart.livePoint.x} cy={chart.livePoint.y} r={4} />
        )}
        {chart.nowX !== null && (
          <g className="fac-now">
            <line x1={chart.nowX} x2={chart.nowX} y1={chart.plot.top} y2={chart.plot.bottom} />
            <text x={chart.nowX + 4} y={chart.plot.top + 10}>
              now
            </text>
          </g>
        )}
      </ChartFigure>
    </div>
  );
}
