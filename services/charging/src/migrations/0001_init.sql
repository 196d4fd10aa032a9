-- Charging stations, their sessions, the queue of vehicles waiting for one, and each facility's
-- power limit. One open session per station and per vehicle is a unique index here, so it holds
-- under any concurrency.

CREATE TABLE charging_stations (
  station_id text PRIMARY KEY,
  tenant_id text NOT NULL,
  facility_id text NOT NULL,
  name text CHECK (length(name) BETWEEN 1 AND 100),
  charger_level text NOT NULL CHECK (charger_level IN ('LEVEL1', 'LEVEL2', 'DCFC')),
  connector_type text NOT NULL CHECK (connector_type IN ('CCS', 'TESLA', 'CHADEMO', 'J1772', 'TYPE2')),
  power_rating_kw numeric(7, 2) NOT NULL CHECK (power_rating_kw > 0 AND power_rating_kw <= 1000),
  -- What operators and drivers see; derived from the columns below by domain/stations.ts.
  status text NOT NULL DEFAULT 'OFFLINE' CHECK (status IN ('AVAILABLE', 'IN_USE', 'MAINTENANCE', 'OFFLINE')),
  in_maintenance boolean NOT NULL DEFAULT false,
  online boolean NOT NULL DEFAULT false,
  -- The connector status the station last reported over OCPP (Available, Preparing, Charging, ...).
  connector_status text,
  ocpp_password_hash text NOT NULL,
  ocpp_protocol text CHECK (ocpp_protocol IN ('ocpp1.6', 'ocpp2.0.1')),
  vendor text,
  model text,
  firmware_version text,
  last_seen_at timestamptz,
  warranty_expiry date,
  last_maintenance timestamptz,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL
);
CREATE INDEX charging_stations_facility ON charging_stations (facility_id, status);

CREATE TABLE station_maintenance (
  maintenance_id text PRIMARY KEY,
  station_id text NOT NULL REFERENCES charging_stations (station_id),
  started_at timestamptz NOT NULL,
  ended_at timestamptz,
  reason text NOT NULL CHECK (length(reason) BETWEEN 1 AND 500),
  notes text CHECK (length(notes) <= 2000),
  started_by text NOT NULL,
  ended_by text,
  CHECK (ended_at IS NULL OR ended_at >= started_at),
  CHECK ((ended_at IS NULL) = (ended_by IS NULL))
);
CREATE UNIQUE INDEX station_maintenance_one_open ON station_maintenance (station_id) WHERE ended_at IS NULL;
CREATE INDEX station_maintenance_station ON station_maintenance (station_id, started_at DESC);

-- A facility's charging site: the most power its stations may draw together.
CREATE TABLE charging_sites (
  facility_id text PRIMARY KEY,
  tenant_id text NOT NULL,
  max_power_kw numeric(8, 2) CHECK (max_power_kw > 0),
  updated_at timestamptz NOT NULL
);

-- OCPP 1.6 transaction ids are integers the central system hands out; 2.0.1 remote starts carry one too.
CREATE SEQUENCE ocpp_transaction_ids;

CREATE TABLE charging_sessions (
  charging_session_id text PRIMARY KEY,
  tenant_id text NOT NULL,
  facility_id text NOT NULL,
  parking_session_id text NOT NULL,
  station_id text NOT NULL REFERENCES charging_stations (station_id),
  vehicle_id text NOT NULL,
  customer_id text,
  registration_number text NOT NULL,
  vehicle_type text NOT NULL,
  battery_capacity_kwh numeric(7, 2) CHECK (battery_capacity_kwh > 0),
  -- How the station knows this session: the id tag it was started with and its transaction id.
  id_tag text NOT NULL CHECK (length(id_tag) BETWEEN 1 AND 20),
  remote_start_id integer,
  ocpp_transaction_id text,
  started_by text NOT NULL CHECK (started_by IN ('API', 'STATION')),
  target_charge_percent integer NOT NULL CHECK (target_charge_percent BETWEEN 1 AND 100),
  start_soc_percent numeric(5, 2) CHECK (start_soc_percent BETWEEN 0 AND 100),
  soc_percent numeric(5, 2) CHECK (soc_percent BETWEEN 0 AND 100),
  start_time timestamptz NOT NULL,
  stop_time timestamptz,
  pause_count integer NOT NULL DEFAULT 0 CHECK (pause_count >= 0),
  -- seconds
  total_pause_duration integer NOT NULL DEFAULT 0 CHECK (total_pause_duration >= 0),
  paused_at timestamptz,
  meter_start_wh bigint CHECK (meter_start_wh >= 0),
  meter_last_wh bigint CHECK (meter_last_wh >= 0),
  energy_delivered_kwh numeric(10, 3) NOT NULL DEFAULT 0 CHECK (energy_delivered_kwh >= 0),
  current_rate_kw numeric(7, 2) NOT NULL DEFAULT 0 CHECK (current_rate_kw >= 0),
  -- The power the facility's limit leaves this session (null: the station's rating).
  allocated_kw numeric(7, 2) CHECK (allocated_kw >= 0),
  -- Money in minor units of the facility currency; the price per kWh in force when charging began.
  currency char(3) NOT NULL,
  price_per_kwh bigint NOT NULL CHECK (price_per_kwh >= 0),
  cost bigint CHECK (cost >= 0),
  status text NOT NULL DEFAULT 'ACTIVE' CHECK (status IN ('ACTIVE', 'PAUSED', 'COMPLETED', 'INTERRUPTED')),
  stop_reason text CHECK (length(stop_reason) <= 200),
  stop_requested_at timestamptz,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  CHECK ((status = 'PAUSED') = (paused_at IS NOT NULL)),
  CHECK ((status IN ('COMPLETED', 'INTERRUPTED')) = (stop_time IS NOT NULL)),
  CHECK ((status IN ('COMPLETED', 'INTERRUPTED')) = (cost IS NOT NULL)),
  CHECK (stop_time IS NULL OR stop_time >= start_time)
);
CREATE INDEX charging_sessions_station_status_start ON charging_sessions (station_id, status, start_time);
CREATE INDEX charging_sessions_vehicle_status ON charging_sessions (vehicle_id, status);
CREATE INDEX charging_sessions_parking_session ON charging_sessions (parking_session_id);
CREATE INDEX charging_sessions_facility_open ON charging_sessions (facility_id) WHERE status IN ('ACTIVE', 'PAUSED');
CREATE UNIQUE INDEX charging_sessions_one_per_station ON charging_sessions (station_id)
  WHERE status IN ('ACTIVE', 'PAUSED');
CREATE UNIQUE INDEX charging_sessions_one_per_vehicle ON charging_sessions (vehicle_id)
  WHERE status IN ('ACTIVE', 'PAUSED');
CREATE UNIQUE INDEX charging_sessions_transaction ON charging_sessions (station_id, ocpp_transaction_id)
  WHERE ocpp_transaction_id IS NOT NULL;

CREATE TABLE charging_queue (
  queue_id text PRIMARY KEY,
  tenant_id text NOT NULL,
  facility_id text NOT NULL,
  vehicle_id text NOT NULL,
  parking_session_id text NOT NULL,
  customer_id text,
  connector_type text NOT NULL CHECK (connector_type IN ('CCS', 'TESLA', 'CHADEMO', 'J1772', 'TYPE2')),
  arrival_time timestamptz NOT NULL,
  desired_capacity_kwh numeric(7, 2) CHECK (desired_capacity_kwh > 0),
  -- minutes, as last computed
  estimated_wait_time integer CHECK (estimated_wait_time >= 0),
  status text NOT NULL DEFAULT 'WAITING' CHECK (status IN ('WAITING', 'CHARGING', 'COMPLETED', 'CANCELLED')),
  -- A freed station offered to this vehicle, held for it until offer_expires_at.
  offered_station_id text REFERENCES charging_stations (station_id),
  offer_expires_at timestamptz,
  charging_session_id text REFERENCES charging_sessions (charging_session_id),
  cancel_reason text CHECK (length(cancel_reason) <= 200),
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  CHECK ((offered_station_id IS NULL) = (offer_expires_at IS NULL))
);
CREATE UNIQUE INDEX charging_queue_one_per_vehicle ON charging_queue (vehicle_id) WHERE status = 'WAITING';
CREATE INDEX charging_queue_facility_waiting ON charging_queue (facility_id, arrival_time) WHERE status = 'WAITING';
CREATE UNIQUE INDEX charging_queue_one_offer_per_station ON charging_queue (offered_station_id)
  WHERE status = 'WAITING' AND offered_station_id IS NOT NULL;
