/**
 * Tokens of an external OpenID Connect provider (a company's Entra ID, Keycloak, Auth0...).
 *
 * The provider's signing keys come from its JWKS (from configuration, or discovered from the
 * issuer's `/.well-known/openid-configuration` at first use, so the gateway starts while the
 * provider is down). Keys are cached; a token signed with a key not seen yet makes the gateway
 * fetch the JWKS again (at most once per cooldown), which is how a key rotation is picked up.
 * `iss`, `aud` and `exp` are checked; only asymmetric algorithms are accepted.
 *
 * Claims map to our identity: the role claim through a role map, the tenant claim to the
 * tenant, and the ids are derived from issuer and subject, so the same person keeps the same
 * user and customer id without a provisioning step.
 */
import { createHash } from 'node:crypto';
import { AppError, isId, type Principal, type Role } from '@easypark/kernel';
import { createRemoteJWKSet, decodeJwt, type JWTPayload, jwtVerify } from 'jose';
import { problem } from './errors.ts';

export interface OidcSettings {
  issuer: string;
  audience: string;
  /** Where the provider publishes its keys; discovered from the issuer when absent. */
  jwksUrl?: string;
  /** Claim holding the user's role(s): a string or an array of strings. */
  roleClaim: string;
  /** Provider role → our role; a provider role not listed is ignored. */
  roleMap: Record<string, HumanRole>;
  /** The role of a token that carries none of the mapped roles; without it such a token is refused. */
  defaultRole?: HumanRole;
  /** Claim holding our tenant id (for tenant admins and operators). */
  tenantClaim: string;
  /** How long fetched keys are trusted before they are fetched again. */
  jwksCacheSeconds: number;
  /** The least time between two fetches for an unknown key. */
  jwksCooldownSeconds: number;
}

export type HumanRole = Exclude<Role, 'api_key' | 'service'>;

/** The most privileged role wins when the provider gives several. */
const privilege: HumanRole[] = ['platform_admin', 'tenant_admin', 'operator', 'driver'];

const algorithms = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA'];

export interface OidcVerifier {
  /** Whether the token claims to come from this provider (nothing verified yet). */
  claimsIssuer(token: string): boolean;
  /** The principal of a valid token; UNAUTHENTICATED otherwise. */
  verify(token: string): Promise<{ principal: Principal; expiresAt: number }>;
}

export function oidcVerifier(settings: OidcSettings): OidcVerifier {
  let keys: ReturnType<typeof createRemoteJWKSet> | undefined;

  async function keySet() {
    if (keys) return keys;
    const url = settings.jwksUrl ?? (await discoverJwksUrl(settings.issuer));
    keys = createRemoteJWKSet(new URL(url), {
      cacheMaxAge: settings.jwksCacheSeconds * 1000,
      cooldownDuration: settings.jwksCooldownSeconds * 1000,
      timeoutDuration: 5000,
    });
    return keys;
  }

  const unauthenticated = (why: string) => problem('UNAUTHENTICATED', why);

  return {
    claimsIssuer(token) {
      try {
        return decodeJwt(token).iss === settings.issuer;
      } catch {
        return false;
      }
    },

    async verify(token) {
      let payload: JWTPayload;
      try {
        ({ payload } = await jwtVerify(token, await keySet(), {
          issuer: settings.issuer,
          audience: settings.audience,
          algorithms,
          requiredClaims: ['sub', 'exp'],
          clockTolerance: 30,
        }));
      } catch (error) {
        if (error instanceof AppError) throw error;
        if (isTokenFault(error))
          throw unauthenticated('The identity provider’s token is invalid or has expired');
        throw problem('IDENTITY_PROVIDER_UNAVAILABLE', 'The identity provider cannot be reached; try again');
      }
      return { principal: principalOf(settings, payload), expiresAt: payload.exp! };
    },
  };
}

/** Our identity for a verified token's claims. */
export function principalOf(settings: OidcSettings, claims: JWTPayload): Principal {
  const given = claims[settings.roleClaim];
  const values = Array.isArray(given) ? given : typeof given === 'string' ? given.split(' ') : [];
  const mapped = new Set(values.map((value) => settings.roleMap[String(value)]).filter(Boolean));
  const role = privilege.find((r) => mapped.has(r)) ?? settings.defaultRole;
  if (!role) throw problem('UNAUTHENTICATED', 'The token carries no role this platform knows');

  const derived = createHash('sha256').update(`${settings.issuer}\n${claims.sub}`).digest('hex').slice(0, 32);
  const principal: Principal = { sub: `usr_${derived}`, role };
  if (typeof claims.name === 'string') principal.name = claims.name.slice(0, 200);
  if (role === 'tenant_admin' || role === 'operator') {
    const tenant = claims[settings.tenantClaim];
    if (typeof tenant !== 'string' || !isId('tenant', tenant))
      throw problem(
        'UNAUTHENTICATED',
        `A ${role} token must name its tenant in the ${settings.tenantClaim} claim`,
      );
    principal.tenant_id = tenant;
  }
  if (role === 'driver') principal.customer_id = `cus_${derived}`;
  return principal;
}

/** A fault of the token itself, as opposed to the keys being out of reach (timeout, network, 5xx). */
function isTokenFault(error: unknown): boolean {
  const code = (error as { code?: unknown }).code;
  if (typeof code !== 'string') return false;
  return (
    code.startsWith('ERR_JWT_') ||
    code.startsWith('ERR_JWS_') ||
    [
      'ERR_JWKS_NO_MATCHING_KEY',
      'ERR_JWKS_MULTIPLE_MATCHING_KEYS',
      'ERR_JOSE_ALG_NOT_ALLOWED',
      'ERR_JOSE_NOT_SUPPORTED',
    ].includes(code)
  );
}

async function discoverJwksUrl(issuer: string): Promise<string> {
  const url = `${issuer.replace(/\/$/, '')}/.well-known/openid-configuration`;
  let document: { issuer?: unknown; jwks_uri?: unknown };
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(5000) });
    if (!response.ok) throw new Error(`${url} answered ${response.status}`);
    document = (await response.json()) as typeof document;
  } catch {
    throw problem('IDENTITY_PROVIDER_UNAVAILABLE', 'The identity provider cannot be reached; try again');
  }
  if (document.issuer !== issuer || typeof document.jwks_uri !== 'string')
    throw problem(
      'IDENTITY_PROVIDER_UNAVAILABLE',
      'The identity provider’s discovery document does not match',
    );
  return document.jwks_uri;
}

/**
 * `parking-admins:tenant_admin,staff:operator` → a role map. Our own role names map to themselves,
 * except platform_admin: the provider grants that only through an explicit entry.
 */
export function parseRoleMap(text: string): Record<string, HumanRole> {
  const map: Record<string, HumanRole> = {
    tenant_admin: 'tenant_admin',
    operator: 'operator',
    driver: 'driver',
  };
  for (const pair of text.split(',')) {
    const at = pair.lastIndexOf(':');
    if (at <= 0) continue;
    const role = pair.slice(at + 1).trim() as HumanRole;
    if (!privilege.includes(role)) throw new Error(`EASYPARK_OIDC_ROLE_MAP: ${role} is not a role`);
    map[pair.slice(0, at).trim()] = role;
  }
  return map;
}
