import { fromMajor, newId, toMajor } from '@easypark/kernel';
import type { Emit, EventHandlers } from '@easypark/platform';
import type { ChargeOperations } from './charges.ts';
import type * as store from './store.ts';

/**
 * What the Billing service publishes: billing.charge.created, billing.invoice.issued,
 * billing.payment.received, billing.payment.refunded and billing.revenue.summary. It consumes
 * parking.vehicle.exited and charging.session.completed (the exit saga), and reservation.fulfilled,
 * .no_show and .cancelled (reservation fees and penalties).
 */

const major = (amount: number, currency: string) => toMajor({ amount, currency });

export function emitChargeCreated(emit: Emit, c: store.ChargeRow) {
  emit({
    type: 'billing.charge.created',
    subject: c.charge_id,
    tenantid: c.tenant_id,
    facilityid: c.facility_id,
    data: {
      charge_id: c.charge_id,
      customer_id: c.customer_id,
      amount: major(c.amount, c.currency),
      charge_type: c.charge_type,
      currency: c.currency,
      facility_id: c.facility_id,
      parking_session_id: c.parking_session_id,
      charging_session_id: c.charging_session_id,
      reservation_id: c.reservation_id,
      description: c.description,
    },
  });
}

export function emitInvoiceIssued(emit: Emit, i: store.InvoiceRow) {
  emit({
    type: 'billing.invoice.issued',
    subject: i.invoice_id,
    tenantid: i.tenant_id,
    facilityid: i.facility_id,
    data: {
      invoice_id: i.invoice_id,
      customer_id: i.customer_id,
      total_amount: major(i.total_amount, i.currency),
      due_date: i.due_date!,
      currency: i.currency,
      facility_id: i.facility_id,
      status: i.status,
      parking_session_id: i.parking_session_id,
    },
  });
}

export function emitPaymentReceived(emit: Emit, p: store.PaymentRow, invoice: store.InvoiceRow) {
  emit({
    type: 'billing.payment.received',
    subject: p.payment_id,
    tenantid: p.tenant_id,
    facilityid: p.facility_id,
    data: {
      payment_id: p.payment_id,
      customer_id: p.customer_id,
      amount: major(p.amount, p.currency),
      timestamp: p.transaction_date.toISOString(),
      currency: p.currency,
      invoice_id: p.invoice_id,
      facility_id: p.facility_id,
      invoice_status: invoice.status,
    },
  });
}

export function emitPaymentRefunded(emit: Emit, r: store.RefundRow, p: store.PaymentRow) {
  emit({
    type: 'billing.payment.refunded',
    subject: r.refund_id,
    tenantid: p.tenant_id,
    facilityid: p.facility_id,
    data: {
      refund_id: r.refund_id,
      payment_id: p.payment_id,
      invoice_id: p.invoice_id,
      customer_id: p.customer_id,
      facility_id: p.facility_id,
      amount: major(r.amount, r.currency),
      currency: r.currency,
      timestamp: r.updated_at.toISOString(),
    },
  });
}

const minor = (amount: number | null | undefined, currency: string | null | undefined) =>
  amount === null || amount === undefined || !currency ? 0 : fromMajor(amount, currency).amount;

export function billingEventHandlers(charges: ChargeOperations): EventHandlers {
  return {
    /** The car left: price the stay (or keep what the exit agreed), put it on the invoice, settle the visit. */
    async 'parking.vehicle.exited'(tx, event, emit) {
      const d = event.data;
      const visit = {
        parking_session_id: d.session_id,
        tenant_id: event.tenantid ?? (await charges.facilityOf(d.facility_id)).tenant_id,
        facility_id: d.facility_id,
        vehicle_id: d.vehicle_id,
        registration_number: d.registration_number,
        vehicle_type: d.vehicle_type,
        customer_id: d.customer_id,
        entry_time: d.entry_time,
        exit_time: d.exit_time,
      };
      const agreed = d.charge_amount === null ? null : minor(d.charge_amount, d.currency);
      await charges.billVisit(tx, emit, await charges.parkingCharge(visit, agreed), {
        electric: d.is_electric !== false,
      });
    },

    /** Charging ended: bill its energy (and idle time); the visit's invoice may now be complete. */
    async 'charging.session.completed'(tx, event, emit) {
      const d = event.data;
      const facts =
        d.parking_session_id &&
        d.facility_id &&
        d.currency &&
        d.price_per_kwh !== undefined &&
        d.stop_time &&
        event.tenantid
          ? {
              charging_session_id: d.charging_session_id,
              tenant_id: event.tenantid,
              facility_id: d.facility_id,
              parking_session_id: d.parking_session_id,
              customer_id: d.customer_id ?? null,
              vehicle_type: d.vehicle_type ?? null,
              energy_delivered_kwh: d.energy_delivered_kwh,
              price_per_kwh: d.price_per_kwh,
              currency: d.currency,
              start_time: d.start_time ?? d.stop_time,
              stop_time: d.stop_time,
              charging_finished_at: d.charging_finished_at ?? null,
            }
          : charges.chargingFactsOf(await charges.energyOf(d.charging_session_id));
      await charges.bill(tx, emit, await charges.chargingCharges(facts));
      await charges.settleVisit(tx, emit, facts.parking_session_id);
    },

    /** The driver parked under a reservation: its fee joins the visit's invoice. */
    async 'reservation.fulfilled'(tx, event, emit) {
      const d = event.data;
      const fee = minor(d.reservation_fee, d.currency);
      if (fee === 0 || !d.currency) return;
      const facility = await charges.facilityOf(d.facility_id);
      await charges.bill(tx, emit, [
        {
          ...charges.baseCharge({ ...facility, customer_id: d.customer_id, currency: d.currency }),
          parking_session_id: d.session_id,
          reservation_id: d.reservation_id,
          charge_type: 'RESERVATION',
          revenue_category: 'RESERVATION',
          amount: fee,
          unit_price: fee,
          description: `Reservation fee (${d.reservation_id})`,
          source_key: `reservation-fee:${d.reservation_id}`,
          occurred_at: new Date(d.arrived_at),
        },
      ]);
    },

    /** The driver did not come: the reservation fee and the no-show fee, on one invoice. */
    async 'reservation.no_show'(tx, event, emit) {
      const d = event.data;
      const facility = await charges.facilityOf(d.facility_id);
      const base = {
        ...charges.baseCharge({ ...facility, customer_id: d.customer_id, currency: d.currency }),
        reservation_id: d.reservation_id,
        occurred_at: new Date(d.start_time),
      };
      const fee = minor(d.reservation_fee, d.currency);
      const penalty = minor(d.no_show_fee, d.currency);
      await charges.bill(tx, emit, [
        ...(fee > 0
          ? [
              {
                ...base,
                charge_type: 'RESERVATION' as const,
                revenue_category: 'RESERVATION' as const,
                amount: fee,
                unit_price: fee,
                description: `Reservation fee (${d.reservation_id})`,
                source_key: `reservation-fee:${d.reservation_id}`,
              },
            ]
          : []),
        ...(penalty > 0
          ? [
              {
                ...base,
                charge_id: newId('charge'),
                charge_type: 'PENALTY' as const,
                revenue_category: 'RESERVATION' as const,
                amount: penalty,
                unit_price: penalty,
                description: `No-show fee (${d.reservation_id})`,
                source_key: `no-show:${d.reservation_id}`,
              },
            ]
          : []),
      ]);
    },

    /** Cancelled after the free-cancellation deadline: the agreed fee. */
    async 'reservation.cancelled'(tx, event, emit) {
      const d = event.data;
      const fee = minor(d.cancellation_fee, d.currency);
      if (fee === 0) return;
      const facility = await charges.facilityOf(d.facility_id);
      await charges.bill(tx, emit, [
        {
          ...charges.baseCharge({ ...facility, customer_id: d.customer_id, currency: d.currency }),
          reservation_id: d.reservation_id,
          charge_type: 'PENALTY',
          revenue_category: 'RESERVATION',
          amount: fee,
          unit_price: fee,
          description: `Late cancellation fee (${d.reservation_id})`,
          source_key: `cancellation:${d.reservation_id}`,
          occurred_at: new Date(d.cancelled_at),
        },
      ]);
    },
  };
}
