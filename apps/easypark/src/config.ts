import { type OidcSettings, parseRoleMap } from '@easypark/gateway';
import { ConfigError, loadConfig, requireSecret, type Static, Type } from '@easypark/platform';

/** One service's address, or its replicas' separated by commas. */
const replicaUrls = '^https?://[^,\\s]+(,\\s*https?://[^,\\s]+)*$';

/** The runner's environment, validated at start (see README, "Configuration"). */
export const RunnerConfig = Type.Object({
  NODE_ENV: Type.Union([Type.Literal('development'), Type.Literal('production'), Type.Literal('test')], {
    default: 'development',
  }),
  PORT: Type.Integer({ minimum: 0, maximum: 65535, default: 8080 }),
  HOST: Type.String({ default: '0.0.0.0' }),
  LOG_LEVEL: Type.Union(
    ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((l) => Type.Literal(l)),
    { default: 'info' },
  ),
  EASYPARK_DATA_DIR: Type.String({ default: './data' }),
  EASYPARK_DEMO: Type.Union([Type.Literal('on'), Type.Literal('off')], { default: 'on' }),
  EASYPARK_SIMULATOR: Type.Union([Type.Literal('on'), Type.Literal('off')], { default: 'on' }),
  /** Simulated time runs this many times faster than real time; 1 keeps stays and bills realistic. */
  EASYPARK_SIMULATOR_SPEED: Type.Number({ exclusiveMinimum: 0, maximum: 3600, default: 1 }),
  EASYPARK_ADMIN_EMAIL: Type.String({ default: 'admin@easypark.local' }),
  EASYPARK_ADMIN_PASSWORD: Type.Optional(Type.String({ minLength: 8 })),
  EASYPARK_JWT_SECRET: Type.Optional(Type.String({ minLength: 16 })),
  EASYPARK_CORS_ORIGINS: Type.String({ default: '*' }),
  GATEWAY_RATE_LIMIT_AUTH_PER_MINUTE: Type.Integer({ minimum: 0, maximum: 1_000_000, default: 20 }),
  GATEWAY_RATE_LIMIT_WRITE_PER_MINUTE: Type.Integer({ minimum: 0, maximum: 1_000_000, default: 1200 }),
  GATEWAY_RATE_LIMIT_READ_PER_MINUTE: Type.Integer({ minimum: 0, maximum: 1_000_000, default: 2400 }),
  EASYPARK_OIDC_ISSUER: Type.Optional(Type.String({ pattern: '^https?://' })),
  EASYPARK_OIDC_AUDIENCE: Type.Optional(Type.String({ minLength: 1 })),
  EASYPARK_OIDC_JWKS_URL: Type.Optional(Type.String({ pattern: '^https?://' })),
  EASYPARK_OIDC_ROLE_CLAIM: Type.String({ default: 'roles' }),
  EASYPARK_OIDC_ROLE_MAP: Type.String({ default: '' }),
  EASYPARK_OIDC_DEFAULT_ROLE: Type.Optional(Type.Literal('driver')),
  EASYPARK_OIDC_TENANT_CLAIM: Type.String({ default: 'tenant_id' }),
  EASYPARK_OIDC_JWKS_CACHE_SECONDS: Type.Integer({ minimum: 0, maximum: 86_400, default: 600 }),
  EASYPARK_OIDC_JWKS_COOLDOWN_SECONDS: Type.Integer({ minimum: 0, maximum: 3600, default: 30 }),
  DATABASE_URL: Type.Optional(Type.String({ pattern: '^postgres(ql)?://' })),
  AMQP_URL: Type.Optional(Type.String({ pattern: '^amqps?://' })),
  REDIS_URL: Type.Optional(Type.String({ pattern: '^rediss?://' })),
  EASYPARK_EXCHANGE: Type.String({ default: 'easypark.events' }),
  DATABASE_POOL_SIZE: Type.Integer({ minimum: 1, maximum: 200, default: 10 }),
  FACILITY_URL: Type.Optional(Type.String({ pattern: replicaUrls })),
  PARKING_URL: Type.Optional(Type.String({ pattern: replicaUrls })),
  RESERVATION_URL: Type.Optional(Type.String({ pattern: replicaUrls })),
  CHARGING_URL: Type.Optional(Type.String({ pattern: replicaUrls })),
  BILLING_URL: Type.Optional(Type.String({ pattern: replicaUrls })),
  ANALYTICS_URL: Type.Optional(Type.String({ pattern: replicaUrls })),
  /** Traces go to this OpenTelemetry collector over OTLP/HTTP (`<url>/v1/traces`); nowhere without it. */
  OTEL_EXPORTER_OTLP_ENDPOINT: Type.Optional(Type.String({ pattern: '^https?://' })),
  /** When set, every /metrics asks for it as a bearer token (the gateway's is on the public port). */
  EASYPARK_METRICS_TOKEN: Type.Optional(Type.String({ minLength: 16 })),
});

export type RunnerConfig = Static<typeof RunnerConfig>;

export const defaultAdminPassword = 'easypark';

/**
 * The environment, checked for the role the process runs: `all` (the whole platform) or one
 * service's name. Only the gateway signs people in, so only it (and `all`) needs the admin's
 * password and the web origins.
 */
export function readConfig(
  env: Record<string, string | undefined> = process.env,
  role: string = 'all',
): RunnerConfig {
  const config = loadConfig(RunnerConfig, env);
  const facesClients = role === 'all' || role === 'gateway';
  if (config.NODE_ENV === 'production') {
    if (facesClients)
      requireSecret('EASYPARK_ADMIN_PASSWORD', config.EASYPARK_ADMIN_PASSWORD, defaultAdminPassword, env);
    requireSecret('EASYPARK_JWT_SECRET', config.EASYPARK_JWT_SECRET, '', env);
    if (config.EASYPARK_DATA_DIR === ':memory:')
      throw new ConfigError('EASYPARK_DATA_DIR=:memory: keeps nothing; not allowed in production');
    if (config.EASYPARK_OIDC_ISSUER?.startsWith('http://'))
      throw new ConfigError('EASYPARK_OIDC_ISSUER must be an https:// URL in production');
    if (facesClients && config.EASYPARK_CORS_ORIGINS.split(',').some((origin) => origin.trim() === '*'))
      throw new ConfigError(
        'EASYPARK_CORS_ORIGINS must list the web origins allowed to call the API in production (not *)',
      );
  }
  if (config.EASYPARK_OIDC_ISSUER && !config.EASYPARK_OIDC_AUDIENCE)
    throw new ConfigError(
      'EASYPARK_OIDC_AUDIENCE is required with EASYPARK_OIDC_ISSUER (the audience our tokens are for)',
    );
  oidcOf(config); // a bad role map fails at start
  return config;
}

/** The external identity provider, when one is configured. */
export function oidcOf(config: RunnerConfig): OidcSettings | undefined {
  if (!config.EASYPARK_OIDC_ISSUER || !config.EASYPARK_OIDC_AUDIENCE) return undefined;
  let roleMap: OidcSettings['roleMap'];
  try {
    roleMap = parseRoleMap(config.EASYPARK_OIDC_ROLE_MAP);
  } catch (error) {
    throw new ConfigError((error as Error).message);
  }
  return {
    issuer: config.EASYPARK_OIDC_ISSUER,
    audience: config.EASYPARK_OIDC_AUDIENCE,
    ...(config.EASYPARK_OIDC_JWKS_URL ? { jwksUrl: config.EASYPARK_OIDC_JWKS_URL } : {}),
    roleClaim: config.EASYPARK_OIDC_ROLE_CLAIM,
    roleMap,
    ...(config.EASYPARK_OIDC_DEFAULT_ROLE ? { defaultRole: config.EASYPARK_OIDC_DEFAULT_ROLE } : {}),
    tenantClaim: config.EASYPARK_OIDC_TENANT_CLAIM,
    jwksCacheSeconds: config.EASYPARK_OIDC_JWKS_CACHE_SECONDS,
    jwksCooldownSeconds: config.EASYPARK_OIDC_JWKS_COOLDOWN_SECONDS,
  };
}
