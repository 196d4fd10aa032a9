/// <reference lib="dom" />
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type BrowserPlatform,
  browserMissing,
  demoAccounts,
  demoPassword,
  screenshot,
  signIn,
  startBrowserPlatform,
} from './support.ts';

// A tenant admin runs one facility from its page in a real Chromium: the live space map, alerts,
// spaces and stations in and out of maintenance, capacity, a price change ahead, revenue, history.

describe.skipIf(browserMissing)('the facility page, in Chromium', { timeout: 90_000 }, () => {
  let b: BrowserPlatform;
  let page: Page;
  let facilityId: string;
  let managerToken: string;

  beforeAll(async () => {
    b = await startBrowserPlatform();
    managerToken = await b.platform.login(demoAccounts.manager, demoPassword);
    const list = await b.platform.request('GET', '/api/v1/facilities', { token: managerToken });
    facilityId = list.body.find((f: { name: string }) => f.name === 'Birmingham Bull Ring').facility_id;
    page = (await b.newPage()).page;
    await signIn(page, demoAccounts.manager);
  }, 120_000);
  afterAll(async () => {
    await b?.stop();
  });

  const region = (name: string) => page.getByRole('region', { name, exact: true });
  const enter = async (plate: string) => {
    const entry = await b.platform.request('POST', '/api/v1/parking/sessions/entry', {
      token: managerToken,
      body: { facility_id: facilityId, registration_number: plate },
    });
    expect(entry.status).toBe(201);
    return entry.body as { space_id: string };
  };

  it('opens from the overview and draws the space map, which follows cars live', async () => {
    await page.waitForURL('**/overview');
    await page.getByRole('link', { name: 'Birmingham Bull Ring' }).click();
    await page.waitForURL(`**/facilities/${facilityId}`);
    await page.getByRole('heading', { level: 1, name: 'Birmingham Bull Ring' }).waitFor();
    const spaces = region('Spaces');
    const ground = spaces.getByRole('group', { name: /^Level 0 \(ground\)/ });
    await ground.getByRole('button', { name: /^Space C-1: compact, available$/ }).waitFor();
    expect(await spaces.getByRole('button', { name: /occupied$/ }).count()).toBe(0);

    await enter('MAP1 WEB');
    await enter('MAP2 WEB');
    // No reload: the stream's occupancy change redraws the map.
    await expect
      .poll(() => spaces.getByRole('button', { name: /occupied$/ }).count(), { timeout: 15_000 })
      .toBe(2);
    for (const name of [
      'Occupancy history and forecast',
      'Peak hours',
      'Revenue',
      'Charging stations',
      'Pricing',
      'Alerts',
    ])
      await region(name).waitFor();
    await page.getByRole('img', { name: 'Occupancy history and forecast' }).waitFor();
    await screenshot(page, 'facility');
  });

  it('raises an alert the manager acknowledges', async () => {
    // An alert at 1 % occupancy: the cars already in are above it, the next one raises it.
    const threshold = await b.platform.request('PUT', `/api/v1/analytics/alerts/${facilityId}/thresholds`, {
      token: managerToken,
      body: { alert_type: 'HIGH_OCCUPANCY', raise_at: 1, clear_at: 0 },
    });
    expect(threshold.status).toBe(200);
    await enter('ALR1 WEB');
    const alerts = region('Alerts');
    const acknowledge = alerts.getByRole('button', { name: /^Acknowledge alert: / }).first();
    await acknowledge.waitFor({ timeout: 15_000 });
    const name = (await acknowledge.getAttribute('aria-label')) ?? '';
    await acknowledge.click();
    await alerts.getByRole('button', { name }).waitFor({ state: 'detached' });
    const open = await b.platform.request('GET', `/api/v1/analytics/alerts/${facilityId}`, {
      token: managerToken,
    });
    const raised = open.body.filter((a: { alert_type: string }) => a.alert_type === 'HIGH_OCCUPANCY');
    expect(raised.length).toBeGreaterThan(0);
    expect(raised.every((a: { acknowledged_at: string | null }) => a.acknowledged_at !== null)).toBe(true);
  });

  it('puts a space in maintenance and back, from the map', async () => {
    const spaces = region('Spaces');
    const ground = spaces.getByRole('group', { name: /^Level 0 \(ground\)/ });
    await ground.getByRole('button', { name: /^Space C-1:/ }).click();
    const details = spaces.getByRole('region', { name: /^Space C-1, ground level/ });
    await details.getByLabel('Reason for maintenance (optional)').fill('line repainting');
    await details.getByRole('button', { name: 'Put in maintenance' }).click();
    await details.getByRole('status').filter({ hasText: 'Space C-1 is now in maintenance.' }).waitFor();
    await ground.getByRole('button', { name: 'Space C-1: compact, in maintenance' }).waitFor();
    await details.getByRole('button', { name: 'End maintenance' }).click();
    await ground.getByRole('button', { name: 'Space C-1: compact, available' }).waitFor();
  });

  it('refuses a space beyond the capacity in words, then adds two after the capacity is raised', async () => {
    const spaces = region('Spaces');
    const add = spaces.getByRole('region', { name: 'Add spaces' });
    await add.getByLabel('Size').selectOption('COMPACT');
    await add.getByLabel('Level').fill('0');
    await add.getByLabel('Aisle').fill('C');
    await add.getByRole('button', { name: 'Add spaces' }).click();
    await add.getByRole('alert').filter({ hasText: 'already has all 20 spaces' }).waitFor();

    const capacity = spaces.getByRole('region', { name: 'Capacity' });
    await capacity.getByLabel('Compact spaces').fill('22');
    await capacity.getByRole('button', { name: 'Save capacity' }).click();
    await capacity.getByRole('status').filter({ hasText: 'The capacity is saved.' }).waitFor();
    await add.getByLabel('How many').fill('2');
    await add.getByRole('button', { name: 'Add spaces' }).click();
    await add.getByRole('status').filter({ hasText: 'Added 2 compact spaces' }).waitFor();
    await spaces
      .getByRole('button', { name: /^Space C-\d+: compact, available$/ })
      .nth(21)
      .waitFor();
  });

  it('puts a station in maintenance and back, and adds one whose OCPP password is shown once', async () => {
    const charging = region('Charging stations');
    await charging.getByRole('button', { name: 'Put TYPE2 1 in maintenance' }).click();
    const form = charging.getByRole('form', { name: 'Maintenance for TYPE2 1' });
    await form.getByLabel('Reason').fill('connector cable damaged');
    await form.getByRole('button', { name: 'Confirm maintenance' }).click();
    await charging.getByRole('button', { name: 'End maintenance for TYPE2 1' }).click();
    await charging.getByRole('button', { name: 'Put TYPE2 1 in maintenance' }).waitFor();

    const addStation = charging.getByRole('region', { name: 'Add a charging station' });
    await addStation.getByLabel('Name (optional)').fill('Bay 9');
    await addStation.getByLabel('Charger level').selectOption('LEVEL1');
    await addStation.getByLabel('Power rating (kW)').fill('22');
    await addStation.getByRole('button', { name: 'Add station' }).click();
    // A level 1 charger of 22 kW does not exist: the field says so.
    await addStation.getByRole('alert').filter({ hasText: 'Power rating (kW)' }).waitFor();
    await addStation.getByLabel('Charger level').selectOption('LEVEL2');
    await addStation.getByRole('button', { name: 'Add station' }).click();
    const added = addStation.getByRole('status').filter({ hasText: 'Bay 9 is added.' });
    await added.waitFor();
    expect(await added.textContent()).toMatch(/stn_[0-9a-f]{32}/);
    await charging.getByRole('heading', { name: 'Bay 9' }).waitFor();
  });

  it('schedules a price change with its effective date, and refuses a second at the same time', async () => {
    const pricing = region('Pricing');
    const change = pricing.getByRole('region', { name: 'Change a price' });
    await change.getByLabel('Vehicle type').selectOption('CAR');
    await change.getByLabel('Hourly rate (GBP)').fill('3.40');
    await change.getByRole('radio', { name: 'At a later date and time' }).check();
    const next = new Date().getUTCFullYear() + 1;
    await change.getByLabel('Effective from (Europe/London time)').fill(`${next}-01-01T08:00`);
    await change.getByRole('button', { name: 'Save price' }).click();
    await change.getByRole('status').filter({ hasText: 'The new car price applies from' }).waitFor();
    await pricing
      .getByRole('table', { name: 'Price changes to come' })
      .getByRole('cell', { name: '£3.40' })
      .waitFor();
    await change.getByRole('button', { name: 'Save price' }).click();
    await change.getByRole('alert').filter({ hasText: 'already starts at that exact time' }).waitFor();

    const prices = await b.platform.request('GET', `/api/v1/facilities/${facilityId}/pricing`, {
      token: managerToken,
    });
    const scheduled = JSON.stringify(prices.body);
    expect(scheduled).toContain(`${next}-01-01T08:00:00`);
  });

  it('shows revenue by day, week and month once a driver has paid for a visit', async () => {
    const revenue = region('Revenue');
    await revenue.getByText('No money received').waitFor();

    // A driver's three-hour visit, billed at the exit and paid in the sandbox.
    const driver = await b.platform.createDriver();
    const plate = 'REV1 WEB';
    const vehicle = await b.platform.request('POST', '/api/v1/parking/vehicles', {
      token: driver.token,
      body: { registration_number: plate, vehicle_type: 'CAR', is_electric: false },
    });
    expect(vehicle.status).toBe(201);
    const entry = await b.platform.request('POST', '/api/v1/parking/sessions/entry', {
      token: managerToken,
      body: {
        facility_id: facilityId,
        registration_number: plate,
        entry_time: new Date(Date.now() - 3 * 3_600_000).toISOString(),
      },
    });
    expect(entry.status).toBe(201);
    const exit = await b.platform.request('POST', `/api/v1/parking/sessions/${entry.body.session_id}/exit`, {
      token: managerToken,
      body: {},
    });
    expect(exit.status).toBe(200);
    let invoice: { invoice_id: string; total_amount: number } | undefined;
    await expect
      .poll(async () => {
        const list = await b.platform.request('GET', '/api/v1/billing/invoices', {
          token: driver.token,
          query: { status: 'ISSUED' },
        });
        invoice = list.body[0];
        return invoice?.total_amount ?? 0;
      })
      .toBeGreaterThan(0);
    const paid = await b.platform.request('POST', `/api/v1/billing/invoices/${invoice!.invoice_id}/pay`, {
      token: driver.token,
      headers: { 'idempotency-key': `pay-${invoice!.invoice_id}` },
      body: { payment_method: 'CREDIT_CARD', payment_token: 'tok_visa' },
    });
    expect(paid.status).toBe(201);
    const amount = `£${invoice!.total_amount.toFixed(2)}`;

    for (const grouping of ['WEEKLY', 'MONTHLY', 'DAILY']) {
      await revenue.getByLabel('Group revenue by').selectOption(grouping);
      await revenue.getByRole('img').first().waitFor({ timeout: 15_000 });
      await expect.poll(() => revenue.textContent()).toContain(amount);
    }
    await screenshot(page, 'facility-revenue');
  });

  it('shows an operator the prices but no form to change them', async () => {
    const operator = (await b.newPage({ phone: true })).page;
    await signIn(operator, demoAccounts.operator);
    await operator.goto(`/facilities/${facilityId}`);
    const pricing = operator.getByRole('region', { name: 'Pricing', exact: true });
    await pricing.getByText('Only a manager (tenant admin) can change prices').waitFor();
    expect(await pricing.getByRole('button', { name: 'Save price' }).count()).toBe(0);
    await screenshot(operator, 'facility-phone-operator');

    // A facility of no tenant of theirs, or none at all, reads as missing.
    await operator.goto('/facilities/fac_00000000000000000000000000000000');
    await operator.getByText('There is no facility at this address').waitFor();
  });
});
