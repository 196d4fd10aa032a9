import { canSeeTenant, type Principal } from '@easypark/kernel';

/** Drivers see what is billed to them; staff their tenant's; platform admins and services everything. */
export function canSeeBilling(principal: Principal, row: { tenant_id: string; customer_id: string | null }) {
  if (principal.role === 'driver')
    return principal.customer_id !== undefined && principal.customer_id === row.customer_id;
  return canSeeTenant(principal, row.tenant_id);
}

/** The tenant scope of a staff list; undefined for platform admins (every tenant). */
export function tenantScope(principal: Principal): string | undefined {
  return principal.role === 'platform_admin' || principal.role === 'service'
    ? undefined
    : (principal.tenant_id ?? '-');
}

export const people = ['platform_admin', 'tenant_admin', 'operator', 'driver'] as const;
export const staff = ['platform_admin', 'tenant_admin', 'operator'] as const;
export const managers = ['platform_admin', 'tenant_admin'] as const;
