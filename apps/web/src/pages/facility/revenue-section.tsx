import { useId, useState } from 'react';
import { Loading } from '../../components.tsx';
import { useAsync } from '../../hooks.ts';
import { api } from '../../lib/api.ts';
import { localDate } from '../../lib/links.ts';
import { currencyDigits, formatMoney } from '../../lib/money.ts';
import { BarChart } from './chart.tsx';
import {
  fillPeriods,
  type Grouping,
  periodLabel,
  periodsShown,
  revenueRange,
  sumAmounts,
} from './revenue.ts';
import type { Facility, RevenueRow } from './types.ts';
import { ProblemNotice, Section, Stat } from './ui.tsx';

const groupings: { value: Grouping; label: string; span: string }[] = [
  { value: 'DAILY', label: 'Day', span: `the last ${periodsShown.DAILY} days` },
  { value: 'WEEKLY', label: 'Week', span: `the last ${periodsShown.WEEKLY} weeks` },
  { value: 'MONTHLY', label: 'Month', span: `the last ${periodsShown.MONTHLY} months` },
];

/** Money received (payments less refunds) per day, week or month. */
export function RevenueSection({ facility }: { facility: Facility }) {
  const id = useId();
  const path = encodeURIComponent(facility.facility_id);
  const [grouping, setGrouping] = useState<Grouping>('DAILY');
  const today = localDate(facility.timezone);
  // The answer carries its own grouping and periods: while another grouping loads, the old
  // figures are never laid out as periods they are not.
  const revenue = useAsync(
    async (signal) => {
      const range = revenueRange(grouping, today);
      const rows = await api<RevenueRow[]>(
        `billing/revenue-summary/${path}?start_date=${range.start_date}&end_date=${range.end_date}&grouping=${grouping}`,
        { signal },
      );
      return { grouping, rows: fillPeriods(rows, range.periods, facility.currency) };
    },
    [path, grouping, today],
    60_000,
  );
  const { currency } = facility;
  const money = (n: number) => formatMoney(n, currency);
  const rows = revenue.data?.grouping === grouping ? revenue.data.rows : null;
  const total = rows
    ? sumAmounts(
        rows.map((r) => r.total_revenue),
        currencyDigits(currency),
      )
    : 0;
  const span = groupings.find((g) => g.value === grouping)!.span;

  return (
    <Section
      id="revenue"
      title="Revenue"
      lede="Payments received, less refunds."
      tools={
        <div className="field fac-tool-field">
          <label htmlFor={`${id}-grouping`}>Group revenue by</label>
          <select
            id={`${id}-grouping`}
            value={grouping}
            onChange={(e) => setGrouping(e.target.value as Grouping)}
          >
            {groupings.map((g) => (
              <option key={g.value} value={g.value}>
                {g.label}
              </option>
            ))}
          </select>
        </div>
      }
    >
      {revenue.loading && !rows && <Loading>Loading the revenue…</Loading>}
      <ProblemNotice error={revenue.error} retry={revenue.reload} />
      {rows && (
        <>
          <dl className="stats fac-stats">
            <Stat label={`Total over ${span}`}>{money(total)}</Stat>
            <Stat label={grouping === 'DAILY' ? 'Today' : grouping === 'WEEKLY' ? 'This week' : 'This month'}>
              {money(rows[rows.length - 1]?.total_revenue ?? 0)}
            </Stat>
          </dl>
          {total === 0 ? (
            <p className="empty">No money received over {span}.</p>
          ) : (
            <BarChart
              title={`Revenue per ${grouping === 'DAILY' ? 'day' : grouping === 'WEEKLY' ? 'week' : 'month'}`}
              description={`${money(total)} received over ${span}; the best period was ${(() => {
                const best = rows.reduce((a, b) => (b.total_revenue > a.total_revenue ? b : a));
                return `${periodLabel(best.date, grouping)} with ${money(best.total_revenue)}`;
              })()}.`}
              bars={rows.map((r) => ({
                key: r.date,
                label: periodLabel(r.date, grouping).replace('Week of ', ''),
                value: r.total_revenue,
                valueText: money(r.total_revenue),
              }))}
              formatTick={(n) =>
                new Intl.NumberFormat(undefined, {
                  style: 'currency',
                  currency,
                  notation: 'compact',
                  maximumFractionDigits: 1,
                }).format(n)
              }
              table={{
                caption: `Revenue per period over ${span}`,
                columns: ['Period', 'Parking', 'Charging', 'Reservations', 'Total', 'Payments'],
                rows: rows.map((r) => ({
                  key: r.date,
                  cells: [
                    periodLabel(r.date, grouping),
                    money(r.parking_revenue),
                    money(r.charging_revenue),
                    money(r.reservation_revenue),
                    money(r.total_revenue),
                    r.transaction_count,
                  ],
                })),
              }}
            />
          )}
        </>
      )}
    </Section>
  );
}
