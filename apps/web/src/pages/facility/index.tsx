/**
 * The operators' page of one facility (/facilities/{id}): live occupancy and the space map, the
 * charging stations, the day's traffic and reservations, alerts, history and forecast, peak hours,
 * revenue and pricing. Managers (tenant admins) may change prices and capacity; operators may do
 * everything else.
 */
import './facility.css';
import { useEffect } from 'react';
import { Loading } from '../../components.tsx';
import { useAsync } from '../../hooks.ts';
import { ApiError, api, currentSession } from '../../lib/api.ts';
import type { StreamState } from '../../lib/live.ts';
import { problemToWords } from '../../lib/problems.ts';
import { formatTime } from '../../lib/zoned-time.ts';
import { Link } from '../../router.tsx';
import { AlertsSection } from './alerts.tsx';
import { ChargingSection } from './charging.tsx';
import { HistorySection } from './history-chart.tsx';
import { PeakHoursSection } from './peak-hours.tsx';
import { PricingSection } from './pricing.tsx';
import { ReservationsSection } from './reservations.tsx';
import { RevenueSection } from './revenue-section.tsx';
import { SpacesSection } from './space-map.tsx';
import { TrafficSection } from './traffic.tsx';
import type { Facility, ParkingOccupancy } from './types.ts';
import { ProblemNotice, Section, Stat, useThrottled } from './ui.tsx';
import { type LiveFacility, useLiveFacility } from './use-live.ts';

/** Live changes can come many a second at a busy facility: sections reload at most this often. */
const reloadEveryMs = 2000;

const streamWords: Record<StreamState, string> = {
  connecting: 'Connecting…',
  live: 'Live',
  reconnecting: 'Reconnecting…',
  failed: 'Not live',
};

const contents = [
  ['occupancy', 'Occupancy'],
  ['alerts', 'Alerts'],
  ['spaces', 'Spaces'],
  ['charging', 'Charging'],
  ['traffic', 'Entries and exits'],
  ['reservations', 'Reservations'],
  ['history', 'History and forecast'],
  ['peak-hours', 'Peak hours'],
  ['revenue', 'Revenue'],
  ['pricing', 'Pricing'],
] as const;

export default function FacilityPage({ facilityId }: { facilityId: string }) {
  // Another facility is another page: no form, selection or stream carries over.
  return <FacilityView key={facilityId} facilityId={facilityId} />;
}

function FacilityView({ facilityId }: { facilityId: string }) {
  const path = encodeURIComponent(facilityId);
  const facility = useAsync((signal) => api<Facility>(`facilities/${path}`, { signal }), [path]);
  const live = useLiveFacility(facilityId);
  const changes = useThrottled(live.changes, reloadEveryMs);
  const role = currentSession()?.role;
  const canManage = role === 'tenant_admin' || role === 'platform_admin';
  const name = facility.data?.name;

  useEffect(() => {
    if (name) document.title = `${name} · EasyParkPlus`;
  }, [name]);

  if (!facility.data)
    return (
      <section aria-labelledby="facility-title" className="fac-page">
        <nav aria-label="Breadcrumb" className="fac-breadcrumb">
          <Link href="/overview">Network overview</Link>
        </nav>
        <h1 id="facility-title">Facility</h1>
        {facility.loading && <Loading>Loading the facility…</Loading>}
        {noSuchFacility(facility.error) ? (
          <div className="notice notice-error" role="alert">
            <p>
              There is no facility at this address, or it is not one of your organisation’s.{' '}
              <Link href="/overview">See your facilities</Link>.
            </p>
          </div>
        ) : (
          <ProblemNotice error={facility.error} retry={facility.reload} />
        )}
      </section>
    );

  const f = facility.data;
  return (
    <div className="fac-page">
      <div className="page-head fac-head">
        <nav aria-label="Breadcrumb" className="fac-breadcrumb">
          <Link href="/overview">Network overview</Link>
        </nav>
        <div className="fac-title-row">
          <h1 id="facility-title">{f.name}</h1>
          <p className="badges">
            {f.status !== 'ACTIVE' && <span className="badge badge-warn">{f.status.toLowerCase()}</span>}
            <span
              className={`badge badge-${live.stream.state}`}
              title={live.stream.problem ? problemToWords(live.stream.problem).message : undefined}
            >
              {streamWords[live.stream.state]}
            </span>
          </p>
        </div>
        <p className="lede">
          {f.address.line1}, {f.address.city} · times in {f.timezone} · prices in {f.currency}
          {!canManage && ' · signed in as an operator: prices and capacity are read-only'}
        </p>
      </div>
      <nav aria-label="Sections of this page" className="fac-contents">
        <ul>
          {contents.map(([id, label]) => (
            <li key={id}>
              <a href={`#${id}`}>{label}</a>
            </li>
          ))}
        </ul>
      </nav>
      <div className="fac-sections">
        <OccupancySection facility={f} live={live} changes={changes} />
        <AlertsSection facility={f} alertChanges={live.alerts} />
        <SpacesSection
          facility={f}
          canManage={canManage}
          changes={changes}
          onFacilityChanged={facility.reload}
        />
        <ChargingSection facility={f} changes={changes} />
        <TrafficSection facility={f} changes={changes} />
        <ReservationsSection facility={f} changes={changes} />
        <HistorySection facility={f} liveRate={live.occupancy?.occupancy_rate ?? null} />
        <PeakHoursSection facility={f} />
        <RevenueSection facility={f} />
        <PricingSection facility={f} canManage={canManage} />
      </div>
    </div>
  );
}

/** A facility id that is not one (400) or not one the user may see (404): the address is wrong. */
function noSuchFacility(error: unknown): boolean {
  return error instanceof ApiError && (error.status === 404 || error.status === 400);
}

/** The headline figures: from the stream as they change, the reserved and maintenance counts from parking. */
function OccupancySection({
  facility,
  live,
  changes,
}: {
  facility: Facility;
  live: LiveFacility;
  changes: number;
}) {
  const path = encodeURIComponent(facility.facility_id);
  const parking = useAsync(
    (signal) => api<ParkingOccupancy>(`parking/occupancy/${path}`, { signal }),
    [path, changes],
  );
  const stream = live.occupancy;
  const rate = stream?.occupancy_rate ?? parking.data?.occupancy_rate;
  const level = rate === undefined ? 'low' : rate >= 90 ? 'high' : rate >= 70 ? 'mid' : 'low';
  const at = stream?.timestamp ?? parking.data?.timestamp;

  return (
    <Section id="occupancy" title="Occupancy now">
      {rate === undefined && !parking.error && <Loading>Loading the occupancy…</Loading>}
      {rate === undefined && <ProblemNotice error={parking.error} retry={parking.reload} />}
      {rate !== undefined && (
        <div className="occupancy">
          {/* Not a live region: at a busy facility it would interrupt whatever else is being read. */}
          <p className="big">
            <strong>{rate.toFixed(1)}%</strong> occupied
            <span className="muted">
              {' '}
              · {stream?.occupied_spaces ?? parking.data?.occupied_spaces} of{' '}
              {stream?.capacity ?? parking.data?.total_spaces} spaces
            </span>
          </p>
          <meter
            className={`meter meter-${level}`}
            min={0}
            max={100}
            low={70}
            high={90}
            optimum={0}
            value={Math.min(100, Math.max(0, rate))}
            aria-label="Occupancy"
          >
            {rate}%
          </meter>
          <dl className="stats fac-stats">
            <Stat label="Free">{stream?.available_spaces ?? parking.data?.available_spaces ?? '…'}</Stat>
            <Stat label="Reserved">{parking.data?.reserved_spaces ?? '…'}</Stat>
            <Stat label="In maintenance">{parking.data?.maintenance_spaces ?? '…'}</Stat>
            <Stat label="Charging now">{stream?.active_charging_sessions ?? '…'}</Stat>
          </dl>
          {stream && (
            <p className="muted small">
              Free by size: {stream.available_by_size.compact} compact, {stream.available_by_size.standard}{' '}
              standard, {stream.available_by_size.large} large.
            </p>
          )}
          {at && (
            <p className="muted small">
              Updated <time dateTime={at}>{formatTime(at, facility.timezone)}</time>
              {live.stream.state === 'failed' && live.stream.problem && (
                <> · live updates off: {problemToWords(live.stream.problem).message}</>
              )}
            </p>
          )}
        </div>
      )}
    </Section>
  );
}
