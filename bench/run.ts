/**
 * `npm run bench`: entries + exits per second through the gateway, in the embedded mode (its own
 * PostgreSQL 18, fsync on, as `npm start` runs it) and on an external PostgreSQL when one answers
 * at BENCH_DATABASE_URL (default: the local server CI uses), plus the memory of `npm start` at rest.
 * Prints a table and saves JSON under bench/results/.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger, dropDatabase, tokenKeys } from '@easypark/platform';
import pg from 'pg';
import { Pool as HttpPool } from 'undici';
import { type Platform, startPlatform } from '../apps/easypark/src/platform.ts';
import { startNpmStart, stopProcess } from '../test/support/npm-start.ts';

const seconds = Number(process.env.BENCH_SECONDS ?? 10);
const concurrency = Number(process.env.BENCH_CONCURRENCY ?? 16);
const externalUrl = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres:postgres@127.0.0.1:5432/postgres';

interface Result {
  name: string;
  value: number;
  unit: string;
  detail?: string;
}

async function reachable(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1000 });
  try {
    await client.connect();
    await client.end();
    return true;
  } catch {
    return false;
  }
}

async function entryExitThroughput(label: string, serverUrl: string | undefined): Promise<Result[]> {
  const dataDir = mkdtempSync(join(tmpdir(), 'easypark-bench-'));
  const prefix = `bench${randomBytes(3).toString('hex')}`;
  const password = 'bench-password-1';
  let platform: Platform | null = null;
  try {
    platform = await startPlatform({
      ...(serverUrl ? { serverUrl } : {}),
      dataDir,
      keys: tokenKeys(randomBytes(32).toString('hex')),
      logger: createLogger({ name: 'bench', level: 'warn' }),
      databasePrefix: prefix,
      poolSize: 20,
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
      if (response.statusCode >= 400) throw new Error(`${method} ${path}: ${response.statusCode} ${text}`);
      return JSON.parse(text);
    };
    const admin = (
      await call('POST', '/api/v1/auth/token', null, {
        grant_type: 'password',
        username: 'admin@easypark.local',
        password,
      })
    ).access_token;
    const tenant = await call('POST', '/api/v1/tenants', admin, { name: 'Bench' });
    await call('POST', '/api/v1/users', admin, {
      email: 'op@bench.local',
      password,
      role: 'operator',
      tenant_id: tenant.tenant_id,
    });
    const facility = await call('POST', '/api/v1/facilities/register', admin, {
      tenant_id: tenant.tenant_id,
      name: 'Bench garage',
      address: { line1: '1 Bench Rd', city: 'Birmingham', country: 'GB' },
      capacity_breakdown: { compact: 0, standard: 1000, large: 0 },
      pricing_strategy: 'BASIC',
      timezone: 'Europe/London',
      currency: 'GBP',
    });
    await call('POST', '/api/v1/parking/spaces/bulk', admin, {
      facility_id: facility.facility_id,
      size: 'STANDARD',
      floor: 0,
      aisle: 'A',
      count: 1000,
      start_number: 1,
    });
    const operator = (
      await call('POST', '/api/v1/auth/token', null, {
        grant_type: 'password',
        username: 'op@bench.local',
        password,
      })
    ).access_token;

    const latencies: number[] = [];
    let pairs = 0;
    const runFor = async (ms: number, record: boolean) => {
      const until = Date.now() + ms;
      await Promise.all(
        Array.from({ length: concurrency }, async (_, worker) => {
          for (let i = 0; Date.now() < until; i++) {
            const started = performance.now();
            const entry = await call('POST', '/api/v1/parking/sessions/entry', operator, {
              facility_id: facility.facility_id,
              registration_number: `B${worker}X${i}${record ? 'R' : 'W'}`,
            });
            await call('POST', `/api/v1/parking/sessions/${entry.session_id}/exit`, operator, {});
            if (record) {
              latencies.push(performance.now() - started);
              pairs++;
            }
          }
        }),
      );
    };
    await runFor(2000, false); // warm-up
    const started = Date.now();
    await runFor(seconds * 1000, true);
    const elapsed = (Date.now() - started) / 1000;
    const drainStart = Date.now();
    await platform.drain();
    latencies.sort((a, b) => a - b);
    const pct = (p: number) =>
      latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))]!;
    await http.close();
    return [
      {
        name: `entry+exit pairs/s through the gateway (${label})`,
        value: Math.round(pairs / elapsed),
        unit: 'pairs/s',
        detail: `${concurrency} clients, ${seconds} s`,
      },
      { name: `entry+exit pair latency p50 (${label})`, value: round(pct(50)), unit: 'ms' },
      { name: `entry+exit pair latency p99 (${label})`, value: round(pct(99)), unit: 'ms' },
      {
        name: `event backlog drained after the run (${label})`,
        value: (Date.now() - drainStart) / 1000,
        unit: 's',
      },
    ];
  } finally {
    const databases = platform ? [...platform.databases] : [];
    await platform?.stop();
    if (serverUrl) for (const database of databases) await dropDatabase(serverUrl, database).catch(() => {});
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/**
 * The ceiling on this machine for comparison: a bare Fastify route that inserts one row, driven by
 * the same client loop. The platform's entry and exit each do far more (auth, two hops, several
 * statements, events), so read the ratio, not the absolute figure.
 */
async function rawCeiling(label: string, serverUrl: string): Promise<Result[]> {
  const { default: Fastify } = await import('fastify');
  const pool = new pg.Pool({ connectionString: serverUrl, max: 20 });
  await pool.query(
    'CREATE TABLE IF NOT EXISTS bench_raw (id bigserial PRIMARY KEY, plate text, at timestamptz DEFAULT now())',
  );
  const app = Fastify();
  app.post('/raw', async (request) => {
    const { rows } = await pool.query('INSERT INTO bench_raw (plate) VALUES ($1) RETURNING id', [
      (request.body as { plate: string }).plate,
    ]);
    return rows[0];
  });
  const address = await app.listen({ port: 0, host: '127.0.0.1' });
  const http = new HttpPool(address, { connections: concurrency });
  let inserts = 0;
  const runFor = async (ms: number) => {
    const until = Date.now() + ms;
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (Date.now() < until) {
          const response = await http.request({
            method: 'POST',
            path: '/raw',
            headers: { 'content-type': 'application/json' },
            body: '{"plate":"RAW"}',
          });
          await response.body.text();
          inserts++;
        }
      }),
    );
  };
  await runFor(1000);
  inserts = 0;
  const started = Date.now();
  await runFor(seconds * 1000);
  const perSecond = inserts / ((Date.now() - started) / 1000);
  await http.close();
  await app.close();
  await pool.query('DROP TABLE bench_raw');
  await pool.end();
  return [
    {
      name: `raw ceiling: bare Fastify insert of one row (${label})`,
      value: Math.round(perSecond),
      unit: 'inserts/s',
      detail: `${concurrency} clients`,
    },
  ];
}

/** Starts `npm start` as a user would (with the demo), waits, and reads the resident memory. */
async function memoryAtRest(): Promise<Result[]> {
  const dataDir = mkdtempSync(join(tmpdir(), 'easypark-bench-mem-'));
  const { child } = await startNpmStart(dataDir);
  try {
    await new Promise((resolve) => setTimeout(resolve, 5000));
    const rss = (pid: number) =>
      Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;
    const nodeMb = rss(child.pid!);
    const pgPids = readFileSync(join(dataDir, 'postgres', 'postmaster.pid'), 'utf8').split('\n')[0];
    const postmaster = Number(pgPids);
    const children = readFileSync(`/proc/${postmaster}/task/${postmaster}/children`, 'utf8')
      .trim()
      .split(/\s+/)
      .filter(Boolean)
      .map(Number);
    // PostgreSQL processes share memory; summing RSS over-counts it, so report the postmaster and the count.
    return [
      {
        name: 'memory at rest: Node process (RSS)',
        value: round(nodeMb),
        unit: 'MiB',
        detail: 'npm start with the demo, 5 s after start',
      },
      {
        name: 'memory at rest: embedded PostgreSQL postmaster (RSS)',
        value: round(rss(postmaster)),
        unit: 'MiB',
        detail: `${children.length} backend/aux processes besides`,
      },
    ];
  } finally {
    await stopProcess(child);
    rmSync(dataDir, { recursive: true, force: true });
  }
}

const round = (n: number) => Math.round(n * 100) / 100;

async function main() {
  const results: Result[] = [];
  results.push(...(await entryExitThroughput('embedded PostgreSQL 18', undefined)));
  if (!process.env.BENCH_SKIP_EXTERNAL && (await reachable(externalUrl))) {
    results.push(...(await rawCeiling('Debian PostgreSQL', externalUrl)));
    results.push(...(await entryExitThroughput('Debian PostgreSQL', externalUrl)));
  } else console.log(`(no PostgreSQL at ${externalUrl.replace(/:[^:@/]+@/, ':***@')}; skipping that run)`);
  if (!process.env.BENCH_SKIP_MEMORY) results.push(...(await memoryAtRest()));

  const width = Math.max(...results.map((r) => r.name.length));
  console.log(`\n${'measure'.padEnd(width)}  ${'value'.padStart(10)}  unit`);
  for (const r of results)
    console.log(
      `${r.name.padEnd(width)}  ${String(r.value).padStart(10)}  ${r.unit}${r.detail ? `  (${r.detail})` : ''}`,
    );
  mkdirSync('bench/results', { recursive: true });
  const file = join('bench/results', `bench-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  writeFileSync(
    file,
    JSON.stringify({ at: new Date().toISOString(), node: process.version, results }, null, 2),
  );
  console.log(`\nsaved ${file}`);
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
