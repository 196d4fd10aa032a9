/** Public path segment under /api/v1 → the service that answers it (`/api/v1/<segment>/x` → `/<segment>/v1/x`). */
export const publicApis: Record<string, string> = {
  parking: 'parking',
  reservations: 'reservation',
  charging: 'charging',
  facilities: 'facility',
  billing: 'billing',
  analytics: 'analytics',
};

const segmentOf = Object.fromEntries(
  Object.entries(publicApis).map(([segment, service]) => [service, segment]),
);

/** Rewrites a service path (`/parking/v1/sessions/x`) to its public form (`/api/v1/parking/sessions/x`). */
export function toPublicPath(path: string): string {
  return path.replace(/^\/([a-z]+)\/v1(?=\/|$|\?)/, (match, segment: string) =>
    publicApis[segment] ? `/api/v1/${segment}` : match,
  );
}

export function segmentForService(service: string): string | undefined {
  return segmentOf[service];
}
