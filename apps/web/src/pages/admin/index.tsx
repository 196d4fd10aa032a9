import { type FormEvent, useId, useState } from 'react';
import { describedBy, Empty, ErrorMessage, Field, Loading, wordsOf } from '../../components.tsx';
import { useAsync } from '../../hooks.ts';
import { api, apiAll, currentSession } from '../../lib/api.ts';
import { Link } from '../../router.tsx';

interface Tenant {
  tenant_id: string;
  name: string;
  status: 'ACTIVE' | 'SUSPENDED';
  created_at: string;
}

interface User {
  user_id: string;
  email: string;
  name: string | null;
  role: 'platform_admin' | 'tenant_admin' | 'operator';
  tenant_id: string | null;
  created_at: string;
}

const roleWords: Record<User['role'], string> = {
  platform_admin: 'Platform admin',
  tenant_admin: 'Tenant admin',
  operator: 'Operator',
};

const day = (iso: string) => new Date(iso).toLocaleDateString(undefined, { dateStyle: 'medium' });

/**
 * Tenants and their staff: a platform admin sees and onboards every tenant; a tenant admin sees
 * their own tenant and adds its staff. `/tenants` lists, `/tenants/<id>` shows one tenant's users.
 */
export default function AdminPage({ path }: { path: string }) {
  const tenantId = /^\/tenants\/([^/]+)$/.exec(path)?.[1];
  return tenantId ? <TenantPage tenantId={decodeURIComponent(tenantId)} /> : <TenantsPage />;
}

function TenantsPage() {
  const isPlatformAdmin = currentSession()?.role === 'platform_admin';
  const tenants = useAsync((signal) => api<Tenant[]>('tenants', { signal }), []);

  return (
    <section aria-labelledby="tenants-title">
      <div className="page-head">
        <h1 id="tenants-title">Tenants</h1>
        <p className="lede">
          {isPlatformAdmin
            ? 'Every parking company on the platform. Open one to see and add its staff.'
            : 'Your organisation. Open it to see and add its staff.'}
        </p>
      </div>
      {tenants.loading && !tenants.data && <Loading>Loading tenants…</Loading>}
      <ErrorMessage error={tenants.error} retry={tenants.reload} />
      {tenants.data && tenants.data.length === 0 && (
        <Empty>No tenants yet. Onboard the first one below.</Empty>
      )}
      {tenants.data && tenants.data.length > 0 && (
        <div className="table-wrap">
          <table className="table">
            <caption className="visually-hidden">Tenants</caption>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Status</th>
                <th scope="col">Since</th>
              </tr>
            </thead>
            <tbody>
              {tenants.data.map((tenant) => (
                <tr key={tenant.tenant_id}>
                  <th scope="row">
                    <Link href={`/tenants/${encodeURIComponent(tenant.tenant_id)}`}>{tenant.name}</Link>
                  </th>
                  <td>{tenant.status === 'ACTIVE' ? 'Active' : 'Suspended'}</td>
                  <td>{day(tenant.created_at)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {isPlatformAdmin && <OnboardTenant onDone={tenants.reload} />}
    </section>
  );
}

function OnboardTenant({ onDone }: { onDone: () => void }) {
  const id = useId();
  const [name, setName] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [created, setCreated] = useState<Tenant | null>(null);
  const fields = error ? wordsOf(error).fields : {};

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    setCreated(null);
    try {
      setCreated(await api<Tenant>('tenants', { method: 'POST', json: { name: name.trim() } }));
      setName('');
      onDone();
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  }

  return (
    <section className="panel" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>Onboard a tenant</h2>
      <form onSubmit={submit}>
        <Field id={`${id}-name`} label="Company name" error={fields.name}>
          <input
            id={`${id}-name`}
            required
            maxLength={200}
            value={name}
            onChange={(e) => setName(e.target.value)}
            {...describedBy(`${id}-name`, fields.name)}
          />
        </Field>
        <ErrorMessage error={error} />
        {created && (
          <p className="notice notice-ok" role="status">
            {created.name} is on the platform.{' '}
            <Link href={`/tenants/${created.tenant_id}`}>Add its first admin</Link>.
          </p>
        )}
        <button type="submit" disabled={busy}>
          {busy ? 'Onboarding…' : 'Onboard tenant'}
        </button>
      </form>
    </section>
  );
}

function TenantPage({ tenantId }: { tenantId: string }) {
  const path = encodeURIComponent(tenantId);
  const tenants = useAsync((signal) => api<Tenant[]>('tenants', { signal }), []);
  const users = useAsync((signal) => apiAll<User>(`users?tenant_id=${path}&limit=100`, signal), [path]);
  const tenant = tenants.data?.find((t) => t.tenant_id === tenantId);
  const isPlatformAdmin = currentSession()?.role === 'platform_admin';

  return (
    <section aria-labelledby="tenant-title">
      <div className="page-head">
        <p className="muted small">
          <Link href="/tenants">Tenants</Link> /
        </p>
        <h1 id="tenant-title">{tenant?.name ?? 'Tenant'}</h1>
        {tenant && <p className="lede">On the platform since {day(tenant.created_at)}.</p>}
      </div>
      <ErrorMessage error={tenants.error} retry={tenants.reload} />
      <section className="panel" aria-labelledby="users-title">
        <h2 id="users-title">Staff accounts</h2>
        {users.loading && !users.data && <Loading>Loading accounts…</Loading>}
        <ErrorMessage error={users.error} retry={users.reload} />
        {users.data && users.data.length === 0 && (
          <Empty>No staff accounts yet. {isPlatformAdmin ? 'Start with a tenant admin.' : ''}</Empty>
        )}
        {users.data && users.data.length > 0 && (
          <div className="table-wrap">
            <table className="table">
              <caption className="visually-hidden">Staff accounts</caption>
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Email</th>
                  <th scope="col">Role</th>
                  <th scope="col">Since</th>
                </tr>
              </thead>
              <tbody>
                {users.data.map((user) => (
                  <tr key={user.user_id}>
                    <th scope="row">{user.name ?? <span className="muted">No name</span>}</th>
                    <td>{user.email}</td>
                    <td>{roleWords[user.role]}</td>
                    <td>{day(user.created_at)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
      {!users.error && <AddUser tenantId={tenantId} onDone={users.reload} />}
    </section>
  );
}

function AddUser({ tenantId, onDone }: { tenantId: string; onDone: () => void }) {
  const id = useId();
  const [form, setForm] = useState({ name: '', email: '', role: 'operator', password: '' });
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [added, setAdded] = useState<User | null>(null);
  const fields = error ? wordsOf(error).fields : {};
  const set = (key: keyof typeof form) => (e: { target: { value: string } }) =>
    setForm((f) => ({ ...f, [key]: e.target.value }));

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    setAdded(null);
    try {
      const user = await api<User>('users', {
        method: 'POST',
        json: {
          email: form.email.trim(),
          password: form.password,
          role: form.role,
          tenant_id: tenantId,
          ...(form.name.trim() ? { name: form.name.trim() } : {}),
        },
      });
      setAdded(user);
      setForm({ name: '', email: '', role: 'operator', password: '' });
      onDone();
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  }

  return (
    <section className="panel" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>Add a staff account</h2>
      <form onSubmit={submit}>
        <Field id={`${id}-name`} label="Name" error={fields.name}>
          <input
            id={`${id}-name`}
            autoComplete="off"
            maxLength={200}
            value={form.name}
            onChange={set('name')}
            {...describedBy(`${id}-name`, fields.name)}
          />
        </Field>
        <Field id={`${id}-email`} label="Email" error={fields.email}>
          <input
            id={`${id}-email`}
            type="email"
            autoComplete="off"
            required
            value={form.email}
            onChange={set('email')}
            {...describedBy(`${id}-email`, fields.email)}
          />
        </Field>
        <Field id={`${id}-role`} label="Role" error={fields.role}>
          <select id={`${id}-role`} value={form.role} onChange={set('role')}>
            <option value="operator">Operator: runs the facilities day to day</option>
            <option value="tenant_admin">Tenant admin: also prices, staff and keys</option>
          </select>
        </Field>
        <Field
          id={`${id}-password`}
          label="Initial password"
          error={fields.password}
          hint="At least 10 characters; give it to them in person"
        >
          <input
            id={`${id}-password`}
            type="password"
            autoComplete="new-password"
            required
            minLength={10}
            value={form.password}
            onChange={set('password')}
            {...describedBy(`${id}-password`, fields.password, true)}
          />
        </Field>
        <ErrorMessage error={error} />
        {added && (
          <p className="notice notice-ok" role="status">
            {added.email} can now sign in as {roleWords[added.role].toLowerCase()}.
          </p>
        )}
        <button type="submit" disabled={busy}>
          {busy ? 'Adding…' : 'Add account'}
        </button>
      </form>
    </section>
  );
}
