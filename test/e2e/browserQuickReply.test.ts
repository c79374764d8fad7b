import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { MESSAGES } from '../../src/resources/messages';
import type { RunningApplication } from '../../src/startApplication';
import {
  ARTIFACTS,
  describeInBrowser,
  launchBrowser,
  openPage,
  startDemo,
  UI_TIMEOUT,
  webChatSees,
} from './browserSupport';

/**
 * A quick reply round trip in a real browser: the agent sends a question with quick replies from
 * the agent console, the customer taps one in Web Chat (a suggested action), and the agent console
 * shows the choice, which reached the simulated Genesys Cloud as a `ButtonResponse`.
 */
describeInBrowser('quick replies in a real browser (Web Chat + agent console)', () => {
  let running: RunningApplication | undefined;
  let browser: Browser | undefined;
  let customer: Page;
  let agent: Page;
  const pageProblems: string[] = [];

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    running = await startDemo({ InstanceId: 'e2e-quick' });
    browser = await launchBrowser();
    customer = await openPage(browser, { width: 520, height: 760 }, 'customer', pageProblems);
    agent = await openPage(browser, { width: 1100, height: 720 }, 'agent', pageProblems);
    const base = `http://127.0.0.1:${running.port}`;
    await customer.goto(`${base}/demo/`);
    await agent.goto(`${base}/demo/agent`);
  }, 40_000);

  afterAll(async () => {
    await browser?.close();
    await running?.stop();
  });

  const customerSees = (text: string): Promise<void> => webChatSees(customer, text);

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
