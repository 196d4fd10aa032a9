/**
 * Money in and out of an invoice: payments through the processor, refunds, credit notes.
 *
 * A payment is recorded PENDING (holding its amount against the balance) before the processor is
 * asked, and settled after, so a crash in between leaves a visible PENDING row and never money taken
 * without a record. The processor call carries the payment id as its idempotency key: a retry that
 * finds the payment still pending asks again and gets the same answer.
 */
import { localParts, money, newId, type Principal } from '@easypark/kernel';
import type { ServiceRuntime, Tx } from '@easypark/platform';
import {
  checkCredit,
  checkPayment,
  checkRefund,
  type InvoiceMoney,
  revenueSplit,
  settledStatus,
} from './domain/ledger.ts';
import { emitPaymentReceived, emitPaymentRefunded } from './events.ts';
import type { PaymentProcessor } from './payments/processor.ts';
import * as store from './store.ts';

export function paymentOperations(runtime: ServiceRuntime, processor: PaymentProcessor) {
  const { pool, clock } = runtime;

  /**
   * After money moved on an issued invoice: its new amounts and status and, for money received
   * (negative: given back), the facility's revenue for the local day, split by what it paid for.
   */
  async function moneyMoved(
    tx: Tx,
    invoice: store.InvoiceRow,
    m: InvoiceMoney,
    received: { amount: number; transactions: number } | null,
    now: Date,
  ): Promise<store.InvoiceRow> {
    const facility = (await store.findFacility(tx, invoice.facility_id))!;
    const today = localParts(now, facility.timezone).date;
    const status = settledStatus(m, invoice.due_date!, today);
    const updated = await store.setInvoiceState(
      tx,
      invoice.invoice_id,
      {
        amount_paid: m.amount_paid,
        amount_refunded: m.amount_refunded,
        amount_credited: m.amount_credited,
        status,
        paid_date: status === 'PAID' ? (invoice.paid_date ?? now) : null,
      },
      now,
    );
    if (received) {
      const split = revenueSplit(
        money(received.amount, invoice.currency),
        await store.linesOf(tx, [invoice.invoice_id]),
      );
      await store.addRevenue(
        tx,
        {
          summary_id: newId('revenueSummary'),
          facility_id: invoice.facility_id,
          tenant_id: invoice.tenant_id,
          report_date: today,
          currency: invoice.currency,
          parking: split.PARKING,
          charging: split.CHARGING,
          reservation: split.RESERVATION,
          transactions: received.transactions,
        },
        now,
      );
    }
    return updated;
  }

  /** Step 1: hold the amount against the invoice as a PENDING payment. */
  async function startPayment(
    tx: Tx,
    principal: Principal,
    invoice: store.InvoiceRow,
    request: { amount: number; payment_method: store.PaymentMethod },
  ): Promise<string> {
    const locked = (await store.lockInvoice(tx, invoice.invoice_id))!;
    const pending = await store.pendingPaymentTotal(tx, locked.invoice_id);
    checkPayment({ ...locked, amount_paid: locked.amount_paid + pending }, locked.status, request.amount);
    const paymentId = newId('payment');
    await store.insertPayment(
      tx,
      {
        payment_id: paymentId,
        invoice_id: locked.invoice_id,
        tenant_id: locked.tenant_id,
        facility_id: locked.facility_id,
        customer_id: locked.customer_id,
        amount: request.amount,
        currency: locked.currency,
        payment_method: request.payment_method,
        processor: processor.name,
        created_by: principal.sub,
      },
      clock.now(),
    );
    return paymentId;
  }

  /** Step 2 and 3: ask the processor, then settle the payment and the invoice. */
  async function completePayment(paymentId: string, token: string): Promise<store.PaymentRow> {
    const payment = (await store.findPayment(pool, paymentId))!;
    if (payment.status !== 'PENDING') return payment;
    const result = await processor.charge({
      amount: payment.amount,
      currency: payment.currency,
      token,
      idempotency_key: payment.payment_id,
      description: `EasyParkPlus invoice ${payment.invoice_id}`,
    });
    return runtime.transaction(async (tx, emit) => {
      const now = clock.now();
      const invoice = (await store.lockInvoice(tx, payment.invoice_id))!;
      const outcome =
        result.outcome === 'succeeded'
          ? {
              status: 'COMPLETED' as const,
              payment_processor_id: result.processor_id,
              card_brand: result.card_brand,
              last4: result.last4,
              failure_code: null,
              failure_message: null,
              confirmation_code: confirmationCode(),
            }
          : {
              status: 'FAILED' as const,
              payment_processor_id: null,
              card_brand: null,
              last4: null,
              failure_code: result.outcome === 'declined' ? result.decline_code : 'processing_error',
              failure_message: result.message,
              confirmation_code: null,
            };
      const settled = await store.settlePayment(tx, paymentId, outcome, now);
      if (!settled) return (await store.findPayment(tx, paymentId))!;
      if (settled.status === 'COMPLETED') {
        const updated = await moneyMoved(
          tx,
          invoice,
          { ...invoice, amount_paid: invoice.amount_paid + settled.amount },
          { amount: settled.amount, transactions: 1 },
          now,
        );
        emitPaymentReceived(emit, settled, updated);
      }
      return settled;
    });
  }

  /** Step 1 of a refund: hold it against the payment as PENDING (at most what the payment kept). */
  async function startRefund(
    tx: Tx,
    principal: Principal,
    payment: store.PaymentRow,
    request: { amount: number; reason: string },
  ): Promise<string> {
    await store.lockInvoice(tx, payment.invoice_id);
    const locked = (await store.lockPayment(tx, payment.payment_id))!;
    const pending = await store.pendingRefundTotal(tx, locked.payment_id);
    checkRefund({ ...locked, refunded_amount: locked.refunded_amount + pending }, request.amount);
    const refundId = newId('refund');
    await store.insertRefund(
      tx,
      {
        refund_id: refundId,
        payment_id: locked.payment_id,
        invoice_id: locked.invoice_id,
        amount: request.amount,
        currency: locked.currency,
        reason: request.reason,
        created_by: principal.sub,
      },
      clock.now(),
    );
    return refundId;
  }

  /** Steps 2 and 3: the processor gives the money back; the invoice owes it again until a credit note. */
  async function completeRefund(refundId: string): Promise<store.RefundRow> {
    const refund = (await store.findRefund(pool, refundId))!;
    if (refund.status !== 'PENDING') return refund;
    const payment = (await store.findPayment(pool, refund.payment_id))!;
    const result = await processor.refund({
      processor_id: payment.payment_processor_id!,
      amount: refund.amount,
      currency: refund.currency,
      idempotency_key: refund.refund_id,
    });
    return runtime.transaction(async (tx, emit) => {
      const now = clock.now();
      const invoice = (await store.lockInvoice(tx, payment.invoice_id))!;
      const settled = await store.settleRefund(
        tx,
        refundId,
        result.outcome === 'succeeded'
          ? { status: 'COMPLETED', processor_refund_id: result.processor_id, failure_message: null }
          : { status: 'FAILED', processor_refund_id: null, failure_message: result.message },
        now,
      );
      if (!settled) return (await store.findRefund(tx, refundId))!;
      if (settled.status === 'COMPLETED') {
        const updatedPayment = await store.addRefunded(tx, payment.payment_id, settled.amount, now);
        await moneyMoved(
          tx,
          invoice,
          { ...invoice, amount_refunded: invoice.amount_refunded + settled.amount },
          { amount: -settled.amount, transactions: 0 },
          now,
        );
        emitPaymentRefunded(emit, settled, updatedPayment);
      }
      return settled;
    });
  }

  /** A credit note lowers what an issued invoice asks for; crediting all of it voids the invoice. */
  async function credit(
    tx: Tx,
    principal: Principal,
    invoiceId: string,
    request: { amount: number; reason: string },
  ): Promise<{ invoice: store.InvoiceRow; note: store.CreditNoteRow }> {
    const now = clock.now();
    const invoice = (await store.lockInvoice(tx, invoiceId))!;
    const pending = await store.pendingPaymentTotal(tx, invoiceId);
    checkCredit({ ...invoice, amount_paid: invoice.amount_paid + pending }, invoice.status, request.amount);
    const note: store.CreditNoteRow = {
      credit_note_id: newId('creditNote'),
      invoice_id: invoiceId,
      amount: request.amount,
      currency: invoice.currency,
      reason: request.reason,
      created_by: principal.sub,
      created_at: now,
    };
    await store.insertCreditNote(tx, note);
    const updated = await moneyMoved(
      tx,
      invoice,
      { ...invoice, amount_credited: invoice.amount_credited + request.amount },
      null,
      now,
    );
    return { invoice: updated, note };
  }

  return { startPayment, completePayment, startRefund, completeRefund, credit };
}

/** What a driver reads out to support: short, unambiguous, no 0/O or 1/I. */
function confirmationCode(): string {
  const alphabet = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';
  const bytes = crypto.getRandomValues(new Uint8Array(10));
  return `PAY-${Array.from(bytes, (b) => alphabet[b % alphabet.length]).join('')}`;
}

export type PaymentOperations = ReturnType<typeof paymentOperations>;
