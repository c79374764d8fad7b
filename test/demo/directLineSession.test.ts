import type { TurnContext } from 'botbuilder';
import { WebSocket } from 'ws';
import { createApp, type App } from '../../src/app';
import { DirectLineEndpoint } from '../../src/demo/directLine';
import { createSilentLogger } from '../../src/logger';
import { testConfig } from '../support/testConfig';

/** Retries `assertion` (every 10 ms) until it passes; after `timeoutMs` its last failure is thrown. */
async function eventually(assertion: () => void, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      assertion();
      return;
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }
}

interface Started {
  conversationId: string;
  token: string;
  streamUrl: string;
}

/** The demo Direct Line on a bot: the customer's page reloading, leaving, and the service restarting. */
describe('demo Direct Line: one conversation across reloads, leaving and restarts', () => {
  let app: App;
  let base: string;
  let port = 0;
  let directLine: DirectLineEndpoint;
  const turns: TurnContext['activity'][] = [];

  beforeAll(async () => {
    directLine = new DirectLineEndpoint({
      internalBaseUrl: () => `http://127.0.0.1:${port}`,
      logger: createSilentLogger(),
      customerLeftAfterMs: 300,
      customerNames: ['Dana', 'Ravi'],
    });
    app = await createApp(testConfig(), createSilentLogger(), {
      provider: null,
      extraRoutes: (server) => {
        directLine.install(server);
      },
    });
    const run = app.bot.run.bind(app.bot);
    jest.spyOn(app.bot, 'run').mockImplementation(async (context: TurnContext) => {
      turns.push(context.activity);
      await run(context);
    });
    port = await app.start(0, '127.0.0.1');
    base = `http://127.0.0.1:${port}`;
  });

  afterAll(async () => {
    await app.stop();
  });

  async function start(user: Record<string, string>): Promise<Started> {
    const generated = await fetch(`${base}/v3/directline/tokens/generate`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ user }),
    });
    const { token } = (await generated.json()) as { token: string };
    const res = await fetch(`${base}/v3/directline/conversations`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}` },
    });
    expect(res.status).toBe(201);
    return (await res.json()) as Started;
  }

  function open(url: string): Promise<WebSocket> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url);
      ws.once('open', () => {
        resolve(ws);
      });
      ws.once('error', reject);
    });
  }

  function close(ws: WebSocket): Promise<void> {
    return new Promise((resolve) => {
      ws.once('close', () => {
        resolve();
      });
      ws.close();
    });
  }

  const reconnect = (conversationId: string, token: string): Promise<Response> =>
    fetch(`${base}/v3/directline/conversations/${conversationId}?watermark=`, {
      headers: { authorization: `Bearer ${token}` },
    });

  const removals = (conversationId: string): TurnContext['activity'][] =>
    turns.filter((t) => t.conversation.id === conversationId && (t.membersRemoved?.length ?? 0) > 0);

  it('gives nameless users the configured names in turn and keeps a given name', async () => {
    const first = await start({ id: 'named-1' });
    const second = await start({ id: 'named-2' });
    const chosen = await start({ id: 'named-3', name: 'Robin' });
    const third = await start({ id: 'named-4' });
    const nameOf = (s: Started): string | undefined =>
      turns.find((t) => t.conversation.id === s.conversationId && t.type === 'conversationUpdate')?.from.name;
    await eventually(() => {
      expect([first, second, chosen, third].map(nameOf)).toEqual(['Dana', 'Ravi', 'Robin', 'Dana 2']);
    });
  });

  it('lets a reloaded page reconnect to the same conversation without telling the bot the customer left', async () => {
    const started = await start({ id: 'reloading-1' });
    const before = await open(started.streamUrl);
    await close(before);
    const res = await reconnect(started.conversationId, started.token);
    expect(res.status).toBe(200);
    const again = (await res.json()) as Started;
    expect(again.conversationId).toBe(started.conversationId);
    const after = await open(again.streamUrl);
    // A page closed after the reload's close: its report comes after any the reload would have caused.
    const marker = await start({ id: 'reloading-marker' });
    await close(await open(marker.streamUrl));
    await eventually(() => {
      expect(removals(marker.conversationId)).toHaveLength(1);
    });
    expect(removals(started.conversationId)).toEqual([]);
    await close(after);
    await eventually(() => {
      expect(removals(started.conversationId)).toHaveLength(1);
    });
  });

  it('tells the bot once when the page is closed for good: a conversationUpdate removing the user', async () => {
    const started = await start({ id: 'leaving-1', name: 'Mei' });
    const ws = await open(started.streamUrl);
    await close(ws);
    await eventually(() => {
      expect(removals(started.conversationId)).toHaveLength(1);
    });
    const [left] = removals(started.conversationId);
    expect(left).toMatchObject({
      type: 'conversationUpdate',
      channelId: 'directline',
      membersRemoved: [{ id: 'leaving-1', name: 'Mei', role: 'user' }],
    });
  });

  it('does not report a conversation whose stream never opened', async () => {
    const started = await start({ id: 'never-streamed' });
    const marker = await start({ id: 'marker' });
    await close(await open(marker.streamUrl));
    await eventually(() => {
      expect(removals(marker.conversationId)).toHaveLength(1);
    });
    expect(removals(started.conversationId)).toEqual([]);
  });

  it('answers 404 on reconnect when it no longer knows the conversation (a restart), 403 for a wrong token', async () => {
    const started = await start({ id: 'restarted-1' });
    const other = await start({ id: 'restarted-2' });
    expect((await reconnect(started.conversationId, other.token)).status).toBe(403);
    expect((await reconnect(started.conversationId, 'unknown-token')).status).toBe(403);
    expect((await reconnect('0123456789abcdef01234567', 'unknown-token')).status).toBe(404);

    // A restart forgets every conversation.
    directLine.close();
    const gone = await reconnect(started.conversationId, started.token);
    expect(gone.status).toBe(404);
    expect(await gone.json()).toMatchObject({ error: 'conversationNotFound' });
    const fresh = await start({ id: 'restarted-1' });
    expect(fresh.conversationId).not.toBe(started.conversationId);
    expect((await reconnect(fresh.conversationId, fresh.token)).status).toBe(200);
  });
});
