import {
  addDays,
  canSeeTenant,
  localMidnight,
  localParts,
  newId,
  normalisePlate,
  type Principal,
} from '@easypark/kernel';
import type { ParkingSession } from '@easypark/parking/client';
import { type App, oncePerKey, pgConstraint, type ServiceRuntime, Type } from '@easypark/platform';
import { tenantScope } from '../access.ts';
import type { ChargeOperations } from '../charges.ts';
import { problem } from '../errors.ts';
import * as store from '../store.ts';
import { permitView, promoView } from '../views.ts';
import {
  Amount,
  DateTime,
  FacilityId,
  IdempotencyHeaders,
  minorOf,
  ParkingSessionId,
  PromoId,
} from './schemas.ts';

const Code = Type.String({
  pattern: '^[A-Za-z0-9_-]{3,40}$',
  description: 'Letters, digits, - and _ (3–40); matched case-insensitively',
});

export function discountRoutes(app: App, runtime: ServiceRuntime, charges: ChargeOperations): void {
  const { pool, clock } = runtime;
  async function openVisitOr404(principal: Principal, sessionId: string): Promise<ParkingSession> {
    const session = await charges.parkingSessionFor(principal, sessionId);
    if (session.status !== 'OPEN')
      throw problem('SESSION_CLOSED', 'The visit has ended: discounts apply before the exit');
    return session;
  }

  app.post(
    '/billing/v1/promo-codes',
    {
      schema: {
        tags: ['Discounts'],
        summary: 'Create a promo code',
        description:
          'PERCENTAGE (percent_off, up to 2 decimals) or FIXED (amount_off in the currency) off a visit’s parking ' +
          'charge, usable from valid_from until valid_until, at most max_uses times, at one facility or all the ' +
          'tenant’s.',
        body: Type.Object(
          {
            code: Code,
            kind: Type.Enum(['PERCENTAGE', 'FIXED'], { type: 'string' }),
            percent_off: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 100, multipleOf: 0.01 })),
            amount_off: Type.Optional(Amount('Off the parking charge')),
            currency: Type.Optional(Type.String({ pattern: '^[A-Z]{3}$' })),
            facility_id: Type.Optional(FacilityId),
            valid_from: Type.Optional(DateTime('Default: now')),
            valid_until: DateTime('End of validity'),
            max_uses: Type.Optional(Type.Integer({ minimum: 1, maximum: 10_000_000 })),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (request, reply) => {
      const principal = request.principal!;
      const b = request.body;
      const tenantId = principal.tenant_id!;
      if (b.facility_id) {
        const facility = await charges.facilityOf(b.facility_id);
        if (facility.tenant_id !== tenantId)
          throw problem('FACILITY_NOT_FOUND', `Facility ${b.facility_id} does not exist`);
      }
      const invalid = (field: string, message: string) =>
        problem('VALIDATION_FAILED', `${field}: ${message}`, { errors: [{ field, message }] });
      if (b.kind === 'PERCENTAGE' && (b.percent_off === undefined || b.amount_off !== undefined))
        throw invalid('percent_off', 'a PERCENTAGE code has percent_off and no amount_off');
      if (b.kind === 'FIXED' && (b.amount_off === undefined || !b.currency || b.percent_off !== undefined))
        throw invalid('amount_off', 'a FIXED code has amount_off and currency, and no percent_off');
      const validFrom = b.valid_from ? new Date(b.valid_from) : clock.now();
      const validUntil = new Date(b.valid_until);
      if (validUntil <= validFrom) throw invalid('valid_until', 'after valid_from');
      const promo: store.PromoRow = {
        promo_id: newId('promoCode'),
        tenant_id: tenantId,
        facility_id: b.facility_id ?? null,
        code: b.code.toUpperCase(),
        kind: b.kind,
        percent_off: b.percent_off ?? null,
        amount_off: b.kind === 'FIXED' ? minorOf(b.amount_off!, b.currency!, 'amount_off') : null,
        currency: b.kind === 'FIXED' ? b.currency! : null,
        valid_from: validFrom,
        valid_until: validUntil,
        max_uses: b.max_uses ?? null,
        used_count: 0,
        active: true,
        created_by: principal.sub,
        created_at: clock.now(),
      };
      await store.insertPromo(pool, promo).catch((error) => {
        if (pgConstraint(error) === 'promo_codes_tenant_code')
          throw problem('PROMO_CODE_TAKEN', `The code ${promo.code} exists`);
        throw error;
      });
      return reply.code(201).send(promoView(promo));
    },
  );

  app.get(
    '/billing/v1/promo-codes',
    { schema: { tags: ['Discounts'], summary: 'The tenant’s promo codes, newest first' } },
    async (request) => {
      const principal = request.principal!;
      return (await store.listPromos(pool, tenantScope(principal))).map(promoView);
    },
  );

  app.post(
    '/billing/v1/promo-codes/:promo_id/deactivate',
    {
      schema: {
        tags: ['Discounts'],
        summary: 'Stop a promo code (visits it was applied to keep it)',
        params: Type.Object({ promo_id: PromoId }),
      },
    },
    async (request) => {
      const principal = request.principal!;
      const promo = await store.findPromo(pool, request.params.promo_id);
      if (!promo || !canSeeTenant(principal, promo.tenant_id))
        throw problem('PROMO_CODE_NOT_FOUND', `There is no promo code ${request.params.promo_id}`);
      return promoView(await store.deactivatePromo(pool, promo.promo_id));
    },
  );

  app.post(
    '/billing/v1/promo-codes/redeem',
    {
      schema: {
        tags: ['Discounts'],
        summary: 'Apply a promo code to a visit in progress',
        description:
          'One code per visit; the discount comes off the parking charge at the exit. The use counts now, within ' +
          'the code’s usage limit.',
        body: Type.Object(
          { code: Code, parking_session_id: ParkingSessionId },
          { additionalProperties: false },
        ),
      },
    },
    async (request, reply) => {
      const principal = request.principal!;
      const session = await openVisitOr404(principal, request.body.parking_session_id);
      const code = request.body.code.toUpperCase();
      const now = clock.now();
      const promo = await runtime.transaction(async (tx) => {
        const found = await store.findPromoByCode(tx, session.tenant_id, code);
        const unusable = (why: string) => problem('PROMO_CODE_INVALID', `The code ${code} ${why}`);
        if (!found || (found.facility_id !== null && found.facility_id !== session.facility_id))
          throw problem('PROMO_CODE_NOT_FOUND', `There is no code ${code} here`);
        if (!found.active) throw unusable('is no longer offered');
        if (now < found.valid_from || now >= found.valid_until) throw unusable('is not valid now');
        if (found.kind === 'FIXED' && found.currency !== session.currency)
          throw unusable(`is in ${found.currency}, this facility charges ${session.currency}`);
        const applied = await store.insertRedemption(
          tx,
          {
            parking_session_id: session.session_id,
            promo_id: found.promo_id,
            tenant_id: session.tenant_id,
            customer_id: session.customer_id,
          },
          principal.sub,
          now,
        );
        if (!applied) throw problem('PROMO_ALREADY_APPLIED', 'This visit already has a promo code');
        if (!(await store.usePromo(tx, found.promo_id))) throw unusable('has been used up');
        return { ...found, used_count: found.used_count + 1 };
      });
      return reply.code(201).send({ parking_session_id: session.session_id, promo: promoView(promo) });
    },
  );

  app.post(
    '/billing/v1/validations',
    {
      schema: {
        tags: ['Discounts'],
        summary: 'A merchant validates a visit: its first hours are free',
        description:
          'A shop or restaurant gives the driver `free_hours` (up to 24, in quarter hours). Validations of one visit ' +
          'add up; the parking charge at the exit starts after the validated time.',
        body: Type.Object(
          {
            parking_session_id: ParkingSessionId,
            merchant_name: Type.String({ minLength: 1, maxLength: 200 }),
            free_hours: Type.Number({ exclusiveMinimum: 0, maximum: 24, multipleOf: 0.25 }),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (request, reply) => {
      const principal = request.principal!;
      const session = await openVisitOr404(principal, request.body.parking_session_id);
      const validation: store.ValidationRow = {
        validation_id: newId('validation'),
        tenant_id: session.tenant_id,
        facility_id: session.facility_id,
        parking_session_id: session.session_id,
        merchant_name: request.body.merchant_name.trim(),
        free_minutes: Math.round(request.body.free_hours * 60),
        created_by: principal.sub,
        created_at: clock.now(),
      };
      await store.insertValidation(pool, validation);
      return reply.code(201).send({
        validation_id: validation.validation_id,
        parking_session_id: validation.parking_session_id,
        merchant_name: validation.merchant_name,
        free_hours: validation.free_minutes / 60,
        created_at: validation.created_at.toISOString(),
      });
    },
  );

  app.post(
    '/billing/v1/permits',
    {
      schema: {
        tags: ['Permits'],
        summary: 'Buy a monthly permit',
        description:
          'At a SUBSCRIPTION facility with a monthly rate: the vehicle parks without per-visit charges for the ' +
          'facility-local calendar month. The monthly rate is charged at once (on the month’s invoice for customers ' +
          'billed monthly). Drivers buy for themselves; staff for any customer or a plate.',
        headers: IdempotencyHeaders,
        body: Type.Object(
          {
            facility_id: FacilityId,
            registration_number: Type.String({ minLength: 1, maxLength: 20 }),
            month: Type.String({
              pattern: '^\\d{4}-(0[1-9]|1[0-2])$',
              description: 'YYYY-MM, facility-local',
            }),
            customer_id: Type.Optional(Type.String({ pattern: '^cus_[0-9a-f]{32}$' })),
            vehicle_type: Type.Optional(Type.Enum(['CAR', 'MOTORCYCLE', 'TRUCK', 'BUS'], { type: 'string' })),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (request, reply) => {
      const principal = request.principal!;
      const b = request.body;
      const facility = await charges.facilityOf(b.facility_id);
      if (principal.role !== 'driver' && !canSeeTenant(principal, facility.tenant_id))
        throw problem('FACILITY_NOT_FOUND', `Facility ${b.facility_id} does not exist`);
      const customerId =
        principal.role === 'driver' ? (principal.customer_id ?? null) : (b.customer_id ?? null);
      const plate = normalisePlate(b.registration_number);
      const from = localMidnight(`${b.month}-01`, facility.timezone);
      const until = localMidnight(`${nextMonth(b.month)}-01`, facility.timezone);
      const thisMonth = localParts(clock.now(), facility.timezone).date.slice(0, 7);
      if (b.month < thisMonth)
        throw problem('VALIDATION_FAILED', 'The month is over', {
          errors: [{ field: 'month', message: 'not in the past' }],
        });
      const priceDay = new Date(Math.max(from.getTime(), clock.now().getTime()));
      const strategy = await charges.pricesFor(facility, b.vehicle_type ?? 'CAR', priceDay, priceDay);
      const monthly = strategy.prices[0]?.monthly_rate ?? null;
      if (strategy.strategy !== 'SUBSCRIPTION' || monthly === null)
        throw problem('PERMIT_NOT_OFFERED', `${facility.name} sells no monthly permits`);
      const amount = minorOf(monthly, facility.currency, 'monthly_rate');
      const { answer } = await runtime.transaction((tx, emit) =>
        oncePerKey(
          tx,
          {
            scope: `${principal.sub}:billing-permit`,
            key: request.headers['idempotency-key'],
            body: b,
            status: 201,
          },
          async () => {
            const permit: store.PermitRow = {
              permit_id: newId('permit'),
              tenant_id: facility.tenant_id,
              facility_id: facility.facility_id,
              customer_id: customerId,
              registration_number: plate,
              valid_from: from,
              valid_until: until,
              charge_id: null,
              status: 'ACTIVE',
              created_by: principal.sub,
              created_at: clock.now(),
            };
            await store.insertPermit(tx, permit).catch((error) => {
              if (pgConstraint(error) === 'permits_no_overlap')
                throw problem('PERMIT_OVERLAP', `${plate} already has a permit for ${b.month}`);
              throw error;
            });
            const [charge] = await charges.bill(tx, emit, [
              {
                ...charges.baseCharge({ ...facility, customer_id: customerId }),
                registration_number: plate,
                permit_id: permit.permit_id,
                charge_type: 'PARKING',
                revenue_category: 'PARKING',
                amount,
                unit_price: amount,
                description: `Monthly permit ${b.month} for ${plate} at ${facility.name}`,
                source_key: `permit:${permit.permit_id}`,
                occurred_at: priceDay,
              },
            ]);
            await store.setPermitCharge(tx, permit.permit_id, charge!.charge_id);
            return permitView({ ...permit, charge_id: charge!.charge_id });
          },
        ),
      );
      return reply.code(201).send(answer);
    },
  );

  app.get(
    '/billing/v1/permits',
    {
      schema: {
        tags: ['Permits'],
        summary: 'Monthly permits',
        querystring: Type.Object({
          facility_id: Type.Optional(FacilityId),
          registration_number: Type.Optional(Type.String({ minLength: 1, maxLength: 20 })),
        }),
      },
    },
    async (request) => {
      const principal = request.principal!;
      const q = request.query;
      const tenantId = principal.role === 'driver' ? undefined : tenantScope(principal);
      const rows = await store.listPermits(pool, {
        ...(principal.role === 'driver' ? { customerId: principal.customer_id ?? '-' } : {}),
        ...(tenantId ? { tenantId } : {}),
        ...(q.facility_id ? { facilityId: q.facility_id } : {}),
        ...(q.registration_number ? { registrationNumber: normalisePlate(q.registration_number) } : {}),
      });
      return rows.map(permitView);
    },
  );
}

function nextMonth(month: string): string {
  return addDays(`${month}-28`, 4).slice(0, 7);
}
