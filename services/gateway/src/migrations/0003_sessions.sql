-- A sign-in with a password opens a session: its access tokens carry its id, and its refresh
-- tokens (stored hashed, each usable once) renew them until it expires or is signed out.
CREATE TABLE auth_sessions (
  session_id text PRIMARY KEY,
  user_id text NOT NULL REFERENCES users (user_id),
  created_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL,
  revoked_at timestamptz,
  revoked_reason text CHECK (revoked_reason IN ('SIGNED_OUT', 'REFRESH_TOKEN_REUSED')),
  CHECK ((revoked_at IS NULL) = (revoked_reason IS NULL))
);
CREATE INDEX auth_sessions_user ON auth_sessions (user_id);

CREATE TABLE refresh_tokens (
  token_hash text PRIMARY KEY,
  session_id text NOT NULL REFERENCES auth_sessions (session_id),
  issued_at timestamptz NOT NULL,
  used_at timestamptz
);
CREATE INDEX refresh_tokens_session ON refresh_tokens (session_id);
