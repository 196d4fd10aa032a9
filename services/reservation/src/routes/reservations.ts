import { quoteStay } from '@easypark/billing/tariff';
import type { FacilityConfig } from '@easypark/facility/client';
import { facilityClient } from '@easypark/facility/client';
import { fromMajor, newId, type Principal } from '@easypark/kernel';
import {
  type App,
  decodeCursor,
  isIdCursor,
  oncePerKey,
  pageQuery,
  paginate,
  pgConstraint,
  type Queryable,
  type ServiceRuntime,
  type Tx,
  Type,
} from '@easypark/platform';
import { bookingCustomer, canSee, loadFacility } from '../access.ts';
import { newConfirmationCode, normalizePlate } from '../domain/codes.ts';
import { arrivalWindow, cancellationFee, checkBookingWindow } from '../domain/window.ts';
import { problem } from '../errors.ts';
import { emitCancelled, emitConfirmed, emitCreated, emitExpired } from '../events.ts';
import type { ReservationSettings } from '../settings.ts';
import type { BookableSpace, SpaceDirectory } from '../spaces.ts';
import * as store from '../store.ts';
import { parkingDetails, reservationView } from '../views.ts';
import { DateTime, FacilityId, IdOf, ReservationId, SpaceSize, VehicleType } from './schemas.ts';

const CreateBody = Type.Object(
  {
    customer_id: Type.Optional(IdOf('customer', 'The driver (cus_…); drivers may omit it')),
    facility_id: FacilityId,
    desired_space_size: SpaceSize,
    start_time: DateTime('Start of the window'),
    end_time: DateTime('End of the window'),
    space_id: Type.Optional(IdOf('space', 'A particular space; omit to get the best free one')),
    vehicle_type: Type.Optional(VehicleType),
    registration_number: Type.Optional(
      Type.String({ minLength: 1, maxLength: 30, description: 'Lets a plate camera recognise the car' }),
    ),
  },
  { additionalProperties: false },
);

const CancelBody = Type.Object(
  { reason: Type.Optional(Type.String({ maxLength: 500 })) },
  { additionalProperties: false },
);

const statuses = ['PENDING', 'CONFIRMED', 'CANCELLED', 'EXPIRED', 'FULFILLED', 'NO_SHOW'] as const;
const tags = ['reservations'];
const minuteMs = 60_000;

export function reservationRoutes(
  app: App,
  runtime: ServiceRuntime,
  settings: ReservationSettings,
  spaces: SpaceDirectory,
): void {
  const { pool, clock } = runtime;

  app.post(
    '/reservations/v1/create',
    {
      schema: {
        tags,
        summary: 'Reserve a space of a size for a window',
        description:
          'Finds a free space of the size for the whole window and holds it for a while ' +
          `(${settings.holdMinutes} minutes by default): confirm before expires_at or the hold lapses. ` +
          'Send an `Idempotency-Key` header to make retries safe.',
        headers: Type.Object({
          'idempotency-key': Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
        }),
        body: CreateBody,
      },
    },
    async (request, reply) => {
      const principal = request.principal!;
      const body = request.body;
      const facility = await loadFacility(runtime, body.facility_id);
      const customerId = bookingCustomer(principal, facility, body.customer_id);
      if (facility.status !== 'ACTIVE')
        throw problem('FACILITY_NOT_ACTIVE', `The facility is ${facility.status}; it takes no reservations`);
      const now = clock.now();
      const start = new Date(body.start_time);
      const end = new Date(body.end_time);
      checkBookingWindow(start, end, bookingRules(facility, settings, now));
      const startsSoon = start.getTime() - now.getTime() < settings.imminentMinutes * minuteMs;
      // A booking about to start (it must avoid the spaces taken now) or of a named space picks
      // from the list; any other gets its space from the directory, chosen in its transaction.
      const listed =
        startsSoon || body.space_id !== undefined
          ? reservableSpaces(
              await spaces.list(facility.facility_id, body.desired_space_size, { live: startsSoon }),
              body,
              startsSoon,
            )
          : null;
      if (!listed) await spaces.ensureComplete(facility.facility_id);
      const vehicleType = body.vehicle_type ?? 'CAR';
      const quote = await estimate(runtime, facility, vehicleType, start, end);
      const created = await runtime.transaction((tx, emit) =>
        oncePerKey(
          tx,
          {
            scope: `${principal.sub}:reservation`,
            key: request.headers['idempotency-key'],
            body,
            status: 201,
          },
          async () => {
            const choice = { listed, startsSoon, spaceRequested: body.space_id !== undefined };
            const row = await placeHold(tx, spaces, choice, {
              reservation_id: newId('reservation'),
              tenant_id: facility.tenant_id,
              customer_id: customerId,
              facility_id: facility.facility_id,
              desired_size: body.desired_space_size,
              vehicle_type: vehicleType,
              registration_number: body.registration_number ? normalizePlate(body.registration_number) : null,
              start_time: start,
              end_time: end,
              currency: facility.currency,
              estimated_parking: quote?.parking ?? null,
              reservation_fee: quote?.reservation_fee ?? 0,
              ...agreedTerms(facility, start, end),
              created_at: now,
              expires_at: new Date(now.getTime() + settings.holdMinutes * minuteMs),
            });
            emitCreated(emit, row);
            return reservationView(row);
          },
        ),
      );
      if (created.replayed) reply.header('idempotent-replayed', 'true');
      return reply
        .code(201)
        .header('location', `/reservations/v1/${created.answer.reservation_id}`)
        .send(created.answer);
    },
  );

  app.get(
    '/reservations/v1',
    {
      schema: {
        tags,
        summary: 'List reservations: drivers see their own, staff their tenant’s',
        querystring: Type.Object({
          facility_id: Type.Optional(FacilityId),
          customer_id: Type.Optional(IdOf('customer', 'Only this driver’s')),
          status: Type.Optional(Type.Union(statuses.map((s) => Type.Literal(s)))),
          from: Type.Optional(DateTime('Only reservations ending after this')),
          to: Type.Optional(DateTime('Only reservations starting before this')),
          ...pageQuery,
        }),
      },
    },
    async (request, reply) => {
      const principal = request.principal!;
      const q = request.query;
      const limit = q.limit ?? 100;
      const scope = listScope(principal, q.customer_id);
      const rows = await store.listReservations(pool, {
        ...scope,
        ...(q.facility_id ? { facilityId: q.facility_id } : {}),
        ...(q.status ? { status: q.status } : {}),
        ...(q.from ? { from: new Date(q.from) } : {}),
        ...(q.to ? { to: new Date(q.to) } : {}),
        ...(q.cursor ? { after: decodeCursor(q.cursor, isIdCursor) } : {}),
        limit: limit + 1,
      });
      return paginate(request, reply, rows, limit, (r) => r.reservation_id).map(reservationView);
    },
  );

  app.get(
    '/reservations/v1/:reservation_id',
    { schema: { tags, summary: 'A reservation', params: Type.Object({ reservation_id: ReservationId }) } },
    async (request) =>
      reservationView(await visibleReservation(pool, request.principal!, request.params.reservation_id)),
  );

  app.post(
    '/reservations/v1/:reservation_id/confirm',
    {
      schema: {
        tags,
        summary: 'Confirm a pending reservation before its hold runs out',
        description: 'Confirming twice is harmless: the second answer is the first.',
        params: Type.Object({ reservation_id: ReservationId }),
      },
    },
    async (request) => {
      const principal = request.principal!;
      const id = request.params.reservation_id;
      const seen = await visibleReservation(pool, principal, id);
      const facility = await loadFacility(runtime, seen.facility_id);
      const now = clock.now();
      const outcome = await runtime.transaction(
        async (tx, emit): Promise<{ row: store.ReservationRow } | { error: Refusal }> => {
          const r = (await store.findReservation(tx, id, true))!;
          if (r.status === 'PENDING' && r.expires_at.getTime() <= now.getTime()) {
            // The sweep has not got to it yet: the hold has run out all the same.
            const expired = (await store.expireDueHolds(tx, now, 1_000)).find((e) => e.reservation_id === id);
            if (expired) emitExpired(emit, expired);
            return { error: 'RESERVATION_EXPIRED' };
          }
          if (r.status === 'CONFIRMED') return { row: r };
          if (r.status !== 'PENDING') return { error: refusalFor(r.status) };
          const row = await store.markConfirmed(tx, id, now);
          emitConfirmed(emit, row);
          return { row };
        },
      );
      if ('error' in outcome) throw problem(outcome.error, refusalDetail(outcome.error, id));
      return {
        reservation_id: outcome.row.reservation_id,
        status: outcome.row.status,
        confirmation_code: outcome.row.confirmation_code,
        parking_details: parkingDetails(outcome.row, facility),
      };
    },
  );

  app.post(
    '/reservations/v1/:reservation_id/cancel',
    {
      schema: {
        tags,
        summary: 'Cancel a reservation',
        description:
          'Free while the reservation is pending or before the facility’s free-cancellation deadline; ' +
          'after it the agreed cancellation fee applies. Cancelling twice answers the first cancellation.',
        params: Type.Object({ reservation_id: ReservationId }),
        body: Type.Optional(CancelBody),
      },
    },
    async (request) => {
      const principal = request.principal!;
      const id = request.params.reservation_id;
      await visibleReservation(pool, principal, id);
      const now = clock.now();
      const row = await runtime.transaction(async (tx, emit) => {
        const r = (await store.findReservation(tx, id, true))!;
        if (r.status === 'CANCELLED') return r;
        if (r.status !== 'PENDING' && r.status !== 'CONFIRMED')
          throw problem('RESERVATION_NOT_CANCELLABLE', `Reservation ${id} is ${r.status}`);
        const cancelled = await store.markCancelled(
          tx,
          id,
          request.body?.reason?.trim() || null,
          cancellationFee(r, now),
          now,
        );
        emitCancelled(emit, cancelled);
        return cancelled;
      });
      const view = reservationView(row);
      return {
        reservation_id: view.reservation_id,
        status: view.status,
        cancellation_reason: view.cancellation_reason,
        cancellation_fee: view.fee_charged ?? 0,
        currency: view.currency,
        cancelled_at: view.cancelled_at,
      };
    },
  );
}

/** The spaces that may be booked, best first; a requested space_id must be one of them. */
function reservableSpaces(
  spaces: BookableSpace[],
  body: { space_id?: string | undefined; desired_space_size: string },
  startsSoon: boolean,
): BookableSpace[] {
  // A space in maintenance is never reserved; a car parked now blocks a window about to start.
  const usable = (s: BookableSpace) => s.status !== 'MAINTENANCE' && !(startsSoon && s.status === 'OCCUPIED');
  if (body.space_id !== undefined) {
    const space = spaces.find((s) => s.space_id === body.space_id);
    if (!space) throw problem('SPACE_NOT_FOUND', `No ${body.desired_space_size} space ${body.space_id} here`);
    if (!usable(space)) throw problem('SPACE_NOT_RESERVABLE', `Space ${space.space_id} is ${space.status}`);
    return [space];
  }
  const free = spaces.filter(usable);
  // Spaces empty now first: the driver before may overstay.
  return [...free.filter((s) => s.status !== 'OCCUPIED'), ...free.filter((s) => s.status === 'OCCUPIED')];
}

/**
 * Inserts the reservation on the first free space: of the `listed` ones, or from the directory.
 * The exclusion constraint is the guarantee; a per-space lock keeps simultaneous writers of one
 * space in line, and a writer that finds the space taken tries the spaces left.
 */
async function placeHold(
  tx: Tx,
  directory: SpaceDirectory,
  choice: { listed: BookableSpace[] | null; startsSoon: boolean; spaceRequested: boolean },
  fields: Omit<
    store.NewReservation,
    'space_id' | 'space_floor' | 'space_aisle' | 'space_number' | 'confirmation_code'
  >,
): Promise<store.ReservationRow> {
  const { listed, startsSoon, spaceRequested } = choice;
  /** How many of the best free spaces a writer tries to lock at once. */
  const tried = 32;
  const unusable = new Set<string>();
  const window = { from: fields.start_time, to: fields.end_time };
  /** The spaces free for the window, best first; from the directory, as many as are tried at once. */
  const freeSpaces = async (): Promise<BookableSpace[]> => {
    if (!listed)
      return directory.freeForWindow(
        tx,
        fields.facility_id,
        fields.desired_size,
        window,
        [...unusable],
        tried,
      );
    const bookings = await store.activeBookings(
      tx,
      fields.facility_id,
      fields.desired_size,
      fields.start_time,
      fields.end_time,
    );
    const taken = new Set(bookings.map((b) => b.space_id));
    return listed.filter((s) => !taken.has(s.space_id) && !unusable.has(s.space_id));
  };
  for (let attempt = 0; attempt <= (listed?.length ?? tried) + 2; attempt++) {
    const free = await freeSpaces();
    if (free.length === 0) break;
    // A free space nobody else is booking right now; if all are being booked, wait for the best.
    const best = free.slice(0, tried).map((s) => s.space_id);
    let spaceId = await store.lockFirstUnbusySpace(tx, best);
    if (spaceId === null) {
      spaceId = best[0]!;
      await store.lockSpace(tx, spaceId);
    }
    // The list may be seconds old: ask Parking about this space before taking it.
    const status = await directory.currentStatus(spaceId);
    if (status === 'MAINTENANCE' || (startsSoon && status === 'OCCUPIED')) {
      unusable.add(spaceId);
      continue;
    }
    const space = free.find((s) => s.space_id === spaceId)!;
    await tx.query('SAVEPOINT place_hold');
    try {
      const row = await store.insertReservation(tx, {
        ...fields,
        space_id: space.space_id,
        space_floor: space.location.floor,
        space_aisle: space.location.aisle,
        space_number: space.location.number,
        confirmation_code: newConfirmationCode(),
      });
      await tx.query('RELEASE SAVEPOINT place_hold');
      return row;
    } catch (error) {
      // Booked by someone who committed before we had the lock: look again.
      const constraint = pgConstraint(error);
      if (
        constraint !== 'reservations_space_no_overlap' &&
        constraint !== 'reservations_confirmation_code_key'
      )
        throw error;
      await tx.query('ROLLBACK TO SAVEPOINT place_hold');
    }
  }
  if (spaceRequested)
    throw problem('RESERVATION_OVERLAP', 'The space is already reserved for part of the window');
  throw problem('NO_SPACE_AVAILABLE', 'No space of that size is free for the whole window');
}

export function bookingRules(facility: FacilityConfig, settings: ReservationSettings, now: Date) {
  return {
    now,
    timezone: facility.timezone,
    hours: facility,
    maxAdvanceDays: facility.reservation_policy.max_advance_days,
    maxDurationHours: settings.maxDurationHours,
  };
}

/** The terms the driver agrees to when booking, from the facility's policy now. */
function agreedTerms(facility: FacilityConfig, start: Date, end: Date) {
  const policy = facility.reservation_policy;
  const arrival = arrivalWindow(start, end, policy);
  const minor = (amount: number) => fromMajor(amount, facility.currency).amount;
  return {
    free_cancellation_until: new Date(start.getTime() - policy.free_cancellation_minutes * minuteMs),
    cancellation_fee: minor(policy.cancellation_fee),
    no_show_fee: minor(policy.no_show_fee),
    arrival_from: arrival.from,
    arrival_until: arrival.until,
  };
}

/**
 * The parking charge for the window and the reservation fee, in minor units; null with no price set.
 * Priced with every price period of the vehicle type (else CAR) that overlaps the window, so a price
 * change during the stay is charged from when it takes effect.
 */
export async function estimate(
  runtime: ServiceRuntime,
  facility: FacilityConfig,
  vehicleType: string,
  start: Date,
  end: Date,
) {
  const answer = await facilityClient(runtime.client('facility')).pricingStrategy(
    facility.facility_id,
    start,
    end,
  );
  const ofType = (type: string) => answer.configurations.filter((c) => c.vehicle_type === type);
  const prices = ofType(vehicleType).length > 0 ? ofType(vehicleType) : ofType('CAR');
  if (prices.length === 0) return null;
  return quoteStay({
    strategy: answer.pricing_strategy,
    prices,
    timezone: facility.timezone,
    start,
    end,
    reservation: true,
  });
}

async function visibleReservation(
  db: Queryable,
  principal: Principal,
  id: string,
): Promise<store.ReservationRow> {
  const row = await store.findReservation(db, id);
  if (!row || !canSee(principal, row)) throw problem('RESERVATION_NOT_FOUND', `No reservation ${id}`);
  return row;
}

function listScope(principal: Principal, customerId: string | undefined) {
  if (principal.role === 'driver') return { customerId: principal.customer_id! };
  const tenant = principal.role === 'platform_admin' ? {} : { tenantId: principal.tenant_id! };
  return { ...tenant, ...(customerId ? { customerId } : {}) };
}

type Refusal = 'RESERVATION_EXPIRED' | 'RESERVATION_CANCELLED' | 'RESERVATION_NOT_PENDING';

function refusalFor(status: store.ReservationStatus): Refusal {
  if (status === 'EXPIRED') return 'RESERVATION_EXPIRED';
  if (status === 'CANCELLED') return 'RESERVATION_CANCELLED';
  return 'RESERVATION_NOT_PENDING';
}

function refusalDetail(code: Refusal, id: string): string {
  if (code === 'RESERVATION_EXPIRED') return `The hold on ${id} ran out before it was confirmed`;
  if (code === 'RESERVATION_CANCELLED') return `Reservation ${id} was cancelled`;
  return `Reservation ${id} is past confirmation`;
}
