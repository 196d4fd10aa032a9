import { AppError, fromMajor, toMajor } from '@easypark/kernel';
import type { ParkingSession } from '@easypark/parking/client';
import { type App, type ServiceRuntime, Type } from '@easypark/platform';
import type { ChargeOperations } from '../charges.ts';
import { chargingCost } from '../domain/tariff.ts';
import { problem } from '../errors.ts';
import * as store from '../store.ts';
import { chargeView } from '../views.ts';
import { ChargeId, ChargingSessionId, ParkingSessionId } from './schemas.ts';

const VisitFactsBody = Type.Object(
  {
    parking_session_id: ParkingSessionId,
    tenant_id: Type.String({ minLength: 1, maxLength: 64 }),
    facility_id: Type.String({ minLength: 1, maxLength: 64 }),
    vehicle_id: Type.String({ minLength: 1, maxLength: 64 }),
    registration_number: Type.String({ minLength: 1, maxLength: 20 }),
    vehicle_type: Type.String({ minLength: 1, maxLength: 20 }),
    customer_id: Type.Union([Type.String({ maxLength: 64 }), Type.Null()]),
    entry_time: Type.String({ format: 'date-time' }),
    exit_time: Type.String({ format: 'date-time' }),
  },
  { additionalProperties: false },
);

export function chargeRoutes(app: App, runtime: ServiceRuntime, charges: ChargeOperations): void {
  const { pool, clock } = runtime;
  const visitOf = (s: ParkingSession, exitTime: string) => ({
    parking_session_id: s.session_id,
    tenant_id: s.tenant_id,
    facility_id: s.facility_id,
    vehicle_id: s.vehicle_id,
    registration_number: s.registration_number,
    vehicle_type: s.vehicle_type,
    customer_id: s.customer_id,
    entry_time: s.entry_time,
    exit_time: exitTime,
  });

  /** A closed visit's charges, made now if its exit event has not been billed yet. */
  async function billClosedVisit(session: ParkingSession) {
    const agreed =
      session.charge_amount === null ? null : fromMajor(session.charge_amount, session.currency).amount;
    const charge = await charges.parkingCharge(visitOf(session, session.exit_time!), agreed);
    await runtime.transaction((tx, emit) =>
      charges.billVisit(tx, emit, charge, { electric: session.is_electric }),
    );
    return store.chargesOfVisit(pool, session.session_id);
  }

  app.post(
    '/billing/v1/charges/calculate',
    {
      schema: {
        tags: ['Charges'],
        summary: 'Calculate the charge of a parking session',
        description:
          'For a closed session: its charges (made now if the exit has not been billed yet), `charge_id` being the ' +
          'parking charge. For an open session: what it would cost leaving now, with `provisional: true` and no ' +
          '`charge_id`. `breakdown.parking` is after discounts; `charging` is the energy; `fees` are the reservation ' +
          'fee, penalties and idle fees. With `charging_session_id`, only that charging session is counted.',
        body: Type.Object(
          { parking_session_id: ParkingSessionId, charging_session_id: Type.Optional(ChargingSessionId) },
          { additionalProperties: false },
        ),
      },
    },
    async (request) => {
      const principal = request.principal!;
      const { parking_session_id, charging_session_id } = request.body;
      const session = await charges.parkingSessionFor(principal, parking_session_id);
      if (charging_session_id) {
        const energy = await charges.energyOf(charging_session_id).catch((error) => {
          if (error instanceof AppError && error.status === 404)
            throw problem(
              'CHARGING_SESSION_NOT_FOUND',
              `There is no charging session ${charging_session_id}`,
            );
          throw error;
        });
        if (energy.parking_session_id !== parking_session_id)
          throw problem(
            'CHARGING_SESSION_MISMATCH',
            `${charging_session_id} is not part of ${parking_session_id}`,
          );
      }
      const counts = (chargingSessionId: string | null) =>
        !charging_session_id || chargingSessionId === null || chargingSessionId === charging_session_id;
      const currency = session.currency;
      const major = (amount: number) => toMajor({ amount, currency });

      if (session.status === 'OPEN') {
        const now = clock.now().toISOString();
        const facility = await charges.facilityOf(session.facility_id);
        const price = await charges.priceVisit(visitOf(session, now), facility);
        const energy = (await charges.sessionsOfVisit(session.session_id)).filter((s) =>
          counts(s.charging_session_id),
        );
        const chargingSoFar = energy.reduce(
          (sum, s) =>
            sum +
            chargingCost({ energy_kwh: s.energy_delivered_kwh, price_per_kwh: s.price_per_kwh, currency })
              .amount,
          0,
        );
        return {
          charge_id: null,
          provisional: true,
          parking_session_id,
          amount: major(price.amount + chargingSoFar),
          currency,
          breakdown: { parking: major(price.amount), charging: major(chargingSoFar), fees: 0 },
          as_of: now,
        };
      }

      const visitCharges = (await billClosedVisit(session)).filter((c) => counts(c.charging_session_id));
      const sumOf = (pick: (c: store.ChargeRow) => boolean) =>
        visitCharges.filter(pick).reduce((sum, c) => sum + c.amount, 0);
      const parkingAmount = sumOf((c) => c.charge_type === 'PARKING');
      const chargingAmount = sumOf((c) => c.charge_type === 'CHARGING');
      const fees = sumOf((c) => c.charge_type === 'RESERVATION' || c.charge_type === 'PENALTY');
      const invoice = await store.findVisitInvoice(pool, parking_session_id);
      return {
        charge_id: visitCharges.find((c) => c.charge_type === 'PARKING')?.charge_id ?? null,
        provisional: false,
        parking_session_id,
        amount: major(parkingAmount + chargingAmount + fees),
        currency,
        breakdown: { parking: major(parkingAmount), charging: major(chargingAmount), fees: major(fees) },
        invoice_id: invoice?.invoice_id ?? null,
        charges: visitCharges.map((c) => chargeView(c, null)),
      };
    },
  );

  app.post(
    '/billing/internal/charges/quote',
    {
      schema: {
        tags: ['internal'],
        summary: 'What a visit costs if it ends at exit_time (nothing is recorded)',
        body: VisitFactsBody,
      },
    },
    async (request) => {
      const visit = request.body;
      const price = await charges.quoteVisit(visit);
      return {
        parking_session_id: visit.parking_session_id,
        amount: toMajor({ amount: price.amount, currency: price.currency }),
        currency: price.currency,
        description: price.description,
      };
    },
  );

  app.get(
    '/billing/internal/charges/:charge_id',
    { schema: { tags: ['internal'], params: Type.Object({ charge_id: ChargeId }) } },
    async (request) => {
      const charge = await store.findCharge(pool, request.params.charge_id);
      if (!charge) throw problem('CHARGE_NOT_FOUND', `There is no charge ${request.params.charge_id}`);
      const line = await pool.query<{ invoice_id: string }>(
        'SELECT invoice_id FROM invoice_line_items WHERE charge_id = $1',
        [charge.charge_id],
      );
      return chargeView(charge, line.rows[0]?.invoice_id ?? null);
    },
  );

  app.post(
    '/billing/internal/charges/batch',
    {
      schema: {
        tags: ['internal'],
        summary: 'Bill closed parking sessions that have no charge yet (reconciliation jobs)',
        description:
          'For each session: BILLED (charged now), ALREADY_BILLED, OPEN (the car is still parked), NOT_FOUND or ' +
          'FAILED (with the reason). Safe to run again: a session is never billed twice.',
        body: Type.Object(
          {
            parking_session_ids: Type.Array(ParkingSessionId, {
              minItems: 1,
              maxItems: 500,
              uniqueItems: true,
            }),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (request) => {
      const service = request.principal!;
      const results = [];
      for (const id of request.body.parking_session_ids) {
        try {
          const existing = await store.findChargeBySource(pool, `parking:${id}`);
          if (existing) {
            results.push({ parking_session_id: id, status: 'ALREADY_BILLED', charge_id: existing.charge_id });
            continue;
          }
          const session = await charges.parkingSessionFor(service, id);
          if (session.status === 'OPEN') {
            results.push({ parking_session_id: id, status: 'OPEN', charge_id: null });
            continue;
          }
          const billed = await billClosedVisit(session);
          const parked = billed.find((c) => c.charge_type === 'PARKING')!;
          results.push({ parking_session_id: id, status: 'BILLED', charge_id: parked.charge_id });
        } catch (error) {
          const notFound = error instanceof AppError && error.code === 'PARKING_SESSION_NOT_FOUND';
          results.push({
            parking_session_id: id,
            status: notFound ? 'NOT_FOUND' : 'FAILED',
            charge_id: null,
            ...(notFound ? {} : { reason: (error as Error).message }),
          });
        }
      }
      return results;
    },
  );
}
