/**
 * Signed-out sessions at the gateway: an access token of a session that has been signed out is
 * refused. What a session's state is gets remembered for a few seconds, so this costs one query
 * per session every 5 seconds, not one per request; a sign-out through this gateway counts at
 * once, through another replica within those 5 seconds.
 */
import type { Queryable } from '@easypark/platform';
import type { FastifyRequest } from 'fastify';
import { problem } from './errors.ts';
import * as store from './store.ts';

const rememberMs = 5_000;

export function sessionChecks(db: Queryable) {
  const known = new Map<string, { revoked: boolean; until: number }>();

  async function revoked(sessionId: string): Promise<boolean> {
    const now = Date.now();
    const cached = known.get(sessionId);
    if (cached && (cached.revoked || cached.until > now)) return cached.revoked;
    const answer = await store.sessionRevoked(db, sessionId);
    if (known.size > 50_000) known.clear();
    known.set(sessionId, { revoked: answer, until: now + rememberMs });
    return answer;
  }

  return {
    /** onRequest, after authentication. */
    async hook(request: FastifyRequest) {
      const sessionId = request.principal?.sid;
      if (sessionId && (await revoked(sessionId)))
        throw problem('SIGNED_OUT', 'This session has been signed out: sign in again');
    },
    signedOut(sessionId: string) {
      known.set(sessionId, { revoked: true, until: Number.POSITIVE_INFINITY });
    },
  };
}
