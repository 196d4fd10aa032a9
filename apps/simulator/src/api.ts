/**
 * The public API as the simulator calls it, over real HTTP. A call never throws for what the
 * platform answers: a refusal comes back as a result with its problem `code`, is counted and
 * logged, and the simulation carries on. 429 answers are waited out (Retry-After) and retried;
 * sign-ins keep within their own budget per minute, so that people signing in at the same address
 * are not locked out by the simulator; an expired token is renewed once and the call retried.
 */
import type { SimClock } from './clock.ts';

export interface ApiResult<T = unknown> {
  ok: boolean;
  status: number;
  body: T;
  /** The problem's `code` for a refusal; NETWORK_ERROR when no answer came. */
  code?: string;
  detail?: string;
  headers?: Headers;
}

/** Who calls: a user (bearer token, signed in as needed) or a machine (API key). */
export interface Caller {
  readonly name: string;
  headers(): Promise<Record<string, string> | null>;
  /** The token was refused (401): get a new one next time; false when there is nothing to renew. */
  renew(): boolean;
}

export interface Account extends Caller {
  readonly email: string;
  /** Signs in now if not signed in; false when it cannot. */
  signIn(): Promise<boolean>;
}

export interface CallOptions {
  as?: Caller;
  body?: unknown;
  query?: Record<string, string | number | undefined>;
  headers?: Record<string, string>;
  /** Refusals that are an expected answer here (e.g. 409 when a vehicle is already registered): not counted. */
  expect?: number[];
}

export interface Api {
  call<T = unknown>(method: string, path: string, options?: CallOptions): Promise<ApiResult<T>>;
  /** Every page of a list (following `Link: rel="next"`); null if a page was refused. */
  list<T = unknown>(path: string, options?: CallOptions): Promise<T[] | null>;
  account(email: string, password: string): Account;
  /** Signs a driver up (counts in the sign-in budget). */
  signUp(email: string, password: string, name: string): Promise<ApiResult>;
  /** A machine with an API key; `issue` gets a (new) key, e.g. when the last one expired. */
  apiKey(name: string, issue: () => Promise<string | null>): Caller;
  /** Aborts calls in flight (used when stopping). */
  abort(): void;
}

export interface Refusal {
  method: string;
  path: string;
  status: number;
  code: string;
  detail?: string;
}

export interface ApiOptions {
  baseUrl: string;
  clock: SimClock;
  /** Sign-ins and sign-ups per minute at most. */
  authPerMinute: number;
  onRefusal(refusal: Refusal): void;
  /** Per call; default 20 s. */
  timeoutMs?: number;
}

const MAX_RATE_LIMIT_RETRIES = 5;

export function createApi(options: ApiOptions): Api {
  const base = options.baseUrl.replace(/\/+$/, '');
  const stop = new AbortController();
  const timeoutMs = options.timeoutMs ?? 20_000;
  const authSlots = createBudget(options.authPerMinute, options.clock);

  async function send<T>(method: string, path: string, opts: CallOptions): Promise<ApiResult<T>> {
    const url = new URL(base + path);
    for (const [name, value] of Object.entries(opts.query ?? {}))
      if (value !== undefined) url.searchParams.set(name, String(value));
    const auth = opts.as ? await opts.as.headers() : {};
    if (auth === null) return { ok: false, status: 401, body: null as T, code: 'NOT_SIGNED_IN' };
    const headers: Record<string, string> = { accept: 'application/json', ...auth, ...(opts.headers ?? {}) };
    if (opts.body !== undefined) headers['content-type'] = 'application/json';
    try {
      const response = await fetch(url, {
        method,
        headers,
        ...(opts.body !== undefined ? { body: JSON.stringify(opts.body) } : {}),
        signal: AbortSignal.any([stop.signal, AbortSignal.timeout(timeoutMs)]),
      });
      const text = await response.text();
      const type = response.headers.get('content-type') ?? '';
      const body = type.includes('json') && text.length > 0 ? JSON.parse(text) : text;
      if (response.ok)
        return { ok: true, status: response.status, body: body as T, headers: response.headers };
      return {
        ok: false,
        status: response.status,
        body: body as T,
        code: typeof body?.code === 'string' ? body.code : `HTTP_${response.status}`,
        detail: typeof body?.detail === 'string' ? body.detail : undefined,
        headers: response.headers,
      };
    } catch (error) {
      const aborted = stop.signal.aborted;
      return {
        ok: false,
        status: 0,
        body: null as T,
        code: aborted ? 'STOPPED' : 'NETWORK_ERROR',
        detail: (error as Error).message,
      };
    }
  }

  async function call<T>(method: string, path: string, opts: CallOptions = {}): Promise<ApiResult<T>> {
    let renewed = false;
    for (let attempt = 0; ; attempt++) {
      const result = await send<T>(method, path, opts);
      if (result.ok || result.code === 'STOPPED') return result;
      if (result.status === 429 && attempt < MAX_RATE_LIMIT_RETRIES) {
        options.onRefusal({
          method,
          path,
          status: 429,
          code: result.code!,
          ...(result.detail ? { detail: result.detail } : {}),
        });
        const seconds = Number(result.headers?.get('retry-after'));
        if (!(await options.clock.sleep((Number.isFinite(seconds) && seconds > 0 ? seconds : 1) * 1000)))
          return result;
        continue;
      }
      if (result.status === 401 && !renewed && opts.as?.renew()) {
        renewed = true;
        continue;
      }
      if (!opts.expect?.includes(result.status))
        options.onRefusal({
          method,
          path,
          status: result.status,
          code: result.code!,
          ...(result.detail ? { detail: result.detail } : {}),
        });
      return result;
    }
  }

  async function list<T>(path: string, opts: CallOptions = {}): Promise<T[] | null> {
    const items: T[] = [];
    let next: string | null = path;
    let query = opts.query;
    while (next) {
      const page: ApiResult<T[]> = await call<T[]>('GET', next, { ...opts, query });
      if (!page.ok || !Array.isArray(page.body)) return null;
      items.push(...page.body);
      next = nextLink(page.headers?.get('link') ?? null, base);
      query = undefined; // the next link carries the query
    }
    return items;
  }

  function account(email: string, password: string): Account {
    let token: string | null = null;
    let signingIn: Promise<boolean> | null = null;

    async function signInNow(): Promise<boolean> {
      if (!(await authSlots.take())) return false;
      const answer = await call<{ access_token: string }>('POST', '/api/v1/auth/token', {
        body: { grant_type: 'password', username: email, password },
      });
      token = answer.ok ? answer.body.access_token : null;
      return token !== null;
    }

    const signIn = () => {
      if (token) return Promise.resolve(true);
      signingIn ??= signInNow().finally(() => {
        signingIn = null;
      });
      return signingIn;
    };

    return {
      name: email,
      email,
      signIn,
      async headers() {
        return (await signIn()) ? { authorization: `Bearer ${token}` } : null;
      },
      renew() {
        token = null;
        return true;
      },
    };
  }

  async function signUp(email: string, password: string, name: string): Promise<ApiResult> {
    if (!(await authSlots.take())) return { ok: false, status: 0, body: null, code: 'STOPPED' };
    return call('POST', '/api/v1/auth/register', { body: { email, password, name }, expect: [409] });
  }

  function apiKey(name: string, issue: () => Promise<string | null>): Caller {
    let key: Promise<string | null> | null = null;
    return {
      name,
      async headers() {
        key ??= issue();
        const current = await key;
        if (current === null) key = null; // try again next time
        return current === null ? null : { 'x-api-key': current };
      },
      renew() {
        key = null;
        return true;
      },
    };
  }

  return {
    call,
    list,
    account,
    signUp,
    apiKey,
    abort: () => stop.abort(),
  };
}

/** A budget of `perMinute` uses in any rolling minute (real time); take() waits for a free one. */
export function createBudget(perMinute: number, clock: SimClock): { take(): Promise<boolean> } {
  const used: number[] = [];
  let queue: Promise<unknown> = Promise.resolve();
  return {
    take() {
      const turn = queue.then(async () => {
        for (;;) {
          const now = Date.now();
          while (used.length > 0 && used[0]! <= now - 60_000) used.shift();
          if (used.length < perMinute) {
            used.push(now);
            return true;
          }
          if (!(await clock.sleep(used[0]! + 60_000 - now))) return false;
        }
      });
      queue = turn.catch(() => undefined);
      return turn;
    },
  };
}

/** The path and query of a `Link: <…>; rel="next"` header, or null. */
export function nextLink(header: string | null, base: string): string | null {
  if (!header) return null;
  for (const part of header.split(',')) {
    const match = /<([^>]+)>\s*;\s*rel="?next"?/.exec(part.trim());
    if (!match) continue;
    const url = new URL(match[1]!, `${base}/`);
    return url.pathname + url.search;
  }
  return null;
}
