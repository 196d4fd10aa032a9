import type { Queryable, Tx } from '@easypark/platform';
import type { RevenueCategory } from './domain/ledger.ts';

// All SQL of the billing service. Money columns are integer minor units; dates are YYYY-MM-DD text.

export type ChargeType = 'PARKING' | 'CHARGING' | 'RESERVATION' | 'PENALTY';
export type InvoiceKind = 'VISIT' | 'MONTHLY' | 'SINGLE';
export type InvoiceStatus = 'DRAFT' | 'ISSUED' | 'PAID' | 'OVERDUE' | 'CANCELLED' | 'VOID';
export type PaymentMethod = 'CREDIT_CARD' | 'DEBIT_CARD' | 'DIGITAL_WALLET';

export interface FacilityRow {
  facility_id: string;
  tenant_id: string;
  name: string;
  timezone: string;
  currency: string;
}

export async function rememberFacility(db: Queryable, f: FacilityRow, now: Date): Promise<void> {
  await db.query(
    `INSERT INTO billing_facilities (facility_id, tenant_id, name, timezone, currency, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6)
     ON CONFLICT (facility_id) DO UPDATE SET name = $3, timezone = $4, currency = $5, updated_at = $6
     WHERE (billing_facilities.name, billing_facilities.timezone, billing_facilities.currency) IS DISTINCT FROM ($3, $4, $5)`,
    [f.facility_id, f.tenant_id, f.name, f.timezone, f.currency, now],
  );
}

export async function findFacility(db: Queryable, facilityId: string): Promise<FacilityRow | null> {
  const { rows } = await db.query<FacilityRow>(
    'SELECT facility_id, tenant_id, name, timezone, currency FROM billing_facilities WHERE facility_id = $1',
    [facilityId],
  );
  return rows[0] ?? null;
}

// ---- accounts

export interface AccountRow {
  tenant_id: string;
  customer_id: string;
  billing_cycle: 'PER_VISIT' | 'MONTHLY';
  payment_terms_days: number;
  updated_at: Date;
}

export async function findAccount(db: Queryable, tenantId: string, customerId: string) {
  const { rows } = await db.query<AccountRow>(
    'SELECT * FROM billing_accounts WHERE tenant_id = $1 AND customer_id = $2',
    [tenantId, customerId],
  );
  return rows[0] ?? null;
}

export async function saveAccount(
  db: Queryable,
  a: AccountRow & { updated_by: string },
): Promise<AccountRow> {
  const { rows } = await db.query<AccountRow>(
    `INSERT INTO billing_accounts (tenant_id, customer_id, billing_cycle, payment_terms_days, updated_at, updated_by)
     VALUES ($1, $2, $3, $4, $5, $6)
     ON CONFLICT (tenant_id, customer_id)
     DO UPDATE SET billing_cycle = $3, payment_terms_days = $4, updated_at = $5, updated_by = $6
     RETURNING *`,
    [a.tenant_id, a.customer_id, a.billing_cycle, a.payment_terms_days, a.updated_at, a.updated_by],
  );
  return rows[0]!;
}

// ---- charges

export interface ChargeRow {
  charge_id: string;
  tenant_id: string;
  facility_id: string;
  customer_id: string | null;
  registration_number: string | null;
  parking_session_id: string | null;
  charging_session_id: string | null;
  reservation_id: string | null;
  permit_id: string | null;
  charge_type: ChargeType;
  revenue_category: RevenueCategory;
  amount: number;
  discount_amount: number;
  currency: string;
  description: string;
  quantity: number;
  unit_price: number;
  breakdown: Record<string, unknown>;
  source_key: string;
  occurred_at: Date;
  created_at: Date;
}

export type NewCharge = Omit<ChargeRow, 'created_at'>;

/** Inserts the charge unless one with its source_key exists; null when it did. */
export async function insertCharge(db: Queryable, c: NewCharge, now: Date): Promise<ChargeRow | null> {
  const { rows } = await db.query<ChargeRow>(
    `INSERT INTO charges (charge_id, tenant_id, facility_id, customer_id, registration_number, parking_session_id,
       charging_session_id, reservation_id, permit_id, charge_type, revenue_category, amount, discount_amount,
       currency, description, quantity, unit_price, breakdown, source_key, occurred_at, created_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21)
     ON CONFLICT (source_key) DO NOTHING
     RETURNING *`,
    [
      c.charge_id,
      c.tenant_id,
      c.facility_id,
      c.customer_id,
      c.registration_number,
      c.parking_session_id,
      c.charging_session_id,
      c.reservation_id,
      c.permit_id,
      c.charge_type,
      c.revenue_category,
      c.amount,
      c.discount_amount,
      c.currency,
      c.description,
      c.quantity,
      c.unit_price,
      JSON.stringify(c.breakdown),
      c.source_key,
      c.occurred_at,
      now,
    ],
  );
  return rows[0] ?? null;
}

export async function findCharge(db: Queryable, chargeId: string): Promise<ChargeRow | null> {
  const { rows } = await db.query<ChargeRow>('SELECT * FROM charges WHERE charge_id = $1', [chargeId]);
  return rows[0] ?? null;
}

export async function findChargeBySource(db: Queryable, sourceKey: string): Promise<ChargeRow | null> {
  const { rows } = await db.query<ChargeRow>('SELECT * FROM charges WHERE source_key = $1', [sourceKey]);
  return rows[0] ?? null;
}

export async function chargesOfVisit(db: Queryable, parkingSessionId: string): Promise<ChargeRow[]> {
  const { rows } = await db.query<ChargeRow>(
    'SELECT * FROM charges WHERE parking_session_id = $1 ORDER BY created_at, charge_id',
    [parkingSessionId],
  );
  return rows;
}

// ---- invoices

export interface InvoiceRow {
  invoice_id: string;
  tenant_id: string;
  facility_id: string;
  customer_id: string | null;
  registration_number: string | null;
  kind: InvoiceKind;
  parking_session_id: string | null;
  period_month: string | null;
  invoice_date: string;
  due_date: string | null;
  total_amount: number;
  amount_credited: number;
  amount_paid: number;
  amount_refunded: number;
  currency: string;
  status: InvoiceStatus;
  issue_date: Date | null;
  paid_date: Date | null;
  created_at: Date;
  updated_at: Date;
}

const invoiceColumnsOf = (t: string) => `${t}invoice_id, ${t}tenant_id, ${t}facility_id, ${t}customer_id,
  ${t}registration_number, ${t}kind, ${t}parking_session_id, ${t}period_month::text AS period_month,
  ${t}invoice_date::text AS invoice_date, ${t}due_date::text AS due_date, ${t}total_amount, ${t}amount_credited,
  ${t}amount_paid, ${t}amount_refunded, ${t}currency, ${t}status, ${t}issue_date, ${t}paid_date, ${t}created_at,
  ${t}updated_at`;
const invoiceColumns = invoiceColumnsOf('');

export type NewInvoice = Pick<
  InvoiceRow,
  | 'invoice_id'
  | 'tenant_id'
  | 'facility_id'
  | 'customer_id'
  | 'registration_number'
  | 'kind'
  | 'parking_session_id'
  | 'period_month'
  | 'invoice_date'
  | 'currency'
>;

/** Creates a draft; when a draft for the same visit or month exists (a race), returns that one. */
export async function openDraft(tx: Tx, i: NewInvoice, now: Date): Promise<InvoiceRow> {
  const inserted = await tx.query<InvoiceRow>(
    `INSERT INTO invoices (invoice_id, tenant_id, facility_id, customer_id, registration_number, kind,
       parking_session_id, period_month, invoice_date, currency, status, created_at, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'DRAFT', $11, $11)
     ON CONFLICT DO NOTHING
     RETURNING ${invoiceColumns}`,
    [
      i.invoice_id,
      i.tenant_id,
      i.facility_id,
      i.customer_id,
      i.registration_number,
      i.kind,
      i.parking_session_id,
      i.period_month,
      i.invoice_date,
      i.currency,
      now,
    ],
  );
  if (inserted.rows[0]) return inserted.rows[0];
  // A visit's draft may have been opened by its charging, which does not know the plate: the
  // parking charge that follows brings it.
  const existing =
    i.kind === 'VISIT'
      ? await tx.query<InvoiceRow>(
          `UPDATE invoices SET registration_number = COALESCE(registration_number, $2)
           WHERE kind = 'VISIT' AND parking_session_id = $1
           RETURNING ${invoiceColumns}`,
          [i.parking_session_id, i.registration_number],
        )
      : await tx.query<InvoiceRow>(
          `SELECT ${invoiceColumns} FROM invoices
           WHERE kind = 'MONTHLY' AND status = 'DRAFT' AND customer_id = $1 AND facility_id = $2 AND period_month = $3
           FOR UPDATE`,
          [i.customer_id, i.facility_id, i.period_month],
        );
  return existing.rows[0]!;
}

export async function findVisitInvoice(db: Queryable, parkingSessionId: string, lock = false) {
  const { rows } = await db.query<InvoiceRow>(
    `SELECT ${invoiceColumns} FROM invoices WHERE kind = 'VISIT' AND parking_session_id = $1${lock ? ' FOR UPDATE' : ''}`,
    [parkingSessionId],
  );
  return rows[0] ?? null;
}

export async function findMonthlyDraft(
  tx: Tx,
  customerId: string,
  facilityId: string,
  month: string,
): Promise<InvoiceRow | null> {
  const { rows } = await tx.query<InvoiceRow>(
    `SELECT ${invoiceColumns} FROM invoices
     WHERE kind = 'MONTHLY' AND status = 'DRAFT' AND customer_id = $1 AND facility_id = $2 AND period_month = $3
     FOR UPDATE`,
    [customerId, facilityId, month],
  );
  return rows[0] ?? null;
}

export async function findInvoice(db: Queryable, invoiceId: string): Promise<InvoiceRow | null> {
  const { rows } = await db.query<InvoiceRow>(
    `SELECT ${invoiceColumns} FROM invoices WHERE invoice_id = $1`,
    [invoiceId],
  );
  return rows[0] ?? null;
}

export async function lockInvoice(tx: Tx, invoiceId: string): Promise<InvoiceRow | null> {
  const { rows } = await tx.query<InvoiceRow>(
    `SELECT ${invoiceColumns} FROM invoices WHERE invoice_id = $1 FOR UPDATE`,
    [invoiceId],
  );
  return rows[0] ?? null;
}

export interface LineRow {
  line_item_id: string;
  invoice_id: string;
  charge_id: string;
  charge_type: ChargeType;
  revenue_category: RevenueCategory;
  description: string;
  quantity: number;
  unit_price: number;
  total_amount: number;
  created_at: Date;
}

/**
 * Adds a charge as a line of a draft and raises the draft's total by it, in one statement of the
 * caller's transaction. Answers the draft as it now is.
 */
export async function addLine(
  tx: Tx,
  invoiceId: string,
  charge: ChargeRow,
  lineId: string,
  now: Date,
): Promise<InvoiceRow> {
  const { rows } = await tx.query<InvoiceRow>(
    `WITH line AS (
       INSERT INTO invoice_line_items (line_item_id, invoice_id, charge_id, charge_type, description, quantity,
         unit_price, total_amount, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
       RETURNING invoice_id, total_amount
     )
     UPDATE invoices SET total_amount = invoices.total_amount + line.total_amount, updated_at = $9
     FROM line WHERE invoices.invoice_id = line.invoice_id
     RETURNING ${invoiceColumnsOf('invoices.')}`,
    [
      lineId,
      invoiceId,
      charge.charge_id,
      charge.charge_type,
      charge.description,
      charge.quantity,
      charge.unit_price,
      charge.amount,
      now,
    ],
  );
  return rows[0]!;
}

export async function linesOf(db: Queryable, invoiceIds: string[]): Promise<LineRow[]> {
  if (invoiceIds.length === 0) return [];
  const { rows } = await db.query<LineRow>(
    `SELECT l.*, c.revenue_category FROM invoice_line_items l JOIN charges c ON c.charge_id = l.charge_id
     WHERE l.invoice_id = ANY($1) ORDER BY l.created_at, l.line_item_id`,
    [invoiceIds],
  );
  return rows;
}

export async function setInvoiceState(
  tx: Tx,
  invoiceId: string,
  change: Partial<
    Pick<
      InvoiceRow,
      | 'status'
      | 'issue_date'
      | 'due_date'
      | 'paid_date'
      | 'amount_paid'
      | 'amount_refunded'
      | 'amount_credited'
      | 'invoice_date'
    >
  >,
  now: Date,
): Promise<InvoiceRow> {
  const fields = Object.keys(change) as (keyof typeof change)[];
  const sets = fields.map((f, i) => `${f} = $${i + 3}`);
  const { rows } = await tx.query<InvoiceRow>(
    `UPDATE invoices SET ${[...sets, 'updated_at = $2'].join(', ')} WHERE invoice_id = $1 RETURNING ${invoiceColumns}`,
    [invoiceId, now, ...fields.map((f) => change[f])],
  );
  return rows[0]!;
}

export interface InvoiceFilter {
  tenantId?: string;
  customerId?: string;
  facilityId?: string;
  registrationNumber?: string;
  status?: InvoiceStatus;
  fromDate?: string;
  toDate?: string;
  after?: string;
  limit: number;
}

/** Newest first. */
export async function listInvoices(db: Queryable, f: InvoiceFilter): Promise<InvoiceRow[]> {
  const where: string[] = [];
  const values: unknown[] = [];
  const add = (sql: string, value: unknown) => {
    values.push(value);
    where.push(sql.replace('?', `$${values.length}`));
  };
  if (f.tenantId !== undefined) add('tenant_id = ?', f.tenantId);
  if (f.customerId !== undefined) add('customer_id = ?', f.customerId);
  if (f.facilityId !== undefined) add('facility_id = ?', f.facilityId);
  if (f.registrationNumber !== undefined) add('registration_number = ?', f.registrationNumber);
  if (f.status !== undefined) add('status = ?', f.status);
  if (f.fromDate !== undefined) add('invoice_date >= ?', f.fromDate);
  if (f.toDate !== undefined) add('invoice_date <= ?', f.toDate);
  if (f.after !== undefined) add('invoice_id < ?', f.after);
  values.push(f.limit);
  const { rows } = await db.query<InvoiceRow>(
    `SELECT ${invoiceColumns} FROM invoices ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
     ORDER BY invoice_id DESC LIMIT $${values.length}`,
    values,
  );
  return rows;
}

/** The parking sessions of visit drafts whose car has left (a parking charge is on them), oldest first. */
export async function visitsAwaitingIssue(db: Queryable, limit: number): Promise<string[]> {
  const { rows } = await db.query<{ parking_session_id: string }>(
    `SELECT i.parking_session_id
     FROM invoices i JOIN charges c ON c.parking_session_id = i.parking_session_id AND c.charge_type = 'PARKING'
     WHERE i.kind = 'VISIT' AND i.status = 'DRAFT'
     ORDER BY c.created_at LIMIT $1`,
    [limit],
  );
  return rows.map((r) => r.parking_session_id);
}

/** Monthly drafts whose month has ended in their facility's time zone. */
export async function monthlyDraftsDue(db: Queryable, now: Date): Promise<string[]> {
  const { rows } = await db.query<{ invoice_id: string }>(
    `SELECT i.invoice_id FROM invoices i JOIN billing_facilities f ON f.facility_id = i.facility_id
     WHERE i.kind = 'MONTHLY' AND i.status = 'DRAFT'
       AND (i.period_month + interval '1 month')::date <= ($1::timestamptz AT TIME ZONE f.timezone)::date`,
    [now],
  );
  return rows.map((r) => r.invoice_id);
}

/** Issued invoices past their due date in their facility's time zone become OVERDUE. */
export async function markOverdue(db: Queryable, now: Date) {
  const { rows } = await db.query<{ invoice_id: string }>(
    `UPDATE invoices i SET status = 'OVERDUE', updated_at = $1
     FROM billing_facilities f
     WHERE f.facility_id = i.facility_id AND i.status = 'ISSUED'
       AND i.due_date < ($1::timestamptz AT TIME ZONE f.timezone)::date
     RETURNING i.invoice_id`,
    [now],
  );
  return rows.map((r) => r.invoice_id);
}

// ---- credit notes

export interface CreditNoteRow {
  credit_note_id: string;
  invoice_id: string;
  amount: number;
  currency: string;
  reason: string;
  created_by: string;
  created_at: Date;
}

export async function insertCreditNote(tx: Tx, c: CreditNoteRow): Promise<void> {
  await tx.query(
    `INSERT INTO credit_notes (credit_note_id, invoice_id, amount, currency, reason, created_by, created_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7)`,
    [c.credit_note_id, c.invoice_id, c.amount, c.currency, c.reason, c.created_by, c.created_at],
  );
}

export async function creditNotesOf(db: Queryable, invoiceId: string): Promise<CreditNoteRow[]> {
  const { rows } = await db.query<CreditNoteRow>(
    'SELECT * FROM credit_notes WHERE invoice_id = $1 ORDER BY created_at',
    [invoiceId],
  );
  return rows;
}

// ---- payments and refunds

export interface PaymentRow {
  payment_id: string;
  invoice_id: string;
  tenant_id: string;
  facility_id: string;
  customer_id: string | null;
  amount: number;
  refunded_amount: number;
  currency: string;
  payment_method: PaymentMethod;
  processor: string;
  payment_processor_id: string | null;
  card_brand: string | null;
  last4: string | null;
  status: 'PENDING' | 'COMPLETED' | 'FAILED' | 'REFUNDED';
  failure_code: string | null;
  failure_message: string | null;
  transaction_date: Date;
  confirmation_code: string | null;
  created_by: string;
  created_at: Date;
  updated_at: Date;
}

export async function insertPayment(
  tx: Tx,
  p: Pick<
    PaymentRow,
    | 'payment_id'
    | 'invoice_id'
    | 'tenant_id'
    | 'facility_id'
    | 'customer_id'
    | 'amount'
    | 'currency'
    | 'payment_method'
    | 'processor'
    | 'created_by'
  >,
  now: Date,
): Promise<void> {
  await tx.query(
    `INSERT INTO payments (payment_id, invoice_id, tenant_id, facility_id, customer_id, amount, currency,
       payment_method, processor, status, transaction_date, created_by, created_at, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'PENDING', $10, $11, $10, $10)`,
    [
      p.payment_id,
      p.invoice_id,
      p.tenant_id,
      p.facility_id,
      p.customer_id,
      p.amount,
      p.currency,
      p.payment_method,
      p.processor,
      now,
      p.created_by,
    ],
  );
}

/** Settles a pending payment; null when it was no longer pending (another attempt settled it). */
export async function settlePayment(
  tx: Tx,
  paymentId: string,
  outcome: Pick<
    PaymentRow,
    | 'status'
    | 'payment_processor_id'
    | 'card_brand'
    | 'last4'
    | 'failure_code'
    | 'failure_message'
    | 'confirmation_code'
  >,
  now: Date,
): Promise<PaymentRow | null> {
  const { rows } = await tx.query<PaymentRow>(
    `UPDATE payments SET status = $2, payment_processor_id = $3, card_brand = $4, last4 = $5, failure_code = $6,
       failure_message = $7, confirmation_code = $8, transaction_date = $9, updated_at = $9
     WHERE payment_id = $1 AND status = 'PENDING' RETURNING *`,
    [
      paymentId,
      outcome.status,
      outcome.payment_processor_id,
      outcome.card_brand,
      outcome.last4,
      outcome.failure_code,
      outcome.failure_message,
      outcome.confirmation_code,
      now,
    ],
  );
  return rows[0] ?? null;
}

export async function findPayment(db: Queryable, paymentId: string): Promise<PaymentRow | null> {
  const { rows } = await db.query<PaymentRow>('SELECT * FROM payments WHERE payment_id = $1', [paymentId]);
  return rows[0] ?? null;
}

export async function lockPayment(tx: Tx, paymentId: string): Promise<PaymentRow | null> {
  const { rows } = await tx.query<PaymentRow>('SELECT * FROM payments WHERE payment_id = $1 FOR UPDATE', [
    paymentId,
  ]);
  return rows[0] ?? null;
}

export async function paymentsOf(db: Queryable, invoiceId: string): Promise<PaymentRow[]> {
  const { rows } = await db.query<PaymentRow>(
    'SELECT * FROM payments WHERE invoice_id = $1 ORDER BY created_at, payment_id',
    [invoiceId],
  );
  return rows;
}

/** What pending payments of an invoice hold back from its balance. */
export async function pendingPaymentTotal(tx: Tx, invoiceId: string): Promise<number> {
  const { rows } = await tx.query<{ total: number }>(
    `SELECT COALESCE(sum(amount), 0)::bigint AS total FROM payments WHERE invoice_id = $1 AND status = 'PENDING'`,
    [invoiceId],
  );
  return rows[0]!.total;
}

export async function addRefunded(tx: Tx, paymentId: string, amount: number, now: Date): Promise<PaymentRow> {
  const { rows } = await tx.query<PaymentRow>(
    `UPDATE payments SET refunded_amount = refunded_amount + $2,
       status = CASE WHEN refunded_amount + $2 = amount THEN 'REFUNDED' ELSE status END, updated_at = $3
     WHERE payment_id = $1 RETURNING *`,
    [paymentId, amount, now],
  );
  return rows[0]!;
}

export async function abandonStalePayments(db: Queryable, before: Date, now: Date): Promise<number> {
  const result = await db.query(
    `UPDATE payments SET status = 'FAILED', failure_code = 'abandoned',
       failure_message = 'The processor never answered; no money was taken', updated_at = $2
     WHERE status = 'PENDING' AND created_at < $1`,
    [before, now],
  );
  return result.rowCount ?? 0;
}

export interface RefundRow {
  refund_id: string;
  payment_id: string;
  invoice_id: string;
  amount: number;
  currency: string;
  reason: string;
  status: 'PENDING' | 'COMPLETED' | 'FAILED';
  processor_refund_id: string | null;
  failure_message: string | null;
  created_by: string;
  created_at: Date;
  updated_at: Date;
}

export async function insertRefund(
  tx: Tx,
  r: Pick<
    RefundRow,
    'refund_id' | 'payment_id' | 'invoice_id' | 'amount' | 'currency' | 'reason' | 'created_by'
  >,
  now: Date,
): Promise<void> {
  await tx.query(
    `INSERT INTO refunds (refund_id, payment_id, invoice_id, amount, currency, reason, status, created_by,
       created_at, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6, 'PENDING', $7, $8, $8)`,
    [r.refund_id, r.payment_id, r.invoice_id, r.amount, r.currency, r.reason, r.created_by, now],
  );
}

export async function pendingRefundTotal(tx: Tx, paymentId: string): Promise<number> {
  const { rows } = await tx.query<{ total: number }>(
    `SELECT COALESCE(sum(amount), 0)::bigint AS total FROM refunds WHERE payment_id = $1 AND status = 'PENDING'`,
    [paymentId],
  );
  return rows[0]!.total;
}

export async function settleRefund(
  tx: Tx,
  refundId: string,
  outcome: Pick<RefundRow, 'status' | 'processor_refund_id' | 'failure_message'>,
  now: Date,
): Promise<RefundRow | null> {
  const { rows } = await tx.query<RefundRow>(
    `UPDATE refunds SET status = $2, processor_refund_id = $3, failure_message = $4, updated_at = $5
     WHERE refund_id = $1 AND status = 'PENDING' RETURNING *`,
    [refundId, outcome.status, outcome.processor_refund_id, outcome.failure_message, now],
  );
  return rows[0] ?? null;
}

export async function findRefund(db: Queryable, refundId: string): Promise<RefundRow | null> {
  const { rows } = await db.query<RefundRow>('SELECT * FROM refunds WHERE refund_id = $1', [refundId]);
  return rows[0] ?? null;
}

// ---- revenue

export interface RevenueDelta {
  summary_id: string;
  facility_id: string;
  tenant_id: string;
  report_date: string;
  currency: string;
  parking: number;
  charging: number;
  reservation: number;
  transactions: number;
}

export async function addRevenue(tx: Tx, d: RevenueDelta, now: Date): Promise<void> {
  const total = d.parking + d.charging + d.reservation;
  await tx.query(
    `INSERT INTO revenue_summary (summary_id, facility_id, tenant_id, report_date, currency, parking_revenue,
       charging_revenue, reservation_revenue, total_revenue, transaction_count, created_at, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11)
     ON CONFLICT (facility_id, report_date) DO UPDATE SET
       parking_revenue = revenue_summary.parking_revenue + $6,
       charging_revenue = revenue_summary.charging_revenue + $7,
       reservation_revenue = revenue_summary.reservation_revenue + $8,
       total_revenue = revenue_summary.total_revenue + $9,
       transaction_count = revenue_summary.transaction_count + $10,
       published_at = NULL,
       updated_at = $11`,
    [
      d.summary_id,
      d.facility_id,
      d.tenant_id,
      d.report_date,
      d.currency,
      d.parking,
      d.charging,
      d.reservation,
      total,
      d.transactions,
      now,
    ],
  );
}

export interface RevenueRow {
  date: string;
  currency: string;
  parking_revenue: number;
  charging_revenue: number;
  reservation_revenue: number;
  total_revenue: number;
  transaction_count: number;
}

/** Rows per local day, ISO week (starting Monday) or month, oldest first. */
export async function revenue(
  db: Queryable,
  facilityId: string,
  from: string,
  to: string,
  grouping: 'DAILY' | 'WEEKLY' | 'MONTHLY',
): Promise<RevenueRow[]> {
  const bucket = { DAILY: 'day', WEEKLY: 'week', MONTHLY: 'month' }[grouping];
  const { rows } = await db.query<RevenueRow>(
    `SELECT date_trunc('${bucket}', report_date)::date::text AS date, min(currency) AS currency,
       sum(parking_revenue)::bigint AS parking_revenue, sum(charging_revenue)::bigint AS charging_revenue,
       sum(reservation_revenue)::bigint AS reservation_revenue, sum(total_revenue)::bigint AS total_revenue,
       sum(transaction_count)::bigint AS transaction_count
     FROM revenue_summary WHERE facility_id = $1 AND report_date BETWEEN $2 AND $3
     GROUP BY 1 ORDER BY 1`,
    [facilityId, from, to],
  );
  return rows;
}

/** Finished local days whose revenue has not been published since it last changed. */
export async function revenueToPublish(db: Queryable, now: Date) {
  const { rows } = await db.query<{
    summary_id: string;
    facility_id: string;
    tenant_id: string;
    report_date: string;
    currency: string;
    total_revenue: number;
    transaction_count: number;
  }>(
    `SELECT r.summary_id, r.facility_id, r.tenant_id, r.report_date::text AS report_date, r.currency,
       r.total_revenue, r.transaction_count
     FROM revenue_summary r JOIN billing_facilities f ON f.facility_id = r.facility_id
     WHERE r.published_at IS NULL AND r.report_date < ($1::timestamptz AT TIME ZONE f.timezone)::date
     ORDER BY r.report_date LIMIT 500`,
    [now],
  );
  return rows;
}

export async function markPublished(tx: Tx, summaryId: string, now: Date): Promise<void> {
  await tx.query('UPDATE revenue_summary SET published_at = $2 WHERE summary_id = $1', [summaryId, now]);
}

// ---- customer summary

export async function customerSpend(
  db: Queryable,
  customerId: string,
  tenantId: string | undefined,
  since: Date,
) {
  const { rows } = await db.query<{ currency: string; kept: number; payments: number }>(
    `SELECT currency, sum(amount - refunded_amount)::bigint AS kept, count(*)::int AS payments
     FROM payments WHERE customer_id = $1 AND status IN ('COMPLETED', 'REFUNDED') AND transaction_date >= $2
       ${tenantId ? 'AND tenant_id = $3' : ''}
     GROUP BY currency ORDER BY kept DESC`,
    tenantId ? [customerId, since, tenantId] : [customerId, since],
  );
  return rows;
}

export async function customerPayments(
  db: Queryable,
  customerId: string,
  tenantId: string | undefined,
  limit: number,
): Promise<PaymentRow[]> {
  const { rows } = await db.query<PaymentRow>(
    `SELECT * FROM payments WHERE customer_id = $1 ${tenantId ? 'AND tenant_id = $3' : ''}
     ORDER BY transaction_date DESC LIMIT $2`,
    tenantId ? [customerId, limit, tenantId] : [customerId, limit],
  );
  return rows;
}

export async function activeInvoices(db: Queryable, customerId: string, tenantId: string | undefined) {
  const { rows } = await db.query<InvoiceRow>(
    `SELECT ${invoiceColumns} FROM invoices
     WHERE customer_id = $1 AND status IN ('ISSUED', 'OVERDUE') ${tenantId ? 'AND tenant_id = $2' : ''}
     ORDER BY due_date, invoice_id`,
    tenantId ? [customerId, tenantId] : [customerId],
  );
  return rows;
}

// ---- permits

export interface PermitRow {
  permit_id: string;
  tenant_id: string;
  facility_id: string;
  customer_id: string | null;
  registration_number: string;
  valid_from: Date;
  valid_until: Date;
  charge_id: string | null;
  status: 'ACTIVE' | 'CANCELLED';
  created_by: string;
  created_at: Date;
}

export async function insertPermit(tx: Tx, p: PermitRow): Promise<void> {
  await tx.query(
    `INSERT INTO permits (permit_id, tenant_id, facility_id, customer_id, registration_number, valid_from,
       valid_until, charge_id, status, created_by, created_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
    [
      p.permit_id,
      p.tenant_id,
      p.facility_id,
      p.customer_id,
      p.registration_number,
      p.valid_from,
      p.valid_until,
      p.charge_id,
      p.status,
      p.created_by,
      p.created_at,
    ],
  );
}

export async function setPermitCharge(tx: Tx, permitId: string, chargeId: string): Promise<void> {
  await tx.query('UPDATE permits SET charge_id = $2 WHERE permit_id = $1', [permitId, chargeId]);
}

/** Active permits of a plate at a facility that overlap [from, to). */
export async function permitsDuring(
  db: Queryable,
  facilityId: string,
  registrationNumber: string,
  from: Date,
  to: Date,
): Promise<PermitRow[]> {
  const { rows } = await db.query<PermitRow>(
    `SELECT * FROM permits WHERE facility_id = $1 AND registration_number = $2 AND status = 'ACTIVE'
       AND valid_from < $4 AND valid_until > $3 ORDER BY valid_from`,
    [facilityId, registrationNumber, from, to],
  );
  return rows;
}

export async function listPermits(
  db: Queryable,
  f: { tenantId?: string; customerId?: string; facilityId?: string; registrationNumber?: string },
): Promise<PermitRow[]> {
  const where: string[] = [];
  const values: unknown[] = [];
  for (const [column, value] of [
    ['tenant_id', f.tenantId],
    ['customer_id', f.customerId],
    ['facility_id', f.facilityId],
    ['registration_number', f.registrationNumber],
  ] as const) {
    if (value === undefined) continue;
    values.push(value);
    where.push(`${column} = $${values.length}`);
  }
  const { rows } = await db.query<PermitRow>(
    `SELECT * FROM permits ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY valid_from DESC LIMIT 500`,
    values,
  );
  return rows;
}

// ---- promo codes and validations

export interface PromoRow {
  promo_id: string;
  tenant_id: string;
  facility_id: string | null;
  code: string;
  kind: 'PERCENTAGE' | 'FIXED';
  percent_off: number | null;
  amount_off: number | null;
  currency: string | null;
  valid_from: Date;
  valid_until: Date;
  max_uses: number | null;
  used_count: number;
  active: boolean;
  created_by: string;
  created_at: Date;
}

export async function insertPromo(db: Queryable, p: PromoRow): Promise<void> {
  await db.query(
    `INSERT INTO promo_codes (promo_id, tenant_id, facility_id, code, kind, percent_off, amount_off, currency,
       valid_from, valid_until, max_uses, used_count, active, created_by, created_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 0, true, $12, $13)`,
    [
      p.promo_id,
      p.tenant_id,
      p.facility_id,
      p.code,
      p.kind,
      p.percent_off,
      p.amount_off,
      p.currency,
      p.valid_from,
      p.valid_until,
      p.max_uses,
      p.created_by,
      p.created_at,
    ],
  );
}

export async function findPromo(db: Queryable, promoId: string): Promise<PromoRow | null> {
  const { rows } = await db.query<PromoRow>('SELECT * FROM promo_codes WHERE promo_id = $1', [promoId]);
  return rows[0] ?? null;
}

export async function findPromoByCode(tx: Tx, tenantId: string, code: string): Promise<PromoRow | null> {
  const { rows } = await tx.query<PromoRow>(
    'SELECT * FROM promo_codes WHERE tenant_id = $1 AND code = $2 FOR UPDATE',
    [tenantId, code],
  );
  return rows[0] ?? null;
}

export async function listPromos(db: Queryable, tenantId: string | undefined): Promise<PromoRow[]> {
  const { rows } = await db.query<PromoRow>(
    `SELECT * FROM promo_codes ${tenantId ? 'WHERE tenant_id = $1' : ''} ORDER BY created_at DESC LIMIT 500`,
    tenantId ? [tenantId] : [],
  );
  return rows;
}

export async function deactivatePromo(db: Queryable, promoId: string): Promise<PromoRow> {
  const { rows } = await db.query<PromoRow>(
    'UPDATE promo_codes SET active = false WHERE promo_id = $1 RETURNING *',
    [promoId],
  );
  return rows[0]!;
}

/** Counts one use; false when the usage limit was reached (the row check refuses more). */
export async function usePromo(tx: Tx, promoId: string): Promise<boolean> {
  const result = await tx.query(
    `UPDATE promo_codes SET used_count = used_count + 1
     WHERE promo_id = $1 AND (max_uses IS NULL OR used_count < max_uses)`,
    [promoId],
  );
  return result.rowCount === 1;
}

export async function insertRedemption(
  tx: Tx,
  r: { parking_session_id: string; promo_id: string; tenant_id: string; customer_id: string | null },
  by: string,
  now: Date,
): Promise<boolean> {
  const result = await tx.query(
    `INSERT INTO promo_redemptions (parking_session_id, promo_id, tenant_id, customer_id, redeemed_by, redeemed_at)
     VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING`,
    [r.parking_session_id, r.promo_id, r.tenant_id, r.customer_id, by, now],
  );
  return result.rowCount === 1;
}

export async function promoOfVisit(db: Queryable, parkingSessionId: string): Promise<PromoRow | null> {
  const { rows } = await db.query<PromoRow>(
    `SELECT p.* FROM promo_redemptions r JOIN promo_codes p ON p.promo_id = r.promo_id
     WHERE r.parking_session_id = $1`,
    [parkingSessionId],
  );
  return rows[0] ?? null;
}

export interface ValidationRow {
  validation_id: string;
  tenant_id: string;
  facility_id: string;
  parking_session_id: string;
  merchant_name: string;
  free_minutes: number;
  created_by: string;
  created_at: Date;
}

export async function insertValidation(db: Queryable, v: ValidationRow): Promise<void> {
  await db.query(
    `INSERT INTO merchant_validations (validation_id, tenant_id, facility_id, parking_session_id, merchant_name,
       free_minutes, created_by, created_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
    [
      v.validation_id,
      v.tenant_id,
      v.facility_id,
      v.parking_session_id,
      v.merchant_name,
      v.free_minutes,
      v.created_by,
      v.created_at,
    ],
  );
}

export async function validationsOfVisit(db: Queryable, parkingSessionId: string): Promise<ValidationRow[]> {
  const { rows } = await db.query<ValidationRow>(
    'SELECT * FROM merchant_validations WHERE parking_session_id = $1 ORDER BY created_at',
    [parkingSessionId],
  );
  return rows;
}
