import { addDays, canSeeTenant, localParts, minorUnits, money, toMajor } from '@easypark/kernel';
import { type App, type ServiceRuntime, Type } from '@easypark/platform';
import { tenantScope } from '../access.ts';
import type { ChargeOperations } from '../charges.ts';
import { balanceDue, loyaltyTier } from '../domain/ledger.ts';
import { problem } from '../errors.ts';
import * as store from '../store.ts';
import { paymentView } from '../views.ts';
import { CustomerId, FacilityId, LocalDate } from './schemas.ts';

const yearMs = 365 * 24 * 3_600_000;

export function reportRoutes(app: App, runtime: ServiceRuntime, charges: ChargeOperations): void {
  const { pool, clock } = runtime;

  app.get(
    '/billing/v1/revenue-summary/:facility_id',
    {
      schema: {
        tags: ['Reports'],
        summary: 'Money received per day, week or month',
        description:
          'Payments received minus refunds, split into parking, charging and reservation revenue in proportion to ' +
          'the invoices they paid, per facility-local day (WEEKLY: ISO weeks from Monday; MONTHLY: calendar months). ' +
          '`date` is the first day of each period; days without money are left out. Default: the last 30 days.',
        params: Type.Object({ facility_id: FacilityId }),
        querystring: Type.Object({
          start_date: Type.Optional(LocalDate('First local day')),
          end_date: Type.Optional(LocalDate('Last local day')),
          grouping: Type.Optional(
            Type.Enum(['DAILY', 'WEEKLY', 'MONTHLY'], { type: 'string', default: 'DAILY' }),
          ),
        }),
      },
    },
    async (request) => {
      const principal = request.principal!;
      const facility = await charges.facilityOf(request.params.facility_id);
      if (!canSeeTenant(principal, facility.tenant_id))
        throw problem('FACILITY_NOT_FOUND', `Facility ${request.params.facility_id} does not exist`);
      const end = request.query.end_date ?? localParts(clock.now(), facility.timezone).date;
      const start = request.query.start_date ?? addDays(end, -29);
      if (start > end)
        throw problem('VALIDATION_FAILED', 'start_date is after end_date', {
          errors: [{ field: 'start_date', message: 'on or before end_date' }],
        });
      const rows = await store.revenue(
        pool,
        facility.facility_id,
        start,
        end,
        request.query.grouping ?? 'DAILY',
      );
      const major = (amount: number) => toMajor({ amount, currency: facility.currency });
      return rows.map((r) => ({
        date: r.date,
        currency: facility.currency,
        parking_revenue: major(r.parking_revenue),
        charging_revenue: major(r.charging_revenue),
        reservation_revenue: major(r.reservation_revenue),
        total_revenue: major(r.total_revenue),
        transaction_count: r.transaction_count,
      }));
    },
  );

  app.get(
    '/billing/v1/customer-summary/:customer_id',
    {
      schema: {
        tags: ['Reports'],
        summary: 'A customer’s billing summary',
        description:
          '`total_spent`: payments kept (minus refunds) over the last 12 months in the customer’s main currency ' +
          '(`spent_by_currency` lists all); `active_invoices`: issued and overdue invoices not yet paid; ' +
          '`payment_history`: the last 20 payments; `loyalty_status`: STANDARD, SILVER, GOLD or PLATINUM by ' +
          '`total_spent`. Staff see what their tenant billed; a driver sees their own.',
        params: Type.Object({ customer_id: CustomerId }),
      },
    },
    async (request) => {
      const principal = request.principal!;
      const customerId = request.params.customer_id;
      if (principal.role === 'driver' && principal.customer_id !== customerId)
        throw problem('NOT_FOUND', `There is no customer ${customerId}`);
      const tenantId = principal.role === 'driver' ? undefined : tenantScope(principal);
      const [spend, history, active] = await Promise.all([
        store.customerSpend(pool, customerId, tenantId, new Date(clock.now().getTime() - yearMs)),
        store.customerPayments(pool, customerId, tenantId, 20),
        store.activeInvoices(pool, customerId, tenantId),
      ]);
      const main = spend[0];
      const currency = main?.currency ?? null;
      return {
        customer_id: customerId,
        currency,
        total_spent: main ? toMajor({ amount: main.kept, currency: main.currency }) : 0,
        spent_by_currency: spend.map((s) => ({
          currency: s.currency,
          amount: toMajor({ amount: s.kept, currency: s.currency }),
          payments: s.payments,
        })),
        active_invoices: active.map((i) => ({
          invoice_id: i.invoice_id,
          facility_id: i.facility_id,
          status: i.status,
          due_date: i.due_date,
          currency: i.currency,
          total_amount: toMajor({ amount: i.total_amount, currency: i.currency }),
          balance_due: toMajor({ amount: balanceDue(i), currency: i.currency }),
        })),
        payment_history: history.map(paymentView),
        loyalty_status: main
          ? loyaltyTier(money(main.kept, main.currency), minorUnits(main.currency))
          : 'STANDARD',
      };
    },
  );

  const Account = Type.Object(
    {
      billing_cycle: Type.Enum(['PER_VISIT', 'MONTHLY'], {
        type: 'string',
        description: 'PER_VISIT: an invoice per visit at exit; MONTHLY: one invoice per facility and month',
      }),
      payment_terms_days: Type.Optional(
        Type.Integer({ minimum: 0, maximum: 120, description: 'Days to pay' }),
      ),
    },
    { additionalProperties: false },
  );

  app.put(
    '/billing/v1/accounts/:customer_id',
    {
      schema: {
        tags: ['Accounts'],
        summary: 'How the tenant bills a customer',
        description: 'A tenant admin may bill a known customer monthly, with payment terms.',
        params: Type.Object({ customer_id: CustomerId }),
        body: Account,
      },
    },
    async (request) => {
      const principal = request.principal!;
      const account = await store.saveAccount(pool, {
        tenant_id: principal.tenant_id!,
        customer_id: request.params.customer_id,
        billing_cycle: request.body.billing_cycle,
        payment_terms_days: request.body.payment_terms_days ?? runtimeTerms(),
        updated_at: clock.now(),
        updated_by: principal.sub,
      });
      return accountView(account);
    },
  );

  app.get(
    '/billing/v1/accounts/:customer_id',
    {
      schema: {
        tags: ['Accounts'],
        summary: 'How the tenant bills a customer',
        params: Type.Object({ customer_id: CustomerId }),
      },
    },
    async (request) => {
      const principal = request.principal!;
      const tenantId = principal.tenant_id;
      const account = tenantId ? await store.findAccount(pool, tenantId, request.params.customer_id) : null;
      return account
        ? accountView(account)
        : {
            customer_id: request.params.customer_id,
            billing_cycle: 'PER_VISIT',
            payment_terms_days: runtimeTerms(),
          };
    },
  );

  function runtimeTerms() {
    return charges.settings.paymentTermsDays;
  }
}

function accountView(a: store.AccountRow) {
  return {
    customer_id: a.customer_id,
    billing_cycle: a.billing_cycle,
    payment_terms_days: a.payment_terms_days,
    updated_at: a.updated_at.toISOString(),
  };
}
