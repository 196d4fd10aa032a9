import { type FormEvent, useId, useState } from 'react';
import { describedBy, Empty, Field, Loading } from '../../components.tsx';
import { useAsync } from '../../hooks.ts';
import { api, apiAll } from '../../lib/api.ts';
import { formatDateTime } from '../../lib/zoned-time.ts';
import { loadTotals, ocppAddress, type StationLoad, stationLoads, stationName } from './stations.ts';
import {
  type ChargerLevel,
  type ChargingSession,
  chargerLevels,
  connectorTypes,
  type Facility,
  type PowerLimit,
  type RegisteredStation,
  type Station,
  type StationStatus,
} from './types.ts';
import { ProblemNotice, Section, Stat, useAction, wordsFor } from './ui.tsx';

/** Meters report every few seconds; the page asks this often (and at every live change). */
const pollMs = 10_000;

const statusWords: Record<StationStatus, string> = {
  AVAILABLE: 'Available',
  IN_USE: 'In use',
  MAINTENANCE: 'In maintenance',
  OFFLINE: 'Offline',
};
const statusBadge: Record<StationStatus, string> = {
  AVAILABLE: 'badge-live',
  IN_USE: 'badge-info',
  MAINTENANCE: 'badge-warn',
  OFFLINE: 'badge-failed',
};
const levelWords: Record<ChargerLevel, string> = { LEVEL1: 'Level 1', LEVEL2: 'Level 2', DCFC: 'DC fast' };

const kw = (n: number) => `${n.toLocaleString(undefined, { maximumFractionDigits: 1 })} kW`;
const kwh = (n: number) => `${n.toLocaleString(undefined, { maximumFractionDigits: 2 })} kWh`;

export function ChargingSection({ facility, changes }: { facility: Facility; changes: number }) {
  const path = encodeURIComponent(facility.facility_id);
  const live = useAsync(
    async (signal) => {
      const [stations, active, paused, limit] = await Promise.all([
        api<Station[]>(`charging/stations/${path}`, { signal }),
        apiAll<ChargingSession>(`charging/sessions?facility_id=${path}&status=ACTIVE&limit=500`, signal),
        apiAll<ChargingSession>(`charging/sessions?facility_id=${path}&status=PAUSED&limit=500`, signal),
        api<PowerLimit>(`charging/facilities/${path}/power-limit`, { signal }),
      ]);
      return { loads: stationLoads(stations, [...active, ...paused]), limit };
    },
    [path, changes],
    pollMs,
  );
  const reload = live.reload;
  const loads = live.data?.loads;
  const totals = loads ? loadTotals(loads) : null;

  return (
    <Section
      id="charging"
      title="Charging stations"
      wide
      lede={`Power and energy as the stations meter them, refreshed every ${pollMs / 1000} s.`}
    >
      {live.loading && !live.data && <Loading>Loading the charging stations…</Loading>}
      <ProblemNotice error={live.error} retry={reload} />
      {totals && live.data && (
        <dl className="stats fac-stats">
          <Stat label="Drawing now">{kw(totals.powerKw)}</Stat>
          <Stat label="Energy in open sessions">{kwh(totals.energyKwh)}</Stat>
          <Stat label="Charging">
            {totals.charging} of {loads?.length ?? 0}
          </Stat>
          <Stat label="Power limit">
            {live.data.limit.max_power_kw === null ? 'None' : kw(live.data.limit.max_power_kw)}
          </Stat>
        </dl>
      )}
      {loads && loads.length === 0 && (
        <Empty>This facility has no charging stations yet. Add one with the form below.</Empty>
      )}
      {loads && loads.length > 0 && (
        <ul className="fac-stations">
          {loads.map((load) => (
            <StationItem
              key={load.station.station_id}
              load={load}
              timeZone={facility.timezone}
              onChanged={reload}
            />
          ))}
        </ul>
      )}
      <AddStation facility={facility} onAdded={reload} />
    </Section>
  );
}

function StationItem({
  load,
  timeZone,
  onChanged,
}: {
  load: StationLoad;
  timeZone: string;
  onChanged(): void;
}) {
  const id = useId();
  const { station, session } = load;
  const name = stationName(station);
  const [form, setForm] = useState<{ reason: string; notes: string } | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const action = useAction();
  const inMaintenance = station.status === 'MAINTENANCE';
  const path = encodeURIComponent(station.station_id);

  const start = (event: FormEvent) => {
    event.preventDefault();
    if (!form) return;
    void action.run(async () => {
      await api(`charging/stations/${path}/maintenance`, {
        method: 'POST',
        json: { reason: form.reason.trim(), ...(form.notes.trim() ? { notes: form.notes.trim() } : {}) },
      });
      setForm(null);
      setDone(`${name} is in maintenance.`);
      onChanged();
    });
  };
  const end = () =>
    action.run(async () => {
      await api(`charging/stations/${path}/maintenance/end`, { method: 'POST', json: {} });
      setDone(`${name} is back in service.`);
      onChanged();
    });
  const invalid = action.error ? wordsFor(action.error).fields : {};

  return (
    <li className="fac-station" aria-labelledby={`${id}-name`}>
      <div className="fac-station-head">
        <h3 id={`${id}-name`}>{name}</h3>
        <span className={`badge ${statusBadge[station.status]}`}>{statusWords[station.status]}</span>
      </div>
      <p className="muted small">
        {levelWords[station.charger_level]} · {station.connector_type} · rated {kw(station.power_rating_kw)}
        {!station.connected &&
          (station.last_seen_at
            ? ` · not connected since ${formatDateTime(station.last_seen_at, timeZone)}`
            : ' · has never connected')}
      </p>
      {session ? (
        <dl className="fac-facts">
          <div>
            <dt>Power now</dt>
            <dd>{session.status === 'PAUSED' ? 'Paused' : kw(load.powerKw)}</dd>
          </div>
          <div>
            <dt>Energy delivered</dt>
            <dd>{kwh(load.energyKwh)}</dd>
          </div>
          {session.state_of_charge_percent !== null && (
            <div>
              <dt>Battery</dt>
              <dd>
                {Math.round(session.state_of_charge_percent)}% of {session.target_charge_percent}%
              </dd>
            </div>
          )}
        </dl>
      ) : (
        <p className="small">No car charging.</p>
      )}
      {inMaintenance ? (
        <button type="button" className="button-secondary" disabled={action.busy} onClick={() => void end()}>
          {action.busy ? 'Saving…' : `End maintenance for ${name}`}
        </button>
      ) : form ? (
        <form onSubmit={start} className="fac-inline-form" aria-label={`Maintenance for ${name}`}>
          <Field id={`${id}-reason`} label="Reason" error={invalid.reason}>
            <input
              id={`${id}-reason`}
              required
              maxLength={500}
              value={form.reason}
              onChange={(e) => setForm({ ...form, reason: e.target.value })}
              {...describedBy(`${id}-reason`, invalid.reason)}
            />
          </Field>
          <Field id={`${id}-notes`} label="Notes (optional)" error={invalid.notes}>
            <input
              id={`${id}-notes`}
              maxLength={2000}
              value={form.notes}
              onChange={(e) => setForm({ ...form, notes: e.target.value })}
              {...describedBy(`${id}-notes`, invalid.notes)}
            />
          </Field>
          <div className="fac-buttons">
            <button type="submit" disabled={action.busy}>
              {action.busy ? 'Saving…' : 'Confirm maintenance'}
            </button>
            <button type="button" className="button-secondary" onClick={() => setForm(null)}>
              Cancel
            </button>
          </div>
        </form>
      ) : (
        <button
          type="button"
          className="button-secondary"
          onClick={() => {
            setDone(null);
            action.clear();
            setForm({ reason: '', notes: '' });
          }}
        >
          Put {name} in maintenance
        </button>
      )}
      <ProblemNotice error={action.error} labels={{ reason: 'Reason', notes: 'Notes' }} />
      <p role="status" className="fac-done">
        {done}
      </p>
    </li>
  );
}

const stationLabels: Record<string, string> = {
  name: 'Name',
  charger_level: 'Charger level',
  connector_type: 'Connector',
  power_rating_kw: 'Power rating (kW)',
  warranty_expiry: 'Warranty until',
};

const blankStation = {
  name: '',
  charger_level: 'LEVEL2' as ChargerLevel,
  connector_type: 'TYPE2',
  power: '',
  warranty: '',
};

function AddStation({ facility, onAdded }: { facility: Facility; onAdded(): void }) {
  const id = useId();
  const [form, setForm] = useState(blankStation);
  const [added, setAdded] = useState<RegisteredStation | null>(null);
  const [copied, setCopied] = useState(false);
  const action = useAction();
  const invalid = action.error ? wordsFor(action.error, stationLabels).fields : {};

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setAdded(null);
    setCopied(false);
    void action.run(async () => {
      const station = await api<RegisteredStation>('charging/stations', {
        method: 'POST',
        json: {
          facility_id: facility.facility_id,
          charger_level: form.charger_level,
          connector_type: form.connector_type,
          power_rating_kw: Number(form.power),
          ...(form.name.trim() ? { name: form.name.trim() } : {}),
          ...(form.warranty ? { warranty_expiry: form.warranty } : {}),
        },
      });
      setAdded(station);
      setForm(blankStation);
      onAdded();
    });
  };
  const copy = async (text: string) => {
    try {
      await navigator.clipboard.writeText(text);
      setCopied(true);
    } catch {
      setCopied(false);
    }
  };

  return (
    <section aria-labelledby={`${id}-title`} className="fac-subsection">
      <h3 id={`${id}-title`}>Add a charging station</h3>
      <form onSubmit={submit}>
        <div className="row">
          <Field id={`${id}-name`} label="Name (optional)" error={invalid.name}>
            <input
              id={`${id}-name`}
              maxLength={100}
              value={form.name}
              onChange={(e) => setForm({ ...form, name: e.target.value })}
              {...describedBy(`${id}-name`, invalid.name)}
            />
          </Field>
          <Field id={`${id}-level`} label="Charger level" error={invalid.charger_level}>
            <select
              id={`${id}-level`}
              value={form.charger_level}
              onChange={(e) => setForm({ ...form, charger_level: e.target.value as ChargerLevel })}
            >
              {chargerLevels.map((level) => (
                <option key={level} value={level}>
                  {levelWords[level]}
                </option>
              ))}
            </select>
          </Field>
          <Field id={`${id}-connector`} label="Connector" error={invalid.connector_type}>
            <select
              id={`${id}-connector`}
              value={form.connector_type}
              onChange={(e) => setForm({ ...form, connector_type: e.target.value })}
            >
              {connectorTypes.map((type) => (
                <option key={type} value={type}>
                  {type}
                </option>
              ))}
            </select>
          </Field>
        </div>
        <div className="row">
          <Field
            id={`${id}-power`}
            label="Power rating (kW)"
            error={invalid.power_rating_kw}
            hint="Level 1 up to 3.7, level 2 up to 43, DC fast up to 1000"
          >
            <input
              id={`${id}-power`}
              type="number"
              inputMode="decimal"
              required
              min={0.01}
              max={1000}
              step={0.01}
              value={form.power}
              onChange={(e) => setForm({ ...form, power: e.target.value })}
              {...describedBy(`${id}-power`, invalid.power_rating_kw, true)}
            />
          </Field>
          <Field id={`${id}-warranty`} label="Warranty until (optional)" error={invalid.warranty_expiry}>
            <input
              id={`${id}-warranty`}
              type="date"
              value={form.warranty}
              onChange={(e) => setForm({ ...form, warranty: e.target.value })}
              {...describedBy(`${id}-warranty`, invalid.warranty_expiry)}
            />
          </Field>
        </div>
        <ProblemNotice error={action.error} labels={stationLabels} />
        <button type="submit" disabled={action.busy}>
          {action.busy ? 'Adding…' : 'Add station'}
        </button>
      </form>
      {added && (
        <div className="notice notice-ok fac-credentials" role="status">
          <p>
            <strong>{stationName(added)} is added.</strong> Configure the charger with these details. The
            password is shown only this once: copy it now.
          </p>
          <dl className="fac-facts">
            <div>
              <dt>Address (OCPP URL)</dt>
              <dd>
                <code>{ocppAddress(window.location, added.ocpp_url)}</code>
              </dd>
            </div>
            <div>
              <dt>Station id (user name)</dt>
              <dd>
                <code>{added.ocpp_identity}</code>
              </dd>
            </div>
            <div>
              <dt>Password</dt>
              <dd>
                <code>{added.ocpp_password}</code>
              </dd>
            </div>
          </dl>
          <button type="button" className="button-secondary" onClick={() => void copy(added.ocpp_password)}>
            {copied ? 'Password copied' : 'Copy password'}
          </button>
        </div>
      )}
    </section>
  );
}
