import { newId } from '@easypark/kernel';
import {
  type App,
  decodeCursor,
  isIdCursor,
  pageQuery,
  paginate,
  pgConstraint,
  type ServiceRuntime,
  Type,
} from '@easypark/platform';
import { manageableFacility, visibleFacility } from '../access.ts';
import {
  checkCapacity,
  checkCurrency,
  checkOperatingHours,
  checkReservationPolicy,
  checkTimeZone,
  weekdays,
} from '../domain/facility.ts';
import { rate } from '../domain/operations.ts';
import { problem } from '../errors.ts';
import * as store from '../store.ts';
import { facilityView, pricingView } from '../views.ts';

const FacilityId = Type.String({ pattern: '^fac_[0-9a-f]{32}$', description: 'Facility id' });
const Time = Type.String({ pattern: '^([01]\\d|2[0-3]):[0-5]\\d$', description: 'Local time HH:MM' });
const Weekday = Type.Union(weekdays.map((d) => Type.Literal(d)));
const Strategy = Type.Union([
  Type.Literal('BASIC'),
  Type.Literal('PEAK_HOUR'),
  Type.Literal('SUBSCRIPTION'),
  Type.Literal('EV_OPTIMIZED'),
]);
const Status = Type.Union([Type.Literal('ACTIVE'), Type.Literal('INACTIVE'), Type.Literal('MAINTENANCE')]);
const Count = Type.Integer({ minimum: 0, maximum: 100_000 });
const _LocalDate = Type.String({ format: 'date', description: 'Local calendar date YYYY-MM-DD' });

const Address = Type.Object(
  {
    line1: Type.String({ minLength: 1, maxLength: 200 }),
    city: Type.String({ minLength: 1, maxLength: 100 }),
    state: Type.Optional(Type.Union([Type.String({ maxLength: 100 }), Type.Null()])),
    postal_code: Type.Optional(Type.Union([Type.String({ maxLength: 20 }), Type.Null()])),
    country: Type.String({ pattern: '^[A-Z]{2}$', description: 'ISO 3166-1 alpha-2' }),
    latitude: Type.Optional(Type.Union([Type.Number({ minimum: -90, maximum: 90 }), Type.Null()])),
    longitude: Type.Optional(Type.Union([Type.Number({ minimum: -180, maximum: 180 }), Type.Null()])),
  },
  { additionalProperties: false },
);

const Capacity = Type.Object(
  { compact: Count, standard: Count, large: Count },
  { additionalProperties: false },
);

const Minutes = (maximum: number, description: string) => Type.Integer({ minimum: 0, maximum, description });
const Fee = (description: string) => Type.Number({ minimum: 0, maximum: 1_000_000, description });
const ReservationPolicy = Type.Object(
  {
    free_cancellation_minutes: Type.Optional(
      Minutes(43_200, 'Cancelling is free until this many minutes before the start (default 60)'),
    ),
    cancellation_fee: Type.Optional(
      Fee('Charged for a later cancellation, in the facility currency (default 0)'),
    ),
    no_show_fee: Type.Optional(Fee('Charged when the driver does not come (default 0)')),
    arrival_grace_early_minutes: Type.Optional(
      Minutes(240, 'How early before the start a driver may arrive (default 15)'),
    ),
    arrival_grace_late_minutes: Type.Optional(
      Minutes(240, 'How late after the start a driver may arrive before it is a no-show (default 30)'),
    ),
    max_advance_days: Type.Optional(
      Type.Integer({ minimum: 1, maximum: 730, description: 'How far ahead one may book (default 90)' }),
    ),
  },
  { additionalProperties: false },
);

const RegisterBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 200 }),
    address: Address,
    capacity_breakdown: Capacity,
    pricing_strategy: Strategy,
    tenant_id: Type.Optional(
      Type.String({ pattern: '^ten_[0-9a-f]{32}$', description: 'Defaults to the caller’s tenant' }),
    ),
    timezone: Type.String({ minLength: 1, maxLength: 64, description: 'IANA time zone, e.g. Europe/London' }),
    currency: Type.String({ pattern: '^[A-Z]{3}$', description: 'ISO 4217 code, e.g. GBP' }),
    opening_time: Type.Optional(Type.Union([Time, Type.Null()])),
    closing_time: Type.Optional(Type.Union([Time, Type.Null()])),
    operating_days: Type.Optional(Type.Array(Weekday, { minItems: 1, maxItems: 7 })),
    charging_stations_count: Type.Optional(Count),
    occupancy_alert_threshold: Type.Optional(Type.Number({ minimum: 0, maximum: 100 })),
    reservation_policy: Type.Optional(ReservationPolicy),
  },
  { additionalProperties: false },
);

const PatchBody = Type.Object(
  {
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    status: Type.Optional(Status),
    capacity_breakdown: Type.Optional(Capacity),
    pricing_strategy: Type.Optional(Strategy),
    opening_time: Type.Optional(Type.Union([Time, Type.Null()])),
    closing_time: Type.Optional(Type.Union([Time, Type.Null()])),
    operating_days: Type.Optional(Type.Array(Weekday, { minItems: 1, maxItems: 7 })),
    charging_stations_count: Type.Optional(Count),
    occupancy_alert_threshold: Type.Optional(Type.Number({ minimum: 0, maximum: 100 })),
    reservation_policy: Type.Optional(ReservationPolicy),
  },
  { additionalProperties: false, minProperties: 1 },
);

const tags = ['facilities'];

export function facilityRoutes(app: App, runtime: ServiceRuntime): void {
  const { pool, clock } = runtime;

  app.post(
    '/facilities/v1/register',
    {
      schema: { tags, summary: 'Register a facility', body: RegisterBody },
    },
    async (request, reply) => {
      const principal = request.principal!;
      const body = request.body;
      const tenantId = principal.role === 'platform_admin' ? body.tenant_id : principal.tenant_id;
      if (!tenantId)
        throw problem('VALIDATION_FAILED', 'tenant_id is required', {
          errors: [{ field: 'tenant_id', message: 'required' }],
        });
      if (principal.role === 'tenant_admin' && body.tenant_id && body.tenant_id !== principal.tenant_id) {
        throw problem('FORBIDDEN', 'A tenant admin registers facilities for their own tenant only');
      }
      const tenant = await store.findTenant(pool, tenantId);
      if (!tenant) throw problem('TENANT_NOT_FOUND', `No tenant ${tenantId}`);
      if (tenant.status !== 'ACTIVE') throw problem('TENANT_SUSPENDED', `${tenant.name} is suspended`);
      const capacity = checkCapacity(body.capacity_breakdown);
      const hours = checkOperatingHours(body);
      const currency = checkCurrency(body.currency);
      const policy = checkReservationPolicy(body.reservation_policy ?? {}, currency);
      const facility = await runtime.transaction(async (tx, emit) => {
        const row = await store
          .insertFacility(tx, {
            facility_id: newId('facility'),
            tenant_id: tenantId,
            name: body.name.trim(),
            address_line1: body.address.line1,
            city: body.address.city,
            state: body.address.state ?? null,
            postal_code: body.address.postal_code ?? null,
            country: body.address.country,
            latitude: body.address.latitude ?? null,
            longitude: body.address.longitude ?? null,
            compact_spaces_count: capacity.compact,
            standard_spaces_count: capacity.standard,
            large_spaces_count: capacity.large,
            charging_stations_count: body.charging_stations_count ?? 0,
            pricing_strategy: body.pricing_strategy,
            timezone: checkTimeZone(body.timezone),
            currency,
            ...hours,
            occupancy_alert_threshold: body.occupancy_alert_threshold ?? 90,
            ...policy,
          })
          .catch((error) => {
            if (pgConstraint(error) === 'facilities_tenant_name')
              throw problem('FACILITY_NAME_TAKEN', `${tenantId} already has “${body.name}”`);
            throw error;
          });
        emit({
          type: 'facility.registered',
          subject: row.facility_id,
          tenantid: row.tenant_id,
          facilityid: row.facility_id,
          data: {
            facility_id: row.facility_id,
            tenant_id: row.tenant_id,
            name: row.name,
            capacity,
            timezone: row.timezone,
            currency: row.currency,
            occupancy_alert_threshold: Number(row.occupancy_alert_threshold),
          },
        });
        return row;
      });
      return reply
        .code(201)
        .header('location', `/facilities/v1/${facility.facility_id}`)
        .send(facilityView(facility));
    },
  );

  app.get(
    '/facilities/v1',
    {
      schema: {
        tags,
        summary: 'List facilities: staff see their tenant’s, drivers the active ones',
        querystring: Type.Object({
          tenant_id: Type.Optional(Type.String({ pattern: '^ten_[0-9a-f]{32}$' })),
          status: Type.Optional(Status),
          city: Type.Optional(Type.String({ maxLength: 100 })),
          ...pageQuery,
        }),
      },
    },
    async (request, reply) => {
      const principal = request.principal!;
      const q = request.query;
      const limit = q.limit ?? 100;
      const tenantId =
        principal.role === 'platform_admin' || principal.role === 'driver'
          ? q.tenant_id
          : principal.tenant_id;
      const status = principal.role === 'driver' ? 'ACTIVE' : q.status;
      const rows = await store.listFacilities(pool, {
        ...(tenantId ? { tenantId } : {}),
        ...(status ? { status } : {}),
        ...(q.city ? { city: q.city } : {}),
        ...(q.cursor ? { after: decodeCursor(q.cursor, isIdCursor) } : {}),
        limit: limit + 1,
      });
      return paginate(request, reply, rows, limit, (r) => r.facility_id).map(facilityView);
    },
  );

  app.get(
    '/facilities/v1/:facility_id',
    {
      schema: {
        tags,
        summary: 'Facility details with current occupancy and prices',
        params: Type.Object({ facility_id: FacilityId }),
      },
    },
    async (request) => {
      const facility = await visibleFacility(pool, request.principal!, request.params.facility_id);
      const live = await store.liveState(pool, facility.facility_id);
      const prices = await store.pricingInForce(pool, facility.facility_id, clock.now());
      return {
        ...facilityView(facility),
        current_occupancy: {
          occupied_spaces: live.occupied,
          occupancy_rate: rate(live.occupied, facility.total_capacity),
        },
        pricing: prices.map((p) => pricingView(p, facility.currency)),
      };
    },
  );

  app.patch(
    '/facilities/v1/:facility_id',
    {
      schema: {
        tags,
        summary: 'Change a facility’s name, status, hours, capacity, alert threshold or reservation policy',
        params: Type.Object({ facility_id: FacilityId }),
        body: PatchBody,
      },
    },
    async (request) => {
      const principal = request.principal!;
      const body = request.body;
      const updated = await runtime.transaction(async (tx, emit) => {
        const current = await manageableFacility(tx, principal, request.params.facility_id, true);
        const hours =
          body.opening_time !== undefined ||
          body.closing_time !== undefined ||
          body.operating_days !== undefined
            ? checkOperatingHours({
                opening_time: body.opening_time !== undefined ? body.opening_time : current.opening_time,
                closing_time: body.closing_time !== undefined ? body.closing_time : current.closing_time,
                operating_days: (body.operating_days ??
                  current.operating_days) as (typeof weekdays)[number][],
              })
            : {};
        const capacity = body.capacity_breakdown ? checkCapacity(body.capacity_breakdown) : undefined;
        const policy = body.reservation_policy
          ? checkReservationPolicy(body.reservation_policy, current.currency, current)
          : {};
        const row = await store.updateFacility(tx, current.facility_id, {
          ...(body.name !== undefined ? { name: body.name.trim() } : {}),
          ...(body.status !== undefined ? { status: body.status } : {}),
          ...(body.pricing_strategy !== undefined ? { pricing_strategy: body.pricing_strategy } : {}),
          ...(body.charging_stations_count !== undefined
            ? { charging_stations_count: body.charging_stations_count }
            : {}),
          ...(body.occupancy_alert_threshold !== undefined
            ? { occupancy_alert_threshold: body.occupancy_alert_threshold }
            : {}),
          ...hours,
          ...policy,
          ...(capacity
            ? {
                compact_spaces_count: capacity.compact,
                standard_spaces_count: capacity.standard,
                large_spaces_count: capacity.large,
              }
            : {}),
        });
        emit({
          type: 'facility.updated',
          subject: row.facility_id,
          tenantid: row.tenant_id,
          facilityid: row.facility_id,
          data: {
            facility_id: row.facility_id,
            tenant_id: row.tenant_id,
            changed: Object.keys(body),
            name: row.name,
            status: row.status,
            capacity: {
              compact: row.compact_spaces_count,
              standard: row.standard_spaces_count,
              large: row.large_spaces_count,
              total: row.compact_spaces_count + row.standard_spaces_count + row.large_spaces_count,
            },
            occupancy_alert_threshold: Number(row.occupancy_alert_threshold),
          },
        });
        return row;
      });
      return facilityView(updated);
    },
  );
}
