import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { watchFacilityChanges } from '@easypark/facility/client';
import { gatewayService } from '@easypark/gateway';
import { systemClock } from '@easypark/kernel';
import {
  balancedTransport,
  ConfigError,
  configureTracing,
  createLogger,
  createPool,
  createServiceClient,
  ensureDatabase,
  httpTransport,
  type Logger,
  type ServiceDefinition,
  shutdownTracing,
  startService,
  type Transport,
  tokenKeys,
} from '@easypark/platform';
import { createRabbitBus } from '@easypark/platform/rabbitmq';
import { type Simulator, startSimulator } from '@easypark/simulator/traffic';
import closeWithGrace from 'close-with-grace';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { defaultAdminPassword, oidcOf, type RunnerConfig, readConfig } from './config.ts';
import { demoPassword, seedDemo } from './demo.ts';
import { domainServices, type Platform, problemCatalogues, startPlatform } from './platform.ts';

const usage = `usage: easypark [all]            run the whole platform in one process (the default)
       easypark serve <name>     run one service alone: gateway, ${domainServices.map((s) => s.name).join(', ')}`;

async function main(argv: string[]): Promise<void> {
  const [command = 'all', name] = argv;
  const config = readConfig(process.env, command === 'serve' ? (name ?? 'gateway') : 'all');
  if (config.OTEL_EXPORTER_OTLP_ENDPOINT)
    configureTracing({ otlpEndpoint: config.OTEL_EXPORTER_OTLP_ENDPOINT });
  const logger = createLogger({
    name: command === 'serve' ? (name ?? 'easypark') : 'easypark',
    level: config.LOG_LEVEL,
    pretty: process.stdout.isTTY && config.NODE_ENV !== 'production',
  });
  if (command === 'all') return runAll(config, logger);
  if (command === 'serve' && name) return serveOne(config, logger, name);
  console.error(usage);
  process.exitCode = 2;
}

/** The JWT secret: from the environment, else one generated once and kept beside the data. */
function jwtSecret(config: RunnerConfig): string {
  if (config.EASYPARK_JWT_SECRET) return config.EASYPARK_JWT_SECRET;
  if (config.EASYPARK_DATA_DIR === ':memory:') return randomBytes(32).toString('hex');
  const dir = resolve(config.EASYPARK_DATA_DIR);
  const file = join(dir, 'jwt.secret');
  if (!existsSync(file)) {
    mkdirSync(dir, { recursive: true });
    writeFileSync(file, randomBytes(32).toString('hex'), { mode: 0o600 });
  }
  return readFileSync(file, 'utf8').trim();
}

/** The platform admin to ensure at start; an explicitly given password is applied every time. */
function adminOf(config: RunnerConfig) {
  return {
    email: config.EASYPARK_ADMIN_EMAIL,
    password: config.EASYPARK_ADMIN_PASSWORD ?? defaultAdminPassword,
    explicit: config.EASYPARK_ADMIN_PASSWORD !== undefined,
  };
}

const corsOriginsOf = (config: RunnerConfig) => config.EASYPARK_CORS_ORIGINS.split(',').map((o) => o.trim());
const rateLimitsOf = (config: RunnerConfig) => ({
  auth: config.GATEWAY_RATE_LIMIT_AUTH_PER_MINUTE,
  write: config.GATEWAY_RATE_LIMIT_WRITE_PER_MINUTE,
  read: config.GATEWAY_RATE_LIMIT_READ_PER_MINUTE,
});

async function runAll(config: RunnerConfig, logger: Logger): Promise<void> {
  const started = Date.now();
  const admin = adminOf(config);
  const platform = await startPlatform({
    ...(config.DATABASE_URL ? { serverUrl: config.DATABASE_URL } : {}),
    dataDir: config.EASYPARK_DATA_DIR,
    ...(config.AMQP_URL ? { amqpUrl: config.AMQP_URL, exchange: config.EASYPARK_EXCHANGE } : {}),
    keys: tokenKeys(jwtSecret(config)),
    logger,
    clock: systemClock,
    poolSize: config.DATABASE_POOL_SIZE,
    admin,
    corsOrigins: corsOriginsOf(config),
    rateLimits: rateLimitsOf(config),
    ...(config.REDIS_URL ? { redisUrl: config.REDIS_URL } : {}),
    ...(oidcOf(config) ? { oidc: oidcOf(config)! } : {}),
    ...(config.EASYPARK_METRICS_TOKEN ? { metricsToken: config.EASYPARK_METRICS_TOKEN } : {}),
  });
  let simulator: Simulator | undefined;
  closeWithGrace({ delay: 10_000 }, async ({ err, signal }) => {
    if (err) logger.error({ err }, 'stopping after an error');
    else logger.info({ signal }, 'stopping');
    await simulator?.stop();
    await platform.stop();
    await shutdownTracing();
  });
  if (config.EASYPARK_DEMO === 'on') {
    const { seeded } = await seedDemo(platform.gateway.app, admin);
    if (seeded) logger.info('demo tenant created');
  }
  const address = await listen(platform.gateway.app, config);
  const simulate = config.EASYPARK_DEMO === 'on' && config.EASYPARK_SIMULATOR === 'on';
  const lines = [
    '',
    `  EasyParkPlus is running on ${address} (started in ${((Date.now() - started) / 1000).toFixed(1)} s)`,
    `    Web app        ${address}/`,
    `    API            ${address}/api/v1   (health: ${address}/api/v1/health)`,
    `    API reference  ${address}/docs`,
    `    Platform admin ${config.EASYPARK_ADMIN_EMAIL} / ${config.EASYPARK_ADMIN_PASSWORD ? '(from EASYPARK_ADMIN_PASSWORD)' : admin.password}`,
    ...(config.EASYPARK_DEMO === 'on'
      ? [
          `    Demo accounts  manager@demo.easypark.local, operator@demo.easypark.local, driver@demo.easypark.local / ${demoPassword}`,
        ]
      : []),
    ...(simulate
      ? [
          `    Simulator      live traffic on the demo facilities, ${config.EASYPARK_SIMULATOR_SPEED === 1 ? 'in real time' : `${config.EASYPARK_SIMULATOR_SPEED}× real time`} (EASYPARK_SIMULATOR=off turns it off)`,
        ]
      : []),
    `    Data           ${config.DATABASE_URL ? 'PostgreSQL at DATABASE_URL' : config.EASYPARK_DATA_DIR === ':memory:' ? 'throwaway (:memory:)' : resolve(config.EASYPARK_DATA_DIR)}`,
    `    Events         ${config.AMQP_URL ? 'RabbitMQ at AMQP_URL' : 'in-process bus'}`,
    '',
  ];
  console.log(lines.join('\n'));
  if (simulate) simulator = startDemoTraffic(platform, config, logger);
}

/**
 * Live traffic on the demo tenant, so that a newcomer sees the network move: the simulator in
 * this process, calling the gateway's real address like any client (HTTP, and OCPP over
 * WebSocket for the charge points). If it cannot run, the platform runs without it.
 */
function startDemoTraffic(platform: Platform, config: RunnerConfig, logger: Logger): Simulator {
  const { address, port } = platform.gateway.app.server.address() as AddressInfo;
  const host =
    address === '0.0.0.0' || address === '::'
      ? '127.0.0.1'
      : address.includes(':')
        ? `[${address}]`
        : address;
  const authLimit = config.GATEWAY_RATE_LIMIT_AUTH_PER_MINUTE;
  const simulator = startSimulator({
    url: `http://${host}:${port}`,
    email: 'manager@demo.easypark.local',
    password: demoPassword,
    speed: config.EASYPARK_SIMULATOR_SPEED,
    driverAccounts: [{ email: 'driver@demo.easypark.local', password: demoPassword }],
    // Sign-ins are limited per address, and people sign in from this one too: take a quarter at most.
    authPerMinute: authLimit > 0 ? Math.max(1, Math.floor(authLimit / 4)) : 30,
    logger: logger.child({ component: 'simulator' }),
  });
  simulator.ready.catch((error) =>
    logger.warn({ err: error }, 'the traffic simulator could not start; the platform runs without it'),
  );
  return simulator;
}

/** The distributed mode: one service per process, its own database, RabbitMQ, the others over HTTP. */
async function serveOne(config: RunnerConfig, logger: Logger, name: string): Promise<void> {
  const domainService = domainServices.find((s) => s.name === name);
  if (name !== 'gateway' && !domainService) throw new ConfigError(`no service called ${name}\n${usage}`);
  if (!config.DATABASE_URL)
    throw new ConfigError('DATABASE_URL (this service’s own database) is required to serve one service');
  if (!config.AMQP_URL)
    throw new ConfigError('AMQP_URL is required to serve one service (events go through RabbitMQ)');
  if (!config.EASYPARK_JWT_SECRET)
    throw new ConfigError('EASYPARK_JWT_SECRET is required, the same for every service');
  const urls: Record<string, string | undefined> = {
    facility: config.FACILITY_URL,
    parking: config.PARKING_URL,
    reservation: config.RESERVATION_URL,
    charging: config.CHARGING_URL,
    billing: config.BILLING_URL,
    analytics: config.ANALYTICS_URL,
  };
  const transports: Record<string, Transport> = {};
  // Several replicas of a service (comma-separated URLs) share its requests; see balancedTransport.
  for (const [service, list] of Object.entries(urls)) {
    if (!list) continue;
    const replicas = list
      .split(',')
      .map((url) => ({ url: url.trim(), transport: httpTransport(url.trim()) }));
    transports[service] = balancedTransport(replicas);
  }
  const keys = tokenKeys(config.EASYPARK_JWT_SECRET);

  const definition: ServiceDefinition =
    domainService ??
    gatewayService({
      transports,
      admin: adminOf(config),
      corsOrigins: corsOriginsOf(config),
      rateLimits: rateLimitsOf(config),
      ...(config.REDIS_URL ? { redisUrl: config.REDIS_URL } : {}),
      ...(oidcOf(config) ? { oidc: oidcOf(config)! } : {}),
      problemCatalogues,
    });

  const database = new URL(config.DATABASE_URL).pathname.slice(1);
  await ensureDatabase(config.DATABASE_URL, database);
  const pool = createPool(config.DATABASE_URL, { max: config.DATABASE_POOL_SIZE, name });
  const bus = await createRabbitBus({ url: config.AMQP_URL, exchange: config.EASYPARK_EXCHANGE, logger });
  // The services cache facility configurations: an announced change clears this process's.
  await watchFacilityChanges(bus);
  const clients = Object.fromEntries(
    Object.entries(transports).map(([target, transport]) => [
      target,
      createServiceClient({ caller: name, target, transport, keys }),
    ]),
  );
  // Node's own figures (memory, event loop lag, GC) beside the service's, as `all` has them.
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const service = await startService(definition, {
    logger,
    pool,
    bus,
    keys,
    clock: systemClock,
    clients,
    registry,
    ...(config.EASYPARK_METRICS_TOKEN ? { metricsToken: config.EASYPARK_METRICS_TOKEN } : {}),
  });
  closeWithGrace({ delay: 10_000 }, async ({ err }) => {
    if (err) logger.error({ err }, 'stopping after an error');
    await service.stop();
    await bus.close();
    await pool.end();
    for (const transport of Object.values(transports)) await transport.close();
    await shutdownTracing();
  });
  const address = await listen(service.app, config);
  logger.info({ address }, `${name} service listening`);
}

async function listen(
  app: { listen(o: { port: number; host: string }): Promise<string> },
  config: RunnerConfig,
): Promise<string> {
  try {
    const address = await app.listen({ port: config.PORT, host: config.HOST });
    return address.replace('0.0.0.0', 'localhost').replace('[::]', 'localhost');
  } catch (error) {
    if ((error as { code?: string }).code === 'EADDRINUSE') {
      throw new ConfigError(
        `port ${config.PORT} is taken: stop what uses it, or choose another with PORT=...`,
      );
    }
    throw error;
  }
}

main(process.argv.slice(2)).catch((error) => {
  if (error instanceof ConfigError) console.error(`easypark: ${error.message}`);
  else console.error(error);
  process.exit(1);
});
