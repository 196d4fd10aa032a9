import type { ServiceClient } from '@easypark/platform';

export type SpaceSize = 'COMPACT' | 'STANDARD' | 'LARGE';
export type SpaceStatus = 'AVAILABLE' | 'OCCUPIED' | 'RESERVED' | 'MAINTENANCE';
export type VehicleType = 'CAR' | 'MOTORCYCLE' | 'TRUCK' | 'BUS';
export type ConnectorType = 'CCS' | 'TESLA' | 'CHADEMO' | 'J1772' | 'TYPE2';

/**
 * A parking session as billing and charging see it (GET /parking/internal/sessions/{id} and
 * GET /parking/internal/facilities/{id}/open-sessions?registration_number=).
 */
export interface ParkingSession {
  session_id: string;
  status: 'OPEN' | 'CLOSED';
  tenant_id: string;
  facility_id: string;
  space_id: string;
  space_size: SpaceSize;
  location: { floor: number; aisle: string; number: number };
  vehicle_id: string;
  registration_number: string;
  vehicle_type: VehicleType;
  is_electric: boolean;
  battery_capacity_kwh: number | null;
  /** the vehicle's charging inlet; null when unknown (always for vehicles that are not electric) */
  connector_type: ConnectorType | null;
  customer_id: string | null;
  reservation_id: string | null;
  entry_time: string;
  exit_time: string | null;
  duration_hours: number | null;
  /** major units of `currency`; null until the exit records it */
  charge_amount: number | null;
  currency: string;
  created_at: string;
  updated_at: string;
}

export interface SpaceStatusAnswer {
  space_id: string;
  facility_id: string;
  tenant_id: string;
  size: SpaceSize;
  status: SpaceStatus;
  last_updated: string;
}

/** A space as the Reservation service sees it (GET /parking/internal/facilities/{id}/spaces). */
export interface FacilitySpace {
  space_id: string;
  size: SpaceSize;
  status: SpaceStatus;
  location: { floor: number; aisle: string; number: number };
}

export interface SessionValidation extends ParkingSession {
  valid: boolean;
  reason: 'SESSION_CLOSED' | 'VEHICLE_MISMATCH' | null;
}

/** The Parking service's contract for other services. Unknown ids throw SESSION_NOT_FOUND / SPACE_NOT_FOUND. */
export function parkingClient(client: ServiceClient) {
  return {
    session: (sessionId: string) =>
      client.get<ParkingSession>(`/parking/internal/sessions/${encodeURIComponent(sessionId)}`),
    spaceStatus: (spaceId: string) =>
      client.get<SpaceStatusAnswer>(`/parking/internal/spaces/${encodeURIComponent(spaceId)}/status`),
    /** Every space of a facility (optionally of one size), ordered by location. */
    facilitySpaces: (facilityId: string, size?: SpaceSize) =>
      client.get<FacilitySpace[]>(
        `/parking/internal/facilities/${encodeURIComponent(facilityId)}/spaces`,
        size ? { size } : undefined,
      ),
    /**
     * The open session of the vehicle with this plate (any spelling: it is normalised) in the
     * facility. None: SESSION_NOT_FOUND; an impossible plate: INVALID_REGISTRATION.
     */
    openSessionByPlate: (facilityId: string, registrationNumber: string) =>
      client.get<ParkingSession>(
        `/parking/internal/facilities/${encodeURIComponent(facilityId)}/open-sessions`,
        {
          registration_number: registrationNumber,
        },
      ),
    validateSession: (sessionId: string, vehicleId?: string) =>
      client.post<SessionValidation>(
        `/parking/internal/sessions/${encodeURIComponent(sessionId)}/validate`,
        vehicleId === undefined ? {} : { vehicle_id: vehicleId },
      ),
  };
}

export type ParkingClient = ReturnType<typeof parkingClient>;
