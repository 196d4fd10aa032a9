import { describe, expect, it } from 'vitest';
import {
  cancellationFeeNow,
  effectiveStatus,
  type Facility,
  groupInvoices,
  groupReservations,
  type Invoice,
  invoiceStatusWords,
  isPayable,
  matchFacilities,
  type Reservation,
  sizeFor,
} from '../src/pages/driver/model.ts';

const now = new Date('2026-11-24T12:00:00Z');

function reservation(id: string, fields: Partial<Reservation>): Reservation {
  return {
    reservation_id: id,
    status: 'CONFIRMED',
    confirmation_code: 'ABCDEFGH',
    facility_id: 'fac_1',
    space_id: 'spc_1',
    desired_space_size: 'STANDARD',
    vehicle_type: 'CAR',
    registration_number: null,
    start_time: '2026-11-24T14:00:00.000Z',
    end_time: '2026-11-24T16:00:00.000Z',
    arrival_window: { from: '2026-11-24T13:45:00.000Z', until: '2026-11-24T14:30:00.000Z' },
    expires_at: '2026-11-24T12:15:00.000Z',
    currency: 'GBP',
    pricing_estimate: null,
    cancellation_policy: { free_until: '2026-11-24T13:00:00.000Z', cancellation_fee: 3, no_show_fee: 5 },
    fee_charged: null,
    cancelled_at: null,
    ...fields,
  };
}

describe('reservations', () => {
  it('puts held and confirmed ones that have not ended ahead, soonest first; the rest behind, latest first', () => {
    const list = [
      reservation('later', { start_time: '2026-11-25T09:00:00.000Z', end_time: '2026-11-25T10:00:00.000Z' }),
      reservation('soon', {}),
      reservation('held', { status: 'PENDING', start_time: '2026-11-24T15:00:00.000Z' }),
      reservation('ongoing', {
        start_time: '2026-11-24T11:00:00.000Z',
        end_time: '2026-11-24T13:00:00.000Z',
      }),
      reservation('ended', { start_time: '2026-11-23T09:00:00.000Z', end_time: '2026-11-23T10:00:00.000Z' }),
      reservation('cancelled', { status: 'CANCELLED', start_time: '2026-11-26T09:00:00.000Z' }),
      reservation('used', { status: 'FULFILLED', start_time: '2026-11-22T09:00:00.000Z' }),
      reservation('lapsed', { status: 'PENDING', expires_at: '2026-11-24T11:59:00.000Z' }),
    ];
    const { upcoming, past } = groupReservations(list, now);
    expect(upcoming.map((r) => r.reservation_id)).toEqual(['ongoing', 'soon', 'held', 'later']);
    expect(past.map((r) => r.reservation_id)).toEqual(['cancelled', 'lapsed', 'ended', 'used']);
  });

  it('treats a hold whose time ran out as expired before the service sweeps it', () => {
    expect(effectiveStatus({ status: 'PENDING', expires_at: '2026-11-24T12:00:00.000Z' }, now)).toBe(
      'EXPIRED',
    );
    expect(effectiveStatus({ status: 'PENDING', expires_at: '2026-11-24T12:00:01.000Z' }, now)).toBe(
      'PENDING',
    );
    expect(effectiveStatus({ status: 'CONFIRMED', expires_at: '2026-11-24T11:00:00.000Z' }, now)).toBe(
      'CONFIRMED',
    );
  });

  it('charges the cancellation fee only for a confirmed reservation after the free deadline', () => {
    expect(
      cancellationFeeNow(reservation('r', { status: 'PENDING' }), new Date('2026-11-24T13:30:00Z')),
    ).toBe(0);
    expect(cancellationFeeNow(reservation('r', {}), new Date('2026-11-24T12:59:59Z'))).toBe(0);
    expect(cancellationFeeNow(reservation('r', {}), new Date('2026-11-24T13:00:00Z'))).toBe(3);
    const noFee = reservation('r', {
      cancellation_policy: {
        free_until: '2026-11-24T13:00:00.000Z',
        cancellation_fee: null,
        no_show_fee: null,
      },
    });
    expect(cancellationFeeNow(noFee, new Date('2026-11-24T13:30:00Z'))).toBe(0);
  });
});

function invoice(id: string, fields: Partial<Invoice>): Invoice {
  return {
    invoice_id: id,
    facility_id: 'fac_1',
    registration_number: 'AB12CDE',
    kind: 'VISIT',
    parking_session_id: 'pks_1',
    status: 'ISSUED',
    invoice_date: '2026-11-24',
    issue_date: '2026-11-24T12:00:00.000Z',
    due_date: '2026-12-08',
    paid_date: null,
    currency: 'GBP',
    total_amount: 7.9,
    amount_credited: 0,
    amount_paid: 0,
    amount_refunded: 0,
    balance_due: 7.9,
    line_items: [],
    ...fields,
  };
}

describe('invoices', () => {
  it('lists what is to pay, overdue first then by due date, and the rest newest first', () => {
    const list = [
      invoice('due-later', { due_date: '2026-12-20' }),
      invoice('due-soon', { due_date: '2026-12-01' }),
      invoice('overdue', { status: 'OVERDUE', due_date: '2026-11-20' }),
      invoice('paid-old', { status: 'PAID', balance_due: 0, invoice_date: '2026-10-01' }),
      invoice('paid-new', { status: 'PAID', balance_due: 0, invoice_date: '2026-11-20' }),
      invoice('draft', { status: 'DRAFT', balance_due: 0, invoice_date: '2026-11-24' }),
      invoice('credited', { balance_due: 0, invoice_date: '2026-11-10' }),
    ];
    const { toPay, others } = groupInvoices(list);
    expect(toPay.map((i) => i.invoice_id)).toEqual(['overdue', 'due-soon', 'due-later']);
    expect(others.map((i) => i.invoice_id)).toEqual(['draft', 'paid-new', 'credited', 'paid-old']);
  });

  it('is payable only when issued or overdue with something left to pay', () => {
    expect(isPayable({ status: 'ISSUED', balance_due: 0.01 })).toBe(true);
    expect(isPayable({ status: 'OVERDUE', balance_due: 5 })).toBe(true);
    expect(isPayable({ status: 'ISSUED', balance_due: 0 })).toBe(false);
    expect(isPayable({ status: 'DRAFT', balance_due: 5 })).toBe(false);
    expect(isPayable({ status: 'PAID', balance_due: 0 })).toBe(false);
    expect(isPayable({ status: 'CANCELLED', balance_due: 0 })).toBe(false);
  });

  it('names each status in words', () => {
    expect(invoiceStatusWords({ status: 'ISSUED', balance_due: 3 })).toBe('To pay');
    expect(invoiceStatusWords({ status: 'ISSUED', balance_due: 0 })).toBe('Settled');
    expect(invoiceStatusWords({ status: 'PAID', balance_due: 0 })).toBe('Paid');
    expect(invoiceStatusWords({ status: 'DRAFT', balance_due: 0 })).toBe('Being prepared');
  });
});

describe('finding facilities', () => {
  const facility = (name: string, city: string, line1: string): Facility => ({
    facility_id: `fac_${name}`,
    name,
    status: 'ACTIVE',
    address: { line1, city, postal_code: null, country: 'GB' },
    capacity: { compact: 0, standard: 10, large: 0, total: 10 },
    timezone: 'Europe/London',
    currency: 'GBP',
    operating_hours: { opening_time: null, closing_time: null, operating_days: [] },
    reservation_policy: {
      free_cancellation_minutes: 60,
      cancellation_fee: 0,
      no_show_fee: 0,
      max_advance_days: 90,
    },
  });
  const all = [
    facility('Bull Ring', 'Birmingham', 'Moor Street'),
    facility('Digbeth Lot', 'Birmingham', 'High St Deritend'),
    facility('Midtown Garage', 'New York', '350 W 42nd St'),
  ];

  it('matches every word in the name, city or street, in any case; nothing typed is everything', () => {
    expect(matchFacilities(all, 'birmingham').map((f) => f.name)).toEqual(['Bull Ring', 'Digbeth Lot']);
    expect(matchFacilities(all, '  BIRMINGHAM  digbeth ').map((f) => f.name)).toEqual(['Digbeth Lot']);
    expect(matchFacilities(all, '42nd').map((f) => f.name)).toEqual(['Midtown Garage']);
    expect(matchFacilities(all, 'paris')).toEqual([]);
    expect(matchFacilities(all, '')).toHaveLength(3);
  });

  it('suggests the space size a vehicle needs', () => {
    expect(sizeFor('MOTORCYCLE')).toBe('COMPACT');
    expect(sizeFor('CAR')).toBe('STANDARD');
    expect(sizeFor('BUS')).toBe('LARGE');
  });
});
