import { newId } from '@easypark/kernel';
import { type App, pgConstraint, type ServiceRuntime, Type } from '@easypark/platform';
import { problem } from '../errors.ts';
import * as store from '../store.ts';
import { facilityConfigView, pricingView } from '../views.ts';

const tags = ['internal'];

/** Routes for other services (and the gateway, which keeps identity but not the tenant registry). */
export function internalRoutes(app: App, runtime: ServiceRuntime): void {
  const { pool, clock } = runtime;

  const facilityOr404 = async (facilityId: string) => {
    const facility = await store.findFacility(pool, facilityId);
    if (!facility) throw problem('FACILITY_NOT_FOUND', `No facility ${facilityId}`);
    return facility;
  };

  app.get(
    '/facilities/internal/:facility_id/config',
    {
      schema: { tags, params: Type.Object({ facility_id: Type.String({ maxLength: 64 }) }) },
    },
    async (request) => facilityConfigView(await facilityOr404(request.params.facility_id)),
  );

  app.get(
    '/facilities/internal/:facility_id/pricing-strategy',
    {
      schema: {
        tags,
        summary:
          'The pricing strategy and the prices in force at `at` (default now), or with `until` every price period overlapping [at, until)',
        params: Type.Object({ facility_id: Type.String({ maxLength: 64 }) }),
        querystring: Type.Object({
          at: Type.Optional(Type.String({ format: 'date-time' })),
          until: Type.Optional(
            Type.String({
              format: 'date-time',
              description:
                'With it, configurations holds every period of every vehicle type overlapping [at, until), ordered by vehicle_type, effective_from',
            }),
          ),
        }),
      },
    },
    async (request) => {
      const facility = await facilityOr404(request.params.facility_id);
      const at = request.query.at ? new Date(request.query.at) : clock.now();
      const until = request.query.until ? new Date(request.query.until) : null;
      if (until && until.getTime() <= at.getTime()) {
        throw problem('VALIDATION_FAILED', 'until must be after at', {
          errors: [{ field: 'until', message: 'must be after at' }],
        });
      }
      const rows = until
        ? await store.pricingOverlapping(pool, facility.facility_id, at, until)
        : await store.pricingInForce(pool, facility.facility_id, at);
      return {
        facility_id: facility.facility_id,
        pricing_strategy: facility.pricing_strategy,
        currency: facility.currency,
        timezone: facility.timezone,
        at: at.toISOString(),
        ...(until ? { until: until.toISOString() } : {}),
        configurations: rows.map((r) => pricingView(r, facility.currency)),
      };
    },
  );

  const tenantView = (t: store.TenantRow) => ({ ...t, created_at: t.created_at.toISOString() });

  app.post(
    '/facilities/internal/tenants',
    {
      schema: {
        tags,
        body: Type.Object(
          { name: Type.String({ minLength: 1, maxLength: 200 }) },
          { additionalProperties: false },
        ),
      },
    },
    async (request, reply) => {
      const tenant = await store
        .insertTenant(pool, { tenant_id: newId('tenant'), name: request.body.name.trim() })
        .catch((error) => {
          if (pgConstraint(error) === 'tenants_name')
            throw problem('TENANT_NAME_TAKEN', `A tenant named “${request.body.name}” exists`);
          throw error;
        });
      return reply.code(201).send(tenantView(tenant));
    },
  );

  app.get('/facilities/internal/tenants', { schema: { tags } }, async () =>
    (await store.listTenants(pool)).map(tenantView),
  );

  app.get(
    '/facilities/internal/tenants/:tenant_id',
    {
      schema: { tags, params: Type.Object({ tenant_id: Type.String({ maxLength: 64 }) }) },
    },
    async (request) => {
      const tenant = await store.findTenant(pool, request.params.tenant_id);
      if (!tenant) throw problem('TENANT_NOT_FOUND', `No tenant ${request.params.tenant_id}`);
      return tenantView(tenant);
    },
  );
}
