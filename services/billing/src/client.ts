import type { ServiceClient } from '@easypark/platform';

/** The parking facts billing prices a visit from (what Parking knows at the exit). */
export interface VisitFacts {
  parking_session_id: string;
  tenant_id: string;
  facility_id: string;
  vehicle_id: string;
  registration_number: string;
  vehicle_type: string;
  customer_id: string | null;
  entry_time: string;
  exit_time: string;
}

/** The parking charge of a visit, money in major units of `currency`. */
export interface VisitQuote {
  parking_session_id: string;
  amount: number;
  currency: string;
  description: string;
}

export interface ChargeAnswer {
  charge_id: string;
  charge_type: 'PARKING' | 'CHARGING' | 'RESERVATION' | 'PENALTY';
  facility_id: string;
  customer_id: string | null;
  parking_session_id: string | null;
  charging_session_id: string | null;
  reservation_id: string | null;
  amount: number;
  discount_amount: number;
  currency: string;
  description: string;
  invoice_id: string | null;
  created_at: string;
}

/** The Billing service's contract for other services. */
export function billingClient(client: ServiceClient) {
  return {
    /** What the visit costs if it ends at `exit_time`; nothing is recorded (the exit event records it). */
    quoteVisit: (visit: VisitFacts) => client.post<VisitQuote>('/billing/internal/charges/quote', visit),
    charge: (chargeId: string) =>
      client.get<ChargeAnswer>(`/billing/internal/charges/${encodeURIComponent(chargeId)}`),
  };
}

export type BillingClient = ReturnType<typeof billingClient>;
