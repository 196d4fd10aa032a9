-- Answers to POSTs sent with an Idempotency-Key, so a retry with the same key gets the first
-- answer. Kept a day (see forgetOldRequests).
CREATE TABLE idempotent_requests (
  scope text NOT NULL,
  key text NOT NULL,
  request_hash text NOT NULL,
  status_code integer,
  response jsonb,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (scope, key)
);
CREATE INDEX idempotent_requests_created ON idempotent_requests (created_at);
