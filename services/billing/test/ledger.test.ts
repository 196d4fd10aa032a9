import { AppError, allocate, money } from '@easypark/kernel';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  balanceDue,
  checkCredit,
  checkPayment,
  checkRefund,
  type InvoiceMoney,
  loyaltyTier,
  paymentStatus,
  promoDiscount,
  revenueSplit,
  settledStatus,
} from '../src/domain/ledger.ts';

const refused = (work: () => void): string | null => {
  try {
    work();
    return null;
  } catch (error) {
    if (error instanceof AppError) return error.code;
    throw error;
  }
};

const invoice = (total: number, paid = 0, refunded = 0, credited = 0): InvoiceMoney => ({
  total_amount: total,
  amount_paid: paid,
  amount_refunded: refunded,
  amount_credited: credited,
});

describe('an invoice’s money', () => {
  it('owes its total less credit notes, less what was paid and kept', () => {
    expect(balanceDue(invoice(1000, 300, 100, 200))).toBe(600);
    expect(paymentStatus(invoice(1000))).toBe('UNPAID');
    expect(paymentStatus(invoice(1000, 400))).toBe('PARTIALLY_PAID');
    expect(paymentStatus(invoice(1000, 1000))).toBe('PAID');
    expect(paymentStatus(invoice(0))).toBe('NOTHING_DUE');
  });

  it('settles to PAID, VOID, OVERDUE or ISSUED', () => {
    expect(settledStatus(invoice(1000, 1000), '2026-01-10', '2026-01-20')).toBe('PAID');
    expect(settledStatus(invoice(1000, 0, 0, 1000), '2026-01-10', '2026-01-20')).toBe('VOID');
    expect(settledStatus(invoice(1000, 500), '2026-01-10', '2026-01-11')).toBe('OVERDUE');
    expect(settledStatus(invoice(1000, 500), '2026-01-10', '2026-01-10')).toBe('ISSUED');
    expect(settledStatus(invoice(0), '2026-01-10', '2026-01-20')).toBe('PAID');
  });

  it('takes no payment above the balance, none on drafts, none on void invoices', () => {
    expect(refused(() => checkPayment(invoice(1000, 600), 'ISSUED', 401))).toBe('AMOUNT_EXCEEDS_BALANCE');
    expect(refused(() => checkPayment(invoice(1000, 600), 'ISSUED', 400))).toBeNull();
    expect(refused(() => checkPayment(invoice(1000), 'DRAFT', 100))).toBe('INVOICE_NOT_ISSUED');
    expect(refused(() => checkPayment(invoice(1000, 0, 0, 1000), 'VOID', 1))).toBe('INVOICE_CLOSED');
    expect(refused(() => checkPayment(invoice(1000, 1000), 'PAID', 1))).toBe('INVOICE_ALREADY_PAID');
    expect(refused(() => checkPayment(invoice(1000), 'ISSUED', 0))).toBe('AMOUNT_EXCEEDS_BALANCE');
  });

  it('refunds at most what a payment kept; credits at most the balance due', () => {
    const payment = { status: 'COMPLETED', amount: 500, refunded_amount: 200 };
    expect(refused(() => checkRefund(payment, 301))).toBe('REFUND_EXCEEDS_PAYMENT');
    expect(refused(() => checkRefund(payment, 300))).toBeNull();
    expect(refused(() => checkRefund({ ...payment, status: 'FAILED' }, 1))).toBe('PAYMENT_NOT_REFUNDABLE');
    expect(refused(() => checkCredit(invoice(1000, 1000), 'PAID', 1))).toBe('CREDIT_EXCEEDS_BALANCE');
    expect(refused(() => checkCredit(invoice(1000, 1000, 300), 'ISSUED', 300))).toBeNull();
    expect(refused(() => checkCredit(invoice(1000), 'DRAFT', 1))).toBe('INVOICE_NOT_CREDITABLE');
  });

  it('discounts by percentage (rounded half away from zero) or a fixed amount, never below zero', () => {
    const percent = { kind: 'PERCENTAGE' as const, percent_off: 12.5, amount_off: null, currency: null };
    expect(promoDiscount(percent, money(1004, 'GBP'))).toBe(126); // 125.5 → 126
    expect(promoDiscount({ ...percent, percent_off: 100 }, money(1004, 'GBP'))).toBe(1004);
    const fixed = { kind: 'FIXED' as const, percent_off: null, amount_off: 500, currency: 'JPY' };
    expect(promoDiscount(fixed, money(300, 'JPY'))).toBe(300);
    expect(promoDiscount(fixed, money(3000, 'JPY'))).toBe(500);
    expect(promoDiscount(fixed, money(3000, 'GBP'))).toBe(0);
  });

  it('ranks loyalty by spend, scaled for currencies without minor units', () => {
    expect(loyaltyTier(money(9_999, 'GBP'), 2)).toBe('STANDARD');
    expect(loyaltyTier(money(10_000, 'GBP'), 2)).toBe('SILVER');
    expect(loyaltyTier(money(50_000, 'GBP'), 2)).toBe('GOLD');
    expect(loyaltyTier(money(200_000, 'GBP'), 2)).toBe('PLATINUM');
    expect(loyaltyTier(money(9_999, 'JPY'), 0)).toBe('STANDARD');
    expect(loyaltyTier(money(10_000, 'JPY'), 0)).toBe('SILVER');
  });
});

const currencies = fc.constantFrom('GBP', 'JPY', 'EUR', 'KWD', 'USD');

describe('properties of splitting money', () => {
  it('allocate never loses or invents a minor unit, and stays within one unit of the exact share', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -10_000_000, max: 10_000_000 }),
        fc.array(fc.integer({ min: 0, max: 1_000_000 }), { minLength: 1, maxLength: 12 }),
        currencies,
        (amount, weights, currency) => {
          const parts = allocate(money(amount, currency), weights);
          expect(parts.reduce((sum, p) => sum + p.amount, 0)).toBe(amount);
          const total = weights.reduce((a, b) => a + b, 0);
          parts.forEach((part, i) => {
            const exact = total === 0 ? amount / weights.length : (amount * weights[i]!) / total;
            expect(Math.abs(part.amount - exact)).toBeLessThan(1);
            expect(part.currency).toBe(currency);
          });
        },
      ),
      { seed: 20261124, numRuns: 500 },
    );
  });

  it('a payment split into revenue lines adds up to the payment', () => {
    const category = fc.constantFrom('PARKING' as const, 'CHARGING' as const, 'RESERVATION' as const);
    fc.assert(
      fc.property(
        fc.integer({ min: -5_000_000, max: 5_000_000 }),
        fc.array(
          fc.record({ revenue_category: category, total_amount: fc.integer({ min: 0, max: 100_000 }) }),
          {
            maxLength: 8,
          },
        ),
        (amount, lines) => {
          const split = revenueSplit(money(amount, 'GBP'), lines);
          expect(split.PARKING + split.CHARGING + split.RESERVATION).toBe(amount);
        },
      ),
      { seed: 20261124, numRuns: 500 },
    );
  });

  it('an invoice paid in any number of parts is paid exactly, to the minor unit', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 10_000_000 }),
        fc.array(fc.integer({ min: 1, max: 100 }), { minLength: 1, maxLength: 10 }),
        (total, weights) => {
          let m = invoice(total);
          for (const part of allocate(money(total, 'JPY'), weights)) {
            if (part.amount === 0) continue;
            checkPayment(m, 'ISSUED', part.amount);
            m = { ...m, amount_paid: m.amount_paid + part.amount };
          }
          expect(balanceDue(m)).toBe(0);
          expect(paymentStatus(m)).toBe('PAID');
        },
      ),
      { seed: 20261124, numRuns: 300 },
    );
  });
});

describe('properties of an invoice’s history', () => {
  type Step =
    | { kind: 'pay'; amount: number }
    | { kind: 'refund'; payment: number; amount: number }
    | { kind: 'credit'; amount: number };
  const step: fc.Arbitrary<Step> = fc.oneof(
    fc.record({ kind: fc.constant('pay' as const), amount: fc.integer({ min: -10, max: 20_000 }) }),
    fc.record({
      kind: fc.constant('refund' as const),
      payment: fc.nat(20),
      amount: fc.integer({ min: -10, max: 20_000 }),
    }),
    fc.record({ kind: fc.constant('credit' as const), amount: fc.integer({ min: -10, max: 20_000 }) }),
  );

  it('whatever is tried, refunds never exceed payments and payments never exceed what is owed', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 30_000 }), fc.array(step, { maxLength: 40 }), (total, steps) => {
        let m = invoice(total);
        const payments: { status: string; amount: number; refunded_amount: number }[] = [];
        for (const s of steps) {
          const status = m.total_amount > 0 && m.amount_credited === m.total_amount ? 'VOID' : 'ISSUED';
          if (s.kind === 'pay') {
            if (refused(() => checkPayment(m, status, s.amount)) !== null) continue;
            payments.push({ status: 'COMPLETED', amount: s.amount, refunded_amount: 0 });
            m = { ...m, amount_paid: m.amount_paid + s.amount };
          } else if (s.kind === 'refund') {
            const payment = payments[s.payment % Math.max(payments.length, 1)];
            if (!payment || refused(() => checkRefund(payment, s.amount)) !== null) continue;
            payment.refunded_amount += s.amount;
            m = { ...m, amount_refunded: m.amount_refunded + s.amount };
          } else {
            if (refused(() => checkCredit(m, status, s.amount)) !== null) continue;
            m = { ...m, amount_credited: m.amount_credited + s.amount };
          }
          for (const p of payments) expect(p.refunded_amount).toBeLessThanOrEqual(p.amount);
          expect(m.amount_refunded).toBeLessThanOrEqual(m.amount_paid);
          expect(m.amount_paid - m.amount_refunded).toBeLessThanOrEqual(m.total_amount - m.amount_credited);
          expect(m.amount_credited).toBeLessThanOrEqual(m.total_amount);
          expect(balanceDue(m)).toBeGreaterThanOrEqual(0);
        }
      }),
      { seed: 20261124, numRuns: 400 },
    );
  });
});
