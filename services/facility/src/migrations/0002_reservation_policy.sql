-- Each facility's rules for reservations: when a cancellation becomes chargeable, the fees
-- (integer minor units of the facility currency), how early or late a driver may arrive, and
-- how far ahead one may book.
ALTER TABLE facilities
  ADD COLUMN free_cancellation_minutes integer NOT NULL DEFAULT 60 CHECK (free_cancellation_minutes BETWEEN 0 AND 43200),
  ADD COLUMN cancellation_fee bigint NOT NULL DEFAULT 0 CHECK (cancellation_fee >= 0),
  ADD COLUMN no_show_fee bigint NOT NULL DEFAULT 0 CHECK (no_show_fee >= 0),
  ADD COLUMN arrival_grace_early_minutes integer NOT NULL DEFAULT 15 CHECK (arrival_grace_early_minutes BETWEEN 0 AND 240),
  ADD COLUMN arrival_grace_late_minutes integer NOT NULL DEFAULT 30 CHECK (arrival_grace_late_minutes BETWEEN 0 AND 240),
  ADD COLUMN reservation_max_advance_days integer NOT NULL DEFAULT 90 CHECK (reservation_max_advance_days BETWEEN 1 AND 730);
