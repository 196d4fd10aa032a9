-- Reservations and their holds. No two active reservations of a space overlap in time: that is
-- an exclusion constraint here, so it holds under any concurrency and on every PostgreSQL we run.
CREATE EXTENSION IF NOT EXISTS btree_gist;

CREATE TABLE reservations (
  reservation_id text PRIMARY KEY,
  tenant_id text NOT NULL,
  customer_id text NOT NULL,
  facility_id text NOT NULL,
  space_id text NOT NULL,
  desired_size text NOT NULL CHECK (desired_size IN ('COMPACT', 'STANDARD', 'LARGE')),
  space_floor integer NOT NULL,
  space_aisle text NOT NULL,
  space_number integer NOT NULL,
  vehicle_type text NOT NULL CHECK (vehicle_type IN ('CAR', 'MOTORCYCLE', 'TRUCK', 'BUS')),
  registration_number text CHECK (length(registration_number) BETWEEN 1 AND 15),
  start_time timestamptz NOT NULL,
  end_time timestamptz NOT NULL,
  status text NOT NULL DEFAULT 'PENDING'
    CHECK (status IN ('PENDING', 'CONFIRMED', 'CANCELLED', 'EXPIRED', 'FULFILLED', 'NO_SHOW')),
  confirmation_code text NOT NULL UNIQUE CHECK (confirmation_code ~ '^[0-9A-HJKMNP-TV-Z]{8}$'),
  -- What the driver agreed to when booking: money in minor units of the facility currency.
  currency char(3) NOT NULL,
  estimated_parking bigint CHECK (estimated_parking >= 0),
  reservation_fee bigint NOT NULL DEFAULT 0 CHECK (reservation_fee >= 0),
  free_cancellation_until timestamptz NOT NULL,
  cancellation_fee bigint NOT NULL DEFAULT 0 CHECK (cancellation_fee >= 0),
  no_show_fee bigint NOT NULL DEFAULT 0 CHECK (no_show_fee >= 0),
  arrival_from timestamptz NOT NULL,
  arrival_until timestamptz NOT NULL,
  -- What happened.
  fee_charged bigint CHECK (fee_charged >= 0),
  cancellation_reason text CHECK (length(cancellation_reason) <= 500),
  session_id text,
  created_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL,
  confirmed_at timestamptz,
  cancelled_at timestamptz,
  expired_at timestamptz,
  fulfilled_at timestamptz,
  no_show_at timestamptz,
  updated_at timestamptz NOT NULL,
  CHECK (end_time > start_time),
  CHECK (arrival_from <= start_time AND arrival_until >= start_time AND arrival_until <= end_time),
  CHECK (expires_at > created_at),
  CHECK ((status = 'CONFIRMED') <= (confirmed_at IS NOT NULL)),
  CHECK ((status = 'CANCELLED') = (cancelled_at IS NOT NULL)),
  CHECK ((status = 'EXPIRED') = (expired_at IS NOT NULL)),
  CHECK ((status = 'FULFILLED') = (fulfilled_at IS NOT NULL)),
  CHECK ((status = 'NO_SHOW') = (no_show_at IS NOT NULL)),
  CONSTRAINT reservations_space_no_overlap EXCLUDE USING gist (
    space_id WITH =, tstzrange(start_time, end_time, '[)') WITH &&
  ) WHERE (status IN ('PENDING', 'CONFIRMED', 'FULFILLED'))
);
CREATE INDEX reservations_facility_window ON reservations (facility_id, start_time, end_time);
CREATE INDEX reservations_customer_status ON reservations (customer_id, status);
CREATE INDEX reservations_space_status_end ON reservations (space_id, status, end_time);
CREATE INDEX reservations_pending_expiry ON reservations (expires_at) WHERE status = 'PENDING';
CREATE INDEX reservations_confirmed_arrival ON reservations (arrival_until) WHERE status = 'CONFIRMED';
CREATE INDEX reservations_facility_plate ON reservations (facility_id, registration_number)
  WHERE status = 'CONFIRMED';

-- A PENDING reservation holds its space until held_until; confirming, cancelling or expiry
-- releases the hold.
CREATE TABLE reservation_holds (
  hold_id text PRIMARY KEY,
  reservation_id text NOT NULL UNIQUE REFERENCES reservations (reservation_id),
  space_id text NOT NULL,
  held_until timestamptz NOT NULL,
  created_at timestamptz NOT NULL,
  released_at timestamptz,
  release_reason text CHECK (release_reason IN ('CONFIRMED', 'CANCELLED', 'EXPIRED')),
  CHECK (held_until > created_at),
  CHECK ((released_at IS NULL) = (release_reason IS NULL))
);
CREATE INDEX reservation_holds_open ON reservation_holds (held_until) WHERE released_at IS NULL;
