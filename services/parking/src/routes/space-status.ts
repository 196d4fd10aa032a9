import { type App, type ServiceRuntime, Type } from '@easypark/platform';
import { facilityIfReachable, staffSees } from '../access.ts';
import { assertManualTransition } from '../domain/spaces.ts';
import { problem } from '../errors.ts';
import { emitSpaceEvent, emitStatusChanged, reportOccupancyChange } from '../events.ts';
import { getSpace, lockSpace, setSpaceStatus } from '../store/spaces.ts';
import { spaceView } from '../views.ts';
import { problems, Space, SpaceId, SpaceStatusSchema } from './schemas.ts';

const ChangeStatus = Type.Object(
  {
    status: SpaceStatusSchema,
    reason: Type.Optional(Type.String({ maxLength: 500, description: 'Why, e.g. “line repainting”' })),
  },
  { additionalProperties: false },
);

export function spaceStatusRoutes(app: App, runtime: ServiceRuntime): void {
  app.put(
    '/parking/v1/spaces/:space_id/status',
    {
      schema: {
        tags: ['Spaces'],
        summary: 'Change a space’s status by hand',
        description:
          'Allowed: AVAILABLE ↔ MAINTENANCE, AVAILABLE ↔ RESERVED, RESERVED → MAINTENANCE. OCCUPIED is set by an ' +
          'entry and cleared by its exit only. Setting the current status again changes nothing (the reason, if ' +
          'given, is recorded).',
        params: Type.Object({ space_id: SpaceId }),
        body: ChangeStatus,
        response: { 200: Space, ...problems('SPACE_NOT_FOUND', 'INVALID_STATUS_TRANSITION') },
      },
    },
    async (request) => {
      const principal = request.principal!;
      const { space_id } = request.params;
      const { status, reason } = request.body;
      const found = await getSpace(runtime.pool, space_id);
      if (!found || !staffSees(principal, found.tenant_id)) {
        throw problem('SPACE_NOT_FOUND', `There is no space ${space_id}`);
      }
      const facility = await facilityIfReachable(runtime, found.facility_id);
      const now = runtime.clock.now();
      const space = await runtime.transaction(async (tx, emit) => {
        const before = (await lockSpace(tx, space_id))!;
        if (before.status === status && status !== 'OCCUPIED') {
          return reason === undefined ? before : setSpaceStatus(tx, space_id, status, reason, now);
        }
        assertManualTransition(before.status, status);
        const after = await setSpaceStatus(tx, space_id, status, reason ?? null, now);
        emitStatusChanged(emit, before, after, now);
        if (status === 'AVAILABLE') emitSpaceEvent(emit, 'parking.space.released', after, now);
        await reportOccupancyChange(tx, emit, facility, { from: before.status, to: status, count: 1 }, now);
        return after;
      });
      return spaceView(space);
    },
  );
}
