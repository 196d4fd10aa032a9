/**
 * What the driver's pages read from the public API (the fields they use), and the pure rules for
 * showing it: which reservations are still ahead, what cancelling costs, which invoices are due.
 */

export type SpaceSize = 'COMPACT' | 'STANDARD' | 'LARGE';
export type VehicleType = 'CAR' | 'MOTORCYCLE' | 'TRUCK' | 'BUS';

/** GET /facilities (drivers see the active ones of every operator). */
export interface Facility {
  facility_id: string;
  name: string;
  status: string;
  address: { line1: string; city: string; postal_code: string | null; country: string };
  capacity: { compact: number; standard: number; large: number; total: number };
  timezone: string;
  currency: string;
  operating_hours: { opening_time: string | null; closing_time: string | null; operating_days: string[] };
  reservation_policy: {
    free_cancellation_minutes: number;
    cancellation_fee: number;
    no_show_fee: number;
    max_advance_days: number;
  };
}

/** GET /parking/vehicles */
export interface Vehicle {
  vehicle_id: string;
  registration_number: string;
  vehicle_type: VehicleType;
  make: string | null;
  model: string | null;
  color: string | null;
  is_electric: boolean;
  battery_capacity_kwh: number | null;
  connector_type: string | null;
  created_at: string;
}

export interface PriceEstimate {
  parking: number;
  reservation_fee: number;
  total: number;
  currency: string;
}

/** GET /reservations/availability */
export interface Availability {
  facility_id: string;
  available_spaces: number;
  next_available_time: string | null;
  pricing_estimate: PriceEstimate | null;
}

export type ReservationStatus = 'PENDING' | 'CONFIRMED' | 'CANCELLED' | 'EXPIRED' | 'FULFILLED' | 'NO_SHOW';

/** GET /reservations, POST /reservations/create */
export interface Reservation {
  reservation_id: string;
  status: ReservationStatus;
  confirmation_code: string;
  facility_id: string;
  space_id: string;
  desired_space_size: SpaceSize;
  vehicle_type: VehicleType;
  registration_number: string | null;
  start_time: string;
  end_time: string;
  arrival_window: { from: string; until: string };
  expires_at: string;
  currency: string;
  pricing_estimate: PriceEstimate | null;
  cancellation_policy: { free_until: string; cancellation_fee: number | null; no_show_fee: number | null };
  fee_charged: number | null;
  cancelled_at: string | null;
}

/** POST /reservations/{id}/confirm */
export interface Confirmation {
  reservation_id: string;
  status: 'CONFIRMED';
  confirmation_code: string;
  parking_details: {
    location: { floor: number; aisle: string; number: number };
    facility_name: string;
    arrival_window: { from: string; until: string };
  };
}

/** POST /reservations/{id}/cancel */
export interface Cancellation {
  reservation_id: string;
  status: 'CANCELLED';
  cancellation_fee: number;
  currency: string;
}

/** GET /parking/sessions */
export interface ParkingSession {
  session_id: string;
  status: 'OPEN' | 'CLOSED';
  facility_id: string;
  registration_number: string;
  reservation_id: string | null;
  entry_time: string;
  exit_time: string | null;
  duration_hours: number | null;
  charge_amount: number | null;
  currency: string;
  location: { floor: number; aisle: string; number: number };
  space_size: SpaceSize;
}

/** POST /billing/charges/calculate for an open session: what leaving now would cost. */
export interface RunningCharge {
  provisional: boolean;
  amount: number;
  currency: string;
  breakdown: { parking: number; charging: number; fees: number };
  as_of: string;
}

export type ChargingStatus = 'ACTIVE' | 'PAUSED' | 'COMPLETED' | 'INTERRUPTED';

/** GET /charging/sessions */
export interface ChargingSession {
  charging_session_id: string;
  status: ChargingStatus;
  station_id: string;
  parking_session_id: string;
  start_time: string;
  stop_time: string | null;
  target_charge_percent: number;
  state_of_charge_percent: number | null;
  energy_delivered_kwh: number;
  current_rate_kw: number | null;
  time_remaining: number;
  currency: string;
  price_per_kwh: number;
  cost_so_far: number;
  estimated_cost: number;
  total_cost: number | null;
  stop_reason: string | null;
}

export type InvoiceStatus = 'DRAFT' | 'ISSUED' | 'PAID' | 'OVERDUE' | 'CANCELLED' | 'VOID';

export interface Payment {
  payment_id: string;
  status: 'PENDING' | 'COMPLETED' | 'FAILED' | 'REFUNDED';
  confirmation_code: string | null;
  amount: number;
  refunded_amount: number;
  currency: string;
  payment_method: string;
  card_brand: string | null;
  last4: string | null;
  transaction_date: string;
}

/** GET /billing/invoices (and with `payments` from GET /billing/invoices/{id}) */
export interface Invoice {
  invoice_id: string;
  facility_id: string;
  registration_number: string | null;
  kind: string;
  parking_session_id: string | null;
  status: InvoiceStatus;
  invoice_date: string;
  issue_date: string | null;
  due_date: string | null;
  paid_date: string | null;
  currency: string;
  total_amount: number;
  amount_credited: number;
  amount_paid: number;
  amount_refunded: number;
  balance_due: number;
  line_items: { line_item_id: string; charge_type: string; description: string; total_amount: number }[];
  payments?: Payment[];
}

// --- Reservations ---------------------------------------------------------------------------------

/** A pending hold whose time ran out is over, even before the service's sweep marks it EXPIRED. */
export function effectiveStatus(r: Pick<Reservation, 'status' | 'expires_at'>, now: Date): ReservationStatus {
  if (r.status === 'PENDING' && new Date(r.expires_at).getTime() <= now.getTime()) return 'EXPIRED';
  return r.status;
}

export const reservationStatusWords: Record<ReservationStatus, string> = {
  PENDING: 'Awaiting confirmation',
  CONFIRMED: 'Confirmed',
  CANCELLED: 'Cancelled',
  EXPIRED: 'Hold ran out',
  FULFILLED: 'Used',
  NO_SHOW: 'Missed',
};

/** Whether the driver can still act on it (confirm or cancel): held or confirmed, not yet over. */
export function isUpcoming(r: Reservation, now: Date): boolean {
  const status = effectiveStatus(r, now);
  return (status === 'PENDING' || status === 'CONFIRMED') && new Date(r.end_time).getTime() > now.getTime();
}

/** Upcoming ones soonest first; the rest (used, cancelled, ran out, ended) latest first. */
export function groupReservations(
  reservations: Reservation[],
  now: Date,
): { upcoming: Reservation[]; past: Reservation[] } {
  const byStart = (a: Reservation, b: Reservation) => a.start_time.localeCompare(b.start_time);
  const upcoming = reservations.filter((r) => isUpcoming(r, now)).sort(byStart);
  const past = reservations.filter((r) => !isUpcoming(r, now)).sort((a, b) => byStart(b, a));
  return { upcoming, past };
}

/**
 * What cancelling now would cost, as the reservation service decides it: nothing while only held
 * or before the free-cancellation deadline, the agreed fee after it.
 */
export function cancellationFeeNow(r: Reservation, now: Date): number {
  if (r.status === 'PENDING') return 0;
  if (now.getTime() < new Date(r.cancellation_policy.free_until).getTime()) return 0;
  return r.cancellation_policy.cancellation_fee ?? 0;
}

// --- Invoices -------------------------------------------------------------------------------------

/** An invoice the driver can pay now. */
export function isPayable(invoice: Pick<Invoice, 'status' | 'balance_due'>): boolean {
  return (invoice.status === 'ISSUED' || invoice.status === 'OVERDUE') && invoice.balance_due > 0;
}

/** To pay: overdue first, then by due date. The others (paid, being prepared, cancelled): newest first. */
export function groupInvoices(invoices: Invoice[]): { toPay: Invoice[]; others: Invoice[] } {
  const due = (i: Invoice) => i.due_date ?? i.invoice_date;
  const toPay = invoices
    .filter(isPayable)
    .sort(
      (a, b) =>
        Number(b.status === 'OVERDUE') - Number(a.status === 'OVERDUE') || due(a).localeCompare(due(b)),
    );
  const others = invoices
    .filter((i) => !isPayable(i))
    .sort((a, b) => b.invoice_date.localeCompare(a.invoice_date) || b.invoice_id.localeCompare(a.invoice_id));
  return { toPay, others };
}

export function invoiceStatusWords(invoice: Pick<Invoice, 'status' | 'balance_due'>): string {
  switch (invoice.status) {
    case 'DRAFT':
      return 'Being prepared';
    case 'ISSUED':
      return invoice.balance_due > 0 ? 'To pay' : 'Settled';
    case 'OVERDUE':
      return 'Overdue';
    case 'PAID':
      return 'Paid';
    case 'CANCELLED':
      return 'Cancelled';
    case 'VOID':
      return 'Void';
  }
}

// --- Sizes and vehicles -----------------------------------------------------------------------------

export const sizeWords: Record<SpaceSize, string> = {
  COMPACT: 'Compact',
  STANDARD: 'Standard',
  LARGE: 'Large',
};

export const vehicleTypeWords: Record<VehicleType, string> = {
  CAR: 'Car',
  MOTORCYCLE: 'Motorcycle',
  TRUCK: 'Truck',
  BUS: 'Bus',
};

/** The space size a vehicle usually needs. */
export function sizeFor(type: VehicleType): SpaceSize {
  if (type === 'MOTORCYCLE') return 'COMPACT';
  if (type === 'TRUCK' || type === 'BUS') return 'LARGE';
  return 'STANDARD';
}

/** "Floor 0, aisle S, space 12" */
export function spaceWords(location: { floor: number; aisle: string; number: number }): string {
  return `Floor ${location.floor}, aisle ${location.aisle}, space ${location.number}`;
}

/** Facilities whose name, city, street or postcode contain every word of the search. */
export function matchFacilities(facilities: Facility[], search: string): Facility[] {
  const words = search.toLocaleLowerCase().split(/\s+/).filter(Boolean);
  if (words.length === 0) return facilities;
  return facilities.filter((f) => {
    const text = [f.name, f.address.city, f.address.line1, f.address.postal_code ?? '', f.address.country]
      .join(' ')
      .toLocaleLowerCase();
    return words.every((word) => text.includes(word));
  });
}
