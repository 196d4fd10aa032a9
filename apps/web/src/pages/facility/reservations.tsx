import { Empty, Loading } from '../../components.tsx';
import { useAsync } from '../../hooks.ts';
import { apiAll } from '../../lib/api.ts';
import { localDate } from '../../lib/links.ts';
import { formatTime, localDayBounds } from '../../lib/zoned-time.ts';
import type { Facility, Reservation } from './types.ts';
import { ProblemNotice, Section } from './ui.tsx';
import { sizeName } from './words.ts';

const statusWords: Record<Reservation['status'], { text: string; badge: string }> = {
  PENDING: { text: 'Awaiting confirmation', badge: 'badge-connecting' },
  CONFIRMED: { text: 'Confirmed', badge: 'badge-info' },
  FULFILLED: { text: 'Arrived', badge: 'badge-live' },
  CANCELLED: { text: 'Cancelled', badge: 'badge-connecting' },
  EXPIRED: { text: 'Expired', badge: 'badge-connecting' },
  NO_SHOW: { text: 'No-show', badge: 'badge-warn' },
};

/** Reservations overlapping the facility's local day, earliest first. */
export function ReservationsSection({ facility, changes }: { facility: Facility; changes: number }) {
  const path = encodeURIComponent(facility.facility_id);
  const today = localDate(facility.timezone);
  const reservations = useAsync(
    async (signal) => {
      const { from, to } = localDayBounds(today, facility.timezone);
      const list = await apiAll<Reservation>(
        `reservations?facility_id=${path}&from=${from.toISOString()}&to=${to.toISOString()}&limit=500`,
        signal,
      );
      return list.sort((a, b) => a.start_time.localeCompare(b.start_time));
    },
    [path, today, changes],
    60_000,
  );
  const time = (iso: string) => formatTime(iso, facility.timezone);
  const upcoming =
    reservations.data?.filter((r) => r.status === 'PENDING' || r.status === 'CONFIRMED').length ?? 0;

  return (
    <Section
      id="reservations"
      title="Reservations today"
      lede={reservations.data ? `${reservations.data.length} today, ${upcoming} still to arrive.` : undefined}
    >
      {reservations.loading && !reservations.data && <Loading>Loading today’s reservations…</Loading>}
      <ProblemNotice error={reservations.error} retry={reservations.reload} />
      {reservations.data && reservations.data.length === 0 && <Empty>No reservations for today.</Empty>}
      {reservations.data && reservations.data.length > 0 && (
        <div className="table-wrap fac-table-wrap">
          <table className="table fac-table">
            <caption className="visually-hidden">Today’s reservations, earliest first</caption>
            <thead>
              <tr>
                <th scope="col">Time</th>
                <th scope="col">Vehicle</th>
                <th scope="col">Space</th>
                <th scope="col">Status</th>
              </tr>
            </thead>
            <tbody>
              {reservations.data.map((r) => (
                <tr key={r.reservation_id}>
                  <th scope="row">
                    {time(r.start_time)}–{time(r.end_time)}
                  </th>
                  <td>
                    {r.registration_number ? <span className="plate">{r.registration_number}</span> : '–'}
                    <span className="muted small"> · {r.confirmation_code}</span>
                  </td>
                  <td>{sizeName(r.desired_space_size)}</td>
                  <td>
                    <span className={`badge ${statusWords[r.status].badge}`}>
                      {statusWords[r.status].text}
                    </span>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </Section>
  );
}
