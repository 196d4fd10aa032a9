/**
 * One invoice as a complete, printable HTML5 page: pure, no I/O. Inline CSS only (A4 pages when
 * printed), no external assets and no JavaScript, so the page can be saved, mailed or printed as
 * is. Money is formatted for the locale in the invoice's currency (JPY without decimals), dates
 * and times in the facility's time zone. Every piece of text from the document is HTML-escaped.
 * Labels are in English; the locale decides how numbers and dates read.
 */

export interface InvoiceDocument {
  invoice_id: string;
  status: string;
  currency: string;
  /** ISO UTC */
  invoice_date: string;
  issue_date: string | null;
  due_date: string | null;
  paid_date: string | null;
  customer_id: string | null;
  registration_number: string | null;
  facility: {
    facility_id: string;
    name: string;
    timezone: string;
    address: {
      line1: string;
      city: string;
      state: string | null;
      postal_code: string | null;
      country: string;
    };
  };
  /** money in major units */
  line_items: {
    line_item_id: string;
    charge_type: string;
    description: string;
    quantity: number;
    unit_price: number;
    total_amount: number;
  }[];
  total_amount: number;
  amount_paid: number;
  amount_refunded: number;
  amount_credited: number;
  balance_due: number;
  credit_notes: { credit_note_id: string; amount: number; reason: string; created_at: string }[];
  payments: {
    payment_id: string;
    amount: number;
    refunded_amount: number;
    status: string;
    payment_method: string;
    transaction_date: string;
    confirmation_code: string | null;
    card_brand: string | null;
    last4: string | null;
  }[];
}

const DEFAULT_LOCALE = 'en-GB';

/** Statuses marked across the page, so that a draft or void invoice is never mistaken for one to pay. */
const MARKED_STATUSES: Record<string, string> = {
  DRAFT: 'Draft: not issued yet, not for payment.',
  VOID: 'Void: this invoice has been voided and is not payable.',
  CANCELLED: 'Cancelled: this invoice is not payable.',
};

const CARD_BRANDS: Record<string, string> = {
  visa: 'Visa',
  mastercard: 'Mastercard',
  amex: 'American Express',
  american_express: 'American Express',
  discover: 'Discover',
  diners: 'Diners Club',
  jcb: 'JCB',
  unionpay: 'UnionPay',
  maestro: 'Maestro',
};

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Text made safe for HTML element content and quoted attribute values. */
function escapeHtml(text: unknown): string {
  return String(text).replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}

/** The locale if the runtime knows it, else the default. */
function usableLocale(locale: string): string {
  try {
    const [canonical] = Intl.getCanonicalLocales(locale);
    return canonical && Intl.NumberFormat.supportedLocalesOf(canonical).length > 0
      ? canonical
      : DEFAULT_LOCALE;
  } catch {
    return DEFAULT_LOCALE;
  }
}

function usableTimeZone(timeZone: string): string {
  try {
    return new Intl.DateTimeFormat('en', { timeZone }).resolvedOptions().timeZone;
  } catch {
    return 'UTC';
  }
}

/** "PARKING_FEE" → "Parking fee". */
function humanize(code: string): string {
  const words = code.replace(/[_-]+/g, ' ').trim().toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

function formatters(locale: string, currency: string, timeZone: string) {
  let currencyFormat: Intl.NumberFormat | null = null;
  try {
    currencyFormat = new Intl.NumberFormat(locale, { style: 'currency', currency });
  } catch {
    // Not an ISO 4217 code the runtime knows: the amount with two decimals and the code.
  }
  const plain = new Intl.NumberFormat(locale, { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  const quantity = new Intl.NumberFormat(locale, { maximumFractionDigits: 3 });
  const day = new Intl.DateTimeFormat(locale, { timeZone, dateStyle: 'long' });
  const moment = new Intl.DateTimeFormat(locale, {
    timeZone,
    year: 'numeric',
    month: 'short',
    day: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    timeZoneName: 'short',
  });
  const when = (format: Intl.DateTimeFormat) => (iso: string | null) => {
    if (iso === null) return '—';
    const at = new Date(iso);
    return Number.isNaN(at.getTime()) ? escapeHtml(iso) : escapeHtml(format.format(at));
  };
  return {
    /** Money in major units; -0 reads as 0. */
    money: (amount: number) =>
      escapeHtml(
        currencyFormat ? currencyFormat.format(amount + 0) : `${plain.format(amount + 0)} ${currency}`,
      ),
    quantity: (n: number) => escapeHtml(quantity.format(n)),
    date: when(day),
    dateTime: when(moment),
  };
}

/** "Visa •••• 4242" when the card is known; never more than four digits of it. */
function paymentMethodText(p: InvoiceDocument['payments'][number]): string {
  const last4 = p.last4 !== null && /^\d{4}$/.test(p.last4) ? p.last4 : null;
  const brand = p.card_brand ? (CARD_BRANDS[p.card_brand.toLowerCase()] ?? humanize(p.card_brand)) : null;
  if (brand && last4) return `${escapeHtml(brand)} •••• ${last4}`;
  if (last4) return `Card •••• ${last4}`;
  if (brand) return escapeHtml(brand);
  return escapeHtml(humanize(p.payment_method));
}

const STYLE = `
*, *::before, *::after { box-sizing: border-box; }
html { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
body { margin: 0; background: #eef0f3; color: #1d2330; font: 10.5pt/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
.sheet { position: relative; width: 210mm; min-height: 297mm; margin: 12mm auto; padding: 16mm 16mm 20mm; background: #fff; box-shadow: 0 1px 6px rgba(0, 0, 0, 0.15); }
header { display: flex; justify-content: space-between; gap: 12mm; align-items: flex-start; border-bottom: 2px solid #1d2330; padding-bottom: 6mm; }
h1 { margin: 0 0 2mm; font-size: 22pt; letter-spacing: 0.02em; }
h2 { margin: 8mm 0 2mm; font-size: 11pt; text-transform: uppercase; letter-spacing: 0.06em; color: #4a5263; }
.seller { text-align: right; }
.seller strong { font-size: 12pt; }
address { font-style: normal; }
.meta { display: grid; grid-template-columns: 1fr 1fr; gap: 6mm; margin-top: 6mm; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: 1mm 4mm; margin: 0; }
dt { color: #4a5263; }
dd { margin: 0; }
.status { display: inline-block; padding: 0.2mm 2mm; border: 1px solid currentColor; border-radius: 1mm; font-weight: 600; font-size: 9pt; letter-spacing: 0.05em; }
table { width: 100%; border-collapse: collapse; }
th, td { padding: 1.8mm 2mm; text-align: left; vertical-align: top; }
thead th { border-bottom: 1px solid #1d2330; font-size: 9pt; text-transform: uppercase; letter-spacing: 0.04em; color: #4a5263; }
tbody td { border-bottom: 1px solid #d9dde4; }
.num { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
.type { display: block; color: #6b7386; font-size: 8.5pt; }
.totals { width: 90mm; margin: 4mm 0 0 auto; }
.totals td { border: 0; padding: 1mm 2mm; }
.totals .due td { border-top: 2px solid #1d2330; padding-top: 2mm; font-weight: 700; font-size: 12pt; }
.note { margin-top: 10mm; color: #6b7386; font-size: 8.5pt; }
.mark { position: fixed; top: 42%; left: 0; right: 0; text-align: center; transform: rotate(-28deg); font-size: 88pt; font-weight: 800; letter-spacing: 0.1em; color: rgba(190, 30, 45, 0.16); pointer-events: none; z-index: 10; }
.banner { margin: 0 0 6mm; padding: 2mm 4mm; border: 2px solid #be1e2d; color: #be1e2d; font-weight: 700; text-align: center; }
@page { size: A4; margin: 14mm 14mm 16mm; }
@media print {
  body { background: #fff; font-size: 10pt; }
  .sheet { width: auto; min-height: 0; margin: 0; padding: 0; box-shadow: none; }
  thead { display: table-header-group; }
  tr, .totals, .meta { break-inside: avoid; }
  h2 { break-after: avoid; }
}
`;

export function renderInvoiceHtml(doc: InvoiceDocument, locale: string = DEFAULT_LOCALE): string {
  const lang = usableLocale(locale);
  const timeZone = usableTimeZone(doc.facility.timezone);
  const f = formatters(lang, doc.currency, timeZone);
  const status = doc.status.toUpperCase();
  const banner = Object.hasOwn(MARKED_STATUSES, status) ? MARKED_STATUSES[status]! : null;
  const a = doc.facility.address;
  const cityLine = [a.city, a.state, a.postal_code].filter((part) => part !== null && part !== '').join(' ');

  const rows = (cells: string[]) => cells.join('\n');
  const lineItems =
    doc.line_items.length === 0
      ? '<tr><td colspan="4">No charges.</td></tr>'
      : rows(
          doc.line_items.map(
            (item) => `<tr>
  <td>${escapeHtml(item.description)}<span class="type">${escapeHtml(humanize(item.charge_type))}</span></td>
  <td class="num">${f.quantity(item.quantity)}</td>
  <td class="num">${f.money(item.unit_price)}</td>
  <td class="num">${f.money(item.total_amount)}</td>
</tr>`,
          ),
        );

  const totals = [
    `<tr><td>Total</td><td class="num">${f.money(doc.total_amount)}</td></tr>`,
    doc.amount_credited !== 0
      ? `<tr><td>Credited</td><td class="num">${f.money(-doc.amount_credited)}</td></tr>`
      : '',
    `<tr><td>Paid</td><td class="num">${f.money(-doc.amount_paid)}</td></tr>`,
    doc.amount_refunded !== 0
      ? `<tr><td>Refunded</td><td class="num">${f.money(doc.amount_refunded)}</td></tr>`
      : '',
    `<tr class="due"><td>Balance due</td><td class="num">${f.money(doc.balance_due)}</td></tr>`,
  ].filter((row) => row !== '');

  const creditNotes =
    doc.credit_notes.length === 0
      ? ''
      : `<section>
<h2>Credit notes</h2>
<table>
<thead><tr><th>Credit note</th><th>Date</th><th>Reason</th><th class="num">Amount</th></tr></thead>
<tbody>
${rows(
  doc.credit_notes.map(
    (c) => `<tr>
  <td>${escapeHtml(c.credit_note_id)}</td>
  <td>${f.date(c.created_at)}</td>
  <td>${escapeHtml(c.reason)}</td>
  <td class="num">${f.money(c.amount)}</td>
</tr>`,
  ),
)}
</tbody>
</table>
</section>`;

  const payments =
    doc.payments.length === 0
      ? ''
      : `<section>
<h2>Payments</h2>
<table>
<thead><tr><th>Date</th><th>Method</th><th>Reference</th><th>Status</th><th class="num">Amount</th><th class="num">Refunded</th></tr></thead>
<tbody>
${rows(
  doc.payments.map(
    (p) => `<tr>
  <td>${f.dateTime(p.transaction_date)}</td>
  <td>${paymentMethodText(p)}</td>
  <td>${escapeHtml(p.confirmation_code ?? p.payment_id)}</td>
  <td>${escapeHtml(humanize(p.status))}</td>
  <td class="num">${f.money(p.amount)}</td>
  <td class="num">${p.refunded_amount !== 0 ? f.money(p.refunded_amount) : '—'}</td>
</tr>`,
  ),
)}
</tbody>
</table>
</section>`;

  const dates = [
    ['Invoice date', f.date(doc.invoice_date)],
    ['Issued', f.date(doc.issue_date)],
    ['Due', f.date(doc.due_date)],
    ...(doc.paid_date !== null ? [['Paid', f.date(doc.paid_date)]] : []),
  ];
  const billTo = [
    ...(doc.customer_id !== null ? [['Customer', escapeHtml(doc.customer_id)]] : []),
    ...(doc.registration_number !== null ? [['Vehicle', escapeHtml(doc.registration_number)]] : []),
  ];
  const definitions = (pairs: string[][]) =>
    pairs.map(([term, value]) => `<dt>${term}</dt><dd>${value}</dd>`).join('\n');

  return `<!DOCTYPE html>
<html lang="${escapeHtml(lang)}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Invoice ${escapeHtml(doc.invoice_id)}</title>
<style>${STYLE}</style>
</head>
<body>
${banner ? `<div class="mark" aria-hidden="true">${escapeHtml(status)}</div>\n` : ''}<main class="sheet">
${banner ? `<p class="banner">${escapeHtml(banner)}</p>\n` : ''}<header>
<div>
<h1>Invoice</h1>
<div>${escapeHtml(doc.invoice_id)}</div>
<div><span class="status">${escapeHtml(status)}</span></div>
</div>
<div class="seller">
<strong>${escapeHtml(doc.facility.name)}</strong>
<address>
${[a.line1, cityLine, a.country]
  .filter((line) => line !== '')
  .map(escapeHtml)
  .join('<br>\n')}
</address>
</div>
</header>
<div class="meta">
<section>
<h2>Dates</h2>
<dl>
${definitions(dates)}
</dl>
</section>
<section>
<h2>Billed to</h2>
<dl>
${billTo.length > 0 ? definitions(billTo) : '<dt>Customer</dt><dd>—</dd>'}
</dl>
</section>
</div>
<section>
<h2>Charges</h2>
<table>
<thead><tr><th>Description</th><th class="num">Quantity</th><th class="num">Unit price</th><th class="num">Amount</th></tr></thead>
<tbody>
${lineItems}
</tbody>
</table>
<table class="totals">
<tbody>
${totals.join('\n')}
</tbody>
</table>
</section>
${creditNotes}
${payments}
<p class="note">Amounts in ${escapeHtml(doc.currency)}. Dates and times are local to ${escapeHtml(doc.facility.name)} (${escapeHtml(timeZone)}).</p>
</main>
</body>
</html>
`;
}
