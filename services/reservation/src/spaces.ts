import { type FacilitySpace, parkingClient } from '@easypark/parking/client';
import type { Queryable, ServiceRuntime } from '@easypark/platform';
import * as store from './store.ts';

type Size = FacilitySpace['size'];

/**
 * A space as a booking sees it. `status` is Parking's current one when the list was asked
 * `live`; otherwise only a space in maintenance says so (MAINTENANCE), the others say null.
 */
export type BookableSpace = Omit<FacilitySpace, 'status'> & { status: FacilitySpace['status'] | null };

/**
 * A facility's spaces, from the directory this service keeps of them (parking.spaces.added and
 * parking.space.status.changed keep it; a facility it does not fully know is listed from Parking
 * once and saved). A booking takes the first free spaces of the directory in its transaction;
 * lists (availability, a booking about to start or of a named space) are kept for a few seconds,
 * so many at one garage read it once. A booking checks the space it is about to take with
 * Parking (`currentStatus`), so a space just put in maintenance is still never reserved.
 */
export function spaceDirectory(runtime: ServiceRuntime, ttlMs: number) {
  const parking = () => parkingClient(runtime.client('parking'));
  const cache = new Map<string, { until: number; spaces: Promise<BookableSpace[]> }>();

  /** All the facility's spaces as Parking lists them now, saved as the facility's directory. */
  async function loadFromParking(facilityId: string): Promise<store.DirectorySpace[]> {
    const listedAt = runtime.clock.now();
    const all = (await parking().facilitySpaces(facilityId)).map(({ status, ...s }) => ({
      ...s,
      in_maintenance: status === 'MAINTENANCE',
    }));
    await runtime.transaction((tx) => store.saveDirectory(tx, facilityId, all, listedAt));
    return all;
  }

  async function fromDirectory(facilityId: string, size: Size | undefined): Promise<BookableSpace[]> {
    const spaces =
      (await store.directorySpaces(runtime.pool, facilityId, size)) ??
      (await loadFromParking(facilityId)).filter((s) => size === undefined || s.size === size);
    return spaces.map(bookable);
  }

  return {
    /**
     * The facility's spaces (of one size, or all) in location order. `live`: with Parking's
     * current statuses, for a booking about to start, which must avoid the spaces taken now.
     */
    list(facilityId: string, size: Size | undefined, options: { live: boolean }): Promise<BookableSpace[]> {
      if (options.live) return parking().facilitySpaces(facilityId, size);
      const key = `${facilityId}:${size ?? '*'}`;
      const now = Date.now();
      const hit = cache.get(key);
      if (hit && hit.until > now) return hit.spaces;
      const spaces = fromDirectory(facilityId, size);
      cache.set(key, { until: now + ttlMs, spaces });
      spaces.catch(() => cache.delete(key));
      if (cache.size > 10_000) cache.delete(cache.keys().next().value!);
      return spaces;
    },
    /** Makes sure the directory holds all the facility's spaces, listing them from Parking if not. */
    async ensureComplete(facilityId: string): Promise<void> {
      if (!(await store.directoryComplete(runtime.pool, facilityId))) await loadFromParking(facilityId);
    },
    /**
     * The best spaces of the size a booking of the window can take, in location order, at most
     * `limit`: read in the booking's transaction, after ensureComplete.
     */
    async freeForWindow(
      tx: Queryable,
      facilityId: string,
      size: Size,
      window: { from: Date; to: Date },
      skip: readonly string[],
      limit: number,
    ): Promise<BookableSpace[]> {
      return (await store.freeDirectorySpaces(tx, facilityId, size, window, skip, limit)).map(bookable);
    },
    async currentStatus(spaceId: string): Promise<FacilitySpace['status']> {
      return (await parking().spaceStatus(spaceId)).status;
    },
  };
}

function bookable({ in_maintenance, ...space }: store.DirectorySpace): BookableSpace {
  return { ...space, status: in_maintenance ? 'MAINTENANCE' : null };
}

export type SpaceDirectory = ReturnType<typeof spaceDirectory>;
