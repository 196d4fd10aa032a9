-- Failed password sign-ins per account, shared by every gateway replica: after a few in a row
-- the account waits before it may try again, however many addresses the attempts come from.
CREATE TABLE login_failures (
  email text PRIMARY KEY,
  failures integer NOT NULL CHECK (failures > 0),
  last_failure_at timestamptz NOT NULL,
  locked_until timestamptz
);
CREATE INDEX login_failures_age ON login_failures (last_failure_at);
