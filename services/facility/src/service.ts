import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ServiceDefinition } from '@easypark/platform';
import { facilityEventHandlers, startDailySummaries } from './events.ts';
import { facilityRoutes } from './routes/facilities.ts';
import { internalRoutes } from './routes/internal.ts';
import { operationsRoutes } from './routes/operations.ts';
import { pricingRoutes } from './routes/pricing.ts';

export const facilityService: ServiceDefinition = {
  name: 'facility',
  title: 'EasyParkPlus Facility service',
  description:
    'Tenants, facilities, capacity, operating hours, effective-dated pricing and daily operations.',
  migrationsDir: join(dirname(fileURLToPath(import.meta.url)), 'migrations'),
  routes(app, runtime) {
    facilityRoutes(app, runtime);
    operationsRoutes(app, runtime);
    pricingRoutes(app, runtime);
    internalRoutes(app, runtime);
  },
  handlers: facilityEventHandlers,
  background: (runtime) => startDailySummaries(runtime),
};
