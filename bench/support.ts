/** What every bench shares: its settings, the result row, the platform it runs against and the client loop. */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger, dropDatabase, tokenKeys } from '@easypark/platform';
import pg from 'pg';
import { Pool as HttpPool } from 'undici';
import { type Platform, startPlatform } from '../apps/easypark/src/platform.ts';

export const seconds = Number(process.env.BENCH_SECONDS ?? 10);
export const concurrency = Number(process.env.BENCH_CONCURRENCY ?? 16);
export const stationCount = Number(process.env.BENCH_STATIONS ?? 500);
export const externalUrl =
  process.env.BENCH_DATABASE_URL ?? 'postgres://postgres:postgres@127.0.0.1:5432/postgres';

export interface Result {
  name: string;
  value: number;
  unit: string;
  detail?: string;
}

export async function reachable(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1000 });
  try {
    await client.connect();
    await client.end();
    return true;
  } catch {
    return false;
  }
}

export interface BenchPlatform {
  platform: Platform;
  /** The gateway's base URL. */
  address: string;
  call(method: string, path: string, token: string | null, body?: unknown): Promise<any>;
  admin: string;
  operator: string;
  driver: string;
  tenantId: string;
  /** A facility of the bench tenant with `spaces` STANDARD spaces. */
  facility(name: string, spaces: number, fields?: Record<string, unknown>): Promise<string>;
  close(): Promise<void>;
}

/** The whole platform on fresh databases, listening on a port, with a tenant, an operator and a driver. */
export async function benchPlatform(serverUrl: string | undefined): Promise<BenchPlatform> {
  const dataDir = mkdtempSync(join(tmpdir(), 'easypark-bench-'));
  const prefix = `bench${randomBytes(3).toString('hex')}`;
  const password = 'bench-password-1';
  const platform = await startPlatform({
    ...(serverUrl ? { serverUrl } : {}),
    dataDir,
    keys: tokenKeys(randomBytes(32).toString('hex')),
    logger: createLogger({ name: 'bench', level: 'warn' }),
    databasePrefix: prefix,
    poolSize: 20,
    rateLimits: { auth: 0, write: 0, read: 0 }, // 16 clients share one operator: the limiter is not what is measured
    admin: { email: 'admin@easypark.local', password, explicit: true },
  });
  const address = await platform.gateway.app.listen({ port: 0, host: '127.0.0.1' });
  const http = new HttpPool(address, { connections: concurrency });
  const call = async (method: string, path: string, token: string | null, body?: unknown) => {
    const response = await http.request({
      method: method as 'GET',
      path,
      headers: {
        'content-type': 'application/json',
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await response.body.text();
    if (response.statusCode >= 400)
      throw Object.assign(new Error(`${method} ${path}: ${response.statusCode} ${text}`), {
        status: response.statusCode,
      });
    return JSON.parse(text);
  };
  const login = async (username: string) =>
    (await call('POST', '/api/v1/auth/token', null, { grant_type: 'password', username, password }))
      .access_token as string;
  const admin = await login('admin@easypark.local');
  const tenant = await call('POST', '/api/v1/tenants', admin, { name: 'Bench' });
  await call('POST', '/api/v1/users', admin, {
    email: 'op@bench.local',
    password,
    role: 'operator',
    tenant_id: tenant.tenant_id,
  });
  await call('POST', '/api/v1/auth/register', null, { email: 'driver@bench.local', password, name: 'Bench' });
  return {
    platform,
    address,
    call,
    admin,
    operator: await login('op@bench.local'),
    driver: await login('driver@bench.local'),
    tenantId: tenant.tenant_id,
    async facility(name, spaces, fields = {}) {
      const facility = await call('POST', '/api/v1/facilities/register', admin, {
        tenant_id: tenant.tenant_id,
        name,
        address: { line1: '1 Bench Rd', city: 'Birmingham', country: 'GB' },
        capacity_breakdown: { compact: 0, standard: spaces, large: 0 },
        pricing_strategy: 'BASIC',
        timezone: 'Europe/London',
        currency: 'GBP',
        ...fields,
      });
      for (let made = 0; made < spaces; made += 1000)
        await call('POST', '/api/v1/parking/spaces/bulk', admin, {
          facility_id: facility.facility_id,
          size: 'STANDARD',
          floor: made / 1000,
          aisle: 'A',
          count: Math.min(1000, spaces - made),
          start_number: 1,
        });
      await call('PUT', `/api/v1/facilities/${facility.facility_id}/pricing`, admin, {
        vehicle_type: 'CAR',
        hourly_rate: 2.4,
        reservation_fee: 1,
      });
      return facility.facility_id;
    },
    async close() {
      const databases = [...platform.databases];
      await http.close();
      await platform.stop();
      if (serverUrl)
        for (const database of databases) await dropDatabase(serverUrl, database).catch(() => {});
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Runs `workers` workers calling `step` for `ms`; returns completed steps and their latencies. */
export async function drive(
  ms: number,
  step: (worker: number, i: number) => Promise<boolean>,
  workers: number = concurrency,
) {
  const latencies: number[] = [];
  let done = 0;
  const until = Date.now() + ms;
  const started = Date.now();
  await Promise.all(
    Array.from({ length: workers }, async (_, worker) => {
      for (let i = 0; Date.now() < until; i++) {
        const began = performance.now();
        if (!(await step(worker, i))) return;
        latencies.push(performance.now() - began);
        done++;
      }
    }),
  );
  latencies.sort((a, b) => a - b);
  const pct = (p: number) =>
    latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))] ?? 0;
  return { done, perSecond: done / ((Date.now() - started) / 1000), p50: pct(50), p99: pct(99) };
}

const ticksPerSecond = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' })) || 100;
  } catch {
    return 100;
  }
})();

/**
 * CPU time used so far, in ms, by this process and by every PostgreSQL process on the machine
 * (read from /proc; null where there is none, as on a remote server). A backend that exits
 * between two readings takes its time with it; the pools here keep theirs open.
 */
export function cpuUsed(): { node: number; postgres: number | null } {
  const own = process.cpuUsage();
  let postgres: number | null = null;
  for (const pid of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    let stat: string;
    try {
      stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    } catch {
      continue; // it ended while we looked
    }
    if (!stat.includes('(postgres)')) continue;
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    postgres = (postgres ?? 0) + ((Number(fields[11]) + Number(fields[12])) * 1000) / ticksPerSecond;
  }
  return { node: (own.user + own.system) / 1000, postgres };
}

/** CPU per operation between two readings of cpuUsed, for `count` operations. */
export function cpuPer(
  before: ReturnType<typeof cpuUsed>,
  after: ReturnType<typeof cpuUsed>,
  count: number,
): { node: number; postgres: number | null } {
  return {
    node: (after.node - before.node) / count,
    postgres:
      before.postgres === null || after.postgres === null ? null : (after.postgres - before.postgres) / count,
  };
}

/**
 * How long a visit takes to be billed: the exit request sent → `billing.invoice.issued` for its
 * session on the event bus (Parking's exit, its event through the outbox and the bus, Billing's
 * charge and the invoice issued), one visit at a time so that no queue is measured. Each visit is
 * at the facility `facility()` picks.
 */
export async function exitToInvoice(bench: BenchPlatform, facility: () => string, visits = 200) {
  const issued = new Map<string, () => void>();
  await bench.platform.bus.subscribe({
    consumer: 'bench-invoices',
    types: ['billing.invoice.issued'],
    async handler(event) {
      const sessionId = (event.data as { parking_session_id?: string }).parking_session_id;
      if (sessionId) issued.get(sessionId)?.();
    },
  });
  const latencies: number[] = [];
  for (let i = 0; i < visits; i++) {
    const entry = await bench.call('POST', '/api/v1/parking/sessions/entry', bench.operator, {
      facility_id: facility(),
      registration_number: `INV${i}`,
    });
    const billed = new Promise<void>((resolve) => issued.set(entry.session_id, resolve));
    const began = performance.now();
    await bench.call('POST', `/api/v1/parking/sessions/${entry.session_id}/exit`, bench.operator, {});
    await billed;
    latencies.push(performance.now() - began);
    issued.delete(entry.session_id);
  }
  latencies.sort((a, b) => a - b);
  const at = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))]!;
  return { p50: at(0.5), p99: at(0.99), n: latencies.length };
}

/**
 * Sends `perSecond` calls of `step` per second for `ms`, on schedule whether or not earlier ones
 * have answered (an open loop, as many independent clients are), and measures each from the time
 * it was due, so a stall counts against every call it delays.
 */
export async function paced(perSecond: number, ms: number, step: (i: number) => Promise<unknown>) {
  const latencies: number[] = [];
  const calls: Promise<void>[] = [];
  const interval = 1000 / perSecond;
  const start = performance.now();
  for (let i = 0; i * interval < ms; i++) {
    const due = start + i * interval;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
    calls.push(step(i).then(() => void latencies.push(performance.now() - due)));
  }
  await Promise.all(calls);
  latencies.sort((a, b) => a - b);
  const pct = (p: number) =>
    latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))] ?? 0;
  return { perSecond: latencies.length / ((performance.now() - start) / 1000), p50: pct(50), p99: pct(99) };
}

export const round = (n: number) => Math.round(n * 100) / 100;
