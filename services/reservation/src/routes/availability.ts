import type { FacilityConfig } from '@easypark/facility/client';
import { canSeeTenant, toMajor } from '@easypark/kernel';
import type { FacilitySpace } from '@easypark/parking/client';
import { type App, type Queryable, type ServiceRuntime, Type } from '@easypark/platform';
import { loadFacility } from '../access.ts';
import {
  availabilityTimeline,
  fittingStarts,
  freeStretches,
  isFree,
  type SpaceBookings,
} from '../domain/availability.ts';
import { checkBookingWindow, isOpenThroughout } from '../domain/window.ts';
import { problem } from '../errors.ts';
import type { ReservationSettings } from '../settings.ts';
import type { BookableSpace, SpaceDirectory } from '../spaces.ts';
import * as store from '../store.ts';
import { bookingRules, estimate } from './reservations.ts';
import { DateTime, FacilityId, SpaceSize, VehicleType } from './schemas.ts';

const dayMs = 86_400_000;
const iso = (ms: number) => new Date(ms).toISOString();

export function availabilityRoutes(
  app: App,
  runtime: ServiceRuntime,
  settings: ReservationSettings,
  directory: SpaceDirectory,
): void {
  const { pool, clock } = runtime;

  app.get(
    '/reservations/v1/availability',
    {
      schema: {
        tags: ['reservations'],
        summary: 'How many spaces of a size are free for a window, when, and what it would cost',
        description:
          '`available_spaces` are free for the whole window; `available_slots` splits the window where that ' +
          'number changes; `next_available_time` is the earliest start (within 7 days) at which a window of ' +
          'the same length can be booked; `pricing_estimate` is the facility’s price for the window with ' +
          'its reservation fee.',
        querystring: Type.Object({
          facility_id: FacilityId,
          start_time: DateTime('Start of the window'),
          end_time: DateTime('End of the window'),
          size: SpaceSize,
          vehicle_type: Type.Optional(VehicleType),
        }),
      },
    },
    async (request) => {
      const q = request.query;
      const facility = await loadFacility(runtime, q.facility_id);
      const principal = request.principal!;
      if (principal.role !== 'driver' && !canSeeTenant(principal, facility.tenant_id))
        throw problem('FACILITY_NOT_FOUND', `Facility ${q.facility_id} does not exist`);
      const now = clock.now();
      const start = new Date(q.start_time);
      const end = new Date(q.end_time);
      checkBookingWindow(start, end, bookingRules(facility, settings, now));
      const duration = end.getTime() - start.getTime();
      const horizon = start.getTime() + 7 * dayMs;
      const startsSoon = start.getTime() - now.getTime() < settings.imminentMinutes * 60_000;
      const spaces = await bookableSpaces(
        directory,
        pool,
        facility,
        q.size,
        start,
        new Date(horizon + duration),
        {
          live: startsSoon,
        },
      );
      const usableNow = spaces.filter((s) => !(startsSoon && s.status === 'OCCUPIED'));
      const window = { start: start.getTime(), end: end.getTime() };
      const available = usableNow.filter((s) => isFree(s, window)).length;
      const next =
        available > 0
          ? window.start
          : (fittingStarts(spaces, window.start, duration, horizon).find((t) =>
              isOpenThroughout(new Date(t), new Date(t + duration), facility, facility.timezone),
            ) ?? null);
      const quote = await estimate(runtime, facility, q.vehicle_type ?? 'CAR', start, end);
      const toMajorUnits = (amount: number) => toMajor({ amount, currency: facility.currency });
      return {
        facility_id: facility.facility_id,
        size: q.size,
        start_time: start.toISOString(),
        end_time: end.toISOString(),
        available_spaces: available,
        available_slots: availabilityTimeline(window, usableNow).map((slot) => ({
          start_time: iso(slot.start),
          end_time: iso(slot.end),
          available_spaces: slot.available,
        })),
        next_available_time: next === null ? null : iso(next),
        pricing_estimate: quote
          ? {
              parking: toMajorUnits(quote.parking),
              reservation_fee: toMajorUnits(quote.reservation_fee),
              total: toMajorUnits(quote.total),
              currency: facility.currency,
            }
          : null,
      };
    },
  );

  app.get(
    '/reservations/internal/facility/:facility_id/available-windows',
    {
      schema: {
        tags: ['internal'],
        summary: 'Free and reserved stretches of each space over a range (for the Parking service)',
        params: Type.Object({ facility_id: FacilityId }),
        querystring: Type.Object({
          from: Type.Optional(DateTime('Default now')),
          to: Type.Optional(DateTime('Default 24 hours after from')),
          size: Type.Optional(SpaceSize),
        }),
      },
    },
    async (request) => {
      const q = request.query;
      const from = q.from ? new Date(q.from) : clock.now();
      const to = q.to ? new Date(q.to) : new Date(from.getTime() + dayMs);
      if (to.getTime() <= from.getTime())
        throw problem('INVALID_RESERVATION_WINDOW', '`to` must be after `from`');
      if (to.getTime() - from.getTime() > 31 * dayMs)
        throw problem('INVALID_RESERVATION_WINDOW', 'Ask for at most 31 days at a time');
      const facility = await loadFacility(runtime, request.params.facility_id);
      const spaces = await bookableSpaces(directory, pool, facility, q.size, from, to, { live: false });
      const range = { start: from.getTime(), end: to.getTime() };
      return {
        facility_id: facility.facility_id,
        from: from.toISOString(),
        to: to.toISOString(),
        spaces: spaces.map((s) => ({
          space_id: s.space_id,
          size: s.size,
          available: freeStretches(range, s.busy).map((f) => ({
            start_time: iso(f.start),
            end_time: iso(f.end),
          })),
          reserved: s.bookings.map((b) => ({
            reservation_id: b.reservation_id,
            start_time: b.start_time.toISOString(),
            end_time: b.end_time.toISOString(),
          })),
        })),
      };
    },
  );
}

type SpaceWithBookings = SpaceBookings & BookableSpace & { bookings: store.Booking[] };

/** The facility's spaces that can be reserved (not in maintenance), each with its bookings in [from, to). */
async function bookableSpaces(
  directory: SpaceDirectory,
  db: Queryable,
  facility: FacilityConfig,
  size: FacilitySpace['size'] | undefined,
  from: Date,
  to: Date,
  options: { live: boolean },
): Promise<SpaceWithBookings[]> {
  const spaces = (await directory.list(facility.facility_id, size, options)).filter(
    (s) => s.status !== 'MAINTENANCE',
  );
  const bookings = await store.activeBookings(db, facility.facility_id, size, from, to);
  const bySpace = new Map<string, store.Booking[]>();
  for (const b of bookings) bySpace.set(b.space_id, [...(bySpace.get(b.space_id) ?? []), b]);
  return spaces.map((s) => {
    const mine = bySpace.get(s.space_id) ?? [];
    return {
      ...s,
      bookings: mine,
      busy: mine.map((b) => ({ start: b.start_time.getTime(), end: b.end_time.getTime() })),
    };
  });
}
