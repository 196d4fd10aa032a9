/**
 * The audit trail: after every state-changing call through the gateway (and every sign-in
 * attempt) one row says who, what, when, from where and how it ended. Written once the answer
 * has gone out, so it adds nothing to the caller's wait: the rows of the calls that ended while
 * the previous rows were being written go in together, in one statement. A row that cannot be
 * written is logged.
 */
import type { Principal } from '@easypark/kernel';
import type { Logger, Queryable } from '@easypark/platform';
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
/** Rows written in one statement at most, and waiting at most (the database is down): beyond, logged and dropped. */
const batchSize = 500;
const maxWaiting = 20_000;

export function auditTrail(db: Queryable, now: () => Date, logger: Logger) {
  const waiting: store.AuditEntry[] = [];
  let writing: Promise<void> | null = null;

  async function writeWaiting() {
    while (waiting.length > 0) {
      const batch = waiting.splice(0, batchSize);
      try {
        await store.appendAudit(db, batch);
      } catch (error) {
        logger.error(
          { err: error, request_ids: batch.map((e) => e.request_id) },
          `could not write ${batch.length} audit rows`,
        );
      }
    }
    writing = null;
  }

  function append(entry: store.AuditEntry, request: FastifyRequest) {
    if (waiting.length >= maxWaiting) {
      request.log.error({ audit: entry }, 'audit rows are not being written; this one is dropped');
      return;
    }
    waiting.push(entry);
    writing ??= writeWaiting();
  }

  return {
    hook: async (request: FastifyRequest, reply: FastifyReply) => {
      const path = request.url.split('?')[0] ?? '';
      if (!changes.has(request.method) || !path.startsWith('/api/v1/')) return;
      const status = reply.statusCode;
      const who = request.signedIn ?? request.principal;
      const tried = signInOrUp.has(path) ? attemptedName(request.body) : null;
      append(
        {
          at: now(),
          tenant_id: who?.tenant_id ?? null,
          actor: who?.sub ?? tried,
          actor_role: who?.role ?? null,
          method: request.method,
          path,
          status,
          outcome:
            status < 400
              ? 'SUCCESS'
              : status === 401 || status === 403 || status === 429
                ? 'DENIED'
                : 'FAILED',
          ip: request.ip,
          user_agent:
            String(request.headers['user-agent'] ?? '')
              .slice(0, 300)
              .replaceAll('\u0000', '\uFFFD') || null,
          request_id: request.id,
        },
        request,
      );
    },
    /** Waits for the rows not written yet (at shutdown, once no request is left). */
    async flush() {
      while (writing) await writing;
    },
  };
}

function attemptedName(body: unknown): string | null {
  if (!body || typeof body !== 'object') return null;
  const b = body as { username?: unknown; client_id?: unknown; email?: unknown };
  const name = [b.username, b.client_id, b.email].find((v): v is string => typeof v === 'string') ?? null;
  // PostgreSQL text cannot hold U+0000: a name tried with one would lose the attempt's row.
  return name ? name.slice(0, 320).replaceAll('\u0000', '\uFFFD') : null;
}
