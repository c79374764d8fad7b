import { loadConfig } from '../../src/config';
import { createDemoRoutes } from '../../src/demo/demoRoutes';
import { isRecord } from '../../src/json';
import { WebChatAsset } from '../../src/demo/webChatAsset';
import { createSilentLogger } from '../../src/logger';
import { MESSAGES } from '../../src/resources/messages';
import { startApplication, type RunningApplication } from '../../src/startApplication';

interface Polled {
  activities: { type: string; text?: string }[];
  watermark: string;
}

describe('demo routes: pages, agent API and Direct Line on the running app', () => {
  let running: RunningApplication;
  let base: string;

  beforeAll(async () => {
    const logger = createSilentLogger();
    const config = loadConfig({ DemoMode: 'true', PORT: '0', LogLevel: 'silent', InstanceId: 'demo-test' });
    // A bundle that is not there: the page must say how to get it.
    const webChat = new WebChatAsset('/nonexistent/webchat.js');
    running = await startApplication(config, logger, {
      demoRoutes: createDemoRoutes(logger, { webChat }),
      host: '127.0.0.1',
    });
    base = `http://127.0.0.1:${running.port}`;
  });

  afterAll(async () => {
    await running.stop();
  });

  async function post(path: string, body: unknown, token?: string): Promise<Response> {
    return fetch(`${base}${path}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
      },
      body: JSON.stringify(body),
    });
  }

  it('lists the demo pages in the start-up URLs', () => {
    expect(running.urls.customerPage).toBe(`http://localhost:${running.port}/demo/`);
    expect(running.urls.agentConsole).toBe(`http://localhost:${running.port}/demo/agent`);
  });

  it('explains on the customer page how to fetch a missing Web Chat bundle', async () => {
    const page = await fetch(`${base}/demo/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    const html = await page.text();
    expect(html).toContain('data-testid="webchat-missing"');
    expect(html).toContain('node scripts/fetch-webchat.js');
    expect(html).not.toContain('<script src="/demo/webchat.js">');
    expect((await fetch(`${base}/demo/webchat.js`)).status).toBe(404);
    expect((await fetch(`${base}/demo/agent`)).status).toBe(200);
    expect((await fetch(`${base}/demo/agent.js`)).headers.get('content-type')).toContain('javascript');
  });

  it('lets the agent API accept, answer and end a chat the bot opened, refusing wrong requests', async () => {
    const generated = await post('/v3/directline/tokens/generate', { user: { id: 'api-user', name: 'Robin' } });
    const { token } = (await generated.json()) as { token: string };
    const started = await post('/v3/directline/conversations', {}, token);
    const { conversationId } = (await started.json()) as { conversationId: string };
    const activities = `/v3/directline/conversations/${conversationId}/activities`;
    expect((await post(activities, { type: 'message', text: 'talk to an agent' }, token)).status).toBe(200);

    const chat = await running.simulator!.waitForConversation(
      (c) => c.customAttributes.botConversationId === conversationId,
      10_000,
    );
    const api = `/demo/api/conversations/${chat.id}`;
    const listed = (await (await fetch(`${base}/demo/api/conversations`)).json()) as {
      conversations: Record<string, unknown>[];
    };
    expect(listed.conversations[0]).toMatchObject({
      id: chat.id,
      state: 'waiting',
      customAttributes: { botUserName: 'Robin', botChannel: 'directline' },
    });
    expect(listed.conversations[0]).not.toHaveProperty('sessionToken');

    expect((await post('/demo/api/conversations/unknown/accept', {})).status).toBe(404);
    expect((await post(`${api}/messages`, { text: 'too early' })).status).toBe(409);
    expect((await post(`${api}/accept`, { nickname: 42 })).status).toBe(400);
    expect((await post(`${api}/accept`, { nickname: 'x'.repeat(41) })).status).toBe(400);
    const accepted = await post(`${api}/accept`, { nickname: 'Sam' });
    expect(accepted.status).toBe(200);
    expect(await accepted.json()).toMatchObject({ state: 'active', agent: { nickname: 'Sam' } });
    expect((await post(`${api}/accept`, { nickname: 'Sam' })).status).toBe(409);
    expect((await post(`${api}/messages`, { text: '   ' })).status).toBe(400);
    expect((await post(`${api}/typing`, {})).status).toBe(200);
    expect((await post(`${api}/messages`, { text: 'Hello Robin' })).status).toBe(200);

    // The bot relays the agent to the customer's Direct Line conversation.
    const deadline = Date.now() + 10_000;
    let texts: string[] = [];
    while (!texts.includes('Hello Robin') && Date.now() < deadline) {
      const polled = (await (
        await fetch(`${base}${activities}`, { headers: { authorization: `Bearer ${token}` } })
      ).json()) as Polled;
      texts = polled.activities.filter((a) => a.type === 'message').map((a) => a.text ?? '');
      if (!texts.includes('Hello Robin')) await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(texts).toEqual(expect.arrayContaining([MESSAGES.connecting, MESSAGES.agentJoined('Sam'), 'Hello Robin']));

    expect((await post(`${api}/quick-replies`, { text: 'Pick one', replies: [] })).status).toBe(400);
    expect((await post(`${api}/quick-replies`, { text: 'Pick one', replies: ['Yes', ' '] })).status).toBe(400);
    expect((await post(`${api}/quick-replies`, { text: 'Pick one', replies: ['Yes', 'No'] })).status).toBe(200);
    expect(running.simulator!.findConversation(chat.id)?.messages.at(-1)).toMatchObject({
      type: 'Structured',
      text: 'Pick one',
      content: [
        { contentType: 'QuickReply', quickReply: { text: 'Yes', payload: 'Yes' } },
        { contentType: 'QuickReply', quickReply: { text: 'No', payload: 'No' } },
      ],
    });

    expect((await post(`${api}/end`, {})).status).toBe(200);
    expect(running.simulator!.findConversation(chat.id)?.state).toBe('ended');
    expect((await post(`${api}/end`, {})).status).toBe(409);
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
  });

  it('streams the conversation list to the agent console as Server-Sent Events', async () => {
    const controller = new AbortController();
    const res = await fetch(`${base}/demo/api/events`, { signal: controller.signal });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    const reader = res.body!.getReader();
    let text = '';
    while (!text.includes('event: conversations\ndata: ')) {
      const chunk: { done: boolean; value?: Uint8Array } = await reader.read();
      if (chunk.done || chunk.value === undefined) break;
      text += Buffer.from(chunk.value).toString('utf8');
    }
    controller.abort();
    const data = /event: conversations\ndata: (.*)\n/.exec(text)?.[1] ?? '';
    const list: unknown = JSON.parse(data);
    expect(Array.isArray(list) && list.every(isRecord)).toBe(true);
  });
});
