-- Idempotency keys now live in the platform's idempotent_requests table, shared by every service.
DROP TABLE idempotency_keys;
