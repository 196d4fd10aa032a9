import { useId, useState } from 'react';
import { Empty, Loading } from '../../components.tsx';
import { useAsync } from '../../hooks.ts';
import { api, apiAll } from '../../lib/api.ts';
import { formatMoney } from '../../lib/money.ts';
import { Link } from '../../router.tsx';
import { useFacilities, useNow } from './data.ts';
import {
  type ChargingSession,
  type ChargingStatus,
  type Facility,
  type ParkingSession,
  type RunningCharge,
  sizeWords,
  spaceWords,
} from './model.ts';
import { formatDateTime, formatDuration, formatTime, formatWindow, minutesBetween } from './time.ts';
import { DriverError } from './ui.tsx';

/** How often the page asks again: the visit, its charging progress, what leaving now would cost. */
const pollMs = 10_000;

export function ParkingPage() {
  const id = useId();
  const facilities = useFacilities();
  const open = useAsync(
    (signal) => apiAll<ParkingSession>('parking/sessions?status=OPEN&limit=20', signal),
    [],
    pollMs,
  );
  const recent = useAsync(
    (signal) => api<ParkingSession[]>('parking/sessions?status=CLOSED&limit=5', { signal }),
    [],
  );

  return (
    <div className="driver-stack">
      <section aria-labelledby={`${id}-title`}>
        <div className="page-head">
          <h1 id={`${id}-title`} tabIndex={-1}>
            Parking now
          </h1>
          <p className="lede">
            Where you are parked and how charging is going. Updates every {pollMs / 1000} seconds.
          </p>
        </div>
        {(!open.data || !facilities.settled) && !open.error && <Loading>Loading your visits…</Loading>}
        <DriverError error={open.error} retry={open.reload} />
        {open.data && open.data.length === 0 && (
          <Empty>
            You are not parked anywhere right now. When one of your registered vehicles enters a car park, the
            visit shows here.
          </Empty>
        )}
      </section>
      {facilities.settled &&
        open.data?.map((session) => (
          <ParkingVisit
            key={session.session_id}
            session={session}
            facility={facilities.byId.get(session.facility_id)}
            name={facilities.nameOf(session.facility_id)}
          />
        ))}
      <section className="panel" aria-labelledby={`${id}-recent`}>
        <h2 id={`${id}-recent`}>Recent visits</h2>
        {(!recent.data || !facilities.settled) && !recent.error && <Loading>Loading recent visits…</Loading>}
        <DriverError error={recent.error} retry={recent.reload} />
        {recent.data && recent.data.length === 0 && <Empty>No visits yet.</Empty>}
        {recent.data && recent.data.length > 0 && facilities.settled && (
          <>
            <ul className="visits">
              {recent.data.map((s) => {
                const facility = facilities.byId.get(s.facility_id);
                return (
                  <li key={s.session_id}>
                    <span className="plate">{s.registration_number}</span>
                    <span>
                      <strong>{facilities.nameOf(s.facility_id)}</strong>
                      <span className="muted small block">
                        {s.exit_time
                          ? formatWindow(s.entry_time, s.exit_time, facility?.timezone)
                          : formatDateTime(s.entry_time, facility?.timezone)}
                        {s.duration_hours !== null && ` · ${formatDuration(s.duration_hours * 60)}`}
                      </span>
                    </span>
                    {s.charge_amount !== null && (
                      <span className="visit-amount">
                        <span className="muted small">Parking </span>
                        {formatMoney(s.charge_amount, s.currency)}
                      </span>
                    )}
                  </li>
                );
              })}
            </ul>
            <p className="small">
              <Link href="/invoices">See your invoices</Link> to pay for a visit.
            </p>
          </>
        )}
      </section>
    </div>
  );
}

function ParkingVisit({
  session,
  facility,
  name,
}: {
  session: ParkingSession;
  facility: Facility | undefined;
  name: string;
}) {
  const id = useId();
  const zone = facility?.timezone;
  const now = useNow(30_000);
  const sessionPath = encodeURIComponent(session.session_id);
  const charging = useAsync(
    (signal) =>
      apiAll<ChargingSession>(`charging/sessions?parking_session_id=${sessionPath}&limit=10`, signal),
    [session.session_id],
    pollMs,
  );
  const running = useAsync(
    (signal) =>
      api<RunningCharge>('billing/charges/calculate', {
        method: 'POST',
        json: { parking_session_id: session.session_id },
        signal,
      }),
    [session.session_id],
    pollMs * 3,
  );
  const latest = charging.data?.[0];

  return (
    <section className="panel visit" aria-labelledby={`${id}-title`}>
      <div className="item-head">
        <h2 id={`${id}-title`}>{name}</h2>
        <span className="badge badge-live">Parked</span>
      </div>
      <dl className="facts">
        <div>
          <dt>Vehicle</dt>
          <dd>
            <span className="plate">{session.registration_number}</span>
          </dd>
        </div>
        <div>
          <dt>Space</dt>
          <dd>
            {spaceWords(session.location)}
            <span className="muted small block">{sizeWords[session.space_size]}</span>
          </dd>
        </div>
        <div>
          <dt>Parked since</dt>
          <dd>
            {formatTime(session.entry_time, zone)}
            <span className="muted small block">
              {formatDuration(minutesBetween(session.entry_time, now))}
            </span>
          </dd>
        </div>
        <div>
          <dt>If you leave now</dt>
          <dd>
            {running.data
              ? formatMoney(running.data.amount, running.data.currency)
              : running.error
                ? '—'
                : '…'}
            {running.data && running.data.breakdown.charging > 0 && (
              <span className="muted small block">
                parking {formatMoney(running.data.breakdown.parking, running.data.currency)}, charging{' '}
                {formatMoney(running.data.breakdown.charging, running.data.currency)}
              </span>
            )}
          </dd>
        </div>
      </dl>
      <DriverError error={running.error} retry={running.reload} />

      <section className="charging" aria-labelledby={`${id}-charging`}>
        <h3 id={`${id}-charging`}>Charging</h3>
        {charging.loading && !charging.data && <Loading>Loading charging…</Loading>}
        <DriverError error={charging.error} retry={charging.reload} />
        {charging.data && !latest && <p className="muted">Not charging during this visit.</p>}
        {latest && <ChargingProgress session={latest} onChanged={charging.reload} />}
      </section>
    </section>
  );
}

const chargingWords: Record<ChargingStatus, string> = {
  ACTIVE: 'Charging',
  PAUSED: 'Paused',
  COMPLETED: 'Finished',
  INTERRUPTED: 'Stopped early',
};

function ChargingProgress({ session: c, onChanged }: { session: ChargingSession; onChanged(): void }) {
  const id = useId();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const open = c.status === 'ACTIVE' || c.status === 'PAUSED';
  const soc = c.state_of_charge_percent;

  async function stop() {
    setBusy(true);
    setError(null);
    try {
      await api(`charging/sessions/${encodeURIComponent(c.charging_session_id)}/stop`, {
        method: 'POST',
        json: { reason: 'Stopped by the driver' },
      });
      onChanged();
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  }

  return (
    <div className="charging-progress">
      <p>
        <span className={`badge ${open ? 'badge-live' : ''}`}>{chargingWords[c.status]}</span>
        {c.status === 'ACTIVE' && c.current_rate_kw !== null && (
          <span className="small"> at {c.current_rate_kw.toLocaleString()} kW</span>
        )}
      </p>
      {soc !== null && (
        <div className="battery">
          <label htmlFor={`${id}-soc`}>Battery charge</label>
          <progress id={`${id}-soc`} max={100} value={soc} aria-valuetext={`${Math.round(soc)}%`}>
            {Math.round(soc)}%
          </progress>
          <p className="small">
            <strong>{Math.round(soc)}%</strong> of a {c.target_charge_percent}% target
          </p>
        </div>
      )}
      <dl className="facts">
        <div>
          <dt>Energy delivered</dt>
          <dd>{c.energy_delivered_kwh.toLocaleString(undefined, { maximumFractionDigits: 2 })} kWh</dd>
        </div>
        {open && (
          <div>
            <dt>Time to target</dt>
            <dd>{formatDuration(c.time_remaining)}</dd>
          </div>
        )}
        <div>
          <dt>{open ? 'Cost so far' : 'Cost'}</dt>
          <dd>
            {formatMoney(c.total_cost ?? c.cost_so_far, c.currency)}
            <span className="muted small block">{formatMoney(c.price_per_kwh, c.currency)} per kWh</span>
          </dd>
        </div>
        {open && (
          <div>
            <dt>Estimated at target</dt>
            <dd>{formatMoney(c.estimated_cost, c.currency)}</dd>
          </div>
        )}
      </dl>
      <DriverError error={error} />
      {open && (
        <button type="button" className="button-secondary" onClick={stop} disabled={busy}>
          {busy ? 'Stopping…' : 'Stop charging'}
        </button>
      )}
    </div>
  );
}
