import type { ServiceClient } from '@easypark/platform';

/** What billing needs to know about a charging session. Money in major units of `currency`. */
export interface EnergyAnswer {
  charging_session_id: string;
  status: 'ACTIVE' | 'PAUSED' | 'COMPLETED' | 'INTERRUPTED';
  tenant_id: string;
  facility_id: string;
  station_id: string;
  vehicle_id: string;
  customer_id: string | null;
  parking_session_id: string;
  start_time: string;
  stop_time: string | null;
  /**
   * When the car stopped drawing energy (the last rise of the meter; start_time if none was
   * delivered), for an idle fee up to stop_time. Null while open, and when it ended PAUSED.
   */
  charging_finished_at: string | null;
  /** the vehicle type billing prices idle time for */
  vehicle_type: string;
  energy_delivered_kwh: number;
  meter_start_wh: number | null;
  meter_stop_wh: number | null;
  currency: string;
  price_per_kwh: number;
  total_cost: number | null;
}

export interface ChargingValidation extends EnergyAnswer {
  valid: boolean;
  reason: 'STILL_CHARGING' | 'PARKING_SESSION_MISMATCH' | null;
}

/** The Charging service's contract for other services. Unknown ids throw CHARGING_SESSION_NOT_FOUND. */
export function chargingClient(client: ServiceClient) {
  return {
    validate: (chargingSessionId: string, parkingSessionId?: string) =>
      client.post<ChargingValidation>('/charging/internal/sessions/validate', {
        charging_session_id: chargingSessionId,
        ...(parkingSessionId ? { parking_session_id: parkingSessionId } : {}),
      }),
    energy: (chargingSessionId: string) =>
      client.get<EnergyAnswer>(`/charging/internal/sessions/${encodeURIComponent(chargingSessionId)}/energy`),
    sessionsOfParkingSession: (parkingSessionId: string) =>
      client.get<EnergyAnswer[]>(
        `/charging/internal/parking-sessions/${encodeURIComponent(parkingSessionId)}/sessions`,
      ),
  };
}

export type ChargingClient = ReturnType<typeof chargingClient>;
