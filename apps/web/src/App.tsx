import { useEffect, useState } from 'react';
import { currentSession, isStaff, onSessionChange, type Role, type Session, signOut } from './lib/api.ts';
import { LoginPage, SignUpPage } from './pages/auth.tsx';
import { DriverPage } from './pages/driver.tsx';
import { OverviewPage } from './pages/overview.tsx';
import { Link, navigate, usePath } from './router.tsx';

const roleNames: Record<Role, string> = {
  platform_admin: 'Platform admin',
  tenant_admin: 'Tenant admin',
  operator: 'Operator',
  driver: 'Driver',
};

const homeOf = (session: Session) => (isStaff(session.role) ? '/overview' : '/vehicles');

export function App() {
  const path = usePath();
  const [session, setSession] = useState<Session | null>(currentSession);
  const [ended, setEnded] = useState<string | undefined>();

  useEffect(
    () =>
      onSessionChange((next, reason) => {
        setSession(next);
        if (!next && reason) setEnded(reason);
        if (next) setEnded(undefined);
      }),
    [],
  );

  // Each page where it belongs: signed out, only sign-in and sign-up; signed in, not those.
  const signedOutPage = path === '/login' || path === '/signup';
  const target = !session
    ? signedOutPage
      ? null
      : '/login'
    : signedOutPage || path === '/'
      ? homeOf(session)
      : null;
  useEffect(() => {
    if (target) navigate(target, { replace: true });
  }, [target]);

  useEffect(() => {
    const titles: Record<string, string> = {
      '/login': 'Sign in',
      '/signup': 'Create an account',
      '/overview': 'Network overview',
      '/vehicles': 'My vehicles',
    };
    document.title = `${titles[path] ?? 'EasyParkPlus'} · EasyParkPlus`;
  }, [path]);

  if (target) return null;

  return (
    <>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="site-header">
        <div className="site-header-inner">
          <Link href="/" className="brand">
            EasyPark<span>Plus</span>
          </Link>
          {session && (
            <nav aria-label="Account" className="account">
              <span className="who">
                {session.name ?? 'Signed in'} <span className="role">{roleNames[session.role]}</span>
              </span>
              <button type="button" className="button-secondary" onClick={() => void signOut()}>
                Sign out
              </button>
            </nav>
          )}
        </div>
      </header>
      <main id="main" className="page">
        {!session && path === '/signup' && <SignUpPage />}
        {!session && path === '/login' && <LoginPage ended={ended} />}
        {session && path === '/overview' && (isStaff(session.role) ? <OverviewPage /> : <NotHere />)}
        {session && path === '/vehicles' && <DriverPage />}
        {session && path !== '/overview' && path !== '/vehicles' && <NotFound home={homeOf(session)} />}
      </main>
    </>
  );
}

function NotFound({ home }: { home: string }) {
  return (
    <section className="panel">
      <h1>Page not found</h1>
      <p>
        There is nothing at this address. <Link href={home}>Go to your start page</Link>.
      </p>
    </section>
  );
}

function NotHere() {
  return (
    <section className="panel">
      <h1>Staff only</h1>
      <p>
        The network overview is for operators and managers. <Link href="/vehicles">See your vehicles</Link>.
      </p>
    </section>
  );
}
