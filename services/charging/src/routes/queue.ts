import { newId, type Principal } from '@easypark/kernel';
import { type App, pgConstraint, type ServiceRuntime, Type } from '@easypark/platform';
import { canSeeCharging, loadFacility } from '../access.ts';
import type { Charging } from '../charging.ts';
import { connectorFits } from '../domain/stations.ts';
import { problem } from '../errors.ts';
import { emitQueuePosition } from '../events.ts';
import {
  announceMoves,
  facilityAvailability,
  isFree,
  offerFreedStations,
  queueEstimates,
  stationLoads,
} from '../queue.ts';
import type { ChargingSettings } from '../settings.ts';
import * as store from '../store.ts';
import { queueView } from '../views.ts';
import { ConnectorType, FacilityId, ParkingSessionId, QueueId, VehicleId } from './schemas.ts';

const tags = ['Charging queue'];

export function queueRoutes(
  app: App,
  runtime: ServiceRuntime,
  settings: ChargingSettings,
  charging: Charging,
): void {
  const { pool, clock } = runtime;

  async function positionOf(entry: store.QueueRow): Promise<number | null> {
    if (entry.status !== 'WAITING') return null;
    const waiting = await store.waitingQueue(pool, entry.facility_id);
    const loads = await stationLoads(pool, entry.facility_id);
    return queueEstimates(waiting, loads).get(entry.queue_id)?.position ?? null;
  }

  async function entryOr404(principal: Principal, queueId: string) {
    const entry = await store.getQueueEntry(pool, queueId);
    if (!entry || !canSeeCharging(principal, entry))
      throw problem('QUEUE_ENTRY_NOT_FOUND', `There is no place ${queueId} in a charging queue`);
    return entry;
  }

  app.get(
    '/charging/v1/availability',
    {
      schema: {
        tags,
        summary: 'When each station of a facility is ready for the next car',
        description:
          'wait_time in minutes: 0 for a free station; for a busy one, the time its car needs to reach its target at ' +
          'the power it gets, plus the cars queued ahead for that connector. null for a station that is offline or ' +
          'in maintenance.',
        querystring: Type.Object({ facility_id: FacilityId, connector_type: Type.Optional(ConnectorType) }),
      },
    },
    async (request) => {
      const principal = request.principal!;
      const { facility_id, connector_type } = request.query;
      await loadFacility(runtime, principal, facility_id);
      const stations = await facilityAvailability(
        pool,
        facility_id,
        settings.queueHoldMinutes,
        clock.now(),
        connector_type,
      );
      return stations.map(({ load: { station }, availability }) => ({
        station_id: station.station_id,
        connector_type: station.connector_type,
        charger_level: station.charger_level,
        power_rating_kw: station.power_rating_kw,
        status: station.status,
        ...availability,
      }));
    },
  );

  app.post(
    '/charging/v1/queue',
    {
      schema: {
        tags,
        summary: 'Join a facility’s charging queue',
        description:
          'For a parked electric car when no fitting station is free (otherwise STATION_AVAILABLE_NOW names one). ' +
          'When a fitting station frees up it is held for the first car in line for a while ' +
          `(${settings.queueHoldMinutes} minutes by default) and charging.queue.position.changed says which.`,
        body: Type.Object(
          {
            facility_id: FacilityId,
            vehicle_id: VehicleId,
            parking_session_id: ParkingSessionId,
            desired_capacity_kwh: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 1000 })),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (request, reply) => {
      const principal = request.principal!;
      const body = request.body;
      await loadFacility(runtime, principal, body.facility_id);
      const car = await charging.checkVehicle(body, body.facility_id, null, principal);
      const now = clock.now();
      const entry = await runtime.transaction(async (tx, emit) => {
        await store.lockSite(tx, body.facility_id);
        const loads = await stationLoads(tx, body.facility_id);
        const fitting = loads.filter((l) => connectorFits(car.connector_type, l.station.connector_type));
        if (fitting.length === 0)
          throw problem(
            'CONNECTOR_MISMATCH',
            `No station at this facility has a ${car.connector_type} connector`,
          );
        const waiting = await store.waitingQueue(tx, body.facility_id);
        const held = new Set(waiting.flatMap((e) => e.offered_station_id ?? []));
        const free = fitting.find((l) => isFree(l, held));
        if (free)
          throw problem(
            'STATION_AVAILABLE_NOW',
            `Station ${free.station.station_id} is free: start charging there`,
            {
              station_id: free.station.station_id,
            },
          );
        if (await store.openSessionOfVehicle(tx, body.vehicle_id))
          throw problem('VEHICLE_ALREADY_CHARGING', 'The vehicle is already charging');
        let created: store.QueueRow;
        try {
          created = await store.insertQueueEntry(tx, {
            queue_id: newId('queueEntry'),
            tenant_id: car.tenant_id,
            facility_id: body.facility_id,
            vehicle_id: body.vehicle_id,
            parking_session_id: body.parking_session_id,
            customer_id: car.customer_id,
            connector_type: car.connector_type,
            arrival_time: now,
            desired_capacity_kwh: body.desired_capacity_kwh ?? null,
            estimated_wait_time: null,
            created_at: now,
            updated_at: now,
          });
        } catch (error) {
          if (pgConstraint(error) === 'charging_queue_one_per_vehicle')
            throw problem('VEHICLE_ALREADY_QUEUED', 'The vehicle is already in the queue');
          throw error;
        }
        const all = [...waiting, created];
        const estimates = queueEstimates(all, loads);
        const mine = estimates.get(created.queue_id)!;
        await store.setQueueWait(tx, created.queue_id, mine.waitMinutes, now);
        const stored = { ...created, estimated_wait_time: mine.waitMinutes };
        emitQueuePosition(emit, stored, mine.position);
        return { row: stored, position: mine.position };
      });
      return reply
        .code(201)
        .header('location', `/charging/v1/queue/${entry.row.queue_id}`)
        .send(queueView(entry.row, entry.position, now));
    },
  );

  app.get(
    '/charging/v1/queue',
    {
      schema: {
        tags,
        summary: 'A facility’s charging queue, first in line first',
        querystring: Type.Object({ facility_id: FacilityId }),
      },
    },
    async (request) => {
      const principal = request.principal!;
      await loadFacility(runtime, principal, request.query.facility_id);
      const waiting = await store.waitingQueue(pool, request.query.facility_id);
      const estimates = queueEstimates(waiting, await stationLoads(pool, request.query.facility_id));
      const now = clock.now();
      return waiting.map((e) => queueView(e, estimates.get(e.queue_id)?.position ?? null, now));
    },
  );

  app.get(
    '/charging/v1/queue/:queue_id',
    { schema: { tags, summary: 'A place in a charging queue', params: Type.Object({ queue_id: QueueId }) } },
    async (request) => {
      const entry = await entryOr404(request.principal!, request.params.queue_id);
      return queueView(entry, await positionOf(entry), clock.now());
    },
  );

  app.delete(
    '/charging/v1/queue/:queue_id',
    {
      schema: {
        tags,
        summary: 'Leave the charging queue',
        description: 'Everyone behind moves up. Leaving twice is fine.',
        params: Type.Object({ queue_id: QueueId }),
      },
    },
    async (request) => {
      const principal = request.principal!;
      const entry = await entryOr404(principal, request.params.queue_id);
      const now = clock.now();
      const left = await runtime.transaction(async (tx, emit) => {
        await store.lockSite(tx, entry.facility_id);
        const waiting = await store.waitingQueue(tx, entry.facility_id);
        if (!waiting.some((e) => e.queue_id === entry.queue_id))
          return (await store.getQueueEntry(tx, entry.queue_id))!;
        const loads = await stationLoads(tx, entry.facility_id);
        const before = queueEstimates(waiting, loads);
        const cancelled = await store.updateQueueEntry(tx, entry.queue_id, {
          status: 'CANCELLED',
          cancel_reason: 'LEFT_QUEUE',
          offered_station_id: null,
          offer_expires_at: null,
          updated_at: now,
        });
        const rest = waiting.filter((e) => e.queue_id !== entry.queue_id);
        await announceMoves(tx, emit, rest, before, queueEstimates(rest, loads), now);
        return cancelled;
      });
      await offerFreedStations(runtime, settings, entry.facility_id);
      return queueView(left, null, now);
    },
  );
}
