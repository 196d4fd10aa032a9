import { Component, lazy, type ReactNode, Suspense, useEffect, useState } from 'react';
import { Loading } from './components.tsx';
import { currentSession, isStaff, onSessionChange, type Role, type Session, signOut } from './lib/api.ts';
import { LoginPage, SignUpPage } from './pages/auth.tsx';
import { driverPaths, driverTitles } from './pages/driver/paths.ts';
import { Link, navigate, usePath } from './router.tsx';

// Each area is its own chunk: the sign-in page loads only what signing in needs.
const OverviewPage = lazy(() => import('./pages/overview.tsx'));
const FacilityPage = lazy(() => import('./pages/facility/index.tsx'));
const AdminPage = lazy(() => import('./pages/admin/index.tsx'));
const DriverArea = lazy(() => import('./pages/driver/index.tsx'));

const roleNames: Record<Role, string> = {
  platform_admin: 'Platform admin',
  tenant_admin: 'Tenant admin',
  operator: 'Operator',
  driver: 'Driver',
};

const homeOf = (session: Session) =>
  session.role === 'platform_admin' ? '/tenants' : isStaff(session.role) ? '/overview' : '/vehicles';

/** What a path shows, and who may see it. */
type Area = 'overview' | 'facility' | 'admin' | 'driver' | null;
function areaOf(path: string): Area {
  if (path === '/overview') return 'overview';
  if (/^\/facilities\/[^/]+$/.test(path)) return 'facility';
  if (path === '/tenants' || /^\/tenants\/[^/]+$/.test(path)) return 'admin';
  if (driverPaths.includes(path)) return 'driver';
  return null;
}

const mayOpen: Record<Exclude<Area, null>, (role: Role) => boolean> = {
  overview: isStaff,
  facility: isStaff,
  admin: (role) => role === 'platform_admin' || role === 'tenant_admin',
  driver: (role) => role === 'driver',
};

const titles: Record<string, string> = {
  '/login': 'Sign in',
  '/signup': 'Create an account',
  '/overview': 'Network overview',
  '/tenants': 'Tenants',
  ...driverTitles,
};

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

  const area = areaOf(path);
  useEffect(() => {
    const title =
      titles[path] ?? (area === 'facility' ? 'Facility' : area === 'admin' ? 'Tenant' : 'EasyParkPlus');
    document.title = `${title} · EasyParkPlus`;
  }, [path, area]);

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
          {session && isStaff(session.role) && <StaffNav session={session} path={path} />}
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
        {session && (
          <PageFailed key={path}>
            <Suspense fallback={<Loading />}>
              {area === null && <NotFound home={homeOf(session)} />}
              {area !== null && !mayOpen[area](session.role) && <NotYours home={homeOf(session)} />}
              {area !== null && mayOpen[area](session.role) && <AreaPage area={area} path={path} />}
            </Suspense>
          </PageFailed>
        )}
      </main>
    </>
  );
}

function AreaPage({ area, path }: { area: Exclude<Area, null>; path: string }) {
  if (area === 'overview') return <OverviewPage />;
  if (area === 'facility') return <FacilityPage facilityId={decodeURIComponent(path.split('/')[2]!)} />;
  if (area === 'admin') return <AdminPage path={path} />;
  return <DriverArea path={path} />;
}

function StaffNav({ session, path }: { session: Session; path: string }) {
  const links: { href: string; label: string }[] = [];
  if (session.role !== 'platform_admin') links.push({ href: '/overview', label: 'Overview' });
  if (session.role === 'platform_admin') links.push({ href: '/tenants', label: 'Tenants' });
  if (session.role === 'tenant_admin' && session.tenant_id)
    links.push({ href: `/tenants/${encodeURIComponent(session.tenant_id)}`, label: 'Staff' });
  if (links.length < 2) return null;
  return (
    <nav aria-label="Sections" className="site-nav">
      <ul>
        {links.map((link) => (
          <li key={link.href}>
            <Link href={link.href} aria-current={path === link.href ? 'page' : undefined}>
              {link.label}
            </Link>
          </li>
        ))}
      </ul>
    </nav>
  );
}

/**
 * A page whose code cannot be loaded (the connection dropped, or a new version was deployed and the
 * old chunks are gone) or that broke while drawing: said in words, with a way out, not a blank page.
 */
class PageFailed extends Component<{ children: ReactNode }, { failed: boolean }> {
  override state = { failed: false };
  static getDerivedStateFromError() {
    return { failed: true };
  }
  override render() {
    if (!this.state.failed) return this.props.children;
    return (
      <section className="panel" role="alert">
        <h1>This page could not be shown</h1>
        <p>The connection may have dropped, or EasyParkPlus was just updated. Reloading usually fixes it.</p>
        <button type="button" onClick={() => window.location.reload()}>
          Reload the page
        </button>
      </section>
    );
  }
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

function NotYours({ home }: { home: string }) {
  return (
    <section className="panel">
      <h1>Not for your account</h1>
      <p>
        This page is for another kind of account. <Link href={home}>Go to your start page</Link>.
      </p>
    </section>
  );
}
