import type { Clock, EventEnvelope } from '@easypark/kernel';
import type pg from 'pg';
import {
  Counter,
  type CounterConfiguration,
  Gauge,
  Histogram,
  type HistogramConfiguration,
  type Registry,
} from 'prom-client';

/**
 * The platform's Prometheus metrics. Every metric is got-or-created on the registry it is asked
 * for: in the embedded mode all services share one registry (one /metrics shows them all), so the
 * second service to ask gets the metric the first created, and the `service` label tells them apart.
 */

function getOrCreate<M>(registry: Registry, name: string, create: () => M): M {
  return (registry.getSingleMetric(name) as M | undefined) ?? create();
}

export function counterOf<T extends string>(
  registry: Registry,
  config: Omit<CounterConfiguration<T>, 'registers'>,
): Counter<T> {
  return getOrCreate(registry, config.name, () => new Counter({ ...config, registers: [registry] }));
}

export function histogramOf<T extends string>(
  registry: Registry,
  config: Omit<HistogramConfiguration<T>, 'registers'>,
): Histogram<T> {
  return getOrCreate(registry, config.name, () => new Histogram({ ...config, registers: [registry] }));
}

export interface Reading<T extends string> {
  labels: Partial<Record<T, string>>;
  value: number;
}

/** Where a scraped gauge reads its series: a query, or state in memory. */
export type GaugeSource<T extends string> = () => Reading<T>[] | Promise<Reading<T>[]>;

export interface ScrapedGauge<T extends string> {
  /** Adds a source under `key` (a service's name; the same key again replaces it); answers its removal. */
  watch(key: string, source: GaugeSource<T>): () => void;
}

const gaugeSources = new WeakMap<Registry, Map<string, Map<string, GaugeSource<string>>>>();

/**
 * A gauge read when Prometheus scrapes (a count in a database, the size of a map) instead of kept
 * up to date on every change: nothing is paid between scrapes. Each service watches its own
 * source; a source that fails (its database away) leaves its series out of that scrape rather
 * than failing the whole /metrics.
 */
export function scrapedGauge<T extends string>(
  registry: Registry,
  config: { name: string; help: string; labelNames: readonly T[] },
): ScrapedGauge<T> {
  let byName = gaugeSources.get(registry);
  if (!byName) {
    byName = new Map();
    gaugeSources.set(registry, byName);
  }
  let sources = byName.get(config.name) as Map<string, GaugeSource<T>> | undefined;
  if (!sources) {
    const watched = new Map<string, GaugeSource<T>>();
    sources = watched;
    byName.set(config.name, watched as Map<string, GaugeSource<string>>);
    new Gauge<T>({
      name: config.name,
      help: config.help,
      labelNames: config.labelNames,
      registers: [registry],
      async collect() {
        const readings = await Promise.all(
          [...watched.values()].map(async (read) => {
            try {
              return await read();
            } catch {
              return [];
            }
          }),
        );
        // Replaced at once, after every read: a concurrent scrape never sees half the series.
        this.reset();
        for (const reading of readings.flat()) this.set(reading.labels, reading.value);
      },
    });
  }
  return {
    watch(key, source) {
      sources.set(key, source);
      return () => {
        if (sources.get(key) === source) sources.delete(key);
      };
    },
  };
}

/**
 * One read shared by the gauges that show parts of it: a scrape collects every gauge at once, so
 * the second to ask while the first's read is in flight gets the same answer.
 */
export function onePerScrape<T>(read: () => Promise<T>): () => Promise<T> {
  let inFlight: Promise<T> | null = null;
  return () => {
    inFlight ??= read().finally(() => {
      inFlight = null;
    });
    return inFlight;
  };
}

// --- HTTP ---------------------------------------------------------------------------------------

export function httpRequestDuration(registry: Registry) {
  return histogramOf(registry, {
    name: 'http_request_duration_seconds',
    help: 'HTTP request latency by service and route',
    labelNames: ['service', 'method', 'route', 'status_code'],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
  });
}

// --- Database -----------------------------------------------------------------------------------

export function dbQueryDuration(registry: Registry) {
  return histogramOf(registry, {
    name: 'db_query_duration_seconds',
    help: 'Time PostgreSQL took to answer a query (from sending it to its result), by service and SQL verb',
    labelNames: ['service', 'operation'],
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
  });
}

const operations = new Set(['select', 'insert', 'update', 'delete', 'with', 'begin', 'commit', 'rollback']);

/** The SQL verb of a query, from a fixed list: never the text itself (unbounded, and may hold data). */
function operationOf(query: unknown): string {
  const text = typeof query === 'string' ? query : (query as { text?: unknown } | null | undefined)?.text;
  const verb = typeof text === 'string' ? /^\s*([a-z]+)/i.exec(text)?.[1]?.toLowerCase() : undefined;
  return verb && operations.has(verb) ? verb : 'other';
}

const instrumentedPools = new WeakSet<pg.Pool>();

/**
 * Times every query of the pool's connections, in and out of transactions: each connection's
 * `query` is wrapped once, when the pool opens it (pool.query goes through it too). Time spent
 * waiting for a free connection is not in it; `db_pool_clients{state="waiting"}` shows that.
 * A pool is instrumented once: its queries count for the first service and registry given.
 */
export function instrumentPool(pool: pg.Pool, registry: Registry, service: string): () => void {
  const duration = dbQueryDuration(registry);
  if (!instrumentedPools.has(pool)) {
    instrumentedPools.add(pool);
    pool.on('connect', (client) =>
      timeQueries(client, (operation, seconds) => duration.observe({ service, operation }, seconds)),
    );
  }
  return scrapedGauge(registry, {
    name: 'db_pool_clients',
    help: 'Connections of the service pool: total open, idle, and requests waiting for one',
    labelNames: ['service', 'state'],
  }).watch(service, () => [
    { labels: { service, state: 'total' }, value: pool.totalCount },
    { labels: { service, state: 'idle' }, value: pool.idleCount },
    { labels: { service, state: 'waiting' }, value: pool.waitingCount },
  ]);
}

function timeQueries(client: pg.PoolClient, observe: (operation: string, seconds: number) => void): void {
  const query = client.query as (...args: unknown[]) => unknown;
  client.query = ((...args: unknown[]) => {
    const started = performance.now();
    const operation = operationOf(args[0]);
    const done = () => observe(operation, (performance.now() - started) / 1000);
    // pool.query hands the connection a callback; everything else here awaits a promise.
    const last = args.length - 1;
    const callback = args[last];
    if (typeof callback === 'function') {
      args[last] = (...result: unknown[]) => {
        done();
        return callback(...result);
      };
      return query.apply(client, args);
    }
    const result = query.apply(client, args) as Promise<unknown> | undefined;
    if (typeof result?.then === 'function') result.then(done, done);
    return result;
  }) as typeof client.query;
}

// --- Outbox -------------------------------------------------------------------------------------

/**
 * The service's outbox as Prometheus scrapes it: events not yet published, and the age of the
 * oldest of them (0 when none). One query on the outbox's partial index per scrape, nothing per
 * request.
 */
export function watchOutbox(registry: Registry, service: string, pool: pg.Pool): () => void {
  const read = onePerScrape(async () => {
    const { rows } = await pool.query<{ backlog: number; oldest: number }>(
      `SELECT count(*)::int AS backlog,
              coalesce(extract(epoch FROM now() - min(created_at)), 0)::float8 AS oldest
       FROM outbox WHERE published_at IS NULL`,
    );
    return rows[0] ?? { backlog: 0, oldest: 0 };
  });
  const backlog = scrapedGauge(registry, {
    name: 'outbox_backlog_events',
    help: 'Events written to the outbox and not yet published to the bus',
    labelNames: ['service'],
  }).watch(service, async () => [{ labels: { service }, value: (await read()).backlog }]);
  const oldest = scrapedGauge(registry, {
    name: 'outbox_oldest_unpublished_seconds',
    help: 'Age of the oldest event in the outbox not yet published (0 when none)',
    labelNames: ['service'],
  }).watch(service, async () => [{ labels: { service }, value: Math.max(0, (await read()).oldest) }]);
  return () => {
    backlog();
    oldest();
  };
}

// --- Event consumers ----------------------------------------------------------------------------

export type HandledOutcome = 'applied' | 'duplicate' | 'failed';

/**
 * What a consumer does with each event it is handed: counted by outcome, and for those it
 * applied, the lag from the event's time to the commit of its effect (outbox, bus, queueing,
 * retries and the handler itself). Times are the service clock's, as the event's time is.
 */
export function consumerMetrics(registry: Registry, service: string, clock: Clock) {
  const lag = histogramOf(registry, {
    name: 'bus_consumer_lag_seconds',
    help: 'From an event’s time to its consumer having applied it, by consumer service and event type',
    labelNames: ['service', 'event_type'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
  });
  const handled = counterOf(registry, {
    name: 'bus_events_handled_total',
    help: 'Events handed to a consumer: applied, skipped as already applied (duplicate), or failed (retried later)',
    labelNames: ['service', 'event_type', 'outcome'],
  });
  return (event: EventEnvelope, outcome: HandledOutcome): void => {
    handled.inc({ service, event_type: event.type, outcome });
    if (outcome !== 'applied') return;
    const seconds = (clock.now().getTime() - Date.parse(event.time)) / 1000;
    // Clocks of two hosts may disagree a little: an event from "the future" was applied at once.
    if (Number.isFinite(seconds)) lag.observe({ service, event_type: event.type }, Math.max(0, seconds));
  };
}
