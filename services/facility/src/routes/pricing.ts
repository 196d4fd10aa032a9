import { type App, type ServiceRuntime, Type } from '@easypark/platform';
import { manageableFacility, visibleFacility } from '../access.ts';
import { checkEffectiveFrom, toPricingRecord, vehicleTypes } from '../domain/pricing.ts';
import { problem } from '../errors.ts';
import * as store from '../store.ts';
import { pricingView } from '../views.ts';

const FacilityId = Type.String({ pattern: '^fac_[0-9a-f]{32}$' });
const Time = Type.String({ pattern: '^([01]\\d|2[0-3]):[0-5]\\d$', description: 'Local time HH:MM' });
const Amount = Type.Number({
  minimum: 0,
  maximum: 1_000_000,
  description: 'Major units of the facility currency',
});
const Multiplier = Type.Number({ exclusiveMinimum: 0, maximum: 10 });
const OptionalTime = Type.Optional(Type.Union([Time, Type.Null()]));
const idleFeeDescription =
  'EV_OPTIMIZED facilities: charged per minute a car stays plugged in after charging completes, beyond idle_grace_minutes';

const PricingBody = Type.Object(
  {
    vehicle_type: Type.Union(vehicleTypes.map((t) => Type.Literal(t))),
    hourly_rate: Amount,
    daily_max: Type.Optional(Type.Union([Amount, Type.Null()])),
    monthly_rate: Type.Optional(Type.Union([Amount, Type.Null()])),
    peak_hour_multiplier: Type.Optional(Multiplier),
    night_rate_multiplier: Type.Optional(Multiplier),
    peak_start_time: OptionalTime,
    peak_end_time: OptionalTime,
    night_start_time: OptionalTime,
    night_end_time: OptionalTime,
    ev_charging_rate_per_kwh: Type.Optional(Type.Union([Amount, Type.Null()])),
    reservation_fee: Type.Optional(Amount),
    billing_increment_minutes: Type.Optional(Type.Integer({ minimum: 1, maximum: 1440 })),
    grace_period_minutes: Type.Optional(Type.Integer({ minimum: 0, maximum: 1440 })),
    idle_fee_per_hour: Type.Optional(
      Type.Union([Amount, Type.Null()], {
        description: `${idleFeeDescription} (major units of the facility currency per hour; null or absent: no idle fee)`,
      }),
    ),
    idle_grace_minutes: Type.Optional(
      Type.Integer({
        minimum: 0,
        maximum: 1440,
        description: `${idleFeeDescription} (the grace in minutes; defaults to 10)`,
      }),
    ),
    effective_from: Type.Optional(
      Type.String({ format: 'date-time', description: 'Defaults to now; never in the past' }),
    ),
  },
  { additionalProperties: false },
);

const tags = ['pricing'];

export function pricingRoutes(app: App, runtime: ServiceRuntime): void {
  const { pool, clock } = runtime;

  app.put(
    '/facilities/v1/:facility_id/pricing',
    {
      schema: {
        tags,
        summary:
          'Set the price for one vehicle type from effective_from on (earlier prices stay as they were)',
        params: Type.Object({ facility_id: FacilityId }),
        body: PricingBody,
      },
    },
    async (request) => {
      const principal = request.principal!;
      const from = checkEffectiveFrom(request.body.effective_from, clock.now());
      const { facility, row } = await runtime.transaction(async (tx, emit) => {
        const facility = await manageableFacility(tx, principal, request.params.facility_id, true);
        const record = toPricingRecord(request.body, facility.currency);
        const { row, startsTaken } = await store.schedulePricing(
          tx,
          facility.facility_id,
          record,
          from,
          principal.sub,
        );
        if (startsTaken) {
          throw problem(
            'PRICING_SCHEDULE_CONFLICT',
            `A ${record.vehicle_type} price already starts at ${from.toISOString()}`,
          );
        }
        emit({
          type: 'facility.pricing.updated',
          subject: facility.facility_id,
          tenantid: facility.tenant_id,
          facilityid: facility.facility_id,
          data: {
            facility_id: facility.facility_id,
            config_id: row.config_id,
            vehicle_type: row.vehicle_type,
            effective_from: row.effective_from.toISOString(),
          },
        });
        return { facility, row };
      });
      return { facility_id: facility.facility_id, pricing_config: pricingView(row, facility.currency) };
    },
  );

  app.get(
    '/facilities/v1/:facility_id/pricing',
    {
      schema: {
        tags,
        summary: 'Prices in force at an instant (default now), or the whole schedule with history=true',
        params: Type.Object({ facility_id: FacilityId }),
        querystring: Type.Object({
          at: Type.Optional(Type.String({ format: 'date-time' })),
          history: Type.Optional(Type.Boolean()),
        }),
      },
    },
    async (request) => {
      const facility = await visibleFacility(pool, request.principal!, request.params.facility_id);
      const rows = request.query.history
        ? await store.pricingHistory(pool, facility.facility_id)
        : await store.pricingInForce(
            pool,
            facility.facility_id,
            request.query.at ? new Date(request.query.at) : clock.now(),
          );
      return rows.map((r) => pricingView(r, facility.currency));
    },
  );
}
