import { newId, type Principal } from '@easypark/kernel';
import { type App, pageQuery, paginate, type ServiceRuntime, Type } from '@easypark/platform';
import { facilityForStaff, staffSees } from '../access.ts';
import type { SpaceLocation, SpaceSize } from '../domain/spaces.ts';
import { mapDbErrors, problem } from '../errors.ts';
import { emitSpacesAdded, reportOccupancyChange } from '../events.ts';
import {
  countSpaces,
  getSpace,
  insertSpaces,
  listSpaces,
  lockFacility,
  type SpaceCursor,
} from '../store/spaces.ts';
import { spaceView } from '../views.ts';
import {
  cursorOf,
  FacilityId,
  Location,
  problems,
  Space,
  SpaceId,
  SpaceSizeSchema,
  SpaceStatusSchema,
} from './schemas.ts';

const tags = ['Spaces'];

const CreateSpace = Type.Object(
  { facility_id: FacilityId, size: SpaceSizeSchema, location: Location },
  { additionalProperties: false },
);

const CreateRow = Type.Object(
  {
    facility_id: FacilityId,
    size: SpaceSizeSchema,
    floor: Location.properties.floor,
    aisle: Location.properties.aisle,
    count: Type.Integer({ minimum: 1, maximum: 1000, description: 'How many spaces to create' }),
    start_number: Type.Optional(
      Type.Integer({ minimum: 0, maximum: 999_000, default: 1, description: 'Number of the first space' }),
    ),
  },
  { additionalProperties: false },
);

const creationProblems = problems('FACILITY_NOT_FOUND', 'FACILITY_CAPACITY_EXCEEDED', 'SPACE_LOCATION_TAKEN');

export function spaceRoutes(app: App, runtime: ServiceRuntime): void {
  app.post(
    '/parking/v1/spaces',
    {
      schema: {
        tags,
        summary: 'Register a parking space',
        description:
          'Creates an AVAILABLE space. Spaces of a size never exceed the facility’s capacity for that size.',
        body: CreateSpace,
        response: { 201: Space, ...creationProblems },
      },
    },
    async (request, reply) => {
      const { facility_id, size, location } = request.body;
      const created = await createSpaces(runtime, request.principal!, facility_id, size, [location]);
      return reply.code(201).send(created[0]!);
    },
  );

  app.post(
    '/parking/v1/spaces/bulk',
    {
      schema: {
        tags,
        summary: 'Register a row of spaces',
        description:
          'Creates `count` spaces of one size on one floor and aisle, numbered from `start_number`, all or none.',
        body: CreateRow,
        response: { 201: Type.Array(Space), ...creationProblems },
      },
    },
    async (request, reply) => {
      const { facility_id, size, floor, aisle, count, start_number = 1 } = request.body;
      const locations = Array.from({ length: count }, (_, i) => ({ floor, aisle, number: start_number + i }));
      return reply
        .code(201)
        .send(await createSpaces(runtime, request.principal!, facility_id, size, locations));
    },
  );

  app.get(
    '/parking/v1/spaces/:facility_id',
    {
      schema: {
        tags,
        summary: 'List the spaces of a facility',
        description:
          'In location order (floor, aisle, number). Paginated: follow the Link rel="next" header.',
        params: Type.Object({ facility_id: FacilityId }),
        querystring: Type.Object({
          status: Type.Optional(SpaceStatusSchema),
          size: Type.Optional(SpaceSizeSchema),
          floor: Type.Optional(Location.properties.floor),
          ...pageQuery,
        }),
        response: { 200: Type.Array(Space), ...problems('FACILITY_NOT_FOUND') },
      },
    },
    async (request, reply) => {
      const principal = request.principal!;
      const { facility_id } = request.params;
      await facilityForStaff(runtime, principal, facility_id);
      const { limit = 100, cursor, status, size, floor } = request.query;
      const after = cursorOf(
        cursor,
        (v): v is SpaceCursor =>
          Array.isArray(v) &&
          v.length === 3 &&
          // Floor and number are PostgreSQL integers.
          [v[0], v[2]].every((n) => Number.isInteger(n) && Math.abs(n) < 2 ** 31) &&
          typeof v[1] === 'string',
      );
      const rows = await listSpaces(
        runtime.pool,
        { facilityId: facility_id, status, size, floor },
        after,
        limit + 1,
      );
      const page = paginate(request, reply, rows, limit, (r) => [
        r.location_floor,
        r.location_aisle,
        r.location_number,
      ]);
      return page.map(spaceView);
    },
  );

  app.get(
    '/parking/v1/spaces/:facility_id/:space_id',
    {
      schema: {
        tags,
        summary: 'Get one space',
        params: Type.Object({ facility_id: FacilityId, space_id: SpaceId }),
        response: { 200: Space, ...problems('SPACE_NOT_FOUND') },
      },
    },
    async (request) => {
      const principal = request.principal!;
      const { facility_id, space_id } = request.params;
      const space = await getSpace(runtime.pool, space_id);
      if (!space || space.facility_id !== facility_id || !staffSees(principal, space.tenant_id)) {
        throw problem('SPACE_NOT_FOUND', `Facility ${facility_id} has no space ${space_id}`);
      }
      return spaceView(space);
    },
  );
}

/**
 * Creates spaces all or none. Creations for one facility take turns (advisory lock) so that
 * counting what exists and inserting more cannot interleave and overshoot the capacity.
 */
async function createSpaces(
  runtime: ServiceRuntime,
  principal: Principal,
  facilityId: string,
  size: SpaceSize,
  locations: SpaceLocation[],
) {
  // Fresh: the capacity may just have been raised (or lowered) by staff.
  const facility = await facilityForStaff(runtime, principal, facilityId, { fresh: true });
  const capacity = facility.capacity[size.toLowerCase() as 'compact' | 'standard' | 'large'];
  const now = runtime.clock.now();
  const rows = await mapDbErrors(() =>
    runtime.transaction(async (tx, emit) => {
      await lockFacility(tx, 'capacity', facilityId);
      const existing = await countSpaces(tx, facilityId, size);
      if (existing + locations.length > capacity) {
        throw problem(
          'FACILITY_CAPACITY_EXCEEDED',
          `The facility has room for ${capacity} ${size} spaces; ${existing} exist, ${locations.length} more requested`,
          { capacity, existing, requested: locations.length },
        );
      }
      const created = await insertSpaces(
        tx,
        locations.map((l) => ({
          space_id: newId('space'),
          tenant_id: facility.tenant_id,
          facility_id: facilityId,
          size,
          location_floor: l.floor,
          location_aisle: l.aisle,
          location_number: l.number,
        })),
        now,
      );
      await reportOccupancyChange(
        tx,
        emit,
        facility,
        { from: null, to: 'AVAILABLE', count: created.length },
        now,
      );
      emitSpacesAdded(emit, facility, created, await countSpaces(tx, facilityId), now);
      return created;
    }),
  );
  return rows.map(spaceView);
}
