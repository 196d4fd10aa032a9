import { type FacilitySpace, parkingClient } from '@easypark/parking/client';
import type { ServiceRuntime } from '@easypark/platform';

type Size = FacilitySpace['size'];

/**
 * A facility's spaces as Parking lists them, kept for a few seconds: listing a large garage on
 * every booking would cost more than the booking. A booking checks the space it is about to take
 * with Parking (`currentStatus`), so a space just put in maintenance is still never reserved.
 */
export function spaceDirectory(runtime: ServiceRuntime, ttlMs: number) {
  const parking = () => parkingClient(runtime.client('parking'));
  const cache = new Map<string, { until: number; spaces: Promise<FacilitySpace[]> }>();
  return {
    list(facilityId: string, size?: Size): Promise<FacilitySpace[]> {
      const key = `${facilityId}:${size ?? '*'}`;
      const now = Date.now();
      const hit = cache.get(key);
      if (hit && hit.until > now) return hit.spaces;
      const spaces = parking().facilitySpaces(facilityId, size);
      cache.set(key, { until: now + ttlMs, spaces });
      spaces.catch(() => cache.delete(key));
      if (cache.size > 10_000) cache.delete(cache.keys().next().value!);
      return spaces;
    },
    async currentStatus(spaceId: string): Promise<FacilitySpace['status']> {
      return (await parking().spaceStatus(spaceId)).status;
    },
  };
}

export type SpaceDirectory = ReturnType<typeof spaceDirectory>;
