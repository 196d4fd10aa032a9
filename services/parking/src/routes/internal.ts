import { type App, type ServiceRuntime, Type } from '@easypark/platform';
import { parsePlate } from '../domain/vehicles.ts';
import { problem } from '../errors.ts';
import { getSessionDetail, openSessionDetailByPlate } from '../store/sessions.ts';
import { facilitySpacesJson, getSpace } from '../store/spaces.ts';
import { internalSessionView } from '../views.ts';
import {
  ConnectorTypeSchema,
  FacilityId,
  Location,
  Nullable,
  Plate,
  problems,
  SessionId,
  SpaceId,
  SpaceSizeSchema,
  SpaceStatusSchema,
  sessionFields,
  VehicleId,
} from './schemas.ts';

/** Service-to-service routes ('internal' in the route-access table): service tokens only, never exposed by the gateway. */
const tags = ['Internal'];

const InternalSession = Type.Object({
  ...sessionFields,
  tenant_id: Type.String(),
  is_electric: Type.Boolean(),
  battery_capacity_kwh: Nullable(Type.Number()),
  connector_type: Nullable(ConnectorTypeSchema),
  created_at: Type.String({ format: 'date-time' }),
  updated_at: Type.String({ format: 'date-time' }),
});

const SpaceStatus = Type.Object({
  space_id: Type.String(),
  facility_id: Type.String(),
  tenant_id: Type.String(),
  size: SpaceSizeSchema,
  status: SpaceStatusSchema,
  last_updated: Type.String({ format: 'date-time' }),
});

const FacilitySpace = Type.Object({
  space_id: Type.String(),
  size: SpaceSizeSchema,
  status: SpaceStatusSchema,
  location: Location,
});

const Validation = Type.Object({
  valid: Type.Boolean(),
  reason: Nullable(Type.Enum(['SESSION_CLOSED', 'VEHICLE_MISMATCH'], { type: 'string' })),
  ...InternalSession.properties,
});

export function internalRoutes(app: App, runtime: ServiceRuntime): void {
  async function sessionOr404(sessionId: string) {
    const session = await getSessionDetail(runtime.pool, sessionId);
    if (!session) throw problem('SESSION_NOT_FOUND', `There is no session ${sessionId}`);
    return session;
  }

  app.get(
    '/parking/internal/sessions/:session_id',
    {
      schema: {
        tags,
        summary: 'A parking session with everything billing needs',
        params: Type.Object({ session_id: SessionId }),
        response: { 200: InternalSession, ...problems('SESSION_NOT_FOUND') },
      },
    },
    async (request) => internalSessionView(await sessionOr404(request.params.session_id)),
  );

  app.get(
    '/parking/internal/facilities/:facility_id/open-sessions',
    {
      schema: {
        tags,
        summary: 'The open session of a plate in a facility (for charging stations)',
        description:
          'The registration number is normalised as at entry. 404 SESSION_NOT_FOUND when no vehicle with ' +
          'this plate is parked in this facility (unknown plate or facility, parked elsewhere, gone).',
        params: Type.Object({ facility_id: FacilityId }),
        querystring: Type.Object({ registration_number: Plate }),
        response: { 200: InternalSession, ...problems('INVALID_REGISTRATION', 'SESSION_NOT_FOUND') },
      },
    },
    async (request) => {
      const { facility_id } = request.params;
      const plate = parsePlate(request.query.registration_number);
      const session = await openSessionDetailByPlate(runtime.pool, facility_id, plate);
      if (!session) {
        throw problem('SESSION_NOT_FOUND', `No vehicle ${plate} is parked in facility ${facility_id}`);
      }
      return internalSessionView(session);
    },
  );

  app.get(
    '/parking/internal/spaces/:space_id/status',
    {
      schema: {
        tags,
        summary: 'A space’s current status (for reservations)',
        params: Type.Object({ space_id: SpaceId }),
        response: { 200: SpaceStatus, ...problems('SPACE_NOT_FOUND') },
      },
    },
    async (request) => {
      const space = await getSpace(runtime.pool, request.params.space_id);
      if (!space) throw problem('SPACE_NOT_FOUND', `There is no space ${request.params.space_id}`);
      const { space_id, facility_id, tenant_id, size, status, last_updated } = space;
      return { space_id, facility_id, tenant_id, size, status, last_updated: last_updated.toISOString() };
    },
  );

  app.get(
    '/parking/internal/facilities/:facility_id/spaces',
    {
      schema: {
        tags,
        summary: 'Every space of a facility (for reservations to choose from)',
        description:
          'Optionally of one size; the level nearest the ground first, then aisle and number. An unknown ' +
          'facility has no spaces: [].',
        params: Type.Object({ facility_id: FacilityId }),
        querystring: Type.Object({ size: Type.Optional(SpaceSizeSchema) }),
        response: { 200: Type.Array(FacilitySpace), ...problems() },
      },
    },
    async (request, reply) => {
      const json = await facilitySpacesJson(runtime.pool, request.params.facility_id, request.query.size);
      // Already serialised (a JSON content type and a string: Fastify sends it as it is).
      return reply.type('application/json; charset=utf-8').send(json as never);
    },
  );

  app.post(
    '/parking/internal/sessions/:session_id/validate',
    {
      schema: {
        tags,
        summary: 'Check that a parking session is open (for charging)',
        description:
          'valid is true when the session is open and, if vehicle_id is given, belongs to that vehicle. An unknown ' +
          'session is 404 SESSION_NOT_FOUND.',
        params: Type.Object({ session_id: SessionId }),
        body: Type.Optional(
          Type.Object({ vehicle_id: Type.Optional(VehicleId) }, { additionalProperties: false }),
        ),
        response: { 200: Validation, ...problems('SESSION_NOT_FOUND') },
      },
    },
    async (request) => {
      const session = await sessionOr404(request.params.session_id);
      const vehicleId = request.body.vehicle_id;
      const reason =
        session.exit_time !== null
          ? ('SESSION_CLOSED' as const)
          : vehicleId !== undefined && vehicleId !== session.vehicle_id
            ? ('VEHICLE_MISMATCH' as const)
            : null;
      return { valid: reason === null, reason, ...internalSessionView(session) };
    },
  );
}
