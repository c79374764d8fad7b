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

/** The scroll metrics of an element (the test's TypeScript has no DOM types). */
interface Scrollable {
  scrollHeight: number;
  scrollTop: number;
  clientHeight: number;
}

/**
 * The demo off the script, in a real browser: a customer reloading mid-chat, an agent with two
 * chats (one draft each, distinct names, the customer's line as preview), and the message pane
 * following long chats.
 */
describeInBrowser('demo in a real browser: reloads, several chats, long chats', () => {
  let running: RunningApplication | undefined;
  let browser: Browser | undefined;
  let base: string;
  let agent: Page;
  const pages: Page[] = [];
  const pageProblems: string[] = [];

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    running = await startDemo({ InstanceId: 'e2e-session' });
    base = `http://127.0.0.1:${running.port}`;
    browser = await launchBrowser();
    agent = await openPage(browser, { width: 1100, height: 560 }, 'agent', pageProblems);
  }, 40_000);

  afterAll(async () => {
    await browser?.close();
    await running?.stop();
    writeFileSync(join(ARTIFACTS, 'session-page-problems.txt'), pageProblems.join('\n'));
  });

  async function customerPage(name: string): Promise<Page> {
    if (browser === undefined) throw new Error('no browser');
    const page = await openPage(browser, { width: 520, height: 700 }, name, pageProblems);
    pages.push(page);
    await page.goto(`${base}/demo/`);
    await webChatSees(page, 'Ask me a question');
    return page;
  }

  /** The customer asks for an agent; resolves to the simulated Genesys conversation id. */
  async function askForAgent(page: Page, firstLine: string): Promise<string> {
    const before = new Set(running?.simulator?.conversations().map((c) => c.id));
    await webChatSays(page, firstLine);
    await webChatSays(page, 'talk to an agent');
    await webChatSees(page, MESSAGES.connecting);
    const chat = await running?.simulator?.waitForConversation((c) => !before.has(c.id), UI_TIMEOUT);
    if (chat === undefined) throw new Error('no chat opened');
    return chat.id;
  }

  const item = (id: string): ReturnType<Page['locator']> =>
    agent.locator(`[data-testid="chat-item"][data-conversation-id="${id}"]`);

  async function select(id: string): Promise<void> {
    await item(id).click();
    await agent.locator(`[data-testid="chat-detail"][data-conversation-id="${id}"]`).waitFor({ timeout: UI_TIMEOUT });
  }

  async function accept(id: string): Promise<void> {
    await select(id);
    await agent.locator('[data-testid="accept-button"]').click();
    await agent.locator('[data-testid="chat-detail"][data-state="active"]').waitFor({ timeout: UI_TIMEOUT });
  }

  async function agentSends(text: string): Promise<void> {
    const input = agent.locator('[data-testid="agent-input"]');
    await input.fill(text);
    await agent.locator('[data-testid="send-button"]').click();
    await agent
      .locator('[data-testid="message"][data-direction="Outbound"]', { hasText: text })
      .first()
      .waitFor({ timeout: UI_TIMEOUT });
  }

  /** How far the message pane is from its bottom (px). */
  const distanceFromBottom = (): Promise<number> =>
    agent
      .locator('[data-testid="messages"]')
      .evaluate((node: Scrollable) => node.scrollHeight - node.scrollTop - node.clientHeight);

  /** Waits until the message pane shows its bottom. */
  async function paneAtBottom(): Promise<void> {
    const deadline = Date.now() + UI_TIMEOUT;
    while ((await distanceFromBottom()) >= 5) {
      if (Date.now() > deadline)
        throw new Error(`the message pane stayed ${await distanceFromBottom()} px above its end`);
      await agent.waitForTimeout(20);
    }
  }

  it('continues the same chat after the customer reloads the page', async () => {
    await agent.goto(`${base}/demo/agent`);
    const customer = await customerPage('reloading customer');
    const chatId = await askForAgent(customer, 'my parcel is late');
    await accept(chatId);
    await agentSends('Hello, I can help with the parcel.');
    await webChatSees(customer, 'Hello, I can help with the parcel.');

    await customer.reload();
    await customer.locator('[data-testid="webchat"][data-resumed="true"]').waitFor({ timeout: UI_TIMEOUT });
    // The transcript so far comes back, and the chat goes on both ways.
    await webChatSees(customer, 'Hello, I can help with the parcel.');
    await agentSends('Are you still there?');
    await webChatSees(customer, 'Are you still there?');
    await webChatSays(customer, 'yes, still here');
    await agent
      .locator('[data-testid="message"][data-direction="Inbound"]', { hasText: 'yes, still here' })
      .waitFor({ timeout: UI_TIMEOUT });
    const chats = running?.simulator?.conversations() ?? [];
    expect(chats.filter((c) => c.id === chatId)).toHaveLength(1);
    expect(chats.find((c) => c.id === chatId)?.state).toBe('active');
    expect(chats.filter((c) => c.state !== 'ended')).toHaveLength(1);
  }, 60_000);

  it('keeps one draft per chat, names customers apart and previews their last line', async () => {
    const first = await customerPage('first customer');
    const second = await customerPage('second customer');
    const firstId = await askForAgent(first, 'question about my invoice');
    const secondId = await askForAgent(second, 'question about my return');
    const names = await agent.locator('[data-testid="chat-list"] .name').allInnerTexts();
    expect(new Set(names).size).toBe(names.length);
    await expect(item(secondId).locator('[data-testid="chat-preview"]').innerText()).resolves.toContain(
      'talk to an agent',
    );

    await accept(firstId);
    await accept(secondId);
    const input = agent.locator('[data-testid="agent-input"]');
    await select(firstId);
    await input.fill('Draft for the invoice');
    await select(secondId);
    expect(await input.inputValue()).toBe('');
    await input.fill('Draft for the return');
    await select(firstId);
    expect(await input.inputValue()).toBe('Draft for the invoice');
    await agent.locator('[data-testid="send-button"]').click();
    await webChatSees(first, 'Draft for the invoice');
    await select(secondId);
    expect(await input.inputValue()).toBe('Draft for the return');
    const secondChat = running?.simulator?.findConversation(secondId);
    expect(secondChat?.messages.some((m) => m.text === 'Draft for the invoice')).toBe(false);

    // Too long for Genesys: the console says so and sends nothing.
    await input.fill('x'.repeat(4001));
    await expect(agent.locator('[data-testid="agent-input-count"]').innerText()).resolves.toContain('Too long');
    await agent.locator('[data-testid="send-button"]').click();
    await agent.locator('[data-testid="action-error"]', { hasText: 'at most 4000' }).waitFor({ timeout: UI_TIMEOUT });
    expect(running?.simulator?.findConversation(secondId)?.messages.some((m) => m.text.startsWith('xxx'))).toBe(false);
    await input.fill('');

    // An ended chat leaves the open list for the archive, where it can still be read.
    await agent.locator('[data-testid="end-button"]').click();
    await agent
      .locator(`[data-testid="archive-list"] [data-conversation-id="${secondId}"]`)
      .waitFor({ state: 'attached', timeout: UI_TIMEOUT });
    expect(await agent.locator(`[data-testid="chat-list"] [data-conversation-id="${secondId}"]`).count()).toBe(0);
    await select(firstId);
    await agent.locator('[data-testid="archive"] summary').click();
    await agent.locator(`[data-testid="archive-list"] [data-conversation-id="${secondId}"]`).click();
    await agent
      .locator(`[data-testid="chat-detail"][data-conversation-id="${secondId}"][data-state="ended"]`)
      .waitFor({ timeout: UI_TIMEOUT });
    await agent.locator('[data-testid="transcript"]', { hasText: 'question about my return' }).waitFor();
  }, 60_000);

  it('shows the newest message when switching chats and when messages arrive', async () => {
    const open = (running?.simulator?.conversations() ?? []).filter((c) => c.state === 'active');
    const [longChat, otherChat] = open;
    if (longChat === undefined || otherChat === undefined) throw new Error('two active chats expected');
    for (let i = 1; i <= 30; i++) running?.simulator?.agentSend(longChat.id, `Line ${i} of a long answer`);
    await select(otherChat.id);
    await select(longChat.id);
    await agent
      .locator('[data-testid="message"]', { hasText: 'Line 30 of a long answer' })
      .waitFor({ timeout: UI_TIMEOUT });
    expect(await distanceFromBottom()).toBeLessThan(5);

    // Scrolled up to read; a new message brings the pane back to the newest.
    await agent.locator('[data-testid="messages"]').evaluate((node: Scrollable) => {
      node.scrollTop = 0;
    });
    expect(await distanceFromBottom()).toBeGreaterThan(100);
    running?.simulator?.agentSend(longChat.id, 'Line 31 arrives');
    await agent.locator('[data-testid="message"]', { hasText: 'Line 31 arrives' }).waitFor({ timeout: UI_TIMEOUT });
    await paneAtBottom();
  }, 60_000);
});
