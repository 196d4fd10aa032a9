import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type InvoiceDocument, renderInvoiceHtml } from '../src/domain/invoice-html.ts';

function invoice(fields: Partial<InvoiceDocument> = {}): InvoiceDocument {
  return {
    invoice_id: 'inv_01JQ7ZCP3M',
    status: 'ISSUED',
    currency: 'GBP',
    invoice_date: '2026-03-10T12:00:00Z',
    issue_date: '2026-03-10T12:00:00Z',
    due_date: '2026-04-09T12:00:00Z',
    paid_date: null,
    customer_id: 'cus_42',
    registration_number: 'AB12 CDE',
    facility: {
      facility_id: 'fac_1',
      name: 'Riverside Car Park',
      timezone: 'Europe/London',
      address: {
        line1: '1 River Street',
        city: 'London',
        state: null,
        postal_code: 'SE1 9AA',
        country: 'GB',
      },
    },
    line_items: [
      {
        line_item_id: 'li_1',
        charge_type: 'PARKING_FEE',
        description: 'Parking, 3 hours',
        quantity: 3,
        unit_price: 2.5,
        total_amount: 7.5,
      },
      {
        line_item_id: 'li_2',
        charge_type: 'CHARGING_FEE',
        description: 'Charging, 12.345 kWh',
        quantity: 12.345,
        unit_price: 0.45,
        total_amount: 5.56,
      },
    ],
    total_amount: 13.06,
    amount_paid: 10,
    amount_refunded: 0,
    amount_credited: 1,
    balance_due: 2.06,
    credit_notes: [
      { credit_note_id: 'cn_1', amount: 1, reason: 'Goodwill', created_at: '2026-03-11T09:00:00Z' },
    ],
    payments: [
      {
        payment_id: 'pay_1',
        amount: 10,
        refunded_amount: 0,
        status: 'SUCCEEDED',
        payment_method: 'CARD',
        transaction_date: '2026-03-10T12:05:00Z',
        confirmation_code: 'ch_sandbox_abc',
        card_brand: 'visa',
        last4: '4242',
      },
    ],
    ...fields,
  };
}

/** The page's text without tags, entities decoded (enough for these tests), spaces normalised. */
function textOf(html: string): string {
  return html
    .replace(/<style>[\s\S]*?<\/style>/g, '')
    .replace(/<[^>]+>/g, ' ')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&')
    .replace(/[\s\u00a0\u202f]+/g, ' ');
}

describe('renderInvoiceHtml: the page', () => {
  it('is a complete HTML5 page with a title, a language, print CSS and nothing external', () => {
    const html = renderInvoiceHtml(invoice());
    expect(html.startsWith('<!DOCTYPE html>\n<html lang="en-GB">')).toBe(true);
    expect(html).toContain('<meta charset="utf-8">');
    expect(html).toContain('<title>Invoice inv_01JQ7ZCP3M</title>');
    expect(html).toContain('@media print');
    expect(html).toContain('size: A4');
    expect(html).toMatch(/<\/html>\s*$/);
    expect(html).not.toMatch(/<script|<link|<img|<iframe|url\(|@import|https?:|javascript:|\son\w+=/i);
  });

  it('takes the locale for lang and formatting', () => {
    const html = renderInvoiceHtml(invoice({ currency: 'EUR', total_amount: 1234.5 }), 'de-DE');
    expect(html).toContain('<html lang="de-DE">');
    expect(textOf(html)).toContain('1.234,50 €');
  });

  it('falls back to en-GB for a locale it cannot use', () => {
    expect(renderInvoiceHtml(invoice(), 'not a locale!')).toContain('<html lang="en-GB">');
  });

  it('shows the seller, the customer, every line and the totals', () => {
    const text = textOf(renderInvoiceHtml(invoice()));
    for (const expected of [
      'Riverside Car Park',
      '1 River Street',
      'London SE1 9AA',
      'cus_42',
      'AB12 CDE',
      'Parking, 3 hours',
      'Parking fee',
      'Charging, 12.345 kWh',
      '12.345',
      '£2.50',
      '£7.50',
      '£0.45',
      '£5.56',
      'Total £13.06',
      'Credited -£1.00',
      'Paid -£10.00',
      'Balance due £2.06',
      'cn_1',
      'Goodwill',
    ])
      expect(text).toContain(expected);
    expect(text).not.toContain('Refunded £');
  });

  it('shows a refund when there was one', () => {
    const text = textOf(renderInvoiceHtml(invoice({ amount_refunded: 4, balance_due: 6.06 })));
    expect(text).toContain('Refunded £4.00');
    expect(text).toContain('Balance due £6.06');
  });
});

describe('renderInvoiceHtml: escaping', () => {
  const nasty = `<script>alert("x")</script> & "quotes" 'apostrophes'`;

  it('escapes every piece of text from the document', () => {
    const html = renderInvoiceHtml(
      invoice({
        invoice_id: `inv_"<b>`,
        status: `<i>odd</i>`,
        customer_id: nasty,
        registration_number: nasty,
        facility: {
          facility_id: 'fac_1',
          name: nasty,
          timezone: 'Europe/London',
          address: { line1: nasty, city: nasty, state: nasty, postal_code: nasty, country: nasty },
        },
        line_items: [
          {
            line_item_id: 'li_1',
            charge_type: nasty,
            description: nasty,
            quantity: 1,
            unit_price: 1,
            total_amount: 1,
          },
        ],
        credit_notes: [{ credit_note_id: nasty, amount: 1, reason: nasty, created_at: nasty }],
        payments: [
          {
            payment_id: nasty,
            amount: 1,
            refunded_amount: 0,
            status: nasty,
            payment_method: nasty,
            transaction_date: nasty,
            confirmation_code: nasty,
            card_brand: nasty,
            last4: nasty,
          },
        ],
      }),
    );
    expect(html).not.toContain('<script');
    expect(html).not.toContain('<b>');
    expect(html).not.toContain('<i>');
    expect(html).not.toContain('"x"');
    expect(html).not.toContain("'apostrophes'");
    expect(html).toContain(
      '&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &quot;quotes&quot; &#39;apostrophes&#39;',
    );
    expect(html).toContain('<title>Invoice inv_&quot;&lt;b&gt;</title>');
    // No raw ampersand that is not an entity.
    expect(html.replace(/<style>[\s\S]*?<\/style>/, '')).not.toMatch(/&(?!(amp|lt|gt|quot|#39);)/);
  });

  it('property: no description, however hostile, adds an element or an attribute', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: fc.constantFrom('<', '>', '&', '"', "'", 'a', ' ', '/', '=') }),
        (text) => {
          const html = renderInvoiceHtml(
            invoice({
              line_items: [
                {
                  line_item_id: 'li',
                  charge_type: 'X',
                  description: text,
                  quantity: 1,
                  unit_price: 1,
                  total_amount: 1,
                },
              ],
            }),
          );
          const baseline = renderInvoiceHtml(
            invoice({
              line_items: [
                {
                  line_item_id: 'li',
                  charge_type: 'X',
                  description: '',
                  quantity: 1,
                  unit_price: 1,
                  total_amount: 1,
                },
              ],
            }),
          );
          const tags = (h: string) => (h.match(/</g) ?? []).length;
          expect(tags(html)).toBe(tags(baseline));
          expect(textOf(html)).toContain(text.replace(/\s+/g, ' ').trim());
        },
      ),
    );
  });
});

describe('renderInvoiceHtml: money', () => {
  it('JPY has no decimals', () => {
    const html = renderInvoiceHtml(
      invoice({
        currency: 'JPY',
        line_items: [
          {
            line_item_id: 'li_1',
            charge_type: 'PARKING_FEE',
            description: 'Parking',
            quantity: 2,
            unit_price: 600,
            total_amount: 1200,
          },
        ],
        total_amount: 1200,
        amount_paid: 0,
        amount_credited: 0,
        balance_due: 1200,
        credit_notes: [],
        payments: [],
      }),
    );
    const text = textOf(html);
    // en-GB writes the yen as JP¥ (¥ alone could be the yuan).
    expect(text).toContain('JP¥600');
    expect(text).toContain('Total JP¥1,200');
    expect(text).toContain('Balance due JP¥1,200');
    expect(text).not.toMatch(/¥[\d,]+\.\d/);
    expect(textOf(renderInvoiceHtml(invoice({ currency: 'JPY', total_amount: 1200 }), 'ja-JP'))).toMatch(
      /Total [¥￥]1,200 /,
    );
  });

  it('a currency code Intl cannot take still prints, with its code', () => {
    const text = textOf(renderInvoiceHtml(invoice({ currency: 'EURO', total_amount: 5 })));
    expect(text).toContain('Total 5.00 EURO');
  });

  it('nothing paid reads as zero, not minus zero', () => {
    const text = textOf(renderInvoiceHtml(invoice({ amount_paid: 0 })));
    expect(text).toContain('Paid £0.00');
  });
});

describe('renderInvoiceHtml: dates in the facility’s time zone', () => {
  it('a late evening in UTC is the next day in Tokyo', () => {
    const text = textOf(
      renderInvoiceHtml(
        invoice({
          invoice_date: '2026-03-10T23:30:00Z',
          facility: { ...invoice().facility, timezone: 'Asia/Tokyo' },
          payments: [{ ...invoice().payments[0]!, transaction_date: '2026-03-10T23:30:00Z' }],
        }),
      ),
    );
    expect(text).toContain('Invoice date 11 March 2026');
    expect(text).toContain('11 Mar 2026, 08:30 GMT+9');
    expect(text).toContain('(Asia/Tokyo)');
  });

  it('an early morning in UTC is the day before in New York, in daylight saving time', () => {
    const text = textOf(
      renderInvoiceHtml(
        invoice({
          invoice_date: '2026-03-11T03:00:00Z',
          due_date: '2026-01-11T03:00:00Z',
          facility: { ...invoice().facility, timezone: 'America/New_York' },
          payments: [{ ...invoice().payments[0]!, transaction_date: '2026-03-11T03:00:00Z' }],
        }),
      ),
    );
    expect(text).toContain('Invoice date 10 March 2026');
    expect(text).toContain('Due 10 January 2026');
    expect(text).toContain('10 Mar 2026, 23:00 GMT-4');
  });

  it('an unknown time zone falls back to UTC and says so', () => {
    const text = textOf(
      renderInvoiceHtml(invoice({ facility: { ...invoice().facility, timezone: 'Mars/Olympus' } })),
    );
    expect(text).toContain('(UTC)');
  });

  it('a missing date shows a dash; a paid date shows when there is one', () => {
    const text = textOf(renderInvoiceHtml(invoice({ issue_date: null, due_date: null })));
    expect(text).toContain('Issued — Due —');
    expect(text).not.toContain('Paid 10');
    expect(textOf(renderInvoiceHtml(invoice({ paid_date: '2026-03-12T10:00:00Z' })))).toContain(
      'Paid 12 March 2026',
    );
  });
});

describe('renderInvoiceHtml: status marks and cards', () => {
  it.each([
    ['DRAFT', 'Draft'],
    ['VOID', 'Void'],
    ['CANCELLED', 'Cancelled'],
  ])('a %s invoice carries a visible mark', (status, banner) => {
    const html = renderInvoiceHtml(invoice({ status }));
    expect(html).toContain(`<div class="mark" aria-hidden="true">${status}</div>`);
    expect(html).toMatch(new RegExp(`<p class="banner">${banner}: [^<]*not[^<]*</p>`));
    expect(html).toContain(`<span class="status">${status}</span>`);
  });

  it('a draft is marked whatever the case of its status', () => {
    expect(renderInvoiceHtml(invoice({ status: 'draft' }))).toContain(
      '<div class="mark" aria-hidden="true">DRAFT</div>',
    );
  });

  it.each(['ISSUED', 'PAID', 'OVERDUE'])('an %s invoice has no mark', (status) => {
    const html = renderInvoiceHtml(invoice({ status }));
    expect(html).not.toContain('class="mark"');
    expect(html).not.toContain('class="banner"');
    expect(html).toContain(`<span class="status">${status}</span>`);
  });

  it('shows a card as its brand and last four digits', () => {
    const payment = invoice().payments[0]!;
    const render = (p: Partial<typeof payment>) =>
      textOf(renderInvoiceHtml(invoice({ payments: [{ ...payment, ...p }] })));
    expect(render({})).toContain('Visa •••• 4242');
    expect(render({ card_brand: 'amex', last4: '8431' })).toContain('American Express •••• 8431');
    expect(render({ card_brand: null })).toContain('Card •••• 4242');
    expect(render({ card_brand: null, last4: null, payment_method: 'BANK_TRANSFER' })).toContain(
      'Bank transfer',
    );
  });

  it('never prints more of a card than four digits', () => {
    const payment = invoice().payments[0]!;
    const html = renderInvoiceHtml(invoice({ payments: [{ ...payment, last4: '4242424242424242' }] }));
    expect(html).not.toContain('4242424242424242');
    expect(textOf(html)).toContain(' Visa ');
    expect(html).not.toContain('••••');
  });
});
