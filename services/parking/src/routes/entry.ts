import type { FacilityConfig } from '@easypark/facility/client';
import { commonProblem, newId } from '@easypark/kernel';
import {
  type App,
  type Emit,
  oncePerKey,
  type ServiceRuntime,
  type Static,
  storedAnswer,
  type Tx,
  Type,
} from '@easypark/platform';
import { type ArrivalAnswer, reservationClient } from '@easypark/reservation/client';
import { facilityForStaff } from '../access.ts';
import { canTakeBookedSpace, reservationPlate } from '../domain/reservations.ts';
import { fits, fittingSizes, type SpaceStatus } from '../domain/spaces.ts';
import { resolveEntryTime } from '../domain/times.ts';
import { parsePlate, type VehicleType, vehicleTypes } from '../domain/vehicles.ts';
import { mapDbErrors, problem } from '../errors.ts';
import { emitSpaceEvent, reportOccupancyChange } from '../events.ts';
import { reconcileSpace } from '../reservations.ts';
import {
  type ConfirmedReservation,
  lockArrivingReservation,
  recordConfirmed,
  settleReservation,
} from '../store/reservations.ts';
import { insertSession, openSessionOfVehicle, type SessionDetail } from '../store/sessions.ts';
import {
  getSpace,
  lockSpace,
  occupyFreeSpace,
  occupySpace,
  type SpaceRow,
  setSpaceStatus,
  type TakenSpace,
} from '../store/spaces.ts';
import { findOrAddDriveUpVehicle, getVehicle, type VehicleRow } from '../store/vehicles.ts';
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
    reservation_code: Type.Optional(
      Type.String({
        minLength: 4,
        maxLength: 32,
        description: 'The confirmation code of the reservation the driver arrives under',
      }),
    ),
  },
  { additionalProperties: false },
);

type Entry = Static<typeof RecordEntry>;
type SessionAnswer = ReturnType<typeof sessionView>;

/** The reservation an entry parks under: from its confirmation code, or found by the plate. */
interface Booking {
  reservation_id: string;
  space_id: string;
  customer_id: string | null;
  /** As the Reservation service answered, for when its confirmation has not reached us yet. */
  confirmed?: ConfirmedReservation;
}

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
          'that fits is assigned: exact size first, then spaces nobody booked, then those booked for latest, then ' +
          'the level nearest the ground, aisle and number; a space whose reservation’s arrival window is open ' +
          'is never given to another vehicle. With `reservation_code` the Reservation service checks the ' +
          'arrival and its problems are answered as they are: 404 RESERVATION_NOT_FOUND, 409 ' +
          'RESERVATION_NOT_CONFIRMED, ARRIVAL_TOO_EARLY, ARRIVAL_TOO_LATE. Without it, a plate with a ' +
          'reservation in this facility whose arrival window is open parks under that reservation. Under a ' +
          'reservation the vehicle gets the booked space, or the best free one if the booked space is taken or ' +
          'under maintenance. Send an `Idempotency-Key` header to make retries safe.',
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
      const principal = request.principal!;
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
      const once = { scope: `${principal.sub}:entry`, key: request.headers['idempotency-key'], body };
      const replay = (session: SessionAnswer) =>
        reply.header('idempotent-replayed', 'true').code(201).send(session);

      // A retry must get the first answer, not a second check of a reservation the first used up.
      let booking: Booking | undefined;
      if (body.reservation_code !== undefined) {
        const earlier = await storedAnswer<SessionAnswer>(runtime.pool, once);
        if (earlier) return replay(earlier);
        try {
          booking = bookingOf(
            await reservationClient(runtime.client('reservation')).validateArrival({
              facility_id: facility.facility_id,
              confirmation_code: body.reservation_code,
              ...(plate !== undefined ? { registration_number: plate } : {}),
              at: entryTime.toISOString(),
            }),
            body.reservation_code,
          );
        } catch (error) {
          const meanwhile = await storedAnswer<SessionAnswer>(runtime.pool, once);
          if (meanwhile) return replay(meanwhile);
          throw error;
        }
      }

      const result = await mapDbErrors(() =>
        runtime.transaction((tx, emit) =>
          oncePerKey(tx, { ...once, status: 201 }, () =>
            enter(tx, emit, facility, body, plate, booking, entryTime, now),
          ),
        ),
      );
      if (result.replayed) return replay(result.answer);
      return reply.code(201).send(result.answer);
    },
  );
}

function bookingOf(answer: ArrivalAnswer, code: string): Booking {
  return {
    reservation_id: answer.reservation_id,
    space_id: answer.space_id,
    customer_id: answer.customer_id,
    confirmed: {
      reservation_id: answer.reservation_id,
      space_id: answer.space_id,
      customer_id: answer.customer_id,
      confirmation_code: code,
      registration_number: reservationPlate(answer.registration_number),
      start_time: answer.start_time,
      end_time: answer.end_time,
      arrival_from: answer.arrival_from,
      arrival_until: answer.arrival_until,
    },
  };
}

async function enter(
  tx: Tx,
  emit: Emit,
  facility: FacilityConfig,
  body: Entry,
  plate: string | undefined,
  checked: Booking | undefined,
  entryTime: Date,
  now: Date,
) {
  const { vehicle, added } = await resolveVehicle(
    tx,
    facility,
    body.vehicle_id,
    plate,
    body.vehicle_type ?? 'CAR',
    now,
  );
  if (!added && (await openSessionOfVehicle(tx, vehicle.vehicle_id))) {
    throw problem('VEHICLE_ALREADY_PARKED', `Vehicle ${vehicle.registration_number} has an open session`);
  }
  // A camera read the plate: its reservation is known here, no need to ask the Reservation service.
  const booking: Booking | undefined =
    checked ??
    (await lockArrivingReservation(tx, facility.facility_id, vehicle.registration_number, entryTime)) ??
    undefined;
  const { space, from, availableSince } = await takeSpace(
    tx,
    facility.facility_id,
    body.space_id,
    vehicle,
    booking,
    now,
    entryTime,
  );
  // A car arriving now parks in a space once the one before has left it. The clock was read when
  // the request came in, so an exit that committed since (or another replica, its clock a little
  // ahead) may have freed the space later than that: the stay then starts when the space was freed.
  // A back-dated entry keeps its time; takeSpace gave it a space nobody used since.
  if (body.entry_time === undefined && availableSince > entryTime) entryTime = availableSince;

  const sessionId = newId('parkingSession');
  const customerId = booking?.customer_id ?? vehicle.owner_id;
  const session = {
    session_id: sessionId,
    tenant_id: facility.tenant_id,
    vehicle_id: vehicle.vehicle_id,
    space_id: space.space_id,
    facility_id: facility.facility_id,
    entry_time: entryTime,
    currency: facility.currency,
    customer_id: customerId,
    reservation_id: booking?.reservation_id ?? null,
  };
  await insertSession(tx, session, now);
  if (booking) {
    if (booking.confirmed) await recordConfirmed(tx, booking.confirmed, now);
    await settleReservation(tx, booking, 'FULFILLED', sessionId, now);
  }
  const detail: SessionDetail = {
    ...session,
    exit_time: null,
    duration_hours: null,
    charge_amount: null,
    created_at: now,
    updated_at: now,
    registration_number: vehicle.registration_number,
    vehicle_type: vehicle.vehicle_type,
    is_electric: vehicle.is_electric,
    battery_capacity_kwh: vehicle.battery_capacity_kwh,
    connector_type: vehicle.connector_type,
    space_size: space.size,
    location_floor: space.location_floor,
    location_aisle: space.location_aisle,
    location_number: space.location_number,
  };
  // Counted first so the entered event carries the facility's exact occupancy after this entry:
  // consumers may see events out of order, and a day's peak must not depend on it.
  const counts = await reportOccupancyChange(tx, emit, facility, { from, to: 'OCCUPIED', count: 1 }, now);
  if (booking && booking.space_id !== space.space_id) {
    // The driver parks elsewhere (the gate named another space, or the vehicle does not fit the
    // booked one): that space is not held for this reservation any longer.
    const booked = await lockSpace(tx, booking.space_id);
    if (booked) await reconcileSpace(tx, emit, facility, booked, now);
  }
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
      customer_id: customerId,
      reservation_id: booking?.reservation_id ?? null,
      timestamp: entryTime.toISOString(),
      occupied_spaces: counts?.occupied ?? null,
    },
  });
  emitSpaceEvent(emit, 'parking.space.occupied', space, entryTime);
  return sessionView(detail);
}

/**
 * The space a vehicle parks in and the status it had: under a reservation the booked space if
 * it can take the vehicle, else the one the gate named, else the best free one.
 */
async function takeSpace(
  tx: Tx,
  facilityId: string,
  namedSpaceId: string | undefined,
  vehicle: VehicleRow,
  booking: Booking | undefined,
  now: Date,
  entryTime: Date,
): Promise<{ space: SpaceRow; from: SpaceStatus; availableSince: Date }> {
  const type = vehicle.vehicle_type;
  if (booking && (namedSpaceId === undefined || namedSpaceId === booking.space_id)) {
    const booked = await lockSpace(tx, booking.space_id);
    if (booked && booked.facility_id === facilityId && canTakeBookedSpace(booked, type)) {
      return {
        space: await setSpaceStatus(tx, booked.space_id, 'OCCUPIED', null, now),
        from: booked.status,
        availableSince: booked.last_updated,
      };
    }
  }
  if (namedSpaceId !== undefined) {
    const space = await occupyNamedSpace(tx, facilityId, namedSpaceId, type, now);
    return { space, from: 'AVAILABLE', availableSince: space.available_since };
  }
  const space = await occupyFreeSpace(tx, facilityId, fittingSizes(type), now, entryTime);
  if (!space) throw problem('NO_SPACE_AVAILABLE', `No free space fits a ${type} in this facility`);
  return { space, from: 'AVAILABLE', availableSince: space.available_since };
}

/** The vehicle by id (the facility's tenant's or a driver's), or by plate, created on first sight. */
/** The vehicle entering; `added` when its plate was recorded just now (so it cannot be parked already). */
async function resolveVehicle(
  tx: Tx,
  facility: FacilityConfig,
  vehicleId: string | undefined,
  plate: string | undefined,
  typeForNewPlate: VehicleType,
  now: Date,
): Promise<{ vehicle: VehicleRow; added: boolean }> {
  if (vehicleId !== undefined) {
    const vehicle = await getVehicle(tx, vehicleId);
    if (!vehicle || (vehicle.tenant_id !== null && vehicle.tenant_id !== facility.tenant_id)) {
      throw problem('VEHICLE_NOT_FOUND', `There is no vehicle ${vehicleId}`);
    }
    return { vehicle, added: false };
  }
  return findOrAddDriveUpVehicle(
    tx,
    {
      vehicle_id: newId('vehicle'),
      tenant_id: facility.tenant_id,
      registration_number: plate!,
      vehicle_type: typeForNewPlate,
    },
    now,
  );
}

/** Occupies the space the gate named, or says precisely why it cannot. */
async function occupyNamedSpace(
  tx: Tx,
  facilityId: string,
  spaceId: string,
  type: VehicleType,
  now: Date,
): Promise<TakenSpace> {
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
