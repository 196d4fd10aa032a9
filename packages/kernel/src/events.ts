import { newId } from './ids.ts';

/**
 * CloudEvents 1.0 envelope with the extensions the platform relies on.
 * `data` payloads use the seed's field names; services may add fields, never rename them.
 */
export interface EventEnvelope<T = unknown> {
  specversion: '1.0';
  id: string;
  source: string;
  type: string;
  time: string;
  subject?: string;
  datacontenttype: 'application/json';
  data: T;
  tenantid?: string;
  facilityid?: string;
  traceparent?: string;
}

type SpaceSize = 'COMPACT' | 'STANDARD' | 'LARGE';

/** Every event the seed names, with its payload. The key is the CloudEvents `type`. */
export interface EventCatalog {
  'parking.vehicle.entered': {
    vehicle_id: string;
    space_id: string;
    facility_id: string;
    session_id: string;
    registration_number: string;
    vehicle_type: string;
    space_size: SpaceSize;
    customer_id: string | null;
    reservation_id?: string | null;
    timestamp: string;
    /** Occupied spaces in the facility just after this entry, as Parking counted them. */
    occupied_spaces?: number | null;
  };
  'parking.vehicle.exited': {
    vehicle_id: string;
    space_id: string;
    session_id: string;
    facility_id: string;
    registration_number: string;
    vehicle_type: string;
    /** A car that is not electric cannot have charged: billing need not ask Charging. */
    is_electric?: boolean;
    customer_id: string | null;
    entry_time: string;
    exit_time: string;
    duration_hours: number;
    charge_amount: number | null;
    currency: string | null;
    timestamp: string;
  };
  'parking.space.occupied': { space_id: string; facility_id: string; size: SpaceSize; timestamp: string };
  'parking.space.released': { space_id: string; facility_id: string; size: SpaceSize; timestamp: string };
  /**
   * Spaces registered in a facility (one event per registration, of one space or a row).
   * `total_spaces` counts the facility's spaces after it, so a reader can tell it knows them all.
   */
  'parking.spaces.added': {
    facility_id: string;
    spaces: Array<{
      space_id: string;
      size: SpaceSize;
      location: { floor: number; aisle: string; number: number };
    }>;
    total_spaces: number;
    timestamp: string;
  };
  'parking.space.status.changed': {
    space_id: string;
    facility_id: string;
    size: SpaceSize;
    previous_status: string;
    current_status: string;
    reason: string | null;
    timestamp: string;
  };
  'parking.occupancy.threshold': {
    facility_id: string;
    occupancy_rate: number;
    threshold: number;
    direction: 'UP' | 'DOWN';
    occupied_spaces: number;
    available_spaces: number;
    timestamp: string;
  };
  'reservation.created': {
    reservation_id: string;
    customer_id: string;
    facility_id: string;
    start_time: string;
    end_time: string;
    space_id: string;
    desired_space_size: SpaceSize;
    expires_at: string;
  };
  /** The space is now booked for the window: Parking shows it RESERVED during it. */
  'reservation.confirmed': {
    reservation_id: string;
    space_id: string;
    confirmation_code: string;
    facility_id: string;
    customer_id: string;
    start_time: string;
    end_time: string;
    registration_number: string | null;
    /** The driver may arrive from arrival_from until arrival_until (start ± the facility's grace). */
    arrival_from: string;
    arrival_until: string;
  };
  'reservation.cancelled': {
    reservation_id: string;
    reason: string | null;
    facility_id: string;
    space_id: string;
    customer_id: string;
    cancellation_fee: number;
    currency: string;
    cancelled_at: string;
  };
  /** A hold that ran out before anyone confirmed it. */
  'reservation.expired': {
    reservation_id: string;
    facility_id: string;
    space_id: string;
    expired_at: string;
  };
  /** A confirmed reservation whose driver did not arrive by start + grace; the space is free again. */
  'reservation.no_show': {
    reservation_id: string;
    facility_id: string;
    space_id: string;
    customer_id: string;
    no_show_fee: number;
    currency: string;
    start_time: string;
    /** major units of `currency`: the booking fee agreed with the reservation */
    reservation_fee?: number;
  };
  /** The driver arrived and parked under the reservation. */
  'reservation.fulfilled': {
    reservation_id: string;
    facility_id: string;
    space_id: string;
    customer_id: string;
    session_id: string;
    arrived_at: string;
    /** major units of `currency`: the booking fee agreed with the reservation */
    reservation_fee?: number;
    currency?: string;
  };
  'charging.session.started': {
    charging_session_id: string;
    vehicle_id: string;
    station_id: string;
    start_time: string;
    facility_id?: string;
    parking_session_id?: string;
    customer_id?: string | null;
    started_by?: 'API' | 'STATION';
  };
  'charging.session.updated': {
    charging_session_id: string;
    energy_delivered_kwh: number;
    current_rate_kw: number;
    station_id?: string;
    facility_id?: string;
    soc_percent?: number | null;
  };
  /** Also sent for an INTERRUPTED session (its station dropped): the energy delivered is billed. */
  'charging.session.completed': {
    charging_session_id: string;
    energy_delivered_kwh: number;
    /** major units of `currency` */
    total_cost: number;
    currency?: string;
    status?: 'COMPLETED' | 'INTERRUPTED';
    price_per_kwh?: number;
    vehicle_id?: string;
    station_id?: string;
    facility_id?: string;
    parking_session_id?: string;
    customer_id?: string | null;
    start_time?: string;
    stop_time?: string;
    /**
     * When the car stopped drawing energy (the last rise of the meter, else start_time): idling runs
     * from here to stop_time. Null when the session ended PAUSED. Absent from older producers.
     */
    charging_finished_at?: string | null;
    vehicle_type?: string;
    stop_reason?: string | null;
  };
  'charging.station.status.changed': {
    station_id: string;
    facility_id: string;
    previous_status: string;
    current_status: string;
    timestamp?: string;
  };
  /** queue_position 0: a station is held for the vehicle (station_id) until offer_expires_at. */
  'charging.queue.position.changed': {
    vehicle_id: string;
    queue_position: number;
    estimated_wait_time: number | null;
    queue_id?: string;
    facility_id?: string;
    station_id?: string | null;
    offer_expires_at?: string | null;
  };
  'facility.registered': {
    facility_id: string;
    tenant_id: string;
    name: string;
    capacity: { compact: number; standard: number; large: number; total: number };
    timezone: string;
    currency: string;
    occupancy_alert_threshold?: number;
  };
  /** `changed` names the fields the request changed; the rest is the facility as it now is. */
  'facility.updated': {
    facility_id: string;
    tenant_id: string;
    changed: string[];
    name?: string;
    status?: string;
    capacity?: { compact: number; standard: number; large: number; total: number };
    occupancy_alert_threshold?: number;
  };
  'facility.pricing.updated': {
    facility_id: string;
    config_id: string;
    vehicle_type: string;
    effective_from: string;
  };
  'facility.capacity.threshold': { facility_id: string; occupancy_rate: number; available_spaces: number };
  'facility.operations.summary': {
    facility_id: string;
    total_transactions: number;
    revenue: number;
    date: string;
  };
  'billing.charge.created': {
    charge_id: string;
    customer_id: string | null;
    /** major units of `currency` */
    amount: number;
    charge_type: string;
    currency?: string;
    facility_id?: string;
    parking_session_id?: string | null;
    charging_session_id?: string | null;
    reservation_id?: string | null;
    description?: string;
  };
  /** customer_id is null for a drive-up visit (billed to the vehicle, paid at the facility). */
  'billing.invoice.issued': {
    invoice_id: string;
    customer_id: string | null;
    total_amount: number;
    due_date: string;
    currency?: string;
    facility_id?: string;
    status?: string;
    parking_session_id?: string | null;
  };
  'billing.payment.received': {
    payment_id: string;
    customer_id: string | null;
    amount: number;
    timestamp: string;
    currency?: string;
    invoice_id?: string;
    facility_id?: string;
    invoice_status?: string;
  };
  /** Money given back on a payment (not in the seed; analytics needs it to keep revenue right). */
  'billing.payment.refunded': {
    refund_id: string;
    payment_id: string;
    invoice_id: string;
    customer_id: string | null;
    facility_id: string;
    amount: number;
    currency: string;
    timestamp: string;
  };
  'billing.revenue.summary': {
    facility_id: string;
    report_date: string;
    total_revenue: number;
    currency?: string;
    transaction_count?: number;
  };
}

export type EventType = keyof EventCatalog;

export const eventTypes = [
  'parking.vehicle.entered',
  'parking.vehicle.exited',
  'parking.space.occupied',
  'parking.space.released',
  'parking.spaces.added',
  'parking.space.status.changed',
  'parking.occupancy.threshold',
  'reservation.created',
  'reservation.confirmed',
  'reservation.cancelled',
  'reservation.expired',
  'reservation.no_show',
  'reservation.fulfilled',
  'charging.session.started',
  'charging.session.updated',
  'charging.session.completed',
  'charging.station.status.changed',
  'charging.queue.position.changed',
  'facility.registered',
  'facility.updated',
  'facility.pricing.updated',
  'facility.capacity.threshold',
  'facility.operations.summary',
  'billing.charge.created',
  'billing.invoice.issued',
  'billing.payment.received',
  'billing.payment.refunded',
  'billing.revenue.summary',
] as const satisfies readonly EventType[];

export type TypedEvent<K extends EventType> = EventEnvelope<EventCatalog[K]> & { type: K };

export interface NewEvent<K extends EventType> {
  type: K;
  data: EventCatalog[K];
  subject?: string;
  tenantid?: string;
  facilityid?: string;
  traceparent?: string;
  time?: Date;
}

/** Wraps a payload in its envelope. `source` is the publishing service, e.g. `/services/parking`. */
export function makeEvent<K extends EventType>(source: string, event: NewEvent<K>): TypedEvent<K> {
  const envelope: TypedEvent<K> = {
    specversion: '1.0',
    id: newId('event'),
    source,
    type: event.type,
    time: (event.time ?? new Date()).toISOString(),
    datacontenttype: 'application/json',
    data: event.data,
  };
  if (event.subject !== undefined) envelope.subject = event.subject;
  if (event.tenantid !== undefined) envelope.tenantid = event.tenantid;
  if (event.facilityid !== undefined) envelope.facilityid = event.facilityid;
  if (event.traceparent !== undefined) envelope.traceparent = event.traceparent;
  return envelope;
}
