import { AppError, commonProblem } from '@easypark/kernel';
import type { Transport } from './client.ts';

/**
 * Replicas of one service behind one transport: requests go round-robin to the replicas whose
 * circuit is closed. A replica that fails (cannot be reached, or does not answer in time) several
 * times in a row is skipped for a while (its circuit opens), then tried again: a success closes
 * its circuit, a failure opens it for twice as long.
 * When every circuit is open the caller gets a 503 at once instead of waiting for timeouts.
 *
 * Retries are only where they cannot do a thing twice: a request that never reached a replica
 * (connection refused) goes to the next one, whatever its method; a GET that timed out is tried
 * once more on another replica. Anything else is the caller's answer.
 */
export interface BreakerSettings {
  /** Consecutive failures that open a replica's circuit. */
  failures: number;
  /** How long an open circuit stays open before one trial request; doubles while trials fail. */
  openMs: number;
  maxOpenMs: number;
}

export const defaultBreaker: BreakerSettings = { failures: 3, openMs: 1_000, maxOpenMs: 30_000 };

export interface Breaker {
  failures: number;
  /** Until when the circuit is open (ms since the epoch); 0 when closed. */
  openUntil: number;
  /** The open period the next opening gets. */
  nextOpenMs: number;
}

export const closedBreaker = (settings: BreakerSettings): Breaker => ({
  failures: 0,
  openUntil: 0,
  nextOpenMs: settings.openMs,
});

/** Whether a request may go to the replica now (closed, or open long enough for a trial). */
export const mayTry = (breaker: Breaker, now: number) => breaker.openUntil <= now;

export function afterSuccess(settings: BreakerSettings): Breaker {
  return closedBreaker(settings);
}

export function afterFailure(breaker: Breaker, settings: BreakerSettings, now: number): Breaker {
  const failures = breaker.failures + 1;
  // A failed trial re-opens at once, for longer; a closed circuit opens at the threshold.
  const trial = breaker.openUntil !== 0;
  if (!trial && failures < settings.failures) return { ...breaker, failures };
  return {
    failures,
    openUntil: now + breaker.nextOpenMs,
    nextOpenMs: Math.min(breaker.nextOpenMs * 2, settings.maxOpenMs),
  };
}

/** How a failed request failed, from the transport's error. */
export function failureOf(error: unknown): 'not-sent' | 'timeout' | 'other' {
  if (!(error instanceof AppError)) return 'other';
  if (error.code === 'UPSTREAM_TIMEOUT') return 'timeout';
  const cause = (error as { cause?: { code?: string } }).cause;
  if (error.code === 'SERVICE_UNAVAILABLE' && cause?.code === 'ECONNREFUSED') return 'not-sent';
  return 'other';
}

export function balancedTransport(
  replicas: { url: string; transport: Transport }[],
  settings: BreakerSettings = defaultBreaker,
  now: () => number = Date.now,
): Transport {
  if (replicas.length === 0) throw new Error('balancedTransport needs at least one replica');
  const breakers = replicas.map(() => closedBreaker(settings));
  let next = 0;

  /** The replicas to try, in order: round-robin over those whose circuit lets a request through. */
  function order(): number[] {
    const start = next;
    next = (next + 1) % replicas.length;
    const all = replicas.map((_, i) => (start + i) % replicas.length);
    return all.filter((i) => mayTry(breakers[i]!, now()));
  }

  function record(i: number, ok: boolean) {
    breakers[i] = ok ? afterSuccess(settings) : afterFailure(breakers[i]!, settings, now());
  }

  function allOpen(): AppError {
    const soonest = Math.min(...breakers.map((b) => b.openUntil));
    return commonProblem(
      'SERVICE_UNAVAILABLE',
      `${replicas.map((r) => r.url).join(', ')}: failing; not asked again for ${Math.max(0, soonest - now())} ms`,
    );
  }

  return {
    async request(spec) {
      const candidates = order();
      if (candidates.length === 0) throw allOpen();
      const idempotent = spec.method === 'GET' || spec.method === 'HEAD';
      let timeoutRetried = false;
      let lastError: unknown;
      for (const i of candidates) {
        try {
          const result = await replicas[i]!.transport.request(spec);
          record(i, true);
          return result;
        } catch (error) {
          const kind = failureOf(error);
          if (kind === 'other') throw error; // an answer we cannot judge: not the replica's fault
          record(i, false);
          lastError = error;
          if (kind === 'not-sent') continue;
          if (kind === 'timeout' && idempotent && !timeoutRetried) {
            timeoutRetried = true;
            await new Promise((resolve) => setTimeout(resolve, 50));
            continue;
          }
          throw error;
        }
      }
      throw lastError ?? allOpen();
    },
    async stream(spec, signal) {
      const candidates = order();
      if (candidates.length === 0) throw allOpen();
      let lastError: unknown;
      for (const i of candidates) {
        try {
          const result = await replicas[i]!.transport.stream(spec, signal);
          record(i, true);
          return result;
        } catch (error) {
          if (failureOf(error) !== 'not-sent') throw error;
          record(i, false);
          lastError = error;
        }
      }
      throw lastError;
    },
    // A charging station's WebSocket goes to the first replica: OCPP connections stay where they land.
    upgrade: (request, socket, head) => replicas[0]!.transport.upgrade(request, socket, head),
    async close() {
      for (const replica of replicas) await replica.transport.close();
    },
  };
}
