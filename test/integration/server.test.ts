import { createApp, type App } from '../../src/app';
import { createLogger, createSilentLogger } from '../../src/logger';
import { MESSAGES } from '../../src/resources/messages';
import { ConnectorRecorder, postActivity, userMessage } from '../support/connectorRecorder';
import { testConfig } from '../support/testConfig';

describe('HTTP server, driven as the Bot Framework Emulator drives it', () => {
  const connector = new ConnectorRecorder();
  let serviceUrl: string;
  let app: App;
  let botUrl: string;

  beforeAll(async () => {
    serviceUrl = await connector.start();
    app = await createApp(testConfig(), createSilentLogger(), { provider: null });
    botUrl = `http://127.0.0.1:${await app.start(0, '127.0.0.1')}`;
  });

  afterAll(async () => {
    await app.stop();
    await connector.stop();
  });

  it('reports health', async () => {
    const res = await fetch(`${botUrl}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok', storage: 'memory', genesys: 'none', demo: false, liveChats: 0 });
  });

  it('answers a conversation through the connector, replying to the user activity', async () => {
    const res = await postActivity(botUrl, userMessage(serviceUrl, 'emu-1', 'how long does delivery take?'));
    expect(res.status).toBe(200);
    await connector.waitForText('emu-1', 'Standard delivery');
    const reply = connector.activities.find((a) => a.conversationId === 'emu-1');
    expect(reply?.path).toMatch(/^\/v3\/conversations\/emu-1\/activities\/act-/);
    expect(reply?.authorization).toBeUndefined();
    await postActivity(botUrl, userMessage(serviceUrl, 'emu-1', 'talk to an agent'));
    await connector.waitForText('emu-1', MESSAGES.agentsNotConfigured);
  });

  it('returns the replies inline with deliveryMode expectReplies', async () => {
    const res = await postActivity(botUrl, userMessage(serviceUrl, 'emu-2', 'help', { deliveryMode: 'expectReplies' }));
    expect(res.status).toBe(200);
    const body = (await res.json()) as { activities: { text?: string }[] };
    expect(body.activities.map((a) => a.text)).toEqual([MESSAGES.help]);
  });

  it.each([
    ['malformed JSON', '{"type": "message",', 400],
    ['a JSON array', '[1,2,3]', 400],
    ['an object that is not an activity', '{"hello":"world"}', 400],
    [
      'an activity without conversation',
      JSON.stringify({ type: 'message', channelId: 'emulator', serviceUrl: 'http://x' }),
      400,
    ],
    ['a body over 256 KB', JSON.stringify({ type: 'message', text: 'x'.repeat(300_000) }), 413],
  ])('rejects %s with a 4xx and keeps serving', async (_name, body, status) => {
    const res = await fetch(`${botUrl}/api/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
    });
    expect(res.status).toBe(status);
    expect((await fetch(`${botUrl}/healthz`)).status).toBe(200);
  });
});

describe('HTTP server with a Microsoft App Id', () => {
  it('refuses requests without a token with 401', async () => {
    const app = await createApp(
      testConfig({ MicrosoftAppId: '11111111-2222-3333-4444-555555555555', MicrosoftAppPassword: 'not-a-real-secret' }),
      createSilentLogger(),
      { provider: null },
    );
    const port = await app.start(0, '127.0.0.1');
    try {
      const res = await postActivity(`http://127.0.0.1:${port}`, userMessage('https://example.invalid', 'c1', 'hi'));
      expect(res.status).toBe(401);
    } finally {
      await app.stop();
    }
  });
});

describe('HTTP server refusing an unauthenticated caller', () => {
  it('answers 401 with a JSON error, logs one info line and prints nothing to the console', async () => {
    const lines: Record<string, unknown>[] = [];
    const logger = createLogger({
      level: 'debug',
      destination: {
        write: (line: string) => {
          lines.push(JSON.parse(line) as Record<string, unknown>);
        },
      },
    });
    const consoleError = jest.spyOn(console, 'error');
    const app = await createApp(
      testConfig({ MicrosoftAppId: '11111111-2222-3333-4444-555555555555', MicrosoftAppPassword: 'not-a-real-secret' }),
      logger,
      { provider: null },
    );
    const port = await app.start(0, '127.0.0.1');
    try {
      const res = await postActivity(`http://127.0.0.1:${port}`, userMessage('https://example.invalid', 'c2', 'hi'));
      expect(res.status).toBe(401);
      expect(await res.json()).toMatchObject({ error: 'unauthorized' });
      expect(consoleError).not.toHaveBeenCalled();
      expect(lines.filter((l) => l.msg === 'refused an unauthenticated request to /api/messages')).toHaveLength(1);
      expect(lines.filter((l) => 'err' in l || (l.level as number) >= 50)).toEqual([]);
    } finally {
      consoleError.mockRestore();
      await app.stop();
    }
  });
});
