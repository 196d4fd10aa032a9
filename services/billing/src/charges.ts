/**
 * Charges and the invoices they land on: the exit saga's billing steps.
 *
 * A charge is made once per thing billed (its source_key), so a redelivered event, a retried call
 * or the sweep never bills twice. Where a charge lands:
 * - a customer billed MONTHLY by the facility's tenant: that customer's draft for the facility and
 *   local month, issued when the month is over;
 * - a charge of a parking visit: the visit's draft, issued once the car has left and none of the
 *   visit's charging sessions is still open (or after BILLING_VISIT_WAIT_MINUTES regardless);
 *   a charge arriving after that goes on an invoice of its own;
 * - anything else (a no-show, a late cancellation, a permit): an invoice of its own, issued at once.
 */
import { type ChargingClient, chargingClient } from '@easypark/charging/client';
import { type FacilityConfig, facilityClient } from '@easypark/facility/client';
import {
  AppError,
  addDays,
  fromMajor,
  hoursBetween,
  localParts,
  money,
  newId,
  type Principal,
} from '@easypark/kernel';
import { type ParkingSession, parkingClient } from '@easypark/parking/client';
import { type Emit, oncePerTransaction, type ServiceRuntime, type Tx } from '@easypark/platform';
import { canSeeBilling } from './access.ts';
import type { VisitFacts } from './client.ts';
import { promoDiscount, settledStatus } from './domain/ledger.ts';
import { chargingCost, idleFee, quoteStay } from './domain/tariff.ts';
import { problem } from './errors.ts';
import { emitChargeCreated, emitInvoiceIssued } from './events.ts';
import type { BillingSettings } from './settings.ts';
import * as store from './store.ts';

/** A finished charging session as billing needs it (from charging.session.completed or the Charging service). */
export interface ChargingFacts {
  charging_session_id: string;
  tenant_id: string;
  facility_id: string;
  parking_session_id: string;
  customer_id: string | null;
  vehicle_type: string | null;
  energy_delivered_kwh: number;
  /** major units, agreed when charging began */
  price_per_kwh: number;
  currency: string;
  start_time: string;
  stop_time: string;
  charging_finished_at: string | null;
}

export interface VisitPrice {
  amount: number;
  discount: number;
  currency: string;
  description: string;
  breakdown: Record<string, unknown>;
}

export function chargeOperations(runtime: ServiceRuntime, settings: BillingSettings) {
  const { pool, clock } = runtime;
  const facilities = facilityClient(runtime.client('facility'));
  const charging: ChargingClient = chargingClient(runtime.client('charging'));
  const parking = parkingClient(runtime.client('parking'));

  // What this process last wrote to billing_facilities, so that pricing an exit (read-only) does not write.
  const remembered = new Map<string, string>();

  /** The facility's configuration, remembered locally for time zones and currencies. */
  async function facilityOf(facilityId: string): Promise<FacilityConfig> {
    let config: FacilityConfig;
    try {
      config = await facilities.config(facilityId);
    } catch (error) {
      if (error instanceof AppError && error.status === 404)
        throw problem('FACILITY_NOT_FOUND', `Facility ${facilityId} does not exist`);
      throw error;
    }
    const known = `${config.tenant_id} ${config.name} ${config.timezone} ${config.currency}`;
    if (remembered.get(config.facility_id) !== known) {
      await store.rememberFacility(pool, config, clock.now());
      remembered.set(config.facility_id, known);
    }
    return config;
  }

  /** The facility as billing keeps it, read once per transaction (a charge and its invoice's issue both need it). */
  const facilityIn = (tx: Tx, facilityId: string) =>
    oncePerTransaction(tx, `billing facility ${facilityId}`, () => store.findFacility(tx, facilityId));

  /** A parking session the principal may see; others' and unknown ones are PARKING_SESSION_NOT_FOUND. */
  async function parkingSessionFor(principal: Principal, sessionId: string): Promise<ParkingSession> {
    const hidden = () => problem('PARKING_SESSION_NOT_FOUND', `There is no parking session ${sessionId}`);
    let session: ParkingSession;
    try {
      session = await parking.session(sessionId);
    } catch (error) {
      if (error instanceof AppError && error.status === 404) throw hidden();
      throw error;
    }
    if (!canSeeBilling(principal, session)) throw hidden();
    return session;
  }

  async function pricesFor(facility: FacilityConfig, vehicleType: string | null, from: Date, to: Date) {
    const answer = await facilities.pricingStrategy(
      facility.facility_id,
      from,
      to > from ? to : new Date(from.getTime() + 1),
    );
    const ofType = (type: string) => answer.configurations.filter((c) => c.vehicle_type === type);
    const prices = vehicleType && ofType(vehicleType).length > 0 ? ofType(vehicleType) : ofType('CAR');
    return { strategy: answer.pricing_strategy, prices };
  }

  /** What a visit costs if it ends at exit_time: permits, merchant validations and a promo code applied. */
  async function priceVisit(visit: VisitFacts, facility: FacilityConfig): Promise<VisitPrice> {
    const start = new Date(visit.entry_time);
    const end = new Date(visit.exit_time);
    const currency = facility.currency;
    const hours = hoursBetween(start, end);
    const where = `at ${facility.name}`;
    if (end <= start)
      return { amount: 0, discount: 0, currency, description: `Parking ${where}`, breakdown: { minutes: 0 } };
    const { strategy, prices } = await pricesFor(facility, visit.vehicle_type, start, end);
    if (prices.length === 0) {
      return {
        amount: 0,
        discount: 0,
        currency,
        description: `Parking ${hours} h ${where} (no price set)`,
        breakdown: { no_price: true },
      };
    }
    const permits = await store.permitsDuring(
      pool,
      facility.facility_id,
      visit.registration_number,
      start,
      end,
    );
    const permit = permits.find((p) => p.valid_from <= start && p.valid_until > start);
    if (permit && permit.valid_until >= end) {
      return {
        amount: 0,
        discount: 0,
        currency,
        description: `Parking ${hours} h ${where}: monthly permit`,
        breakdown: { permit_id: permit.permit_id },
      };
    }
    const validations = await store.validationsOfVisit(pool, visit.parking_session_id);
    const validatedMinutes = validations.reduce((sum, v) => sum + v.free_minutes, 0);
    const freeUntil = Math.max(
      permit?.valid_until.getTime() ?? 0,
      start.getTime() + validatedMinutes * 60_000,
    );
    const quote = quoteStay({
      strategy,
      prices,
      timezone: facility.timezone,
      start,
      end,
      free_until: freeUntil > start.getTime() ? new Date(freeUntil) : null,
    });
    const promo = await store.promoOfVisit(pool, visit.parking_session_id);
    const discount = promo ? promoDiscount(promo, money(quote.parking, currency)) : 0;
    const notes = [
      ...(permit ? [`permit until ${permit.valid_until.toISOString()}`] : []),
      ...validations.map((v) => `${v.merchant_name} validated ${v.free_minutes} min`),
      ...(promo && discount > 0 ? [`promo ${promo.code}`] : []),
    ];
    return {
      amount: quote.parking - discount,
      discount,
      currency,
      description: `Parking ${hours} h ${where}${notes.length ? ` (${notes.join('; ')})` : ''}`,
      breakdown: {
        billable_minutes: quote.billable_minutes,
        daily_cap_applied: quote.daily_cap_applied,
        days: quote.days,
        runs: quote.breakdown,
        validated_minutes: validatedMinutes,
        ...(permit ? { permit_id: permit.permit_id } : {}),
        ...(promo ? { promo_code: promo.code, discount } : {}),
      },
    };
  }

  function baseCharge(facts: {
    tenant_id: string;
    facility_id: string;
    customer_id: string | null;
    currency: string;
  }) {
    return {
      charge_id: newId('charge'),
      tenant_id: facts.tenant_id,
      facility_id: facts.facility_id,
      customer_id: facts.customer_id,
      registration_number: null,
      parking_session_id: null,
      charging_session_id: null,
      reservation_id: null,
      permit_id: null,
      discount_amount: 0,
      currency: facts.currency,
      quantity: 1,
      breakdown: {},
    } satisfies Partial<store.NewCharge>;
  }

  /** What a visit ending at its exit_time costs, as Parking asks for it at the exit. */
  async function quoteVisit(visit: VisitFacts): Promise<VisitPrice> {
    const price = await priceVisit(visit, await facilityOf(visit.facility_id));
    rememberQuote(visit, price);
    return price;
  }

  // The price quoted at an exit, kept for the charge its parking.vehicle.exited event makes a
  // moment later, so that a visit is priced once: the same facts, and the amount the exit
  // recorded, find it. Another replica, a later price or an amount the operator set prices again.
  const quotes = new Map<string, { price: VisitPrice; expires: number }>();
  const quoteKey = (v: VisitFacts) =>
    [
      v.parking_session_id,
      v.tenant_id,
      v.facility_id,
      v.vehicle_id,
      v.registration_number,
      v.vehicle_type,
      v.customer_id,
      v.entry_time,
      v.exit_time,
    ].join('\u0000');
  function rememberQuote(visit: VisitFacts, price: VisitPrice) {
    const now = Date.now();
    for (const [key, quote] of quotes) {
      if (quotes.size < maxQuotesKept && quote.expires > now) break;
      quotes.delete(key); // oldest first
    }
    quotes.set(quoteKey(visit), { price, expires: now + quoteKeptMs });
  }
  function quotedPrice(visit: VisitFacts, agreedAmount: number | null): VisitPrice | null {
    const key = quoteKey(visit);
    const quote = quotes.get(key);
    if (!quote) return null;
    quotes.delete(key);
    return quote.expires > Date.now() && quote.price.amount === agreedAmount ? quote.price : null;
  }

  /** The parking charge of a visit; `agreedAmount` (minor units) is what the exit recorded, when it did. */
  async function parkingCharge(
    visit: VisitFacts,
    agreedAmount: number | null,
  ): Promise<store.NewCharge & { parking_session_id: string }> {
    const facility = await facilityOf(visit.facility_id);
    const price = quotedPrice(visit, agreedAmount) ?? (await priceVisit(visit, facility));
    const amount = agreedAmount ?? price.amount;
    return {
      ...baseCharge({ ...visit, currency: facility.currency }),
      registration_number: visit.registration_number,
      parking_session_id: visit.parking_session_id,
      charge_type: 'PARKING',
      revenue_category: 'PARKING',
      amount,
      discount_amount: price.discount,
      unit_price: amount,
      description: price.description,
      breakdown: {
        ...price.breakdown,
        ...(amount !== price.amount ? { priced: price.amount, agreed_at_exit: amount } : {}),
      },
      source_key: `parking:${visit.parking_session_id}`,
      occurred_at: new Date(visit.exit_time),
    };
  }

  /** The energy of a charging session and, at EV_OPTIMIZED facilities, its idle fee. */
  async function chargingCharges(facts: ChargingFacts): Promise<store.NewCharge[]> {
    const facility = await facilityOf(facts.facility_id);
    const energy = chargingCost({
      energy_kwh: facts.energy_delivered_kwh,
      price_per_kwh: facts.price_per_kwh,
      currency: facts.currency,
    });
    const base = {
      ...baseCharge({ ...facts, currency: facts.currency }),
      parking_session_id: facts.parking_session_id,
      charging_session_id: facts.charging_session_id,
      occurred_at: new Date(facts.stop_time),
    };
    const charges: store.NewCharge[] = [
      {
        ...base,
        charge_type: 'CHARGING',
        revenue_category: 'CHARGING',
        amount: energy.amount,
        quantity: energy.energy_wh / 1000 || 0.001,
        unit_price: fromMajor(facts.price_per_kwh, facts.currency).amount,
        description: `EV charging ${facts.energy_delivered_kwh} kWh at ${facts.price_per_kwh} ${facts.currency}/kWh`,
        breakdown: { energy_wh: energy.energy_wh, start_time: facts.start_time, stop_time: facts.stop_time },
        source_key: `charging:${facts.charging_session_id}`,
      },
    ];
    if (facts.charging_finished_at) {
      const finished = new Date(facts.charging_finished_at);
      const unplugged = new Date(facts.stop_time);
      const { strategy, prices } = await pricesFor(facility, facts.vehicle_type, finished, unplugged);
      if (prices.length > 0 && unplugged > finished) {
        const idle = idleFee({ strategy, prices, charging_finished_at: finished, unplugged_at: unplugged });
        if (idle.amount > 0)
          charges.push({
            ...base,
            charge_id: newId('charge'),
            charge_type: 'PENALTY',
            revenue_category: 'CHARGING',
            amount: idle.amount,
            unit_price: idle.amount,
            description: `Idle fee: plugged in ${idle.idle_minutes} min after charging finished`,
            breakdown: { idle_minutes: idle.idle_minutes, billable_minutes: idle.billable_minutes },
            source_key: `idle:${facts.charging_session_id}`,
          });
      }
    }
    return charges;
  }

  /**
   * Records the charges not recorded yet and puts them on the invoice they belong to (see the top of
   * this file). Returns the charges that were new.
   */
  async function bill(tx: Tx, emit: Emit, charges: store.NewCharge[]): Promise<store.ChargeRow[]> {
    return (await billOnInvoice(tx, emit, charges)).created;
  }

  /** bill, answering also the invoice the new charges went on, as it now is (locked by this transaction). */
  async function billOnInvoice(
    tx: Tx,
    emit: Emit,
    charges: store.NewCharge[],
  ): Promise<{ created: store.ChargeRow[]; invoice: store.InvoiceRow | null }> {
    const now = clock.now();
    const created: store.ChargeRow[] = [];
    for (const charge of charges) {
      const row = await store.insertCharge(tx, charge, now);
      if (!row) continue;
      created.push(row);
      emitChargeCreated(emit, row);
    }
    const first = created[0];
    if (!first) return { created, invoice: null };
    const facility = (await facilityIn(tx, first.facility_id))!;
    const account = first.customer_id
      ? await store.findAccount(tx, first.tenant_id, first.customer_id)
      : null;
    const draft = {
      tenant_id: first.tenant_id,
      facility_id: first.facility_id,
      customer_id: first.customer_id,
      registration_number: first.registration_number,
      currency: first.currency,
      invoice_date: localParts(now, facility.timezone).date,
      parking_session_id: null,
      period_month: null,
    };
    let invoice: store.InvoiceRow | null = null;
    if (account?.billing_cycle === 'MONTHLY') {
      const month = `${localParts(first.occurred_at, facility.timezone).date.slice(0, 7)}-01`;
      invoice = await store.openDraft(
        tx,
        { ...draft, invoice_id: newId('invoice'), kind: 'MONTHLY', period_month: month },
        now,
      );
    } else if (first.parking_session_id) {
      const visit = await store.openDraft(
        tx,
        {
          ...draft,
          invoice_id: newId('invoice'),
          kind: 'VISIT',
          parking_session_id: first.parking_session_id,
        },
        now,
      );
      if (visit.status === 'DRAFT') invoice = visit;
    }
    invoice ??= await store.openDraft(tx, { ...draft, invoice_id: newId('invoice'), kind: 'SINGLE' }, now);
    for (const charge of created)
      invoice = await store.addLine(tx, invoice.invoice_id, charge, newId('lineItem'), now);
    if (invoice.kind === 'SINGLE') invoice = await issue(tx, emit, invoice.invoice_id, invoice);
    return { created, invoice };
  }

  /**
   * DRAFT → ISSUED (or PAID when nothing is owed), due after the customer's payment terms. `locked`:
   * the invoice as this transaction last wrote it, so it need not be locked and read again.
   */
  async function issue(
    tx: Tx,
    emit: Emit,
    invoiceId: string,
    locked?: store.InvoiceRow,
  ): Promise<store.InvoiceRow> {
    const now = clock.now();
    const invoice = locked ?? (await store.lockInvoice(tx, invoiceId))!;
    if (invoice.status !== 'DRAFT') return invoice;
    const facility = (await facilityIn(tx, invoice.facility_id))!;
    const account = invoice.customer_id
      ? await store.findAccount(tx, invoice.tenant_id, invoice.customer_id)
      : null;
    const today = localParts(now, facility.timezone).date;
    const due = addDays(today, account?.payment_terms_days ?? settings.paymentTermsDays);
    const status = settledStatus(invoice, due, today);
    const issued = await store.setInvoiceState(
      tx,
      invoiceId,
      {
        status,
        issue_date: now,
        invoice_date: today,
        due_date: due,
        ...(status === 'PAID' ? { paid_date: now } : {}),
      },
      now,
    );
    emitInvoiceIssued(emit, issued);
    return issued;
  }

  function chargingFactsOf(s: Awaited<ReturnType<ChargingClient['energy']>>): ChargingFacts {
    return {
      charging_session_id: s.charging_session_id,
      tenant_id: s.tenant_id,
      facility_id: s.facility_id,
      parking_session_id: s.parking_session_id,
      customer_id: s.customer_id,
      vehicle_type: s.vehicle_type ?? null,
      energy_delivered_kwh: s.energy_delivered_kwh,
      price_per_kwh: s.price_per_kwh,
      currency: s.currency,
      start_time: s.start_time,
      stop_time: s.stop_time!,
      charging_finished_at: s.charging_finished_at ?? null,
    };
  }

  /**
   * Issues a visit's draft once the car has left and its charging is over: bills charging sessions
   * that finished without their event reaching us yet. If the Charging service cannot be asked, the
   * draft waits for the sweep; after BILLING_VISIT_WAIT_MINUTES it is issued with what it has.
   */
  async function settleVisit(
    tx: Tx,
    emit: Emit,
    parkingSessionId: string,
    { electric = true }: { electric?: boolean } = {},
  ): Promise<void> {
    const invoice = await store.findVisitInvoice(tx, parkingSessionId, true);
    if (invoice?.status !== 'DRAFT') return;
    const parked = await store.findChargeBySource(tx, `parking:${parkingSessionId}`);
    if (!parked) return;
    await settleDraft(tx, emit, invoice, parked, electric);
  }

  /**
   * The exit's parking charge on the visit's draft, then the draft settled as settleVisit does,
   * from the draft and charge just written instead of reading them back.
   */
  async function billVisit(
    tx: Tx,
    emit: Emit,
    charge: store.NewCharge & { parking_session_id: string },
    { electric }: { electric: boolean },
  ): Promise<void> {
    const { created, invoice } = await billOnInvoice(tx, emit, [charge]);
    const parked = created[0];
    if (parked && invoice?.kind === 'VISIT' && invoice.status === 'DRAFT')
      await settleDraft(tx, emit, invoice, parked, electric);
    else await settleVisit(tx, emit, charge.parking_session_id, { electric });
  }

  /** settleVisit for a visit's draft (locked by this transaction) and its parking charge. */
  async function settleDraft(
    tx: Tx,
    emit: Emit,
    invoice: store.InvoiceRow,
    parked: store.ChargeRow,
    electric: boolean,
  ): Promise<void> {
    const parkingSessionId = parked.parking_session_id!;
    if (!electric) {
      await issue(tx, emit, invoice.invoice_id, invoice);
      return;
    }
    const waitedLongEnough =
      clock.now().getTime() - parked.created_at.getTime() >= settings.visitWaitMinutes * 60_000;
    let stillCharging: boolean;
    try {
      const sessions = await charging.sessionsOfParkingSession(parkingSessionId);
      stillCharging = sessions.some((s) => s.status === 'ACTIVE' || s.status === 'PAUSED');
      for (const s of sessions.filter(
        (s) => s.stop_time !== null && s.status !== 'ACTIVE' && s.status !== 'PAUSED',
      ))
        await bill(tx, emit, await chargingCharges(chargingFactsOf(s)));
    } catch (error) {
      runtime.logger.warn(
        { err: error, parking_session_id: parkingSessionId },
        'charging unreachable; invoice waits',
      );
      stillCharging = true;
    }
    if (!stillCharging || waitedLongEnough) await issue(tx, emit, invoice.invoice_id);
  }

  return {
    settings,
    facilityOf,
    parkingSessionFor,
    pricesFor,
    priceVisit,
    quoteVisit,
    parkingCharge,
    chargingCharges,
    chargingFactsOf,
    bill,
    billVisit,
    issue,
    settleVisit,
    baseCharge,
    energyOf: (chargingSessionId: string) => charging.energy(chargingSessionId),
    sessionsOfVisit: (parkingSessionId: string) => charging.sessionsOfParkingSession(parkingSessionId),
  };
}

export type ChargeOperations = ReturnType<typeof chargeOperations>;

/** A quote waits this long for its exit event (delivered within milliseconds unless the bus is down). */
const quoteKeptMs = 10 * 60_000;
const maxQuotesKept = 10_000;
