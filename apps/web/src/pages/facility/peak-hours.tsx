import { Empty, Loading } from '../../components.tsx';
import { useAsync } from '../../hooks.ts';
import { api } from '../../lib/api.ts';
import { hourLabel } from '../../lib/zoned-time.ts';
import { BarChart } from './chart.tsx';
import type { Facility, PeakHour, PeakHours } from './types.ts';
import { ProblemNotice, Section } from './ui.tsx';

const pct = (n: number) => `${n.toFixed(1)}%`;
const dayName = (day: string) => day.charAt(0) + day.slice(1).toLowerCase();

/** The busiest and quietest hours over the last eight weeks, and the average day hour by hour. */
export function PeakHoursSection({ facility }: { facility: Facility }) {
  const path = encodeURIComponent(facility.facility_id);
  const peaks = useAsync(
    (signal) => api<PeakHours>(`analytics/peak-hours/${path}`, { signal }),
    [path],
    30 * 60_000,
  );
  const byHour = peaks.data?.seasonal_patterns.by_hour ?? [];
  const busiest = new Set(
    [...byHour]
      .sort((a, b) => b.average_occupancy_rate - a.average_occupancy_rate)
      .slice(0, 3)
      .map((h) => h.hour),
  );

  return (
    <Section id="peak-hours" title="Peak hours" lede={`Over the last 8 weeks, in ${facility.timezone} time.`}>
      {peaks.loading && !peaks.data && <Loading>Loading the peak hours…</Loading>}
      <ProblemNotice error={peaks.error} retry={peaks.reload} />
      {peaks.data && byHour.length === 0 && (
        <Empty>Not enough history yet: peak hours appear after a few days of traffic.</Empty>
      )}
      {peaks.data && byHour.length > 0 && (
        <>
          <BarChart
            title="Average occupancy by hour of the day"
            description={`The busiest hours of an average day are ${[...busiest]
              .sort((a, b) => a - b)
              .map(hourLabel)
              .join(', ')}.${
              peaks.data.peak_occupancy
                ? ` The highest occupancy seen was ${pct(peaks.data.peak_occupancy.occupancy_rate)}, on a ${dayName(
                    peaks.data.peak_occupancy.day_of_week,
                  )} at ${hourLabel(peaks.data.peak_occupancy.hour)}.`
                : ''
            }`}
            bars={byHour.map((h) => ({
              key: String(h.hour),
              label: String(h.hour).padStart(2, '0'),
              value: h.average_occupancy_rate,
              valueText: pct(h.average_occupancy_rate),
              highlight: busiest.has(h.hour),
            }))}
            max={100}
            formatTick={(n) => `${n}%`}
            height={180}
            legend={<span className="muted small">The three busiest hours are highlighted.</span>}
            table={{
              caption: 'Average occupancy by hour of the day',
              columns: ['Hour', 'Average occupancy'],
              rows: byHour.map((h) => ({
                key: String(h.hour),
                cells: [hourLabel(h.hour), pct(h.average_occupancy_rate)],
              })),
            }}
          />
          <div className="fac-columns">
            <HourList title="Busiest hours of the week" hours={peaks.data.peak_hours} />
            <HourList title="Quietest hours of the week" hours={peaks.data.least_busy_hours} />
          </div>
        </>
      )}
    </Section>
  );
}

function HourList({ title, hours }: { title: string; hours: PeakHour[] }) {
  return (
    <div>
      <h3>{title}</h3>
      <ol className="fac-hours">
        {hours.map((h) => (
          <li key={`${h.day_of_week}-${h.hour}`}>
            {dayName(h.day_of_week)} {h.label}{' '}
            <span className="muted">· {pct(h.average_occupancy_rate)}</span>
          </li>
        ))}
      </ol>
    </div>
  );
}
