import { loadConfig } from '../../src/config';
import { createDemoRoutes } from '../../src/demo/demoRoutes';
import { createSilentLogger } from '../../src/logger';
import { startApplication, type RunningApplication } from '../../src/startApplication';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { WebChatAsset } from '../../src/demo/webChatAsset';

/** Debian's chromium, driven by playwright-core (never a downloaded browser). */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];
/** Where screenshots go. */
export const ARTIFACTS = resolve(__dirname, '../../test-artifacts/e2e');
/** Longest wait for something to show in a page. */
export const UI_TIMEOUT = 10_000;

const inCi = (process.env.CI ?? '') !== '' && process.env.CI !== 'false';

/** What keeps the browser tests from running here (empty when they can run). */
export const missing = [
  existsSync(CHROMIUM)
    ? ''
    : `chromium was not found at ${CHROMIUM} (install it with "apt-get install -y chromium", or set CHROMIUM_PATH)`,
  new WebChatAsset().available() ? '' : 'the Web Chat bundle is missing (run "node scripts/fetch-webchat.js")',
].filter((m) => m !== '');

/** Without a browser the tests cannot run: that is a failure in CI and a skip on a developer machine. */
export const describeInBrowser = missing.length === 0 || inCi ? describe : describe.skip;

/** Starts chromium; throws naming what is missing. */
export async function launchBrowser(): Promise<Browser> {
  if (missing.length > 0) throw new Error(`The browser test cannot run: ${missing.join('; ')}.`);
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, timeout: 20_000 });
}

/** A page in its own browser context (own cookies and sessionStorage); page errors go to `problems`. */
export async function openPage(
  browser: Browser,
  viewport: { width: number; height: number },
  name: string,
  problems: string[],
): Promise<Page> {
  const context = await browser.newContext({ viewport, deviceScaleFactor: 1, locale: 'en-US', timezoneId: 'UTC' });
  const page = await context.newPage();
  page.on('pageerror', (err) => problems.push(`${name}: uncaught ${err.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`${name}: console error ${message.text()}`);
  });
  return page;
}

/** Waits until Web Chat on `page` shows a message containing `text`. */
export async function webChatSees(page: Page, text: string): Promise<void> {
  await page.locator('p', { hasText: text }).first().waitFor({ state: 'visible', timeout: UI_TIMEOUT });
}

/** Types `text` into Web Chat's send box and sends it; resolves once the transcript shows it. */
export async function webChatSays(page: Page, text: string): Promise<void> {
  const input = page.locator('[data-id="webchat-sendbox-input"]');
  await input.pressSequentially(text, { delay: 15 });
  await input.press('Enter');
  await webChatSees(page, text);
}

/**
 * Starts the bot in demo mode on loopback (port 0 unless `PORT` is given), logging nothing, with
 * `settings` added to the demo defaults.
 */
export function startDemo(settings: Record<string, string>): Promise<RunningApplication> {
  const logger = createSilentLogger();
  const config = loadConfig({ DemoMode: 'true', PORT: '0', LogLevel: 'silent', ...settings });
  return startApplication(config, logger, { demoRoutes: createDemoRoutes(logger), host: '127.0.0.1' });
}
