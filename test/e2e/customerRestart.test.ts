import type { Browser, Page } from 'playwright-core';
import type { RunningApplication } from '../../src/startApplication';
import { describeInBrowser, launchBrowser, openPage, webChatSays, webChatSees, startDemo } from './browserSupport';

/** Direct Line clients retry a lost stream after 3 to 15 s; the new chat's greeting follows. */
const RECOVERY_TIMEOUT = 45_000;

describeInBrowser('demo in a real browser: the bot restarts under an open customer page', () => {
  let running: RunningApplication | undefined;
  let browser: Browser | undefined;
  let customer: Page;
  const pageProblems: string[] = [];

  async function start(port: number): Promise<RunningApplication> {
    return startDemo({ PORT: String(port), InstanceId: 'e2e-restart' });
  }

  beforeAll(async () => {
    running = await start(0);
    browser = await launchBrowser();
    customer = await openPage(browser, { width: 520, height: 700 }, 'customer', pageProblems);
  }, 40_000);

  afterAll(async () => {
    await browser?.close();
    await running?.stop();
  });

  it('starts a new chat and says so when the restarted bot no longer knows the conversation', async () => {
    const port = running?.port ?? 0;
    await customer.goto(`http://127.0.0.1:${port}/demo/`);
    await webChatSees(customer, 'Ask me a question');
    await webChatSays(customer, 'how long does delivery take?');

    await running?.stop();
    running = await start(port);

    const notice = customer.locator('#status', { hasText: 'a new chat has started' });
    await notice.waitFor({ state: 'visible', timeout: RECOVERY_TIMEOUT });
    // The new chat works: the bot greets and answers.
    await webChatSees(customer, 'Ask me a question');
    await webChatSays(customer, 'what are your opening hours?');
    await webChatSees(customer, 'Our customer service is open Monday to Friday');
    expect(pageProblems.filter((p) => p.includes('uncaught'))).toEqual([]);
  }, 90_000);
});
