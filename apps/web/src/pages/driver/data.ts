import { useEffect, useState } from 'react';
import { useAsync } from '../../hooks.ts';
import { ApiError, apiAll, onSessionChange } from '../../lib/api.ts';
import type { Facility } from './model.ts';

/**
 * The facilities a driver can see (every active one), shared by the driver's pages: they name the
 * facility of a reservation, visit or invoice and give its time zone. Kept a few minutes, and not
 * past a sign-out; a failed load is forgotten so the next page asks again.
 */
const keepFacilitiesMs = 5 * 60_000;
let facilitiesLoad: { at: number; facilities: Promise<Facility[]> } | null = null;
onSessionChange(() => {
  facilitiesLoad = null;
});

function loadFacilities(): Promise<Facility[]> {
  if (!facilitiesLoad || Date.now() - facilitiesLoad.at > keepFacilitiesMs) {
    const load = { at: Date.now(), facilities: apiAll<Facility>('facilities?limit=500') };
    load.facilities.catch(() => {
      if (facilitiesLoad === load) facilitiesLoad = null;
    });
    facilitiesLoad = load;
  }
  return facilitiesLoad.facilities;
}

export function useFacilities() {
  const load = useAsync(() => loadFacilities(), []);
  const byId = new Map((load.data ?? []).map((f) => [f.facility_id, f]));
  /** Loaded, or failed: pages wait for it so names and local times do not change under the reader. */
  const settled = load.data !== undefined || Boolean(load.error);
  const nameOf = (facilityId: string) =>
    byId.get(facilityId)?.name ?? (load.data ? 'A car park no longer listed' : 'Car park');
  return { ...load, byId, settled, nameOf };
}

/** The status and `code` of a failed call, for deciding whether its retry keeps its idempotency key. */
export function failureOf(error: unknown): { status: number; code?: string | undefined } {
  if (error instanceof ApiError) return { status: error.status, code: error.problem.code };
  return { status: 0 };
}

/**
 * A fresh idempotency key for one attempt. crypto.randomUUID exists only on secure pages (https or
 * localhost); on a plain-http address the same random version 4 UUID is made from getRandomValues.
 */
export function newIdempotencyKey(): string {
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = (bytes[6]! & 0x0f) | 0x40;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = [...bytes].map((b) => b.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** The time now, again every `everyMs`: for "parked for 1 h 5 min" and holds running out. */
export function useNow(everyMs: number): Date {
  const [now, setNow] = useState(() => new Date());
  useEffect(() => {
    const timer = setInterval(() => setNow(new Date()), everyMs);
    return () => clearInterval(timer);
  }, [everyMs]);
  return now;
}
