import { makeEvent, manualClock, newId } from '@easypark/kernel';
import { pgConstraint, withTransaction } from '@easypark/platform';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPlatform, type TenantFixture, type TestPlatform } from '../../../test/support/platform.ts';

/**
 * Billing on its own terms: the invariants the database keeps whatever the code does, a drive-up
 * visit in yen paid in parts, refunds and credit notes, promo codes and merchant validations,
 * monthly permits, monthly invoicing, overdue invoices and reservation penalties.
 */

// Tuesday 2026-03-10 09:00 UTC = 18:00 in Tokyo.
const clock = manualClock('2026-03-10T09:00:00Z');
let t: TestPlatform;
let acme: TenantFixture;
let driver: { token: string; customer_id: string };

beforeAll(async () => {
  t = await startTestPlatform({ clock });
  acme = await t.createTenant();
  driver = await t.createDriver();
});
afterAll(() => t.stop());

const call = <T = any>(
  method: string,
  path: string,
  token: string,
  body?: unknown,
  headers?: Record<string, string>,
) =>
  t.request<T>(method, path, {
    token,
    ...(body !== undefined ? { body } : {}),
    ...(headers ? { headers } : {}),
  });
const billing = <T = any>(
  method: string,
  path: string,
  token: string,
  body?: unknown,
  headers?: Record<string, string>,
) => call<T>(method, `/api/v1/billing${path}`, token, body, headers);
const sweep = async () => {
  await t.platform.services.get('billing')!.background!.run!();
  await t.drainEvents();
};
const pool = () => t.platform.pools.get('billing')!;

async function facility(fields: Record<string, unknown>, pricing: Record<string, unknown>) {
  const f = await t.registerFacility(acme.adminToken, {
    capacity_breakdown: { compact: 0, standard: 20, large: 0 },
    ...fields,
  });
  const spaces = await call('POST', '/api/v1/parking/spaces/bulk', acme.adminToken, {
    facility_id: f.facility_id,
    size: 'STANDARD',
    floor: 0,
    aisle: 'A',
    count: 20,
  });
  expect(spaces.status).toBe(201);
  const price = await call('PUT', `/api/v1/facilities/${f.facility_id}/pricing`, acme.adminToken, {
    vehicle_type: 'CAR',
    ...pricing,
  });
  expect([200, 201]).toContain(price.status);
  return f.facility_id as string;
}

let plates = 0;
async function visit(
  facilityId: string,
  minutes: number,
  options: { owned?: boolean; before?: (s: string) => Promise<void> } = {},
) {
  const plate = `BT ${++plates}`;
  if (options.owned) {
    const v = await call('POST', '/api/v1/parking/vehicles', driver.token, {
      registration_number: plate,
      vehicle_type: 'CAR',
      is_electric: false,
    });
    expect(v.status, JSON.stringify(v.body)).toBe(201);
  }
  const entry = await call('POST', '/api/v1/parking/sessions/entry', acme.operatorToken, {
    facility_id: facilityId,
    registration_number: plate,
  });
  expect(entry.status).toBe(201);
  await options.before?.(entry.body.session_id);
  clock.advance(minutes * 60_000);
  const exit = await call(
    'POST',
    `/api/v1/parking/sessions/${entry.body.session_id}/exit`,
    acme.operatorToken,
    {},
  );
  expect(exit.status).toBe(200);
  await t.drainEvents();
  return { plate, session_id: entry.body.session_id as string, exit: exit.body };
}

const invoiceOfVisit = async (sessionId: string) => {
  const { rows } = await pool().query('SELECT invoice_id FROM invoices WHERE parking_session_id = $1', [
    sessionId,
  ]);
  return (await billing('GET', `/invoices/${rows[0].invoice_id}`, acme.operatorToken)).body;
};

describe('a drive-up visit in yen', () => {
  let tokyo: string;
  let invoice: any;

  it('is priced per local day with night minutes at the night rate, and invoiced to the plate at exit', async () => {
    // 18:00 → 23:00 Tokyo: 4 h at 400 and 1 h at half rate (night from 22:00), in 30-minute increments.
    tokyo = await facility(
      { timezone: 'Asia/Tokyo', currency: 'JPY' },
      {
        hourly_rate: 400,
        billing_increment_minutes: 30,
        night_rate_multiplier: 0.5,
        night_start_time: '22:00',
        night_end_time: '06:00',
        daily_max: 1900,
      },
    );
    const v = await visit(tokyo, 5 * 60);
    expect(v.exit).toMatchObject({ charge_amount: 1800, currency: 'JPY' });
    invoice = await invoiceOfVisit(v.session_id);
    expect(invoice).toMatchObject({
      status: 'ISSUED',
      customer_id: null,
      registration_number: 'BT1',
      total_amount: 1800,
      currency: 'JPY',
      invoice_date: '2026-03-10',
    });
    const staffList = await billing(
      'GET',
      `/invoices?facility_id=${tokyo}&status=ISSUED`,
      acme.operatorToken,
    );
    expect(staffList.body.map((i: any) => i.invoice_id)).toContain(invoice.invoice_id);
  });

  it('caps each local calendar day, not each 24 hours', async () => {
    // 23:00 → 09:00 next day, then on to 21:00: two local days, the second capped at 1,900.
    const v = await visit(tokyo, 22 * 60);
    expect(v.exit.charge_amount).toBe(1900 + 200);
  });

  it('takes payments in parts to the yen, refunds at most what was paid, and corrects with credit notes', async () => {
    const id = invoice.invoice_id;
    const pay = (amount: number, key: string) =>
      billing(
        'POST',
        `/invoices/${id}/pay`,
        acme.operatorToken,
        { payment_method: 'DEBIT_CARD', payment_token: 'tok_visa_debit', amount },
        { 'idempotency-key': key },
      );
    expect(
      (
        await billing('POST', `/invoices/${id}/pay`, acme.operatorToken, {
          payment_method: 'DEBIT_CARD',
          payment_token: 'tok_visa',
          amount: 0.5,
        })
      ).body.code,
    ).toBe('INVALID_AMOUNT');
    const first = await pay(1000, 'jpy-1');
    expect(first.body).toMatchObject({ status: 'COMPLETED', invoice_status: 'ISSUED', balance_due: 800 });
    expect((await pay(801, 'jpy-2')).body.code).toBe('AMOUNT_EXCEEDS_BALANCE');
    const second = await pay(800, 'jpy-3');
    expect(second.body).toMatchObject({ invoice_status: 'PAID', balance_due: 0 });

    const over = await billing('POST', `/payments/${second.body.payment_id}/refund`, acme.adminToken, {
      amount: 801,
      reason: 'too much',
    });
    expect(over.body.code).toBe('REFUND_EXCEEDS_PAYMENT');
    const refund = await billing(
      'POST',
      `/payments/${second.body.payment_id}/refund`,
      acme.adminToken,
      { amount: 300, reason: 'overcharged' },
      { 'idempotency-key': 'rf-1' },
    );
    expect(refund.status).toBe(201);
    expect(refund.body).toMatchObject({ status: 'COMPLETED', amount: 300 });
    const again = await billing(
      'POST',
      `/payments/${second.body.payment_id}/refund`,
      acme.adminToken,
      { amount: 300, reason: 'overcharged' },
      { 'idempotency-key': 'rf-1' },
    );
    expect(again.body.refund_id).toBe(refund.body.refund_id);
    expect((await billing('GET', `/invoices/${id}`, acme.operatorToken)).body).toMatchObject({
      status: 'ISSUED',
      balance_due: 300,
      amount_refunded: 300,
    });

    expect(
      (await billing('POST', `/invoices/${id}/credit-notes`, acme.adminToken, { amount: 301, reason: 'x' }))
        .body.code,
    ).toBe('CREDIT_EXCEEDS_BALANCE');
    const note = await billing('POST', `/invoices/${id}/credit-notes`, acme.adminToken, {
      amount: 300,
      reason: 'overcharged',
    });
    expect(note.body).toMatchObject({ amount: 300, invoice_status: 'PAID' });
    expect(
      (await billing('POST', `/invoices/${id}/credit-notes`, acme.operatorToken, { amount: 1, reason: 'x' }))
        .status,
    ).toBe(403);

    const summary = await billing('GET', `/revenue-summary/${tokyo}?grouping=MONTHLY`, acme.operatorToken);
    expect(summary.body).toEqual([
      {
        date: '2026-03-01',
        currency: 'JPY',
        parking_revenue: 1500,
        charging_revenue: 0,
        reservation_revenue: 0,
        total_revenue: 1500,
        transaction_count: 2,
      },
    ]);
  });
});

describe('the database keeps the invoice invariants whatever the code does', () => {
  const expectViolation = async (constraint: string, work: (tx: any) => Promise<unknown>) => {
    const error = await withTransaction(pool(), work).then(
      () => null,
      (e) => e,
    );
    expect(error, `expected ${constraint}`).not.toBeNull();
    expect(pgConstraint(error) ?? error.message).toContain(constraint);
  };
  let issued: { invoice_id: string; total: number; charge_id: string };

  beforeAll(async () => {
    const { rows } = await pool().query(
      `SELECT i.invoice_id, i.total_amount AS total, l.charge_id FROM invoices i
       JOIN invoice_line_items l ON l.invoice_id = i.invoice_id WHERE i.status <> 'DRAFT' LIMIT 1`,
    );
    issued = rows[0];
  });

  it('an issued invoice takes no new line and keeps its total', async () => {
    await expectViolation('invoice_immutable', (tx) =>
      tx.query(
        `INSERT INTO invoice_line_items (line_item_id, invoice_id, charge_id, charge_type, description, quantity, unit_price, total_amount, created_at)
         VALUES ($1, $2, $3, 'PARKING', 'x', 1, 1, 1, now())`,
        [newId('lineItem'), issued.invoice_id, issued.charge_id],
      ),
    );
    await expectViolation('invoice_immutable', (tx) =>
      tx.query('UPDATE invoices SET total_amount = total_amount + 1 WHERE invoice_id = $1', [
        issued.invoice_id,
      ]),
    );
    await expectViolation('invoice_immutable', (tx) =>
      tx.query('DELETE FROM invoice_line_items WHERE invoice_id = $1', [issued.invoice_id]),
    );
  });

  it('a total that is not the sum of the lines does not commit', async () => {
    await expectViolation('invoice_total_is_sum_of_lines', async (tx) => {
      const { rows } = await tx.query(`SELECT facility_id, tenant_id FROM billing_facilities LIMIT 1`);
      await tx.query(
        `INSERT INTO invoices (invoice_id, tenant_id, facility_id, kind, invoice_date, currency, total_amount, created_at, updated_at)
         VALUES ($1, $2, $3, 'SINGLE', '2026-03-10', 'GBP', 500, now(), now())`,
        [newId('invoice'), rows[0].tenant_id, rows[0].facility_id],
      );
    });
  });

  it('no negative line, no payment beyond what is owed, no refund beyond the payment', async () => {
    await expectViolation('check', (tx) =>
      tx.query('UPDATE charges SET amount = -1 WHERE charge_id = $1', [issued.charge_id]),
    );
    await expectViolation('invoice_payments_within_owed', (tx) =>
      tx.query('UPDATE invoices SET amount_paid = total_amount + 1 WHERE invoice_id = $1', [
        issued.invoice_id,
      ]),
    );
    await expectViolation('payment_refund_within_amount', (tx) =>
      tx.query(`UPDATE payments SET refunded_amount = amount + 1 WHERE status = 'COMPLETED'`),
    );
  });
});

describe('discounts, permits and monthly billing', () => {
  let london: string;

  it('a merchant validation and a promo code come off the parking charge; a used-up code is refused', async () => {
    london = await facility({ pricing_strategy: 'SUBSCRIPTION' }, { hourly_rate: 2, monthly_rate: 120 });
    const promo = await billing('POST', '/promo-codes', acme.adminToken, {
      code: 'half-off',
      kind: 'PERCENTAGE',
      percent_off: 50,
      valid_until: '2026-12-31T00:00:00Z',
      max_uses: 1,
    });
    expect(promo.status).toBe(201);
    expect(promo.body.code).toBe('HALF-OFF');
    // 3 h with the first hour validated: 2 h at 2.00 = 4.00, half off: 2.00.
    const v = await visit(london, 180, {
      owned: true,
      before: async (sessionId) => {
        const validated = await billing('POST', '/validations', acme.operatorToken, {
          parking_session_id: sessionId,
          merchant_name: 'Corner Books',
          free_hours: 1,
        });
        expect(validated.status).toBe(201);
        const redeemed = await billing('POST', '/promo-codes/redeem', driver.token, {
          code: 'Half-Off',
          parking_session_id: sessionId,
        });
        expect(redeemed.status).toBe(201);
        const twice = await billing('POST', '/promo-codes/redeem', driver.token, {
          code: 'HALF-OFF',
          parking_session_id: sessionId,
        });
        expect(twice.body.code).toBe('PROMO_ALREADY_APPLIED');
      },
    });
    expect(v.exit.charge_amount).toBe(2);
    await visit(london, 10, {
      owned: true,
      before: async (sessionId) => {
        const used = await billing('POST', '/promo-codes/redeem', driver.token, {
          code: 'HALF-OFF',
          parking_session_id: sessionId,
        });
        expect(used.body.code).toBe('PROMO_CODE_INVALID');
      },
    });
  });

  it('a monthly permit is charged once and its visits cost nothing', async () => {
    const plate = 'PERMIT 1';
    const permit = await billing('POST', '/permits', driver.token, {
      facility_id: london,
      registration_number: plate,
      month: '2026-03',
    });
    expect(permit.status).toBe(201);
    expect(permit.body.valid_from).toBe('2026-03-01T00:00:00.000Z');
    expect(permit.body.valid_until).toBe('2026-03-31T23:00:00.000Z'); // midnight in BST
    const overlap = await billing('POST', '/permits', driver.token, {
      facility_id: london,
      registration_number: 'permit-1',
      month: '2026-03',
    });
    expect(overlap.body.code).toBe('PERMIT_OVERLAP');
    // Spelled as a plate reader might: the plate parking stores, so the same permit.
    const dotted = await billing('POST', '/permits', driver.token, {
      facility_id: london,
      registration_number: 'permit.1',
      month: '2026-03',
    });
    expect(dotted.body.code).toBe('PERMIT_OVERLAP');
    const invoices = (await billing('GET', `/invoices/${driver.customer_id}`, driver.token)).body;
    const permitInvoice = invoices.find((i: any) =>
      i.line_items.some((l: any) => l.description.includes('Monthly permit')),
    );
    expect(permitInvoice).toMatchObject({ kind: 'SINGLE', status: 'ISSUED', total_amount: 120 });

    await call('POST', '/api/v1/parking/vehicles', driver.token, {
      registration_number: plate,
      vehicle_type: 'CAR',
      is_electric: false,
    });
    const entry = await call('POST', '/api/v1/parking/sessions/entry', acme.operatorToken, {
      facility_id: london,
      registration_number: plate,
    });
    clock.advance(4 * 3_600_000);
    const exit = await call(
      'POST',
      `/api/v1/parking/sessions/${entry.body.session_id}/exit`,
      acme.operatorToken,
      {},
    );
    expect(exit.body.charge_amount).toBe(0);
    await t.drainEvents();
  });

  it('a customer billed monthly gets one invoice per facility and month, issued when the month is over', async () => {
    const account = await billing('PUT', `/accounts/${driver.customer_id}`, acme.adminToken, {
      billing_cycle: 'MONTHLY',
      payment_terms_days: 30,
    });
    expect(account.body).toMatchObject({ billing_cycle: 'MONTHLY', payment_terms_days: 30 });
    const one = await visit(london, 60, { owned: true });
    const two = await visit(london, 120, { owned: true });
    const { rows } = await pool().query(
      `SELECT invoice_id, status, total_amount FROM invoices WHERE kind = 'MONTHLY' AND customer_id = $1`,
      [driver.customer_id],
    );
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      status: 'DRAFT',
      total_amount: (one.exit.charge_amount + two.exit.charge_amount) * 100,
    });
    await sweep();
    expect((await billing('GET', `/invoices/${rows[0].invoice_id}`, driver.token)).body.status).toBe('DRAFT');
    clock.set('2026-04-01T00:30:00Z'); // 01:30 in London (BST)
    await sweep();
    const issued = (await billing('GET', `/invoices/${rows[0].invoice_id}`, driver.token)).body;
    expect(issued).toMatchObject({ status: 'ISSUED', period_month: '2026-03', due_date: '2026-05-01' });
    expect(issued.line_items).toHaveLength(2);
    await billing('PUT', `/accounts/${driver.customer_id}`, acme.adminToken, { billing_cycle: 'PER_VISIT' });
  });

  it('an unpaid invoice turns OVERDUE after its due date without anyone asking', async () => {
    const v = await visit(london, 60);
    const invoice = await invoiceOfVisit(v.session_id);
    expect(invoice.status).toBe('ISSUED');
    clock.advance(15 * 86_400_000);
    await sweep();
    expect((await billing('GET', `/invoices/${invoice.invoice_id}`, acme.operatorToken)).body.status).toBe(
      'OVERDUE',
    );
  });
});

describe('a draft is cancelled, an issued invoice is voided by a full credit note', () => {
  it('cancels a monthly draft: managers only, once, and the next visit opens a new draft', async () => {
    const facilityId = await facility({}, { hourly_rate: 2 });
    await billing('PUT', `/accounts/${driver.customer_id}`, acme.adminToken, { billing_cycle: 'MONTHLY' });
    try {
      const first = await visit(facilityId, 60, { owned: true });
      const draftOf = async (sessionId: string) => {
        const { rows } = await pool().query(
          `SELECT l.invoice_id FROM invoice_line_items l JOIN charges c ON c.charge_id = l.charge_id
           WHERE c.parking_session_id = $1`,
          [sessionId],
        );
        return rows[0].invoice_id as string;
      };
      const draft = await draftOf(first.session_id);
      const cancel = (token: string, id = draft) => billing('POST', `/invoices/${id}/cancel`, token);
      expect((await cancel(acme.operatorToken)).status).toBe(403);
      expect((await cancel(driver.token)).status).toBe(403);
      const cancelled = await cancel(acme.adminToken);
      expect(cancelled.status).toBe(200);
      expect(cancelled.body).toMatchObject({ status: 'CANCELLED', total_amount: 2, balance_due: 0 });
      const again = await cancel(acme.adminToken);
      expect(again.status).toBe(409);
      expect(again.body.code).toBe('INVOICE_NOT_DRAFT');
      const pay = await billing('POST', `/invoices/${draft}/pay`, driver.token, {
        payment_method: 'CREDIT_CARD',
        payment_token: 'tok_visa',
        amount: 2,
      });
      expect(pay.body.code).toBe('INVOICE_CLOSED');

      const second = await visit(facilityId, 120, { owned: true });
      const next = await draftOf(second.session_id);
      expect(next).not.toBe(draft);
      const fresh = (await billing('GET', `/invoices/${next}`, driver.token)).body;
      expect(fresh).toMatchObject({ status: 'DRAFT', total_amount: 4 });
      expect(fresh.line_items).toHaveLength(1);
    } finally {
      await billing('PUT', `/accounts/${driver.customer_id}`, acme.adminToken, {
        billing_cycle: 'PER_VISIT',
      });
    }
  });

  it('an issued invoice cannot be cancelled; crediting all of it makes it VOID and closed to payment', async () => {
    const facilityId = await facility({}, { hourly_rate: 3 });
    const v = await visit(facilityId, 60);
    const invoice = await invoiceOfVisit(v.session_id);
    expect(invoice).toMatchObject({ status: 'ISSUED', total_amount: 3 });
    const cancel = await billing('POST', `/invoices/${invoice.invoice_id}/cancel`, acme.adminToken);
    expect(cancel.body.code).toBe('INVOICE_NOT_DRAFT');

    const part = await billing('POST', `/invoices/${invoice.invoice_id}/credit-notes`, acme.adminToken, {
      amount: 1,
      reason: 'barrier fault',
    });
    expect(part.body).toMatchObject({ amount: 1, invoice_status: 'ISSUED' });
    const rest = await billing('POST', `/invoices/${invoice.invoice_id}/credit-notes`, acme.adminToken, {
      amount: 2,
      reason: 'barrier fault',
    });
    expect(rest.body).toMatchObject({ amount: 2, invoice_status: 'VOID' });
    const voided = (await billing('GET', `/invoices/${invoice.invoice_id}`, acme.operatorToken)).body;
    expect(voided).toMatchObject({ status: 'VOID', total_amount: 3, amount_credited: 3, balance_due: 0 });
    expect(voided.line_items).toHaveLength(1); // the lines stay as issued; the credit notes carry the correction
    const pay = await billing('POST', `/invoices/${invoice.invoice_id}/pay`, acme.operatorToken, {
      payment_method: 'CREDIT_CARD',
      payment_token: 'tok_visa',
      amount: 1,
    });
    expect(pay.body.code).toBe('INVOICE_CLOSED');
    const more = await billing('POST', `/invoices/${invoice.invoice_id}/credit-notes`, acme.adminToken, {
      amount: 1,
      reason: 'x',
    });
    expect(more.body.code).toBe('INVOICE_NOT_CREDITABLE');
  });
});

describe('internal charge routes, for other services and reconciliation', () => {
  const internal = () => t.platform.services.get('parking')!.runtime.client('billing');
  const failure = (promise: Promise<unknown>) =>
    promise.then(
      () => 'no error',
      (e: any) => `${e.status} ${e.code}`,
    );

  it('batch bills a closed session whose exit event was lost, once, and says why it left the others', async () => {
    const facilityId = await facility({}, { hourly_rate: 4 });
    // The exit event of this visit never reaches Billing (a lost message, the case the batch is for).
    const bus = t.platform.bus;
    const publish = bus.publish;
    bus.publish = (events) =>
      publish.call(
        bus,
        events.filter((e) => e.type !== 'parking.vehicle.exited'),
      );
    let lost: Awaited<ReturnType<typeof visit>>;
    try {
      lost = await visit(facilityId, 90);
    } finally {
      bus.publish = publish;
    }
    expect(lost.exit.charge_amount).toBe(8);
    const { rows } = await pool().query('SELECT 1 FROM charges WHERE parking_session_id = $1', [
      lost.session_id,
    ]);
    expect(rows).toHaveLength(0);

    const billed = await visit(facilityId, 30);
    const open = await call('POST', '/api/v1/parking/sessions/entry', acme.operatorToken, {
      facility_id: facilityId,
      registration_number: 'STILL HERE',
    });
    const unknown = newId('parkingSession');
    const ids = [lost.session_id, billed.session_id, open.body.session_id, unknown];
    const answer = await internal().post<any[]>('/billing/internal/charges/batch', {
      parking_session_ids: ids,
    });
    expect(answer.map((r) => [r.parking_session_id, r.status])).toEqual([
      [lost.session_id, 'BILLED'],
      [billed.session_id, 'ALREADY_BILLED'],
      [open.body.session_id, 'OPEN'],
      [unknown, 'NOT_FOUND'],
    ]);
    await t.drainEvents();
    expect((await invoiceOfVisit(lost.session_id)).total_amount).toBe(8);
    const rerun = await internal().post<any[]>('/billing/internal/charges/batch', {
      parking_session_ids: [lost.session_id],
    });
    expect(rerun[0]).toMatchObject({
      status: 'ALREADY_BILLED',
      charge_id: answer[0].charge_id,
    });

    const charge = await internal().get<any>(`/billing/internal/charges/${answer[0].charge_id}`);
    expect(charge).toMatchObject({
      charge_id: answer[0].charge_id,
      charge_type: 'PARKING',
      amount: 8,
      currency: 'GBP',
      parking_session_id: lost.session_id,
      invoice_id: (await invoiceOfVisit(lost.session_id)).invoice_id,
    });
    expect(await failure(internal().get(`/billing/internal/charges/${newId('charge')}`))).toBe(
      '404 CHARGE_NOT_FOUND',
    );
  });

  it('are refused to users and not reachable through the gateway', async () => {
    const app = t.platform.services.get('billing')!.app;
    const asAdmin = await app.inject({
      method: 'POST',
      url: '/billing/internal/charges/batch',
      headers: { authorization: `Bearer ${acme.adminToken}` },
      payload: { parking_session_ids: [newId('parkingSession')] },
    });
    expect(asAdmin.statusCode).toBe(403);
    const viaGateway = await billing('GET', `/internal/charges/${newId('charge')}`, acme.adminToken);
    expect(viaGateway.status).toBe(404);
  });
});

describe('reservation fees and penalties', () => {
  it('a no-show is billed the booking fee and the no-show fee on one invoice, once', async () => {
    const facilityId = (await billing('GET', '/invoices', acme.operatorToken)).body[0].facility_id;
    const reservationId = newId('reservation');
    const event = makeEvent('/services/reservation', {
      type: 'reservation.no_show',
      tenantid: acme.tenant_id,
      facilityid: facilityId,
      data: {
        reservation_id: reservationId,
        facility_id: facilityId,
        space_id: newId('space'),
        customer_id: driver.customer_id,
        no_show_fee: 5,
        reservation_fee: 1.5,
        currency: 'GBP',
        start_time: clock.now().toISOString(),
      },
    });
    await t.platform.bus.publish([event, { ...event, id: newId('event') }]);
    await t.drainEvents();
    const { rows } = await pool().query(
      `SELECT i.invoice_id, i.status, i.total_amount, count(l.*)::int AS lines FROM invoices i
       JOIN invoice_line_items l ON l.invoice_id = i.invoice_id JOIN charges c ON c.charge_id = l.charge_id
       WHERE c.reservation_id = $1 GROUP BY i.invoice_id`,
      [reservationId],
    );
    expect(rows).toEqual([{ invoice_id: expect.any(String), status: 'ISSUED', total_amount: 650, lines: 2 }]);
  });
});

describe('the exit saga when Billing cannot be asked at the exit', () => {
  it('the barrier still opens; Billing prices the exit event and the session gets its amount', async () => {
    const facilityId = await facility({}, { hourly_rate: 3 });
    const billingClient = t.platform.services.get('parking')!.runtime.client('billing');
    const post = billingClient.post;
    billingClient.post = async () => {
      throw new Error('billing is down');
    };
    let v: Awaited<ReturnType<typeof visit>>;
    try {
      v = await visit(facilityId, 90);
    } finally {
      billingClient.post = post;
    }
    expect(v.exit.charge_amount).toBeNull();
    const session = await call('GET', `/api/v1/parking/sessions/${v.session_id}`, acme.operatorToken);
    expect(session.body.charge_amount).toBe(6);
    expect((await invoiceOfVisit(v.session_id)).total_amount).toBe(6);
  });
});

describe('a visit is priced once', () => {
  it('the exit event is charged the price Billing quoted at the exit, without pricing it again', async () => {
    const facilityId = await facility({}, { hourly_rate: 2.5 });
    const facilities = t.platform.services.get('billing')!.runtime.client('facility');
    const get = facilities.get;
    let pricings = 0;
    facilities.get = (async (path: string, query?: Record<string, unknown>) => {
      if (path.endsWith('/pricing-strategy')) pricings++;
      return get.call(facilities, path, query);
    }) as typeof get;
    try {
      const quoted = await visit(facilityId, 100);
      expect(quoted.exit.charge_amount).toBe(5);
      expect(pricings).toBe(1);
      expect((await invoiceOfVisit(quoted.session_id)).total_amount).toBe(5);

      // An amount the operator set at the exit is not a quote: Billing prices the visit for its breakdown.
      pricings = 0;
      const entry = await call('POST', '/api/v1/parking/sessions/entry', acme.operatorToken, {
        facility_id: facilityId,
        registration_number: 'BT SET',
      });
      clock.advance(100 * 60_000);
      const exit = await call(
        'POST',
        `/api/v1/parking/sessions/${entry.body.session_id}/exit`,
        acme.operatorToken,
        {
          charge_amount: 1,
        },
      );
      expect(exit.body.charge_amount).toBe(1);
      await t.drainEvents();
      expect(pricings).toBe(1);
      const { rows } = await pool().query(
        'SELECT amount, breakdown FROM charges WHERE parking_session_id = $1',
        [entry.body.session_id],
      );
      expect(rows).toMatchObject([{ amount: 100, breakdown: { priced: 500, agreed_at_exit: 100 } }]);
    } finally {
      facilities.get = get;
    }
  });
});

describe('EV charging', () => {
  it('bills the energy at the agreed price and, at EV_OPTIMIZED facilities, idle minutes beyond the grace', async () => {
    const facilityId = await facility(
      { pricing_strategy: 'EV_OPTIMIZED' },
      { hourly_rate: 2, ev_charging_rate_per_kwh: 0.3, idle_fee_per_hour: 12, idle_grace_minutes: 10 },
    );
    clock.advance(2 * 3_600_000); // the whole session after the price was set
    const chargingSessionId = newId('chargingSession');
    const stop = clock.now();
    const event = makeEvent('/services/charging', {
      type: 'charging.session.completed',
      tenantid: acme.tenant_id,
      facilityid: facilityId,
      data: {
        charging_session_id: chargingSessionId,
        energy_delivered_kwh: 10.005,
        total_cost: 3,
        currency: 'GBP',
        status: 'COMPLETED',
        price_per_kwh: 0.3,
        vehicle_id: newId('vehicle'),
        vehicle_type: 'CAR',
        station_id: newId('station'),
        facility_id: facilityId,
        parking_session_id: newId('parkingSession'),
        customer_id: driver.customer_id,
        start_time: new Date(stop.getTime() - 90 * 60_000).toISOString(),
        stop_time: stop.toISOString(),
        charging_finished_at: new Date(stop.getTime() - 40 * 60_000).toISOString(),
      },
    });
    await t.platform.bus.publish([event]);
    await t.drainEvents();
    const { rows } = await pool().query(
      'SELECT charge_type, revenue_category, amount FROM charges WHERE charging_session_id = $1 ORDER BY charge_type',
      [chargingSessionId],
    );
    // 10.005 kWh × 0.30 = 3.0015 → 3.00; 40 − 10 minutes idle × 12.00/h = 6.00.
    expect(rows).toEqual([
      { charge_type: 'CHARGING', revenue_category: 'CHARGING', amount: 300 },
      { charge_type: 'PENALTY', revenue_category: 'CHARGING', amount: 600 },
    ]);
  });
});
