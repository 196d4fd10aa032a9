import { type FormEvent, type InputHTMLAttributes, type ReactNode, useId, useState } from 'react';
import { describedBy, Empty, Field, Loading } from '../../components.tsx';
import { useAsync } from '../../hooks.ts';
import { api } from '../../lib/api.ts';
import { formatMoney, moneyStep } from '../../lib/money.ts';
import { formatDateTime, localInputValue } from '../../lib/zoned-time.ts';
import { formFor, type PricingForm, pricingBody, splitSchedule } from './pricing-form.ts';
import { type Facility, type PricingConfig, type VehicleType, vehicleTypes } from './types.ts';
import { ProblemNotice, Section, useAction, wordsFor } from './ui.tsx';

const vehicleWords: Record<VehicleType, string> = {
  CAR: 'Car',
  MOTORCYCLE: 'Motorcycle',
  TRUCK: 'Truck',
  BUS: 'Bus',
};

/** Prices in force and scheduled; managers change them from a date on, operators read them. */
export function PricingSection({ facility, canManage }: { facility: Facility; canManage: boolean }) {
  const path = encodeURIComponent(facility.facility_id);
  const schedule = useAsync(
    async (signal) => {
      const periods = await api<PricingConfig[]>(`facilities/${path}/pricing?history=true`, { signal });
      return splitSchedule(periods, new Date());
    },
    [path],
    5 * 60_000,
  );
  const money = (n: number | null) => (n === null ? '–' : formatMoney(n, facility.currency));
  const tz = facility.timezone;

  return (
    <Section
      id="pricing"
      title="Pricing"
      wide
      lede={`In ${facility.currency}; times in ${tz} time. A change applies from its effective date on: what was already charged stays as it was.`}
    >
      {schedule.loading && !schedule.data && <Loading>Loading the prices…</Loading>}
      <ProblemNotice error={schedule.error} retry={schedule.reload} />
      {schedule.data && schedule.data.inForce.length === 0 && (
        <Empty>No prices are set: vehicles park free until a price is set.</Empty>
      )}
      {schedule.data && schedule.data.inForce.length > 0 && (
        <PriceTable
          caption="Prices in force now"
          periods={schedule.data.inForce}
          money={money}
          timeZone={tz}
        />
      )}
      {schedule.data && schedule.data.scheduled.length > 0 && (
        <>
          <h3>Scheduled changes</h3>
          <PriceTable
            caption="Price changes to come"
            periods={schedule.data.scheduled}
            money={money}
            timeZone={tz}
          />
        </>
      )}
      {schedule.data &&
        (canManage ? (
          <EditPrice facility={facility} inForce={schedule.data.inForce} onSaved={schedule.reload} />
        ) : (
          <p className="notice fac-note">
            Only a manager (tenant admin) can change prices. You can see them here.
          </p>
        ))}
    </Section>
  );
}

function PriceTable({
  caption,
  periods,
  money,
  timeZone,
}: {
  caption: string;
  periods: PricingConfig[];
  money(n: number | null): string;
  timeZone: string;
}) {
  const window = (from: string | null, until: string | null, multiplier: number) =>
    from && until ? `×${multiplier} ${from}–${until}` : '–';
  return (
    <div className="table-wrap fac-table-wrap">
      <table className="table fac-table">
        <caption>{caption}</caption>
        <thead>
          <tr>
            <th scope="col">Vehicle</th>
            <th scope="col">Per hour</th>
            <th scope="col">Daily max</th>
            <th scope="col">Peak</th>
            <th scope="col">Night</th>
            <th scope="col">Per kWh</th>
            <th scope="col">Reservation fee</th>
            <th scope="col">From</th>
          </tr>
        </thead>
        <tbody>
          {periods.map((p) => (
            <tr key={p.config_id}>
              <th scope="row">{vehicleWords[p.vehicle_type]}</th>
              <td>{money(p.hourly_rate)}</td>
              <td>{money(p.daily_max)}</td>
              <td>{window(p.peak_start_time, p.peak_end_time, p.peak_hour_multiplier)}</td>
              <td>{window(p.night_start_time, p.night_end_time, p.night_rate_multiplier)}</td>
              <td>{money(p.ev_charging_rate_per_kwh)}</td>
              <td>{money(p.reservation_fee)}</td>
              <td>{formatDateTime(p.effective_from, timeZone)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function EditPrice({
  facility,
  inForce,
  onSaved,
}: {
  facility: Facility;
  inForce: PricingConfig[];
  onSaved(): void;
}) {
  const id = useId();
  const current = (type: VehicleType) => inForce.find((p) => p.vehicle_type === type);
  const [form, setForm] = useState<PricingForm>(() => formFor('CAR', current('CAR')));
  const [checked, setChecked] = useState<Record<string, string>>({});
  const [done, setDone] = useState<string | null>(null);
  const action = useAction();
  const { currency, timezone } = facility;
  const step = moneyStep(currency);
  const ev = facility.pricing_strategy === 'EV_OPTIMIZED';

  const labels: Record<string, string> = {
    vehicle_type: 'Vehicle type',
    hourly_rate: `Hourly rate (${currency})`,
    daily_max: `Daily maximum (${currency}, optional)`,
    monthly_rate: `Monthly permit (${currency}, optional)`,
    peak_hour_multiplier: 'Peak multiplier',
    peak_start_time: 'Peak from',
    peak_end_time: 'Peak until',
    night_rate_multiplier: 'Night multiplier',
    night_start_time: 'Night from',
    night_end_time: 'Night until',
    ev_charging_rate_per_kwh: `Charging per kWh (${currency}, optional)`,
    reservation_fee: `Reservation fee (${currency})`,
    billing_increment_minutes: 'Billing increment (minutes)',
    grace_period_minutes: 'Free minutes at the start',
    idle_fee_per_hour: `Idle fee per hour (${currency}, optional)`,
    idle_grace_minutes: 'Idle grace (minutes)',
    effective_from: `Effective from (${timezone} time)`,
  };
  const serverFields = action.error ? wordsFor(action.error, labels).fields : {};
  const errorOf = (name: string) => checked[name] ?? serverFields[name];

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setDone(null);
    action.clear();
    const result = pricingBody(form, facility, new Date());
    if ('errors' in result) {
      setChecked(result.errors);
      return;
    }
    setChecked({});
    void action.run(async () => {
      const answer = await api<{ pricing_config: PricingConfig }>(
        `facilities/${encodeURIComponent(facility.facility_id)}/pricing`,
        { method: 'PUT', json: result.body },
      );
      const from = answer.pricing_config.effective_from;
      setDone(
        `The new ${vehicleWords[form.vehicle_type].toLowerCase()} price applies ${
          form.when === 'now' ? 'from now on' : `from ${formatDateTime(from, timezone)}`
        }.`,
      );
      onSaved();
    });
  };

  const input = (
    name: Exclude<keyof PricingForm, 'vehicle_type' | 'when'>,
    props: InputHTMLAttributes<HTMLInputElement> = {},
    hint?: string,
  ): ReactNode => (
    <Field id={`${id}-${name}`} label={labels[name]!} error={errorOf(name)} {...(hint ? { hint } : {})}>
      <input
        id={`${id}-${name}`}
        value={form[name]}
        onChange={(e) => setForm((f) => ({ ...f, [name]: e.target.value }))}
        {...props}
        {...describedBy(`${id}-${name}`, errorOf(name), Boolean(hint))}
      />
    </Field>
  );
  const amount = { type: 'number', inputMode: 'decimal', min: 0, step } as const;
  const multiplier = {
    type: 'number',
    inputMode: 'decimal',
    min: 0.01,
    max: 10,
    step: 0.01,
    required: true,
  } as const;
  const minutes = {
    type: 'number',
    inputMode: 'numeric',
    min: 0,
    max: 1440,
    step: 1,
    required: true,
  } as const;
  const time = { type: 'time' } as const;
  const problemShown = Boolean(action.error) && Object.keys(checked).length === 0;
  const invalidCount = Object.keys(checked).length;

  return (
    <section aria-labelledby={`${id}-title`} className="fac-subsection">
      <h3 id={`${id}-title`}>Change a price</h3>
      <form onSubmit={submit} noValidate>
        <div className="row">
          <Field id={`${id}-vehicle_type`} label={labels.vehicle_type!}>
            <select
              id={`${id}-vehicle_type`}
              value={form.vehicle_type}
              onChange={(e) => {
                const type = e.target.value as VehicleType;
                setForm((f) => ({
                  ...formFor(type, current(type)),
                  when: f.when,
                  effective_from: f.effective_from,
                }));
                setChecked({});
              }}
            >
              {vehicleTypes.map((type) => (
                <option key={type} value={type}>
                  {vehicleWords[type]}
                  {current(type) ? '' : ' (no price yet)'}
                </option>
              ))}
            </select>
          </Field>
          {input('hourly_rate', { ...amount, required: true })}
          {input('daily_max', amount)}
          {input('monthly_rate', amount)}
        </div>
        <fieldset className="fac-fieldset">
          <legend>Peak hours</legend>
          <div className="row">
            {input('peak_hour_multiplier', multiplier, 'Price × this in the peak hours')}
            {input('peak_start_time', time)}
            {input('peak_end_time', time)}
          </div>
        </fieldset>
        <fieldset className="fac-fieldset">
          <legend>Night hours</legend>
          <div className="row">
            {input('night_rate_multiplier', multiplier, 'Price × this at night')}
            {input('night_start_time', time)}
            {input('night_end_time', time)}
          </div>
        </fieldset>
        <fieldset className="fac-fieldset">
          <legend>Charging, reservations and billing</legend>
          <div className="row">
            {input('ev_charging_rate_per_kwh', amount)}
            {input('reservation_fee', { ...amount, required: true })}
            {input(
              'billing_increment_minutes',
              { ...minutes, min: 1 },
              'Stays are charged per started increment',
            )}
            {input('grace_period_minutes', minutes)}
            {ev && input('idle_fee_per_hour', amount, 'Plugged in after charging has finished')}
            {ev && input('idle_grace_minutes', minutes)}
          </div>
        </fieldset>
        <fieldset className="fac-fieldset">
          <legend>Takes effect</legend>
          <div className="fac-radios">
            <label className="check">
              <input
                type="radio"
                name={`${id}-when`}
                value="now"
                checked={form.when === 'now'}
                onChange={() => setForm((f) => ({ ...f, when: 'now' }))}
              />
              Now
            </label>
            <label className="check">
              <input
                type="radio"
                name={`${id}-when`}
                value="later"
                checked={form.when === 'later'}
                onChange={() =>
                  setForm((f) => ({
                    ...f,
                    when: 'later',
                    effective_from:
                      f.effective_from ||
                      localInputValue(new Date(Date.now() + 86_400_000), timezone).slice(0, 11) + '00:00',
                  }))
                }
              />
              At a later date and time
            </label>
          </div>
          {form.when === 'later' &&
            input('effective_from', {
              type: 'datetime-local',
              required: true,
              min: localInputValue(new Date(), timezone),
            })}
        </fieldset>
        {invalidCount > 0 && (
          <div className="notice notice-error" role="alert">
            <p>
              {invalidCount === 1 ? 'One detail is' : `${invalidCount} details are`} not right:{' '}
              {Object.entries(checked)
                .map(([name, message]) => `${labels[name] ?? name}: ${message}`)
                .join('; ')}
              .
            </p>
          </div>
        )}
        {problemShown && <ProblemNotice error={action.error} labels={labels} />}
        <button type="submit" disabled={action.busy}>
          {action.busy ? 'Saving…' : 'Save price'}
        </button>
        <p role="status" className="fac-done">
          {done}
        </p>
      </form>
    </section>
  );
}
