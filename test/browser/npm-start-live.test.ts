/// <reference lib="dom" />
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import { startNpmStart, stopProcess } from '../support/npm-start.ts';
import { browserMissing, chromiumPath, demoAccounts, demoPassword, screenshot } from './support.ts';

// What a newcomer sees: `npm start` (demo and traffic simulator on, as by default), the overview
// open in a browser, and occupancy moving on its own within a minute, without a reload.

describe.skipIf(browserMissing)('npm start, then the overview', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'easypark-live-'));
  let child: ChildProcess | undefined;
  let browser: Browser | undefined;

  afterAll(async () => {
    await browser?.close();
    if (child) await stopProcess(child);
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('shows occupancy changing within a minute, driven by the simulator', async () => {
    const started = await startNpmStart(dataDir, { simulator: true });
    child = started.child;
    browser = await chromium.launch({ executablePath: chromiumPath, args: ['--no-sandbox'] });
    const page = await (await browser.newContext({ baseURL: started.url })).newPage();
    await page.goto('/login');
    await page.getByLabel('Email').fill(demoAccounts.operator);
    await page.getByLabel('Password').fill(demoPassword);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL('**/overview');
    await expect.poll(() => page.getByRole('article').count(), { timeout: 15_000 }).toBe(3);

    const figures = () => page.locator('article .big').allTextContents();
    await expect.poll(async () => (await figures()).length, { timeout: 15_000 }).toBe(3);
    const first = await figures();
    // A mark on this document: a reload would lose it.
    await page.evaluate(() => Object.assign(window, { sameDocument: true }));
    await expect
      .poll(async () => (await figures()).join(' | '), { timeout: 60_000, interval: 1_000 })
      .not.toBe(first.join(' | '));
    // The same document all along: the change came over the stream (or the cards' polling).
    expect(await page.evaluate(() => 'sameDocument' in window)).toBe(true);
    await screenshot(page, 'overview-npm-start');
  }, 150_000);
});
