import { randomBytes } from 'node:crypto';
import { newId } from '@easypark/kernel';
import { type App, type ServiceRuntime, Type } from '@easypark/platform';
import { canSeeStation, loadFacility } from '../access.ts';
import type { Charging } from '../charging.ts';
import { problem } from '../errors.ts';
import type { CentralSystem } from '../ocpp/central.ts';
import { hashStationPassword } from '../ocpp/central.ts';
import { changeAvailability } from '../ocpp/messages.ts';
import { facilityAvailability } from '../queue.ts';
import type { ChargingSettings } from '../settings.ts';
import * as store from '../store.ts';
import { maintenanceView, stationView } from '../views.ts';
import { ChargerLevel, ConnectorType, FacilityId, StationId } from './schemas.ts';

const tags = ['Stations'];

const RegisterStation = Type.Object(
  {
    facility_id: FacilityId,
    charger_level: ChargerLevel,
    connector_type: ConnectorType,
    power_rating_kw: Type.Number({ exclusiveMinimum: 0, maximum: 1000, multipleOf: 0.01 }),
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
    warranty_expiry: Type.Optional(Type.String({ format: 'date' })),
  },
  { additionalProperties: false },
);

const UpdateStation = Type.Object(
  {
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
    power_rating_kw: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 1000, multipleOf: 0.01 })),
    warranty_expiry: Type.Optional(Type.Union([Type.String({ format: 'date' }), Type.Null()])),
  },
  { additionalProperties: false, minProperties: 1 },
);

/** Typical ratings, so that a LEVEL1 charger claiming 350 kW is caught as a typo. */
const maxKwByLevel = { LEVEL1: 3.7, LEVEL2: 43, DCFC: 1000 } as const;

export function stationRoutes(
  app: App,
  runtime: ServiceRuntime,
  settings: ChargingSettings,
  charging: Charging,
  central: CentralSystem,
): void {
  const { pool, clock } = runtime;

  async function stationOr404(principal: Parameters<typeof canSeeStation>[0], stationId: string) {
    const station = await store.getStation(pool, stationId);
    if (!station || !canSeeStation(principal, station))
      throw problem('STATION_NOT_FOUND', `There is no charging station ${stationId}`);
    return station;
  }

  app.post(
    '/charging/v1/stations',
    {
      schema: {
        tags,
        summary: 'Register a charging station',
        description:
          'Answers the station and its `ocpp_password`, shown only this once: configure the station with the ' +
          'URL `ocpp_url` (it appends its id), its id as the user name and this password (OCPP security profile 1). ' +
          'The station is OFFLINE until it connects.',
        body: RegisterStation,
      },
    },
    async (request, reply) => {
      const principal = request.principal!;
      const body = request.body;
      const facility = await loadFacility(runtime, principal, body.facility_id);
      if (body.power_rating_kw > maxKwByLevel[body.charger_level])
        throw problem(
          'VALIDATION_FAILED',
          `A ${body.charger_level} charger delivers at most ${maxKwByLevel[body.charger_level]} kW`,
          {
            errors: [
              {
                field: 'power_rating_kw',
                message: `at most ${maxKwByLevel[body.charger_level]} for ${body.charger_level}`,
              },
            ],
          },
        );
      const password = randomBytes(20).toString('hex');
      const now = clock.now();
      const station = await runtime.transaction((tx) =>
        store.insertStation(tx, {
          station_id: newId('station'),
          tenant_id: facility.tenant_id,
          facility_id: facility.facility_id,
          name: body.name ?? null,
          charger_level: body.charger_level,
          connector_type: body.connector_type,
          power_rating_kw: body.power_rating_kw,
          ocpp_password_hash: hashStationPassword(password),
          warranty_expiry: body.warranty_expiry ?? null,
          created_at: now,
          updated_at: now,
        }),
      );
      return reply
        .code(201)
        .header('location', `/charging/v1/stations/${station.station_id}`)
        .send({
          ...stationView(station),
          ocpp_password: password,
          ocpp_url: '/ocpp',
          ocpp_identity: station.station_id,
        });
    },
  );

  app.get(
    '/charging/v1/stations/:id',
    {
      schema: {
        tags,
        summary: 'A facility’s charging stations (fac_…), or one station (stn_…)',
        description:
          'With a facility id: every station there with its live status and availability (free now, or in how ' +
          'many minutes). With a station id: that station.',
        params: Type.Object({
          id: Type.Union([FacilityId, StationId], {
            description: 'fac_… for a facility’s stations, stn_… for one',
          }),
        }),
      },
    },
    async (request) => {
      const principal = request.principal!;
      const { id } = request.params;
      if (id.startsWith('stn_')) {
        const station = await stationOr404(principal, id);
        const open = await store.openSessionOnStation(pool, id);
        return stationView(station, open?.charging_session_id ?? null);
      }
      await loadFacility(runtime, principal, id);
      const stations = await facilityAvailability(pool, id, settings.queueHoldMinutes, clock.now());
      return stations.map(({ load: { station }, availability }) => ({
        ...stationView(station, station.open_session_id),
        availability,
      }));
    },
  );

  app.patch(
    '/charging/v1/stations/:station_id',
    {
      schema: {
        tags,
        summary: 'Rename a station, correct its rating or warranty',
        params: Type.Object({ station_id: StationId }),
        body: UpdateStation,
      },
    },
    async (request) => {
      const principal = request.principal!;
      const station = await stationOr404(principal, request.params.station_id);
      const body = request.body;
      if (body.power_rating_kw !== undefined && body.power_rating_kw > maxKwByLevel[station.charger_level])
        throw problem(
          'VALIDATION_FAILED',
          `A ${station.charger_level} charger delivers at most ${maxKwByLevel[station.charger_level]} kW`,
          {
            errors: [{ field: 'power_rating_kw', message: 'above what the charger level delivers' }],
          },
        );
      const updated = await runtime.transaction((tx) =>
        store.updateStation(tx, station.station_id, {
          ...(body.name !== undefined ? { name: body.name } : {}),
          ...(body.power_rating_kw !== undefined ? { power_rating_kw: body.power_rating_kw } : {}),
          ...(body.warranty_expiry !== undefined ? { warranty_expiry: body.warranty_expiry } : {}),
          updated_at: clock.now(),
        }),
      );
      if (body.power_rating_kw !== undefined) await charging.settle(station.facility_id);
      return stationView(updated);
    },
  );

  app.post(
    '/charging/v1/stations/:station_id/password',
    {
      schema: {
        tags,
        summary: 'Give a station a new OCPP password',
        description:
          'For a lost or leaked password: answers the new one, shown only this once. The old one stops working ' +
          'and a station connected with it is disconnected.',
        params: Type.Object({ station_id: StationId }),
      },
    },
    async (request) => {
      const principal = request.principal!;
      const station = await stationOr404(principal, request.params.station_id);
      const password = randomBytes(20).toString('hex');
      await runtime.transaction((tx) =>
        store.updateStation(tx, station.station_id, {
          ocpp_password_hash: hashStationPassword(password),
          updated_at: clock.now(),
        }),
      );
      await central.disconnect(station.station_id);
      return { station_id: station.station_id, ocpp_password: password };
    },
  );

  app.post(
    '/charging/v1/stations/:station_id/maintenance',
    {
      schema: {
        tags,
        summary: 'Put a station in maintenance',
        description:
          'Refused while it charges a car (STATION_BUSY): stop the session first. The station is told it is inoperative.',
        params: Type.Object({ station_id: StationId }),
        body: Type.Object(
          {
            reason: Type.String({ minLength: 1, maxLength: 500 }),
            notes: Type.Optional(Type.String({ maxLength: 2000 })),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (request, reply) => {
      const principal = request.principal!;
      const station = await stationOr404(principal, request.params.station_id);
      const now = clock.now();
      const record = await runtime.transaction(async (tx, emit) => {
        const current = (await store.lockStation(tx, station.station_id))!;
        if (current.in_maintenance)
          throw problem('MAINTENANCE_ALREADY_OPEN', 'The station is already in maintenance');
        if (await store.openSessionOnStation(tx, station.station_id))
          throw problem('STATION_BUSY', 'The station is charging a car: stop the session first');
        const row = await store.insertMaintenance(tx, {
          maintenance_id: newId('maintenance'),
          station_id: station.station_id,
          started_at: now,
          reason: request.body.reason,
          notes: request.body.notes ?? null,
          started_by: principal.sub,
        });
        await store.updateStation(tx, station.station_id, { in_maintenance: true, updated_at: now });
        await charging.refreshStation(tx, emit, station.station_id);
        return row;
      });
      await tellAvailability(station.station_id, false);
      return reply.code(201).send(maintenanceView(record));
    },
  );

  app.post(
    '/charging/v1/stations/:station_id/maintenance/end',
    {
      schema: {
        tags,
        summary: 'Bring a station back from maintenance',
        params: Type.Object({ station_id: StationId }),
        body: Type.Optional(
          Type.Object(
            { notes: Type.Optional(Type.String({ maxLength: 2000 })) },
            { additionalProperties: false },
          ),
        ),
      },
    },
    async (request) => {
      const principal = request.principal!;
      const station = await stationOr404(principal, request.params.station_id);
      const now = clock.now();
      const record = await runtime.transaction(async (tx, emit) => {
        const open = await store.openMaintenance(tx, station.station_id);
        if (!open) throw problem('MAINTENANCE_NOT_OPEN', 'The station is not in maintenance');
        const ended = await store.endMaintenance(tx, open.maintenance_id, now, principal.sub);
        await store.updateStation(tx, station.station_id, {
          in_maintenance: false,
          last_maintenance: now,
          updated_at: now,
        });
        await charging.refreshStation(tx, emit, station.station_id);
        return ended;
      });
      await tellAvailability(station.station_id, true);
      await charging.settle(station.facility_id);
      return maintenanceView(record);
    },
  );

  app.get(
    '/charging/v1/stations/:station_id/maintenance',
    {
      schema: {
        tags,
        summary: 'A station’s maintenance records, newest first',
        params: Type.Object({ station_id: StationId }),
      },
    },
    async (request) => {
      const principal = request.principal!;
      const station = await stationOr404(principal, request.params.station_id);
      return (await store.maintenanceHistory(pool, station.station_id)).map(maintenanceView);
    },
  );

  /** Best effort: a station that is not connected learns its state when it next boots. */
  async function tellAvailability(stationId: string, operative: boolean): Promise<void> {
    const protocol = central.protocolOf(stationId);
    if (!protocol) return;
    const { method, params } = changeAvailability(protocol, operative);
    await central
      .call(stationId, method, params)
      .catch((error) =>
        runtime.logger.warn({ err: error, station: stationId }, 'could not change a station’s availability'),
      );
  }

  app.get(
    '/charging/v1/facilities/:facility_id/power-limit',
    {
      schema: {
        tags,
        summary: 'The most power the facility’s stations may draw together',
        params: Type.Object({ facility_id: FacilityId }),
      },
    },
    async (request) => {
      const principal = request.principal!;
      const facility = await loadFacility(runtime, principal, request.params.facility_id);
      return powerLimitView(facility.facility_id);
    },
  );

  app.put(
    '/charging/v1/facilities/:facility_id/power-limit',
    {
      schema: {
        tags,
        summary: 'Set the facility’s charging power limit',
        description:
          'When the open sessions would draw more, the power is shared among them (equally, never above a ' +
          'station’s rating) and each station is sent a charging profile. null removes the limit.',
        params: Type.Object({ facility_id: FacilityId }),
        body: Type.Object(
          {
            max_power_kw: Type.Union([
              Type.Number({ exclusiveMinimum: 0, maximum: 100_000, multipleOf: 0.01 }),
              Type.Null(),
            ]),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (request) => {
      const principal = request.principal!;
      const facility = await loadFacility(runtime, principal, request.params.facility_id);
      await runtime.transaction((tx) =>
        store.setSiteLimit(tx, {
          facility_id: facility.facility_id,
          tenant_id: facility.tenant_id,
          max_power_kw: request.body.max_power_kw,
          updated_at: clock.now(),
        }),
      );
      await charging.settle(facility.facility_id);
      return powerLimitView(facility.facility_id);
    },
  );

  async function powerLimitView(facilityId: string) {
    const sessions = await store.openSessionsAtFacility(pool, facilityId);
    return {
      facility_id: facilityId,
      max_power_kw: await store.siteLimitKw(pool, facilityId),
      allocated_kw:
        Math.round(sessions.reduce((sum, s) => sum + (s.allocated_kw ?? s.power_rating_kw), 0) * 100) / 100,
      sessions: sessions.map((s) => ({
        charging_session_id: s.charging_session_id,
        station_id: s.station_id,
        status: s.status,
        allocated_power_kw: s.allocated_kw,
        current_rate_kw: s.current_rate_kw,
      })),
    };
  }
}
