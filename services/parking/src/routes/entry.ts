import { createHash } from 'node:crypto';
import type { FacilityConfig } from '@easypark/facility/client';
import { commonProblem, newId } from '@easypark/kernel';
import { type App, type Emit, type ServiceRuntime, type Static, type Tx, Type } from '@easypark/platform';
import { facilityForStaff, requireStaff } from '../access.ts';
import { fits, fittingSizes } from '../domain/spaces.ts';
import { resolveEntryTime } from '../domain/times.ts';
import { parsePlate, type VehicleType, vehicleTypes } from '../domain/vehicles.ts';
import { mapDbErrors, problem } from '../errors.ts';
import { emitSpaceEvent, reportOccupancyChange } from '../events.ts';
import { claimKey, storeResponse } from '../store/idempotency.ts';
import { getSessionDetail, insertSession, openSessionOfVehicle } from '../store/sessions.ts';
import { getSpace, occupyFreeSpace, occupySpace, type SpaceRow } from '../store/spaces.ts';
import {
  findVehicleForTenant,
  getVehicle,
  insertDriveUpVehicle,
  type VehicleRow,
} from '../store/vehicles.ts';
import { sessionView } from '../views.ts';
import { FacilityId, IdOf, problems, Session, VehicleId } from './schemas.ts';

const RecordEntry = Type.Object(
  {
    facility_id: FacilityId,
    vehicle_id: Type.Optional(VehicleId),
    registration_number: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 30,
        description: 'As a plate reader sends it; instead of vehicle_id',
      }),
    ),
    vehicle_type: Type.Optional(
      Type.Enum(vehicleTypes, {
        type: 'string',
        description: 'For a plate seen for the first time (default CAR)',
      }),
    ),
    space_id: Type.Optional(IdOf('space', 'Omit to let the service assign the best free space')),
    entry_time: Type.Optional(
      Type.String({
        format: 'date-time',
        description: 'For entries a gate buffered offline: at most 7 days ago',
      }),
    ),
  },
  { additionalProperties: false },
);

type Entry = Static<typeof RecordEntry>;

export function entryRoutes(app: App, runtime: ServiceRuntime): void {
  app.post(
    '/parking/v1/sessions/entry',
    {
      schema: {
        tags: ['Sessions'],
        summary: 'Record a vehicle entry',
        description:
          'Opens a parking session. Identify the vehicle by `vehicle_id` or by `registration_number` (an unknown ' +
          'plate creates a vehicle record in the facility’s tenant). Without `space_id` the best free space ' +
          'that fits is assigned: exact size first, then the level nearest the ground, then aisle and number. ' +
          'Send an `Idempotency-Key` header to make retries safe.',
        headers: Type.Object({
          'idempotency-key': Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
        }),
        body: RecordEntry,
        response: {
          201: Session,
          ...problems(
            'INVALID_TIME',
            'INVALID_REGISTRATION',
            'FACILITY_NOT_FOUND',
            'VEHICLE_NOT_FOUND',
            'SPACE_NOT_FOUND',
            'FACILITY_NOT_ACTIVE',
            'SPACE_OCCUPIED',
            'SPACE_NOT_AVAILABLE',
            'SPACE_TOO_SMALL',
            'NO_SPACE_AVAILABLE',
            'VEHICLE_ALREADY_PARKED',
            'IDEMPOTENCY_KEY_REUSED',
          ),
        },
      },
    },
    async (request, reply) => {
      const principal = requireStaff(request.principal);
      const body = request.body;
      if ((body.vehicle_id === undefined) === (body.registration_number === undefined)) {
        throw commonProblem('VALIDATION_FAILED', 'Give exactly one of vehicle_id and registration_number', {
          errors: [{ field: 'vehicle_id', message: 'exactly one of vehicle_id, registration_number' }],
        });
      }
      const plate = body.registration_number === undefined ? undefined : parsePlate(body.registration_number);
      const facility = await facilityForStaff(runtime, principal, body.facility_id);
      if (facility.status !== 'ACTIVE') {
        throw problem('FACILITY_NOT_ACTIVE', `The facility is ${facility.status}; it accepts no entries`);
      }
      const now = runtime.clock.now();
      const entryTime = resolveEntryTime(
        body.entry_time === undefined ? undefined : new Date(body.entry_time),
        now,
      );
      const key = request.headers['idempotency-key'];
      const scope = `${principal.sub}:entry`;
      const hash = createHash('sha256').update(JSON.stringify(body)).digest('hex');

      const result = await mapDbErrors(() =>
        runtime.transaction(async (tx, emit) => {
          if (key !== undefined) {
            const first = await claimKey(tx, scope, key, hash);
            if (first) {
              if (first.request_hash !== hash) throw commonProblem('IDEMPOTENCY_KEY_REUSED');
              return { replayed: true, session: first.response as ReturnType<typeof sessionView> };
            }
          }
          const session = await enter(tx, emit, facility, body, plate, entryTime, now);
          if (key !== undefined) await storeResponse(tx, scope, key, 201, session);
          return { replayed: false, session };
        }),
      );
      if (result.replayed) reply.header('idempotent-replayed', 'true');
      return reply.code(201).send(result.session);
    },
  );
}

async function enter(
  tx: Tx,
  emit: Emit,
  facility: FacilityConfig,
  body: Entry,
  plate: string | undefined,
  entryTime: Date,
  now: Date,
) {
  const vehicle = await resolveVehicle(tx, facility, body.vehicle_id, plate, body.vehicle_type ?? 'CAR', now);
  if (await openSessionOfVehicle(tx, vehicle.vehicle_id)) {
    throw problem('VEHICLE_ALREADY_PARKED', `Vehicle ${vehicle.registration_number} has an open session`);
  }
  const space =
    body.space_id === undefined
      ? await occupyFreeSpace(tx, facility.facility_id, fittingSizes(vehicle.vehicle_type), now)
      : await occupyNamedSpace(tx, facility.facility_id, body.space_id, vehicle.vehicle_type, now);
  if (!space)
    throw problem('NO_SPACE_AVAILABLE', `No free space fits a ${vehicle.vehicle_type} in this facility`);

  const sessionId = newId('parkingSession');
  await insertSession(
    tx,
    {
      session_id: sessionId,
      tenant_id: facility.tenant_id,
      vehicle_id: vehicle.vehicle_id,
      space_id: space.space_id,
      facility_id: facility.facility_id,
      entry_time: entryTime,
      currency: facility.currency,
      customer_id: vehicle.owner_id,
      reservation_id: null,
    },
    now,
  );
  // Counted first so the entered event carries the facility's exact occupancy after this entry:
  // consumers may see events out of order, and a day's peak must not depend on it.
  const counts = await reportOccupancyChange(
    tx,
    emit,
    facility,
    { from: 'AVAILABLE', to: 'OCCUPIED', count: 1 },
    now,
  );
  emit({
    type: 'parking.vehicle.entered',
    subject: sessionId,
    tenantid: facility.tenant_id,
    facilityid: facility.facility_id,
    data: {
      vehicle_id: vehicle.vehicle_id,
      space_id: space.space_id,
      facility_id: facility.facility_id,
      session_id: sessionId,
      registration_number: vehicle.registration_number,
      vehicle_type: vehicle.vehicle_type,
      space_size: space.size,
      customer_id: vehicle.owner_id,
      reservation_id: null,
      timestamp: entryTime.toISOString(),
      occupied_spaces: counts?.occupied ?? null,
    },
  });
  emitSpaceEvent(emit, 'parking.space.occupied', space, entryTime);
  return sessionView((await getSessionDetail(tx, sessionId))!);
}

/** The vehicle by id (the facility's tenant's or a driver's), or by plate, created on first sight. */
async function resolveVehicle(
  tx: Tx,
  facility: FacilityConfig,
  vehicleId: string | undefined,
  plate: string | undefined,
  typeForNewPlate: VehicleType,
  now: Date,
): Promise<VehicleRow> {
  if (vehicleId !== undefined) {
    const vehicle = await getVehicle(tx, vehicleId);
    if (!vehicle || (vehicle.tenant_id !== null && vehicle.tenant_id !== facility.tenant_id)) {
      throw problem('VEHICLE_NOT_FOUND', `There is no vehicle ${vehicleId}`);
    }
    return vehicle;
  }
  const known = await findVehicleForTenant(tx, plate!, facility.tenant_id);
  if (known) return known;
  const driveUp = {
    vehicle_id: newId('vehicle'),
    tenant_id: facility.tenant_id,
    registration_number: plate!,
    vehicle_type: typeForNewPlate,
  };
  return insertDriveUpVehicle(tx, driveUp, now);
}

/** Occupies the space the gate named, or says precisely why it cannot. */
async function occupyNamedSpace(
  tx: Tx,
  facilityId: string,
  spaceId: string,
  type: VehicleType,
  now: Date,
): Promise<SpaceRow> {
  const occupied = await occupySpace(tx, spaceId, facilityId, fittingSizes(type), now);
  if (occupied) return occupied;
  const space = await getSpace(tx, spaceId);
  if (!space || space.facility_id !== facilityId)
    throw problem('SPACE_NOT_FOUND', `The facility has no space ${spaceId}`);
  if (!fits(space.size, type))
    throw problem('SPACE_TOO_SMALL', `A ${type} does not fit a ${space.size} space`);
  if (space.status === 'OCCUPIED') throw problem('SPACE_OCCUPIED', 'Another vehicle is parked in this space');
  throw problem('SPACE_NOT_AVAILABLE', `The space is ${space.status}`, { space_status: space.status });
}
