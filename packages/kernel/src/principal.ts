import type { Permission } from './route-access.ts';

/** Who is calling. Carried in the JWT the gateway issues; services read it from the verified token. */
export const roles = ['platform_admin', 'tenant_admin', 'operator', 'driver', 'api_key', 'service'] as const;
export type Role = (typeof roles)[number];

export interface Principal {
  /** user id, client id, API key id (`key_...`), or `svc:<name>` for a service */
  sub: string;
  role: Role;
  /** set for tenant_admin, operator and api_key (and machine clients); absent for platform admins and drivers */
  tenant_id?: string;
  /** set for drivers: the customer the driver bills as */
  customer_id?: string;
  name?: string;
  /** The sign-in session the token belongs to (password sign-ins); signing out ends it. */
  sid?: string;
  /** API keys: the one facility the key acts at, and what it may do there. */
  facility_id?: string;
  permissions?: Permission[];
}

/**
 * Whether `p` may see objects that belong to `tenantId`. Platform admins and services see every
 * tenant. An API key sees nothing through this: it acts at one facility (canSeeFacility).
 */
export function canSeeTenant(p: Principal, tenantId: string): boolean {
  if (p.role === 'platform_admin' || p.role === 'service') return true;
  if (p.role === 'api_key') return false;
  return p.tenant_id !== undefined && p.tenant_id === tenantId;
}

/** Whether `p` may act on an object of this tenant at this facility; an API key only at its own. */
export function canSeeFacility(p: Principal, tenantId: string, facilityId: string): boolean {
  if (p.role === 'api_key') return p.tenant_id === tenantId && p.facility_id === facilityId;
  return canSeeTenant(p, tenantId);
}
