import { randomBytes } from 'node:crypto';
import { facilityClient } from '@easypark/facility/client';
import { newId } from '@easypark/kernel';
import {
  type App,
  decodeCursor,
  isIdCursor,
  pageQuery,
  paginate,
  pgConstraint,
  type ServiceRuntime,
  Type,
} from '@easypark/platform';
import { problem } from '../errors.ts';
import { hashSecret } from '../passwords.ts';
import * as store from '../store.ts';

const TenantId = Type.String({ pattern: '^ten_[0-9a-f]{32}$' });

const UserBody = Type.Object(
  {
    email: Type.String({ format: 'email', maxLength: 320 }),
    password: Type.String({ minLength: 10, maxLength: 200 }),
    name: Type.Optional(Type.String({ maxLength: 200 })),
    role: Type.Union([
      Type.Literal('platform_admin'),
      Type.Literal('tenant_admin'),
      Type.Literal('operator'),
    ]),
    tenant_id: Type.Optional(TenantId),
  },
  { additionalProperties: false },
);

const ClientBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 200 }),
    role: Type.Optional(Type.Union([Type.Literal('tenant_admin'), Type.Literal('operator')])),
    tenant_id: Type.Optional(TenantId),
  },
  { additionalProperties: false },
);

const userView = (u: store.UserRow) => ({
  user_id: u.user_id,
  email: u.email,
  name: u.name,
  role: u.role,
  tenant_id: u.tenant_id,
  customer_id: u.customer_id,
  created_at: u.created_at.toISOString(),
});

/** Platform admins onboard tenants; tenant admins add their staff and machine clients. */
export function adminRoutes(app: App, runtime: ServiceRuntime): void {
  const { pool } = runtime;
  const facilities = facilityClient(runtime.client('facility'));

  app.post(
    '/api/v1/tenants',
    {
      schema: {
        tags: ['tenants'],
        summary: 'Onboard a tenant (a parking company)',
        body: Type.Object(
          { name: Type.String({ minLength: 1, maxLength: 200 }) },
          { additionalProperties: false },
        ),
      },
    },
    async (request, reply) => {
      return reply.code(201).send(await facilities.createTenant({ name: request.body.name }));
    },
  );

  app.get(
    '/api/v1/tenants',
    { schema: { tags: ['tenants'], summary: 'Tenants you can see' } },
    async (request) => {
      const principal = request.principal!;
      if (principal.role === 'platform_admin') return facilities.listTenants();
      return [await facilities.tenant(principal.tenant_id!)];
    },
  );

  app.post(
    '/api/v1/users',
    {
      schema: { tags: ['users'], summary: 'Create a staff account', body: UserBody },
    },
    async (request, reply) => {
      const principal = request.principal!;
      const body = request.body;
      let tenantId: string | null = null;
      if (body.role === 'platform_admin') {
        if (principal.role !== 'platform_admin')
          throw problem('FORBIDDEN', 'Only a platform admin creates platform admins');
      } else {
        tenantId = principal.role === 'tenant_admin' ? principal.tenant_id! : (body.tenant_id ?? null);
        if (principal.role === 'tenant_admin' && body.tenant_id && body.tenant_id !== principal.tenant_id) {
          throw problem('FORBIDDEN', 'A tenant admin adds users to their own tenant only');
        }
        if (!tenantId)
          throw problem('VALIDATION_FAILED', 'tenant_id is required for this role', {
            errors: [{ field: 'tenant_id', message: 'required' }],
          });
        await facilities.tenant(tenantId); // TENANT_NOT_FOUND
      }
      const user = await store
        .insertUser(pool, {
          user_id: newId('user'),
          email: body.email.trim(),
          password_hash: await hashSecret(body.password),
          role: body.role,
          tenant_id: tenantId,
          customer_id: null,
          name: body.name?.trim() ?? null,
        })
        .catch((error) => {
          if (pgConstraint(error) === 'users_email')
            throw problem('EMAIL_TAKEN', `${body.email} already has an account`);
          throw error;
        });
      return reply.code(201).send(userView(user));
    },
  );

  app.get(
    '/api/v1/users',
    {
      schema: {
        tags: ['users'],
        summary: 'Accounts: all for platform admins (or one tenant’s), the tenant’s for tenant admins',
        querystring: Type.Object({ tenant_id: Type.Optional(TenantId), ...pageQuery }),
      },
    },
    async (request, reply) => {
      const principal = request.principal!;
      const limit = request.query.limit ?? 100;
      const asked = request.query.tenant_id;
      // Another tenant is answered as a missing one: no hint that it exists.
      if (asked && principal.role === 'tenant_admin' && asked !== principal.tenant_id)
        throw problem('TENANT_NOT_FOUND', `No tenant ${asked}`);
      if (asked && principal.role === 'platform_admin') await facilities.tenant(asked); // TENANT_NOT_FOUND
      const rows = await store.listUsers(
        pool,
        principal.role === 'tenant_admin' ? principal.tenant_id! : (asked ?? null),
        limit + 1,
        decodeCursor(request.query.cursor, isIdCursor),
      );
      return paginate(request, reply, rows, limit, (u) => u.user_id).map(userView);
    },
  );

  app.post(
    '/api/v1/clients',
    {
      schema: {
        tags: ['users'],
        summary: 'Create a machine client (client_credentials); the secret is shown once',
        body: ClientBody,
      },
    },
    async (request, reply) => {
      const principal = request.principal!;
      const tenantId = principal.role === 'tenant_admin' ? principal.tenant_id! : request.body.tenant_id;
      if (!tenantId)
        throw problem('VALIDATION_FAILED', 'tenant_id is required', {
          errors: [{ field: 'tenant_id', message: 'required' }],
        });
      await facilities.tenant(tenantId);
      const secret = randomBytes(24).toString('base64url');
      const client = await store.insertClient(pool, {
        client_id: newId('client'),
        secret_hash: await hashSecret(secret),
        name: request.body.name,
        role: request.body.role ?? 'operator',
        tenant_id: tenantId,
        created_by: principal.sub,
      });
      return reply.code(201).send({
        client_id: client.client_id,
        client_secret: secret,
        name: client.name,
        role: client.role,
        tenant_id: client.tenant_id,
        created_at: client.created_at.toISOString(),
      });
    },
  );
}
