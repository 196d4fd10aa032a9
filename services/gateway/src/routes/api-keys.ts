import { randomBytes } from 'node:crypto';
import { facilityClient } from '@easypark/facility/client';
import {
  AppError,
  canSeeTenant,
  newId,
  type Permission,
  type Principal,
  permissionNames,
  permissions,
} from '@easypark/kernel';
import {
  type App,
  decodeCursor,
  isIdCursor,
  pageQuery,
  paginate,
  type ServiceRuntime,
  Type,
} from '@easypark/platform';
import { hashApiKey } from '../credentials.ts';
import { problem } from '../errors.ts';
import * as store from '../store.ts';

const KeyId = Type.String({ pattern: '^key_[0-9a-f]{32}$' });

const NewApiKey = Type.Object(
  {
    name: Type.String({
      minLength: 1,
      maxLength: 200,
      description: 'What uses it, e.g. "North gate reader"',
    }),
    facility_id: Type.String({
      pattern: '^fac_[0-9a-f]{32}$',
      description: 'The one facility the key acts at',
    }),
    permissions: Type.Array(
      Type.Union(permissionNames.map((name) => Type.Literal(name, { description: permissions[name] }))),
      { minItems: 1, maxItems: permissionNames.length, uniqueItems: true },
    ),
    expires_at: Type.Optional(Type.String({ format: 'date-time', description: 'Default: never' })),
  },
  { additionalProperties: false },
);

const ApiKeyView = Type.Object({
  key_id: Type.String(),
  name: Type.String(),
  tenant_id: Type.String(),
  facility_id: Type.String(),
  permissions: Type.Array(Type.String()),
  key_prefix: Type.String({ description: 'The key’s first characters, to tell keys apart' }),
  created_by: Type.String(),
  created_at: Type.String({ format: 'date-time' }),
  expires_at: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  revoked_at: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  last_used_at: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
});

const keyView = (k: store.ApiKeyRow) => ({
  key_id: k.key_id,
  name: k.name,
  tenant_id: k.tenant_id,
  facility_id: k.facility_id,
  permissions: k.permissions,
  key_prefix: k.key_prefix,
  created_by: k.created_by,
  created_at: k.created_at.toISOString(),
  expires_at: k.expires_at?.toISOString() ?? null,
  revoked_at: k.revoked_at?.toISOString() ?? null,
  last_used_at: k.last_used_at?.toISOString() ?? null,
});

const tags = ['api-keys'];

/**
 * Tenant admins issue keys for their machines: one facility, a few permissions, shown once.
 * Another tenant's key answers like a missing one.
 */
export function apiKeyRoutes(app: App, runtime: ServiceRuntime, forgetApiKey: (keyId: string) => void): void {
  const { pool } = runtime;
  const facilities = facilityClient(runtime.client('facility'));

  const visibleKey = async (principal: Principal, keyId: string) => {
    const key = await store.findApiKey(pool, keyId);
    if (!key || !canSeeTenant(principal, key.tenant_id))
      throw problem('API_KEY_NOT_FOUND', `API key ${keyId} does not exist`);
    return key;
  };

  app.post(
    '/api/v1/api-keys',
    {
      schema: {
        tags,
        summary: 'Issue an API key for a machine at one facility; the key is shown in this answer only',
        description:
          'Send it as `X-API-Key: <key>`. It may call only the routes its permissions allow, and only for ' +
          `its facility. Permissions: ${permissionNames.map((p) => `\`${p}\` (${permissions[p]})`).join('; ')}.`,
        body: NewApiKey,
        response: { 201: Type.Object({ ...ApiKeyView.properties, key: Type.String() }) },
      },
    },
    async (request, reply) => {
      const principal = request.principal!;
      const body = request.body;
      const hidden = () => problem('FACILITY_NOT_FOUND', `Facility ${body.facility_id} does not exist`);
      const facility = await facilities.config(body.facility_id).catch((error) => {
        throw error instanceof AppError && error.status === 404 ? hidden() : error;
      });
      if (!canSeeTenant(principal, facility.tenant_id)) throw hidden();
      const now = runtime.clock.now();
      const expiresAt = body.expires_at ? new Date(body.expires_at) : null;
      if (expiresAt && expiresAt <= now)
        throw problem('VALIDATION_FAILED', 'expires_at must be in the future', {
          errors: [{ field: 'expires_at', message: 'in the past' }],
        });
      const key = `epk_${randomBytes(32).toString('base64url')}`;
      const row = await store.insertApiKey(pool, {
        key_id: newId('apiKey'),
        tenant_id: facility.tenant_id,
        facility_id: facility.facility_id,
        name: body.name,
        permissions: body.permissions as Permission[],
        key_hash: hashApiKey(key),
        key_prefix: key.slice(0, 10),
        created_by: principal.sub,
        created_at: now,
        expires_at: expiresAt,
      });
      return reply
        .code(201)
        .header('cache-control', 'no-store')
        .send({ ...keyView(row), key });
    },
  );

  app.get(
    '/api/v1/api-keys',
    {
      schema: {
        tags,
        summary: 'The API keys of your tenant (all tenants for a platform admin), newest first',
        querystring: Type.Object({ ...pageQuery }, { additionalProperties: false }),
        response: { 200: Type.Array(ApiKeyView) },
      },
    },
    async (request, reply) => {
      const principal = request.principal!;
      const limit = request.query.limit ?? 100;
      const rows = await store.listApiKeys(
        pool,
        principal.role === 'platform_admin' ? null : principal.tenant_id!,
        limit + 1,
        decodeCursor(request.query.cursor, isIdCursor),
      );
      return paginate(request, reply, rows, limit, (k) => k.key_id).map(keyView);
    },
  );

  app.get(
    '/api/v1/api-keys/:key_id',
    {
      schema: {
        tags,
        summary: 'One API key (never the key itself)',
        params: Type.Object({ key_id: KeyId }),
        response: { 200: ApiKeyView },
      },
    },
    async (request) => keyView(await visibleKey(request.principal!, request.params.key_id)),
  );

  app.delete(
    '/api/v1/api-keys/:key_id',
    {
      schema: {
        tags,
        summary: 'Revoke an API key: it stops working at once (within 5 s at other gateway replicas)',
        params: Type.Object({ key_id: KeyId }),
      },
    },
    async (request, reply) => {
      const key = await visibleKey(request.principal!, request.params.key_id);
      await store.revokeApiKey(pool, key.key_id, runtime.clock.now());
      forgetApiKey(key.key_id);
      return reply.code(204).send();
    },
  );
}
