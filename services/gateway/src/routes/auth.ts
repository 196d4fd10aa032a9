import { createHash, randomBytes } from 'node:crypto';
import { newId, type Principal } from '@easypark/kernel';
import { type App, pgConstraint, type ServiceRuntime, signToken, Type } from '@easypark/platform';
import formbody from '@fastify/formbody';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { problem } from '../errors.ts';
import { absentUserHash, hashSecret, verifySecret } from '../passwords.ts';
import * as store from '../store.ts';

const TokenBody = Type.Object({
  grant_type: Type.Union([
    Type.Literal('password'),
    Type.Literal('client_credentials'),
    Type.Literal('refresh_token'),
  ]),
  refresh_token: Type.Optional(Type.String({ maxLength: 200 })),
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
  refresh_token: Type.Optional(Type.String()),
  refresh_expires_in: Type.Optional(Type.Integer()),
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

/** How long a password sign-in lasts when its tokens keep being refreshed. */
const sessionDays = 30;

/** Wrong passwords in a row an account may have before each next one locks it: 30 s, doubling to 15 min. */
const freeLoginFailures = 5;
const maxLoginLockSeconds = 900;

const hashOf = (token: string) => createHash('sha256').update(token).digest('hex');

function principalOfUser(user: store.UserRow, sessionId: string): Principal {
  const principal: Principal = { sub: user.user_id, role: user.role, sid: sessionId };
  if (user.name) principal.name = user.name;
  if (user.tenant_id) principal.tenant_id = user.tenant_id;
  if (user.customer_id) principal.customer_id = user.customer_id;
  return principal;
}

export function authRoutes(
  app: App,
  runtime: ServiceRuntime,
  tokenTtlSeconds: number,
  signedOut: (sessionId: string) => void,
): void {
  const { pool, keys } = runtime;

  app.register(async (plain) => {
    const scope = plain.withTypeProvider<TypeBoxTypeProvider>();
    await scope.register(formbody);
    scope.post(
      '/api/v1/auth/token',
      {
        schema: {
          tags,
          summary: 'Get an access token (OAuth 2.0 password or client_credentials grant; JSON or form body)',
          body: TokenBody,
          response: { 200: TokenAnswer },
        },
      },
      async (request, reply) => {
        const body = request.body;
        const now = runtime.clock.now();
        let principal: Principal;
        let refreshToken: string | undefined;
        let refreshExpiresIn: number | undefined;
        if (body.grant_type === 'password') {
          if (!body.username || !body.password)
            throw problem('VALIDATION_FAILED', 'username and password are required');
          const lockedUntil = await store.loginLockedUntil(pool, body.username);
          if (lockedUntil && lockedUntil > now) {
            reply.header('retry-after', Math.ceil((lockedUntil.getTime() - now.getTime()) / 1000));
            throw problem(
              'LOGIN_THROTTLED',
              'Too many wrong passwords for this account: wait before trying again',
            );
          }
          const user = await store.findUserByEmail(pool, body.username);
          const ok = await verifySecret(body.password, user?.password_hash ?? absentUserHash);
          if (!user || !ok || user.disabled_at) {
            await store.recordLoginFailure(pool, body.username, now, freeLoginFailures, maxLoginLockSeconds);
            throw problem('INVALID_CREDENTIALS', 'Wrong email or password');
          }
          await store.clearLoginFailures(pool, body.username);
          const sessionId = newId('session');
          const expiresAt = new Date(now.getTime() + sessionDays * 86_400_000);
          refreshToken = randomBytes(32).toString('base64url');
          await runtime.transaction(async (tx) => {
            await store.openSession(tx, {
              session_id: sessionId,
              user_id: user.user_id,
              now,
              expires_at: expiresAt,
            });
            await store.addRefreshToken(tx, hashOf(refreshToken!), sessionId, now);
          });
          refreshExpiresIn = sessionDays * 86_400;
          principal = principalOfUser(user, sessionId);
        } else if (body.grant_type === 'refresh_token') {
          if (!body.refresh_token) throw problem('VALIDATION_FAILED', 'refresh_token is required');
          const presented = body.refresh_token;
          const renewed = await runtime.transaction(async (tx) => {
            const row = await store.lockRefreshToken(tx, hashOf(presented));
            if (!row) return { failure: 'unknown' as const };
            // A refresh token is used once. Seeing it again means it was copied: end the session.
            if (row.used_at) {
              await store.revokeSession(tx, row.session_id, 'REFRESH_TOKEN_REUSED', now);
              return { failure: 'reused' as const, sessionId: row.session_id };
            }
            if (row.revoked_at || row.expires_at <= now) return { failure: 'ended' as const };
            const user = await store.findUser(tx, row.user_id);
            if (!user || user.disabled_at) return { failure: 'ended' as const };
            const next = randomBytes(32).toString('base64url');
            await store.useRefreshToken(tx, hashOf(presented), now);
            await store.addRefreshToken(tx, hashOf(next), row.session_id, now);
            return { user, next, sessionId: row.session_id, expiresAt: row.expires_at };
          });
          if ('failure' in renewed) {
            if (renewed.failure === 'reused') signedOut(renewed.sessionId);
            throw problem(
              'INVALID_GRANT',
              renewed.failure === 'reused'
                ? 'This refresh token was already used; the session has been ended: sign in again'
                : 'The refresh token is unknown, expired or signed out: sign in again',
            );
          }
          principal = principalOfUser(renewed.user, renewed.sessionId);
          refreshToken = renewed.next;
          refreshExpiresIn = Math.max(0, Math.floor((renewed.expiresAt.getTime() - now.getTime()) / 1000));
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
          ...(refreshToken ? { refresh_token: refreshToken, refresh_expires_in: refreshExpiresIn } : {}),
        };
        return answer;
      },
    );
  });

  app.post(
    '/api/v1/auth/logout',
    {
      schema: {
        tags,
        summary: 'Sign out: end this session',
        description:
          'Its refresh tokens stop working at once, and so do its access tokens at this gateway (other gateway ' +
          'replicas within 5 seconds). Machine clients have no session: revoke the client instead.',
      },
    },
    async (request, reply) => {
      const principal = request.principal!;
      if (principal.sid) {
        await store.revokeSession(pool, principal.sid, 'SIGNED_OUT', runtime.clock.now());
        signedOut(principal.sid);
      }
      return reply.code(204).send();
    },
  );

  app.post(
    '/api/v1/auth/register',
    {
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
