-- When energy last flowed into the car: the time of the last meter reading whose energy register
-- was above the one before it. Billing's idle fee runs from there (or from start_time when no
-- energy was ever delivered) to stop_time.
ALTER TABLE charging_sessions ADD COLUMN energy_increased_at timestamptz;

-- The session ended while PAUSED: the car was held back by an operator, not left idle by its driver,
-- so there is no charging-finished time to charge idling from. (A constant default: no table rewrite.)
ALTER TABLE charging_sessions ADD COLUMN ended_paused boolean NOT NULL DEFAULT false;
