import { newId, type Principal } from '@easypark/kernel';
import { type App, pgConstraint, type ServiceRuntime, signToken, Type } from '@easypark/platform';
import formbody from '@fastify/formbody';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { problem } from '../errors.ts';
import { absentUserHash, hashSecret, verifySecret } from '../passwords.ts';
import * as store from '../store.ts';

const TokenBody = Type.Object({
  grant_type: Type.Union([Type.Literal('password'), Type.Literal('client_credentials')]),
  username: Type.Optional(Type.String({ maxLength: 320 })),
  password: Type.Optional(Type.String({ maxLength: 200 })),
  client_id: Type.Optional(Type.String({ maxLength: 100 })),
  client_secret: Type.Optional(Type.String({ maxLength: 200 })),
});

const TokenAnswer = Type.Object({
  access_token: Type.String(),
  token_type: Type.Literal('Bearer'),
  expires_in: Type.Integer(),
  role: Type.String(),
  tenant_id: Type.Optional(Type.String()),
  customer_id: Type.Optional(Type.String()),
});

const RegisterBody = Type.Object(
  {
    email: Type.String({ format: 'email', maxLength: 320 }),
    password: Type.String({ minLength: 10, maxLength: 200, description: 'At least 10 characters' }),
    name: Type.String({ minLength: 1, maxLength: 200 }),
  },
  { additionalProperties: false },
);

const tags = ['auth'];

export function authRoutes(app: App, runtime: ServiceRuntime, tokenTtlSeconds: number): void {
  const { pool, keys } = runtime;

  app.register(async (plain) => {
    const scope = plain.withTypeProvider<TypeBoxTypeProvider>();
    await scope.register(formbody);
    scope.post(
      '/api/v1/auth/token',
      {
        config: { access: 'public' },
        schema: {
          tags,
          summary: 'Get an access token (OAuth 2.0 password or client_credentials grant; JSON or form body)',
          body: TokenBody,
          response: { 200: TokenAnswer },
        },
      },
      async (request) => {
        const body = request.body;
        let principal: Principal;
        if (body.grant_type === 'password') {
          if (!body.username || !body.password)
            throw problem('VALIDATION_FAILED', 'username and password are required');
          const user = await store.findUserByEmail(pool, body.username);
          const ok = await verifySecret(body.password, user?.password_hash ?? absentUserHash);
          if (!user || !ok || user.disabled_at)
            throw problem('INVALID_CREDENTIALS', 'Wrong email or password');
          principal = { sub: user.user_id, role: user.role, ...(user.name ? { name: user.name } : {}) };
          if (user.tenant_id) principal.tenant_id = user.tenant_id;
          if (user.customer_id) principal.customer_id = user.customer_id;
        } else {
          if (!body.client_id || !body.client_secret)
            throw problem('VALIDATION_FAILED', 'client_id and client_secret are required');
          const client = await store.findClient(pool, body.client_id);
          const ok = await verifySecret(body.client_secret, client?.secret_hash ?? absentUserHash);
          if (!client || !ok || client.revoked_at)
            throw problem('INVALID_CREDENTIALS', 'Wrong client id or secret');
          principal = {
            sub: client.client_id,
            role: client.role,
            tenant_id: client.tenant_id,
            name: client.name,
          };
        }
        request.signedIn = principal;
        const answer = {
          access_token: await signToken(keys, principal, tokenTtlSeconds),
          token_type: 'Bearer' as const,
          expires_in: tokenTtlSeconds,
          role: principal.role,
          ...(principal.tenant_id ? { tenant_id: principal.tenant_id } : {}),
          ...(principal.customer_id ? { customer_id: principal.customer_id } : {}),
        };
        return answer;
      },
    );
  });

  app.post(
    '/api/v1/auth/register',
    {
      config: { access: 'public' },
      schema: { tags, summary: 'Sign up as a driver; answers the new customer_id', body: RegisterBody },
    },
    async (request, reply) => {
      const body = request.body;
      const user = await store
        .insertUser(pool, {
          user_id: newId('user'),
          email: body.email.trim(),
          password_hash: await hashSecret(body.password),
          role: 'driver',
          tenant_id: null,
          customer_id: newId('customer'),
          name: body.name.trim(),
        })
        .catch((error) => {
          if (pgConstraint(error) === 'users_email')
            throw problem('EMAIL_TAKEN', `${body.email} already has an account`);
          throw error;
        });
      return reply.code(201).send({
        user_id: user.user_id,
        customer_id: user.customer_id,
        email: user.email,
        name: user.name,
        role: user.role,
      });
    },
  );
}

/** The platform admin of a new installation; the password is reset when one is given explicitly. */
export async function ensurePlatformAdmin(
  runtime: ServiceRuntime,
  email: string,
  password: string,
  explicit: boolean,
) {
  const existing = await store.findUserByEmail(runtime.pool, email);
  if (!existing) {
    await store.insertUser(runtime.pool, {
      user_id: newId('user'),
      email,
      password_hash: await hashSecret(password),
      role: 'platform_admin',
      tenant_id: null,
      customer_id: null,
      name: 'Platform admin',
    });
  } else if (explicit && !(await verifySecret(password, existing.password_hash))) {
    await store.setPassword(runtime.pool, existing.user_id, await hashSecret(password));
  }
}
