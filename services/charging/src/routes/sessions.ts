import { type Principal, toMajor } from '@easypark/kernel';
import {
  type App,
  decodeCursor,
  oncePerKey,
  pageQuery,
  paginate,
  type ServiceRuntime,
  storedAnswer,
  Type,
} from '@easypark/platform';
import { canSeeCharging, canSeeStation } from '../access.ts';
import type { Charging } from '../charging.ts';
import { problem } from '../errors.ts';
import * as store from '../store.ts';
import { sessionView } from '../views.ts';
import {
  ChargingSessionId,
  DateTime,
  FacilityId,
  ParkingSessionId,
  StationId,
  VehicleId,
} from './schemas.ts';

const tags = ['Charging sessions'];

const StartBody = Type.Object(
  {
    vehicle_id: VehicleId,
    parking_session_id: ParkingSessionId,
    station_id: StationId,
    target_charge_percent: Type.Integer({
      minimum: 1,
      maximum: 100,
      description: 'Stop charging at this state of charge',
    }),
    current_charge_percent: Type.Optional(
      Type.Number({
        minimum: 0,
        maximum: 100,
        description: 'The car’s state of charge now, if the driver knows it',
      }),
    ),
  },
  { additionalProperties: false },
);

export function sessionRoutes(app: App, runtime: ServiceRuntime, charging: Charging): void {
  const { pool, clock } = runtime;

  async function viewOf(session: store.SessionRow) {
    const station = (await store.getStation(pool, session.station_id))!;
    return sessionView(session, station.power_rating_kw);
  }

  async function sessionOr404(principal: Principal, sessionId: string) {
    const session = await store.getSession(pool, sessionId);
    if (!session || !canSeeCharging(principal, session))
      throw problem('CHARGING_SESSION_NOT_FOUND', `There is no charging session ${sessionId}`);
    return session;
  }

  app.post(
    '/charging/v1/sessions/start',
    {
      schema: {
        tags,
        summary: 'Start charging a parked electric car',
        description:
          'Checks the parking session is open and the car’s, the car is electric, its connector fits and the ' +
          'station is free and connected; then asks the station to start (OCPP RemoteStartTransaction or ' +
          'RequestStartTransaction) with the power the facility’s limit leaves. The cable must be plugged in: ' +
          'a station that refuses is STATION_REJECTED. `estimated_duration` is in minutes. Send an ' +
          '`Idempotency-Key` header to make retries safe.',
        headers: Type.Object({
          'idempotency-key': Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
        }),
        body: StartBody,
      },
    },
    async (request, reply) => {
      const principal = request.principal!;
      const body = request.body;
      const idempotency = {
        scope: `${principal.sub}:charging-start`,
        key: request.headers['idempotency-key'],
        body,
      };
      const replay = await storedAnswer<ReturnType<typeof sessionView>>(pool, idempotency);
      if (replay) return reply.code(201).header('idempotent-replayed', 'true').send(replay);

      const station = await store.getStation(pool, body.station_id);
      if (!station || !canSeeStation(principal, station))
        throw problem('STATION_NOT_FOUND', `There is no charging station ${body.station_id}`);
      const car = await charging.checkVehicle(body, station.facility_id, station.connector_type, principal);
      const session = await charging.startSession(body, car, station);
      const answer = sessionView(session, station.power_rating_kw);
      await runtime.transaction((tx) => oncePerKey(tx, { ...idempotency, status: 201 }, async () => answer));
      return reply
        .code(201)
        .header('location', `/charging/v1/sessions/${session.charging_session_id}`)
        .send(answer);
    },
  );

  app.get(
    '/charging/v1/sessions',
    {
      schema: {
        tags,
        summary: 'Charging sessions, newest first',
        description: 'Drivers see their own; staff their tenant’s.',
        querystring: Type.Object({
          facility_id: Type.Optional(FacilityId),
          vehicle_id: Type.Optional(VehicleId),
          parking_session_id: Type.Optional(ParkingSessionId),
          status: Type.Optional(
            Type.Enum(['ACTIVE', 'PAUSED', 'COMPLETED', 'INTERRUPTED'], { type: 'string' }),
          ),
          ...pageQuery,
        }),
      },
    },
    async (request, reply) => {
      const principal = request.principal!;
      const q = request.query;
      const limit = q.limit ?? 100;
      const after = q.cursor ? decodeAfter(q.cursor) : undefined;
      const rows = await store.listSessions(pool, {
        ...(principal.role === 'driver' ? { customerId: principal.customer_id ?? '-' } : {}),
        ...(principal.role !== 'driver' && principal.role !== 'platform_admin'
          ? { tenantId: principal.tenant_id ?? '-' }
          : {}),
        ...(q.facility_id ? { facilityId: q.facility_id } : {}),
        ...(q.vehicle_id ? { vehicleId: q.vehicle_id } : {}),
        ...(q.parking_session_id ? { parkingSessionId: q.parking_session_id } : {}),
        ...(q.status ? { status: q.status } : {}),
        ...(after ? { after } : {}),
        limit: limit + 1,
      });
      const page = paginate(request, reply, rows, limit, (r) => r.charging_session_id);
      const ratings = await store.stationRatings(pool, [...new Set(page.map((s) => s.station_id))]);
      return page.map((s) => sessionView(s, ratings.get(s.station_id)!));
    },
  );

  app.get(
    '/charging/v1/sessions/:charging_session_id',
    {
      schema: {
        tags,
        summary: 'A charging session, live',
        description:
          'energy_delivered_kwh and current_rate_kw as the station last metered; time_remaining (minutes) to the ' +
          'target at the power it gets; estimated_cost of the energy to the target at the facility’s price per kWh.',
        params: Type.Object({ charging_session_id: ChargingSessionId }),
      },
    },
    async (request) => viewOf(await sessionOr404(request.principal!, request.params.charging_session_id)),
  );

  app.post(
    '/charging/v1/sessions/:charging_session_id/stop',
    {
      schema: {
        tags,
        summary: 'Stop charging',
        description:
          'Asks the station to stop and waits for its final meter reading; if it cannot be reached the session ends ' +
          'on the energy metered so far. Stopping an ended session answers its result again.',
        params: Type.Object({ charging_session_id: ChargingSessionId }),
        body: Type.Optional(
          Type.Object(
            {
              stop_time: Type.Optional(DateTime('When charging stopped, if not now (not in the future)')),
              reason: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
            },
            { additionalProperties: false },
          ),
        ),
      },
    },
    async (request) => {
      const principal = request.principal!;
      const session = await sessionOr404(principal, request.params.charging_session_id);
      const body = request.body ?? {};
      const stopTime = body.stop_time ? new Date(body.stop_time) : undefined;
      if (stopTime && (stopTime.getTime() > clock.now().getTime() + 60_000 || stopTime < session.start_time))
        throw problem('INVALID_STOP_TIME', 'stop_time must be between the session’s start and now', {
          errors: [{ field: 'stop_time', message: 'between start_time and now' }],
        });
      const stopped = await charging.stopSession(session, body.reason ?? 'Requested', stopTime);
      return {
        session_id: stopped.charging_session_id,
        status: stopped.status,
        energy_delivered_kwh: stopped.energy_delivered_kwh,
        total_cost:
          stopped.cost === null ? null : toMajor({ amount: stopped.cost, currency: stopped.currency }),
        currency: stopped.currency,
        stop_time: stopped.stop_time?.toISOString() ?? null,
      };
    },
  );

  app.post(
    '/charging/v1/sessions/:charging_session_id/pause',
    {
      schema: {
        tags,
        summary: 'Pause charging (the station is limited to 0 W; the car stays plugged in)',
        params: Type.Object({ charging_session_id: ChargingSessionId }),
      },
    },
    async (request) => {
      const principal = request.principal!;
      const session = await sessionOr404(principal, request.params.charging_session_id);
      return viewOf(await charging.pauseSession(session));
    },
  );

  app.post(
    '/charging/v1/sessions/:charging_session_id/resume',
    {
      schema: {
        tags,
        summary: 'Resume a paused charging session',
        params: Type.Object({ charging_session_id: ChargingSessionId }),
      },
    },
    async (request) => {
      const principal = request.principal!;
      const session = await sessionOr404(principal, request.params.charging_session_id);
      return viewOf(await charging.resumeSession(session));
    },
  );
}

function decodeAfter(cursor: string): string {
  const value = decodeCursor<unknown>(cursor);
  if (typeof value !== 'string' || !/^chs_[0-9a-f]{32}$/.test(value))
    throw problem('VALIDATION_FAILED', 'cursor is not one this API handed out', {
      errors: [{ field: 'cursor', message: 'unknown cursor' }],
    });
  return value;
}
