import { type App, type ServiceRuntime, Type } from '@easypark/platform';
import type { ArrivalAnswer } from '../client.ts';
import { normalizeConfirmationCode, normalizePlate } from '../domain/codes.ts';
import { arrivalTiming } from '../domain/window.ts';
import { problem } from '../errors.ts';
import * as store from '../store.ts';
import { DateTime, FacilityId } from './schemas.ts';

export function internalRoutes(app: App, runtime: ServiceRuntime): void {
  const { pool, clock } = runtime;

  app.post(
    '/reservations/internal/validate-arrival',
    {
      schema: {
        tags: ['internal'],
        summary: 'Whether a driver at the gate may park under a reservation (for the Parking service)',
        description:
          'By confirmation code, or by plate among the facility’s confirmed reservations. Answers the ' +
          'reservation, or the problem to show at the gate: RESERVATION_NOT_FOUND, RESERVATION_NOT_CONFIRMED, ' +
          'RESERVATION_CANCELLED, RESERVATION_EXPIRED, RESERVATION_ALREADY_USED, ARRIVAL_TOO_EARLY, ARRIVAL_TOO_LATE.',
        body: Type.Object(
          {
            facility_id: FacilityId,
            confirmation_code: Type.Optional(Type.String({ minLength: 1, maxLength: 32 })),
            registration_number: Type.Optional(Type.String({ minLength: 1, maxLength: 30 })),
            at: Type.Optional(DateTime('Arrival time; default now')),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (request): Promise<ArrivalAnswer> => {
      const body = request.body;
      const at = body.at ? new Date(body.at) : clock.now();
      let row: store.ReservationRow | undefined;
      if (body.confirmation_code !== undefined) {
        const code = normalizeConfirmationCode(body.confirmation_code);
        row = code ? await store.findByCode(pool, code) : undefined;
      } else if (body.registration_number !== undefined) {
        row = await store.findConfirmedByPlate(
          pool,
          body.facility_id,
          normalizePlate(body.registration_number),
          at,
        );
      } else {
        throw problem('VALIDATION_FAILED', 'Give confirmation_code or registration_number', {
          errors: [{ field: 'confirmation_code', message: 'one of confirmation_code, registration_number' }],
        });
      }
      // A code for another facility is as good as no code here.
      if (!row || row.facility_id !== body.facility_id)
        throw problem('RESERVATION_NOT_FOUND', 'No reservation with that code or plate at this facility');
      if (row.status === 'PENDING')
        throw problem('RESERVATION_NOT_CONFIRMED', 'The reservation was never confirmed');
      if (row.status === 'CANCELLED') throw problem('RESERVATION_CANCELLED', 'The reservation was cancelled');
      if (row.status === 'EXPIRED')
        throw problem('RESERVATION_EXPIRED', 'The reservation was never confirmed');
      if (row.status === 'FULFILLED')
        throw problem('RESERVATION_ALREADY_USED', 'The reservation was already used to park');
      const timing = arrivalTiming(at, { from: row.arrival_from, until: row.arrival_until });
      if (timing === 'early')
        throw problem(
          'ARRIVAL_TOO_EARLY',
          `Arrivals for this reservation start at ${row.arrival_from.toISOString()}`,
        );
      if (timing === 'late' || row.status === 'NO_SHOW')
        throw problem(
          'ARRIVAL_TOO_LATE',
          `Arrivals for this reservation ended at ${row.arrival_until.toISOString()}`,
        );
      return {
        valid: true,
        reservation_id: row.reservation_id,
        facility_id: row.facility_id,
        space_id: row.space_id,
        customer_id: row.customer_id,
        desired_space_size: row.desired_size,
        registration_number: row.registration_number,
        start_time: row.start_time.toISOString(),
        end_time: row.end_time.toISOString(),
        arrival_from: row.arrival_from.toISOString(),
        arrival_until: row.arrival_until.toISOString(),
      };
    },
  );
}
