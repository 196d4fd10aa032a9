import { type FormEvent, useEffect, useId, useRef, useState } from 'react';
import { describedBy, Empty, Field, Loading } from '../../components.tsx';
import { useAsync } from '../../hooks.ts';
import { api, apiAll } from '../../lib/api.ts';
import { formatMoney } from '../../lib/money.ts';
import { Link } from '../../router.tsx';
import { type Attempt, attemptFor, outcomeUnknown } from './attempts.ts';
import { failureOf, newIdempotencyKey, useFacilities, useNow } from './data.ts';
import {
  type Availability,
  type Confirmation,
  type Facility,
  matchFacilities,
  type Reservation,
  type SpaceSize,
  sizeFor,
  sizeWords,
  spaceWords,
  type Vehicle,
  type VehicleType,
  vehicleTypeWords,
} from './model.ts';
import {
  checkWindowFields,
  formatDateTime,
  formatTime,
  formatWindow,
  instantToZonedInput,
  minutesBetween,
  suggestedWindow,
  type WindowErrors,
  windowAt,
} from './time.ts';
import { DriverError, FocusHeading } from './ui.tsx';
import { safeRetryWords } from './words.ts';

/** At most this many car parks are asked about at once; the driver narrows the search for others. */
const maxResults = 10;
const browserZone = Intl.DateTimeFormat().resolvedOptions().timeZone;
const sizes: SpaceSize[] = ['COMPACT', 'STANDARD', 'LARGE'];
const vehicleTypes: VehicleType[] = ['CAR', 'MOTORCYCLE', 'TRUCK', 'BUS'];

interface SearchForm {
  search: string;
  arrive: string;
  leave: string;
  size: SpaceSize;
  /** A registered vehicle's id, or `type:CAR` for a vehicle not registered. */
  vehicle: string;
}

/** What was searched: the window as entered (read in each car park's zone) and the vehicle. */
interface Query {
  arrive: string;
  leave: string;
  size: SpaceSize;
  vehicleType: VehicleType;
  registration: string | null;
}

type Outcome =
  | { state: 'checking' }
  | { state: 'checked'; availability: Availability }
  | { state: 'failed'; error: unknown }
  | { state: 'not-here'; problem: string };

interface Result {
  facility: Facility;
  window: { start: Date; end: Date } | null;
  outcome: Outcome;
}

type Booking =
  | { step: 'held'; facility: Facility; reservation: Reservation }
  | { step: 'confirmed'; facility: Facility; reservation: Reservation; confirmation: Confirmation };

export function FindPage() {
  const id = useId();
  const facilities = useFacilities();
  const vehicles = useAsync((signal) => apiAll<Vehicle>('parking/vehicles?limit=500', signal), []);
  const [form, setForm] = useState<SearchForm>(() => ({
    search: '',
    ...suggestedWindow(new Date(), browserZone),
    size: 'STANDARD',
    vehicle: 'type:CAR',
  }));
  const vehicleChosen = useRef(false);
  const [errors, setErrors] = useState<WindowErrors>({});
  const [results, setResults] = useState<{ query: Query; items: Result[]; matched: number } | null>(null);
  const [booking, setBooking] = useState<Booking | null>(null);
  const [released, setReleased] = useState(false);
  const searchRound = useRef(0);

  // A driver with a registered vehicle searches for it (and its size) unless they chose otherwise.
  useEffect(() => {
    const first = vehicles.data?.[0];
    if (first && !vehicleChosen.current) {
      vehicleChosen.current = true;
      setForm((f) => ({ ...f, vehicle: first.vehicle_id, size: sizeFor(first.vehicle_type) }));
    }
  }, [vehicles.data]);

  function queryOf(fields: SearchForm): Query {
    const vehicle = vehicles.data?.find((v) => v.vehicle_id === fields.vehicle);
    const type = (vehicle?.vehicle_type ?? fields.vehicle.replace(/^type:/, '')) as VehicleType;
    return {
      arrive: fields.arrive,
      leave: fields.leave,
      size: fields.size,
      vehicleType: vehicleTypes.includes(type) ? type : 'CAR',
      registration: vehicle?.registration_number ?? null,
    };
  }

  async function search(fields: SearchForm) {
    const found = checkWindowFields(fields.arrive, fields.leave);
    setErrors(found);
    if (found.arrive || found.leave) {
      document.getElementById(found.arrive ? `${id}-arrive` : `${id}-leave`)?.focus();
      return;
    }
    if (!facilities.data) return;
    const round = ++searchRound.current;
    const query = queryOf(fields);
    const matches = matchFacilities(facilities.data, fields.search);
    const now = new Date();
    const items: Result[] = matches.slice(0, maxResults).map((facility) => {
      const window = windowAt(
        query,
        { timezone: facility.timezone, maxAdvanceDays: facility.reservation_policy.max_advance_days },
        now,
      );
      return 'problem' in window
        ? { facility, window: null, outcome: { state: 'not-here', problem: window.problem } }
        : { facility, window, outcome: { state: 'checking' } };
    });
    setBooking(null);
    setResults({ query, items, matched: matches.length });
    const settle = (index: number, outcome: Outcome) => {
      if (round !== searchRound.current) return; // a newer search replaced these results
      setResults(
        (r) => r && { ...r, items: r.items.map((item, i) => (i === index ? { ...item, outcome } : item)) },
      );
    };
    await Promise.all(
      items.map(async (item, index) => {
        if (!item.window) return;
        const params = new URLSearchParams({
          facility_id: item.facility.facility_id,
          size: query.size,
          start_time: item.window.start.toISOString(),
          end_time: item.window.end.toISOString(),
          vehicle_type: query.vehicleType,
        });
        try {
          const availability = await api<Availability>(`reservations/availability?${params}`);
          settle(index, { state: 'checked', availability });
        } catch (error) {
          settle(index, { state: 'failed', error });
        }
      }),
    );
  }

  function submit(event: FormEvent) {
    event.preventDefault();
    setReleased(false);
    void search(form);
  }

  /** "Search again from 15:40": the same length of stay from when a space is next free there. */
  function searchFrom(facility: Facility, nextFree: string) {
    if (!results) return;
    const { start, end } = results.items.find((i) => i.facility === facility)?.window ?? {};
    if (!start || !end) return;
    const from = new Date(nextFree);
    const fields = {
      ...form,
      arrive: instantToZonedInput(from, facility.timezone),
      leave: instantToZonedInput(
        new Date(from.getTime() + end.getTime() - start.getTime()),
        facility.timezone,
      ),
    };
    setForm(fields);
    void search(fields);
  }

  const set =
    (name: keyof SearchForm) =>
    (e: { target: { value: string } }): void => {
      if (name === 'vehicle') {
        vehicleChosen.current = true;
        const vehicle = vehicles.data?.find((v) => v.vehicle_id === e.target.value);
        const type = (vehicle?.vehicle_type ?? e.target.value.replace(/^type:/, '')) as VehicleType;
        setForm((f) => ({ ...f, vehicle: e.target.value, size: sizeFor(type) }));
        return;
      }
      setForm((f) => ({ ...f, [name]: e.target.value }));
    };

  return (
    <div className="driver-stack">
      <section className="panel" aria-labelledby={`${id}-title`}>
        <h1 id={`${id}-title`} tabIndex={-1}>
          Find parking
        </h1>
        <p className="lede">See which car parks have a space for your time, what it costs, and reserve it.</p>
        {facilities.loading && !facilities.data && <Loading>Loading car parks…</Loading>}
        <DriverError error={facilities.error} retry={facilities.reload} />
        {facilities.data && facilities.data.length === 0 && (
          <Empty>No car park is taking reservations right now. Try again later.</Empty>
        )}
        {facilities.data && facilities.data.length > 0 && (
          <form onSubmit={submit} noValidate className="search-form">
            <Field id={`${id}-search`} label="City or car park" hint="Leave empty to see every car park.">
              <input
                id={`${id}-search`}
                type="search"
                value={form.search}
                onChange={set('search')}
                autoComplete="off"
                maxLength={100}
                {...describedBy(`${id}-search`, undefined, true)}
              />
            </Field>
            <div className="row">
              <Field id={`${id}-arrive`} label="Arriving" error={errors.arrive}>
                <input
                  id={`${id}-arrive`}
                  type="datetime-local"
                  required
                  value={form.arrive}
                  onChange={set('arrive')}
                  aria-invalid={errors.arrive ? true : undefined}
                  aria-describedby={[`${id}-zone`, errors.arrive ? `${id}-arrive-error` : '']
                    .join(' ')
                    .trim()}
                />
              </Field>
              <Field id={`${id}-leave`} label="Leaving" error={errors.leave}>
                <input
                  id={`${id}-leave`}
                  type="datetime-local"
                  required
                  value={form.leave}
                  onChange={set('leave')}
                  aria-invalid={errors.leave ? true : undefined}
                  aria-describedby={[`${id}-zone`, errors.leave ? `${id}-leave-error` : ''].join(' ').trim()}
                />
              </Field>
            </div>
            <p className="hint" id={`${id}-zone`}>
              Times are the local time at each car park.
            </p>
            <div className="row">
              <Field id={`${id}-vehicle`} label="Vehicle">
                <select id={`${id}-vehicle`} value={form.vehicle} onChange={set('vehicle')}>
                  {(vehicles.data ?? []).length > 0 && (
                    <optgroup label="Your vehicles">
                      {vehicles.data?.map((v) => (
                        <option key={v.vehicle_id} value={v.vehicle_id}>
                          {v.registration_number} · {vehicleTypeWords[v.vehicle_type]}
                        </option>
                      ))}
                    </optgroup>
                  )}
                  <optgroup label="A vehicle not registered">
                    {vehicleTypes.map((t) => (
                      <option key={t} value={`type:${t}`}>
                        {vehicleTypeWords[t]}
                      </option>
                    ))}
                  </optgroup>
                </select>
              </Field>
              <Field id={`${id}-size`} label="Space size">
                <select id={`${id}-size`} value={form.size} onChange={set('size')}>
                  {sizes.map((s) => (
                    <option key={s} value={s}>
                      {sizeWords[s]}
                    </option>
                  ))}
                </select>
              </Field>
            </div>
            <button type="submit">Search</button>
          </form>
        )}
      </section>

      {released && (
        <p className="notice notice-ok" role="status">
          The space is released. Nothing was charged.
        </p>
      )}

      {booking ? (
        <BookingPanel
          booking={booking}
          onConfirmed={(confirmation) =>
            booking.step === 'held' && setBooking({ ...booking, step: 'confirmed', confirmation })
          }
          onReleased={() => {
            setReleased(true);
            void search(form);
          }}
          onDone={() => {
            setBooking(null);
            void search(form);
          }}
        />
      ) : (
        results && (
          <Results
            results={results}
            onHeld={(facility, reservation) => {
              setReleased(false);
              setBooking({ step: 'held', facility, reservation });
            }}
            onSearchFrom={searchFrom}
          />
        )
      )}
    </div>
  );
}

function Results({
  results,
  onHeld,
  onSearchFrom,
}: {
  results: { query: Query; items: Result[]; matched: number };
  onHeld(facility: Facility, reservation: Reservation): void;
  onSearchFrom(facility: Facility, nextFree: string): void;
}) {
  const id = useId();
  const { items, matched, query } = results;
  const checking = items.some((i) => i.outcome.state === 'checking');
  const withSpace = items.filter(
    (i) => i.outcome.state === 'checked' && i.outcome.availability.available_spaces > 0,
  ).length;

  return (
    <section className="panel" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>Results</h2>
      <p role="status" className="lede">
        {items.length === 0
          ? 'No car park matches that search.'
          : checking
            ? `Checking ${items.length} ${items.length === 1 ? 'car park' : 'car parks'}…`
            : `${withSpace} of ${items.length} ${items.length === 1 ? 'car park has' : 'car parks have'} a ${sizeWords[query.size].toLowerCase()} space for your time.`}
      </p>
      {matched > items.length && (
        <p className="hint">
          Showing the first {items.length} of {matched}. Type a city or name to narrow the search.
        </p>
      )}
      {items.length > 0 && (
        <ul className="results">
          {items.map((item) => (
            <li key={item.facility.facility_id}>
              <ResultCard item={item} query={query} onHeld={onHeld} onSearchFrom={onSearchFrom} />
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

function ResultCard({
  item,
  query,
  onHeld,
  onSearchFrom,
}: {
  item: Result;
  query: Query;
  onHeld(facility: Facility, reservation: Reservation): void;
  onSearchFrom(facility: Facility, nextFree: string): void;
}) {
  const id = useId();
  const { facility, window, outcome } = item;
  const zone = facility.timezone;
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [unknownOutcome, setUnknownOutcome] = useState(false);
  const attempt = useRef<Attempt<Record<string, unknown>> | null>(null);

  async function reserve() {
    if (!window) return;
    const body: Record<string, unknown> = {
      facility_id: facility.facility_id,
      desired_space_size: query.size,
      start_time: window.start.toISOString(),
      end_time: window.end.toISOString(),
      vehicle_type: query.vehicleType,
      ...(query.registration ? { registration_number: query.registration } : {}),
    };
    const current = attemptFor(attempt.current, body, newIdempotencyKey);
    attempt.current = current;
    setBusy(true);
    setError(null);
    try {
      const reservation = await api<Reservation>('reservations/create', {
        method: 'POST',
        headers: { 'idempotency-key': current.key },
        json: body,
      });
      attempt.current = { ...current, settled: true };
      onHeld(facility, reservation);
    } catch (failure) {
      const unknown = outcomeUnknown(failureOf(failure));
      attempt.current = { ...current, settled: !unknown };
      setUnknownOutcome(unknown);
      setError(failure);
      setBusy(false);
    }
  }

  const availability = outcome.state === 'checked' ? outcome.availability : null;
  const estimate = availability?.pricing_estimate;

  return (
    <article className="result" aria-labelledby={`${id}-name`}>
      <div className="result-head">
        <h3 id={`${id}-name`}>{facility.name}</h3>
        <p className="muted small">
          {facility.address.line1}, {facility.address.city}
        </p>
      </div>
      {window && (
        <p className="small">
          {formatWindow(window.start.toISOString(), window.end.toISOString(), zone)}
          {zone !== browserZone && <span className="muted"> ({zone})</span>}
        </p>
      )}
      {outcome.state === 'checking' && <Loading>Checking free spaces…</Loading>}
      {outcome.state === 'not-here' && <p className="notice">{outcome.problem}</p>}
      {outcome.state === 'failed' && <DriverError error={outcome.error} />}
      {availability && (
        <dl className="facts">
          <div>
            <dt>Free spaces</dt>
            <dd>
              {availability.available_spaces > 0 ? (
                `${availability.available_spaces} ${sizeWords[query.size].toLowerCase()}`
              ) : (
                <span className="unavailable">None for all of that time</span>
              )}
            </dd>
          </div>
          <div>
            <dt>Estimated price</dt>
            <dd>
              {estimate ? (
                formatMoney(estimate.total, estimate.currency)
              ) : (
                <span className="muted">Not published</span>
              )}
            </dd>
          </div>
          {estimate && estimate.reservation_fee > 0 && (
            <p className="muted small facts-note">
              Parking {formatMoney(estimate.parking, estimate.currency)} + reservation fee{' '}
              {formatMoney(estimate.reservation_fee, estimate.currency)}
            </p>
          )}
        </dl>
      )}
      {availability && availability.available_spaces === 0 && availability.next_available_time && (
        <button
          type="button"
          className="button-secondary"
          onClick={() => onSearchFrom(facility, availability.next_available_time as string)}
        >
          Search again from {formatDateTime(availability.next_available_time, zone)}
        </button>
      )}
      {availability && availability.available_spaces > 0 && (
        <button type="button" onClick={reserve} disabled={busy} aria-label={`Reserve at ${facility.name}`}>
          {busy ? 'Reserving…' : 'Reserve'}
        </button>
      )}
      <DriverError error={error}>{unknownOutcome && <p>{safeRetryWords}</p>}</DriverError>
    </article>
  );
}

function BookingPanel({
  booking,
  onConfirmed,
  onReleased,
  onDone,
}: {
  booking: Booking;
  onConfirmed(confirmation: Confirmation): void;
  onReleased(): void;
  onDone(): void;
}) {
  const id = useId();
  const { facility, reservation } = booking;
  const zone = facility.timezone;
  const now = useNow(15_000);
  const [busy, setBusy] = useState<'confirm' | 'release' | null>(null);
  const [error, setError] = useState<unknown>(null);
  const estimate = reservation.pricing_estimate;
  const policy = reservation.cancellation_policy;
  const minutesLeft = minutesBetween(now, new Date(reservation.expires_at));

  async function confirm() {
    setBusy('confirm');
    setError(null);
    try {
      const confirmation = await api<Confirmation>(
        `reservations/${encodeURIComponent(reservation.reservation_id)}/confirm`,
        { method: 'POST' },
      );
      onConfirmed(confirmation);
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(null);
    }
  }

  async function release() {
    setBusy('release');
    setError(null);
    try {
      await api(`reservations/${encodeURIComponent(reservation.reservation_id)}/cancel`, {
        method: 'POST',
        json: { reason: 'Released before confirming' },
      });
      onReleased();
    } catch (failure) {
      setError(failure);
      setBusy(null);
    }
  }

  const when = (
    <div>
      <dt>When</dt>
      <dd>
        {formatWindow(reservation.start_time, reservation.end_time, zone)}
        {zone !== browserZone && <span className="muted small"> ({zone})</span>}
      </dd>
    </div>
  );

  if (booking.step === 'confirmed') {
    const details = booking.confirmation.parking_details;
    return (
      <section className="panel booking" aria-labelledby={`${id}-title`}>
        <FocusHeading id={`${id}-title`}>Reservation confirmed</FocusHeading>
        <dl className="code-box">
          <dt>Confirmation code</dt>
          <dd className="confirmation-code">{booking.confirmation.confirmation_code}</dd>
        </dl>
        <p>
          Give this code at the entrance
          {reservation.registration_number
            ? `, or drive in with ${reservation.registration_number}: the camera knows it`
            : ''}
          .
        </p>
        <dl className="facts">
          <div>
            <dt>Car park</dt>
            <dd>
              {facility.name}
              <span className="muted small block">
                {facility.address.line1}, {facility.address.city}
              </span>
            </dd>
          </div>
          <div>
            <dt>Space</dt>
            <dd>
              {spaceWords(details.location)} ({sizeWords[reservation.desired_space_size].toLowerCase()})
            </dd>
          </div>
          {when}
          <div>
            <dt>Arrive between</dt>
            <dd>
              {formatTime(details.arrival_window.from, zone)} and{' '}
              {formatTime(details.arrival_window.until, zone)}
            </dd>
          </div>
        </dl>
        <div className="actions">
          <Link href="/reservations">See your reservations</Link>
          <button type="button" className="button-secondary" onClick={onDone}>
            Make another search
          </button>
        </div>
      </section>
    );
  }

  return (
    <section className="panel booking" aria-labelledby={`${id}-title`}>
      <FocusHeading id={`${id}-title`}>Confirm your reservation</FocusHeading>
      <p>
        A space is held for you until {formatTime(reservation.expires_at, browserZone)}
        {minutesLeft > 0 ? ` (${minutesLeft} min)` : ''}. Confirm it to get your confirmation code.
      </p>
      <dl className="facts">
        <div>
          <dt>Car park</dt>
          <dd>
            {facility.name}
            <span className="muted small block">
              {facility.address.line1}, {facility.address.city}
            </span>
          </dd>
        </div>
        {when}
        <div>
          <dt>Space</dt>
          <dd>
            {sizeWords[reservation.desired_space_size]}
            {reservation.registration_number ? ` · ${reservation.registration_number}` : ''}
          </dd>
        </div>
        <div>
          <dt>Estimated price</dt>
          <dd>
            {estimate ? formatMoney(estimate.total, estimate.currency) : 'Charged at the car park’s rates'}
            {estimate && estimate.reservation_fee > 0 && (
              <span className="muted small block">
                includes a reservation fee of {formatMoney(estimate.reservation_fee, estimate.currency)}
              </span>
            )}
          </dd>
        </div>
        <div>
          <dt>Cancelling</dt>
          <dd className="small">
            {policy.cancellation_fee && new Date(policy.free_until) > now
              ? `Free until ${formatDateTime(policy.free_until, zone)}, then ${formatMoney(policy.cancellation_fee, reservation.currency)}`
              : policy.cancellation_fee
                ? `${formatMoney(policy.cancellation_fee, reservation.currency)} once confirmed`
                : 'Free'}
            {policy.no_show_fee
              ? `; ${formatMoney(policy.no_show_fee, reservation.currency)} if you do not come`
              : ''}
          </dd>
        </div>
      </dl>
      <DriverError error={error} />
      <div className="actions">
        <button type="button" onClick={confirm} disabled={busy !== null}>
          {busy === 'confirm' ? 'Confirming…' : 'Confirm reservation'}
        </button>
        <button type="button" className="button-secondary" onClick={release} disabled={busy !== null}>
          {busy === 'release' ? 'Releasing…' : 'Release this space'}
        </button>
      </div>
    </section>
  );
}
