import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ServiceDefinition } from '@easypark/platform';
import { parkingRoutes } from './routes/index.ts';
import { forgetOldKeys } from './store/idempotency.ts';

export const parkingService: ServiceDefinition = {
  name: 'parking',
  title: 'EasyParkPlus Parking service',
  description:
    'Parking spaces, vehicles, entries and exits, and live occupancy. Publishes parking.vehicle.entered, ' +
    'parking.vehicle.exited, parking.space.occupied, parking.space.released, parking.space.status.changed and ' +
    'parking.occupancy.threshold.',
  migrationsDir: join(dirname(fileURLToPath(import.meta.url)), 'migrations'),
  routes: parkingRoutes,
  // Idempotency keys are only needed as long as a client may retry.
  background: (runtime) => {
    const timer = setInterval(() => {
      forgetOldKeys(runtime.pool).catch((error) =>
        runtime.logger.warn({ err: error }, 'could not prune idempotency keys'),
      );
    }, 3600_000);
    timer.unref();
    return { stop: async () => clearInterval(timer) };
  },
};
