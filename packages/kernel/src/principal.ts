/** Who is calling. Carried in the JWT the gateway issues; services read it from the verified token. */
export const roles = ['platform_admin', 'tenant_admin', 'operator', 'driver', 'service'] as const;
export type Role = (typeof roles)[number];

export interface Principal {
  /** user id, client id, or `svc:<name>` for a service */
  sub: string;
  role: Role;
  /** set for tenant_admin and operator (and machine clients); absent for platform admins and drivers */
  tenant_id?: string;
  /** set for drivers: the customer the driver bills as */
  customer_id?: string;
  name?: string;
  /** The sign-in session the token belongs to (password sign-ins); signing out ends it. */
  sid?: string;
}

/** Whether `p` may see objects that belong to `tenantId`. Platform admins and services see every tenant. */
export function canSeeTenant(p: Principal, tenantId: string): boolean {
  if (p.role === 'platform_admin' || p.role === 'service') return true;
  return p.tenant_id !== undefined && p.tenant_id === tenantId;
}
