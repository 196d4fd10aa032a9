/// <reference lib="dom" />
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

// Operators, tenant admins and the platform admin in a real Chromium against the running platform.

describe.skipIf(browserMissing)('web app for staff, in Chromium', { timeout: 90_000 }, () => {
  let b: BrowserPlatform;

  beforeAll(async () => {
    b = await startBrowserPlatform();
  }, 120_000);
  afterAll(async () => {
    await b?.stop();
  });

  /** A gate records a car through the API, as the plate reader at the barrier would. */
  async function enter(facilityId: string, plate: string) {
    const token = await b.platform.login(demoAccounts.operator, demoPassword);
    const entry = await b.platform.request('POST', '/api/v1/parking/sessions/entry', {
      token,
      body: { facility_id: facilityId, registration_number: plate },
    });
    expect(entry.status).toBe(201);
    return entry.body;
  }

  it('tells a person with a wrong password so in words, and signs them in with the right one', async () => {
    const { page } = await b.newPage();
    await page.goto('/');
    await page.waitForURL('**/login');
    await page.getByLabel('Email').fill(demoAccounts.operator);
    await page.getByLabel('Password').fill('not-the-password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect
      .poll(() => page.getByRole('alert').textContent())
      .toContain('The email or password is not right');
    await screenshot(page, 'sign-in-refused');

    await page.getByLabel('Password').fill(demoPassword);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL('**/overview');
    await expect.poll(() => page.title()).toBe('Network overview · EasyParkPlus');
  });

  it('shows the operator every facility with occupancy that changes live when a car enters', async () => {
    const { page } = await b.newPage();
    await signIn(page, demoAccounts.operator);
    await page.waitForURL('**/overview');
    const card = page.getByRole('article', { name: 'Birmingham Bull Ring' });
    await expect.poll(() => page.getByRole('article').count()).toBe(3);
    await card.getByText('Live').waitFor({ timeout: 15_000 });
    const before = (await card.locator('.big').textContent()) ?? '';
    expect(before).toMatch(/0 of 150 spaces/);
    for (const heading of ['Compact free', 'Standard free', 'Large free', 'Open alerts', 'Charging in use'])
      await card.getByText(heading, { exact: true }).waitFor();
    await screenshot(page, 'overview');

    const facilities = await b.platform.request('GET', '/api/v1/facilities', {
      token: await b.platform.login(demoAccounts.operator, demoPassword),
    });
    const bullRing = facilities.body.find((f: { name: string }) => f.name === 'Birmingham Bull Ring');
    await enter(bullRing.facility_id, 'LV01 WEB');
    await enter(bullRing.facility_id, 'LV02 WEB');
    // No reload: the analytics stream carries the change to the card.
    await expect
      .poll(() => card.locator('.big').textContent(), { timeout: 15_000 })
      .toMatch(/2 of 150 spaces/);
  });

  it('works on a phone: the cards stack and the header wraps', async () => {
    const { page } = await b.newPage({ phone: true });
    await signIn(page, demoAccounts.manager);
    await page.waitForURL('**/overview');
    await expect.poll(() => page.getByRole('article').count()).toBe(3);
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    expect(width).toBeLessThanOrEqual(390);
    await screenshot(page, 'overview-phone');
  });

  it('lets a tenant admin add an operator, who can then sign in', async () => {
    const { page } = await b.newPage();
    await signIn(page, demoAccounts.manager);
    await page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: 'Staff' }).click();
    await page.getByRole('heading', { name: 'EasyPark Demo' }).waitFor();
    const accounts = page.getByRole('table', { name: 'Staff accounts' });
    await accounts.getByRole('cell', { name: demoAccounts.operator }).waitFor();

    // A password that is too short is explained next to its field, and nothing is created.
    await page.getByLabel('Name', { exact: true }).fill('Night shift');
    await page.getByLabel('Email').fill('night@demo.easypark.local');
    await page.getByLabel('Role').selectOption('operator');
    await page.getByLabel('Initial password').fill('short');
    await page.getByLabel('Initial password').evaluate((input) => input.removeAttribute('minlength'));
    await page.getByRole('button', { name: 'Add account' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('password');

    await page.getByLabel('Initial password').fill('night-shift-2026');
    await page.getByRole('button', { name: 'Add account' }).click();
    await page.getByRole('status').filter({ hasText: 'night@demo.easypark.local can now sign in' }).waitFor();
    await accounts.getByRole('cell', { name: 'night@demo.easypark.local' }).waitFor();
    await screenshot(page, 'staff');
    expect(await b.platform.login('night@demo.easypark.local', 'night-shift-2026')).toBeTruthy();

    // An operator has no staff page: the address answers in words, not with an empty table.
    const operator = await b.newPage();
    await signIn(operator.page, demoAccounts.operator);
    await operator.page.goto(page.url());
    await operator.page.getByRole('heading', { name: 'Not for your account' }).waitFor();
  });

  it('lets the platform admin onboard a tenant and give it its first admin', async () => {
    const { page } = await b.newPage();
    await signIn(page, 'admin@easypark.local', 'correct-horse-battery');
    await page.waitForURL('**/tenants');
    await page.getByRole('link', { name: 'EasyPark Demo' }).waitFor();
    await page.getByLabel('Company name').fill('Harbour Parking Ltd');
    await page.getByRole('button', { name: 'Onboard tenant' }).click();
    await page.getByRole('link', { name: 'Harbour Parking Ltd' }).waitFor();
    await screenshot(page, 'tenants');

    // The same name twice is refused in words.
    await page.getByLabel('Company name').fill('Harbour Parking Ltd');
    await page.getByRole('button', { name: 'Onboard tenant' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toMatch(/already|taken|exists/i);

    await page.getByRole('link', { name: 'Harbour Parking Ltd' }).click();
    await page.getByRole('heading', { name: 'Harbour Parking Ltd' }).waitFor();
    await page.getByText('No staff accounts yet').waitFor();
    await page.getByLabel('Email').fill('boss@harbour.example');
    await page.getByLabel('Role').selectOption('tenant_admin');
    await page.getByLabel('Initial password').fill('harbour-boss-2026');
    await page.getByRole('button', { name: 'Add account' }).click();
    await page.getByRole('cell', { name: 'boss@harbour.example' }).waitFor();
    await screenshot(page, 'tenant');

    const boss = await b.newPage();
    await signIn(boss.page, 'boss@harbour.example', 'harbour-boss-2026');
    await boss.page.waitForURL('**/overview');
    await boss.page.getByText('Your organisation has no facilities yet').waitFor();
  });
});
