/**
 * The audit trail: after every state-changing call through the gateway (and every sign-in
 * attempt) one row says who, what, when, from where and how it ended. Written once the answer
 * has gone out, so it adds nothing to the caller's wait; a row that cannot be written is logged.
 */
import type { Principal } from '@easypark/kernel';
import type { Queryable } from '@easypark/platform';
import type { FastifyReply, FastifyRequest } from 'fastify';
import * as store from './store.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the token route: who just signed in. */
    signedIn?: Principal;
  }
}

const changes = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const signInOrUp = new Set(['/api/v1/auth/token', '/api/v1/auth/register']);

export function auditHook(db: Queryable, now: () => Date) {
  return async (request: FastifyRequest, reply: FastifyReply) => {
    const path = request.url.split('?')[0] ?? '';
    if (!changes.has(request.method) || !path.startsWith('/api/v1/')) return;
    const status = reply.statusCode;
    const who = request.signedIn ?? request.principal;
    const tried = signInOrUp.has(path) ? attemptedName(request.body) : null;
    try {
      await store.appendAudit(db, {
        at: now(),
        tenant_id: who?.tenant_id ?? null,
        actor: who?.sub ?? tried,
        actor_role: who?.role ?? null,
        method: request.method,
        path,
        status,
        outcome:
          status < 400 ? 'SUCCESS' : status === 401 || status === 403 || status === 429 ? 'DENIED' : 'FAILED',
        ip: request.ip,
        user_agent:
          String(request.headers['user-agent'] ?? '')
            .slice(0, 300)
            .replaceAll('\u0000', '\uFFFD') || null,
        request_id: request.id,
      });
    } catch (error) {
      request.log.error({ err: error }, 'could not write the audit row');
    }
  };
}

function attemptedName(body: unknown): string | null {
  if (!body || typeof body !== 'object') return null;
  const b = body as { username?: unknown; client_id?: unknown; email?: unknown };
  const name = [b.username, b.client_id, b.email].find((v): v is string => typeof v === 'string') ?? null;
  // PostgreSQL text cannot hold U+0000: a name tried with one would lose the attempt's row.
  return name ? name.slice(0, 320).replaceAll('\u0000', '\uFFFD') : null;
}
