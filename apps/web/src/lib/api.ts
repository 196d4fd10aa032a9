import { nextLink } from './links.ts';
import { isProblem, type Problem } from './problems.ts';

/** The public API, always same-origin (the gateway serves the app; `vite` proxies it in development). */
const base = '/api/v1';
const storageKey = 'easypark.session';

export type Role = 'platform_admin' | 'tenant_admin' | 'operator' | 'driver';

export interface Session {
  access_token: string;
  refresh_token?: string;
  role: Role;
  tenant_id?: string;
  customer_id?: string;
  /** The name in the access token, if it has one. */
  name?: string;
}

interface TokenAnswer {
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
  role: Role;
  tenant_id?: string;
  customer_id?: string;
  refresh_token?: string;
}

/** A refused call: the problem the API answered (or a network failure), and its status. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly problem: Problem,
  ) {
    super(problem.detail ?? problem.title ?? `HTTP ${status}`);
    this.name = 'ApiError';
  }
}

export const isStaff = (role: Role) => role !== 'driver';

// --- Session (sessionStorage: gone when the tab closes) -----------------------------------------

type Listener = (session: Session | null, reason?: string) => void;
const listeners = new Set<Listener>();

export function currentSession(): Session | null {
  try {
    const raw = sessionStorage.getItem(storageKey);
    return raw ? (JSON.parse(raw) as Session) : null;
  } catch {
    return null;
  }
}

function setSession(session: Session | null, reason?: string) {
  if (session) sessionStorage.setItem(storageKey, JSON.stringify(session));
  else sessionStorage.removeItem(storageKey);
  for (const listener of listeners) listener(session, reason);
}

/** Called on sign-in, refresh and sign-out (with why, when the session ended on its own). */
export function onSessionChange(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

function nameIn(token: string): string | undefined {
  try {
    const payload = token.split('.')[1] ?? '';
    const json = atob(payload.replaceAll('-', '+').replaceAll('_', '/'));
    const name = (JSON.parse(json) as { name?: unknown }).name;
    return typeof name === 'string' ? name : undefined;
  } catch {
    return undefined;
  }
}

function sessionOf(answer: TokenAnswer): Session {
  const session: Session = { access_token: answer.access_token, role: answer.role };
  if (answer.refresh_token) session.refresh_token = answer.refresh_token;
  if (answer.tenant_id) session.tenant_id = answer.tenant_id;
  if (answer.customer_id) session.customer_id = answer.customer_id;
  const name = nameIn(answer.access_token);
  if (name) session.name = name;
  return session;
}

// --- Calls ---------------------------------------------------------------------------------------

async function problemOf(response: Response): Promise<Problem> {
  const text = await response.text().catch(() => '');
  try {
    const body: unknown = JSON.parse(text);
    if (isProblem(body)) return body;
  } catch {
    // not JSON: described by its status below
  }
  return { status: response.status, title: response.statusText || `HTTP ${response.status}` };
}

async function send(path: string, init: RequestInit): Promise<Response> {
  try {
    return await fetch(path.startsWith('/') ? path : `${base}/${path}`, init);
  } catch (error) {
    if (init.signal?.aborted) throw error;
    throw new ApiError(0, { code: 'NETWORK_ERROR', title: 'The server cannot be reached' });
  }
}

/** POST /auth/token with the password grant; the session starts. */
export async function signIn(email: string, password: string): Promise<Session> {
  const response = await send('auth/token', {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify({ grant_type: 'password', username: email, password }),
  });
  if (!response.ok) throw new ApiError(response.status, await problemOf(response));
  const session = sessionOf((await response.json()) as TokenAnswer);
  setSession(session);
  return session;
}

/** POST /auth/register: a new driver account; answers its customer id. */
export async function signUp(fields: { email: string; password: string; name: string }): Promise<void> {
  const response = await send('auth/register', {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify(fields),
  });
  if (!response.ok) throw new ApiError(response.status, await problemOf(response));
}

/** POST /auth/logout, then forget the tokens whatever it answered. */
export async function signOut(): Promise<void> {
  const session = currentSession();
  if (session) {
    await send('auth/logout', {
      method: 'POST',
      headers: { authorization: `Bearer ${session.access_token}` },
    }).catch(() => undefined);
  }
  setSession(null);
}

let refreshing: Promise<boolean> | null = null;

/** The refresh_token grant, once at a time however many calls found the access token expired. */
function refresh(): Promise<boolean> {
  refreshing ??= (async () => {
    const session = currentSession();
    if (!session?.refresh_token) return false;
    const response = await send('auth/token', {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ grant_type: 'refresh_token', refresh_token: session.refresh_token }),
    }).catch(() => null);
    if (!response?.ok) return false;
    setSession(sessionOf((await response.json()) as TokenAnswer));
    return true;
  })().finally(() => {
    refreshing = null;
  });
  return refreshing;
}

/**
 * A call with the session's access token. A 401 (the access token expired) is answered by one
 * refresh and one retry; if that fails too, the session ends and the app goes back to sign-in.
 */
export async function authorizedFetch(path: string, init: RequestInit = {}): Promise<Response> {
  const attempt = () => {
    const session = currentSession();
    const headers = new Headers(init.headers);
    if (!headers.has('accept')) headers.set('accept', 'application/json');
    if (session) headers.set('authorization', `Bearer ${session.access_token}`);
    return send(path, { ...init, headers });
  };
  let response = await attempt();
  if (response.status === 401) {
    const problem = await problemOf(response.clone());
    if (problem.code === 'UNAUTHENTICATED' && (await refresh())) response = await attempt();
    if (response.status === 401) {
      const ended = await problemOf(response);
      setSession(null, ended.code === 'SIGNED_OUT' ? 'SIGNED_OUT' : 'UNAUTHENTICATED');
      throw new ApiError(401, ended);
    }
  }
  return response;
}

/** A JSON call; refused calls throw an ApiError with the problem. */
export async function api<T>(path: string, init: RequestInit & { json?: unknown } = {}): Promise<T> {
  const { json, ...rest } = init;
  const headers = new Headers(rest.headers);
  if (json !== undefined) headers.set('content-type', 'application/json');
  const response = await authorizedFetch(path, {
    ...rest,
    headers,
    ...(json !== undefined ? { body: JSON.stringify(json) } : {}),
  });
  if (!response.ok) throw new ApiError(response.status, await problemOf(response));
  if (response.status === 204) return undefined as T;
  return (await response.json()) as T;
}

/** Every page of a list, following its Link rel="next". */
export async function apiAll<T>(path: string, signal?: AbortSignal): Promise<T[]> {
  const items: T[] = [];
  let next: string | null = path;
  for (let page = 0; next && page < 50; page += 1) {
    const response = await authorizedFetch(next, signal ? { signal } : {});
    if (!response.ok) throw new ApiError(response.status, await problemOf(response));
    items.push(...((await response.json()) as T[]));
    next = nextLink(response.headers.get('link'));
  }
  return items;
}
