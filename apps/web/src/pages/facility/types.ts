/** What the public API answers to the facility page: the fields the page reads. */

export type SpaceSize = 'COMPACT' | 'STANDARD' | 'LARGE';
export type SpaceStatus = 'AVAILABLE' | 'OCCUPIED' | 'RESERVED' | 'MAINTENANCE';
export const spaceSizes: readonly SpaceSize[] = ['COMPACT', 'STANDARD', 'LARGE'];

/** GET /facilities/{id} */
export interface Facility {
  facility_id: string;
  name: string;
  status: 'ACTIVE' | 'INACTIVE' | 'MAINTENANCE';
  address: { line1: string; city: string; postal_code: string | null; country: string };
  capacity: { compact: number; standard: number; large: number; total: number };
  charging_stations_count: number;
  pricing_strategy: 'BASIC' | 'PEAK_HOUR' | 'SUBSCRIPTION' | 'EV_OPTIMIZED';
  timezone: string;
  currency: string;
}

/** GET /parking/spaces/{facility_id} */
export interface Space {
  space_id: string;
  facility_id: string;
  size: SpaceSize;
  status: SpaceStatus;
  location: { floor: number; aisle: string; number: number };
  status_reason: string | null;
  last_updated: string;
}

/** GET /parking/occupancy/{facility_id} */
export interface ParkingOccupancy {
  total_spaces: number;
  occupied_spaces: number;
  available_spaces: number;
  reserved_spaces: number;
  maintenance_spaces: number;
  occupancy_rate: number;
  timestamp: string;
}

/** GET /parking/sessions?facility_id= */
export interface ParkingSession {
  session_id: string;
  status: 'OPEN' | 'CLOSED';
  registration_number: string;
  vehicle_type: string;
  entry_time: string;
  exit_time: string | null;
  duration_hours: number | null;
  charge_amount: number | null;
  currency: string;
  location: { floor: number; aisle: string; number: number };
  space_size: SpaceSize;
}

/** GET /facilities/{id}/operations-summary */
export interface OperationsSummary {
  start_date: string;
  end_date: string;
  currency: string;
  total_transactions: number;
  total_entries: number;
  total_revenue: number;
  average_session_duration: number;
  peak_hours_analysis: { entries_by_hour: number[] };
}

export type ChargerLevel = 'LEVEL1' | 'LEVEL2' | 'DCFC';
export const chargerLevels: readonly ChargerLevel[] = ['LEVEL1', 'LEVEL2', 'DCFC'];
export const connectorTypes = ['CCS', 'TYPE2', 'CHADEMO', 'J1772', 'TESLA'] as const;
export type StationStatus = 'AVAILABLE' | 'IN_USE' | 'MAINTENANCE' | 'OFFLINE';

/** GET /charging/stations/{facility_id} */
export interface Station {
  station_id: string;
  name: string | null;
  charger_level: ChargerLevel;
  connector_type: string;
  power_rating_kw: number;
  status: StationStatus;
  connected: boolean;
  current_session_id: string | null;
  last_seen_at: string | null;
  last_maintenance: string | null;
}

/** POST /charging/stations */
export interface RegisteredStation extends Station {
  ocpp_password: string;
  ocpp_url: string;
  ocpp_identity: string;
}

/** GET /charging/sessions?facility_id=&status= */
export interface ChargingSession {
  charging_session_id: string;
  status: 'ACTIVE' | 'PAUSED' | 'COMPLETED' | 'INTERRUPTED';
  station_id: string;
  energy_delivered_kwh: number;
  current_rate_kw: number | null;
  state_of_charge_percent: number | null;
  target_charge_percent: number;
  time_remaining: number;
}

/** GET /charging/facilities/{id}/power-limit */
export interface PowerLimit {
  max_power_kw: number | null;
  allocated_kw: number;
}

/** GET /analytics/occupancy/{id}/history (HOURLY) */
export interface HistoryPoint {
  timestamp: string;
  occupancy_rate: number;
  peak_occupancy_rate: number;
}

/** GET /analytics/forecast/{id} */
export interface Forecast {
  model: { interval_level: number; backtest_coverage: number | null };
  forecast_points: ForecastPoint[];
}
export interface ForecastPoint {
  timestamp: string;
  predicted_occupancy: number;
  lower_occupancy: number;
  upper_occupancy: number;
}

/** GET /analytics/peak-hours/{id} */
export interface PeakHour {
  day_of_week: string;
  hour: number;
  label: string;
  average_occupancy_rate: number;
}
export interface PeakHours {
  peak_hours: PeakHour[];
  least_busy_hours: PeakHour[];
  peak_occupancy: { occupancy_rate: number; day_of_week: string; hour: number } | null;
  seasonal_patterns: { by_hour: { hour: number; average_occupancy_rate: number }[] };
}

/** GET /billing/revenue-summary/{id} */
export interface RevenueRow {
  date: string;
  currency: string;
  parking_revenue: number;
  charging_revenue: number;
  reservation_revenue: number;
  total_revenue: number;
  transaction_count: number;
}

/** GET /reservations?facility_id= */
export interface Reservation {
  reservation_id: string;
  status: 'PENDING' | 'CONFIRMED' | 'CANCELLED' | 'EXPIRED' | 'FULFILLED' | 'NO_SHOW';
  confirmation_code: string;
  space_id: string | null;
  desired_space_size: SpaceSize;
  vehicle_type: string;
  registration_number: string | null;
  start_time: string;
  end_time: string;
}

/** GET /analytics/alerts/{id} */
export interface Alert {
  alert_id: string;
  alert_type: 'HIGH_OCCUPANCY' | 'LOW_AVAILABILITY' | 'HIGH_REVENUE' | 'STATION_OFFLINE';
  subject: string | null;
  message: string;
  severity: 'INFO' | 'WARNING' | 'CRITICAL';
  threshold_value: number;
  current_value: number;
  created_at: string;
  active: boolean;
  cleared_at: string | null;
  acknowledged: boolean;
  acknowledged_at: string | null;
}

export const vehicleTypes = ['CAR', 'MOTORCYCLE', 'TRUCK', 'BUS'] as const;
export type VehicleType = (typeof vehicleTypes)[number];

/** GET /facilities/{id}/pricing: one price period of one vehicle type. */
export interface PricingConfig {
  config_id: string;
  vehicle_type: VehicleType;
  hourly_rate: number;
  daily_max: number | null;
  monthly_rate: number | null;
  peak_hour_multiplier: number;
  night_rate_multiplier: number;
  peak_start_time: string | null;
  peak_end_time: string | null;
  night_start_time: string | null;
  night_end_time: string | null;
  ev_charging_rate_per_kwh: number | null;
  reservation_fee: number;
  billing_increment_minutes: number;
  grace_period_minutes: number;
  idle_fee_per_hour: number | null;
  idle_grace_minutes: number;
  currency: string;
  effective_from: string;
  effective_to: string | null;
}
