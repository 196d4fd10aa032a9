import { type FormEvent, useId, useState } from 'react';
import { describedBy, Empty, Field, Loading, wordsOf } from '../../components.tsx';
import { useAsync } from '../../hooks.ts';
import { api, apiAll } from '../../lib/api.ts';
import { Link } from '../../router.tsx';
import { type Vehicle, vehicleTypeWords } from './model.ts';
import { DriverError } from './ui.tsx';

const vehicleTypes = ['CAR', 'MOTORCYCLE', 'TRUCK', 'BUS'] as const;
const connectorTypes = ['CCS', 'TYPE2', 'CHADEMO', 'J1772', 'TESLA'] as const;

export function VehiclesPage() {
  const vehicles = useAsync((signal) => apiAll<Vehicle>('parking/vehicles?limit=500', signal), []);

  return (
    <div className="driver">
      <section aria-labelledby="vehicles-title" className="panel">
        <h1 id="vehicles-title" tabIndex={-1}>
          My vehicles
        </h1>
        {vehicles.loading && !vehicles.data && <Loading>Loading your vehicles…</Loading>}
        <DriverError error={vehicles.error} retry={vehicles.reload} />
        {vehicles.data && vehicles.data.length === 0 && (
          <Empty>You have not registered a vehicle yet. Add one with the form.</Empty>
        )}
        {vehicles.data && vehicles.data.length > 0 && (
          <ul className="vehicles">
            {vehicles.data.map((v) => (
              <li key={v.vehicle_id}>
                <span className="plate">{v.registration_number}</span>
                <span>
                  {vehicleTypeWords[v.vehicle_type]}
                  {[v.color, v.make, v.model].some(Boolean) && (
                    <span className="muted"> · {[v.color, v.make, v.model].filter(Boolean).join(' ')}</span>
                  )}
                </span>
                {v.is_electric && (
                  <span className="badge badge-live">
                    Electric{v.connector_type ? ` · ${v.connector_type}` : ''}
                    {v.battery_capacity_kwh ? ` · ${v.battery_capacity_kwh} kWh` : ''}
                  </span>
                )}
              </li>
            ))}
          </ul>
        )}
        {vehicles.data && vehicles.data.length > 0 && (
          <p className="small">
            <Link href="/find">Find parking</Link> for one of them.
          </p>
        )}
      </section>
      <RegisterVehicle onRegistered={vehicles.reload} />
    </div>
  );
}

const blank = {
  registration_number: '',
  vehicle_type: 'CAR' as Vehicle['vehicle_type'],
  make: '',
  model: '',
  color: '',
  is_electric: false,
  battery_capacity_kwh: '',
  connector_type: '',
};

function RegisterVehicle({ onRegistered }: { onRegistered(): void }) {
  const id = useId();
  const [form, setForm] = useState(blank);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [added, setAdded] = useState<string | null>(null);
  const invalid = error ? wordsOf(error).fields : {};

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    setAdded(null);
    const body: Record<string, unknown> = {
      registration_number: form.registration_number.trim(),
      vehicle_type: form.vehicle_type,
      is_electric: form.is_electric,
    };
    for (const name of ['make', 'model', 'color'] as const)
      if (form[name].trim()) body[name] = form[name].trim();
    if (form.is_electric) {
      if (form.battery_capacity_kwh) body.battery_capacity_kwh = Number(form.battery_capacity_kwh);
      if (form.connector_type) body.connector_type = form.connector_type;
    }
    try {
      const vehicle = await api<Vehicle>('parking/vehicles', { method: 'POST', json: body });
      setAdded(vehicle.registration_number);
      setForm(blank);
      onRegistered();
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  }

  const text = (name: 'registration_number' | 'make' | 'model' | 'color' | 'battery_capacity_kwh') => ({
    id: `${id}-${name}`,
    value: form[name],
    onChange: (e: { target: { value: string } }) => setForm((f) => ({ ...f, [name]: e.target.value })),
    ...describedBy(`${id}-${name}`, invalid[name]),
  });

  return (
    <section aria-labelledby={`${id}-title`} className="panel">
      <h2 id={`${id}-title`}>Register a vehicle</h2>
      <form onSubmit={submit}>
        <Field
          id={`${id}-registration_number`}
          label="Registration number"
          error={invalid.registration_number}
        >
          <input {...text('registration_number')} required maxLength={30} autoCapitalize="characters" />
        </Field>
        <Field id={`${id}-vehicle_type`} label="Type" error={invalid.vehicle_type}>
          <select
            id={`${id}-vehicle_type`}
            value={form.vehicle_type}
            onChange={(e) =>
              setForm((f) => ({ ...f, vehicle_type: e.target.value as Vehicle['vehicle_type'] }))
            }
            {...describedBy(`${id}-vehicle_type`, invalid.vehicle_type)}
          >
            {vehicleTypes.map((t) => (
              <option key={t} value={t}>
                {vehicleTypeWords[t]}
              </option>
            ))}
          </select>
        </Field>
        <div className="row">
          <Field id={`${id}-make`} label="Make (optional)" error={invalid.make}>
            <input {...text('make')} maxLength={100} />
          </Field>
          <Field id={`${id}-model`} label="Model (optional)" error={invalid.model}>
            <input {...text('model')} maxLength={100} />
          </Field>
          <Field id={`${id}-color`} label="Colour (optional)" error={invalid.color}>
            <input {...text('color')} maxLength={50} />
          </Field>
        </div>
        <div className="check">
          <input
            id={`${id}-is_electric`}
            type="checkbox"
            checked={form.is_electric}
            onChange={(e) => setForm((f) => ({ ...f, is_electric: e.target.checked }))}
          />
          <label htmlFor={`${id}-is_electric`}>Electric vehicle</label>
        </div>
        {form.is_electric && (
          <div className="row">
            <Field
              id={`${id}-battery_capacity_kwh`}
              label="Battery capacity (kWh)"
              error={invalid.battery_capacity_kwh}
            >
              <input
                {...text('battery_capacity_kwh')}
                type="number"
                inputMode="decimal"
                min={0.1}
                max={10000}
                step="any"
              />
            </Field>
            <Field id={`${id}-connector_type`} label="Charging connector" error={invalid.connector_type}>
              <select
                id={`${id}-connector_type`}
                value={form.connector_type}
                onChange={(e) => setForm((f) => ({ ...f, connector_type: e.target.value }))}
                {...describedBy(`${id}-connector_type`, invalid.connector_type)}
              >
                <option value="">Not specified</option>
                {connectorTypes.map((c) => (
                  <option key={c} value={c}>
                    {c}
                  </option>
                ))}
              </select>
            </Field>
          </div>
        )}
        <DriverError error={error} />
        {added && (
          <p className="notice notice-ok" role="status">
            {added} is registered.
          </p>
        )}
        <button type="submit" disabled={busy}>
          {busy ? 'Registering…' : 'Register vehicle'}
        </button>
      </form>
    </section>
  );
}
