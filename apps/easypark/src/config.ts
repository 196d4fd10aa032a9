import { ConfigError, loadConfig, requireSecret, type Static, Type } from '@easypark/platform';

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
  EASYPARK_ADMIN_EMAIL: Type.String({ default: 'admin@easypark.local' }),
  EASYPARK_ADMIN_PASSWORD: Type.Optional(Type.String({ minLength: 8 })),
  EASYPARK_JWT_SECRET: Type.Optional(Type.String({ minLength: 16 })),
  EASYPARK_CORS_ORIGINS: Type.String({ default: '*' }),
  GATEWAY_RATE_LIMIT_AUTH_PER_MINUTE: Type.Integer({ minimum: 0, maximum: 1_000_000, default: 20 }),
  GATEWAY_RATE_LIMIT_WRITE_PER_MINUTE: Type.Integer({ minimum: 0, maximum: 1_000_000, default: 1200 }),
  GATEWAY_RATE_LIMIT_READ_PER_MINUTE: Type.Integer({ minimum: 0, maximum: 1_000_000, default: 2400 }),
  DATABASE_URL: Type.Optional(Type.String({ pattern: '^postgres(ql)?://' })),
  AMQP_URL: Type.Optional(Type.String({ pattern: '^amqps?://' })),
  REDIS_URL: Type.Optional(Type.String({ pattern: '^rediss?://' })),
  EASYPARK_EXCHANGE: Type.String({ default: 'easypark.events' }),
  DATABASE_POOL_SIZE: Type.Integer({ minimum: 1, maximum: 200, default: 10 }),
  FACILITY_URL: Type.Optional(Type.String({ pattern: '^https?://' })),
  PARKING_URL: Type.Optional(Type.String({ pattern: '^https?://' })),
  RESERVATION_URL: Type.Optional(Type.String({ pattern: '^https?://' })),
  CHARGING_URL: Type.Optional(Type.String({ pattern: '^https?://' })),
  BILLING_URL: Type.Optional(Type.String({ pattern: '^https?://' })),
  ANALYTICS_URL: Type.Optional(Type.String({ pattern: '^https?://' })),
});

export type RunnerConfig = Static<typeof RunnerConfig>;

export const defaultAdminPassword = 'easypark';

export function readConfig(env: Record<string, string | undefined> = process.env): RunnerConfig {
  const config = loadConfig(RunnerConfig, env);
  if (config.NODE_ENV === 'production') {
    requireSecret('EASYPARK_ADMIN_PASSWORD', config.EASYPARK_ADMIN_PASSWORD, defaultAdminPassword, env);
    requireSecret('EASYPARK_JWT_SECRET', config.EASYPARK_JWT_SECRET, '', env);
    if (config.EASYPARK_DATA_DIR === ':memory:')
      throw new ConfigError('EASYPARK_DATA_DIR=:memory: keeps nothing; not allowed in production');
    if (config.EASYPARK_CORS_ORIGINS.split(',').some((origin) => origin.trim() === '*'))
      throw new ConfigError(
        'EASYPARK_CORS_ORIGINS must list the web origins allowed to call the API in production (not *)',
      );
  }
  return config;
}
