/**
 * `npm run bench`: entries + exits per second through the gateway in the embedded mode (its own
 * PostgreSQL 18, fsync on, as `npm start` runs it) and, when an external PostgreSQL answers at
 * BENCH_DATABASE_URL (default: the local server CI uses), on it beside the raw ceiling of a bare
 * Fastify insert; then, on that server (on the embedded one without it), reservation creates, the
 * OCPP central system (BENCH_STATIONS charging stations, default 500: held at once, calls and
 * meter values per second), billing (the tariff alone on one core, and Billing's internal quote),
 * the analytics service alone (bench/analytics.ts), the same figures at 10 and 1,000 facilities
 * (bench/network.ts), and the memory of `npm start` at rest. Each part says how long it took.
 * Prints a table and saves JSON under bench/results/.
 *
 * BENCH_ONLY=parking | billing | ocpp | analytics | gateway | network runs one part (gateway:
 * bench/gateway.ts, the latency the API gateway adds to a read, in-process and over HTTP).
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { Pool as HttpPool } from 'undici';
import { type ChargePoint, createChargePoint } from '../apps/simulator/src/chargepoint.ts';
import { quoteStay } from '../services/billing/src/domain/tariff.ts';
import { centralSystems } from '../services/charging/src/index.ts';
import { startNpmStart, stopProcess } from '../test/support/npm-start.ts';
import { analyticsBench } from './analytics.ts';
import { gatewayBench } from './gateway.ts';
import { networkBench } from './network.ts';
import {
  type BenchPlatform,
  benchPlatform,
  concurrency,
  cpuPer,
  cpuUsed,
  drive,
  exitToInvoice,
  externalUrl,
  type Result,
  reachable,
  round,
  seconds,
  stationCount,
} from './support.ts';

async function entryExitThroughput(label: string, serverUrl: string | undefined): Promise<Result[]> {
  const bench = await benchPlatform(serverUrl);
  try {
    const facilityId = await bench.facility('Bench garage', 1000);
    const pair = (tag: string) => async (worker: number, i: number) => {
      const entry = await bench.call('POST', '/api/v1/parking/sessions/entry', bench.operator, {
        facility_id: facilityId,
        registration_number: `B${worker}X${i}${tag}`,
      });
      await bench.call('POST', `/api/v1/parking/sessions/${entry.session_id}/exit`, bench.operator, {});
      return true;
    };
    await drive(2000, pair('W')); // warm-up
    await bench.platform.drain();
    const cpuBefore = cpuUsed();
    const run = await drive(seconds * 1000, pair('R'));
    const drainStart = Date.now();
    await bench.platform.drain();
    const drained = (Date.now() - drainStart) / 1000;
    // Everything a pair set going, its events' consumers included, is done by now.
    const cpu = cpuPer(cpuBefore, cpuUsed(), run.done);
    const live = await entryToStream(bench, facilityId);
    const billed = await exitToInvoice(bench, () => facilityId);
    return [
      {
        name: `entry+exit pairs/s through the gateway (${label})`,
        value: Math.round(run.perSecond),
        unit: 'pairs/s',
        detail: `${concurrency} clients, ${seconds} s`,
      },
      { name: `entry+exit pair latency p50 (${label})`, value: round(run.p50), unit: 'ms' },
      { name: `entry+exit pair latency p99 (${label})`, value: round(run.p99), unit: 'ms' },
      {
        name: `event backlog drained after the run (${label})`,
        value: drained,
        unit: 's',
      },
      cpuRow(
        `CPU per entry+exit pair (${label})`,
        cpu,
        'over the run and the drain after it, consumers included',
      ),
      {
        name: `entry → occupancy on the SSE stream, p50 (${label})`,
        value: round(live.p50),
        unit: 'ms',
        detail: `p99 ${round(live.p99)} ms; ${live.n} entries one at a time, from the request to the event at the client`,
      },
      {
        name: `exit → invoice issued, p50 (${label})`,
        value: round(billed.p50),
        unit: 'ms',
        detail: `p99 ${round(billed.p99)} ms; ${billed.n} visits one at a time, from the exit request to billing.invoice.issued`,
      },
    ];
  } finally {
    await bench.close();
  }
}

/** How long an entry takes to show on a dashboard: request sent → occupancy event received. */
async function entryToStream(bench: BenchPlatform, facilityId: string) {
  const gone = new AbortController();
  const response = await fetch(`${bench.address}/api/v1/analytics/occupancy/${facilityId}/stream`, {
    headers: { authorization: `Bearer ${bench.operator}`, accept: 'text/event-stream' },
    signal: gone.signal,
  });
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  const nextOccupied = async (): Promise<number> => {
    for (;;) {
      const end = buffer.indexOf('\n\n');
      if (end >= 0) {
        const frame = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const data = /^event: occupancy\ndata: (.*)$/m.exec(frame)?.[1];
        if (data) return JSON.parse(data).occupied_spaces;
        continue;
      }
      const { value, done } = await reader.read();
      if (done) throw new Error('the stream ended');
      buffer += decoder.decode(value, { stream: true });
    }
  };
  let occupied = await nextOccupied();
  const latencies: number[] = [];
  for (let i = 0; i < 50; i++) {
    const began = performance.now();
    await bench.call('POST', '/api/v1/parking/sessions/entry', bench.operator, {
      facility_id: facilityId,
      registration_number: `LIVE${i}`,
    });
    const target = occupied + 1;
    while (occupied < target) occupied = await nextOccupied();
    latencies.push(performance.now() - began);
  }
  gone.abort();
  latencies.sort((a, b) => a - b);
  const at = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))]!;
  return { p50: at(0.5), p99: at(0.99), n: latencies.length };
}

/**
 * Reservation creates per second through the gateway. Without contention every request asks for
 * its own window, so no two compete for a space; with contention every request asks for the same
 * window, so concurrent creates race for the same first free space and all but one retry on the
 * next (the exclusion constraint decides).
 */
async function reservationThroughput(label: string, serverUrl: string | undefined): Promise<Result[]> {
  const bench = await benchPlatform(serverUrl);
  try {
    const open = await bench.facility('Bench open', 50, { reservation_policy: { max_advance_days: 730 } });
    const crowded = await bench.facility('Bench crowded', 5000);
    const day = Date.now() + 86_400_000;
    let slot = 0;
    const create = (facilityId: string, window: () => number) => async () => {
      const start = window();
      try {
        await bench.call('POST', '/api/v1/reservations/create', bench.driver, {
          facility_id: facilityId,
          desired_space_size: 'STANDARD',
          start_time: new Date(start).toISOString(),
          end_time: new Date(start + 30 * 60_000).toISOString(),
        });
        return true;
      } catch (error) {
        if ((error as { status?: number }).status === 409) return false; // the facility is full
        throw error;
      }
    };
    const ownWindow = () => day + (slot++ % 30_000) * 30 * 60_000;
    await drive(2000, create(open, ownWindow)); // warm-up
    const free = await drive(seconds * 1000, create(open, ownWindow));
    const sameWindow = () => day + 3_600_000;
    const contended = await drive(seconds * 1000, create(crowded, sameWindow));
    return [
      {
        name: `reservation creates/s, no contention (${label})`,
        value: Math.round(free.perSecond),
        unit: 'creates/s',
        detail: `${concurrency} clients, each its own window; p50 ${round(free.p50)} ms, p99 ${round(free.p99)} ms`,
      },
      {
        name: `reservation creates/s, all for one window (${label})`,
        value: Math.round(contended.perSecond),
        unit: 'creates/s',
        detail: `${concurrency} clients racing for the same spaces; p50 ${round(contended.p50)} ms, p99 ${round(contended.p99)} ms`,
      },
    ];
  } finally {
    await bench.close();
  }
}

/**
 * The OCPP central system inside the Charging service: `stationCount` simulated charge points
 * (half OCPP 1.6, half 2.0.1) connect through the gateway's port, each booting and reporting its
 * connector as a real one does; then every station sends calls back-to-back, each waiting for its
 * answer before the next, as a station does. The simulated stations run in this same process, so
 * the memory figure holds both ends of every connection.
 */
async function ocppThroughput(label: string, serverUrl: string | undefined): Promise<Result[]> {
  const bench = await benchPlatform(serverUrl);
  const stations: ChargePoint[] = [];
  try {
    const central = centralSystems.get(bench.platform.services.get('charging')!.runtime)!;
    const { port } = bench.platform.gateway.app.server.address() as { port: number };
    const facilityId = await bench.facility('Bench chargers', stationCount);

    // Register the stations with a few parallel workers; each password is shown only this once.
    const registered: { station_id: string; ocpp_password: string }[] = [];
    let next = 0;
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        while (next < stationCount) {
          next++;
          registered.push(
            await bench.call('POST', '/api/v1/charging/stations', bench.admin, {
              facility_id: facilityId,
              charger_level: 'LEVEL2',
              connector_type: 'TYPE2',
              power_rating_kw: 22,
            }),
          );
        }
      }),
    );

    const rssBefore = process.memoryUsage().rss / 2 ** 20;
    for (const [i, station] of registered.entries())
      stations.push(
        createChargePoint({
          endpoint: `ws://127.0.0.1:${port}/ocpp`,
          stationId: station.station_id,
          password: station.ocpp_password,
          protocol: i % 2 === 0 ? 'ocpp1.6' : 'ocpp2.0.1',
          maxPowerKw: 22,
        }),
      );
    const connectStart = performance.now();
    await Promise.all(stations.map((station) => station.connect()));
    const connectSeconds = (performance.now() - connectStart) / 1000;
    const connected = central.connectionCount();
    if (connected !== stationCount)
      throw new Error(`${connected} stations connected at once, expected ${stationCount}`);
    const rssAfter = process.memoryUsage().rss / 2 ** 20;

    const heartbeat = async (worker: number) => {
      await stations[worker]!.heartbeat();
      return true;
    };
    // An unknown tag: the Charging service asks the Parking service for an open session and answers Invalid.
    const authorize = async (worker: number, i: number) => {
      const status = await stations[worker]!.authorize(`NOCAR${worker}X${i}`);
      if (status !== 'Invalid') throw new Error(`Authorize of an unknown tag answered ${status}`);
      return true;
    };
    await drive(1000, heartbeat, stationCount); // warm-up
    const received = central.counters.received;
    const heartbeats = await drive(seconds * 1000, heartbeat, stationCount);
    const answered = central.counters.received - received;
    const authorizes = await drive(seconds * 1000, authorize, stationCount);

    // Every station charges a parked car; then each reports its meter once per simulated minute,
    // back-to-back: MeterValues (1.6) or TransactionEvent Updated (2.0.1), each stored on its session.
    let plugged = 0;
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (plugged < stations.length) {
          const i = plugged++;
          const plate = `EVM${i}`;
          await bench.call('POST', '/api/v1/parking/vehicles', bench.driver, {
            registration_number: plate,
            vehicle_type: 'CAR',
            is_electric: true,
            battery_capacity_kwh: 5000,
            connector_type: 'TYPE2',
          });
          await bench.call('POST', '/api/v1/parking/sessions/entry', bench.operator, {
            facility_id: facilityId,
            registration_number: plate,
          });
          await stations[i]!.plugIn({ idTag: plate, batteryKwh: 5000, socPercent: 1 });
          await stations[i]!.startFromStation();
        }
      }),
    );
    const meter = async (worker: number) => {
      await stations[worker]!.advance(60);
      return true;
    };
    await drive(1000, meter, stationCount); // warm-up
    const meterValues = await drive(seconds * 1000, meter, stationCount);
    return [
      {
        name: `OCPP stations connected at once to one service process (${label})`,
        value: connected,
        unit: 'stations',
        detail: `half OCPP 1.6, half 2.0.1, through the gateway; all connected and booted in ${round(connectSeconds)} s`,
      },
      {
        name: `Node process RSS with the stations connected (${label})`,
        value: round(rssAfter),
        unit: 'MiB',
        detail:
          `${round(rssBefore)} MiB before connecting: ` +
          `${round(((rssAfter - rssBefore) * 1024) / stationCount)} KiB per connection, both ends in this process`,
      },
      {
        name: `OCPP Heartbeat calls answered/s (${label})`,
        value: Math.round(heartbeats.perSecond),
        unit: 'calls/s',
        detail: `${stationCount} stations back-to-back, ${seconds} s; the central system counted ${answered} calls`,
      },
      { name: `OCPP Heartbeat latency p50 (${label})`, value: round(heartbeats.p50), unit: 'ms' },
      { name: `OCPP Heartbeat latency p99 (${label})`, value: round(heartbeats.p99), unit: 'ms' },
      {
        name: `OCPP Authorize calls answered/s (${label})`,
        value: Math.round(authorizes.perSecond),
        unit: 'calls/s',
        detail: `${stationCount} stations back-to-back, ${seconds} s, unknown tags looked up in Parking (Invalid); p50 ${round(authorizes.p50)} ms`,
      },
      { name: `OCPP Authorize latency p99 (${label})`, value: round(authorizes.p99), unit: 'ms' },
      {
        name: `OCPP meter values stored/s (${label})`,
        value: Math.round(meterValues.perSecond),
        unit: 'reports/s',
        detail: `${stationCount} stations charging, each reporting as soon as its last report was answered, ${seconds} s; p50 ${round(meterValues.p50)} ms, p99 ${round(meterValues.p99)} ms`,
      },
    ];
  } finally {
    // Charges are stopped at the stations before they leave: a station that vanishes mid-charge
    // is a fault the service logs (its session interrupted, its limit no longer settable).
    await Promise.all(stations.map((station) => station.stopFromStation().catch(() => {})));
    const charging = bench.platform.pools.get('charging')!;
    for (let waited = 0; waited < 10_000; waited += 100) {
      const { rows } = await charging.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM charging_sessions WHERE status IN ('ACTIVE', 'PAUSED')`,
      );
      if (rows[0]!.n === 0) break;
      await new Promise((done) => setTimeout(done, 100));
    }
    await bench.platform.drain();
    await Promise.all(stations.map((station) => station.disconnect().catch(() => {})));
    await bench.close();
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
  const cpuBefore = cpuUsed();
  await runFor(seconds * 1000);
  const perSecond = inserts / ((Date.now() - started) / 1000);
  const cpu = cpuPer(cpuBefore, cpuUsed(), inserts);
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
    cpuRow(`CPU per raw insert (${label})`, cpu, 'over the run'),
  ];
}

/**
 * CPU per operation: this process (the bench client, the gateway and every service, or the bare
 * route) and PostgreSQL's processes on this machine, from /proc.
 */
function cpuRow(name: string, cpu: ReturnType<typeof cpuPer>, over: string): Result {
  return {
    name,
    value: round(cpu.node + (cpu.postgres ?? 0)),
    unit: 'ms CPU',
    detail:
      cpu.postgres === null
        ? `this process ${round(cpu.node)} ms (PostgreSQL runs elsewhere: not counted), ${over}`
        : `this process ${round(cpu.node)} ms, PostgreSQL ${round(cpu.postgres)} ms, ${over}`,
  };
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

/**
 * The platform against the bare ceiling on the same server in the same run: entries and exits
 * (each a request through the gateway, two per pair) per second, as a share of one-row inserts
 * per second by a bare Fastify route.
 */
function ratioToCeiling(ceiling: Result[], platform: Result[]): Result {
  const raw = ceiling.find((r) => r.unit === 'inserts/s')!.value;
  const pairs = platform.find((r) => r.unit === 'pairs/s')!.value;
  const insertCpu = ceiling.find((r) => r.unit === 'ms CPU')!.value;
  const pairCpu = platform.find((r) => r.unit === 'ms CPU')!.value;
  return {
    name: 'entries+exits through the gateway ÷ raw ceiling (Debian PostgreSQL)',
    value: round((2 * pairs) / raw),
    unit: 'ratio',
    detail: `${2 * pairs} requests/s against ${raw} inserts/s; the target is at least 0.25; in CPU a pair costs ${Math.round(pairCpu / insertCpu)} inserts`,
  };
}

/** The tariff alone: stays of 1–72 h in 15-minute increments, peak and night hours, half with a price change. */
function tariffThroughput(): Result[] {
  const config = (from: string, to: string | null, hourly: number) => ({
    config_id: `prc_${from}`,
    vehicle_type: 'CAR' as const,
    currency: 'GBP',
    hourly_rate: hourly,
    daily_max: 30,
    monthly_rate: null,
    peak_hour_multiplier: 1.5,
    night_rate_multiplier: 0.5,
    peak_start_time: '07:30',
    peak_end_time: '09:30',
    night_start_time: '22:00',
    night_end_time: '06:00',
    ev_charging_rate_per_kwh: null,
    idle_fee_per_hour: null,
    idle_grace_minutes: 10,
    reservation_fee: 1,
    billing_increment_minutes: 15,
    grace_period_minutes: 10,
    effective_from: from,
    effective_to: to,
  });
  const change = '2026-03-29T12:00:00.000Z'; // also the weekend the UK clocks go forward
  const prices = [config('2025-01-01T00:00:00.000Z', change, 2.4), config(change, null, 3)];
  const stays = Array.from({ length: 20_000 }, (_, i) => {
    const start = Date.parse('2026-03-27T00:00:00Z') + ((i * 7919) % (4 * 86_400)) * 1000;
    return { start: new Date(start), end: new Date(start + (3600 + ((i * 104_729) % (71 * 3600))) * 1000) };
  });
  let checksum = 0;
  const began = performance.now();
  for (const stay of stays)
    checksum += quoteStay({ strategy: 'PEAK_HOUR', prices, timezone: 'Europe/London', ...stay }).total;
  const elapsed = (performance.now() - began) / 1000;
  return [
    {
      name: 'tariff: stays priced per second (1 core)',
      value: Math.round(stays.length / elapsed),
      unit: 'stays/s',
      detail: `${stays.length} stays of 1–72 h, peak/night, price change, DST; checksum ${checksum}`,
    },
  ];
}

/** Billing's quote of a visit, as Parking asks for it at every exit. */
async function billingQuoteThroughput(label: string, serverUrl: string | undefined): Promise<Result[]> {
  const bench = await benchPlatform(serverUrl);
  try {
    const facilityId = await bench.facility('Quote bench', 10);
    const billing = bench.platform.services.get('parking')!.runtime.client('billing');
    const entry = new Date(Date.now() - 5 * 3_600_000).toISOString();
    const run = await drive(seconds * 1000, async (worker, i) => {
      await billing.post('/billing/internal/charges/quote', {
        parking_session_id: `pks_${String(worker).padStart(8, '0')}${String(i).padStart(24, '0')}`,
        tenant_id: bench.tenantId,
        facility_id: facilityId,
        vehicle_id: 'veh_bench',
        registration_number: `BENCH${worker}`,
        vehicle_type: 'CAR',
        customer_id: null,
        entry_time: entry,
        exit_time: new Date().toISOString(),
      });
      return true;
    });
    return [
      {
        name: `billing: visits priced per second (${label})`,
        value: Math.round(run.perSecond),
        unit: 'quotes/s',
        detail: `p50 ${round(run.p50)} ms, p99 ${round(run.p99)} ms, ${concurrency} at once`,
      },
    ];
  } finally {
    await bench.close();
  }
}

async function main() {
  const results: Result[] = [];
  const only = process.env.BENCH_ONLY;
  const all = only === undefined;
  const billing = all || only === 'billing';
  const ocpp = all || only === 'ocpp';
  const parking = all || only === 'parking';
  const analytics = all || only === 'analytics';
  const gateway = all || only === 'gateway';
  const network = all || only === 'network';
  const began = performance.now();
  /** Runs one part of the bench and says how long it took, so the whole run's time can be accounted for. */
  const part = async (name: string, measure: () => Promise<Result[]> | Result[]) => {
    const start = performance.now();
    results.push(...(await measure()));
    console.log(`${name}: ${Math.round((performance.now() - start) / 1000)} s`);
  };
  const external = !process.env.BENCH_SKIP_EXTERNAL && (await reachable(externalUrl));
  // Entries + exits and the gateway are measured on the embedded PostgreSQL (what `npm start`
  // runs) and on the server; the rest, which the mode does not change, on the server alone when
  // there is one (keeping the run under ten minutes), else on the embedded one.
  const embedded = 'embedded PostgreSQL 18';
  const [serverUrl, serverLabel] = external ? [externalUrl, 'Debian PostgreSQL'] : [undefined, embedded];
  if (parking) await part('entries and exits, embedded', () => entryExitThroughput(embedded, undefined));
  if (gateway) await part('gateway, embedded', () => gatewayBench(embedded, undefined));
  if (external && parking)
    await part('raw ceiling and entries and exits, server', async () => {
      const ceiling = await rawCeiling(serverLabel, externalUrl);
      const platform = await entryExitThroughput(serverLabel, externalUrl);
      return [...ceiling, ...platform, ratioToCeiling(ceiling, platform)];
    });
  if (parking) await part('reservations', () => reservationThroughput(serverLabel, serverUrl));
  if (billing) {
    await part('tariff', () => tariffThroughput());
    await part('billing quotes', () => billingQuoteThroughput(serverLabel, serverUrl));
  }
  if (ocpp) await part('OCPP', () => ocppThroughput(serverLabel, serverUrl));
  if (external) {
    if (analytics) await part('analytics', () => analyticsBench(serverLabel, externalUrl));
    if (network) await part('network', () => networkBench(serverLabel, externalUrl));
  } else
    console.log(
      `(no PostgreSQL at ${externalUrl.replace(/:[^:@/]+@/, ':***@')}; skipping the ceiling, analytics and network)`,
    );
  if (all && !process.env.BENCH_SKIP_MEMORY) await part('memory at rest', () => memoryAtRest());
  console.log(`whole run: ${Math.round((performance.now() - began) / 1000)} s`);

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
