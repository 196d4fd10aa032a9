/**
 * What the API gateway adds to a request: the same read, a facility's occupancy, asked of the
 * Parking service directly (`GET /parking/v1/occupancy/:facility_id`) and through the gateway
 * (`GET /api/v1/parking/occupancy/:facility_id`), both over HTTP on localhost with keep-alive
 * connections and an operator's bearer token. The gateway runs as it does in production: the
 * token checked (and its session), the rate limiter counting every request (in Redis when
 * REDIS_URL is set, as gateway replicas share it; in this process otherwise), with limits far
 * above what the bench asks so it never refuses.
 *
 * Two gateways are measured against the same Parking service:
 * - the embedded one (`npm start`), which hands the request to Parking in-process;
 * - a second gateway replica on the same database reaching Parking over HTTP, as the
 *   distributed mode does (one more localhost hop, on a keep-alive pool).
 *
 * One request at a time (no queueing in the figures), after a warm-up, the paths interleaved in
 * blocks taking turns to go first, so drift (GC, caches, the machine) touches all alike. The
 * added latency is the difference of the percentiles, gateway minus direct.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gatewayService } from '@easypark/gateway';
import { systemClock } from '@easypark/kernel';
import {
  createLogger,
  dropDatabase,
  httpTransport,
  type RunningService,
  startService,
  tokenKeys,
} from '@easypark/platform';
import { Pool as HttpPool } from 'undici';
import { problemCatalogues, startPlatform } from '../apps/easypark/src/platform.ts';
import { type Result, round } from './support.ts';

const requests = Number(process.env.BENCH_GATEWAY_REQUESTS ?? 5000);
const warmup = Number(process.env.BENCH_GATEWAY_WARMUP ?? 500);
const block = 100;
/** Counted, never reached: the bench client is one operator asking as fast as it can. */
const rateLimits = { auth: 10_000_000, write: 10_000_000, read: 10_000_000 };

/** One keep-alive connection to `address`; `get` answers the milliseconds a 200 took. */
function client(address: string, token: string) {
  const http = new HttpPool(address, { connections: 1, pipelining: 1 });
  const headers = { authorization: `Bearer ${token}`, accept: 'application/json' };
  return {
    async get(path: string): Promise<{ ms: number; headers: Record<string, unknown> }> {
      const began = performance.now();
      const response = await http.request({ method: 'GET', path, headers });
      const text = await response.body.text();
      const ms = performance.now() - began;
      if (response.statusCode !== 200)
        throw new Error(`GET ${address}${path}: ${response.statusCode} ${text}`);
      return { ms, headers: response.headers };
    },
    close: () => http.close(),
  };
}

export async function gatewayBench(label: string, serverUrl: string | undefined): Promise<Result[]> {
  const redisUrl = process.env.REDIS_URL;
  const limiter = redisUrl ? 'rate limiter counting in Redis' : 'rate limiter counting in-process';
  const dataDir = mkdtempSync(join(tmpdir(), 'easypark-bench-gw-'));
  const password = 'bench-password-1';
  const admin = { email: 'admin@easypark.local', password, explicit: true };
  const keys = tokenKeys(randomBytes(32).toString('hex'));
  const logger = createLogger({ name: 'bench', level: 'warn' });
  const platform = await startPlatform({
    ...(serverUrl ? { serverUrl } : {}),
    dataDir,
    keys,
    logger,
    databasePrefix: `bench${randomBytes(3).toString('hex')}`,
    poolSize: 10,
    rateLimits,
    ...(redisUrl ? { redisUrl } : {}),
    admin,
  });
  const parking = platform.services.get('parking')!;
  let replica: RunningService | null = null;
  let toParking: ReturnType<typeof httpTransport> | null = null;
  const clients: ReturnType<typeof client>[] = [];
  try {
    const gatewayAddress = await platform.gateway.app.listen({ port: 0, host: '127.0.0.1' });
    if (parking.app.server.listening) throw new Error('the Parking service is already listening');
    const parkingAddress = await parking.app.listen({ port: 0, host: '127.0.0.1' });

    // A second gateway replica (same database, same limiter store) reaching Parking over HTTP.
    toParking = httpTransport(parkingAddress);
    replica = await startService(
      gatewayService({
        transports: { parking: toParking },
        admin,
        problemCatalogues,
        rateLimits,
        ...(redisUrl ? { redisUrl } : {}),
      }),
      {
        logger: logger.child({ service: 'gateway-replica' }),
        pool: platform.pools.get('gateway')!,
        bus: platform.bus,
        keys,
        clock: systemClock,
        clients: platform.gateway.runtime.clients, // its admin routes' calls, not on the measured path
      },
    );
    const replicaAddress = await replica.app.listen({ port: 0, host: '127.0.0.1' });

    // A tenant, its operator and a facility of 200 spaces, set up through the gateway.
    const setup = new HttpPool(gatewayAddress, { connections: 1 });
    const call = async (method: string, path: string, token: string | null, body?: unknown) => {
      const response = await setup.request({
        method: method as 'POST',
        path,
        headers: {
          'content-type': 'application/json',
          ...(token ? { authorization: `Bearer ${token}` } : {}),
        },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
      const text = await response.body.text();
      if (response.statusCode >= 400) throw new Error(`${method} ${path}: ${response.statusCode} ${text}`);
      return JSON.parse(text);
    };
    const login = async (username: string) =>
      (await call('POST', '/api/v1/auth/token', null, { grant_type: 'password', username, password }))
        .access_token as string;
    const adminToken = await login(admin.email);
    const tenant = await call('POST', '/api/v1/tenants', adminToken, { name: 'Gateway bench' });
    await call('POST', '/api/v1/users', adminToken, {
      email: 'op@gateway-bench.local',
      password,
      role: 'operator',
      tenant_id: tenant.tenant_id,
    });
    const facility = await call('POST', '/api/v1/facilities/register', adminToken, {
      tenant_id: tenant.tenant_id,
      name: 'Gateway bench garage',
      address: { line1: '1 Bench Rd', city: 'Birmingham', country: 'GB' },
      capacity_breakdown: { compact: 0, standard: 200, large: 0 },
      pricing_strategy: 'BASIC',
      timezone: 'Europe/London',
      currency: 'GBP',
    });
    await call('POST', '/api/v1/parking/spaces/bulk', adminToken, {
      facility_id: facility.facility_id,
      size: 'STANDARD',
      floor: 0,
      aisle: 'A',
      count: 200,
      start_number: 1,
    });
    const operator = await login('op@gateway-bench.local');
    await setup.close();

    const paths = [
      {
        name: 'direct',
        http: client(parkingAddress, operator),
        path: `/parking/v1/occupancy/${facility.facility_id}`,
      },
      {
        name: 'embedded',
        http: client(gatewayAddress, operator),
        path: `/api/v1/parking/occupancy/${facility.facility_id}`,
      },
      {
        name: 'distributed',
        http: client(replicaAddress, operator),
        path: `/api/v1/parking/occupancy/${facility.facility_id}`,
      },
    ];
    clients.push(...paths.map((p) => p.http));

    // The limiter must be counting (a store that cannot be reached lets requests through unmarked).
    for (const p of paths.slice(1)) {
      const { headers } = await p.http.get(p.path);
      if (headers['ratelimit-limit'] !== String(rateLimits.read))
        throw new Error(
          `the ${p.name} gateway did not count the request (ratelimit-limit: ${headers['ratelimit-limit']})`,
        );
    }

    /** `perPath` requests on every path, in blocks of `block`, the first path of each round rotating. */
    const run = async (perPath: number) => {
      const latencies = paths.map(() => [] as number[]);
      for (let round = 0; round * block < perPath; round++) {
        const size = Math.min(block, perPath - round * block);
        for (let k = 0; k < paths.length; k++) {
          const i = (round + k) % paths.length;
          const p = paths[i]!;
          for (let n = 0; n < size; n++) latencies[i]!.push((await p.http.get(p.path)).ms);
        }
      }
      return latencies.map((l) => {
        l.sort((a, b) => a - b);
        const at = (q: number) => l[Math.min(l.length - 1, Math.floor(q * l.length))]!;
        return { p50: at(0.5), p99: at(0.99) };
      });
    };
    await run(warmup);
    const [direct, embedded, distributed] = (await run(requests)) as [
      { p50: number; p99: number },
      { p50: number; p99: number },
      { p50: number; p99: number },
    ];

    const how = `${requests} requests per path one at a time after ${warmup} warm-up, interleaved in blocks of ${block}; operator token; ${limiter}`;
    const rows = (mode: string, via: { p50: number; p99: number }, hop: string): Result[] => [
      {
        name: `gateway (${mode}): occupancy read via the gateway p50 (${label})`,
        value: round(via.p50),
        unit: 'ms',
        detail: `p99 ${round(via.p99)} ms; ${hop}`,
      },
      {
        name: `gateway (${mode}): occupancy read via the gateway p99 (${label})`,
        value: round(via.p99),
        unit: 'ms',
      },
      {
        name: `gateway (${mode}): added latency p50 (${label})`,
        value: round(via.p50 - direct.p50),
        unit: 'ms',
        detail: `via the gateway minus direct to Parking, p50; ${limiter}`,
      },
      {
        name: `gateway (${mode}): added latency p99 (${label})`,
        value: round(via.p99 - direct.p99),
        unit: 'ms',
        detail: `via the gateway minus direct to Parking, p99; ${limiter}`,
      },
    ];
    return [
      {
        name: `gateway: occupancy read direct to Parking p50 (${label})`,
        value: round(direct.p50),
        unit: 'ms',
        detail: `p99 ${round(direct.p99)} ms; ${how}`,
      },
      {
        name: `gateway: occupancy read direct to Parking p99 (${label})`,
        value: round(direct.p99),
        unit: 'ms',
      },
      ...rows('embedded', embedded, 'the gateway hands the request to Parking in-process'),
      ...rows(
        'distributed',
        distributed,
        'a second gateway replica reaching Parking over HTTP on localhost (keep-alive), as the distributed mode does',
      ),
    ];
  } finally {
    for (const c of clients) await c.close().catch(() => {});
    await replica?.stop().catch(() => {});
    await toParking?.close().catch(() => {});
    const databases = [...platform.databases];
    await platform.stop(); // closes every service's app, Parking's listener with it
    if (serverUrl) for (const database of databases) await dropDatabase(serverUrl, database).catch(() => {});
    rmSync(dataDir, { recursive: true, force: true });
  }
}
