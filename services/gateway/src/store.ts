import type { Permission, Role } from '@easypark/kernel';
import type { Queryable } from '@easypark/platform';

// All SQL of the gateway's identity store.

export interface UserRow {
  user_id: string;
  email: string;
  password_hash: string;
  role: Exclude<Role, 'service'>;
  tenant_id: string | null;
  customer_id: string | null;
  name: string | null;
  disabled_at: Date | null;
  created_at: Date;
}

export interface ClientRow {
  client_id: string;
  secret_hash: string;
  name: string;
  role: 'tenant_admin' | 'operator';
  tenant_id: string;
  created_by: string;
  revoked_at: Date | null;
  created_at: Date;
}

export async function insertUser(
  db: Queryable,
  user: Omit<UserRow, 'disabled_at' | 'created_at'>,
): Promise<UserRow> {
  const { rows } = await db.query<UserRow>(
    `INSERT INTO users (user_id, email, password_hash, role, tenant_id, customer_id, name)
     VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING *`,
    [user.user_id, user.email, user.password_hash, user.role, user.tenant_id, user.customer_id, user.name],
  );
  return rows[0]!;
}

export async function findUserByEmail(db: Queryable, email: string): Promise<UserRow | undefined> {
  return (await db.query<UserRow>('SELECT * FROM users WHERE lower(email) = lower($1)', [email])).rows[0];
}

export async function setPassword(db: Queryable, userId: string, passwordHash: string): Promise<void> {
  await db.query('UPDATE users SET password_hash = $2 WHERE user_id = $1', [userId, passwordHash]);
}

export async function listUsers(
  db: Queryable,
  tenantId: string | null,
  limit: number,
  after?: string,
): Promise<UserRow[]> {
  const { rows } = await db.query<UserRow>(
    `SELECT * FROM users WHERE ($1::text IS NULL OR tenant_id = $1) AND ($2::text IS NULL OR user_id > $2)
     ORDER BY user_id LIMIT $3`,
    [tenantId, after ?? null, limit],
  );
  return rows;
}

export async function insertClient(
  db: Queryable,
  client: Omit<ClientRow, 'revoked_at' | 'created_at'>,
): Promise<ClientRow> {
  const { rows } = await db.query<ClientRow>(
    `INSERT INTO clients (client_id, secret_hash, name, role, tenant_id, created_by)
     VALUES ($1, $2, $3, $4, $5, $6) RETURNING *`,
    [client.client_id, client.secret_hash, client.name, client.role, client.tenant_id, client.created_by],
  );
  return rows[0]!;
}

export async function findClient(db: Queryable, clientId: string): Promise<ClientRow | undefined> {
  return (await db.query<ClientRow>('SELECT * FROM clients WHERE client_id = $1', [clientId])).rows[0];
}

// Audit log

export interface AuditEntry {
  at: Date;
  tenant_id: string | null;
  actor: string | null;
  actor_role: string | null;
  method: string;
  path: string;
  status: number;
  outcome: 'SUCCESS' | 'DENIED' | 'FAILED';
  ip: string | null;
  user_agent: string | null;
  request_id: string | null;
}

/** Appends audit rows in one statement, in the order given. */
export async function appendAudit(db: Queryable, entries: readonly AuditEntry[]): Promise<void> {
  const column = <K extends keyof AuditEntry>(key: K) => entries.map((e) => e[key]);
  await db.query(
    `INSERT INTO audit_log (at, tenant_id, actor, actor_role, method, path, status, outcome, ip, user_agent, request_id)
     SELECT * FROM unnest($1::timestamptz[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[],
       $7::integer[], $8::text[], $9::text[], $10::text[], $11::text[])`,
    [
      column('at'),
      column('tenant_id'),
      column('actor'),
      column('actor_role'),
      column('method'),
      column('path'),
      column('status'),
      column('outcome'),
      column('ip'),
      column('user_agent'),
      column('request_id'),
    ],
  );
}

export async function listAudit(
  db: Queryable,
  filter: {
    tenantId: string | null;
    actor?: string | undefined;
    from?: Date | undefined;
    to?: Date | undefined;
  },
  limit: number,
  before: number | undefined,
): Promise<Array<AuditEntry & { audit_id: number }>> {
  const { rows } = await db.query<AuditEntry & { audit_id: number }>(
    `SELECT audit_id, at, tenant_id, actor, actor_role, method, path, status, outcome, ip, user_agent, request_id
     FROM audit_log
     WHERE ($1::text IS NULL OR tenant_id = $1) AND ($2::text IS NULL OR actor = $2)
       AND ($3::timestamptz IS NULL OR at >= $3) AND ($4::timestamptz IS NULL OR at < $4)
       AND ($5::bigint IS NULL OR audit_id < $5)
     ORDER BY audit_id DESC LIMIT $6`,
    [filter.tenantId, filter.actor ?? null, filter.from ?? null, filter.to ?? null, before ?? null, limit],
  );
  return rows;
}

// Sessions and refresh tokens

export async function openSession(
  db: Queryable,
  s: { session_id: string; user_id: string; now: Date; expires_at: Date },
) {
  await db.query(
    'INSERT INTO auth_sessions (session_id, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4)',
    [s.session_id, s.user_id, s.now, s.expires_at],
  );
}

export async function addRefreshToken(
  db: Queryable,
  hash: string,
  sessionId: string,
  now: Date,
): Promise<void> {
  await db.query('INSERT INTO refresh_tokens (token_hash, session_id, issued_at) VALUES ($1, $2, $3)', [
    hash,
    sessionId,
    now,
  ]);
}

export interface RefreshTokenRow {
  session_id: string;
  used_at: Date | null;
  user_id: string;
  expires_at: Date;
  revoked_at: Date | null;
}

export async function lockRefreshToken(db: Queryable, hash: string): Promise<RefreshTokenRow | null> {
  const { rows } = await db.query<RefreshTokenRow>(
    `SELECT r.session_id, r.used_at, s.user_id, s.expires_at, s.revoked_at
     FROM refresh_tokens r JOIN auth_sessions s ON s.session_id = r.session_id
     WHERE r.token_hash = $1 FOR UPDATE OF r, s`,
    [hash],
  );
  return rows[0] ?? null;
}

export async function useRefreshToken(db: Queryable, hash: string, now: Date): Promise<void> {
  await db.query('UPDATE refresh_tokens SET used_at = $2 WHERE token_hash = $1', [hash, now]);
}

export async function revokeSession(
  db: Queryable,
  sessionId: string,
  reason: 'SIGNED_OUT' | 'REFRESH_TOKEN_REUSED',
  now: Date,
): Promise<void> {
  await db.query(
    'UPDATE auth_sessions SET revoked_at = $2, revoked_reason = $3 WHERE session_id = $1 AND revoked_at IS NULL',
    [sessionId, now, reason],
  );
}

export async function sessionRevoked(db: Queryable, sessionId: string): Promise<boolean> {
  const { rows } = await db.query<{ revoked: boolean }>(
    'SELECT revoked_at IS NOT NULL AS revoked FROM auth_sessions WHERE session_id = $1',
    [sessionId],
  );
  return rows[0]?.revoked ?? true;
}

export async function findUser(db: Queryable, userId: string): Promise<UserRow | undefined> {
  const { rows } = await db.query<UserRow>('SELECT * FROM users WHERE user_id = $1', [userId]);
  return rows[0];
}

// API keys

export interface ApiKeyRow {
  key_id: string;
  tenant_id: string;
  facility_id: string;
  name: string;
  permissions: Permission[];
  key_prefix: string;
  created_by: string;
  created_at: Date;
  expires_at: Date | null;
  revoked_at: Date | null;
  last_used_at: Date | null;
}

const apiKeyColumns = `key_id, tenant_id, facility_id, name, permissions, key_prefix, created_by, created_at,
  expires_at, revoked_at, last_used_at`;

export async function insertApiKey(
  db: Queryable,
  key: Omit<ApiKeyRow, 'revoked_at' | 'last_used_at'> & { key_hash: string },
): Promise<ApiKeyRow> {
  const { rows } = await db.query<ApiKeyRow>(
    `INSERT INTO api_keys (key_id, tenant_id, facility_id, name, permissions, key_hash, key_prefix, created_by,
       created_at, expires_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING ${apiKeyColumns}`,
    [
      key.key_id,
      key.tenant_id,
      key.facility_id,
      key.name,
      key.permissions,
      key.key_hash,
      key.key_prefix,
      key.created_by,
      key.created_at,
      key.expires_at,
    ],
  );
  return rows[0]!;
}

export async function findApiKeyByHash(db: Queryable, keyHash: string): Promise<ApiKeyRow | undefined> {
  const { rows } = await db.query<ApiKeyRow>(`SELECT ${apiKeyColumns} FROM api_keys WHERE key_hash = $1`, [
    keyHash,
  ]);
  return rows[0];
}

export async function findApiKey(db: Queryable, keyId: string): Promise<ApiKeyRow | undefined> {
  const { rows } = await db.query<ApiKeyRow>(`SELECT ${apiKeyColumns} FROM api_keys WHERE key_id = $1`, [
    keyId,
  ]);
  return rows[0];
}

/** Keys of one tenant (or every tenant), newest first, revoked ones included. */
export async function listApiKeys(
  db: Queryable,
  tenantId: string | null,
  limit: number,
  before?: string,
): Promise<ApiKeyRow[]> {
  const { rows } = await db.query<ApiKeyRow>(
    `SELECT ${apiKeyColumns} FROM api_keys
     WHERE ($1::text IS NULL OR tenant_id = $1) AND ($2::text IS NULL OR key_id < $2)
     ORDER BY key_id DESC LIMIT $3`,
    [tenantId, before ?? null, limit],
  );
  return rows;
}

export async function revokeApiKey(db: Queryable, keyId: string, now: Date): Promise<void> {
  await db.query('UPDATE api_keys SET revoked_at = $2 WHERE key_id = $1 AND revoked_at IS NULL', [
    keyId,
    now,
  ]);
}

export async function touchApiKey(db: Queryable, keyId: string, now: Date): Promise<void> {
  await db.query('UPDATE api_keys SET last_used_at = $2 WHERE key_id = $1', [keyId, now]);
}

// Sign-in throttling

export async function loginLockedUntil(db: Queryable, email: string): Promise<Date | null> {
  const { rows } = await db.query<{ locked_until: Date | null }>(
    'SELECT locked_until FROM login_failures WHERE email = lower($1)',
    [email],
  );
  return rows[0]?.locked_until ?? null;
}

/** Counts a failed sign-in; from `freeFailures` on, each locks the account for `lockSeconds(failures)`. */
export async function recordLoginFailure(
  db: Queryable,
  email: string,
  now: Date,
  freeFailures: number,
  maxLockSeconds: number,
): Promise<void> {
  // Failures older than a day are forgotten: the count starts again.
  await db.query(`DELETE FROM login_failures WHERE last_failure_at < $1::timestamptz - interval '1 day'`, [
    now,
  ]);
  await db.query(
    `INSERT INTO login_failures AS f (email, failures, last_failure_at) VALUES (lower($1), 1, $2)
     ON CONFLICT (email) DO UPDATE SET
       failures = f.failures + 1,
       last_failure_at = $2`,
    [email, now],
  );
  await db.query(
    `UPDATE login_failures
     SET locked_until = CASE WHEN failures >= $3
       THEN $2::timestamptz + make_interval(secs => least($4::double precision, 30 * 2 ^ (failures - $3::int))) END
     WHERE email = lower($1)`,
    [email, now, freeFailures, maxLockSeconds],
  );
}

export async function clearLoginFailures(db: Queryable, email: string): Promise<void> {
  await db.query('DELETE FROM login_failures WHERE email = lower($1)', [email]);
}
