/**
 * Who may call which route: the one table the gateway and every service enforce.
 *
 * Keys are `METHOD /path` exactly as the service registers the route (the gateway's public
 * `/api/v1/parking/...` is `/parking/v1/...` here). A route missing from the table does not
 * start: every route is decided here, not in its handler. Handlers still decide per object
 * (a driver sees their own invoices, staff their tenant's) and answer 404 for what is not theirs.
 */
import type { Principal, Role } from './principal.ts';

/** What an API key may be allowed to do; a key is always bound to one facility. */
export const permissions = {
  'entries:record': 'Record vehicle entries at the facility (a gate controller or plate reader)',
  'exits:record': 'Record vehicle exits at the facility',
  'occupancy:read': 'Read the facility’s live occupancy (a display board)',
  'invoices:pay': 'Look up, print and pay invoices of visits to the facility (a payment terminal)',
  'validations:create': 'Validate parking for a visit to the facility (a shop or cinema)',
} as const;
export type Permission = keyof typeof permissions;
export const permissionNames = Object.keys(permissions) as Permission[];

/**
 * `public`: no credentials. `internal`: service tokens only (never reachable through the gateway).
 * Otherwise the roles that may call it, and the permission that lets an API key call it.
 */
export type RouteAccess = 'public' | 'internal' | { roles: readonly Role[]; key?: Permission };

const staff = ['platform_admin', 'tenant_admin', 'operator'] as const;
const managers = ['platform_admin', 'tenant_admin'] as const;
const signedIn = ['platform_admin', 'tenant_admin', 'operator', 'driver'] as const;
const platformAdmin = ['platform_admin'] as const;
const tenantAdmin = ['tenant_admin'] as const;

export const routeAccess: Record<string, RouteAccess> = {
  // Every service
  'GET /healthz': 'public',
  'GET /readyz': 'public',
  'GET /metrics': 'public',
  'GET /openapi.json': 'public',

  // Gateway
  'POST /api/v1/auth/token': 'public',
  'POST /api/v1/auth/register': 'public',
  'POST /api/v1/auth/logout': { roles: signedIn },
  'POST /api/v1/tenants': { roles: platformAdmin },
  'GET /api/v1/tenants': { roles: staff },
  'POST /api/v1/users': { roles: managers },
  'GET /api/v1/users': { roles: managers },
  'POST /api/v1/clients': { roles: managers },
  'GET /api/v1/audit': { roles: managers },
  'POST /api/v1/api-keys': { roles: managers },
  'GET /api/v1/api-keys': { roles: managers },
  'GET /api/v1/api-keys/:key_id': { roles: managers },
  'DELETE /api/v1/api-keys/:key_id': { roles: managers },
  'GET /api/v1/health': 'public',
  'GET /api/v1/openapi.json': 'public',
  'GET /docs': 'public',
  'GET /docs/assets/:file': 'public',
  'GET /problems': 'public',
  'GET /problems/:slug': 'public',
  // The web app (apps/web): its page and its hashed assets
  'GET /': 'public',
  'GET /assets/:file': 'public',

  // Facility
  'POST /facilities/v1/register': { roles: managers },
  'GET /facilities/v1': { roles: signedIn },
  'GET /facilities/v1/:facility_id': { roles: signedIn },
  'PATCH /facilities/v1/:facility_id': { roles: managers },
  'GET /facilities/v1/:facility_id/status': { roles: signedIn },
  'GET /facilities/v1/:facility_id/operations-summary': { roles: staff },
  'PUT /facilities/v1/:facility_id/pricing': { roles: managers },
  'GET /facilities/v1/:facility_id/pricing': { roles: signedIn },
  'GET /facilities/internal/:facility_id/config': 'internal',
  'GET /facilities/internal/:facility_id/pricing-strategy': 'internal',
  'POST /facilities/internal/tenants': 'internal',
  'GET /facilities/internal/tenants': 'internal',
  'GET /facilities/internal/tenants/:tenant_id': 'internal',

  // Parking
  'POST /parking/v1/spaces': { roles: staff },
  'POST /parking/v1/spaces/bulk': { roles: staff },
  'GET /parking/v1/spaces/:facility_id': { roles: staff },
  'GET /parking/v1/spaces/:facility_id/:space_id': { roles: staff },
  'PUT /parking/v1/spaces/:space_id/status': { roles: staff },
  'POST /parking/v1/vehicles': { roles: signedIn },
  'GET /parking/v1/vehicles': { roles: signedIn },
  'GET /parking/v1/vehicles/:vehicle_id': { roles: signedIn },
  'POST /parking/v1/sessions/entry': { roles: staff, key: 'entries:record' },
  'POST /parking/v1/sessions/exit': { roles: staff, key: 'exits:record' },
  'POST /parking/v1/sessions/:session_id/exit': { roles: staff, key: 'exits:record' },
  'GET /parking/v1/sessions': { roles: signedIn },
  'GET /parking/v1/sessions/:session_id': { roles: signedIn },
  'GET /parking/v1/occupancy/:facility_id': { roles: signedIn, key: 'occupancy:read' },
  'GET /parking/internal/sessions/:session_id': 'internal',
  'POST /parking/internal/sessions/:session_id/validate': 'internal',
  'GET /parking/internal/facilities/:facility_id/open-sessions': 'internal',
  'GET /parking/internal/facilities/:facility_id/spaces': 'internal',
  'GET /parking/internal/spaces/:space_id/status': 'internal',

  // Reservation
  'POST /reservations/v1/create': { roles: signedIn },
  'GET /reservations/v1': { roles: signedIn },
  'GET /reservations/v1/availability': { roles: signedIn },
  'GET /reservations/v1/:reservation_id': { roles: signedIn },
  'POST /reservations/v1/:reservation_id/confirm': { roles: signedIn },
  'POST /reservations/v1/:reservation_id/cancel': { roles: signedIn },
  'POST /reservations/internal/validate-arrival': 'internal',
  'GET /reservations/internal/facility/:facility_id/available-windows': 'internal',

  // Charging
  'POST /charging/v1/stations': { roles: staff },
  'GET /charging/v1/stations/:id': { roles: signedIn },
  'PATCH /charging/v1/stations/:station_id': { roles: staff },
  'POST /charging/v1/stations/:station_id/password': { roles: staff },
  'POST /charging/v1/stations/:station_id/maintenance': { roles: staff },
  'POST /charging/v1/stations/:station_id/maintenance/end': { roles: staff },
  'GET /charging/v1/stations/:station_id/maintenance': { roles: staff },
  'GET /charging/v1/facilities/:facility_id/power-limit': { roles: staff },
  'PUT /charging/v1/facilities/:facility_id/power-limit': { roles: staff },
  'POST /charging/v1/sessions/start': { roles: signedIn },
  'GET /charging/v1/sessions': { roles: signedIn },
  'GET /charging/v1/sessions/:charging_session_id': { roles: signedIn },
  'POST /charging/v1/sessions/:charging_session_id/stop': { roles: signedIn },
  'POST /charging/v1/sessions/:charging_session_id/pause': { roles: signedIn },
  'POST /charging/v1/sessions/:charging_session_id/resume': { roles: signedIn },
  'GET /charging/v1/availability': { roles: signedIn },
  'POST /charging/v1/queue': { roles: signedIn },
  'GET /charging/v1/queue': { roles: staff },
  'GET /charging/v1/queue/:queue_id': { roles: signedIn },
  'DELETE /charging/v1/queue/:queue_id': { roles: signedIn },
  'POST /charging/internal/sessions/validate': 'internal',
  'GET /charging/internal/sessions/:session_id/energy': 'internal',
  'GET /charging/internal/parking-sessions/:parking_session_id/sessions': 'internal',

  // Billing
  'POST /billing/v1/charges/calculate': { roles: signedIn },
  'POST /billing/v1/promo-codes': { roles: tenantAdmin },
  'GET /billing/v1/promo-codes': { roles: staff },
  'POST /billing/v1/promo-codes/:promo_id/deactivate': { roles: managers },
  'POST /billing/v1/promo-codes/redeem': { roles: signedIn },
  'POST /billing/v1/validations': { roles: staff, key: 'validations:create' },
  'POST /billing/v1/permits': { roles: signedIn },
  'GET /billing/v1/permits': { roles: signedIn },
  'GET /billing/v1/invoices': { roles: signedIn },
  'GET /billing/v1/invoices/:id': { roles: signedIn, key: 'invoices:pay' },
  'GET /billing/v1/invoices/:invoice_id/print': { roles: signedIn, key: 'invoices:pay' },
  'POST /billing/v1/invoices/:invoice_id/pay': { roles: signedIn, key: 'invoices:pay' },
  'POST /billing/v1/invoices/:invoice_id/credit-notes': { roles: managers },
  'POST /billing/v1/invoices/:invoice_id/issue': { roles: staff },
  'POST /billing/v1/invoices/:invoice_id/cancel': { roles: managers },
  'GET /billing/v1/invoices/:invoice_id/payments': { roles: signedIn },
  'GET /billing/v1/payments/:payment_id': { roles: signedIn },
  'POST /billing/v1/payments/:payment_id/refund': { roles: managers },
  'GET /billing/v1/revenue-summary/:facility_id': { roles: staff },
  'GET /billing/v1/customer-summary/:customer_id': { roles: signedIn },
  'PUT /billing/v1/accounts/:customer_id': { roles: tenantAdmin },
  'GET /billing/v1/accounts/:customer_id': { roles: staff },
  'POST /billing/internal/charges/quote': 'internal',
  'GET /billing/internal/charges/:charge_id': 'internal',
  'POST /billing/internal/charges/batch': 'internal',

  // Analytics
  'GET /analytics/v1/occupancy/:facility_id': { roles: signedIn, key: 'occupancy:read' },
  'GET /analytics/v1/occupancy/:facility_id/history': { roles: staff },
  'GET /analytics/v1/occupancy/:facility_id/stream': { roles: staff, key: 'occupancy:read' },
  'POST /analytics/v1/occupancy/:facility_id/import': { roles: managers },
  'GET /analytics/v1/peak-hours/:facility_id': { roles: staff },
  'GET /analytics/v1/performance/:facility_id': { roles: staff },
  'GET /analytics/v1/forecast/:facility_id': { roles: signedIn },
  'GET /analytics/v1/reports/:facility_id/daily': { roles: staff },
  'GET /analytics/v1/alerts/:facility_id': { roles: staff },
  'POST /analytics/v1/alerts/:alert_id/acknowledge': { roles: staff },
  'GET /analytics/v1/alerts/:facility_id/thresholds': { roles: staff },
  'PUT /analytics/v1/alerts/:facility_id/thresholds': { roles: managers },
};

/** The access rule of a registered route (`HEAD` is decided as `GET`). */
export function accessOf(method: string, url: string): RouteAccess | undefined {
  return routeAccess[`${method === 'HEAD' ? 'GET' : method} ${url}`];
}

/** Whether the principal may call a route with this rule (before any per-object check). */
export function mayCall(principal: Principal, access: RouteAccess): boolean {
  if (access === 'public') return true;
  if (access === 'internal') return principal.role === 'service';
  if (principal.role === 'api_key')
    return access.key !== undefined && (principal.permissions ?? []).includes(access.key);
  return access.roles.includes(principal.role);
}
