import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { join } from 'node:path';
import amqp from 'amqplib';
import pg from 'pg';

/**
 * The distributed mode for real, for fault tests: every service and the gateway in its own
 * process (`easypark serve <name>`), each on its own database of the PostgreSQL in DATABASE_URL,
 * events on the RabbitMQ in AMQP_URL. Processes can be killed and started again.
 */
export const services = [
  'facility',
  'parking',
  'reservation',
  'charging',
  'billing',
  'analytics',
  'gateway',
] as const;
export type ServiceName = (typeof services)[number];

export const clusterMissing =
  process.env.DATABASE_URL && process.env.AMQP_URL
    ? null
    : 'needs DATABASE_URL and AMQP_URL (a real PostgreSQL and RabbitMQ)';

const root = join(import.meta.dirname, '..', '..');

export interface Cluster {
  /** The gateway's address. */
  url: string;
  adminEmail: string;
  adminPassword: string;
  /** A pool on one service's own database, to check what it holds. */
  db(name: ServiceName): pg.Pool;
  /**
   * SIGKILL (a crash) or SIGTERM (a graceful stop), resolved with the exit code once the process
   * has exited; or SIGSTOP (a hung process, until `resume`).
   */
  stop(name: ServiceName, signal?: NodeJS.Signals): Promise<number | null>;
  resume(name: ServiceName): Promise<void>;
  /** Starts the service again on the same port and database; resolves once /readyz answers 200. */
  start(name: ServiceName): Promise<void>;
  /**
   * One more replica of a service: its own process and port, the same database and the same
   * queue as the first (the services address the first replica's port).
   */
  startReplica(name: ServiceName): Promise<{ stop(): Promise<void> }>;
  /** Every replica's address, the first one first. */
  replicaUrls(name: ServiceName): string[];
  /** How many consumers read the service's event queue right now. */
  consumers(name: ServiceName): Promise<number>;
  /** The last lines the service wrote, for a failing test's message. */
  logs(name: ServiceName): string;
  close(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export async function startCluster(
  options: {
    env?: Record<string, string>;
    /** More than one process of a service: all listed in its URL, the callers share the load. */
    replicas?: Partial<Record<ServiceName, number>>;
  } = {},
): Promise<Cluster> {
  const serverUrl = process.env.DATABASE_URL!;
  const amqpUrl = process.env.AMQP_URL!;
  const run = randomBytes(4).toString('hex');
  const exchange = `easypark.faults.${run}`;
  const secret = randomBytes(32).toString('hex');
  const adminEmail = 'admin@easypark.local';
  const adminPassword = `faults-${randomBytes(6).toString('hex')}`;
  const admin = new pg.Pool({ connectionString: serverUrl, max: 1 });
  const databaseUrl = (name: ServiceName) => {
    const url = new URL(serverUrl);
    url.pathname = `/faults_${run}_${name}`;
    return url.toString();
  };
  for (const name of services) await admin.query(`CREATE DATABASE "faults_${run}_${name}"`);

  const ports = Object.fromEntries(
    await Promise.all(services.map(async (s) => [s, await freePort()])),
  ) as Record<ServiceName, number>;
  const extraPorts = new Map<ServiceName, number[]>();
  for (const [name, count] of Object.entries(options.replicas ?? {}) as [ServiceName, number][])
    extraPorts.set(name, await Promise.all(Array.from({ length: count - 1 }, () => freePort())));
  const urlOf = (name: ServiceName) => `http://127.0.0.1:${ports[name]}`;
  /** What the others are told: every replica's address. */
  const urlsOf = (name: ServiceName) =>
    [ports[name], ...(extraPorts.get(name) ?? [])].map((port) => `http://127.0.0.1:${port}`).join(',');
  const processes = new Map<ServiceName, ChildProcess>();
  const output = new Map<ServiceName, string>();
  const pools = new Map<ServiceName, pg.Pool>();
  /** Replicas beyond the first of each service, in the order they started. */
  const replicas: ChildProcess[] = [];
  /** Every process this cluster started, so that close() leaves none running whatever a test did. */
  const spawned = new Set<ChildProcess>();

  async function start(name: ServiceName): Promise<void> {
    processes.set(name, await spawnService(name, ports[name]));
  }

  async function spawnService(name: ServiceName, port: number): Promise<ChildProcess> {
    const env: Record<string, string | undefined> = {
      ...process.env,
      NODE_ENV: 'production',
      PORT: String(port),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
      DATABASE_URL: databaseUrl(name),
      AMQP_URL: amqpUrl,
      EASYPARK_EXCHANGE: exchange,
      EASYPARK_JWT_SECRET: secret,
      EASYPARK_CORS_ORIGINS: urlOf('gateway'),
      EASYPARK_ADMIN_EMAIL: adminEmail,
      EASYPARK_ADMIN_PASSWORD: adminPassword,
      EASYPARK_DEMO: 'off',
      EASYPARK_SIMULATOR: 'off',
      GATEWAY_RATE_LIMIT_AUTH_PER_MINUTE: '0',
      GATEWAY_RATE_LIMIT_WRITE_PER_MINUTE: '0',
      GATEWAY_RATE_LIMIT_READ_PER_MINUTE: '0',
      FACILITY_URL: urlsOf('facility'),
      PARKING_URL: urlsOf('parking'),
      RESERVATION_URL: urlsOf('reservation'),
      CHARGING_URL: urlsOf('charging'),
      BILLING_URL: urlsOf('billing'),
      ANALYTICS_URL: urlsOf('analytics'),
      ...options.env,
    };
    delete env.REDIS_URL; // the limits are off: nothing to count
    const child = spawn(process.execPath, ['--import', 'tsx', 'apps/easypark/src/main.ts', 'serve', name], {
      cwd: root,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    processes.set(name, child);
    spawned.add(child);
    const append = (chunk: Buffer) =>
      output.set(name, ((output.get(name) ?? '') + chunk.toString()).slice(-20_000));
    child.stdout!.on('data', append);
    child.stderr!.on('data', append);
    const deadline = Date.now() + 90_000;
    while (Date.now() < deadline) {
      if (child.exitCode !== null)
        throw new Error(`${name} exited with ${child.exitCode}:\n${output.get(name)}`);
      const ready = await fetch(`http://127.0.0.1:${port}/readyz`).then(
        (r) => r.ok,
        () => false,
      );
      if (ready) return child;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    throw new Error(`${name} was not ready within 90 s:\n${output.get(name)}`);
  }

  async function stop(name: ServiceName, signal: NodeJS.Signals = 'SIGKILL'): Promise<number | null> {
    const child = processes.get(name);
    if (!child || child.exitCode !== null || child.signalCode !== null) return child?.exitCode ?? null;
    if (signal === 'SIGSTOP') {
      child.kill(signal);
      return null;
    }
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.kill(signal);
    return exited;
  }

  // The gateway last: it routes to the others.
  for (const name of services) {
    await start(name);
    for (const port of extraPorts.get(name) ?? []) replicas.push(await spawnService(name, port));
  }

  return {
    url: urlOf('gateway'),
    adminEmail,
    adminPassword,
    db(name) {
      let pool = pools.get(name);
      if (!pool) {
        pool = new pg.Pool({ connectionString: databaseUrl(name), max: 2 });
        pools.set(name, pool);
      }
      return pool;
    },
    stop,
    start,
    async startReplica(name) {
      const child = await spawnService(name, await freePort());
      replicas.push(child);
      return {
        async stop() {
          if (child.exitCode !== null || child.signalCode !== null) return;
          const exited = new Promise((resolve) => child.once('exit', resolve));
          child.kill('SIGTERM');
          await exited;
        },
      };
    },
    async resume(name) {
      processes.get(name)?.kill('SIGCONT');
    },
    replicaUrls: (name) => urlsOf(name).split(','),
    async consumers(name) {
      const connection = await amqp.connect(amqpUrl);
      try {
        const channel = await connection.createChannel();
        return (await channel.checkQueue(`${exchange}.${name}`)).consumerCount;
      } finally {
        await connection.close();
      }
    },
    logs: (name) => (output.get(name) ?? '').split('\n').slice(-40).join('\n'),
    async close() {
      for (const child of replicas)
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      for (const name of [...services].reverse()) {
        processes.get(name)?.kill('SIGCONT'); // a frozen one cannot take its SIGTERM
        await Promise.race([stop(name, 'SIGTERM'), new Promise((resolve) => setTimeout(resolve, 15_000))]);
      }
      for (const child of spawned)
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      for (const pool of pools.values()) await pool.end();
      for (const name of services)
        await admin
          .query(`DROP DATABASE IF EXISTS "faults_${run}_${name}" WITH (FORCE)`)
          .catch(() => undefined);
      await admin.end();
      const connection = await amqp.connect(amqpUrl);
      const channel = await connection.createChannel();
      for (const name of services)
        for (const queue of [`${exchange}.${name}`, `${exchange}.${name}.retry`, `${exchange}.${name}.dead`])
          await channel.deleteQueue(queue).catch(() => undefined);
      await channel.deleteExchange(exchange).catch(() => undefined);
      await connection.close().catch(() => undefined);
    },
  };
}
