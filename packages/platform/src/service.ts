import {
  type Clock,
  type EventCatalog,
  type EventEnvelope,
  type EventType,
  makeEvent,
  type NewEvent,
} from '@easypark/kernel';
import { Registry } from 'prom-client';
import type { EventBus } from './bus/port.ts';
import type { ServiceClient } from './client.ts';
import { runMigrations } from './db/migrate.ts';
import { type Pool, type Tx, withTransaction } from './db/pool.ts';
import { type App, createHttpApp, type EdgeAccess } from './http/app.ts';
import type { TokenKeys } from './http/auth.ts';
import { forgetOldRequests } from './idempotency.ts';
import { applyBatchOnce, applyOnce } from './inbox.ts';
import type { Logger } from './log.ts';
import { consumerMetrics, instrumentPool, watchOutbox } from './metrics.ts';
import { platformMigrations } from './migrations.ts';
import { type OutboxRelay, startOutboxRelay, writeToOutbox } from './outbox.ts';
import { inConsumerSpan, subscribeTraced } from './tracing.ts';

/** What the runner hands every service, whichever mode it runs in. */
export interface ServiceDeps {
  logger: Logger;
  pool: Pool;
  bus: EventBus;
  keys: TokenKeys;
  clock: Clock;
  clients: Record<string, ServiceClient>;
  /** Metrics registry shared by the services of one process; each gets its own otherwise. */
  registry?: Registry;
  /** When set, /metrics asks for it as a bearer token. */
  metricsToken?: string;
}

export type Emit = <K extends EventType>(event: NewEvent<K>) => void;

/** A service's view of its runtime: its database, its clock, and a transaction that can emit events. */
export interface ServiceRuntime extends ServiceDeps {
  name: string;
  /** Where the service's metrics go: the shared registry, or its own when it runs alone. */
  registry: Registry;
  /** Runs `work` in one transaction; events it emits go to the outbox in that transaction. */
  transaction<T>(work: (tx: Tx, emit: Emit) => Promise<T>): Promise<T>;
  client(name: string): ServiceClient;
}

export type EventHandlers = {
  [K in EventType]?: (tx: Tx, event: EventEnvelope<EventCatalog[K]>, emit: Emit) => Promise<void>;
};

export interface ServiceDefinition {
  name: string;
  title: string;
  description: string;
  migrationsDir: string;
  routes: (app: App, runtime: ServiceRuntime) => void | Promise<void>;
  /** The events it consumes; a function when the handlers need the runtime (clients, settings). */
  handlers?: EventHandlers | ((runtime: ServiceRuntime) => EventHandlers);
  /** True for the gateway: the service that faces clients directly. */
  edge?: boolean;
  /** The edge's credentials and pass-through routes (the gateway). */
  edgeAccess?: (runtime: ServiceRuntime) => EdgeAccess;
  /** Background work (schedulers); started after the app is ready, stopped first. */
  background?: (runtime: ServiceRuntime) => BackgroundWork;
}

export interface BackgroundWork {
  /** One round of the work now, instead of at the next tick (tests with a manual clock). */
  run?(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Background work that runs `round` every `seconds`, one round at a time (a tick during a round is
 * skipped); `run()` is a round now, or the one in flight (tests with a manual clock).
 */
export function everySeconds(
  runtime: Pick<ServiceRuntime, 'logger'>,
  seconds: number,
  what: string,
  round: () => Promise<void>,
): BackgroundWork {
  let running: Promise<void> | null = null;
  const run = () => {
    running ??= round()
      .catch((error) => runtime.logger.error({ err: error }, `${what} failed`))
      .finally(() => {
        running = null;
      });
    return running;
  };
  const timer = setInterval(run, seconds * 1000);
  timer.unref();
  return {
    run,
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}

export interface RunningService {
  name: string;
  app: App;
  runtime: ServiceRuntime;
  relay: OutboxRelay;
  background: BackgroundWork | undefined;
  stop(): Promise<void>;
}

/**
 * Wires one service the same way in both modes: migrate its database, build its HTTP app,
 * relay its outbox to the bus, and apply the events it consumes exactly once.
 */
export async function startService(
  definition: ServiceDefinition,
  deps: ServiceDeps,
): Promise<RunningService> {
  const { name } = definition;
  const registry = deps.registry ?? new Registry();
  const unwatchPool = instrumentPool(deps.pool, registry, name);
  await runMigrations(deps.pool, [platformMigrations, { name, dir: definition.migrationsDir }]);
  const relay = startOutboxRelay({ pool: deps.pool, bus: deps.bus, logger: deps.logger });
  const unwatchOutbox = watchOutbox(registry, name, deps.pool);
  const source = `/services/${name}`;

  async function transaction<T>(work: (tx: Tx, emit: Emit) => Promise<T>): Promise<T> {
    let pending: EventEnvelope[] = [];
    const result = await withTransaction(deps.pool, async (tx) => {
      pending = [];
      const emit: Emit = (event) => {
        pending.push(makeEvent(source, { time: deps.clock.now(), ...event }));
      };
      const value = await work(tx, emit);
      await writeToOutbox(tx, pending);
      return value;
    });
    if (pending.length > 0) relay.kick();
    return result;
  }

  const runtime: ServiceRuntime = {
    ...deps,
    name,
    registry,
    transaction,
    client(target) {
      const client = deps.clients[target];
      if (!client) throw new Error(`${name} has no client for ${target}`);
      return client;
    },
  };

  const app = await createHttpApp({
    name,
    logger: deps.logger,
    keys: deps.keys,
    registry,
    ...(definition.edge ? { edge: true } : {}),
    ...(definition.edgeAccess ? { edgeAccess: definition.edgeAccess(runtime) } : {}),
    ...(deps.metricsToken ? { metricsToken: deps.metricsToken } : {}),
    openapi: { title: definition.title, description: definition.description },
    readiness: {
      database: async () => (await deps.pool.query('SELECT 1')).rowCount === 1,
      bus: () => deps.bus.isReady(),
    },
  });
  await definition.routes(app, runtime);
  await app.ready();

  const handlers =
    typeof definition.handlers === 'function' ? definition.handlers(runtime) : (definition.handlers ?? {});
  const types = Object.keys(handlers);
  if (types.length > 0) {
    /** Events whose handling wrote events of its own: the relay is kicked once that has committed. */
    const wroteEvents = new Set<string>();
    const applyEvent = async (tx: Tx, event: EventEnvelope) => {
      const handler = handlers[event.type as EventType] as
        | ((tx: Tx, event: EventEnvelope, emit: Emit) => Promise<void>)
        | undefined;
      if (!handler) return;
      const emitted: EventEnvelope[] = [];
      await handler(tx, event, (e) => {
        emitted.push(makeEvent(source, { time: deps.clock.now(), ...e }));
      });
      await writeToOutbox(tx, emitted);
      if (emitted.length > 0) wroteEvents.add(event.id);
    };
    const handled = consumerMetrics(registry, name, deps.clock);
    const apply = applyOnce(deps.pool, name, applyEvent, handled);
    // Events delivered together share a transaction; each is still applied in its own span.
    const applyBatch = applyBatchOnce(
      deps.pool,
      name,
      (tx, event) => inConsumerSpan(name, deps.bus.kind, event, () => applyEvent(tx, event)),
      handled,
    );
    // Kicked only after the commit: kicked before it, the relay finds nothing yet and the events
    // wait for its next poll (up to half a second).
    const kickIfWrote = (events: EventEnvelope[]) => {
      if (events.some((e) => wroteEvents.has(e.id))) relay.kick();
    };
    // Each delivery in a span that continues the trace of the request that emitted the event.
    await subscribeTraced(deps.bus, {
      consumer: name,
      types,
      async handler(event) {
        try {
          await apply(event);
          kickIfWrote([event]);
        } finally {
          wroteEvents.delete(event.id);
        }
      },
      async handleBatch(events) {
        try {
          await applyBatch(events);
          kickIfWrote(events);
        } finally {
          for (const event of events) wroteEvents.delete(event.id);
        }
      },
    });
  }

  const background = definition.background?.(runtime);
  // Idempotency keys are kept a day; every service database has the table.
  const pruning = setInterval(() => {
    forgetOldRequests(deps.pool).catch((error) =>
      deps.logger.warn({ err: error }, 'could not prune idempotency keys'),
    );
  }, 3600_000);
  pruning.unref();

  return {
    name,
    app,
    runtime,
    relay,
    background,
    async stop() {
      clearInterval(pruning);
      await background?.stop();
      await app.close();
      await relay.stop();
      unwatchOutbox();
      unwatchPool();
    },
  };
}
