-- Analytics keeps its own read model, built from events only: what it learnt of each facility,
-- the state of its spaces, visits and charging, and from those the time series (occupancy samples
-- every 5 minutes with an hourly rollup, hourly performance), alerts and daily reports.

CREATE TABLE analytics_facilities (
  facility_id text PRIMARY KEY,
  tenant_id text NOT NULL,
  name text NOT NULL,
  timezone text NOT NULL,
  currency char(3) NOT NULL,
  compact_capacity integer NOT NULL DEFAULT 0 CHECK (compact_capacity >= 0),
  standard_capacity integer NOT NULL DEFAULT 0 CHECK (standard_capacity >= 0),
  large_capacity integer NOT NULL DEFAULT 0 CHECK (large_capacity >= 0),
  occupancy_alert_threshold numeric(5, 2) NOT NULL DEFAULT 85
    CHECK (occupancy_alert_threshold BETWEEN 0 AND 100),
  -- Daily reports are written for every finished local day after this one.
  reported_through date,
  updated_at timestamptz NOT NULL
);

-- The last known status of each space that ever left AVAILABLE (a space never seen is available).
CREATE TABLE space_states (
  space_id text PRIMARY KEY,
  facility_id text NOT NULL REFERENCES analytics_facilities (facility_id),
  size text NOT NULL CHECK (size IN ('COMPACT', 'STANDARD', 'LARGE')),
  status text NOT NULL,
  changed_at timestamptz NOT NULL
);
CREATE INDEX space_states_facility ON space_states (facility_id, size) WHERE status <> 'AVAILABLE';

-- Parking visits, open and recently closed (closed ones are pruned once their day is reported).
CREATE TABLE visits (
  session_id text PRIMARY KEY,
  facility_id text NOT NULL REFERENCES analytics_facilities (facility_id),
  entry_time timestamptz NOT NULL,
  exit_time timestamptz
);
CREATE INDEX visits_open ON visits (facility_id) WHERE exit_time IS NULL;

CREATE TABLE charging_sessions (
  charging_session_id text PRIMARY KEY,
  facility_id text NOT NULL REFERENCES analytics_facilities (facility_id),
  station_id text,
  started_at timestamptz NOT NULL,
  ended_at timestamptz
);
CREATE INDEX charging_sessions_active ON charging_sessions (facility_id) WHERE ended_at IS NULL;

CREATE TABLE station_states (
  station_id text PRIMARY KEY,
  facility_id text NOT NULL REFERENCES analytics_facilities (facility_id),
  status text NOT NULL,
  changed_at timestamptz NOT NULL
);

-- One sample per facility and 5 minutes: the last value seen in the slot, and its peak.
-- Live samples come from events and a sampler that carries the value forward through quiet
-- slots; imported samples come from an operator's older system.
CREATE TABLE occupancy_metrics (
  metric_id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  facility_id text NOT NULL REFERENCES analytics_facilities (facility_id),
  timestamp timestamptz NOT NULL CHECK (extract(epoch FROM timestamp)::bigint % 300 = 0),
  occupancy_rate numeric(5, 2) NOT NULL CHECK (occupancy_rate BETWEEN 0 AND 100),
  peak_occupancy_rate numeric(5, 2) NOT NULL CHECK (peak_occupancy_rate BETWEEN 0 AND 100),
  occupied_spaces integer NOT NULL CHECK (occupied_spaces >= 0),
  capacity integer NOT NULL CHECK (capacity > 0),
  available_spaces integer NOT NULL CHECK (available_spaces >= 0),
  available_compact_spaces integer,
  available_standard_spaces integer,
  available_large_spaces integer,
  active_sessions integer,
  active_charging_sessions integer,
  source text NOT NULL CHECK (source IN ('LIVE', 'IMPORT')),
  created_at timestamptz NOT NULL,
  CHECK (peak_occupancy_rate >= occupancy_rate)
);
CREATE UNIQUE INDEX occupancy_metrics_facility_time ON occupancy_metrics (facility_id, timestamp DESC);
-- Rows arrive in time order, so a BRIN index finds a time range (retention, rollups) for almost nothing.
CREATE INDEX occupancy_metrics_time_brin ON occupancy_metrics USING brin (timestamp);

-- The hourly rollup of the samples above: history over months reads this, not the samples.
CREATE TABLE occupancy_hourly (
  facility_id text NOT NULL REFERENCES analytics_facilities (facility_id),
  hour timestamptz NOT NULL,
  samples integer NOT NULL CHECK (samples > 0),
  average_occupancy_rate numeric(5, 2) NOT NULL,
  peak_occupancy_rate numeric(5, 2) NOT NULL,
  min_available_spaces integer NOT NULL,
  average_available_spaces numeric(10, 2) NOT NULL,
  PRIMARY KEY (facility_id, hour)
);

-- Per facility and hour: traffic, stay lengths, revenue received (minor units), charging.
CREATE TABLE performance_metrics (
  metric_id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  facility_id text NOT NULL REFERENCES analytics_facilities (facility_id),
  timestamp timestamptz NOT NULL CHECK (extract(epoch FROM timestamp)::bigint % 3600 = 0),
  entries_count integer NOT NULL DEFAULT 0 CHECK (entries_count >= 0),
  exits_count integer NOT NULL DEFAULT 0 CHECK (exits_count >= 0),
  total_session_minutes numeric(14, 2) NOT NULL DEFAULT 0 CHECK (total_session_minutes >= 0),
  revenue bigint NOT NULL DEFAULT 0,
  payments_count integer NOT NULL DEFAULT 0,
  charging_sessions_count integer NOT NULL DEFAULT 0,
  energy_delivered_kwh numeric(14, 3) NOT NULL DEFAULT 0,
  peak_occupancy numeric(5, 2) NOT NULL DEFAULT 0,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL
);
CREATE UNIQUE INDEX performance_metrics_facility_time ON performance_metrics (facility_id, timestamp DESC);

-- Alert thresholds a facility's managers set; without a row the defaults apply (see domain/alerts.ts).
CREATE TABLE alert_thresholds (
  facility_id text NOT NULL REFERENCES analytics_facilities (facility_id),
  alert_type text NOT NULL CHECK (alert_type IN ('HIGH_OCCUPANCY', 'LOW_AVAILABILITY', 'HIGH_REVENUE', 'STATION_OFFLINE')),
  -- '' for the facility as a whole; the space size for LOW_AVAILABILITY.
  scope text NOT NULL DEFAULT '',
  raise_at numeric(14, 2) NOT NULL,
  clear_at numeric(14, 2) NOT NULL,
  severity text NOT NULL CHECK (severity IN ('INFO', 'WARNING', 'CRITICAL')),
  enabled boolean NOT NULL DEFAULT true,
  updated_at timestamptz NOT NULL,
  updated_by text,
  PRIMARY KEY (facility_id, alert_type, scope)
);

CREATE TABLE alerts (
  alert_id text PRIMARY KEY,
  tenant_id text NOT NULL,
  facility_id text NOT NULL REFERENCES analytics_facilities (facility_id),
  alert_type text NOT NULL CHECK (alert_type IN ('HIGH_OCCUPANCY', 'LOW_AVAILABILITY', 'HIGH_REVENUE', 'STATION_OFFLINE')),
  -- What the alert is about: '' (the facility), a space size, or a station id.
  subject text NOT NULL DEFAULT '',
  severity text NOT NULL CHECK (severity IN ('INFO', 'WARNING', 'CRITICAL')),
  threshold_value numeric(14, 2),
  current_value numeric(14, 2),
  message text NOT NULL,
  created_at timestamptz NOT NULL,
  cleared_at timestamptz,
  clear_value numeric(14, 2),
  acknowledged_at timestamptz,
  acknowledged_by text,
  CHECK (cleared_at IS NULL OR cleared_at >= created_at),
  CHECK ((acknowledged_at IS NULL) = (acknowledged_by IS NULL))
);
-- Raised once: at most one open alert per facility, type and subject.
CREATE UNIQUE INDEX alerts_one_open ON alerts (facility_id, alert_type, subject) WHERE cleared_at IS NULL;
CREATE INDEX alerts_facility_created ON alerts (facility_id, created_at DESC);

CREATE TABLE daily_reports (
  report_id text PRIMARY KEY,
  facility_id text NOT NULL REFERENCES analytics_facilities (facility_id),
  report_date date NOT NULL,
  total_transactions integer NOT NULL CHECK (total_transactions >= 0),
  total_revenue bigint NOT NULL,
  currency char(3) NOT NULL,
  average_occupancy_rate numeric(5, 2),
  peak_hour smallint CHECK (peak_hour BETWEEN 0 AND 23),
  peak_occupancy_rate numeric(5, 2),
  least_busy_hour smallint CHECK (least_busy_hour BETWEEN 0 AND 23),
  average_session_duration numeric(10, 2),
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL
);
CREATE UNIQUE INDEX daily_reports_facility_date ON daily_reports (facility_id, report_date DESC);

-- What each import took and what it skipped, for the operator who ran it.
CREATE TABLE occupancy_imports (
  import_id text PRIMARY KEY,
  facility_id text NOT NULL REFERENCES analytics_facilities (facility_id),
  imported_by text NOT NULL,
  accepted integer NOT NULL,
  skipped jsonb NOT NULL,
  first_timestamp timestamptz,
  last_timestamp timestamptz,
  created_at timestamptz NOT NULL
);
