import type { Principal } from '@easypark/kernel';
import { type App, pageQuery, paginate, type ServiceRuntime, Type } from '@easypark/platform';
import { facilityForStaff, staffSees } from '../access.ts';
import { problem } from '../errors.ts';
import { getSessionDetail, listSessions, type SessionCursor, type SessionDetail } from '../store/sessions.ts';
import { sessionView } from '../views.ts';
import { cursorOf, FacilityId, problems, Session, SessionId, VehicleId } from './schemas.ts';

const tags = ['Sessions'];

/** Staff see their tenant's sessions; drivers the sessions billed to them. */
function canSeeSession(principal: Principal, session: SessionDetail): boolean {
  if (principal.role === 'driver')
    return principal.customer_id !== undefined && session.customer_id === principal.customer_id;
  return staffSees(principal, session.tenant_id);
}

export function sessionRoutes(app: App, runtime: ServiceRuntime): void {
  app.get(
    '/parking/v1/sessions/:session_id',
    {
      schema: {
        tags,
        summary: 'Get a parking session',
        params: Type.Object({ session_id: SessionId }),
        response: { 200: Session, ...problems('SESSION_NOT_FOUND') },
      },
    },
    async (request) => {
      const principal = request.principal!;
      const session = await getSessionDetail(runtime.pool, request.params.session_id);
      if (!session || !canSeeSession(principal, session)) {
        throw problem('SESSION_NOT_FOUND', `There is no session ${request.params.session_id}`);
      }
      return sessionView(session);
    },
  );

  app.get(
    '/parking/v1/sessions',
    {
      schema: {
        tags,
        summary: 'List parking sessions',
        description:
          'Newest entry first. Staff see their tenant’s sessions, drivers their own. Paginated: follow the ' +
          'Link rel="next" header.',
        querystring: Type.Object({
          facility_id: Type.Optional(FacilityId),
          vehicle_id: Type.Optional(VehicleId),
          status: Type.Optional(
            Type.Enum(['OPEN', 'CLOSED'], { type: 'string', description: 'OPEN: still parked' }),
          ),
          ...pageQuery,
        }),
        response: { 200: Type.Array(Session), ...problems('FACILITY_NOT_FOUND') },
      },
    },
    async (request, reply) => {
      const principal = request.principal!;
      const { facility_id, vehicle_id, status, limit = 100, cursor } = request.query;
      if (facility_id !== undefined && principal.role !== 'driver')
        await facilityForStaff(runtime, principal, facility_id);
      const filter = {
        facilityId: facility_id,
        vehicleId: vehicle_id,
        status,
        ...(principal.role === 'driver'
          ? { customerId: principal.customer_id ?? 'none' }
          : principal.role === 'platform_admin'
            ? {}
            : { tenantId: principal.tenant_id ?? 'none' }),
      };
      const rows = await listSessions(
        runtime.pool,
        filter,
        cursorOf(
          cursor,
          (v): v is SessionCursor =>
            Array.isArray(v) &&
            v.length === 2 &&
            // The instant exactly as toISOString wrote it (Date.parse alone takes almost any text).
            /^[1-9]\d{3}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/.test(v[0]) &&
            new Date(v[0]).toISOString() === v[0] &&
            typeof v[1] === 'string',
        ),
        limit + 1,
      );
      const page = paginate(request, reply, rows, limit, (r) => [r.entry_time.toISOString(), r.session_id]);
      return page.map(sessionView);
    },
  );
}
