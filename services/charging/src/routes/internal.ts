import { toMajor } from '@easypark/kernel';
import { type App, type ServiceRuntime, Type } from '@easypark/platform';
import type { EnergyAnswer } from '../client.ts';
import { chargingFinishedAt } from '../domain/meter.ts';
import { problem } from '../errors.ts';
import * as store from '../store.ts';
import { ChargingSessionId, ParkingSessionId } from './schemas.ts';

/** Service-to-service routes ('internal' in the route-access table): service tokens only, never exposed by the gateway. */
const tags = ['Internal'];

export function energyAnswer(s: store.SessionRow): EnergyAnswer {
  const ended = !store.openStatuses.includes(s.status);
  return {
    charging_session_id: s.charging_session_id,
    status: s.status,
    tenant_id: s.tenant_id,
    facility_id: s.facility_id,
    station_id: s.station_id,
    vehicle_id: s.vehicle_id,
    customer_id: s.customer_id,
    parking_session_id: s.parking_session_id,
    start_time: s.start_time.toISOString(),
    stop_time: s.stop_time?.toISOString() ?? null,
    charging_finished_at: chargingFinishedAt(s)?.toISOString() ?? null,
    vehicle_type: s.vehicle_type,
    energy_delivered_kwh: s.energy_delivered_kwh,
    meter_start_wh: s.meter_start_wh,
    meter_stop_wh: ended ? s.meter_last_wh : null,
    currency: s.currency,
    price_per_kwh: toMajor({ amount: s.price_per_kwh, currency: s.currency }),
    total_cost: s.cost === null ? null : toMajor({ amount: s.cost, currency: s.currency }),
  };
}

export function internalRoutes(app: App, runtime: ServiceRuntime): void {
  const { pool } = runtime;

  async function sessionOr404(sessionId: string) {
    const session = await store.getSession(pool, sessionId);
    if (!session) throw problem('CHARGING_SESSION_NOT_FOUND', `There is no charging session ${sessionId}`);
    return session;
  }

  app.post(
    '/charging/internal/sessions/validate',
    {
      schema: {
        tags,
        summary: 'Whether a charging session is final and billable (for billing)',
        description:
          'valid is true when the session has ended (COMPLETED or INTERRUPTED) and, if parking_session_id is ' +
          'given, belongs to it. reason says why not: STILL_CHARGING or PARKING_SESSION_MISMATCH.',
        body: Type.Object(
          { charging_session_id: ChargingSessionId, parking_session_id: Type.Optional(ParkingSessionId) },
          { additionalProperties: false },
        ),
      },
    },
    async (request) => {
      const session = await sessionOr404(request.body.charging_session_id);
      const reason = store.openStatuses.includes(session.status)
        ? 'STILL_CHARGING'
        : request.body.parking_session_id !== undefined &&
            request.body.parking_session_id !== session.parking_session_id
          ? 'PARKING_SESSION_MISMATCH'
          : null;
      return { valid: reason === null, reason, ...energyAnswer(session) };
    },
  );

  app.get(
    '/charging/internal/sessions/:session_id/energy',
    {
      schema: {
        tags,
        summary: 'Energy a charging session delivered and what it costs (for billing)',
        params: Type.Object({ session_id: ChargingSessionId }),
      },
    },
    async (request) => energyAnswer(await sessionOr404(request.params.session_id)),
  );

  app.get(
    '/charging/internal/parking-sessions/:parking_session_id/sessions',
    {
      schema: {
        tags,
        summary: 'Every charging session of a parking session (for billing at exit)',
        params: Type.Object({ parking_session_id: ParkingSessionId }),
      },
    },
    async (request) =>
      (
        await store.listSessions(pool, { parkingSessionId: request.params.parking_session_id, limit: 100 })
      ).map(energyAnswer),
  );
}
