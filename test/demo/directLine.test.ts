import type { TurnContext } from 'botbuilder';
import { WebSocket } from 'ws';
import { createApp, type App } from '../../src/app';
import { DirectLineEndpoint } from '../../src/demo/directLine';
import { isRecord } from '../../src/json';
import { createSilentLogger } from '../../src/logger';
import { MESSAGES } from '../../src/resources/messages';
import { testConfig } from '../support/testConfig';

interface StreamActivity {
  id: string;
  type: string;
  text?: string;
  replyToId?: string;
  from: { id: string; role?: string };
  channelData?: { clientActivityID?: string };
}

function isStreamActivity(value: unknown): value is StreamActivity {
  return (
    isRecord(value) &&
    typeof value.id === 'string' &&
    typeof value.type === 'string' &&
    isRecord(value.from) &&
    typeof value.from.id === 'string'
  );
}

/** A Direct Line stream client that keeps every frame it receives. */
class StreamClient {
  readonly activities: StreamActivity[] = [];
  readonly watermarks: string[] = [];
  private readonly waiters = new Set<() => void>();

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data: Buffer) => {
      const text = data.toString('utf8');
      if (text === '') return;
      const frame: unknown = JSON.parse(text);
      if (!isRecord(frame) || !Array.isArray(frame.activities)) throw new Error(`not a Direct Line frame: ${text}`);
      for (const activity of frame.activities) if (isStreamActivity(activity)) this.activities.push(activity);
      if (typeof frame.watermark === 'string') this.watermarks.push(frame.watermark);
      for (const wake of this.waiters) wake();
    });
  }

  static open(url: string): Promise<StreamClient> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url);
      const client = new StreamClient(ws);
      ws.once('open', () => {
        resolve(client);
      });
      ws.once('error', reject);
    });
  }

  async waitFor(predicate: (activities: StreamActivity[]) => boolean, what: string, timeoutMs = 10_000): Promise<void> {
    if (predicate(this.activities)) return;
    await new Promise<void>((resolve, reject) => {
      const check = (): void => {
        if (!predicate(this.activities)) return;
        clearTimeout(timer);
        this.waiters.delete(check);
        resolve();
      };
      const timer = setTimeout(() => {
        this.waiters.delete(check);
        reject(
          new Error(
            `timed out waiting for ${what}; got ${JSON.stringify(this.activities.map((a) => a.text ?? a.type))}`,
          ),
        );
      }, timeoutMs);
      this.waiters.add(check);
    });
  }

  texts(): string[] {
    return this.activities.filter((a) => a.type === 'message').map((a) => a.text ?? '');
  }

  close(): void {
    this.ws.close();
  }
}

interface Started {
  conversationId: string;
  token: string;
  streamUrl: string;
  expires_in: number;
}

describe('demo Direct Line 3.0 endpoint', () => {
  let app: App;
  let base: string;
  let port = 0;
  const turns: TurnContext['activity'][] = [];
  const streams: StreamClient[] = [];

  beforeAll(async () => {
    const directLine = new DirectLineEndpoint({
      internalBaseUrl: () => `http://127.0.0.1:${port}`,
      logger: createSilentLogger(),
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

  afterEach(() => {
    for (const stream of streams.splice(0)) stream.close();
  });

  afterAll(async () => {
    await app.stop();
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

  async function start(userId = 'dana-1'): Promise<Started> {
    const generated = await post('/v3/directline/tokens/generate', { user: { id: userId, name: 'Dana' } });
    expect(generated.status).toBe(200);
    const { token } = (await generated.json()) as { token: string };
    const res = await post('/v3/directline/conversations', {}, token);
    expect(res.status).toBe(201);
    return (await res.json()) as Started;
  }

  async function openStream(url: string): Promise<StreamClient> {
    const stream = await StreamClient.open(url);
    streams.push(stream);
    return stream;
  }

  it('starts a conversation: token, stream URL, and the bot greets the user on the stream', async () => {
    const started = await start();
    expect(started.conversationId).toMatch(/^[0-9a-f]{24}$/);
    expect(started.token.length).toBeGreaterThan(20);
    expect(started.expires_in).toBeGreaterThan(0);
    expect(started.streamUrl).toBe(
      `ws://127.0.0.1:${port}/v3/directline/conversations/${started.conversationId}/stream?t=${encodeURIComponent(started.token)}`,
    );

    const stream = await openStream(started.streamUrl);
    await stream.waitFor((a) => a.some((x) => x.text === MESSAGES.welcome), 'the welcome');
    const welcome = stream.activities.find((x) => x.text === MESSAGES.welcome);
    // The greeting answers the conversationUpdate, which the client never sees: no replyToId.
    expect(welcome?.replyToId).toBeUndefined();
    expect(welcome?.from.role).toBe('bot');
    const update = turns.find((t) => t.conversation.id === started.conversationId && t.type === 'conversationUpdate');
    expect(update?.membersAdded?.map((m) => m.id)).toEqual(['bot', 'dana-1']);
    expect(update?.serviceUrl).toBe(`http://127.0.0.1:${port}/demo/connector`);
  });

  it('echoes the user activity with its clientActivityID and streams the bot reply to it', async () => {
    const started = await start('dana-2');
    const stream = await openStream(started.streamUrl);
    const res = await post(
      `/v3/directline/conversations/${started.conversationId}/activities`,
      {
        type: 'message',
        text: 'how long does delivery take?',
        from: { id: 'someone-else', name: 'Mallory' },
        channelData: { clientActivityID: 'client-1' },
      },
      started.token,
    );
    expect(res.status).toBe(200);
    const { id } = (await res.json()) as { id: string };

    await stream.waitFor((a) => a.some((x) => x.text?.startsWith('Standard delivery') === true), 'the FAQ answer');
    const echo = stream.activities.find((x) => x.id === id);
    expect(echo).toMatchObject({
      type: 'message',
      text: 'how long does delivery take?',
      channelData: { clientActivityID: 'client-1' },
    });
    // The user is the one the token was issued for, whatever the client claims.
    expect(echo?.from).toEqual({ id: 'dana-2', name: 'Dana', role: 'user' });
    const answer = stream.activities.find((x) => x.text?.startsWith('Standard delivery') === true);
    expect(answer?.replyToId).toBe(id);
    expect(stream.activities.indexOf(echo!)).toBeLessThan(stream.activities.indexOf(answer!));
    const turn = turns.find((t) => t.id === id);
    expect(turn).toMatchObject({
      channelId: 'directline',
      from: { id: 'dana-2' },
      recipient: { id: 'bot' },
      conversation: { id: started.conversationId },
    });
  });

  it('serves the same activities by polling with a watermark', async () => {
    const started = await start('dana-3');
    const path = `/v3/directline/conversations/${started.conversationId}/activities`;
    await post(path, { type: 'message', text: 'help' }, started.token);

    const poll = async (watermark?: string): Promise<{ activities: StreamActivity[]; watermark: string }> => {
      const res = await fetch(`${base}${path}${watermark === undefined ? '' : `?watermark=${watermark}`}`, {
        headers: { authorization: `Bearer ${started.token}` },
      });
      expect(res.status).toBe(200);
      return (await res.json()) as { activities: StreamActivity[]; watermark: string };
    };
    let all = await poll();
    for (let i = 0; i < 50 && !all.activities.some((a) => a.text === MESSAGES.help); i++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      all = await poll();
    }
    expect(all.activities.map((a) => a.text)).toEqual([MESSAGES.welcome, 'help', MESSAGES.help]);
    expect(all.watermark).toBe('3');
    expect((await poll(all.watermark)).activities).toEqual([]);
    expect((await poll('1')).activities.map((a) => a.text)).toEqual(['help', MESSAGES.help]);

    // A reconnecting stream resumes after its watermark.
    const reconnect = await fetch(`${base}/v3/directline/conversations/${started.conversationId}?watermark=2`, {
      headers: { authorization: `Bearer ${started.token}` },
    });
    expect(reconnect.status).toBe(200);
    const { streamUrl } = (await reconnect.json()) as { streamUrl: string };
    const stream = await openStream(streamUrl);
    await stream.waitFor((a) => a.length > 0, 'the backlog');
    expect(stream.texts()).toEqual([MESSAGES.help]);
  });

  it('passes typing from the user to the bot without waiting for it', async () => {
    const started = await start('dana-4');
    const res = await post(
      `/v3/directline/conversations/${started.conversationId}/activities`,
      { type: 'typing' },
      started.token,
    );
    expect(res.status).toBe(200);
    const deadline = Date.now() + 5000;
    while (
      !turns.some((t) => t.conversation.id === started.conversationId && t.type === 'typing') &&
      Date.now() < deadline
    ) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(turns.find((t) => t.conversation.id === started.conversationId && t.type === 'typing')).toMatchObject({
      from: { id: 'dana-4' },
    });
  });

  it('refreshes a token', async () => {
    const started = await start('dana-5');
    const res = await post('/v3/directline/tokens/refresh', {}, started.token);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ conversationId: started.conversationId, token: started.token });
  });

  it.each([
    ['a message without text', { type: 'message' }],
    ['an unknown activity type', { type: 'invoke', name: 'x' }],
    ['text that is not a string', { type: 'message', text: 42 }],
    ['attachments', { type: 'message', text: 'x', attachments: [{ contentType: 'image/png', contentUrl: 'blob:x' }] }],
    ['a malformed from', { type: 'message', text: 'x', from: { id: '<script>' } }],
    ['a JSON array', [1, 2, 3]],
  ])('answers 400 to %s and keeps serving', async (_name, body) => {
    const started = await start('dana-6');
    const res = await post(`/v3/directline/conversations/${started.conversationId}/activities`, body, started.token);
    expect(res.status).toBe(400);
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
  });

  it('refuses requests without the conversation token', async () => {
    const a = await start('dana-7');
    const b = await start('dana-8');
    const path = `/v3/directline/conversations/${a.conversationId}/activities`;
    expect((await post(path, { type: 'message', text: 'hi' })).status).toBe(401);
    expect((await post(path, { type: 'message', text: 'hi' }, 'not-a-token')).status).toBe(403);
    expect((await post(path, { type: 'message', text: 'hi' }, b.token)).status).toBe(403);
    expect(
      (await post('/v3/directline/conversations/nope/activities', { type: 'message', text: 'hi' }, a.token)).status,
    ).toBe(404);
    expect(
      (await fetch(`${base}${path}?watermark=abc`, { headers: { authorization: `Bearer ${a.token}` } })).status,
    ).toBe(400);
    expect((await post('/v3/directline/tokens/generate', { user: { id: '' } })).status).toBe(400);
    expect((await post('/v3/directline/tokens/generate', 'just a string')).status).toBe(400);

    const refused = await new Promise<number>((resolve, reject) => {
      const ws = new WebSocket(
        `ws://127.0.0.1:${port}/v3/directline/conversations/${a.conversationId}/stream?t=${encodeURIComponent(b.token)}`,
      );
      ws.on('unexpected-response', (_req, res) => {
        resolve(res.statusCode ?? 0);
      });
      ws.on('open', () => {
        reject(new Error("the stream opened with another conversation's token"));
      });
      ws.on('error', () => undefined);
    });
    expect(refused).toBe(403);
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
  });

  it('validates what the bot posts to the connector side', async () => {
    const started = await start('dana-9');
    const connector = `/demo/connector/v3/conversations`;
    expect((await post(`${connector}/unknown/activities`, { type: 'message', text: 'x' })).status).toBe(404);
    expect((await post(`${connector}/${started.conversationId}/activities`, { text: 'no type' })).status).toBe(400);
    const ok = await post(`${connector}/${started.conversationId}/activities/${encodeURIComponent('never|seen')}`, {
      type: 'message',
      text: 'proactive',
    });
    expect(ok.status).toBe(200);
    const res = await fetch(`${base}/v3/directline/conversations/${started.conversationId}/activities`, {
      headers: { authorization: `Bearer ${started.token}` },
    });
    const { activities } = (await res.json()) as { activities: StreamActivity[] };
    const proactive = activities.find((a) => a.text === 'proactive');
    expect(proactive).toBeDefined();
    expect(proactive?.replyToId).toBeUndefined();
  });
});

describe('demo Direct Line shutdown', () => {
  it('lets the server stop at once while a stream is open', async () => {
    let port = 0;
    const directLine = new DirectLineEndpoint({
      internalBaseUrl: () => `http://127.0.0.1:${port}`,
      logger: createSilentLogger(),
    });
    const app = await createApp(testConfig(), createSilentLogger(), {
      provider: null,
      extraRoutes: (server) => {
        directLine.install(server);
      },
    });
    port = await app.start(0, '127.0.0.1');
    const res = await fetch(`http://127.0.0.1:${port}/v3/directline/conversations`, { method: 'POST' });
    expect(res.status).toBe(201);
    const { streamUrl } = (await res.json()) as Started;
    const stream = await StreamClient.open(streamUrl);
    const closed = new Promise<number>((resolve) => stream.ws.once('close', resolve));
    const began = Date.now();
    await app.stop();
    expect(Date.now() - began).toBeLessThan(2000);
    await closed;
    expect(directLine.conversationCount).toBe(0);
  });
});
