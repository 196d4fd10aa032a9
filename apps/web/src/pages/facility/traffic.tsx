import { Empty, Loading } from '../../components.tsx';
import { useAsync } from '../../hooks.ts';
import { api } from '../../lib/api.ts';
import { localDate } from '../../lib/links.ts';
import { formatMoney } from '../../lib/money.ts';
import { formatDateTime, formatTime, hourLabel, localDateAt, localHourAt } from '../../lib/zoned-time.ts';
import { BarChart } from './chart.tsx';
import { spaceLabel } from './spaces.ts';
import type { Facility, OperationsSummary, ParkingSession } from './types.ts';
import { ProblemNotice, Section, Stat } from './ui.tsx';

const latestShown = 15;

/** The day's entries and exits (facility-local day), and the latest vehicles in and out. */
export function TrafficSection({ facility, changes }: { facility: Facility; changes: number }) {
  const path = encodeURIComponent(facility.facility_id);
  const today = localDate(facility.timezone);
  const summary = useAsync(
    (signal) =>
      api<OperationsSummary>(`facilities/${path}/operations-summary?start_date=${today}&end_date=${today}`, {
        signal,
      }),
    [path, today, changes],
  );
  const latest = useAsync(
    (signal) =>
      api<ParkingSession[]>(`parking/sessions?facility_id=${path}&limit=${latestShown}`, { signal }),
    [path, changes],
  );
  const nowHour = localHourAt(new Date(), facility.timezone);
  const byHour = summary.data?.peak_hours_analysis.entries_by_hour ?? [];
  const busiest = byHour.reduce((best, n, hour) => (n > (byHour[best] ?? 0) ? hour : best), 0);

  return (
    <Section id="traffic" title="Entries and exits today" lede={`Since midnight, ${facility.timezone} time.`}>
      {summary.loading && !summary.data && <Loading>Loading today’s traffic…</Loading>}
      <ProblemNotice error={summary.error} retry={summary.reload} />
      {summary.data && (
        <>
          <dl className="stats fac-stats">
            <Stat label="Entries">{summary.data.total_entries}</Stat>
            <Stat label="Exits">{summary.data.total_transactions}</Stat>
            <Stat label="Average stay">
              {summary.data.total_transactions > 0 ? `${summary.data.average_session_duration} h` : '–'}
            </Stat>
            <Stat label="Charged for stays">
              {formatMoney(summary.data.total_revenue, summary.data.currency)}
            </Stat>
          </dl>
          {summary.data.total_entries === 0 ? (
            <Empty>No vehicle has come in yet today.</Empty>
          ) : (
            <BarChart
              title="Entries per hour today"
              description={`${summary.data.total_entries} entries so far today; the busiest hour was ${hourLabel(busiest)} with ${byHour[busiest]}.`}
              bars={byHour.map((n, hour) => ({
                key: String(hour),
                label: String(hour).padStart(2, '0'),
                value: n,
                valueText: `${n} ${n === 1 ? 'entry' : 'entries'}`,
                highlight: hour === nowHour,
              }))}
              formatTick={(n) => (Number.isInteger(n) ? String(n) : '')}
              height={160}
              legend={<span className="muted small">Local hours; the current hour is highlighted.</span>}
              table={{
                caption: 'Entries per hour today',
                columns: ['Hour', 'Entries'],
                rows: byHour
                  .map((n, hour) => ({ key: String(hour), cells: [hourLabel(hour), n] }))
                  .filter((_, hour) => hour <= nowHour),
              }}
            />
          )}
        </>
      )}
      <h3>Latest vehicles</h3>
      {latest.loading && !latest.data && <Loading>Loading the latest vehicles…</Loading>}
      <ProblemNotice error={latest.error} retry={latest.reload} />
      {latest.data && latest.data.length === 0 && <Empty>No vehicle has parked here yet.</Empty>}
      {latest.data && latest.data.length > 0 && (
        <div className="table-wrap fac-table-wrap">
          <table className="table fac-table">
            <caption className="visually-hidden">The latest {latestShown} visits, newest entry first</caption>
            <thead>
              <tr>
                <th scope="col">Vehicle</th>
                <th scope="col">Space</th>
                <th scope="col">In</th>
                <th scope="col">Out</th>
              </tr>
            </thead>
            <tbody>
              {latest.data.map((s) => {
                const when = (iso: string) =>
                  localDateAt(new Date(iso), facility.timezone) === today
                    ? formatTime(iso, facility.timezone)
                    : formatDateTime(iso, facility.timezone);
                return (
                  <tr key={s.session_id}>
                    <th scope="row">
                      <span className="plate">{s.registration_number}</span>
                    </th>
                    <td>
                      {spaceLabel(s)} <span className="muted small">L{s.location.floor}</span>
                    </td>
                    <td>{when(s.entry_time)}</td>
                    <td>
                      {s.exit_time ? (
                        <>
                          {when(s.exit_time)}
                          {s.charge_amount !== null && (
                            <span className="muted small"> · {formatMoney(s.charge_amount, s.currency)}</span>
                          )}
                        </>
                      ) : (
                        <span className="badge badge-live">Parked</span>
                      )}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
    </Section>
  );
}
