-- Parking spaces, vehicles and parking sessions. The invariants that must survive concurrent
-- requests (one vehicle per space, one open session per vehicle, unique locations, no two
-- sessions of a space or of a vehicle overlapping in time) are constraints here, not checks
-- in application code. Capacity per size is checked under a per-facility advisory lock.
CREATE EXTENSION IF NOT EXISTS btree_gist;

CREATE TABLE parking_spaces (
  space_id text PRIMARY KEY,
  tenant_id text NOT NULL,
  facility_id text NOT NULL,
  size text NOT NULL CHECK (size IN ('COMPACT', 'STANDARD', 'LARGE')),
  status text NOT NULL DEFAULT 'AVAILABLE' CHECK (status IN ('AVAILABLE', 'OCCUPIED', 'RESERVED', 'MAINTENANCE')),
  location_floor integer NOT NULL CHECK (location_floor BETWEEN -50 AND 500),
  location_aisle text NOT NULL CHECK (length(location_aisle) BETWEEN 1 AND 20),
  location_number integer NOT NULL CHECK (location_number BETWEEN 0 AND 1000000),
  status_reason text CHECK (length(status_reason) <= 500),
  last_updated timestamptz NOT NULL DEFAULT now(),
  created_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT parking_spaces_location_unique UNIQUE (facility_id, location_floor, location_aisle, location_number)
);
CREATE INDEX parking_spaces_facility_status_size ON parking_spaces (facility_id, status, size);

-- A vehicle belongs to a tenant (registered by its staff, or created on a drive-up entry) or,
-- with tenant_id NULL, to a driver (owner_id = the driver's customer id). Plates are stored
-- normalised: upper case, without spaces or dashes.
CREATE TABLE vehicles (
  vehicle_id text PRIMARY KEY,
  tenant_id text,
  registration_number text NOT NULL
    CHECK (length(registration_number) BETWEEN 1 AND 15 AND registration_number !~ '[[:space:]-]'),
  make text CHECK (length(make) <= 100),
  model text CHECK (length(model) <= 100),
  color text CHECK (length(color) <= 50),
  vehicle_type text NOT NULL CHECK (vehicle_type IN ('CAR', 'MOTORCYCLE', 'TRUCK', 'BUS')),
  is_electric boolean NOT NULL DEFAULT false,
  battery_capacity_kwh numeric(7, 2) CHECK (battery_capacity_kwh > 0),
  owner_id text,
  created_at timestamptz NOT NULL DEFAULT now(),
  CHECK (tenant_id IS NOT NULL OR owner_id IS NOT NULL),
  CHECK (is_electric OR battery_capacity_kwh IS NULL),
  CONSTRAINT vehicles_registration_unique UNIQUE NULLS NOT DISTINCT (tenant_id, registration_number)
);
CREATE INDEX vehicles_owner ON vehicles (owner_id) WHERE owner_id IS NOT NULL;
CREATE INDEX vehicles_registration ON vehicles (registration_number);

CREATE TABLE parking_sessions (
  session_id text PRIMARY KEY,
  tenant_id text NOT NULL,
  vehicle_id text NOT NULL REFERENCES vehicles (vehicle_id),
  space_id text NOT NULL REFERENCES parking_spaces (space_id),
  facility_id text NOT NULL,
  entry_time timestamptz NOT NULL,
  exit_time timestamptz,
  duration_hours numeric(10, 2),
  charge_amount bigint CHECK (charge_amount >= 0),
  currency char(3) NOT NULL,
  customer_id text,
  reservation_id text,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CHECK (exit_time >= entry_time),
  CHECK ((exit_time IS NULL) = (duration_hours IS NULL)),
  CHECK (exit_time IS NOT NULL OR charge_amount IS NULL),
  -- Entries may be backdated (buffered at the gate); they must not overlap what is recorded.
  CONSTRAINT parking_sessions_space_no_overlap
    EXCLUDE USING gist (space_id WITH =, tstzrange(entry_time, exit_time, '[)') WITH &&),
  CONSTRAINT parking_sessions_vehicle_no_overlap
    EXCLUDE USING gist (vehicle_id WITH =, tstzrange(entry_time, exit_time, '[)') WITH &&)
);
CREATE UNIQUE INDEX parking_sessions_open_space ON parking_sessions (space_id) WHERE exit_time IS NULL;
CREATE UNIQUE INDEX parking_sessions_open_vehicle ON parking_sessions (vehicle_id) WHERE exit_time IS NULL;
CREATE INDEX parking_sessions_facility_entry ON parking_sessions (facility_id, entry_time);
CREATE INDEX parking_sessions_tenant_entry ON parking_sessions (tenant_id, entry_time);
CREATE INDEX parking_sessions_customer_entry ON parking_sessions (customer_id, entry_time) WHERE customer_id IS NOT NULL;

-- Responses of POSTs sent with an Idempotency-Key: a retry with the same key gets the first answer.
CREATE TABLE idempotency_keys (
  scope text NOT NULL,
  key text NOT NULL,
  request_hash text NOT NULL,
  status_code integer,
  response jsonb,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (scope, key)
);
CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at);
