import { type App, oncePerKey, type ServiceRuntime, Type } from '@easypark/platform';
import { canSeeBilling } from '../access.ts';
import { problem } from '../errors.ts';
import type { PaymentOperations } from '../payments.ts';
import * as store from '../store.ts';
import { paymentView, refundView } from '../views.ts';
import { Amount, IdempotencyHeaders, minorOf, PaymentId } from './schemas.ts';

const tags = ['Payments'];

export function paymentRoutes(app: App, runtime: ServiceRuntime, payments: PaymentOperations): void {
  const { pool } = runtime;

  async function paymentOr404(principal: Parameters<typeof canSeeBilling>[0], paymentId: string) {
    const payment = await store.findPayment(pool, paymentId);
    if (!payment || !canSeeBilling(principal, payment))
      throw problem('PAYMENT_NOT_FOUND', `There is no payment ${paymentId}`);
    return payment;
  }

  app.get(
    '/billing/v1/payments/:payment_id',
    { schema: { tags, summary: 'A payment', params: Type.Object({ payment_id: PaymentId }) } },
    async (request) => paymentView(await paymentOr404(request.principal!, request.params.payment_id)),
  );

  app.post(
    '/billing/v1/payments/:payment_id/refund',
    {
      schema: {
        tags,
        summary: 'Refund a payment, in full or in part',
        description:
          'At most what the payment took and has not given back. The invoice owes the refunded amount again: ' +
          'follow with a credit note when the customer is not to pay it. Send an Idempotency-Key.',
        params: Type.Object({ payment_id: PaymentId }),
        headers: IdempotencyHeaders,
        body: Type.Object(
          {
            amount: Type.Optional(Amount('Default: all that is left')),
            reason: Type.String({ minLength: 1, maxLength: 500 }),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (request, reply) => {
      const principal = request.principal!;
      const payment = await paymentOr404(principal, request.params.payment_id);
      const amount =
        request.body.amount === undefined
          ? payment.amount - payment.refunded_amount
          : minorOf(request.body.amount, payment.currency, 'amount');
      const { answer } = await runtime.transaction((tx) =>
        oncePerKey(
          tx,
          {
            scope: `${principal.sub}:billing-refund`,
            key: request.headers['idempotency-key'],
            body: { payment_id: payment.payment_id, ...request.body },
            status: 201,
          },
          async () => ({
            refund_id: await payments.startRefund(tx, principal, payment, {
              amount,
              reason: request.body.reason,
            }),
          }),
        ),
      );
      const refund = await payments.completeRefund(answer.refund_id);
      if (refund.status === 'FAILED')
        throw problem('PAYMENT_PROCESSOR_UNAVAILABLE', refund.failure_message ?? undefined, {
          refund_id: refund.refund_id,
        });
      return reply.code(201).send(refundView(refund));
    },
  );
}
