/**
 * How cost grows with the size of the network: the same figures on a platform holding 10
 * facilities and on one holding 1,000 (BENCH_NETWORK_FACILITIES), each of 500 STANDARD spaces
 * (BENCH_NETWORK_SPACES), on the external PostgreSQL. Every request goes to a facility picked at
 * random, so the large network is spread over all its spaces, as real traffic is:
 *
 * - entry + exit pairs through the gateway, per second, p50 and p99;
 * - occupancy reads (GET /parking/occupancy/{facility}, what a display board polls): how many per
 *   second 16 clients get back-to-back, and their latency when a board at every one of 1,000
 *   facilities polls every 2 s (500 reads/s, BENCH_BOARD_READS, sent on schedule);
 * - exit → invoice issued on the bus, p50 and p99, one visit at a time;
 * - reservation creates, each for its own half-hour in the coming week, per second and p99.
 *
 * Then, per measure, the large network's latency as a multiple of the small one's (the target is
 * at most 2).
 */
import {
  type BenchPlatform,
  benchPlatform,
  drive,
  exitToInvoice,
  paced,
  type Result,
  round,
  seconds,
} from './support.ts';

const largeCount = Number(process.env.BENCH_NETWORK_FACILITIES ?? 1000);
const spacesEach = Number(process.env.BENCH_NETWORK_SPACES ?? 500);
const boardReads = Number(process.env.BENCH_BOARD_READS ?? 500);

interface Figures {
  facilities: number;
  setupSeconds: number;
  pairs: Awaited<ReturnType<typeof drive>>;
  reads: Awaited<ReturnType<typeof drive>>;
  boards: Awaited<ReturnType<typeof paced>>;
  invoices: Awaited<ReturnType<typeof exitToInvoice>>;
  reservations: Awaited<ReturnType<typeof drive>>;
}

export async function networkBench(label: string, serverUrl: string): Promise<Result[]> {
  const small = await atSize(serverUrl, 10);
  const large = await atSize(serverUrl, largeCount);
  const rows = (f: Figures): Result[] => {
    const at = `${f.facilities.toLocaleString('en')} facilities × ${spacesEach} spaces, ${label}`;
    return [
      {
        name: `network: entry+exit pairs/s (${at})`,
        value: Math.round(f.pairs.perSecond),
        unit: 'pairs/s',
        detail: `p50 ${round(f.pairs.p50)} ms, p99 ${round(f.pairs.p99)} ms; set up in ${round(f.setupSeconds)} s`,
      },
      {
        name: `network: occupancy reads/s (${at})`,
        value: Math.round(f.reads.perSecond),
        unit: 'reads/s',
        detail: `p50 ${round(f.reads.p50)} ms`,
      },
      {
        name: `network: occupancy read p99 at ${boardReads} reads/s (${at})`,
        value: round(f.boards.p99),
        unit: 'ms',
        detail: `p50 ${round(f.boards.p50)} ms, sent on schedule; back-to-back: p50 ${round(f.reads.p50)} ms, p99 ${round(f.reads.p99)} ms`,
      },
      {
        name: `network: exit → invoice issued p99 (${at})`,
        value: round(f.invoices.p99),
        unit: 'ms',
        detail: `p50 ${round(f.invoices.p50)} ms, ${f.invoices.n} visits one at a time`,
      },
      {
        name: `network: reservation creates/s (${at})`,
        value: Math.round(f.reservations.perSecond),
        unit: 'creates/s',
        detail: `p50 ${round(f.reservations.p50)} ms, p99 ${round(f.reservations.p99)} ms`,
      },
    ];
  };
  const growth = (what: string, latency: (f: Figures) => number): Result => ({
    name: `network: ${what} latency, ${largeCount.toLocaleString('en')} ÷ 10 facilities (${label})`,
    value: round(latency(large) / latency(small)),
    unit: '×',
    detail: `${round(latency(small))} → ${round(latency(large))} ms; the target is at most 2`,
  });
  return [
    ...rows(small),
    ...rows(large),
    growth('entry+exit p50', (f) => f.pairs.p50),
    growth('entry+exit p99', (f) => f.pairs.p99),
    growth(`occupancy read p50 at ${boardReads}/s`, (f) => f.boards.p50),
    growth(`occupancy read p99 at ${boardReads}/s`, (f) => f.boards.p99),
    growth('exit → invoice p50', (f) => f.invoices.p50),
    growth('exit → invoice p99', (f) => f.invoices.p99),
    growth('reservation create p50', (f) => f.reservations.p50),
    growth('reservation create p99', (f) => f.reservations.p99),
  ];
}

async function atSize(serverUrl: string, facilities: number): Promise<Figures> {
  const bench = await benchPlatform(serverUrl);
  try {
    const setupStart = performance.now();
    const ids = await createFacilities(bench, facilities);
    await bench.platform.drain();
    const setupSeconds = (performance.now() - setupStart) / 1000;
    const anyFacility = () => ids[Math.floor(Math.random() * ids.length)]!;

    const pair = (tag: string) => async (worker: number, i: number) => {
      const entry = await bench.call('POST', '/api/v1/parking/sessions/entry', bench.operator, {
        facility_id: anyFacility(),
        registration_number: `N${worker}X${i}${tag}`,
      });
      await bench.call('POST', `/api/v1/parking/sessions/${entry.session_id}/exit`, bench.operator, {});
      return true;
    };
    await drive(2000, pair('W')); // warm-up
    const pairs = await drive(seconds * 1000, pair('R'));
    await bench.platform.drain();

    const read = async () => {
      await bench.call('GET', `/api/v1/parking/occupancy/${anyFacility()}`, bench.operator);
      return true;
    };
    await drive(1000, read);
    const reads = await drive(seconds * 1000, read);
    const boards = await paced(boardReads, seconds * 1000, read);

    const invoices = await exitToInvoice(bench, anyFacility, 100);

    const week = 7 * 48;
    const reserve = async () => {
      const start = Date.now() + 86_400_000 + Math.floor(Math.random() * week) * 1_800_000;
      await bench.call('POST', '/api/v1/reservations/create', bench.driver, {
        facility_id: anyFacility(),
        desired_space_size: 'STANDARD',
        start_time: new Date(start).toISOString(),
        end_time: new Date(start + 1_800_000).toISOString(),
      });
      return true;
    };
    const reservations = await drive(seconds * 1000, reserve);
    await bench.platform.drain();
    return { facilities, setupSeconds, pairs, reads, boards, invoices, reservations };
  } finally {
    await bench.close();
  }
}

/** Registers the facilities through the API, eight at a time, each with its spaces and prices. */
async function createFacilities(bench: BenchPlatform, count: number): Promise<string[]> {
  const ids: string[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      while (next < count) {
        const n = next++;
        ids.push(await bench.facility(`Network ${n}`, spacesEach));
      }
    }),
  );
  return ids;
}
