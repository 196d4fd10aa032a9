import { randomBytes } from 'node:crypto';
import type { OidcSettings } from '@easypark/gateway';
import { type Clock, systemClock } from '@easypark/kernel';
import { createLogger, dropDatabase, type TokenKeys, tokenKeys } from '@easypark/platform';
import amqp from 'amqplib';
import { inject } from 'vitest';
import { type Platform, startPlatform } from '../../apps/easypark/src/platform.ts';

export interface TestResponse<T = any> {
  status: number;
  body: T;
  headers: Record<string, string | string[] | number | undefined>;
}

export interface RequestOptions {
  token?: string;
  body?: unknown;
  headers?: Record<string, string>;
  query?: Record<string, string | number | boolean | undefined>;
}

export interface TenantFixture {
  tenant_id: string;
  adminToken: string;
  operatorToken: string;
}

export interface TestPlatform {
  platform: Platform;
  /** The platform's signing keys: tests sign tokens for principals no sign-in gives (services, API keys). */
  keys: TokenKeys;
  /** Calls the gateway, e.g. `request('POST', '/api/v1/parking/sessions/entry', { token, body })`. */
  request<T = any>(method: string, path: string, options?: RequestOptions): Promise<TestResponse<T>>;
  /** Signs in through POST /api/v1/auth/token. */
  login(email: string, password: string): Promise<string>;
  adminToken: string;
  /** A tenant with a tenant admin and an operator, signed in. */
  createTenant(name?: string): Promise<TenantFixture>;
  /** A driver signed up through /api/v1/auth/register. */
  createDriver(): Promise<{ token: string; customer_id: string; email: string }>;
  /** Registers a facility as the given tenant admin; fields override the defaults. */
  registerFacility(adminToken: string, fields?: Record<string, unknown>): Promise<any>;
  /** Waits until every service's outbox is empty (all events so far delivered). */
  drainEvents(): Promise<void>;
  /** Stops the platform and starts it again on the same databases (a restart of every service). */
  restart(): Promise<TestPlatform>;
  stop(options?: { keepDatabases?: boolean }): Promise<void>;
}

/** Every account a test platform makes signs in with this password (the platform admin's too). */
export const testPassword = 'correct-horse-battery';
const password = testPassword;

/** The whole platform in this process on fresh databases: the same composition as `npm start`. */
export async function startTestPlatform(
  options: {
    clock?: Clock;
    databasePrefix?: string;
    secret?: string;
    /** The gateway's limits; off unless a test is about them (test files sign in many users at once). */
    rateLimits?: { auth: number; write: number; read: number };
    /** An external identity provider the gateway accepts tokens of. */
    oidc?: OidcSettings;
  } = {},
): Promise<TestPlatform> {
  const secret = options.secret ?? randomBytes(32).toString('hex');
  const serverUrl = inject('postgresUrl');
  const keys = tokenKeys(secret);
  const prefix = options.databasePrefix ?? `t${randomBytes(5).toString('hex')}`;
  const exchange = process.env.AMQP_URL ? `easypark.test.${prefix}` : null;
  const platform = await startPlatform({
    serverUrl,
    dataDir: ':memory:',
    ...(exchange ? { amqpUrl: process.env.AMQP_URL!, exchange } : {}),
    keys,
    logger: createLogger({ name: 'test', level: process.env.TEST_LOG_LEVEL ?? 'silent' }),
    clock: options.clock ?? systemClock,
    databasePrefix: prefix,
    poolSize: 5,
    rateLimits: options.rateLimits ?? { auth: 0, write: 0, read: 0 },
    ...(options.oidc ? { oidc: options.oidc } : {}),
    admin: { email: 'admin@easypark.local', password, explicit: true },
  });
  const app = platform.gateway.app;

  async function request<T>(
    method: string,
    path: string,
    opts: RequestOptions = {},
  ): Promise<TestResponse<T>> {
    const headers: Record<string, string> = { ...(opts.headers ?? {}) };
    if (opts.token) headers.authorization = `Bearer ${opts.token}`;
    const query = Object.fromEntries(
      Object.entries(opts.query ?? {})
        .filter(([, v]) => v !== undefined)
        .map(([k, v]) => [k, String(v)]),
    );
    const response = await app.inject({
      method: method as 'GET',
      url: path,
      headers,
      ...(Object.keys(query).length > 0 ? { query } : {}),
      ...(opts.body !== undefined ? { payload: opts.body as object } : {}),
    });
    const type = String(response.headers['content-type'] ?? '');
    const body = type.includes('json') && response.body.length > 0 ? response.json() : response.body;
    return { status: response.statusCode, body: body as T, headers: response.headers };
  }

  async function login(email: string, secret: string): Promise<string> {
    const answer = await request<any>('POST', '/api/v1/auth/token', {
      body: { grant_type: 'password', username: email, password: secret },
    });
    if (answer.status !== 200) throw new Error(`login of ${email} failed: ${JSON.stringify(answer.body)}`);
    return answer.body.access_token;
  }

  const adminToken = await login('admin@easypark.local', password);
  // Names made after a restart must not collide with those made before it.
  const run = randomBytes(3).toString('hex');
  let counter = 0;

  const testPlatform: TestPlatform = {
    platform,
    keys,
    request,
    login,
    adminToken,
    async createTenant(name) {
      counter += 1;
      const tag = `${prefix}-${run}-${counter}`;
      const tenant = await request<any>('POST', '/api/v1/tenants', {
        token: adminToken,
        body: { name: name ?? `Tenant ${tag}` },
      });
      if (tenant.status !== 201) throw new Error(`tenant: ${JSON.stringify(tenant.body)}`);
      const tenantId = tenant.body.tenant_id as string;
      for (const role of ['tenant_admin', 'operator']) {
        const user = await request('POST', '/api/v1/users', {
          token: adminToken,
          body: { email: `${role}-${tag}@example.com`, password, role, tenant_id: tenantId },
        });
        if (user.status !== 201) throw new Error(`user: ${JSON.stringify(user.body)}`);
      }
      return {
        tenant_id: tenantId,
        adminToken: await login(`tenant_admin-${tag}@example.com`, password),
        operatorToken: await login(`operator-${tag}@example.com`, password),
      };
    },
    async createDriver() {
      counter += 1;
      const email = `driver-${prefix}-${run}-${counter}@example.com`;
      const answer = await request<any>('POST', '/api/v1/auth/register', {
        body: { email, password, name: `Driver ${counter}` },
      });
      if (answer.status !== 201) throw new Error(`driver: ${JSON.stringify(answer.body)}`);
      return { token: await login(email, password), customer_id: answer.body.customer_id, email };
    },
    async registerFacility(token, fields = {}) {
      counter += 1;
      const answer = await request<any>('POST', '/api/v1/facilities/register', {
        token,
        body: {
          name: `Facility ${prefix}-${run}-${counter}`,
          address: {
            line1: '1 Test Street',
            city: 'Birmingham',
            postal_code: 'B1 1AA',
            country: 'GB',
            latitude: 52.48,
            longitude: -1.89,
          },
          capacity_breakdown: { compact: 10, standard: 20, large: 5 },
          pricing_strategy: 'BASIC',
          timezone: 'Europe/London',
          currency: 'GBP',
          ...fields,
        },
      });
      if (answer.status !== 201) throw new Error(`facility: ${JSON.stringify(answer.body)}`);
      return answer.body;
    },
    drainEvents: () => platform.drain(),
    async restart() {
      await testPlatform.stop({ keepDatabases: true });
      return startTestPlatform({ ...options, databasePrefix: prefix, secret });
    },
    async stop({ keepDatabases = false } = {}) {
      const databases = [...platform.databases];
      const consumers = [...platform.services.keys()];
      await platform.stop();
      if (keepDatabases) return;
      for (const database of databases) await dropDatabase(serverUrl, database).catch(() => {});
      if (exchange) await deleteRabbitTopology(process.env.AMQP_URL!, exchange, consumers);
    },
  };
  return testPlatform;
}

/** Each test platform has its own exchange and queues on the broker; they go with it. */
async function deleteRabbitTopology(url: string, exchange: string, consumers: string[]): Promise<void> {
  const connection = await amqp.connect(url);
  try {
    const channel = await connection.createChannel();
    for (const consumer of consumers) {
      for (const suffix of ['', '.retry', '.dead'])
        await channel.deleteQueue(`${exchange}.${consumer}${suffix}`);
    }
    await channel.deleteExchange(exchange);
    await channel.close();
  } finally {
    await connection.close();
  }
}
