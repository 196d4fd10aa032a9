import { describe, expect, it } from 'vitest';
import { formFor, pricingBody, splitSchedule } from '../src/pages/facility/pricing-form.ts';
import type { PricingConfig } from '../src/pages/facility/types.ts';

const car: PricingConfig = {
  config_id: 'prc_car',
  vehicle_type: 'CAR',
  hourly_rate: 3.2,
  daily_max: 18,
  monthly_rate: null,
  peak_hour_multiplier: 1.5,
  night_rate_multiplier: 0.5,
  peak_start_time: '08:00',
  peak_end_time: '10:00',
  night_start_time: '22:00',
  night_end_time: '06:00',
  ev_charging_rate_per_kwh: 0.45,
  reservation_fee: 1.5,
  billing_increment_minutes: 15,
  grace_period_minutes: 10,
  idle_fee_per_hour: null,
  idle_grace_minutes: 10,
  currency: 'GBP',
  effective_from: '2026-11-01T00:00:00.000Z',
  effective_to: null,
};
const london = { currency: 'GBP', timezone: 'Europe/London' };
const now = new Date('2026-11-24T12:00:00Z');

describe('the price form', () => {
  it('starts from the price in force, and sends every field back unchanged', () => {
    const form = formFor('CAR', car);
    expect(form.hourly_rate).toBe('3.2');
    expect(form.monthly_rate).toBe('');
    expect(form.when).toBe('now');
    const result = pricingBody(form, london, now);
    expect(result).toEqual({
      body: {
        vehicle_type: 'CAR',
        hourly_rate: 3.2,
        daily_max: 18,
        monthly_rate: null,
        peak_hour_multiplier: 1.5,
        peak_start_time: '08:00',
        peak_end_time: '10:00',
        night_rate_multiplier: 0.5,
        night_start_time: '22:00',
        night_end_time: '06:00',
        ev_charging_rate_per_kwh: 0.45,
        reservation_fee: 1.5,
        billing_increment_minutes: 15,
        grace_period_minutes: 10,
        idle_fee_per_hour: null,
        idle_grace_minutes: 10,
      },
    });
  });

  it('starts a vehicle type without a price from the API’s defaults, the hourly rate to fill in', () => {
    const form = formFor('BUS', undefined);
    expect(form.hourly_rate).toBe('');
    expect(form.peak_hour_multiplier).toBe('1');
    expect(form.billing_increment_minutes).toBe('60');
    expect(pricingBody(form, london, now)).toEqual({ errors: { hourly_rate: 'is required' } });
    const filled = pricingBody({ ...form, hourly_rate: '8' }, london, now);
    expect(filled).toMatchObject({
      body: {
        vehicle_type: 'BUS',
        hourly_rate: 8,
        daily_max: null,
        peak_start_time: null,
        peak_end_time: null,
      },
    });
  });

  it('sends the effective date as the instant it is in the facility’s time zone', () => {
    const later = { ...formFor('CAR', car), when: 'later' as const, effective_from: '2026-12-01T08:00' };
    expect(pricingBody(later, london, now)).toMatchObject({
      body: { effective_from: '2026-12-01T08:00:00.000Z' },
    });
    const tokyo = pricingBody(later, { currency: 'GBP', timezone: 'Asia/Tokyo' }, now);
    expect(tokyo).toMatchObject({ body: { effective_from: '2026-11-30T23:00:00.000Z' } });
    // "Now" sends none: the API takes the moment it receives the change.
    expect(pricingBody(formFor('CAR', car), london, now)).not.toHaveProperty('body.effective_from');
  });

  it('refuses an effective date in the past or missing', () => {
    const form = { ...formFor('CAR', car), when: 'later' as const };
    expect(pricingBody({ ...form, effective_from: '2026-11-24T11:59' }, london, now)).toEqual({
      errors: { effective_from: 'must not be in the past' },
    });
    expect(pricingBody({ ...form, effective_from: '' }, london, now)).toEqual({
      errors: { effective_from: 'is required: pick a date and time' },
    });
  });

  it('says which fields are not right, by the API’s field names', () => {
    const form = {
      ...formFor('CAR', car),
      hourly_rate: '3.555',
      daily_max: '2',
      peak_hour_multiplier: '0',
      night_start_time: '',
      night_end_time: '06:00',
      peak_start_time: '09:00',
      peak_end_time: '09:00',
      billing_increment_minutes: '0',
      grace_period_minutes: '2.5',
      reservation_fee: '',
    };
    expect(pricingBody(form, london, now)).toEqual({
      errors: {
        hourly_rate: 'must have at most 2 decimals in GBP',
        peak_hour_multiplier: 'must be more than 0 and at most 10',
        peak_end_time: 'must differ from the start',
        night_start_time: 'needs both a start and an end',
        reservation_fee: 'is required',
        billing_increment_minutes: 'must be whole minutes from 1 to 1440',
        grace_period_minutes: 'must be whole minutes from 0 to 1440',
      },
    });
    expect(pricingBody({ ...formFor('CAR', car), daily_max: '2' }, london, now)).toEqual({
      errors: { daily_max: 'must be at least one hour at the hourly rate' },
    });
  });

  it('refuses yen with decimals', () => {
    const form = { ...formFor('CAR', undefined), hourly_rate: '300.5' };
    expect(pricingBody(form, { currency: 'JPY', timezone: 'Asia/Tokyo' }, now)).toEqual({
      errors: { hourly_rate: 'must be a whole number of JPY' },
    });
  });
});

describe('the price schedule', () => {
  it('splits periods into those in force now, by vehicle type, and the changes to come, soonest first', () => {
    const period = (
      id: string,
      type: PricingConfig['vehicle_type'],
      from: string,
      to: string | null,
    ): PricingConfig => ({
      ...car,
      config_id: id,
      vehicle_type: type,
      effective_from: from,
      effective_to: to,
    });
    const { inForce, scheduled } = splitSchedule(
      [
        period('old-car', 'CAR', '2026-01-01T00:00:00Z', '2026-11-01T00:00:00Z'),
        period('truck', 'TRUCK', '2026-01-01T00:00:00Z', null),
        period('car', 'CAR', '2026-11-01T00:00:00Z', '2027-01-01T00:00:00Z'),
        period('car-2027', 'CAR', '2027-01-01T00:00:00Z', null),
        period('moto-next', 'MOTORCYCLE', '2026-12-01T00:00:00Z', null),
      ],
      now,
    );
    expect(inForce.map((p) => p.config_id)).toEqual(['car', 'truck']);
    expect(scheduled.map((p) => p.config_id)).toEqual(['moto-next', 'car-2027']);
  });
});
