import { type FormEvent, useId, useState } from 'react';
import { describedBy, ErrorMessage, Field, wordsOf } from '../components.tsx';
import { signIn, signUp } from '../lib/api.ts';
import { problemToWords } from '../lib/problems.ts';
import { Link } from '../router.tsx';

export function LoginPage({ ended, registered }: { ended?: string | undefined; registered?: boolean }) {
  const id = useId();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await signIn(email.trim(), password);
    } catch (failure) {
      setError(failure);
      setBusy(false);
    }
  }

  return (
    <section className="panel narrow" aria-labelledby={`${id}-title`}>
      <h1 id={`${id}-title`}>Sign in</h1>
      {ended && !error && (
        <p className="notice" role="status">
          {problemToWords({ code: ended }).message}
        </p>
      )}
      {registered && !error && (
        <p className="notice notice-ok" role="status">
          Your account is ready. Sign in with it.
        </p>
      )}
      <form onSubmit={submit} noValidate={false}>
        <Field id={`${id}-email`} label="Email">
          <input
            id={`${id}-email`}
            type="email"
            autoComplete="username"
            required
            value={email}
            onChange={(e) => setEmail(e.target.value)}
          />
        </Field>
        <Field id={`${id}-password`} label="Password">
          <input
            id={`${id}-password`}
            type="password"
            autoComplete="current-password"
            required
            value={password}
            onChange={(e) => setPassword(e.target.value)}
          />
        </Field>
        <ErrorMessage error={error} />
        <button type="submit" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
      <p className="aside">
        New here? <Link href="/signup">Create a driver account</Link>
      </p>
    </section>
  );
}

export function SignUpPage() {
  const id = useId();
  const [fields, setFields] = useState({ name: '', email: '', password: '' });
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [done, setDone] = useState(false);
  const invalid = error ? wordsOf(error).fields : {};

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await signUp({ name: fields.name.trim(), email: fields.email.trim(), password: fields.password });
    } catch (failure) {
      setError(failure);
      setBusy(false);
      return;
    }
    // Straight in with the new account; if that is refused (a limit), the sign-in page says so.
    try {
      await signIn(fields.email.trim(), fields.password);
    } catch {
      setDone(true);
      setBusy(false);
    }
  }

  if (done) return <LoginPage registered />;

  const set = (name: keyof typeof fields) => (e: { target: { value: string } }) =>
    setFields((f) => ({ ...f, [name]: e.target.value }));

  return (
    <section className="panel narrow" aria-labelledby={`${id}-title`}>
      <h1 id={`${id}-title`}>Create a driver account</h1>
      <form onSubmit={submit}>
        <Field id={`${id}-name`} label="Your name" error={invalid.name}>
          <input
            id={`${id}-name`}
            autoComplete="name"
            required
            maxLength={200}
            value={fields.name}
            onChange={set('name')}
            {...describedBy(`${id}-name`, invalid.name)}
          />
        </Field>
        <Field id={`${id}-email`} label="Email" error={invalid.email}>
          <input
            id={`${id}-email`}
            type="email"
            autoComplete="email"
            required
            maxLength={320}
            value={fields.email}
            onChange={set('email')}
            {...describedBy(`${id}-email`, invalid.email)}
          />
        </Field>
        <Field id={`${id}-password`} label="Password" error={invalid.password} hint="At least 10 characters">
          <input
            id={`${id}-password`}
            type="password"
            autoComplete="new-password"
            required
            minLength={10}
            maxLength={200}
            value={fields.password}
            onChange={set('password')}
            {...describedBy(`${id}-password`, invalid.password, true)}
          />
        </Field>
        <ErrorMessage error={error} />
        <button type="submit" disabled={busy}>
          {busy ? 'Creating your account…' : 'Create account'}
        </button>
      </form>
      <p className="aside">
        Already have an account? <Link href="/login">Sign in</Link>
      </p>
    </section>
  );
}
