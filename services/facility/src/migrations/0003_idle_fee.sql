-- EV_OPTIMIZED facilities charge for the minutes a car stays plugged in after its charging has
-- completed, beyond a grace: a fee per hour (integer minor units of the facility currency, like the
-- other money columns; null: no idle fee) and the grace in minutes.
ALTER TABLE pricing_configurations
  ADD COLUMN idle_fee_per_hour bigint CHECK (idle_fee_per_hour >= 0),
  ADD COLUMN idle_grace_minutes integer NOT NULL DEFAULT 10 CHECK (idle_grace_minutes BETWEEN 0 AND 1440);
