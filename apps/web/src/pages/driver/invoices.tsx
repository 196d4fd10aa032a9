import { type FormEvent, useEffect, useId, useRef, useState } from 'react';
import { Empty, Loading } from '../../components.tsx';
import { useAsync } from '../../hooks.ts';
import { api, apiAll } from '../../lib/api.ts';
import { formatMoney } from '../../lib/money.ts';
import { Link } from '../../router.tsx';
import { type Attempt, attemptFor, outcomeUnknown, sandboxCards } from './attempts.ts';
import { failureOf, newIdempotencyKey, useFacilities } from './data.ts';
import {
  type Facility,
  groupInvoices,
  type Invoice,
  invoiceStatusWords,
  isPayable,
  type Payment,
} from './model.ts';
import { formatDate, formatDateTime } from './time.ts';
import { DriverError } from './ui.tsx';
import { safeRetryWords } from './words.ts';

/** POST /billing/invoices/{id}/pay answers the payment with the invoice's state after it. */
type PaymentAnswer = Payment & { invoice_status: Invoice['status']; balance_due: number };

export function InvoicesPage() {
  const id = useId();
  const facilities = useFacilities();
  // Asked again every 15 s: a visit that just ended is billed a moment after the car has left.
  const invoices = useAsync((signal) => apiAll<Invoice>('billing/invoices?limit=100', signal), [], 15_000);
  const [notice, setNotice] = useState<string | null>(null);
  const noticeRef = useRef<HTMLParagraphElement>(null);
  const groups = invoices.data && facilities.settled ? groupInvoices(invoices.data) : null;

  // The paid invoice moves to the other list: the reader is taken to the receipt instead.
  useEffect(() => {
    if (notice) noticeRef.current?.focus();
  }, [notice]);

  function paid(payment: PaymentAnswer) {
    const card =
      payment.card_brand && payment.last4
        ? ` with ${brandName(payment.card_brand)} ending ${payment.last4}`
        : '';
    setNotice(
      `Paid ${formatMoney(payment.amount, payment.currency)}${card}. ` +
        `Payment confirmation code ${payment.confirmation_code ?? '—'}.` +
        (payment.balance_due > 0
          ? ` ${formatMoney(payment.balance_due, payment.currency)} is left to pay.`
          : ''),
    );
    invoices.reload();
  }

  const item = (invoice: Invoice) => (
    <li key={invoice.invoice_id}>
      <InvoiceItem
        invoice={invoice}
        facility={facilities.byId.get(invoice.facility_id)}
        name={facilities.nameOf(invoice.facility_id)}
        onPaid={paid}
      />
    </li>
  );

  return (
    <div className="driver-stack">
      <section aria-labelledby={`${id}-title`}>
        <div className="page-head">
          <h1 id={`${id}-title`} tabIndex={-1}>
            My invoices
          </h1>
          <p className="lede">
            An invoice is made when you leave a car park. Payments here use sandbox test cards.
          </p>
        </div>
        {notice && (
          <p className="notice notice-ok" role="status" tabIndex={-1} ref={noticeRef}>
            {notice}
          </p>
        )}
        {!groups && !invoices.error && <Loading>Loading your invoices…</Loading>}
        <DriverError error={invoices.error} retry={invoices.reload} />
        {groups && invoices.data?.length === 0 && (
          <Empty>
            <span>
              No invoices yet. You get one when you leave a car park; see{' '}
              <Link href="/parking">Parking now</Link>.
            </span>
          </Empty>
        )}
      </section>
      {groups && (invoices.data?.length ?? 0) > 0 && (
        <>
          <section className="panel" aria-labelledby={`${id}-due`}>
            <h2 id={`${id}-due`}>To pay</h2>
            {groups.toPay.length === 0 ? (
              <Empty>Nothing to pay.</Empty>
            ) : (
              <ul className="items">{groups.toPay.map(item)}</ul>
            )}
          </section>
          {groups.others.length > 0 && (
            <section className="panel" aria-labelledby={`${id}-others`}>
              <h2 id={`${id}-others`}>Paid and other invoices</h2>
              <ul className="items">{groups.others.map(item)}</ul>
            </section>
          )}
        </>
      )}
    </div>
  );
}

function InvoiceItem({
  invoice: i,
  facility,
  name,
  onPaid,
}: {
  invoice: Invoice;
  facility: Facility | undefined;
  name: string;
  onPaid(payment: PaymentAnswer): void;
}) {
  const id = useId();
  const [paying, setPaying] = useState(false);
  const [showReceipt, setShowReceipt] = useState(false);
  const payable = isPayable(i);
  const money = (amount: number) => formatMoney(amount, i.currency);
  const statusClass =
    i.status === 'PAID'
      ? 'badge-live'
      : i.status === 'OVERDUE'
        ? 'badge-failed'
        : payable
          ? 'badge-warn'
          : '';

  return (
    <article className="item" aria-labelledby={`${id}-name`}>
      <div className="item-head">
        <h3 id={`${id}-name`}>{name}</h3>
        <span className={`badge ${statusClass}`}>{invoiceStatusWords(i)}</span>
      </div>
      <p className="small muted">
        {i.kind === 'VISIT' ? 'Visit' : 'Invoice'} on {formatDate(`${i.invoice_date}T12:00:00Z`, 'UTC')}
        {i.registration_number && ` · ${i.registration_number}`}
        {payable && i.due_date && ` · due by ${formatDate(`${i.due_date}T12:00:00Z`, 'UTC')}`}
        {i.paid_date && ` · paid ${formatDateTime(i.paid_date, facility?.timezone)}`}
      </p>
      {i.status === 'DRAFT' && (
        <p className="small">Still open: it is final, and can be paid, once you have left the car park.</p>
      )}
      <table className="lines">
        <caption className="visually-hidden">What the invoice is for</caption>
        <tbody>
          {i.line_items.map((line) => (
            <tr key={line.line_item_id}>
              <th scope="row">{line.description}</th>
              <td>{money(line.total_amount)}</td>
            </tr>
          ))}
        </tbody>
        <tfoot>
          <tr>
            <th scope="row">Total</th>
            <td>{money(i.total_amount)}</td>
          </tr>
          {i.amount_credited > 0 && (
            <tr>
              <th scope="row">Credited</th>
              <td>−{money(i.amount_credited)}</td>
            </tr>
          )}
          {i.amount_paid > 0 && (
            <tr>
              <th scope="row">Paid</th>
              <td>−{money(i.amount_paid)}</td>
            </tr>
          )}
          {i.amount_refunded > 0 && (
            <tr>
              <th scope="row">Refunded</th>
              <td>{money(i.amount_refunded)}</td>
            </tr>
          )}
          {payable && (
            <tr className="balance">
              <th scope="row">Left to pay</th>
              <td>{money(i.balance_due)}</td>
            </tr>
          )}
        </tfoot>
      </table>
      <div className="actions">
        {payable && (
          <button
            type="button"
            aria-expanded={paying}
            aria-controls={`${id}-pay`}
            className={paying ? 'button-secondary' : undefined}
            onClick={() => setPaying((p) => !p)}
          >
            {paying ? 'Close payment' : 'Pay this invoice'}
          </button>
        )}
        {i.amount_paid > 0 && (
          <button
            type="button"
            className="button-secondary"
            aria-expanded={showReceipt}
            aria-controls={`${id}-receipt`}
            onClick={() => setShowReceipt((s) => !s)}
          >
            {showReceipt ? 'Hide receipt' : 'Show receipt'}
          </button>
        )}
      </div>
      {payable && paying && <PayForm id={`${id}-pay`} invoice={i} onPaid={onPaid} />}
      {showReceipt && <Receipt id={`${id}-receipt`} invoice={i} zone={facility?.timezone} />}
    </article>
  );
}

function PayForm({
  id,
  invoice,
  onPaid,
}: {
  id: string;
  invoice: Invoice;
  onPaid(payment: PaymentAnswer): void;
}) {
  const [token, setToken] = useState(sandboxCards[0]!.token);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [unknownOutcome, setUnknownOutcome] = useState(false);
  const attempt = useRef<Attempt<{ payment_method: string; payment_token: string }> | null>(null);
  const amount = formatMoney(invoice.balance_due, invoice.currency);

  async function pay(event: FormEvent) {
    event.preventDefault();
    const card = sandboxCards.find((c) => c.token === token) ?? sandboxCards[0]!;
    const current = attemptFor(
      attempt.current,
      { payment_method: card.method, payment_token: card.token },
      newIdempotencyKey,
    );
    attempt.current = current;
    setBusy(true);
    setError(null);
    try {
      const payment = await api<PaymentAnswer>(
        `billing/invoices/${encodeURIComponent(invoice.invoice_id)}/pay`,
        {
          method: 'POST',
          headers: { 'idempotency-key': current.key },
          json: current.body,
        },
      );
      attempt.current = { ...current, settled: true };
      onPaid(payment);
    } catch (failure) {
      const unknown = outcomeUnknown(failureOf(failure));
      attempt.current = { ...current, settled: !unknown };
      setUnknownOutcome(unknown);
      setError(failure);
      setBusy(false);
    }
  }

  return (
    <form id={id} className="pay-form" onSubmit={pay}>
      <fieldset aria-describedby={`${id}-hint`}>
        <legend>Sandbox test card</legend>
        <p className="hint" id={`${id}-hint`}>
          This is the payment sandbox: no real money moves and no card number is asked for. Each test card
          does what it says.
        </p>
        <div className="test-cards">
          {sandboxCards.map((card) => (
            <div key={card.token} className="check">
              <input
                type="radio"
                id={`${id}-${card.token}`}
                name={`${id}-card`}
                value={card.token}
                checked={token === card.token}
                onChange={() => setToken(card.token)}
              />
              <label htmlFor={`${id}-${card.token}`}>
                {card.label} <span className="muted">({card.outcome})</span>
              </label>
            </div>
          ))}
        </div>
      </fieldset>
      <DriverError error={error}>{unknownOutcome && <p>{safeRetryWords}</p>}</DriverError>
      <button type="submit" disabled={busy}>
        {busy ? 'Paying…' : `Pay ${amount}`}
      </button>
    </form>
  );
}

function Receipt({ id, invoice, zone }: { id: string; invoice: Invoice; zone: string | undefined }) {
  const detail = useAsync(
    (signal) => api<Invoice>(`billing/invoices/${encodeURIComponent(invoice.invoice_id)}`, { signal }),
    [invoice.invoice_id],
  );
  const payments = (detail.data?.payments ?? []).filter(
    (p) => p.status !== 'FAILED' && p.status !== 'PENDING',
  );

  return (
    <div id={id} className="receipt">
      <h4>Receipt</h4>
      {detail.loading && !detail.data && <Loading>Loading the receipt…</Loading>}
      <DriverError error={detail.error} retry={detail.reload} />
      {detail.data && payments.length === 0 && <Empty>No payment on this invoice.</Empty>}
      {payments.length > 0 && (
        <ul className="payments">
          {payments.map((p) => (
            <li key={p.payment_id}>
              Paid <strong>{formatMoney(p.amount, p.currency)}</strong>
              {p.card_brand && p.last4 && ` with ${brandName(p.card_brand)} ending ${p.last4}`} on{' '}
              {formatDateTime(p.transaction_date, zone)}.
              {p.confirmation_code && (
                <>
                  {' '}
                  Confirmation code{' '}
                  <span className="confirmation-code small-code">{p.confirmation_code}</span>
                </>
              )}
              {p.refunded_amount > 0 && ` ${formatMoney(p.refunded_amount, p.currency)} refunded.`}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

const brands: Record<string, string> = { visa: 'Visa', mastercard: 'Mastercard', amex: 'American Express' };
const brandName = (brand: string) => brands[brand] ?? brand;
