import { canSeeFacility, type Principal } from '@easypark/kernel';

/**
 * Drivers see what is billed to them; staff their tenant's; platform admins and services
 * everything; an API key what was billed at its facility.
 */
export function canSeeBilling(
  principal: Principal,
  row: { tenant_id: string; facility_id: string; customer_id: string | null },
) {
  if (principal.role === 'driver')
    return principal.customer_id !== undefined && principal.customer_id === row.customer_id;
  return canSeeFacility(principal, row.tenant_id, row.facility_id);
}

/** The tenant scope of a staff list; undefined for platform admins (every tenant). */
export function tenantScope(principal: Principal): string | undefined {
  return principal.role === 'platform_admin' || principal.role === 'service'
    ? undefined
    : (principal.tenant_id ?? '-');
}
