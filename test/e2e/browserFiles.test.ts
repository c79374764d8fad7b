import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { MESSAGES } from '../../src/resources/messages';
import type { RunningApplication } from '../../src/startApplication';
import {
  ARTIFACTS,
  describeInBrowser,
  launchBrowser,
  openPage,
  UI_TIMEOUT,
  webChatSays,
  webChatSees,
  startDemo,
} from './browserSupport';

/**
 * A file both ways in a real browser: the customer attaches a file with Web Chat's upload button
 * (DirectLineJS' multipart upload to the demo Direct Line), the agent console shows it as a link,
 * and a file the agent picks in the console reaches the customer's Web Chat.
 */
describeInBrowser('demo files in a real browser (Web Chat + agent console)', () => {
  let running: RunningApplication | undefined;
  let browser: Browser | undefined;
  let customer: Page;
  let agent: Page;
  let base: string;
  const pageProblems: string[] = [];

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    running = await startDemo({ InstanceId: 'e2e-files' });
    base = `http://127.0.0.1:${running.port}`;
    browser = await launchBrowser();
    customer = await openPage(browser, { width: 520, height: 760 }, 'customer', pageProblems);
    agent = await openPage(browser, { width: 1100, height: 720 }, 'agent', pageProblems);
  }, 40_000);

  afterAll(async () => {
    await browser?.close();
    await running?.stop();
    writeFileSync(join(ARTIFACTS, 'files-page-problems.txt'), pageProblems.join('\n'));
  });

  it('carries a file from the customer to the agent and one back', async () => {
    try {
      await customer.goto(`${base}/demo/`);
      await webChatSees(customer, 'Ask me a question');
      await agent.goto(`${base}/demo/agent`);
      await webChatSays(customer, 'talk to an agent');
      await webChatSees(customer, MESSAGES.connecting);
      const item = agent.locator('[data-testid="chat-item"][data-state="waiting"]').first();
      await item.waitFor({ timeout: UI_TIMEOUT });
      await item.click();
      await agent.locator('[data-testid="nickname-input"]').fill('Anna');
      await agent.locator('[data-testid="accept-button"]').click();
      await agent.locator('[data-testid="chat-detail"][data-state="active"]').waitFor({ timeout: UI_TIMEOUT });
      // Genesys announces the agent with their first message.
      await agent.locator('[data-testid="agent-input"]').fill('Hi, this is Anna.');
      await agent.locator('[data-testid="send-button"]').click();
      await webChatSees(customer, MESSAGES.agentJoined('Anna'));
      await webChatSees(customer, 'Hi, this is Anna.');

      // The customer attaches a text file with Web Chat's upload button.
      await customer
        .locator('input[type="file"]')
        .first()
        .setInputFiles({
          name: 'notes.txt',
          mimeType: 'text/plain',
          buffer: Buffer.from('order 4711, parcel damaged'),
        });
      // Web Chat 4.18 sends attached files with the next send (`sendAttachmentOn: "send"`).
      await customer.locator('.webchat__send-button').first().click();
      const customerFile = agent.locator('[data-testid="message-file"]', { hasText: 'notes.txt' }).first();
      await customerFile.waitFor({ state: 'visible', timeout: UI_TIMEOUT });
      const href = await customerFile.getAttribute('href');
      expect(await (await fetch(href ?? '')).text()).toBe('order 4711, parcel damaged');

      // The agent sends a file from the console.
      await agent.locator('[data-testid="agent-file"]').setInputFiles({
        name: 'return-label.pdf',
        mimeType: 'application/pdf',
        buffer: Buffer.from('%PDF-1.4 return label'),
      });
      await agent.locator('[data-testid="send-file-button"]').click();
      await customer.getByText('return-label.pdf').first().waitFor({ state: 'visible', timeout: UI_TIMEOUT });
      await customer.screenshot({ path: join(ARTIFACTS, 'files-customer.png') });
      await agent.screenshot({ path: join(ARTIFACTS, 'files-agent.png') });
      expect(pageProblems.filter((p) => p.includes('uncaught'))).toEqual([]);
    } catch (err) {
      await Promise.allSettled([
        customer.screenshot({ path: join(ARTIFACTS, 'files-failure-customer.png') }),
        agent.screenshot({ path: join(ARTIFACTS, 'files-failure-agent.png') }),
      ]);
      throw err;
    }
  }, 60_000);
});
