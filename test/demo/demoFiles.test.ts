import { randomBytes } from 'node:crypto';
import { loadConfig } from '../../src/config';
import { createDemoRoutes } from '../../src/demo/demoRoutes';
import { WebChatAsset } from '../../src/demo/webChatAsset';
import { createSilentLogger } from '../../src/logger';
import { startApplication, type RunningApplication } from '../../src/startApplication';

interface Polled {
  activities: {
    type: string;
    text?: string;
    from?: { role?: string };
    attachments?: { contentType: string; contentUrl: string; name?: string }[];
  }[];
}

/**
 * Files both ways in the demo: the customer uploads through the demo Direct Line as DirectLineJS
 * does (multipart `activity` + file parts), the agent console sends a file through its API, and each
 * side can open what the other sent.
 */
describe('demo: files between the Web Chat customer and the agent console', () => {
  let running: RunningApplication;
  let base: string;

  beforeAll(async () => {
    const logger = createSilentLogger();
    const config = loadConfig({ DemoMode: 'true', PORT: '0', LogLevel: 'silent', InstanceId: 'demo-files' });
    running = await startApplication(config, logger, {
      demoRoutes: createDemoRoutes(logger, { webChat: new WebChatAsset('/nonexistent/webchat.js') }),
      host: '127.0.0.1',
    });
    base = `http://127.0.0.1:${running.port}`;
  });

  afterAll(async () => {
    await running.stop();
  });

  const post = (path: string, body: unknown, token?: string): Promise<Response> =>
    fetch(`${base}${path}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
      },
      body: JSON.stringify(body),
    });

  async function poll(path: string, token: string, found: (p: Polled) => boolean): Promise<Polled> {
    const deadline = Date.now() + 10_000;
    for (;;) {
      const polled = (await (
        await fetch(`${base}${path}`, { headers: { authorization: `Bearer ${token}` } })
      ).json()) as Polled;
      if (found(polled) || Date.now() > deadline) return polled;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  it('carries a customer upload to the agent and an agent file to the customer', async () => {
    const generated = await post('/v3/directline/tokens/generate', { user: { id: 'dl_files', name: 'Robin' } });
    const { token } = (await generated.json()) as { token: string };
    const { conversationId } = (await (await post('/v3/directline/conversations', {}, token)).json()) as {
      conversationId: string;
    };
    const activities = `/v3/directline/conversations/${conversationId}/activities`;
    expect((await post(activities, { type: 'message', text: 'talk to an agent' }, token)).status).toBe(200);
    const simulator = running.simulator!;
    const chat = await simulator.waitForConversation(
      (c) => c.customAttributes.botConversationId === conversationId,
      10_000,
    );
    const api = `/demo/api/conversations/${chat.id}`;
    expect((await post(`${api}/accept`, { nickname: 'Sam' })).status).toBe(200);

    // The customer attaches a screenshot, as DirectLineJS uploads it.
    const screenshot = randomBytes(4_000);
    const form = new FormData();
    form.append(
      'activity',
      new Blob([JSON.stringify({ type: 'message', text: '' })], { type: 'application/vnd.microsoft.activity' }),
    );
    form.append('file', new Blob([screenshot], { type: 'image/png' }), 'screenshot.png');
    const uploaded = await fetch(`${base}/v3/directline/conversations/${conversationId}/upload?userId=dl_files`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}` },
      body: form,
    });
    expect(uploaded.status).toBe(200);
    const uploadPath = `/v3/directline/conversations/${conversationId}/upload`;
    expect((await post(uploadPath, { type: 'message', text: 'not multipart' }, token)).status).toBe(415);
    expect((await fetch(`${base}${uploadPath}`, { method: 'POST', body: new FormData() })).status).toBe(401);
    const file = await simulator.waitUntil(
      () =>
        simulator.conversation(chat.id).messages.find((m) => m.direction === 'Inbound' && m.attachments !== undefined)
          ?.attachments?.[0],
      10_000,
    );
    expect(file).toMatchObject({ filename: 'screenshot.png', mime: 'image/png' });
    expect(Buffer.from(await (await fetch(file.url)).arrayBuffer()).equals(screenshot)).toBe(true);

    // The agent console sends a file back.
    expect(
      (await post(`${api}/files`, { fileName: 'label.pdf', contentType: 'application/pdf', data: '%%%' })).status,
    ).toBe(400);
    const label = randomBytes(2_000);
    const sent = await post(`${api}/files`, {
      fileName: 'label.pdf',
      contentType: 'application/pdf',
      data: label.toString('base64'),
    });
    expect(sent.status).toBe(200);
    const polled = await poll(activities, token, (p) =>
      p.activities.some(
        (a) => (a.from?.role === 'bot' && (a.attachments?.length ?? 0) > 0) || (a.text ?? '').includes('label.pdf'),
      ),
    );
    const delivered = polled.activities.find(
      (a) => a.from?.role === 'bot' && ((a.attachments?.length ?? 0) > 0 || (a.text ?? '').includes('label.pdf')),
    );
    expect(delivered).toBeDefined();
    // An attachment the channel can open, or at least the link as a fallback.
    const url = delivered?.attachments?.[0]?.contentUrl ?? /https?:\/\/\S+/.exec(delivered?.text ?? '')?.[0] ?? '';
    const content = delivered?.attachments?.[0] as { content?: { buttons?: { value?: string }[] } } | undefined;
    const target = content?.content?.buttons?.[0]?.value ?? url;
    expect(Buffer.from(await (await fetch(target)).arrayBuffer()).equals(label)).toBe(true);
  });
});
