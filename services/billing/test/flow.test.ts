import { manualClock } from '@easypark/kernel';
import type { ChargePoint } from '@easypark/simulator/chargepoint';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ChargingWorld, eventually, startChargingWorld } from '../../charging/test/world.ts';
import { chargingCost } from '../src/domain/tariff.ts';

/**
 * The exit saga end to end: a driver parks an electric car, charges it, leaves; the exit answer
 * carries the parking charge Billing priced; one invoice holds the parking and the energy; a
 * declined card, then a good one, pay it; the revenue summary moves. Replaying every event of the
 * flow (as redeliveries, and as duplicates with new ids) changes nothing.
 *
 * The facility (from the charging test world): GBP, CAR at 2.00 per hour in 60-minute increments,
 * energy at 0.45 per kWh.
 */

const clock = manualClock(new Date());
let w: ChargingWorld;
beforeAll(async () => {
  w = await startChargingWorld({ clock });
});
afterAll(() => w.stop());

const billing = <T = any>(
  method: string,
  path: string,
  token: string,
  body?: unknown,
  headers?: Record<string, string>,
) =>
  w.t.request<T>(method, `/api/v1/billing${path}`, {
    token,
    ...(body !== undefined ? { body } : {}),
    ...(headers ? { headers } : {}),
  });

async function tick(cp: ChargePoint, minutes: number) {
  for (let i = 0; i < minutes; i += 1) {
    clock.advance(60_000);
    await cp.advance(60);
  }
}

/** Every event the services published so far, from their outboxes. */
async function allEvents() {
  const events = [];
  for (const [, pool] of w.t.platform.pools) {
    const { rows } = await pool.query<{ envelope: any }>('SELECT envelope FROM outbox ORDER BY position');
    events.push(...rows.map((r) => r.envelope));
  }
  return events;
}

async function billingState() {
  const pool = w.t.platform.pools.get('billing')!;
  const count = async (sql: string) => (await pool.query(sql)).rows;
  return {
    charges: await count('SELECT source_key, amount FROM charges ORDER BY source_key'),
    invoices: await count(
      'SELECT invoice_id, status, total_amount, amount_paid FROM invoices ORDER BY invoice_id',
    ),
    lines: await count('SELECT charge_id, total_amount FROM invoice_line_items ORDER BY charge_id'),
    payments: await count('SELECT payment_id, status, amount FROM payments ORDER BY payment_id'),
    revenue: await count('SELECT report_date::text, total_revenue, transaction_count FROM revenue_summary'),
  };
}

describe('the exit saga: park, charge, leave, invoice, pay', () => {
  let sessionId: string;
  let chargingId: string;
  let invoice: any;

  it('the exit answers the charge Billing priced, and the session keeps it', async () => {
    const station = await w.station();
    const cp = await w.connect(station);
    const car = await w.park('BIL 001');
    sessionId = car.session_id;
    await cp.plugIn({ idTag: 'BIL001', batteryKwh: 60, socPercent: 20 });
    const started = await w.api('POST', '/sessions/start', w.driver.token, {
      vehicle_id: car.vehicle_id,
      parking_session_id: car.session_id,
      station_id: station.station_id,
      target_charge_percent: 80,
    });
    expect(started.status).toBe(201);
    chargingId = started.body.charging_session_id;
    await eventually(() => cp.state.transactionId !== null, 'the transaction');
    await tick(cp, 30);
    const stopped = await w.api('POST', `/sessions/${chargingId}/stop`, w.driver.token, {});
    expect(stopped.body.status).toBe('COMPLETED');
    await cp.unplug();
    clock.advance(90 * 60_000); // two hours parked in all

    // While parked, calculate answers a provisional amount.
    const live = await billing('POST', '/charges/calculate', w.driver.token, {
      parking_session_id: sessionId,
    });
    expect(live.status).toBe(200);
    expect(live.body).toMatchObject({ provisional: true, charge_id: null, currency: 'GBP' });
    expect(live.body.breakdown.parking).toBe(4);

    const exit = await w.t.request('POST', `/api/v1/parking/sessions/${sessionId}/exit`, {
      token: w.acme.operatorToken,
      body: {},
    });
    expect(exit.status).toBe(200);
    expect(exit.body).toMatchObject({ session_id: sessionId, duration_hours: 2, charge_amount: 4 });
    await w.t.drainEvents();
    const kept = await w.t.request('GET', `/api/v1/parking/sessions/${sessionId}`, {
      token: w.acme.operatorToken,
    });
    expect(kept.body.charge_amount).toBe(4);
  });

  it('one invoice holds the parking and the energy, issued once the car left', async () => {
    const energy = await w.api('GET', `/sessions/${chargingId}`, w.driver.token);
    const kwh = energy.body.energy_delivered_kwh as number;
    expect(kwh).toBeGreaterThan(1);
    const energyCost = chargingCost({ energy_kwh: kwh, price_per_kwh: 0.45, currency: 'GBP' }).amount / 100;

    const list = await billing('GET', `/invoices/${w.driver.customer_id}`, w.driver.token);
    expect(list.status).toBe(200);
    expect(list.body).toHaveLength(1);
    invoice = list.body[0];
    expect(invoice).toMatchObject({
      status: 'ISSUED',
      payment_status: 'UNPAID',
      kind: 'VISIT',
      parking_session_id: sessionId,
      // The charging opened the draft without a plate; the exit's parking charge brought it.
      registration_number: 'BIL001',
      currency: 'GBP',
    });
    const types = invoice.line_items.map((l: any) => [l.charge_type, l.total_amount]).sort();
    expect(types).toEqual([
      ['CHARGING', energyCost],
      ['PARKING', 4],
    ]);
    expect(invoice.total_amount).toBe(Math.round((4 + energyCost) * 100) / 100);
    expect(invoice.balance_due).toBe(invoice.total_amount);
    expect(invoice.due_date > invoice.invoice_date).toBe(true);

    const calculated = await billing('POST', '/charges/calculate', w.driver.token, {
      parking_session_id: sessionId,
    });
    expect(calculated.body).toMatchObject({
      provisional: false,
      amount: invoice.total_amount,
      breakdown: { parking: 4, charging: energyCost, fees: 0 },
      invoice_id: invoice.invoice_id,
    });

    const page = await billing('GET', `/invoices/${invoice.invoice_id}/print`, w.driver.token);
    expect(page.status).toBe(200);
    expect(String(page.headers['content-type'])).toContain('text/html');
    expect(page.body).toContain(invoice.invoice_id);
  });

  it('a declined card is refused and recorded; a good one pays; the same key answers the same payment', async () => {
    const declined = await billing(
      'POST',
      `/invoices/${invoice.invoice_id}/pay`,
      w.driver.token,
      { payment_method: 'CREDIT_CARD', payment_token: 'tok_chargeDeclined' },
      { 'idempotency-key': 'pay-1' },
    );
    expect(declined.status).toBe(402);
    expect(declined.body).toMatchObject({ code: 'PAYMENT_DECLINED', decline_code: 'card_declined' });
    expect(declined.body.payment_id).toMatch(/^pay_/);

    const body = { payment_method: 'CREDIT_CARD', payment_token: 'tok_visa', amount: invoice.total_amount };
    const paid = await billing('POST', `/invoices/${invoice.invoice_id}/pay`, w.driver.token, body, {
      'idempotency-key': 'pay-2',
    });
    expect(paid.status).toBe(201);
    expect(paid.body).toMatchObject({
      status: 'COMPLETED',
      invoice_status: 'PAID',
      balance_due: 0,
      last4: '4242',
    });
    expect(paid.body.confirmation_code).toMatch(/^PAY-/);

    const again = await billing('POST', `/invoices/${invoice.invoice_id}/pay`, w.driver.token, body, {
      'idempotency-key': 'pay-2',
    });
    expect(again.status).toBe(201);
    expect(again.body.payment_id).toBe(paid.body.payment_id);
    const otherBody = await billing(
      'POST',
      `/invoices/${invoice.invoice_id}/pay`,
      w.driver.token,
      { ...body, amount: 1 },
      { 'idempotency-key': 'pay-2' },
    );
    expect(otherBody.status).toBe(409);
    expect(otherBody.body.code).toBe('IDEMPOTENCY_KEY_REUSED');

    const card = await billing('POST', `/invoices/${invoice.invoice_id}/pay`, w.driver.token, {
      payment_method: 'CREDIT_CARD',
      payment_token: '4242 4242 4242 4242',
    });
    expect(card.status).toBe(400);
    expect(card.body.code).toBe('INVALID_PAYMENT_TOKEN');
    expect(JSON.stringify(card.body)).not.toContain('4242');
    // No payment was recorded for it: the invoice's payments, checked below, are the declined one and the good one.

    const more = await billing('POST', `/invoices/${invoice.invoice_id}/pay`, w.driver.token, {
      payment_method: 'CREDIT_CARD',
      payment_token: 'tok_visa',
    });
    expect(more.status).toBe(409);
    expect(more.body.code).toBe('INVOICE_ALREADY_PAID');

    const detail = await billing('GET', `/invoices/${invoice.invoice_id}`, w.driver.token);
    expect(detail.body).toMatchObject({
      status: 'PAID',
      payment_status: 'PAID',
      amount_paid: invoice.total_amount,
    });
    expect(detail.body.payments.map((p: any) => p.status)).toEqual(['FAILED', 'COMPLETED']);
  });

  it('the revenue summary moved, split between parking and charging', async () => {
    const summary = await billing('GET', `/revenue-summary/${w.facilityId}`, w.acme.operatorToken);
    expect(summary.status).toBe(200);
    expect(summary.body).toHaveLength(1);
    const day = summary.body[0];
    expect(day).toMatchObject({ parking_revenue: 4, transaction_count: 1, currency: 'GBP' });
    expect(day.total_revenue).toBe(invoice.total_amount);
    expect(day.parking_revenue + day.charging_revenue + day.reservation_revenue).toBeCloseTo(
      day.total_revenue,
      10,
    );

    const customer = await billing('GET', `/customer-summary/${w.driver.customer_id}`, w.driver.token);
    expect(customer.body).toMatchObject({
      customer_id: w.driver.customer_id,
      total_spent: invoice.total_amount,
      currency: 'GBP',
      active_invoices: [],
      loyalty_status: 'STANDARD',
    });
    expect(customer.body.payment_history).toHaveLength(2);
  });

  it('replaying every event twice, redelivered or duplicated under new ids, bills nothing more', async () => {
    await w.t.drainEvents();
    const before = await billingState();
    const events = await allEvents();
    expect(events.some((e) => e.type === 'parking.vehicle.exited')).toBe(true);
    expect(events.some((e) => e.type === 'charging.session.completed')).toBe(true);
    for (let round = 0; round < 2; round += 1) {
      await w.t.platform.bus.publish(events);
      await w.t.platform.bus.publish(
        events.map((e, i) => ({
          ...e,
          id: `evt_${'0'.repeat(24)}${String(round * 1000 + i).padStart(8, '0')}`,
        })),
      );
      await w.t.drainEvents();
    }
    expect(await billingState()).toEqual(before);
  });

  it('other tenants and other drivers see none of it', async () => {
    const stranger = await w.t.createDriver();
    expect((await billing('GET', `/invoices/${invoice.invoice_id}`, stranger.token)).status).toBe(404);
    expect((await billing('GET', `/invoices/${w.driver.customer_id}`, stranger.token)).body).toEqual([]);
    expect((await billing('GET', `/invoices/${invoice.invoice_id}`, w.other.operatorToken)).status).toBe(404);
    expect((await billing('GET', `/revenue-summary/${w.facilityId}`, w.other.adminToken)).status).toBe(404);
    const pay = await billing('POST', `/invoices/${invoice.invoice_id}/pay`, stranger.token, {
      payment_method: 'CREDIT_CARD',
      payment_token: 'tok_visa',
    });
    expect(pay.status).toBe(404);
  });
});
