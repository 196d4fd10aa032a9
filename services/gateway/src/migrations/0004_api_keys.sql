-- API keys for machines (gate controllers, display boards, payment terminals): each is bound to
-- one facility of its tenant and a set of permissions. The key is shown once; only its SHA-256 is
-- kept (a key is 32 random bytes, so a fast hash is enough: there is nothing to guess).
CREATE TABLE api_keys (
  key_id text PRIMARY KEY,
  tenant_id text NOT NULL,
  facility_id text NOT NULL,
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  permissions text[] NOT NULL CHECK (
    cardinality(permissions) > 0
    AND permissions <@ ARRAY['entries:record', 'exits:record', 'occupancy:read', 'invoices:pay', 'validations:create']
  ),
  key_hash text NOT NULL UNIQUE,
  key_prefix text NOT NULL,
  created_by text NOT NULL,
  created_at timestamptz NOT NULL,
  expires_at timestamptz,
  revoked_at timestamptz,
  last_used_at timestamptz,
  CHECK (expires_at IS NULL OR expires_at > created_at)
);
CREATE INDEX api_keys_tenant ON api_keys (tenant_id, created_at);
