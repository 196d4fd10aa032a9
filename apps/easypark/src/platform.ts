import { analyticsProblems, analyticsService } from '@easypark/analytics';
import { billingProblems, billingService } from '@easypark/billing';
import { chargingProblems, chargingService } from '@easypark/charging';
import { facilityProblems, facilityService } from '@easypark/facility';
import { watchFacilityChanges } from '@easypark/facility/client';
import { gatewayService, type OidcSettings } from '@easypark/gateway';
import { type Clock, systemClock } from '@easypark/kernel';
import { parkingProblems, parkingService } from '@easypark/parking';
import {
  createMemoryBus,
  createPool,
  createServiceClient,
  type EmbeddedPostgres,
  type EventBus,
  ensureDatabase,
  inProcessTransport,
  type Logger,
  type Pool,
  type RunningService,
  recordDeadLetter,
  type ServiceClient,
  type ServiceDefinition,
  startEmbeddedPostgres,
  startService,
  type TokenKeys,
  type Transport,
  withDatabase,
} from '@easypark/platform';
import { createRabbitBus } from '@easypark/platform/rabbitmq';
import { reservationProblems, reservationService } from '@easypark/reservation';
import { collectDefaultMetrics, Registry } from 'prom-client';

/** The domain services, in start order (a service starts after those it calls). */
export const domainServices: readonly ServiceDefinition[] = [
  facilityService,
  parkingService,
  reservationService,
  chargingService,
  billingService,
  analyticsService,
];

/** Their error catalogues, so the gateway can explain every problem type. */
export const problemCatalogues = {
  facility: facilityProblems,
  parking: parkingProblems,
  reservation: reservationProblems,
  charging: chargingProblems,
  billing: billingProblems,
  analytics: analyticsProblems,
};

export interface PlatformOptions {
  serverUrl?: string;
  /** Start an embedded PostgreSQL in this folder (`:memory:` for a throwaway one) when there is no serverUrl. */
  dataDir: string;
  amqpUrl?: string;
  exchange?: string;
  keys: TokenKeys;
  logger: Logger;
  clock?: Clock;
  /** Databases are `<prefix>_<service>`; tests use a unique prefix each. */
  databasePrefix?: string;
  poolSize?: number;
  admin: { email: string; password: string; explicit: boolean };
  corsOrigins?: string[];
  /** Requests per minute per client and route class at the gateway (0: no limit). */
  rateLimits?: { auth: number; write: number; read: number };
  /** Redis for the gateway's rate limit counters; in-process counters without it. */
  redisUrl?: string;
  /** An external OpenID Connect provider whose tokens the gateway accepts. */
  oidc?: OidcSettings;
  /** When set, /metrics asks for it as a bearer token. */
  metricsToken?: string;
}

export interface Platform {
  gateway: RunningService;
  services: Map<string, RunningService>;
  pools: Map<string, Pool>;
  bus: EventBus;
  serverUrl: string;
  databases: string[];
  /** Waits until every event so far is published and applied by its consumers. */
  drain(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * The embedded mode: every service and the gateway in this process, each with its own database
 * on one PostgreSQL server, calling each other in-process, events on the in-process bus (or on
 * RabbitMQ when an AMQP URL is given).
 */
export async function startPlatform(options: PlatformOptions): Promise<Platform> {
  const { logger, keys } = options;
  const clock = options.clock ?? systemClock;
  let embedded: EmbeddedPostgres | null = null;
  let serverUrl = options.serverUrl;
  if (!serverUrl) {
    embedded = await startEmbeddedPostgres({ dataDir: options.dataDir, log: (m) => logger.info(m) });
    serverUrl = embedded.url;
  }
  const prefix = options.databasePrefix ?? 'easypark';
  const pools = new Map<string, Pool>();
  const databases: string[] = [];
  const running = new Map<string, RunningService>();
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });

  const bus = options.amqpUrl
    ? await createRabbitBus({ url: options.amqpUrl, exchange: options.exchange ?? 'easypark.events', logger })
    : createMemoryBus({
        onError: (error, event, attempt) =>
          logger.warn({ err: error, event: event.id, type: event.type, attempt }, 'event handler failed'),
        onDeadLetter: async (consumer, event, error, attempts) => {
          logger.error({ consumer, event: event.id, type: event.type }, 'event dead-lettered');
          const pool = pools.get(consumer);
          if (pool) await recordDeadLetter(pool, consumer, event, error, attempts);
        },
      });

  // Every service here caches facility configurations: an announced change clears them.
  await watchFacilityChanges(bus);

  // A service's transport looks its app up when called, so services can start in any order.
  const inProcess = new Map<string, Transport>();
  const transports: Record<string, Transport> = {};
  for (const definition of domainServices) {
    transports[definition.name] = {
      request: (spec) => {
        const target = inProcess.get(definition.name);
        if (!target) return Promise.reject(new Error(`${definition.name} is not running`));
        return target.request(spec);
      },
      stream: (spec, signal) => {
        const target = inProcess.get(definition.name);
        if (!target) return Promise.reject(new Error(`${definition.name} is not running`));
        return target.stream(spec, signal);
      },
      upgrade: (request, socket, head) => {
        const target = inProcess.get(definition.name);
        if (target) target.upgrade(request, socket, head);
        else socket.destroy();
      },
      close: async () => {},
    };
  }
  const clientsFor = (caller: string): Record<string, ServiceClient> =>
    Object.fromEntries(
      Object.entries(transports).map(([target, transport]) => [
        target,
        createServiceClient({ caller, target, transport, keys }),
      ]),
    );

  async function start(definition: ServiceDefinition): Promise<RunningService> {
    const database = `${prefix}_${definition.name}`;
    await ensureDatabase(serverUrl!, database);
    databases.push(database);
    const pool = createPool(withDatabase(serverUrl!, database), {
      max: options.poolSize ?? 10,
      name: definition.name,
    });
    pools.set(definition.name, pool);
    const service = await startService(definition, {
      logger: logger.child({ service: definition.name }),
      pool,
      bus,
      keys,
      clock,
      clients: clientsFor(definition.name),
      registry,
      ...(options.metricsToken ? { metricsToken: options.metricsToken } : {}),
    });
    running.set(definition.name, service);
    inProcess.set(definition.name, inProcessTransport(service.app));
    return service;
  }

  try {
    for (const definition of domainServices) await start(definition);
    const gateway = await start(
      gatewayService({
        transports,
        admin: options.admin,
        problemCatalogues,
        ...(options.corsOrigins ? { corsOrigins: options.corsOrigins } : {}),
        ...(options.rateLimits ? { rateLimits: options.rateLimits } : {}),
        ...(options.redisUrl ? { redisUrl: options.redisUrl } : {}),
        ...(options.oidc ? { oidc: options.oidc } : {}),
      }),
    );

    return {
      gateway,
      services: running,
      pools,
      bus,
      serverUrl: serverUrl!,
      databases,
      async drain() {
        // Quiet means: every outbox empty and every consumer caught up, twice in a row (a consumer
        // applying an event may write new events to its own outbox).
        for (let quietRounds = 0; quietRounds < 2; ) {
          let backlog = 0;
          for (const service of running.values()) {
            await service.relay.drain();
            backlog += await service.relay.backlog();
          }
          backlog += await bus.pending();
          quietRounds = backlog === 0 ? quietRounds + 1 : 0;
          if (backlog > 0) await new Promise((done) => setTimeout(done, 10));
        }
      },
      async stop() {
        for (const service of [...running.values()].reverse()) await service.stop().catch(() => {});
        await bus.close().catch(() => {});
        for (const pool of pools.values()) await pool.end().catch(() => {});
        await embedded?.stop();
      },
    };
  } catch (error) {
    for (const service of running.values()) await service.stop().catch(() => {});
    await bus.close().catch(() => {});
    for (const pool of pools.values()) await pool.end().catch(() => {});
    await embedded?.stop();
    throw error;
  }
}
