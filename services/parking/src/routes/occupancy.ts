import { type App, type ServiceRuntime, Type } from '@easypark/platform';
import { facilityForStaff, loadFacility } from '../access.ts';
import { type Counts, occupancyRate, tally } from '../domain/occupancy.ts';
import { problem } from '../errors.ts';
import { countByStatus } from '../store/spaces.ts';
import { FacilityId, problems } from './schemas.ts';

const count = Type.Integer({ minimum: 0 });
const SizeCounts = Type.Object({
  total: count,
  available: count,
  occupied: count,
  reserved: count,
  maintenance: count,
});

const Occupancy = Type.Object({
  facility_id: Type.String(),
  total_spaces: count,
  occupied_spaces: count,
  available_spaces: count,
  reserved_spaces: count,
  maintenance_spaces: count,
  occupancy_rate: Type.Number({
    minimum: 0,
    maximum: 100,
    description:
      'Percent of usable spaces holding a vehicle, 2 decimals: occupied / (total − maintenance). Spaces under ' +
      'maintenance are left out; with no usable space the rate is 0.',
  }),
  availability_by_size: Type.Object(
    { COMPACT: count, STANDARD: count, LARGE: count },
    { description: 'AVAILABLE spaces per size' },
  ),
  spaces_by_size: Type.Object({ COMPACT: SizeCounts, STANDARD: SizeCounts, LARGE: SizeCounts }),
  timestamp: Type.String({ format: 'date-time' }),
});

export function occupancyRoutes(app: App, runtime: ServiceRuntime): void {
  app.get(
    '/parking/v1/occupancy/:facility_id',
    {
      schema: {
        tags: ['Occupancy'],
        summary: 'Current occupancy of a facility',
        description: 'Drivers may read it for active facilities; staff for their tenant’s facilities.',
        params: Type.Object({ facility_id: FacilityId }),
        response: { 200: Occupancy, ...problems('FACILITY_NOT_FOUND') },
      },
    },
    async (request) => {
      const principal = request.principal!;
      const { facility_id } = request.params;
      if (principal.role === 'driver') {
        const facility = await loadFacility(runtime, facility_id);
        if (facility.status !== 'ACTIVE')
          throw problem('FACILITY_NOT_FOUND', `Facility ${facility_id} does not exist`);
      } else {
        await facilityForStaff(runtime, principal, facility_id);
      }
      const { all, bySize } = tally(await countByStatus(runtime.pool, facility_id));
      const available = (c: Counts) => c.available;
      return {
        facility_id,
        total_spaces: all.total,
        occupied_spaces: all.occupied,
        available_spaces: all.available,
        reserved_spaces: all.reserved,
        maintenance_spaces: all.maintenance,
        occupancy_rate: occupancyRate(all),
        availability_by_size: {
          COMPACT: available(bySize.COMPACT),
          STANDARD: available(bySize.STANDARD),
          LARGE: available(bySize.LARGE),
        },
        spaces_by_size: bySize,
        timestamp: runtime.clock.now().toISOString(),
      };
    },
  );
}
