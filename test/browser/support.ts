import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { expect } from 'vitest';
import { demoPassword, seedDemo } from '../../apps/easypark/src/demo.ts';
import { startTestPlatform, type TestPlatform, testPassword } from '../support/platform.ts';

/**
 * Browser tests drive Debian's Chromium (`apt-get install chromium`; CI installs it) through
 * playwright-core, which never downloads a browser of its own. Without Chromium they are skipped,
 * unless BROWSER_TESTS=required (CI), where a missing browser is a failure.
 */
export const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const root = join(import.meta.dirname, '..', '..');
const webBuild = join(root, 'apps', 'web', 'dist', 'index.html');

export const browserMissing = existsSync(chromiumPath) ? null : `no Chromium at ${chromiumPath}`;
if (browserMissing && process.env.BROWSER_TESTS === 'required') {
  throw new Error(`${browserMissing}: install it (apt-get install chromium) or set CHROMIUM_PATH`);
}

/** Screenshots of the main pages, kept as test artifacts (CI prints where). */
export const screenshotDir = join(root, 'test-results', 'screenshots');

export const demoAccounts = {
  manager: 'manager@demo.easypark.local',
  operator: 'operator@demo.easypark.local',
  driver: 'driver@demo.easypark.local',
} as const;
export { demoPassword };

export interface BrowserPlatform {
  /** The gateway's address: the web app at `/`, the API at `/api/v1`. */
  url: string;
  platform: TestPlatform;
  browser: Browser;
  /** A fresh browser profile (its own sessionStorage) with a page; phone-sized if asked. */
  newPage(options?: { phone?: boolean }): Promise<{ context: BrowserContext; page: Page }>;
  stop(): Promise<void>;
}

/**
 * The whole platform on a real port with the demo tenant, as `npm start` has it (the built web app
 * served by the gateway), and a headless Chromium.
 */
export async function startBrowserPlatform(): Promise<BrowserPlatform> {
  if (!existsSync(webBuild)) {
    throw new Error('the web app is not built: run `npm run build:web` (npm install does it)');
  }
  const platform = await startTestPlatform();
  const gateway = platform.platform.gateway.app;
  await seedDemo(gateway, { email: 'admin@easypark.local', password: testPassword });
  const address = await gateway.listen({ port: 0, host: '127.0.0.1' });
  const browser = await chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    args: ['--no-sandbox', '--disable-dev-shm-usage'],
  });
  mkdirSync(screenshotDir, { recursive: true });
  const contexts: BrowserContext[] = [];
  return {
    url: address,
    platform,
    browser,
    async newPage(options = {}) {
      const context = await browser.newContext({
        baseURL: address,
        viewport: options.phone ? { width: 390, height: 844 } : { width: 1280, height: 900 },
        ...(options.phone ? { isMobile: true, hasTouch: true, deviceScaleFactor: 2 } : {}),
      });
      contexts.push(context);
      const page = await context.newPage();
      page.setDefaultTimeout(10_000);
      // An error the app did not handle shows up here, and fails the test that caused it.
      page.on('pageerror', (error) => {
        throw error;
      });
      return { context, page };
    },
    async stop() {
      for (const context of contexts) await context.close().catch(() => undefined);
      await browser.close();
      await platform.stop();
    },
  };
}

/** Signs in through the sign-in form, as a person would, and waits for the start page. */
export async function signIn(page: Page, email: string, password = demoPassword): Promise<void> {
  await page.goto('/login');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL((url) => url.pathname !== '/login');
}

export async function screenshot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: join(screenshotDir, `${name}.png`), fullPage: true });
}

/** Text of the element, once it matches (Playwright's own waiting, as a vitest assertion). */
export async function waitForText(page: Page, selector: string, pattern: RegExp, timeoutMs = 10_000) {
  const locator = page.locator(selector).first();
  await locator.waitFor({ timeout: timeoutMs });
  await expect.poll(async () => (await locator.textContent()) ?? '', { timeout: timeoutMs }).toMatch(pattern);
  return (await locator.textContent()) ?? '';
}
