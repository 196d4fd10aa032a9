import { type App, type ServiceRuntime, Type } from '@easypark/platform';
import { visibleFacilities } from '../access.ts';
import { slotOf, trendOf } from '../domain/occupancy.ts';
import { ImportFormatError, parseOccupancyImport } from '../domain/occupancy-import.ts';
import { problem } from '../errors.ts';
import type { Forecaster } from '../forecaster.ts';
import type { LiveFeed } from '../live.ts';
import { currentSnapshot, occupancyView } from '../monitor.ts';
import type { AnalyticsSettings } from '../settings.ts';
import * as store from '../store.ts';
import { timeRange } from './range.ts';
import { FacilityParams, RangeAnd } from './schemas.ts';

const tags = ['Occupancy'];

export function occupancyRoutes(
  app: App,
  runtime: ServiceRuntime,
  settings: AnalyticsSettings,
  feed: LiveFeed,
  forecasts: Forecaster,
): void {
  const { pool, clock } = runtime;
  const facilityFor = visibleFacilities(runtime);

  app.get(
    '/analytics/v1/occupancy/:facility_id',
    {
      schema: {
        tags,
        summary: 'Current occupancy',
        description:
          'Occupied and available spaces now (by size), the trend over the last half hour (INCREASING, ' +
          'DECREASING or STABLE: a change of 2 points or more) and the forecast for the next three hours ' +
          '(null until the facility has some history). Drivers may ask too.',
        params: FacilityParams,
      },
    },
    async (request) => {
      const principal = request.principal!;
      const facility = await facilityFor(principal, request.params.facility_id, { drivers: true });
      const now = clock.now();
      const snapshot = await currentSnapshot(pool, facility);
      const before = await store.rateAt(pool, facility.facility_id, new Date(now.getTime() - 30 * 60_000));
      const ahead = await forecasts.forecast(facility, now, 3);
      return {
        ...occupancyView(facility, snapshot, now),
        trending: trendOf(snapshot.occupancy_rate, before),
        forecast:
          ahead?.points.map((p) => ({
            timestamp: p.timestamp.toISOString(),
            predicted_occupancy: p.predicted_occupancy,
          })) ?? null,
      };
    },
  );

  app.get(
    '/analytics/v1/occupancy/:facility_id/history',
    {
      schema: {
        tags,
        summary: 'Occupancy history',
        description:
          'HOURLY: each hour’s average occupancy, its peak and the average available spaces. DAILY: the same per ' +
          'local calendar day (`timestamp` is the day’s local midnight; `date` names the day). Default: the last 7 ' +
          'local days. Live data and imported history alike.',
        params: FacilityParams,
        querystring: RangeAnd({
          interval: Type.Optional(Type.Enum(['HOURLY', 'DAILY'], { type: 'string', default: 'HOURLY' })),
        }),
      },
    },
    async (request) => {
      const principal = request.principal!;
      const facility = await facilityFor(principal, request.params.facility_id);
      const { from, to } = timeRange(request.query, facility.timezone, clock.now(), 7);
      const view = (p: store.HistoryPoint) => ({
        timestamp: p.timestamp.toISOString(),
        occupancy_rate: p.occupancy_rate,
        peak_occupancy_rate: p.peak_occupancy_rate,
        available_spaces: p.available_spaces,
        min_available_spaces: p.min_available_spaces,
      });
      if (request.query.interval === 'DAILY') {
        const days = await store.dailyHistory(pool, facility.facility_id, facility.timezone, from, to);
        return days.map((d) => ({ date: d.date, ...view(d) }));
      }
      return (await store.hourlyHistory(pool, facility.facility_id, from, to)).map(view);
    },
  );

  app.get(
    '/analytics/v1/occupancy/:facility_id/stream',
    {
      schema: {
        tags,
        summary: 'Live occupancy and alerts (Server-Sent Events)',
        description:
          'A `text/event-stream`: an `occupancy` event at once with the current figures, then one at every change, ' +
          'and an `alert` event whenever an alert is raised or cleared. A comment line every ' +
          `${settings.streamHeartbeatSeconds} s keeps idle connections open. Send \`Accept: text/event-stream\`.`,
        params: FacilityParams,
      },
    },
    async (request, reply) => {
      const principal = request.principal!;
      const facility = await facilityFor(principal, request.params.facility_id);
      const queue: string[] = [];
      let ready = false;
      const send = (event: string, data: unknown) => {
        const frame = `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
        if (ready) reply.raw.write(frame);
        else queue.push(frame);
      };
      // Subscribe before reading the snapshot, so no change falls between the two.
      const unsubscribe = await feed.subscribe(facility.facility_id, (m) => send(m.kind, m.data));
      const heartbeat = setInterval(
        () => reply.raw.write(': keep-alive\n\n'),
        settings.streamHeartbeatSeconds * 1000,
      );
      heartbeat.unref();
      const end = () => {
        clearInterval(heartbeat);
        unsubscribe();
      };
      request.raw.on('close', end);
      reply.raw.on('close', end);
      const snapshot = await currentSnapshot(pool, facility);
      reply.hijack();
      reply.raw.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache',
        connection: 'keep-alive',
        'x-accel-buffering': 'no',
      });
      reply.raw.write(
        `retry: 3000\n\nevent: occupancy\ndata: ${JSON.stringify(occupancyView(facility, snapshot, clock.now()))}\n\n`,
      );
      ready = true;
      for (const frame of queue.splice(0)) reply.raw.write(frame);
    },
  );

  app.post(
    '/analytics/v1/occupancy/:facility_id/import',
    {
      bodyLimit: 16 * 1024 * 1024,
      schema: {
        tags,
        summary: 'Import occupancy history from an older system',
        description:
          'A CSV (`Content-Type: text/csv`) with the header `timestamp,occupied_spaces,capacity` (capacity may ' +
          'come from the `capacity` query parameter instead), or the Birmingham open-data shape ' +
          '`SystemCodeNumber,Capacity,Occupancy,LastUpdated` with `car_park` naming the one to take; or JSON, an ' +
          'array of `{timestamp, occupied_spaces, capacity?}`. Times without a zone are local to the facility. ' +
          'Rows that cannot be trusted (unreadable, negative, above capacity, repeated, a local time that does not ' +
          'exist) are skipped and counted by reason with example line numbers (a file with no usable row is a 400 ' +
          'INVALID_IMPORT with those counts); days with no rows are listed as ' +
          'gaps. Each row lands in its 5-minute slot; a slot that has live data keeps it. Importing the same ' +
          'file again changes nothing.',
        params: FacilityParams,
        querystring: Type.Object({
          car_park: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
          capacity: Type.Optional(Type.Integer({ minimum: 1, maximum: 100_000 })),
        }),
      },
    },
    async (request, reply) => {
      const principal = request.principal!;
      const facility = await facilityFor(principal, request.params.facility_id);
      const type = String(request.headers['content-type'] ?? '');
      const format = type.includes('json') ? 'json' : 'csv';
      const text =
        typeof request.body === 'string'
          ? request.body
          : Buffer.isBuffer(request.body)
            ? request.body.toString('utf8')
            : JSON.stringify(request.body ?? null);
      let parsed: ReturnType<typeof parseOccupancyImport>;
      try {
        parsed = parseOccupancyImport(text, format, {
          timezone: facility.timezone,
          ...(request.query.car_park !== undefined ? { carPark: request.query.car_park } : {}),
          ...(request.query.capacity !== undefined ? { capacity: request.query.capacity } : {}),
        });
      } catch (error) {
        if (error instanceof ImportFormatError)
          throw problem(
            'INVALID_IMPORT',
            error.message,
            error.carParks.length ? { car_parks: error.carParks } : {},
          );
        throw error;
      }
      // A file without one usable row is not an import: nothing is recorded, the reasons are answered.
      if (parsed.accepted === 0)
        throw problem('INVALID_IMPORT', 'no row could be imported', { skipped: parsed.skipped });
      // Several rows in one 5-minute slot: the last one stands, as for live samples.
      const bySlot = new Map<number, { slot: Date; occupied: number; capacity: number; rate: number }>();
      for (const row of parsed.rows) {
        const slot = slotOf(row.timestamp);
        bySlot.set(slot.getTime(), {
          slot,
          occupied: row.occupied_spaces,
          capacity: row.capacity,
          rate: Math.round((row.occupied_spaces * 10_000) / row.capacity) / 100,
        });
      }
      const now = clock.now();
      const result = await runtime.transaction(async (tx) => {
        const written = await store.importSamples(tx, facility.facility_id, [...bySlot.values()], now);
        if (parsed.first && parsed.last)
          await store.rollUpHours(
            tx,
            parsed.first,
            new Date(parsed.last.getTime() + 3_600_000),
            facility.facility_id,
          );
        const importId = await store.recordImport(
          tx,
          {
            facility_id: facility.facility_id,
            imported_by: principal.sub,
            accepted: parsed.accepted,
            skipped: parsed.skipped,
            first: parsed.first,
            last: parsed.last,
          },
          now,
        );
        return { importId, written };
      });
      forecasts.forget(facility.facility_id);
      return reply.code(201).send({
        import_id: result.importId,
        facility_id: facility.facility_id,
        accepted: parsed.accepted,
        slots_written: result.written,
        skipped: parsed.skipped,
        other_car_parks: parsed.other_car_parks,
        car_parks: parsed.car_parks,
        first_timestamp: parsed.first?.toISOString() ?? null,
        last_timestamp: parsed.last?.toISOString() ?? null,
        gaps: parsed.gaps,
      });
    },
  );
}
