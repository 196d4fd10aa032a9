/**
 * The rules of an invoice's money, pure. Amounts are integer minor units of one currency.
 *
 * - owed = total − credited: what the invoice asks for after corrections (credit notes).
 * - kept = paid − refunded: what the customer has paid and not had back.
 * - balance due = owed − kept, never negative (the database checks it too).
 * - A payment is at most the balance due; a refund at most what that payment kept; a credit note
 *   at most the balance due (a paid invoice is refunded first, then credited: the credit note then
 *   cancels the debt the refund reopened).
 */
import { allocate, type Money, multiply } from '@easypark/kernel';
import { problem } from '../errors.ts';

export interface InvoiceMoney {
  total_amount: number;
  amount_credited: number;
  amount_paid: number;
  amount_refunded: number;
}

export type SettledStatus = 'ISSUED' | 'PAID' | 'OVERDUE' | 'VOID';
export type PaymentStatus = 'NOTHING_DUE' | 'UNPAID' | 'PARTIALLY_PAID' | 'PAID';
export type RevenueCategory = 'PARKING' | 'CHARGING' | 'RESERVATION';

export const owed = (m: InvoiceMoney) => m.total_amount - m.amount_credited;
export const kept = (m: InvoiceMoney) => m.amount_paid - m.amount_refunded;
export const balanceDue = (m: InvoiceMoney) => owed(m) - kept(m);

/** The status of an issued invoice from its money and dates (`today` and `dueDate` are local YYYY-MM-DD). */
export function settledStatus(m: InvoiceMoney, dueDate: string, today: string): SettledStatus {
  if (m.total_amount > 0 && m.amount_credited === m.total_amount) return 'VOID';
  if (balanceDue(m) <= 0) return 'PAID';
  return today > dueDate ? 'OVERDUE' : 'ISSUED';
}

export function paymentStatus(m: InvoiceMoney): PaymentStatus {
  if (owed(m) === 0) return 'NOTHING_DUE';
  if (balanceDue(m) <= 0) return 'PAID';
  return kept(m) > 0 ? 'PARTIALLY_PAID' : 'UNPAID';
}

export function checkPayment(m: InvoiceMoney, status: string, amount: number): void {
  if (status === 'DRAFT') throw problem('INVOICE_NOT_ISSUED', 'A draft invoice cannot be paid yet');
  if (status === 'CANCELLED' || status === 'VOID')
    throw problem('INVOICE_CLOSED', `The invoice is ${status} and takes no payment`);
  const due = balanceDue(m);
  if (due <= 0) throw problem('INVOICE_ALREADY_PAID', 'Nothing is owed on this invoice');
  if (amount <= 0 || amount > due)
    throw problem('AMOUNT_EXCEEDS_BALANCE', 'The amount is more than the balance due', {
      balance_due_minor: due,
    });
}

export function checkRefund(
  payment: { status: string; amount: number; refunded_amount: number },
  amount: number,
) {
  if (payment.status !== 'COMPLETED')
    throw problem('PAYMENT_NOT_REFUNDABLE', `A ${payment.status} payment cannot be refunded`);
  if (amount <= 0 || amount > payment.amount - payment.refunded_amount)
    throw problem('REFUND_EXCEEDS_PAYMENT', 'A refund is at most what the payment took and kept', {
      refundable_minor: payment.amount - payment.refunded_amount,
    });
}

export function checkCredit(m: InvoiceMoney, status: string, amount: number): void {
  if (status === 'DRAFT' || status === 'CANCELLED' || status === 'VOID')
    throw problem('INVOICE_NOT_CREDITABLE', `A ${status} invoice takes no credit note`);
  if (amount <= 0 || amount > balanceDue(m))
    throw problem(
      'CREDIT_EXCEEDS_BALANCE',
      'A credit note is at most the balance due: refund a payment first',
      {
        balance_due_minor: balanceDue(m),
      },
    );
}

/**
 * How money received for an invoice splits across revenue lines, in proportion to the invoice's
 * lines, so that the parts add up to the amount exactly.
 */
export function revenueSplit(
  amount: Money,
  lines: readonly { revenue_category: RevenueCategory; total_amount: number }[],
): Record<RevenueCategory, number> {
  const categories: RevenueCategory[] = ['PARKING', 'CHARGING', 'RESERVATION'];
  const weights = categories.map((c) =>
    lines.filter((l) => l.revenue_category === c).reduce((sum, l) => sum + l.total_amount, 0),
  );
  // An invoice with no lines (or only free ones) books what it took as parking.
  const parts = allocate(amount, weights.every((w) => w === 0) ? [1, 0, 0] : weights);
  return { PARKING: parts[0]!.amount, CHARGING: parts[1]!.amount, RESERVATION: parts[2]!.amount };
}

export type LoyaltyTier = 'STANDARD' | 'SILVER' | 'GOLD' | 'PLATINUM';

/**
 * Tier by what a customer kept paying over the last 12 months in their main currency: 100, 500 and
 * 2,000 major units of a currency with cents; ×100 for currencies without (¥10,000, ¥50,000, ¥200,000).
 */
export function loyaltyTier(spent: Money, minorUnitsOfCurrency: number): LoyaltyTier {
  const unit = 10 ** minorUnitsOfCurrency * (minorUnitsOfCurrency === 0 ? 100 : 1);
  if (spent.amount >= 2000 * unit) return 'PLATINUM';
  if (spent.amount >= 500 * unit) return 'GOLD';
  if (spent.amount >= 100 * unit) return 'SILVER';
  return 'STANDARD';
}

export interface Promo {
  kind: 'PERCENTAGE' | 'FIXED';
  percent_off: number | null;
  amount_off: number | null;
  currency: string | null;
}

/** The discount a promo gives on a parking amount: never more than the amount, rounded half away from zero. */
export function promoDiscount(promo: Promo, parking: Money): number {
  if (promo.kind === 'FIXED') {
    if (promo.currency !== parking.currency) return 0;
    return Math.min(promo.amount_off ?? 0, parking.amount);
  }
  // percent_off has at most 2 decimals: work in hundredths of a percent.
  const hundredths = Math.round((promo.percent_off ?? 0) * 100);
  return Math.min(multiply(parking, hundredths, 10_000).amount, parking.amount);
}
