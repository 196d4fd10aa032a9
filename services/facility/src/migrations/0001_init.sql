-- Tenants (parking companies) and their facilities, prices and daily operations.
CREATE EXTENSION IF NOT EXISTS btree_gist;

CREATE TABLE tenants (
  tenant_id text PRIMARY KEY,
  name text NOT NULL,
  status text NOT NULL DEFAULT 'ACTIVE' CHECK (status IN ('ACTIVE', 'SUSPENDED')),
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX tenants_name ON tenants (lower(name));

CREATE TABLE facilities (
  facility_id text PRIMARY KEY,
  tenant_id text NOT NULL REFERENCES tenants (tenant_id),
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  address_line1 text NOT NULL,
  city text NOT NULL,
  state text,
  postal_code text,
  country char(2) NOT NULL,
  latitude double precision CHECK (latitude BETWEEN -90 AND 90),
  longitude double precision CHECK (longitude BETWEEN -180 AND 180),
  compact_spaces_count integer NOT NULL CHECK (compact_spaces_count >= 0),
  standard_spaces_count integer NOT NULL CHECK (standard_spaces_count >= 0),
  large_spaces_count integer NOT NULL CHECK (large_spaces_count >= 0),
  total_capacity integer GENERATED ALWAYS AS (compact_spaces_count + standard_spaces_count + large_spaces_count) STORED,
  charging_stations_count integer NOT NULL DEFAULT 0 CHECK (charging_stations_count >= 0),
  pricing_strategy text NOT NULL CHECK (pricing_strategy IN ('BASIC', 'PEAK_HOUR', 'SUBSCRIPTION', 'EV_OPTIMIZED')),
  timezone text NOT NULL,
  currency char(3) NOT NULL,
  opening_time time,
  closing_time time,
  operating_days text[] NOT NULL DEFAULT '{MON,TUE,WED,THU,FRI,SAT,SUN}',
  occupancy_alert_threshold numeric(5, 2) NOT NULL DEFAULT 90 CHECK (occupancy_alert_threshold BETWEEN 0 AND 100),
  status text NOT NULL DEFAULT 'ACTIVE' CHECK (status IN ('ACTIVE', 'INACTIVE', 'MAINTENANCE')),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CHECK ((opening_time IS NULL) = (closing_time IS NULL)),
  CHECK (total_capacity > 0)
);
CREATE INDEX facilities_tenant_status ON facilities (tenant_id, status);
CREATE UNIQUE INDEX facilities_tenant_name ON facilities (tenant_id, lower(name));

-- A price period runs from effective_from up to (not including) effective_to; periods of one
-- facility and vehicle type never overlap, so the price at any instant is unambiguous.
CREATE TABLE pricing_configurations (
  config_id text PRIMARY KEY,
  facility_id text NOT NULL REFERENCES facilities (facility_id),
  vehicle_type text NOT NULL CHECK (vehicle_type IN ('CAR', 'MOTORCYCLE', 'TRUCK', 'BUS')),
  hourly_rate bigint NOT NULL CHECK (hourly_rate >= 0),
  daily_max bigint CHECK (daily_max >= 0),
  monthly_rate bigint CHECK (monthly_rate >= 0),
  peak_hour_multiplier numeric(6, 3) NOT NULL DEFAULT 1 CHECK (peak_hour_multiplier > 0),
  night_rate_multiplier numeric(6, 3) NOT NULL DEFAULT 1 CHECK (night_rate_multiplier > 0),
  peak_start_time time,
  peak_end_time time,
  night_start_time time,
  night_end_time time,
  ev_charging_rate_per_kwh bigint CHECK (ev_charging_rate_per_kwh >= 0),
  reservation_fee bigint NOT NULL DEFAULT 0 CHECK (reservation_fee >= 0),
  billing_increment_minutes integer NOT NULL DEFAULT 60 CHECK (billing_increment_minutes BETWEEN 1 AND 1440),
  grace_period_minutes integer NOT NULL DEFAULT 0 CHECK (grace_period_minutes BETWEEN 0 AND 1440),
  effective_from timestamptz NOT NULL,
  effective_to timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  created_by text,
  CHECK (effective_to IS NULL OR effective_to > effective_from),
  CHECK ((peak_start_time IS NULL) = (peak_end_time IS NULL)),
  CHECK ((night_start_time IS NULL) = (night_end_time IS NULL)),
  CONSTRAINT pricing_no_overlap EXCLUDE USING gist (
    facility_id WITH =, vehicle_type WITH =, tstzrange(effective_from, effective_to, '[)') WITH &&
  )
);
CREATE INDEX pricing_facility_effective ON pricing_configurations (facility_id, effective_from, effective_to);

-- Built from parking events: one row per facility and local calendar day.
CREATE TABLE facility_operations (
  operation_id text PRIMARY KEY,
  facility_id text NOT NULL REFERENCES facilities (facility_id),
  operation_date date NOT NULL,
  total_entries integer NOT NULL DEFAULT 0,
  total_exits integer NOT NULL DEFAULT 0,
  total_duration_hours numeric(14, 2) NOT NULL DEFAULT 0,
  revenue_generated bigint NOT NULL DEFAULT 0,
  entries_by_hour integer[] NOT NULL DEFAULT array_fill(0, ARRAY[24]),
  peak_occupied integer NOT NULL DEFAULT 0,
  peak_hour smallint,
  summary_published_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (facility_id, operation_date)
);

-- Vehicles currently parked per facility, from entered/exited events (for status and peaks).
CREATE TABLE facility_live (
  facility_id text PRIMARY KEY REFERENCES facilities (facility_id),
  occupied integer NOT NULL DEFAULT 0,
  above_threshold boolean NOT NULL DEFAULT false,
  updated_at timestamptz NOT NULL DEFAULT now()
);
