import { useEffect, useState } from 'react';
import { Empty, ErrorMessage, Loading, wordsOf } from '../components.tsx';
import { useAsync } from '../hooks.ts';
import { api, apiAll } from '../lib/api.ts';
import { localDate } from '../lib/links.ts';
import { followOccupancy, type StreamState } from '../lib/live.ts';
import { type Problem, problemToWords } from '../lib/problems.ts';
import { Link } from '../router.tsx';

interface Facility {
  facility_id: string;
  name: string;
  status: 'ACTIVE' | 'INACTIVE' | 'MAINTENANCE';
  address: { line1: string; city: string; country: string };
  capacity: { compact: number; standard: number; large: number; total: number };
  timezone: string;
  currency: string;
}

/** GET /parking/occupancy/{id} */
interface ParkingOccupancy {
  total_spaces: number;
  occupied_spaces: number;
  available_spaces: number;
  reserved_spaces: number;
  maintenance_spaces: number;
  occupancy_rate: number;
  availability_by_size: { COMPACT: number; STANDARD: number; LARGE: number };
  timestamp: string;
}

/** GET /charging/availability: one row per station. */
interface StationAvailability {
  station_id: string;
  status: 'AVAILABLE' | 'IN_USE' | 'MAINTENANCE' | 'OFFLINE';
}

interface RevenueRow {
  date: string;
  currency: string;
  total_revenue: number;
  transaction_count: number;
}

/** What a card shows, from the REST answer first and then from every stream event. */
interface Figures {
  rate: number;
  occupied: number;
  available: number;
  total: number;
  bySize: { compact: number; standard: number; large: number };
  reserved?: number;
  maintenance?: number;
  at: string;
}

export default function OverviewPage() {
  const facilities = useAsync((signal) => apiAll<Facility>('facilities?limit=500', signal), []);

  return (
    <section aria-labelledby="overview-title">
      <div className="page-head">
        <h1 id="overview-title">Network overview</h1>
        {facilities.data && (
          <p className="lede">
            {facilities.data.length} {facilities.data.length === 1 ? 'facility' : 'facilities'}; occupancy
            updates live.
          </p>
        )}
      </div>
      {facilities.loading && !facilities.data && <Loading>Loading your facilities…</Loading>}
      <ErrorMessage error={facilities.error} retry={facilities.reload} />
      {facilities.data && facilities.data.length === 0 && (
        <Empty>Your organisation has no facilities yet. Register one through the API to see it here.</Empty>
      )}
      {facilities.data && facilities.data.length > 0 && (
        <ul className="cards">
          {facilities.data.map((facility, index) => (
            <li key={facility.facility_id}>
              <FacilityCard facility={facility} streamed={index < maxStreams} />
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

/**
 * A browser opens at most six HTTP/1.1 connections to a host, and each stream holds one: the first
 * few facilities stream, the others ask for their occupancy every few seconds.
 */
const maxStreams = 4;
const pollMs = 10_000;

const streamWords: Record<StreamState | 'polled', string> = {
  polled: `Every ${pollMs / 1000} s`,
  connecting: 'Connecting…',
  live: 'Live',
  reconnecting: 'Reconnecting…',
  failed: 'Not live',
};

function FacilityCard({ facility, streamed }: { facility: Facility; streamed: boolean }) {
  const id = facility.facility_id;
  const path = encodeURIComponent(id);
  const [figures, setFigures] = useState<Figures | null>(null);
  const [occupancyError, setOccupancyError] = useState<unknown>(null);
  const [stream, setStream] = useState<{ state: StreamState | 'polled'; problem?: Problem | undefined }>({
    state: streamed ? 'connecting' : 'polled',
  });
  const [alertsRound, setAlertsRound] = useState(0);

  useEffect(() => {
    const controller = new AbortController();
    // The figures at once, then every change from the analytics stream (or every few seconds).
    const fetchOccupancy = () =>
      api<ParkingOccupancy>(`parking/occupancy/${path}`, { signal: controller.signal }).then(
        (o) => {
          setOccupancyError(null);
          setFigures((current) =>
            current && current.at > o.timestamp
              ? current
              : {
                  rate: o.occupancy_rate,
                  occupied: o.occupied_spaces,
                  available: o.available_spaces,
                  total: o.total_spaces,
                  bySize: {
                    compact: o.availability_by_size.COMPACT,
                    standard: o.availability_by_size.STANDARD,
                    large: o.availability_by_size.LARGE,
                  },
                  reserved: o.reserved_spaces,
                  maintenance: o.maintenance_spaces,
                  at: o.timestamp,
                },
          );
        },
        (error: unknown) => {
          if (!controller.signal.aborted) setOccupancyError(error);
        },
      );
    void fetchOccupancy();
    if (!streamed) {
      const timer = setInterval(fetchOccupancy, pollMs);
      return () => {
        clearInterval(timer);
        controller.abort();
      };
    }
    void followOccupancy(
      id,
      {
        onOccupancy(event) {
          setOccupancyError(null);
          setFigures((current) => ({
            rate: event.occupancy_rate,
            occupied: event.occupied_spaces,
            available: event.available_spaces,
            total: event.capacity,
            bySize: event.available_by_size,
            at: event.timestamp,
            ...(current?.reserved !== undefined ? { reserved: current.reserved } : {}),
            ...(current?.maintenance !== undefined ? { maintenance: current.maintenance } : {}),
          }));
        },
        onAlert() {
          setAlertsRound((r) => r + 1);
        },
        onState(state, problem) {
          setStream({ state, problem });
        },
      },
      controller.signal,
    );
    return () => controller.abort();
  }, [id, path, streamed]);

  const alerts = useAsync(
    (signal) => api<unknown[]>(`analytics/alerts/${path}?limit=500`, { signal }),
    [path, alertsRound],
    60_000,
  );
  const stations = useAsync(
    (signal) =>
      api<StationAvailability[]>(`charging/availability?facility_id=${path}`, {
        signal,
      }),
    [path],
    15_000,
  );
  const today = localDate(facility.timezone);
  const revenue = useAsync(
    (signal) =>
      api<RevenueRow[]>(
        `billing/revenue-summary/${path}?start_date=${today}&end_date=${today}&grouping=DAILY`,
        {
          signal,
        },
      ),
    [path, today],
    60_000,
  );

  const money = (amount: number) =>
    new Intl.NumberFormat(undefined, { style: 'currency', currency: facility.currency }).format(amount);
  const rate = figures ? Math.min(100, Math.max(0, figures.rate)) : 0;
  const level = rate >= 90 ? 'high' : rate >= 70 ? 'mid' : 'low';
  const titleId = `facility-${id}`;

  return (
    <article className="card" aria-labelledby={titleId}>
      <header className="card-head">
        <div>
          <h2 id={titleId}>
            <Link href={`/facilities/${path}`}>{facility.name}</Link>
          </h2>
          <p className="muted">
            {facility.address.line1}, {facility.address.city}
          </p>
        </div>
        <p className="badges">
          {facility.status !== 'ACTIVE' && (
            <span className="badge badge-warn">{facility.status.toLowerCase()}</span>
          )}
          <span
            className={`badge badge-${stream.state}`}
            title={stream.problem ? problemToWords(stream.problem).message : undefined}
          >
            {streamWords[stream.state]}
          </span>
        </p>
      </header>

      <section aria-label="Occupancy" className="occupancy">
        {!figures && !occupancyError && <Loading>Loading occupancy…</Loading>}
        {!figures && occupancyError ? <ErrorMessage error={occupancyError} /> : null}
        {figures && (
          <>
            <p className="big" aria-live="polite">
              <strong>{figures.rate.toFixed(1)}%</strong> occupied
              <span className="muted">
                {' '}
                · {figures.occupied} of {figures.total} spaces
              </span>
            </p>
            <meter
              className={`meter meter-${level}`}
              min={0}
              max={100}
              low={70}
              high={90}
              optimum={0}
              value={rate}
              aria-label={`${facility.name} occupancy`}
            >
              {rate}%
            </meter>
            <dl className="sizes">
              <div>
                <dt>Compact free</dt>
                <dd>{figures.bySize.compact}</dd>
              </div>
              <div>
                <dt>Standard free</dt>
                <dd>{figures.bySize.standard}</dd>
              </div>
              <div>
                <dt>Large free</dt>
                <dd>{figures.bySize.large}</dd>
              </div>
            </dl>
            <p className="muted small">
              Updated <time dateTime={figures.at}>{new Date(figures.at).toLocaleTimeString()}</time>
              {stream.state === 'failed' && stream.problem && (
                <> · live updates off: {problemToWords(stream.problem).message}</>
              )}
            </p>
          </>
        )}
      </section>

      <dl className="stats">
        <div>
          <dt>Open alerts</dt>
          <dd>
            {alerts.data ? (
              <span className={alerts.data.length > 0 ? 'alert-count alert-count-on' : 'alert-count'}>
                {alerts.data.length >= 500 ? '500+' : alerts.data.length}
              </span>
            ) : alerts.error ? (
              <span className="stat-error">{wordsOf(alerts.error).message}</span>
            ) : (
              <span className="muted">…</span>
            )}
          </dd>
        </div>
        <div>
          <dt>Charging in use</dt>
          <dd>
            {stations.data ? (
              stations.data.length === 0 ? (
                <span className="muted">No stations</span>
              ) : (
                <>
                  {stations.data.filter((s) => s.status === 'IN_USE').length}
                  <span className="muted"> of {stations.data.length}</span>
                </>
              )
            ) : stations.error ? (
              <span className="stat-error">{wordsOf(stations.error).message}</span>
            ) : (
              <span className="muted">…</span>
            )}
          </dd>
        </div>
        <div>
          <dt>Revenue today</dt>
          <dd>
            {revenue.data ? (
              money(revenue.data.reduce((sum, row) => sum + row.total_revenue, 0))
            ) : revenue.error ? (
              <span className="stat-error">{wordsOf(revenue.error).message}</span>
            ) : (
              <span className="muted">…</span>
            )}
          </dd>
        </div>
      </dl>
    </article>
  );
}
