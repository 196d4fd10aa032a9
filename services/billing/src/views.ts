import { toMajor } from '@easypark/kernel';
import { balanceDue, paymentStatus } from './domain/ledger.ts';
import type * as store from './store.ts';

// Rows to API shape: money as decimals in major units beside `currency`, times in ISO UTC.

const major = (amount: number, currency: string) => toMajor({ amount, currency });
const iso = (d: Date | null) => (d ? d.toISOString() : null);

export function lineView(l: store.LineRow, currency: string) {
  return {
    line_item_id: l.line_item_id,
    charge_id: l.charge_id,
    charge_type: l.charge_type,
    description: l.description,
    quantity: l.quantity,
    unit_price: major(l.unit_price, currency),
    total_amount: major(l.total_amount, currency),
  };
}

export function invoiceView(i: store.InvoiceRow, lines: store.LineRow[]) {
  const c = i.currency;
  return {
    invoice_id: i.invoice_id,
    customer_id: i.customer_id,
    facility_id: i.facility_id,
    registration_number: i.registration_number,
    kind: i.kind,
    parking_session_id: i.parking_session_id,
    period_month: i.period_month?.slice(0, 7) ?? null,
    status: i.status,
    payment_status: i.status === 'DRAFT' || i.status === 'CANCELLED' ? 'NOT_DUE' : paymentStatus(i),
    invoice_date: i.invoice_date,
    issue_date: iso(i.issue_date),
    due_date: i.due_date,
    paid_date: iso(i.paid_date),
    currency: c,
    total_amount: major(i.total_amount, c),
    amount_credited: major(i.amount_credited, c),
    amount_paid: major(i.amount_paid, c),
    amount_refunded: major(i.amount_refunded, c),
    balance_due: i.status === 'DRAFT' || i.status === 'CANCELLED' ? 0 : major(balanceDue(i), c),
    line_items: lines.filter((l) => l.invoice_id === i.invoice_id).map((l) => lineView(l, c)),
    created_at: i.created_at.toISOString(),
    updated_at: i.updated_at.toISOString(),
  };
}

export function paymentView(p: store.PaymentRow) {
  return {
    payment_id: p.payment_id,
    invoice_id: p.invoice_id,
    status: p.status,
    confirmation_code: p.confirmation_code,
    amount: major(p.amount, p.currency),
    refunded_amount: major(p.refunded_amount, p.currency),
    currency: p.currency,
    payment_method: p.payment_method,
    card_brand: p.card_brand,
    last4: p.last4,
    failure_code: p.failure_code,
    failure_message: p.failure_message,
    transaction_date: p.transaction_date.toISOString(),
  };
}

export function creditNoteView(c: store.CreditNoteRow) {
  return {
    credit_note_id: c.credit_note_id,
    invoice_id: c.invoice_id,
    amount: major(c.amount, c.currency),
    currency: c.currency,
    reason: c.reason,
    created_by: c.created_by,
    created_at: c.created_at.toISOString(),
  };
}

export function refundView(r: store.RefundRow) {
  return {
    refund_id: r.refund_id,
    payment_id: r.payment_id,
    invoice_id: r.invoice_id,
    amount: major(r.amount, r.currency),
    currency: r.currency,
    reason: r.reason,
    status: r.status,
    failure_message: r.failure_message,
    created_at: r.created_at.toISOString(),
  };
}

export function chargeView(c: store.ChargeRow, invoiceId: string | null) {
  return {
    charge_id: c.charge_id,
    charge_type: c.charge_type,
    facility_id: c.facility_id,
    customer_id: c.customer_id,
    parking_session_id: c.parking_session_id,
    charging_session_id: c.charging_session_id,
    reservation_id: c.reservation_id,
    amount: major(c.amount, c.currency),
    discount_amount: major(c.discount_amount, c.currency),
    currency: c.currency,
    description: c.description,
    invoice_id: invoiceId,
    created_at: c.created_at.toISOString(),
  };
}

export function permitView(p: store.PermitRow) {
  return {
    permit_id: p.permit_id,
    facility_id: p.facility_id,
    customer_id: p.customer_id,
    registration_number: p.registration_number,
    valid_from: p.valid_from.toISOString(),
    valid_until: p.valid_until.toISOString(),
    charge_id: p.charge_id,
    status: p.status,
    created_at: p.created_at.toISOString(),
  };
}

export function promoView(p: store.PromoRow) {
  return {
    promo_id: p.promo_id,
    code: p.code,
    facility_id: p.facility_id,
    kind: p.kind,
    percent_off: p.percent_off,
    amount_off: p.amount_off === null || p.currency === null ? null : major(p.amount_off, p.currency),
    currency: p.currency,
    valid_from: p.valid_from.toISOString(),
    valid_until: p.valid_until.toISOString(),
    max_uses: p.max_uses,
    used_count: p.used_count,
    active: p.active,
    created_at: p.created_at.toISOString(),
  };
}
