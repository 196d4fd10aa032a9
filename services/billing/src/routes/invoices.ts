import { facilityClient } from '@easypark/facility/client';
import { idPatternFor, normalisePlate, type Principal, toMajor } from '@easypark/kernel';
import {
  type App,
  decodeCursor,
  isIdCursor,
  oncePerKey,
  pageQuery,
  paginate,
  type ServiceRuntime,
  Type,
} from '@easypark/platform';
import { canSeeBilling, tenantScope } from '../access.ts';
import type { ChargeOperations } from '../charges.ts';
import { renderInvoiceHtml } from '../domain/invoice-html.ts';
import { balanceDue } from '../domain/ledger.ts';
import { problem } from '../errors.ts';
import { looksLikeCardNumber } from '../payments/processor.ts';
import type { PaymentOperations } from '../payments.ts';
import * as store from '../store.ts';
import { creditNoteView, invoiceView, paymentView } from '../views.ts';
import { Amount, IdempotencyHeaders, InvoiceId, LocalDate, minorOf } from './schemas.ts';

const tags = ['Invoices'];
const Status = Type.Enum(['DRAFT', 'ISSUED', 'PAID', 'OVERDUE', 'CANCELLED', 'VOID'], { type: 'string' });
const CustomerOrInvoice = Type.String({
  pattern: `${idPatternFor('customer')}|${idPatternFor('invoice')}`,
  description: 'A customer id (cus_…: their invoices) or an invoice id (inv_…: that invoice)',
});

const PayBody = Type.Object(
  {
    payment_method: Type.Enum(['CREDIT_CARD', 'DEBIT_CARD', 'DIGITAL_WALLET'], { type: 'string' }),
    amount: Type.Optional(Amount('Default: the balance due')),
    payment_token: Type.String({
      minLength: 1,
      maxLength: 100,
      description:
        'A token from the payment processor, never a card number. Sandbox: tok_visa succeeds, tok_chargeDeclined ' +
        'is declined, tok_processingError fails transiently.',
    }),
  },
  { additionalProperties: false },
);

export function invoiceRoutes(
  app: App,
  runtime: ServiceRuntime,
  charges: ChargeOperations,
  payments: PaymentOperations,
) {
  const { pool } = runtime;
  const facilities = facilityClient(runtime.client('facility'));

  async function invoiceOr404(principal: Principal, invoiceId: string) {
    const invoice = await store.findInvoice(pool, invoiceId);
    if (!invoice || !canSeeBilling(principal, invoice))
      throw problem('INVOICE_NOT_FOUND', `There is no invoice ${invoiceId}`);
    return invoice;
  }

  async function detail(invoice: store.InvoiceRow) {
    const [lines, notes, paid] = await Promise.all([
      store.linesOf(pool, [invoice.invoice_id]),
      store.creditNotesOf(pool, invoice.invoice_id),
      store.paymentsOf(pool, invoice.invoice_id),
    ]);
    return {
      ...invoiceView(invoice, lines),
      credit_notes: notes.map(creditNoteView),
      payments: paid.map(paymentView),
    };
  }

  async function list(
    request: Parameters<typeof paginate>[0] & { query: ListQuery },
    reply: Parameters<typeof paginate>[1],
    scope: Omit<store.InvoiceFilter, 'limit'>,
  ) {
    const q = request.query;
    const limit = q.limit ?? 100;
    const rows = await store.listInvoices(pool, {
      ...scope,
      ...(q.status ? { status: q.status } : {}),
      ...(q.from_date ? { fromDate: q.from_date } : {}),
      ...(q.to_date ? { toDate: q.to_date } : {}),
      ...(q.cursor ? { after: decodeCursor(q.cursor, isIdCursor) } : {}),
      limit: limit + 1,
    });
    const page = paginate(request, reply, rows, limit, (r) => r.invoice_id);
    const lines = await store.linesOf(
      pool,
      page.map((i) => i.invoice_id),
    );
    return page.map((i) => invoiceView(i, lines));
  }

  const listQuery = {
    status: Type.Optional(Status),
    from_date: Type.Optional(LocalDate('Invoices dated on or after (facility-local date)')),
    to_date: Type.Optional(LocalDate('Invoices dated on or before')),
    ...pageQuery,
  };
  type ListQuery = {
    status?: store.InvoiceStatus;
    from_date?: string;
    to_date?: string;
    limit?: number;
    cursor?: string;
  };

  app.get(
    '/billing/v1/invoices',
    {
      schema: {
        tags,
        summary: 'Invoices of the tenant, newest first',
        description: 'Staff list their tenant’s invoices, drive-up visits included; drivers get their own.',
        querystring: Type.Object({
          facility_id: Type.Optional(Type.String({ pattern: idPatternFor('facility') })),
          customer_id: Type.Optional(Type.String({ pattern: idPatternFor('customer') })),
          registration_number: Type.Optional(Type.String({ minLength: 1, maxLength: 20 })),
          ...listQuery,
        }),
      },
    },
    async (request, reply) => {
      const principal = request.principal!;
      const q = request.query;
      const tenantId = principal.role === 'driver' ? undefined : tenantScope(principal);
      return list(request, reply, {
        ...(principal.role === 'driver' ? { customerId: principal.customer_id ?? '-' } : {}),
        ...(tenantId ? { tenantId } : {}),
        ...(q.facility_id ? { facilityId: q.facility_id } : {}),
        ...(q.customer_id && principal.role !== 'driver' ? { customerId: q.customer_id } : {}),
        ...(q.registration_number ? { registrationNumber: normalisePlate(q.registration_number) } : {}),
      });
    },
  );

  app.get(
    '/billing/v1/invoices/:id',
    {
      schema: {
        tags,
        summary: 'A customer’s invoices, or one invoice',
        description:
          'With a customer id (cus_…): that customer’s invoices, newest first, filtered by status and invoice date. ' +
          'With an invoice id (inv_…): the invoice with its lines, credit notes and payments.',
        params: Type.Object({ id: CustomerOrInvoice }),
        querystring: Type.Object(listQuery),
      },
    },
    async (request, reply) => {
      const principal = request.principal!;
      const id = request.params.id;
      if (id.startsWith('inv_')) return detail(await invoiceOr404(principal, id));
      // A driver asking for someone else's invoices sees none, as if that customer had none.
      if (principal.role === 'driver' && principal.customer_id !== id) return [];
      const tenantId = principal.role === 'driver' ? undefined : tenantScope(principal);
      // An API key (a payment terminal) sees the customer's invoices of visits to its facility only.
      const facilityId = principal.role === 'api_key' ? (principal.facility_id ?? '-') : undefined;
      return list(request, reply, {
        customerId: id,
        ...(tenantId ? { tenantId } : {}),
        ...(facilityId ? { facilityId } : {}),
      });
    },
  );

  app.get(
    '/billing/v1/invoices/:invoice_id/print',
    {
      schema: {
        tags,
        summary: 'The invoice as a printable HTML page',
        params: Type.Object({ invoice_id: InvoiceId }),
        produces: ['text/html'],
      },
    },
    async (request, reply) => {
      const principal = request.principal!;
      const invoice = await invoiceOr404(principal, request.params.invoice_id);
      const [doc, facility] = await Promise.all([detail(invoice), facilities.config(invoice.facility_id)]);
      const html = renderInvoiceHtml({
        ...doc,
        line_items: doc.line_items,
        facility: {
          facility_id: facility.facility_id,
          name: facility.name,
          timezone: facility.timezone,
          address: facility.address,
        },
        credit_notes: doc.credit_notes,
        payments: doc.payments,
      });
      return reply.type('text/html; charset=utf-8').header('cache-control', 'private, no-store').send(html);
    },
  );

  app.post(
    '/billing/v1/invoices/:invoice_id/pay',
    {
      schema: {
        tags,
        summary: 'Pay an invoice (all or part of the balance)',
        description:
          'Charges the processor token and records the payment. A declined card is PAYMENT_DECLINED (402) and a ' +
          'processor failure PAYMENT_PROCESSOR_UNAVAILABLE (503), both with the failed `payment_id`; try again with ' +
          'a new Idempotency-Key. The same key and body answer the first result again; the same key with another ' +
          'body is 409.',
        params: Type.Object({ invoice_id: InvoiceId }),
        headers: IdempotencyHeaders,
        body: PayBody,
      },
    },
    async (request, reply) => {
      const principal = request.principal!;
      const body = request.body;
      if (looksLikeCardNumber(body.payment_token))
        throw problem('INVALID_PAYMENT_TOKEN', 'Send a processor token, never a card number');
      const invoice = await invoiceOr404(principal, request.params.invoice_id);
      const idempotency = {
        scope: `${principal.sub}:billing-pay`,
        key: request.headers['idempotency-key'],
        body: { invoice_id: invoice.invoice_id, ...body },
      };
      const amount =
        body.amount === undefined ? balanceDue(invoice) : minorOf(body.amount, invoice.currency, 'amount');
      const { answer } = await runtime.transaction((tx) =>
        oncePerKey(tx, { ...idempotency, status: 201 }, async () => ({
          payment_id: await payments.startPayment(tx, principal, invoice, {
            amount,
            payment_method: body.payment_method,
          }),
        })),
      );
      const payment = await payments.completePayment(answer.payment_id, body.payment_token);
      if (payment.status === 'FAILED') {
        const declined = payment.failure_code !== 'processing_error' && payment.failure_code !== 'abandoned';
        throw problem(
          declined ? 'PAYMENT_DECLINED' : 'PAYMENT_PROCESSOR_UNAVAILABLE',
          payment.failure_message ?? undefined,
          { payment_id: payment.payment_id, decline_code: payment.failure_code },
        );
      }
      if (payment.status === 'PENDING')
        throw problem('PAYMENT_IN_PROGRESS', undefined, { payment_id: payment.payment_id });
      const updated = (await store.findInvoice(pool, payment.invoice_id))!;
      return reply.code(201).send({
        ...paymentView(payment),
        invoice_status: updated.status,
        balance_due: toMajor({ amount: balanceDue(updated), currency: updated.currency }),
      });
    },
  );

  app.post(
    '/billing/v1/invoices/:invoice_id/credit-notes',
    {
      schema: {
        tags,
        summary: 'Correct an issued invoice with a credit note',
        description:
          'Lowers what the invoice asks for by `amount` (at most the balance due: refund a payment first if the ' +
          'customer paid). Crediting the whole total makes the invoice VOID. Issued invoices never change otherwise.',
        params: Type.Object({ invoice_id: InvoiceId }),
        headers: IdempotencyHeaders,
        body: Type.Object(
          {
            amount: Amount('How much less the invoice asks for'),
            reason: Type.String({ minLength: 1, maxLength: 500 }),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (request, reply) => {
      const principal = request.principal!;
      const invoice = await invoiceOr404(principal, request.params.invoice_id);
      const amount = minorOf(request.body.amount, invoice.currency, 'amount');
      const { answer } = await runtime.transaction((tx) =>
        oncePerKey(
          tx,
          {
            scope: `${principal.sub}:billing-credit`,
            key: request.headers['idempotency-key'],
            body: { invoice_id: invoice.invoice_id, ...request.body },
            status: 201,
          },
          async () => {
            const { invoice: updated, note } = await payments.credit(tx, principal, invoice.invoice_id, {
              amount,
              reason: request.body.reason,
            });
            return { ...creditNoteView(note), invoice_status: updated.status };
          },
        ),
      );
      return reply.code(201).send(answer);
    },
  );

  app.post(
    '/billing/v1/invoices/:invoice_id/issue',
    {
      schema: {
        tags,
        summary: 'Issue a draft now',
        description: 'A visit’s or a month’s draft is issued on its own; staff may issue it earlier.',
        params: Type.Object({ invoice_id: InvoiceId }),
      },
    },
    async (request) => {
      const principal = request.principal!;
      const invoice = await invoiceOr404(principal, request.params.invoice_id);
      if (invoice.status !== 'DRAFT') throw problem('INVOICE_NOT_DRAFT', `The invoice is ${invoice.status}`);
      return detail(await runtime.transaction((tx, emit) => charges.issue(tx, emit, invoice.invoice_id)));
    },
  );

  app.post(
    '/billing/v1/invoices/:invoice_id/cancel',
    {
      schema: {
        tags,
        summary: 'Cancel a draft',
        description: 'Only a draft can be cancelled; an issued invoice is corrected with a credit note.',
        params: Type.Object({ invoice_id: InvoiceId }),
      },
    },
    async (request) => {
      const principal = request.principal!;
      const invoice = await invoiceOr404(principal, request.params.invoice_id);
      const cancelled = await runtime.transaction(async (tx) => {
        const locked = (await store.lockInvoice(tx, invoice.invoice_id))!;
        if (locked.status !== 'DRAFT')
          throw problem('INVOICE_NOT_DRAFT', `The invoice is ${locked.status}: use a credit note`);
        return store.setInvoiceState(tx, locked.invoice_id, { status: 'CANCELLED' }, runtime.clock.now());
      });
      return detail(cancelled);
    },
  );

  app.get(
    '/billing/v1/invoices/:invoice_id/payments',
    {
      schema: { tags, summary: 'Payments of an invoice', params: Type.Object({ invoice_id: InvoiceId }) },
    },
    async (request) => {
      const principal = request.principal!;
      const invoice = await invoiceOr404(principal, request.params.invoice_id);
      return (await store.paymentsOf(pool, invoice.invoice_id)).map(paymentView);
    },
  );
}
