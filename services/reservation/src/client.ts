import type { ServiceClient } from '@easypark/platform';

export type SpaceSize = 'COMPACT' | 'STANDARD' | 'LARGE';

/** A reservation the driver may park under now (POST /reservations/internal/validate-arrival). */
export interface ArrivalAnswer {
  valid: true;
  reservation_id: string;
  facility_id: string;
  space_id: string;
  customer_id: string;
  desired_space_size: SpaceSize;
  registration_number: string | null;
  start_time: string;
  end_time: string;
  /** The driver may arrive from arrival_from to arrival_until (start ± the facility's grace). */
  arrival_from: string;
  arrival_until: string;
}

export interface ArrivalQuery {
  facility_id: string;
  /** The code the driver shows, or the plate a camera read: at least one. */
  confirmation_code?: string;
  registration_number?: string;
  /** Defaults to now. */
  at?: string;
}

export interface SpaceWindows {
  space_id: string;
  size: SpaceSize;
  /** Free stretches of [from, to) not taken by an active reservation. */
  available: { start_time: string; end_time: string }[];
  reserved: { reservation_id: string; start_time: string; end_time: string }[];
}

export interface AvailableWindows {
  facility_id: string;
  from: string;
  to: string;
  spaces: SpaceWindows[];
}

/**
 * The Reservation service's contract for other services. validateArrival throws the problem
 * the driver should see: RESERVATION_NOT_FOUND (404), RESERVATION_NOT_CONFIRMED,
 * ARRIVAL_TOO_EARLY, ARRIVAL_TOO_LATE (409).
 */
export function reservationClient(client: ServiceClient) {
  return {
    validateArrival: (query: ArrivalQuery) =>
      client.post<ArrivalAnswer>('/reservations/internal/validate-arrival', query),
    availableWindows: (facilityId: string, range: { from: string; to: string; size?: SpaceSize }) =>
      client.get<AvailableWindows>(
        `/reservations/internal/facility/${encodeURIComponent(facilityId)}/available-windows`,
        range,
      ),
  };
}
