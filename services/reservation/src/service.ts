import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ServiceDefinition } from '@easypark/platform';
import { reservationEventHandlers, startLifecycleSweeps } from './events.ts';
import { availabilityRoutes } from './routes/availability.ts';
import { internalRoutes } from './routes/internal.ts';
import { reservationRoutes } from './routes/reservations.ts';
import { reservationSettings } from './settings.ts';
import { spaceDirectory } from './spaces.ts';

export const reservationService: ServiceDefinition = {
  name: 'reservation',
  title: 'EasyParkPlus Reservation service',
  description:
    'Reservations of a space for a window: holds, confirmation, cancellation with the facility’s policy, ' +
    'expiry, no-shows and arrival. Publishes reservation.created, .confirmed, .cancelled, .expired, .no_show ' +
    'and .fulfilled.',
  migrationsDir: join(dirname(fileURLToPath(import.meta.url)), 'migrations'),
  routes(app, runtime) {
    const settings = reservationSettings();
    const spaces = spaceDirectory(runtime, settings.spaceCacheSeconds * 1000);
    reservationRoutes(app, runtime, settings, spaces);
    availabilityRoutes(app, runtime, settings, spaces);
    internalRoutes(app, runtime);
  },
  handlers: reservationEventHandlers,
  background: (runtime) => startLifecycleSweeps(runtime, reservationSettings().sweepSeconds * 1000),
};
