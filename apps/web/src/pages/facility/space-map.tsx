import { type FormEvent, type KeyboardEvent, useEffect, useId, useMemo, useRef, useState } from 'react';
import { describedBy, Empty, Field, Loading } from '../../components.tsx';
import { useAsync } from '../../hooks.ts';
import { api, apiAll } from '../../lib/api.ts';
import { formatDateTime } from '../../lib/zoned-time.ts';
import {
  countByStatus,
  type GridPosition,
  groupByLevel,
  type Level,
  maintenanceActionFor,
  moveInGrid,
  nextNumber,
  roomLeft,
  spaceLabel,
} from './spaces.ts';
import { type Facility, type Space, type SpaceSize, type SpaceStatus, spaceSizes } from './types.ts';
import { ProblemNotice, Section, useAction, wordsFor } from './ui.tsx';
import { sizeName } from './words.ts';

const statusNames: Record<SpaceStatus, string> = {
  AVAILABLE: 'available',
  OCCUPIED: 'occupied',
  RESERVED: 'reserved',
  MAINTENANCE: 'in maintenance',
};
const statusOrder: SpaceStatus[] = ['AVAILABLE', 'OCCUPIED', 'RESERVED', 'MAINTENANCE'];

/** The facility's spaces by level, coloured by status and refreshed as the live stream reports changes. */
export function SpacesSection({
  facility,
  canManage,
  changes,
  onFacilityChanged,
}: {
  facility: Facility;
  canManage: boolean;
  /** Moves with every live occupancy change: the map reloads. */
  changes: number;
  onFacilityChanged(): void;
}) {
  const path = encodeURIComponent(facility.facility_id);
  const spaces = useAsync(
    (signal) => apiAll<Space>(`parking/spaces/${path}?limit=500`, signal),
    [path, changes],
  );
  const reload = spaces.reload;
  const [selectedId, setSelectedId] = useState<string | null>(null);
  const levels = useMemo(() => groupByLevel(spaces.data ?? []), [spaces.data]);
  const totals = useMemo(() => countByStatus(spaces.data ?? []), [spaces.data]);
  const selected = spaces.data?.find((s) => s.space_id === selectedId) ?? null;

  return (
    <Section
      id="spaces"
      title="Spaces"
      wide
      lede="Each square is a space, coloured by its status; the map follows entries and exits live. Select a space to put it in maintenance or bring it back."
    >
      {spaces.loading && !spaces.data && <Loading>Loading the spaces…</Loading>}
      <ProblemNotice error={spaces.error} retry={reload} />
      {spaces.data && spaces.data.length === 0 && (
        <Empty>This facility has no spaces yet. Add them with the form below.</Empty>
      )}
      {spaces.data && spaces.data.length > 0 && (
        <ul className="fac-legend-list" aria-label="Spaces by status">
          {statusOrder.map((status) => (
            <li key={status}>
              <span className={`fac-swatch fac-space-${status.toLowerCase()}`} aria-hidden="true" />
              {totals[status]} {statusNames[status]}
            </li>
          ))}
        </ul>
      )}
      {levels.map((level) => (
        <div key={level.floor} className="fac-level">
          <LevelMap level={level} selectedId={selectedId} onSelect={(id) => setSelectedId(id)} />
          {selected && selected.location.floor === level.floor && (
            <SpaceDetails
              key={selected.space_id}
              space={selected}
              timeZone={facility.timezone}
              onChanged={reload}
              onClose={() => setSelectedId(null)}
            />
          )}
        </div>
      ))}
      <div className="fac-forms">
        <AddSpaces facility={facility} spaces={spaces.data ?? []} onAdded={reload} />
        <Capacity facility={facility} canManage={canManage} onSaved={onFacilityChanged} />
      </div>
    </Section>
  );
}

/**
 * One level: a row of spaces per aisle. The level is one stop for the Tab key; the arrow keys
 * move between its spaces (up and down between aisles), Home and End to the ends of an aisle.
 */
function LevelMap({
  level,
  selectedId,
  onSelect,
}: {
  level: Level;
  selectedId: string | null;
  onSelect(spaceId: string | null): void;
}) {
  const [focus, setFocus] = useState<GridPosition>({ row: 0, column: 0 });
  const buttons = useRef(new Map<string, HTMLButtonElement>());
  const rowLengths = level.aisles.map((a) => a.spaces.length);
  // Spaces come and go: keep the roving position inside the grid.
  const row = Math.min(focus.row, rowLengths.length - 1);
  const at = { row, column: Math.min(focus.column, (rowLengths[row] ?? 1) - 1) };

  const onKeyDown = (event: KeyboardEvent<HTMLElement>) => {
    const next = moveInGrid(rowLengths, at, event.key);
    if (!next) {
      if (event.key === 'Escape' && selectedId) onSelect(null);
      return;
    }
    event.preventDefault();
    setFocus(next);
    const space = level.aisles[next.row]?.spaces[next.column];
    if (space) buttons.current.get(space.space_id)?.focus();
  };

  return (
    <div className="fac-level-map">
      <h3>
        {level.name}{' '}
        <span className="muted small">
          · {level.counts.AVAILABLE} of {level.total} free
        </span>
      </h3>
      <fieldset aria-label={level.name} className="fac-aisles" onKeyDown={onKeyDown}>
        {level.aisles.map((aisle, r) => (
          <div key={aisle.aisle} className="fac-aisle">
            <span className="fac-aisle-name" aria-hidden="true">
              {aisle.aisle}
            </span>
            <div className="fac-aisle-spaces">
              {aisle.spaces.map((space, c) => (
                <button
                  key={space.space_id}
                  ref={(element) => {
                    if (element) buttons.current.set(space.space_id, element);
                    else buttons.current.delete(space.space_id);
                  }}
                  type="button"
                  className={`fac-space fac-space-${space.status.toLowerCase()}`}
                  tabIndex={r === at.row && c === at.column ? 0 : -1}
                  aria-pressed={space.space_id === selectedId}
                  aria-label={`Space ${spaceLabel(space)}: ${sizeName(space.size)}, ${statusNames[space.status]}`}
                  title={`${spaceLabel(space)} · ${sizeName(space.size)} · ${statusNames[space.status]}`}
                  onFocus={() => setFocus({ row: r, column: c })}
                  onClick={() => onSelect(space.space_id === selectedId ? null : space.space_id)}
                >
                  <span aria-hidden="true">{space.location.number}</span>
                </button>
              ))}
            </div>
          </div>
        ))}
      </fieldset>
    </div>
  );
}

function SpaceDetails({
  space,
  timeZone,
  onChanged,
  onClose,
}: {
  space: Space;
  timeZone: string;
  onChanged(): void;
  onClose(): void;
}) {
  const id = useId();
  const [reason, setReason] = useState('');
  const [done, setDone] = useState<string | null>(null);
  const action = useAction();
  const next = maintenanceActionFor(space.status);
  const label = spaceLabel(space);

  const change = (status: SpaceStatus) =>
    action.run(async () => {
      const body: { status: SpaceStatus; reason?: string } = { status };
      if (status === 'MAINTENANCE' && reason.trim()) body.reason = reason.trim();
      await api<Space>(`parking/spaces/${encodeURIComponent(space.space_id)}/status`, {
        method: 'PUT',
        json: body,
      });
      setDone(
        status === 'MAINTENANCE'
          ? `Space ${label} is now in maintenance.`
          : `Space ${label} is available again.`,
      );
      setReason('');
      onChanged();
    });

  const submit = (event: FormEvent) => {
    event.preventDefault();
    void change('MAINTENANCE');
  };

  return (
    <section className="fac-space-details" aria-labelledby={`${id}-title`}>
      <div className="fac-section-head">
        <h4 id={`${id}-title`}>
          Space {label}, {space.location.floor === 0 ? 'ground level' : `level ${space.location.floor}`}
        </h4>
        <button type="button" className="button-secondary" onClick={onClose}>
          Close
        </button>
      </div>
      <dl className="fac-facts">
        <div>
          <dt>Size</dt>
          <dd>{sizeName(space.size)}</dd>
        </div>
        <div>
          <dt>Status</dt>
          <dd>
            <span className={`fac-swatch fac-space-${space.status.toLowerCase()}`} aria-hidden="true" />{' '}
            {statusNames[space.status]}
          </dd>
        </div>
        <div>
          <dt>Since</dt>
          <dd>{formatDateTime(space.last_updated, timeZone)}</dd>
        </div>
        {space.status_reason && (
          <div>
            <dt>Reason</dt>
            <dd>{space.status_reason}</dd>
          </div>
        )}
      </dl>
      {next === 'start' && (
        <form onSubmit={submit} className="fac-inline-form">
          <Field id={`${id}-reason`} label="Reason for maintenance (optional)">
            <input
              id={`${id}-reason`}
              value={reason}
              maxLength={500}
              placeholder="e.g. line repainting"
              onChange={(e) => setReason(e.target.value)}
            />
          </Field>
          <button type="submit" disabled={action.busy}>
            {action.busy ? 'Saving…' : 'Put in maintenance'}
          </button>
        </form>
      )}
      {next === 'end' && (
        <button type="button" disabled={action.busy} onClick={() => void change('AVAILABLE')}>
          {action.busy ? 'Saving…' : 'End maintenance'}
        </button>
      )}
      {next === null && (
        <p className="muted">A vehicle is parked here: the space frees itself when the vehicle leaves.</p>
      )}
      <ProblemNotice error={action.error} />
      <p role="status" className="fac-done">
        {done}
      </p>
    </section>
  );
}

const spaceLabels: Record<string, string> = {
  size: 'Size',
  floor: 'Level',
  'location.floor': 'Level',
  aisle: 'Aisle',
  'location.aisle': 'Aisle',
  start_number: 'First number',
  'location.number': 'First number',
  count: 'How many',
};

function AddSpaces({ facility, spaces, onAdded }: { facility: Facility; spaces: Space[]; onAdded(): void }) {
  const id = useId();
  const [form, setForm] = useState({
    size: 'STANDARD' as SpaceSize,
    floor: '0',
    aisle: '',
    first: '',
    count: '1',
  });
  const [done, setDone] = useState<string | null>(null);
  const action = useAction();
  const room = roomLeft(facility.capacity, spaces);
  const floor = Number(form.floor);
  const aisle = form.aisle.trim().toUpperCase();
  const continueAt = Number.isInteger(floor) && aisle ? nextNumber(spaces, floor, aisle) : null;
  const invalid = action.error ? wordsFor(action.error, spaceLabels).fields : {};
  const fieldError = (...names: string[]) => names.map((n) => invalid[n]).find(Boolean);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setDone(null);
    const count = Number(form.count);
    const first = form.first.trim() ? Number(form.first) : (continueAt ?? 1);
    void action.run(async () => {
      const created =
        count === 1
          ? [
              await api<Space>('parking/spaces', {
                method: 'POST',
                json: {
                  facility_id: facility.facility_id,
                  size: form.size,
                  location: { floor, aisle, number: first },
                },
              }),
            ]
          : await api<Space[]>('parking/spaces/bulk', {
              method: 'POST',
              json: {
                facility_id: facility.facility_id,
                size: form.size,
                floor,
                aisle,
                count,
                start_number: first,
              },
            });
      const names = created.map(spaceLabel);
      setDone(
        `Added ${created.length} ${sizeName(form.size)} ${created.length === 1 ? 'space' : 'spaces'} on ${
          floor === 0 ? 'the ground level' : `level ${floor}`
        }: ${names.length > 1 ? `${names[0]} to ${names[names.length - 1]}` : names[0]}.`,
      );
      setForm((f) => ({ ...f, first: '' }));
      onAdded();
    });
  };

  const set = (name: keyof typeof form) => (e: { target: { value: string } }) =>
    setForm((f) => ({ ...f, [name]: e.target.value }));

  return (
    <section aria-labelledby={`${id}-title`} className="fac-subsection">
      <h3 id={`${id}-title`}>Add spaces</h3>
      <p className="muted small">
        Room left: {room.COMPACT} compact, {room.STANDARD} standard, {room.LARGE} large.
      </p>
      <form onSubmit={submit}>
        <div className="row">
          <Field id={`${id}-size`} label="Size" error={fieldError('size')}>
            <select
              id={`${id}-size`}
              value={form.size}
              onChange={set('size')}
              {...describedBy(`${id}-size`, fieldError('size'))}
            >
              {spaceSizes.map((size) => (
                <option key={size} value={size}>
                  {sizeName(size)} ({room[size]} left)
                </option>
              ))}
            </select>
          </Field>
          <Field
            id={`${id}-floor`}
            label="Level"
            error={fieldError('floor', 'location.floor')}
            hint="0 is the ground, −1 below it"
          >
            <input
              id={`${id}-floor`}
              type="number"
              inputMode="numeric"
              required
              min={-50}
              max={500}
              step={1}
              value={form.floor}
              onChange={set('floor')}
              {...describedBy(`${id}-floor`, fieldError('floor', 'location.floor'), true)}
            />
          </Field>
          <Field id={`${id}-aisle`} label="Aisle" error={fieldError('aisle', 'location.aisle')}>
            <input
              id={`${id}-aisle`}
              required
              maxLength={20}
              autoCapitalize="characters"
              value={form.aisle}
              onChange={set('aisle')}
              {...describedBy(`${id}-aisle`, fieldError('aisle', 'location.aisle'))}
            />
          </Field>
        </div>
        <div className="row">
          <Field
            id={`${id}-first`}
            label="First number (optional)"
            error={fieldError('start_number', 'location.number')}
            hint={
              continueAt ? `Empty: from ${continueAt}, after the last one in aisle ${aisle}` : 'Empty: from 1'
            }
          >
            <input
              id={`${id}-first`}
              type="number"
              inputMode="numeric"
              min={0}
              step={1}
              value={form.first}
              onChange={set('first')}
              {...describedBy(`${id}-first`, fieldError('start_number', 'location.number'), true)}
            />
          </Field>
          <Field id={`${id}-count`} label="How many" error={fieldError('count')}>
            <input
              id={`${id}-count`}
              type="number"
              inputMode="numeric"
              required
              min={1}
              max={1000}
              step={1}
              value={form.count}
              onChange={set('count')}
              {...describedBy(`${id}-count`, fieldError('count'))}
            />
          </Field>
        </div>
        <ProblemNotice error={action.error} labels={spaceLabels} />
        <button type="submit" disabled={action.busy}>
          {action.busy ? 'Adding…' : 'Add spaces'}
        </button>
        <p role="status" className="fac-done">
          {done}
        </p>
      </form>
    </section>
  );
}

/** How many spaces of each size the facility has room for: its managers may change it. */
function Capacity({
  facility,
  canManage,
  onSaved,
}: {
  facility: Facility;
  canManage: boolean;
  onSaved(): void;
}) {
  const id = useId();
  const initial = {
    compact: String(facility.capacity.compact),
    standard: String(facility.capacity.standard),
    large: String(facility.capacity.large),
  };
  const [form, setForm] = useState(initial);
  const [done, setDone] = useState<string | null>(null);
  const action = useAction();
  const { compact, standard, large } = facility.capacity;
  // biome-ignore lint/correctness/useExhaustiveDependencies: refill only when the saved capacity changes
  useEffect(() => setForm(initial), [compact, standard, large]);

  if (!canManage)
    return (
      <section aria-labelledby={`${id}-title`} className="fac-subsection">
        <h3 id={`${id}-title`}>Capacity</h3>
        <p>
          Room for {compact} compact, {standard} standard and {large} large spaces.
        </p>
        <p className="muted small">Only a manager (tenant admin) can change the capacity.</p>
      </section>
    );

  const labels = { compact: 'Compact spaces', standard: 'Standard spaces', large: 'Large spaces' };
  const submit = (event: FormEvent) => {
    event.preventDefault();
    setDone(null);
    void action.run(async () => {
      await api(`facilities/${encodeURIComponent(facility.facility_id)}`, {
        method: 'PATCH',
        json: {
          capacity_breakdown: {
            compact: Number(form.compact),
            standard: Number(form.standard),
            large: Number(form.large),
          },
        },
      });
      setDone('The capacity is saved.');
      onSaved();
    });
  };
  const invalid = action.error ? wordsFor(action.error).fields : {};

  return (
    <section aria-labelledby={`${id}-title`} className="fac-subsection">
      <h3 id={`${id}-title`}>Capacity</h3>
      <p className="muted small">How many spaces of each size the facility has room for.</p>
      <form onSubmit={submit}>
        <div className="row">
          {(['compact', 'standard', 'large'] as const).map((size) => {
            const error = invalid[`capacity_breakdown.${size}`];
            return (
              <Field key={size} id={`${id}-${size}`} label={labels[size]} error={error}>
                <input
                  id={`${id}-${size}`}
                  type="number"
                  inputMode="numeric"
                  required
                  min={0}
                  max={100000}
                  step={1}
                  value={form[size]}
                  onChange={(e) => setForm((f) => ({ ...f, [size]: e.target.value }))}
                  {...describedBy(`${id}-${size}`, error)}
                />
              </Field>
            );
          })}
        </div>
        <ProblemNotice
          error={action.error}
          labels={{
            'capacity_breakdown.compact': labels.compact,
            'capacity_breakdown.standard': labels.standard,
            'capacity_breakdown.large': labels.large,
          }}
        />
        <button type="submit" disabled={action.busy}>
          {action.busy ? 'Saving…' : 'Save capacity'}
        </button>
        <p role="status" className="fac-done">
          {done}
        </p>
      </form>
    </section>
  );
}
