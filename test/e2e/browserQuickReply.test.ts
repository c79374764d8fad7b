import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { loadConfig } from '../../src/config';
import { createDemoRoutes } from '../../src/demo/demoRoutes';
import { WebChatAsset } from '../../src/demo/webChatAsset';
import { createSilentLogger } from '../../src/logger';
import { MESSAGES } from '../../src/resources/messages';
import { startApplication, type RunningApplication } from '../../src/startApplication';

/**
 * A quick reply round trip in a real browser: the agent sends a question with quick replies from
 * the agent console, the customer taps one in Web Chat (a suggested action), and the agent console
 * shows the choice, which reached the simulated Genesys Cloud as a `ButtonResponse`.
 */

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ARTIFACTS = resolve(__dirname, '../../test-artifacts/e2e');
const UI_TIMEOUT = 10_000;
const inCi = (process.env.CI ?? '') !== '' && process.env.CI !== 'false';
const ready = existsSync(CHROMIUM) && new WebChatAsset().available();

// Without a browser the test cannot run: that is a failure in CI and a skip on a developer machine.
(ready || inCi ? describe : describe.skip)('quick replies in a real browser (Web Chat + agent console)', () => {
  let running: RunningApplication | undefined;
  let browser: Browser | undefined;
  let customer: Page;
  let agent: Page;

  beforeAll(async () => {
    if (!ready)
      throw new Error('The browser test needs chromium and the Web Chat bundle (see browserHandoff.test.ts).');
    mkdirSync(ARTIFACTS, { recursive: true });
    const logger = createSilentLogger();
    const config = loadConfig({ DemoMode: 'true', PORT: '0', LogLevel: 'silent', InstanceId: 'e2e-quick' });
    running = await startApplication(config, logger, { demoRoutes: createDemoRoutes(logger), host: '127.0.0.1' });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run'],
      timeout: 20_000,
    });
    const open = async (width: number, height: number): Promise<Page> =>
      (await browser!.newContext({ viewport: { width, height }, locale: 'en-US', timezoneId: 'UTC' })).newPage();
    customer = await open(520, 760);
    agent = await open(1100, 720);
    const base = `http://127.0.0.1:${running.port}`;
    await customer.goto(`${base}/demo/`);
    await agent.goto(`${base}/demo/agent`);
  }, 40_000);

  afterAll(async () => {
    await browser?.close();
    await running?.stop();
  });

  const customerSees = (text: string): Promise<void> =>
    customer.locator('p', { hasText: text }).first().waitFor({ state: 'visible', timeout: UI_TIMEOUT });

  it('the agent offers quick replies; the customer taps one; the agent sees the choice', async () => {
    try {
      await customerSees('Ask me a question');
      const input = customer.locator('[data-id="webchat-sendbox-input"]');
      await input.pressSequentially('talk to an agent', { delay: 10 });
      await input.press('Enter');
      await customerSees('An agent will be with you shortly');

      await agent.locator('[data-testid="chat-item"][data-state="waiting"]').first().click({ timeout: UI_TIMEOUT });
      await agent.locator('[data-testid="nickname-input"]').fill('Anna');
      await agent.locator('[data-testid="accept-button"]').click();
      await agent.locator('[data-testid="chat-detail"][data-state="active"]').waitFor({ timeout: UI_TIMEOUT });
      await agent.locator('[data-testid="agent-input"]').fill('Is this about an order?');
      await agent.locator('[data-testid="quick-replies-input"]').fill('Yes please, No thanks');
      await agent.locator('[data-testid="send-button"]').click();

      await customerSees(MESSAGES.agentJoined('Anna'));
      await customerSees('Is this about an order?');
      const option = customer
        .getByRole('toolbar', { name: 'Suggested actions' })
        .getByRole('button', { name: 'No thanks' });
      await option.waitFor({ state: 'visible', timeout: UI_TIMEOUT });
      await customer.screenshot({ path: join(ARTIFACTS, 'quick-reply-customer.png') });
      await option.click();

      await agent
        .locator('[data-testid="message"][data-direction="Inbound"]', { hasText: 'Chose: No thanks' })
        .first()
        .waitFor({ state: 'visible', timeout: UI_TIMEOUT });
      await agent.screenshot({ path: join(ARTIFACTS, 'quick-reply-agent.png') });
      const chat = running?.simulator?.conversations()[0];
      const offer = chat?.messages.find((m) => m.content !== undefined);
      expect(chat?.messages.flatMap((m) => m.buttonResponses ?? [])).toEqual([
        { type: 'QuickReply', text: 'No thanks', payload: 'No thanks', answers: offer?.id },
      ]);
    } catch (err) {
      await Promise.allSettled([
        customer.screenshot({ path: join(ARTIFACTS, 'quick-reply-failure-customer.png') }),
        agent.screenshot({ path: join(ARTIFACTS, 'quick-reply-failure-agent.png') }),
      ]);
      throw err;
    }
  }, 60_000);
});
