/**
 * The driver's pages: their paths and titles. Apart from the pages themselves so that the app's
 * shell can route to the driver's area without loading it (it is a chunk of its own).
 */
export const driverNavigation = [
  { path: '/find', label: 'Find parking', title: 'Find parking' },
  { path: '/reservations', label: 'Reservations', title: 'My reservations' },
  { path: '/parking', label: 'Parking now', title: 'Parking now' },
  { path: '/invoices', label: 'Invoices', title: 'My invoices' },
  { path: '/vehicles', label: 'Vehicles', title: 'My vehicles' },
] as const;

export type DriverPath = (typeof driverNavigation)[number]['path'];

export const driverPaths: string[] = driverNavigation.map((p) => p.path);

/** document.title of each page (its h1). */
export const driverTitles: Record<string, string> = Object.fromEntries(
  driverNavigation.map((p) => [p.path, p.title]),
);
