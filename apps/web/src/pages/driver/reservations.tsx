import { useEffect, useId, useRef, useState } from 'react';
import { Empty, Loading } from '../../components.tsx';
import { useAsync } from '../../hooks.ts';
import { api, apiAll } from '../../lib/api.ts';
import { formatMoney } from '../../lib/money.ts';
import { Link } from '../../router.tsx';
import { useFacilities, useNow } from './data.ts';
import {
  type Cancellation,
  type Confirmation,
  cancellationFeeNow,
  effectiveStatus,
  type Facility,
  groupReservations,
  isUpcoming,
  type Reservation,
  reservationStatusWords,
  sizeWords,
} from './model.ts';
import { formatDateTime, formatTime, formatWindow } from './time.ts';
import { DriverError } from './ui.tsx';

export function ReservationsPage() {
  const id = useId();
  const facilities = useFacilities();
  const reservations = useAsync((signal) => apiAll<Reservation>('reservations?limit=100', signal), []);
  const now = useNow(30_000);
  const [notice, setNotice] = useState<string | null>(null);
  const noticeRef = useRef<HTMLParagraphElement>(null);
  const groups = reservations.data && facilities.settled ? groupReservations(reservations.data, now) : null;

  // The changed reservation moves between the lists: the reader is taken to what happened instead.
  useEffect(() => {
    if (notice) noticeRef.current?.focus();
  }, [notice]);

  const changed = (message: string) => {
    setNotice(message);
    reservations.reload();
  };

  return (
    <div className="driver-stack">
      <section aria-labelledby={`${id}-title`}>
        <div className="page-head">
          <h1 id={`${id}-title`} tabIndex={-1}>
            My reservations
          </h1>
          <p className="lede">
            Your confirmation codes, and reservations you can still cancel.{' '}
            <Link href="/find">Find parking</Link> to reserve another.
          </p>
        </div>
        {notice && (
          <p className="notice notice-ok" role="status" tabIndex={-1} ref={noticeRef}>
            {notice}
          </p>
        )}
        {!groups && !reservations.error && <Loading>Loading your reservations…</Loading>}
        <DriverError error={reservations.error} retry={reservations.reload} />
        {groups && reservations.data?.length === 0 && (
          <Empty>
            <span>
              You have no reservations yet. <Link href="/find">Find parking</Link> to reserve a space.
            </span>
          </Empty>
        )}
      </section>
      {groups && (reservations.data?.length ?? 0) > 0 && (
        <>
          <section className="panel" aria-labelledby={`${id}-upcoming`}>
            <h2 id={`${id}-upcoming`}>Upcoming</h2>
            {groups.upcoming.length === 0 ? (
              <Empty>Nothing coming up.</Empty>
            ) : (
              <ul className="items">
                {groups.upcoming.map((r) => (
                  <li key={r.reservation_id}>
                    <ReservationItem
                      reservation={r}
                      facility={facilities.byId.get(r.facility_id)}
                      name={facilities.nameOf(r.facility_id)}
                      now={now}
                      onChanged={changed}
                    />
                  </li>
                ))}
              </ul>
            )}
          </section>
          {groups.past.length > 0 && (
            <section className="panel" aria-labelledby={`${id}-past`}>
              <h2 id={`${id}-past`}>Past and cancelled</h2>
              <ul className="items">
                {groups.past.map((r) => (
                  <li key={r.reservation_id}>
                    <ReservationItem
                      reservation={r}
                      facility={facilities.byId.get(r.facility_id)}
                      name={facilities.nameOf(r.facility_id)}
                      now={now}
                      onChanged={changed}
                    />
                  </li>
                ))}
              </ul>
            </section>
          )}
        </>
      )}
    </div>
  );
}

const statusBadge: Record<string, string> = {
  PENDING: 'badge-warn',
  CONFIRMED: 'badge-live',
  FULFILLED: 'badge-live',
};

function ReservationItem({
  reservation: r,
  facility,
  name,
  now,
  onChanged,
}: {
  reservation: Reservation;
  facility: Facility | undefined;
  name: string;
  now: Date;
  onChanged(message: string): void;
}) {
  const id = useId();
  const zone = facility?.timezone;
  const status = effectiveStatus(r, now);
  const upcoming = isUpcoming(r, now);
  const [asking, setAsking] = useState(false);
  const [busy, setBusy] = useState<'confirm' | 'cancel' | null>(null);
  const [error, setError] = useState<unknown>(null);
  const keepRef = useRef<HTMLButtonElement>(null);
  const fee = cancellationFeeNow(r, now);
  const estimate = r.pricing_estimate;
  const path = `reservations/${encodeURIComponent(r.reservation_id)}`;

  useEffect(() => {
    if (asking) keepRef.current?.focus();
  }, [asking]);

  async function confirm() {
    setBusy('confirm');
    setError(null);
    try {
      const confirmation = await api<Confirmation>(`${path}/confirm`, { method: 'POST' });
      onChanged(
        `Your reservation at ${name} is confirmed. Your confirmation code is ${confirmation.confirmation_code}.`,
      );
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(null);
    }
  }

  async function cancel() {
    setBusy('cancel');
    setError(null);
    try {
      const cancelled = await api<Cancellation>(`${path}/cancel`, {
        method: 'POST',
        json: { reason: 'Cancelled by the driver' },
      });
      const charged =
        cancelled.cancellation_fee > 0
          ? `A cancellation fee of ${formatMoney(cancelled.cancellation_fee, cancelled.currency)} was charged.`
          : 'Nothing was charged.';
      onChanged(
        `Your reservation at ${name} for ${formatDateTime(r.start_time, zone)} is cancelled. ${charged}`,
      );
    } catch (failure) {
      setError(failure);
      setBusy(null);
    }
  }

  return (
    <article className="item" aria-labelledby={`${id}-name`}>
      <div className="item-head">
        <h3 id={`${id}-name`}>{name}</h3>
        <span className={`badge ${statusBadge[status] ?? ''}`}>{reservationStatusWords[status]}</span>
      </div>
      <p className="small">
        {formatWindow(r.start_time, r.end_time, zone)}
        {zone && <span className="muted"> (local time)</span>}
      </p>
      <dl className="facts">
        {(status === 'CONFIRMED' || status === 'FULFILLED') && (
          <div>
            <dt>Confirmation code</dt>
            <dd className="confirmation-code small-code">{r.confirmation_code}</dd>
          </div>
        )}
        <div>
          <dt>Space</dt>
          <dd>
            {sizeWords[r.desired_space_size]}
            {r.registration_number ? ` · ${r.registration_number}` : ''}
          </dd>
        </div>
        {upcoming && status === 'CONFIRMED' && (
          <div>
            <dt>Arrive between</dt>
            <dd>
              {formatTime(r.arrival_window.from, zone)} and {formatTime(r.arrival_window.until, zone)}
            </dd>
          </div>
        )}
        {estimate && status !== 'CANCELLED' && status !== 'EXPIRED' && (
          <div>
            <dt>Estimated price</dt>
            <dd>{formatMoney(estimate.total, estimate.currency)}</dd>
          </div>
        )}
        {r.fee_charged !== null && r.fee_charged > 0 && (
          <div>
            <dt>{status === 'NO_SHOW' ? 'No-show fee' : 'Cancellation fee'}</dt>
            <dd>{formatMoney(r.fee_charged, r.currency)}</dd>
          </div>
        )}
      </dl>
      {upcoming && status === 'PENDING' && (
        <p className="small">
          Held until {formatTime(r.expires_at)}. Confirm it to keep the space and get your confirmation code.
        </p>
      )}
      <DriverError error={error} />
      {upcoming && !asking && (
        <div className="actions">
          {status === 'PENDING' && (
            <button type="button" onClick={confirm} disabled={busy !== null}>
              {busy === 'confirm' ? 'Confirming…' : 'Confirm reservation'}
            </button>
          )}
          <button
            type="button"
            className="button-secondary"
            onClick={() => setAsking(true)}
            disabled={busy !== null}
          >
            Cancel reservation
          </button>
        </div>
      )}
      {upcoming && asking && (
        <fieldset className="confirm-step">
          <legend>
            Cancel this reservation?{' '}
            {fee > 0
              ? `A cancellation fee of ${formatMoney(fee, r.currency)} applies.`
              : r.status === 'CONFIRMED' && r.cancellation_policy.cancellation_fee
                ? `It is free until ${formatDateTime(r.cancellation_policy.free_until, zone)}.`
                : 'It is free.'}
          </legend>
          <div className="actions">
            <button type="button" className="button-danger" onClick={cancel} disabled={busy !== null}>
              {busy === 'cancel' ? 'Cancelling…' : 'Yes, cancel it'}
            </button>
            <button
              type="button"
              className="button-secondary"
              ref={keepRef}
              onClick={() => setAsking(false)}
              disabled={busy !== null}
            >
              Keep it
            </button>
          </div>
        </fieldset>
      )}
    </article>
  );
}
