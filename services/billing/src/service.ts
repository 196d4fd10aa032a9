import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { toMajor } from '@easypark/kernel';
import { everySeconds, type ServiceDefinition, type ServiceRuntime } from '@easypark/platform';
import { type ChargeOperations, chargeOperations } from './charges.ts';
import { billingEventHandlers } from './events.ts';
import { sandboxProcessor } from './payments/processor.ts';
import { type PaymentOperations, paymentOperations } from './payments.ts';
import { chargeRoutes } from './routes/charges.ts';
import { discountRoutes } from './routes/discounts.ts';
import { invoiceRoutes } from './routes/invoices.ts';
import { paymentRoutes } from './routes/payments.ts';
import { reportRoutes } from './routes/reports.ts';
import { billingSettings } from './settings.ts';
import * as store from './store.ts';

/** Each running billing service's operations, built once per runtime. */
const operations = new WeakMap<ServiceRuntime, { charges: ChargeOperations; payments: PaymentOperations }>();

function operationsOf(runtime: ServiceRuntime) {
  let ops = operations.get(runtime);
  if (!ops) {
    const settings = billingSettings();
    ops = {
      charges: chargeOperations(runtime, settings),
      // The sandbox is the only processor adapter so far; a real one plugs in here by BILLING_PAYMENT_PROCESSOR.
      payments: paymentOperations(runtime, sandboxProcessor()),
    };
    operations.set(runtime, ops);
  }
  return ops;
}

export const billingService: ServiceDefinition = {
  name: 'billing',
  title: 'EasyParkPlus Billing & Revenue service',
  description:
    'Charges priced from each facility’s prices in force (per local day caps, peak and night rates, EV energy, ' +
    'idle fees, reservation fees and penalties), invoices (a visit at exit, or monthly), payments through the ' +
    'payment processor, refunds, credit notes, promo codes, merchant validations, monthly permits and revenue ' +
    'reports. Consumes parking.vehicle.exited, charging.session.completed and reservation events; publishes ' +
    'billing.charge.created, billing.invoice.issued, billing.payment.received, billing.payment.refunded and ' +
    'billing.revenue.summary.',
  migrationsDir: join(dirname(fileURLToPath(import.meta.url)), 'migrations'),
  routes(app, runtime) {
    const { charges, payments } = operationsOf(runtime);
    chargeRoutes(app, runtime, charges);
    invoiceRoutes(app, runtime, charges, payments);
    paymentRoutes(app, runtime, payments);
    reportRoutes(app, runtime, charges);
    discountRoutes(app, runtime, charges);
  },
  handlers: (runtime) => billingEventHandlers(operationsOf(runtime).charges),
  background: (runtime) => {
    const { charges } = operationsOf(runtime);
    return everySeconds(runtime, charges.settings.sweepSeconds, 'billing sweep', () =>
      sweep(runtime, charges),
    );
  },
};

/**
 * Billing's own clock work: visits whose invoice waits for charging, months that ended, invoices
 * past due, finished days' revenue to publish, and payments the processor never answered.
 */
async function sweep(runtime: ServiceRuntime, charges: ChargeOperations): Promise<void> {
  const { pool, clock } = runtime;
  for (const parkingSessionId of await store.visitsAwaitingIssue(pool, 200)) {
    await runtime.transaction((tx, emit) => charges.settleVisit(tx, emit, parkingSessionId));
  }
  for (const invoiceId of await store.monthlyDraftsDue(pool, clock.now())) {
    await runtime.transaction((tx, emit) => charges.issue(tx, emit, invoiceId));
  }
  await store.markOverdue(pool, clock.now());
  for (const day of await store.revenueToPublish(pool, clock.now())) {
    await runtime.transaction(async (tx, emit) => {
      emit({
        type: 'billing.revenue.summary',
        subject: day.facility_id,
        tenantid: day.tenant_id,
        facilityid: day.facility_id,
        data: {
          facility_id: day.facility_id,
          report_date: day.report_date,
          total_revenue: toMajor({ amount: day.total_revenue, currency: day.currency }),
          currency: day.currency,
          transaction_count: day.transaction_count,
        },
      });
      await store.markPublished(tx, day.summary_id, clock.now());
    });
  }
  await store.abandonStalePayments(pool, new Date(clock.now().getTime() - 15 * 60_000), clock.now());
}
