import {
  commonProblem,
  type Permission,
  type Principal,
  permissionNames,
  type Role,
  roles,
} from '@easypark/kernel';
import { jwtVerify, SignJWT } from 'jose';

export const issuer = 'easyparkplus';
export const audience = 'easyparkplus-api';

export interface TokenKeys {
  secret: Uint8Array;
}

export function tokenKeys(secret: string): TokenKeys {
  return { secret: new TextEncoder().encode(secret) };
}

export async function signToken(keys: TokenKeys, principal: Principal, ttlSeconds: number): Promise<string> {
  const claims: Record<string, unknown> = { role: principal.role };
  if (principal.tenant_id) claims.tenant_id = principal.tenant_id;
  if (principal.customer_id) claims.customer_id = principal.customer_id;
  if (principal.name) claims.name = principal.name;
  if (principal.sid) claims.sid = principal.sid;
  if (principal.facility_id) claims.facility_id = principal.facility_id;
  if (principal.permissions) claims.permissions = principal.permissions;
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(principal.sub)
    .setIssuer(issuer)
    .setAudience(audience)
    .setIssuedAt()
    .setExpirationTime(`${ttlSeconds}s`)
    .sign(keys.secret);
}

/** Verified tokens are remembered until they expire: verifying on every hop is the hot path. */
const verified = new Map<string, { principal: Principal; exp: number }>();

export async function verifyToken(keys: TokenKeys, token: string): Promise<Principal> {
  const cached = verified.get(token);
  const nowSec = Date.now() / 1000;
  if (cached && cached.exp > nowSec) return cached.principal;
  let payload: Record<string, unknown>;
  try {
    ({ payload } = await jwtVerify(token, keys.secret, { issuer, audience, algorithms: ['HS256'] }));
  } catch {
    throw commonProblem('UNAUTHENTICATED', 'The access token is invalid or has expired');
  }
  const role = payload.role as Role;
  if (typeof payload.sub !== 'string' || !roles.includes(role)) {
    throw commonProblem('UNAUTHENTICATED', 'The access token carries no usable identity');
  }
  const principal: Principal = { sub: payload.sub, role };
  if (typeof payload.tenant_id === 'string') principal.tenant_id = payload.tenant_id;
  if (typeof payload.customer_id === 'string') principal.customer_id = payload.customer_id;
  if (typeof payload.name === 'string') principal.name = payload.name;
  if (typeof payload.sid === 'string') principal.sid = payload.sid;
  if (typeof payload.facility_id === 'string') principal.facility_id = payload.facility_id;
  if (Array.isArray(payload.permissions))
    principal.permissions = payload.permissions.filter((p): p is Permission =>
      permissionNames.includes(p as Permission),
    );
  if (verified.size > 10_000) verified.clear();
  verified.set(token, { principal, exp: typeof payload.exp === 'number' ? payload.exp : nowSec + 60 });
  return principal;
}

export function bearerToken(header: string | undefined): string | null {
  if (!header) return null;
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  return match ? match[1]! : null;
}
