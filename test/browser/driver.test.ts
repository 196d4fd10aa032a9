/// <reference lib="dom" />
import { addDays, localParts } from '@easypark/kernel';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createChargePoint } from '../../apps/simulator/src/chargepoint.ts';
import {
  type BrowserPlatform,
  browserMissing,
  demoAccounts,
  demoPassword,
  screenshot,
  signIn,
  startBrowserPlatform,
} from './support.ts';

// A driver in a real Chromium: signs up, registers an electric car, finds a space and reserves it,
// cancels, parks and charges (a simulated station over OCPP), then pays the invoice in the sandbox.

describe.skipIf(browserMissing)('web app for drivers, in Chromium', { timeout: 90_000 }, () => {
  let b: BrowserPlatform;
  let page: Page;
  const email = `driver-${Date.now()}@example.com`;
  const plate = 'WB26 EVC';

  beforeAll(async () => {
    b = await startBrowserPlatform();
    page = (await b.newPage({ phone: true })).page;
  }, 120_000);
  afterAll(async () => {
    await b?.stop();
  });

  const nav = () => page.getByRole('navigation', { name: 'Driver' });
  const staff = () => b.platform.login(demoAccounts.operator, demoPassword);

  async function facilityNamed(name: string) {
    const list = await b.platform.request('GET', '/api/v1/facilities', { token: await staff() });
    return list.body.find((f: { name: string }) => f.name === name) as {
      facility_id: string;
      timezone: string;
    };
  }

  it('signs up, signs in and registers an electric car', async () => {
    await page.goto('/signup');
    await page.getByLabel('Your name').fill('Wendy Browser');
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill('wendy-drives-2026');
    await page.getByRole('button', { name: /create/i }).click();
    // A new account is signed in at once, on its vehicles.
    await page.waitForURL('**/vehicles');
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL('**/login');
    await signIn(page, email, 'wendy-drives-2026');
    await page.waitForURL('**/vehicles');

    await page.getByLabel('Registration number').fill(plate);
    await page.getByLabel('Electric vehicle').check();
    await page.getByLabel('Battery capacity (kWh)').fill('60');
    await page.getByLabel('Charging connector').selectOption('TYPE2');
    await page.getByRole('button', { name: 'Register vehicle' }).click();
    await page.getByText(`${plate.replace(' ', '')} is registered`).waitFor();
    await page.getByRole('heading', { name: 'My vehicles' }).locator('..').getByText('Electric').waitFor();
    await screenshot(page, 'driver-vehicles');

    // The same plate twice: refused, in words.
    await page.getByLabel('Registration number').fill(plate);
    await page.getByRole('button', { name: 'Register vehicle' }).click();
    await expect.poll(() => page.getByRole('alert').first().textContent()).toContain('already registered');
  });

  it('finds a space with its price for a time window, reserves it and gets a code, then cancels', async () => {
    const bullRing = await facilityNamed('Birmingham Bull Ring');
    const tomorrow = addDays(localParts(new Date(), bullRing.timezone).date, 1);
    await nav().getByRole('link', { name: 'Find parking' }).click();
    await page.getByRole('heading', { name: 'Find parking', level: 1 }).waitFor();
    await page.getByLabel('City or car park').fill('Birmingham');
    await page.getByLabel('Arriving').fill(`${tomorrow}T10:00`);
    await page.getByLabel('Leaving').fill(`${tomorrow}T12:00`);
    await page.getByRole('button', { name: 'Search' }).click();

    const result = page.getByRole('article', { name: 'Birmingham Bull Ring' });
    await result.getByText('Estimated price').waitFor();
    // Two peak hours (08:00–10:00 is peak, 10:00–12:00 is not) at £3.20 an hour: £6.40, plus the fee.
    await expect.poll(() => result.textContent()).toContain('£6.40');
    await screenshot(page, 'driver-find');

    await result.getByRole('button', { name: 'Reserve at Birmingham Bull Ring' }).click();
    const hold = page.getByRole('region', { name: 'Confirm your reservation' });
    await hold.getByRole('button', { name: 'Confirm reservation' }).click();
    const confirmed = page.getByRole('region', { name: 'Reservation confirmed' });
    const code = (await confirmed.getByRole('definition').first().textContent())?.trim() ?? '';
    expect(code).toMatch(/^[A-Z0-9]{8}$/);
    await screenshot(page, 'driver-reserved');

    // The code is the one the API holds for this driver.
    const token = await b.platform.login(email, 'wendy-drives-2026');
    const mine = await b.platform.request('GET', '/api/v1/reservations', { token });
    expect(mine.body.map((r: { confirmation_code: string }) => r.confirmation_code)).toContain(code);

    await confirmed.getByRole('link', { name: 'See your reservations' }).click();
    const upcoming = page.getByRole('region', { name: 'Upcoming' });
    const booking = upcoming.getByRole('article', { name: 'Birmingham Bull Ring' });
    await booking.getByText(code).waitFor();
    await booking.getByRole('button', { name: 'Cancel reservation' }).click();
    await page.getByRole('button', { name: 'Yes, cancel it' }).click();
    await page.getByRole('status').filter({ hasText: 'is cancelled' }).waitFor();
    await page.getByRole('region', { name: 'Past and cancelled' }).getByText('Cancelled').first().waitFor();
    await screenshot(page, 'driver-reservations');
    const after = await b.platform.request('GET', '/api/v1/reservations', { token });
    expect(after.body.find((r: { confirmation_code: string }) => r.confirmation_code === code).status).toBe(
      'CANCELLED',
    );
  });

  it('shows the current visit and the car charging, then the invoice, paid in the sandbox', async () => {
    const bullRing = await facilityNamed('Birmingham Bull Ring');
    const operator = await staff();
    const entry = await b.platform.request('POST', '/api/v1/parking/sessions/entry', {
      token: operator,
      body: { facility_id: bullRing.facility_id, registration_number: plate },
    });
    expect(entry.status).toBe(201);

    await nav().getByRole('link', { name: 'Parking now' }).click();
    const visit = page.getByRole('region', { name: 'Birmingham Bull Ring' });
    await visit.getByText('Parked since').waitFor({ timeout: 15_000 });

    // A station of the facility connects over OCPP 2.0.1 through the gateway, and charges the car.
    const manager = await b.platform.login(demoAccounts.manager, demoPassword);
    const station = await b.platform.request('POST', '/api/v1/charging/stations', {
      token: manager,
      body: {
        facility_id: bullRing.facility_id,
        name: 'Browser test charger',
        charger_level: 'LEVEL2',
        connector_type: 'TYPE2',
        power_rating_kw: 22,
      },
    });
    expect(station.status).toBe(201);
    const chargePoint = createChargePoint({
      endpoint: `${b.url.replace('http', 'ws')}/ocpp`,
      stationId: station.body.station_id,
      password: station.body.ocpp_password,
      protocol: 'ocpp2.0.1',
      maxPowerKw: 22,
      meterStartWh: 1_000_000,
    });
    await chargePoint.connect();
    await chargePoint.plugIn({ idTag: plate.replaceAll(' ', ''), batteryKwh: 60, socPercent: 20 });
    await chargePoint.startFromStation();
    await chargePoint.advance(20 * 60);

    const charging = page.getByRole('region', { name: 'Charging' });
    await charging.getByRole('progressbar', { name: 'Battery charge' }).waitFor({ timeout: 20_000 });
    await expect
      .poll(() => charging.getByText('Energy delivered').locator('..').textContent(), { timeout: 20_000 })
      .toMatch(/[1-9][\d.]* kWh/);
    await screenshot(page, 'driver-parking-charging');

    await chargePoint.stopFromStation();
    await chargePoint.unplug();
    await chargePoint.disconnect();
    const exit = await b.platform.request('POST', `/api/v1/parking/sessions/${entry.body.session_id}/exit`, {
      token: operator,
      body: {},
    });
    expect(exit.status).toBe(200);

    await nav().getByRole('link', { name: 'Invoices' }).click();
    const toPay = page.getByRole('region', { name: 'To pay' });
    const invoice = toPay.getByRole('article', { name: 'Birmingham Bull Ring' });
    await invoice.waitFor({ timeout: 40_000 });
    await invoice.getByRole('button', { name: 'Pay this invoice' }).click();

    // A declined card is said in words and nothing is paid; then a good card pays.
    await page.getByRole('radio', { name: 'Declined card' }).check();
    await page.getByRole('button', { name: /^Pay £/ }).click();
    await expect.poll(() => page.getByRole('alert').first().textContent()).toContain('The card was declined');
    await page.getByRole('radio', { name: 'Visa ending 4242' }).check();
    await page.getByRole('button', { name: /^Pay £/ }).click();
    await page.getByRole('status').filter({ hasText: 'with Visa ending 4242' }).waitFor();
    await page.getByRole('region', { name: 'Paid and other invoices' }).getByText('Paid').first().waitFor();
    await screenshot(page, 'driver-invoices');

    const token = await b.platform.login(email, 'wendy-drives-2026');
    const paid = await b.platform.request('GET', '/api/v1/billing/invoices', {
      token,
      query: { status: 'PAID' },
    });
    expect(paid.body).toHaveLength(1);
    expect(paid.body[0].parking_session_id).toBe(entry.body.session_id);
    expect(paid.body[0].line_items.map((l: { charge_type: string }) => l.charge_type).sort()).toEqual([
      'CHARGING',
      'PARKING',
    ]);
  });
});
