import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { MESSAGES } from '../../src/resources/messages';
import type { RunningApplication } from '../../src/startApplication';
import { ConnectorRecorder, postActivity, userMessage } from '../support/connectorRecorder';
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
 * The whole demo in a real browser: the customer chats with the bot in Web Chat, asks for an agent,
 * and an agent answers and ends the chat in the agent console, both pages driven in Debian's
 * chromium. Screenshots of key steps go to test-artifacts/e2e/. With DOCS_SCREENSHOTS=1 the run also
 * refreshes docs/images/customer.png and docs/images/agent-console.png.
 */

const DOC_IMAGES = resolve(__dirname, '../../docs/images');

describeInBrowser.each(['webmessaging', 'openmessaging'] as const)(
  'demo handoff in a real browser over %s (Web Chat + agent console)',
  (provider) => {
    let running: RunningApplication | undefined;
    let browser: Browser | undefined;
    let customer: Page;
    let agent: Page;
    let base: string;
    const pageProblems: string[] = [];
    /** Artifact path; the Open Messaging run's files carry its name so both runs' files are kept. */
    const artifact = (file: string): string =>
      join(ARTIFACTS, provider === 'webmessaging' ? file : file.replace(/(\.\w+)$/, `-${provider}$1`));

    beforeAll(async () => {
      mkdirSync(ARTIFACTS, { recursive: true });
      for (const stale of ['failure-customer.png', 'failure-agent.png']) rmSync(artifact(stale), { force: true });
      running = await startDemo({ InstanceId: 'e2e', GenesysProvider: provider });
      base = `http://127.0.0.1:${running.port}`;
      browser = await launchBrowser();
      customer = await openPage(browser, { width: 520, height: 760 }, 'customer', pageProblems);
      agent = await openPage(browser, { width: 1100, height: 720 }, 'agent', pageProblems);
    }, 40_000);

    afterAll(async () => {
      await browser?.close();
      await running?.stop();
      writeFileSync(artifact('page-problems.txt'), pageProblems.join('\n'));
    });

    async function screenshot(page: Page, name: string): Promise<void> {
      await page.screenshot({ path: artifact(`${name}.png`) });
    }

    const customerSees = (text: string): Promise<void> => webChatSees(customer, text);
    const customerSays = (text: string): Promise<void> => webChatSays(customer, text);

    async function agentSees(selector: string, text: string): Promise<void> {
      await agent.locator(selector, { hasText: text }).first().waitFor({ state: 'visible', timeout: UI_TIMEOUT });
    }

    it('hands the customer to an agent and back to the bot', async () => {
      const started = Date.now();
      try {
        // The customer meets the bot, which answers a question itself.
        await customer.goto(`${base}/demo/`);
        // Web Chat renders typographic quotes: match text without apostrophes.
        await customerSees('Ask me a question');
        await customerSays('how long does delivery take?');
        await customerSees('Standard delivery takes 2 to 4 working days');

        await agent.goto(`${base}/demo/agent`);
        await agent.locator('#chat-list-empty').waitFor({ state: 'visible', timeout: UI_TIMEOUT });

        // The customer asks for a person: the bot opens a chat on the simulated Genesys Cloud.
        await customerSays('talk to an agent');
        await customerSees(MESSAGES.connecting);
        await customerSees('An agent will be with you shortly');
        await screenshot(customer, '01-customer-queued');

        // The agent sees the waiting chat with the bot's transcript and the custom attributes.
        const item = agent.locator('[data-testid="chat-item"][data-state="waiting"]').first();
        await item.waitFor({ timeout: UI_TIMEOUT });
        await item.click();
        const transcript = agent.locator('[data-testid="transcript"]');
        await transcript.waitFor({ timeout: UI_TIMEOUT });
        const introduction = await transcript.innerText();
        expect(introduction).toContain('how long does delivery take?');
        expect(introduction).toContain('Standard delivery takes');
        const attributes = await agent.locator('[data-testid="custom-attributes"]').innerText();
        expect(attributes).toMatch(/botChannel\s+directline/);
        expect(attributes).toMatch(/botUserName\s+Dana/);
        expect(attributes).toContain('botConversationId');
        await screenshot(agent, '02-agent-waiting-chat');

        // The agent accepts: the customer is told at once, before the agent types or writes anything.
        await agent.locator('[data-testid="nickname-input"]').fill('Anna');
        await agent.locator('[data-testid="accept-button"]').click();
        await agent.locator('[data-testid="chat-detail"][data-state="active"]').waitFor({ timeout: UI_TIMEOUT });
        await customerSees(MESSAGES.agentJoined('Anna'));
        const chatSoFar =
          running?.simulator?.conversations()[0] ?? running?.app.openMessagingSimulator?.conversations()[0];
        expect(chatSoFar?.messages.some((m) => m.direction === 'Outbound')).toBe(false);
        await screenshot(customer, '03-customer-agent-joined');

        // The agent starts typing: the customer sees it.
        const agentInput = agent.locator('[data-testid="agent-input"]');
        await agentInput.pressSequentially('Hi Dana, this is Anna. ', { delay: 10 });
        await customer.locator('.webchat__typing-indicator').first().waitFor({ state: 'visible', timeout: UI_TIMEOUT });
        await screenshot(customer, '03-customer-agent-typing');
        await agentInput.pressSequentially('Let me check your delivery.', { delay: 5 });
        await agent.locator('[data-testid="send-button"]').click();
        await customerSees('Hi Dana, this is Anna. Let me check your delivery.');
        expect(await agentInput.inputValue()).toBe('');

        // The customer types and answers; the agent sees both.
        const input = customer.locator('[data-id="webchat-sendbox-input"]');
        await input.pressSequentially('My order number is 4711', { delay: 20 });
        await agentSees('[data-testid="customer-typing"]', 'Dana is typing');
        await input.press('Enter');
        await agentSees('[data-testid="message"][data-direction="Inbound"]', 'My order number is 4711');
        await screenshot(agent, '04-agent-conversation');
        await screenshot(customer, '04-customer-conversation');
        if (process.env.DOCS_SCREENSHOTS === '1' && provider === 'webmessaging') {
          mkdirSync(DOC_IMAGES, { recursive: true });
          await customer.screenshot({ path: join(DOC_IMAGES, 'customer.png') });
          await agent.screenshot({ path: join(DOC_IMAGES, 'agent-console.png') });
        }

        // The agent ends the chat; the bot takes over again and answers by itself.
        await agent.locator('[data-testid="end-button"]').click();
        await agent.locator('[data-testid="chat-detail"][data-state="ended"]').waitFor({ timeout: UI_TIMEOUT });
        await customerSees(MESSAGES.agentEnded);
        await customerSays('what are your opening hours?');
        await customerSees('Our customer service is open Monday to Friday');
        await screenshot(customer, '05-customer-back-with-bot');
        await screenshot(agent, '05-agent-ended');

        const chat = running?.simulator?.conversations()[0] ?? running?.app.openMessagingSimulator?.conversations()[0];
        expect(chat?.state).toBe('ended');
        if (provider === 'webmessaging')
          expect(running?.simulator?.conversations()[0]?.endReason).toBe('agentDisconnected');
        // Nothing the customer said after the agent left reached Genesys.
        expect(chat?.messages.some((m) => m.text.includes('opening hours'))).toBe(false);
        expect(pageProblems.filter((p) => p.includes('uncaught') || p.includes('Content Security Policy'))).toEqual([]);
      } catch (err) {
        await Promise.allSettled([screenshot(customer, 'failure-customer'), screenshot(agent, 'failure-agent')]);
        throw err;
      } finally {
        writeFileSync(artifact('timing.txt'), `handoff story took ${Date.now() - started} ms\n`);
      }
    }, 60_000);

    it('keeps serving the Bot Framework Emulator on /api/messages at the same time', async () => {
      const emulator = new ConnectorRecorder();
      const serviceUrl = await emulator.start();
      try {
        const res = await postActivity(base, userMessage(serviceUrl, 'emulator-1', 'how do I return an item?'));
        expect(res.status).toBe(200);
        await emulator.waitForText('emulator-1', 'You can return any item within 30 days');
      } finally {
        await emulator.stop();
      }
    });
  },
);
