import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { everySeconds, type ServiceDefinition } from '@easypark/platform';
import { chargingOperations } from './charging.ts';
import { chargingEventHandlers } from './events.ts';
import { type CentralSystem, createCentralSystem } from './ocpp/central.ts';
import { ocppHooks } from './ocpp/handlers.ts';
import { internalRoutes } from './routes/internal.ts';
import { queueRoutes } from './routes/queue.ts';
import { sessionRoutes } from './routes/sessions.ts';
import { stationRoutes } from './routes/stations.ts';
import { chargingSettings } from './settings.ts';

/** The OCPP central system of each running charging service, for its background work and tests. */
export const centralSystems = new WeakMap<object, CentralSystem>();
const sweeps = new WeakMap<object, () => Promise<void>>();

export const chargingService: ServiceDefinition = {
  name: 'charging',
  title: 'EasyParkPlus Charging service',
  description:
    'EV charging: stations (an OCPP 1.6 / 2.0.1 central system at /ocpp/{station_id}), sessions with live energy ' +
    'and cost, pause and resume, a queue per facility and a facility power limit shared among the sessions. ' +
    'Publishes charging.session.started, .updated, .completed, charging.station.status.changed and ' +
    'charging.queue.position.changed.',
  migrationsDir: join(dirname(fileURLToPath(import.meta.url)), 'migrations'),
  routes(app, runtime) {
    const settings = chargingSettings();
    // The central system and the operations need each other: hooks are bound once both exist.
    let hooks: ReturnType<typeof ocppHooks> | undefined;
    const central = createCentralSystem({
      logger: runtime.logger,
      callTimeoutMs: settings.callTimeoutMs,
      hooks: {
        passwordHashOf: (id) => hooks!.passwordHashOf(id),
        handle: (station, method, params) => hooks!.handle(station, method, params),
        connected: (station) => hooks!.connected(station),
        disconnected: (station) => hooks!.disconnected(station),
      },
    });
    const charging = chargingOperations(runtime, settings, central);
    hooks = ocppHooks(runtime, settings, charging);
    app.server.on('upgrade', central.handleUpgrade);
    app.addHook('onClose', async () => {
      await central.close();
      await charging.settled();
    });
    centralSystems.set(runtime, central);
    sweeps.set(runtime, () => charging.sweep((id) => central.disconnect(id)));

    stationRoutes(app, runtime, settings, charging, central);
    sessionRoutes(app, runtime, charging);
    queueRoutes(app, runtime, settings, charging);
    internalRoutes(app, runtime);
  },
  handlers: chargingEventHandlers,
  background: (runtime) =>
    everySeconds(runtime, chargingSettings().sweepSeconds, 'charging sweep', sweeps.get(runtime)!),
};
