import { type App, onePerScrape, type ServiceRuntime, scrapedGauge } from '@easypark/platform';

/**
 * Occupancy per facility for Prometheus, read from the spaces when scraped: one grouped query
 * per scrape (the facility/status index answers it), nothing on entries and exits. Labelled by
 * facility only: plates and sessions stay out of the metrics.
 */
export function occupancyMetrics(app: App, runtime: ServiceRuntime): void {
  const read = onePerScrape(async () => {
    const { rows } = await runtime.pool.query<{ facility_id: string; occupied: number; total: number }>(
      `SELECT facility_id, count(*) FILTER (WHERE status = 'OCCUPIED')::int AS occupied, count(*)::int AS total
       FROM parking_spaces GROUP BY facility_id`,
    );
    return rows;
  });
  const unwatch = [
    scrapedGauge(runtime.registry, {
      name: 'parking_occupied_spaces',
      help: 'Spaces holding a vehicle, by facility',
      labelNames: ['facility_id'],
    }).watch(runtime.name, async () =>
      (await read()).map((row) => ({ labels: { facility_id: row.facility_id }, value: row.occupied })),
    ),
    scrapedGauge(runtime.registry, {
      name: 'parking_total_spaces',
      help: 'Spaces of every status (maintenance included), by facility',
      labelNames: ['facility_id'],
    }).watch(runtime.name, async () =>
      (await read()).map((row) => ({ labels: { facility_id: row.facility_id }, value: row.total })),
    ),
  ];
  app.addHook('onClose', async () => {
    for (const stop of unwatch) stop();
  });
}
