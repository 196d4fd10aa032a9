import { type ReactNode, useEffect, useRef } from 'react';
import { Link } from '../../router.tsx';
import { FindPage } from './find.tsx';
import { InvoicesPage } from './invoices.tsx';
import { ParkingPage } from './parking.tsx';
import { type DriverPath, driverNavigation } from './paths.ts';
import { ReservationsPage } from './reservations.tsx';
import { VehiclesPage } from './vehicles.tsx';
import './driver.css';

const pages: Record<DriverPath, () => ReactNode> = {
  '/find': () => <FindPage />,
  '/reservations': () => <ReservationsPage />,
  '/parking': () => <ParkingPage />,
  '/invoices': () => <InvoicesPage />,
  '/vehicles': () => <VehiclesPage />,
};

export { driverPaths, driverTitles } from './paths.ts';

export default function DriverArea({ path }: { path: string }) {
  const page = Object.hasOwn(pages, path) ? pages[path as DriverPath] : undefined;
  const content = useRef<HTMLDivElement>(null);
  const firstPath = useRef(path);

  // Moving between the driver's pages takes the focus to the new page's heading, as a page load
  // would take a screen reader to the top; the first page shown keeps the browser's own focus.
  useEffect(() => {
    if (path === firstPath.current) return;
    firstPath.current = '';
    content.current?.querySelector<HTMLElement>('h1')?.focus();
  }, [path]);

  return (
    <div className="driver-area">
      <nav aria-label="Driver" className="driver-nav">
        <ul>
          {driverNavigation.map((p) => (
            <li key={p.path}>
              <Link href={p.path} aria-current={p.path === path ? 'page' : undefined}>
                {p.label}
              </Link>
            </li>
          ))}
        </ul>
      </nav>
      <div ref={content}>
        {page ? (
          page()
        ) : (
          <section className="panel">
            <h1 tabIndex={-1}>Page not found</h1>
            <p>
              There is nothing at this address. <Link href="/find">Find parking</Link>.
            </p>
          </section>
        )}
      </div>
    </div>
  );
}
