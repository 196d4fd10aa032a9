-- Who did what, when, from where: every state-changing call through the gateway and every
-- sign-in attempt. Append-only: rows are never changed or deleted.
CREATE TABLE audit_log (
  audit_id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  at timestamptz NOT NULL,
  -- The tenant the actor belongs to; null for platform admins, drivers and unknown callers.
  tenant_id text,
  -- The token's subject (user or machine client); for a failed sign-in, the name tried.
  actor text,
  actor_role text,
  method text NOT NULL,
  path text NOT NULL,
  status integer NOT NULL,
  outcome text NOT NULL CHECK (outcome IN ('SUCCESS', 'DENIED', 'FAILED')),
  ip text,
  user_agent text,
  request_id text
);
CREATE INDEX audit_log_tenant ON audit_log (tenant_id, audit_id DESC);
CREATE INDEX audit_log_at ON audit_log USING brin (at);

CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_log is append-only' USING ERRCODE = 'insufficient_privilege', CONSTRAINT = 'audit_log_append_only';
END $$;
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
  FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
  FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();
