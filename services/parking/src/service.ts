import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BackgroundWork, ServiceDefinition, ServiceRuntime } from '@easypark/platform';
import { billingHandlers } from './events.ts';
import { occupancyMetrics } from './metrics.ts';
import { reconcileReservedSpaces, reservationHandlers } from './reservations.ts';
import { parkingRoutes } from './routes/index.ts';

export const parkingService: ServiceDefinition = {
  name: 'parking',
  title: 'EasyParkPlus Parking service',
  description:
    'Parking spaces, vehicles, entries and exits, and live occupancy. Publishes parking.vehicle.entered, ' +
    'parking.vehicle.exited, parking.space.occupied, parking.space.released, parking.space.status.changed, ' +
    'parking.spaces.added and ' +
    'parking.occupancy.threshold; follows reservation events to hold booked spaces RESERVED, and billing.charge.created to keep a visit’s charge.',
  migrationsDir: join(dirname(fileURLToPath(import.meta.url)), 'migrations'),
  routes(app, runtime) {
    parkingRoutes(app, runtime);
    occupancyMetrics(app, runtime);
  },
  handlers: { ...reservationHandlers, ...billingHandlers },
  background: (runtime) => startBackground(runtime),
};

/**
 * Reserved-space rounds every 30 s (run() is one round now, after any round in flight), and
 * pruning of idempotency keys every hour: they are only needed as long as a client may retry.
 */
export function startBackground(runtime: ServiceRuntime, intervalMs = 30_000): BackgroundWork {
  let last: Promise<void> = Promise.resolve();
  let busy = false;
  const round = async () => {
    busy = true;
    try {
      await reconcileReservedSpaces(runtime);
    } catch (error) {
      runtime.logger.warn({ err: error }, 'reserved-space round failed; will retry');
    } finally {
      busy = false;
    }
  };
  const run = () => {
    last = last.then(round);
    return last;
  };
  const rounds = setInterval(() => {
    if (!busy) void run();
  }, intervalMs);
  rounds.unref();
  return {
    run,
    async stop() {
      clearInterval(rounds);
      await last;
    },
  };
}
