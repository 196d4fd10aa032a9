import type { App, ServiceRuntime } from '@easypark/platform';
import { entryRoutes } from './entry.ts';
import { exitRoutes } from './exit.ts';
import { internalRoutes } from './internal.ts';
import { occupancyRoutes } from './occupancy.ts';
import { sessionRoutes } from './sessions.ts';
import { spaceStatusRoutes } from './space-status.ts';
import { spaceRoutes } from './spaces.ts';
import { vehicleRoutes } from './vehicles.ts';

export function parkingRoutes(app: App, runtime: ServiceRuntime): void {
  spaceRoutes(app, runtime);
  spaceStatusRoutes(app, runtime);
  vehicleRoutes(app, runtime);
  entryRoutes(app, runtime);
  exitRoutes(app, runtime);
  sessionRoutes(app, runtime);
  occupancyRoutes(app, runtime);
  internalRoutes(app, runtime);
}
