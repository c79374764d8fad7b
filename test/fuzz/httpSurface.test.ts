import fc from 'fast-check';
import { WebSocket } from 'ws';
import { isRecord } from '../../src/json';
import { ConnectorRecorder } from '../support/connectorRecorder';
import { fuzzRequestArb, type FuzzTargets } from './arbitraries';
import { ChildBot, type LogLine } from './childBot';
import { loadCorpus, materialize } from './corpus';
import { fuzzAgent, send, sendRaw, type FuzzAnswer, type FuzzRequest } from './httpClient';

/**
 * No request can take the bot down. The real entry point runs in its own process (demo mode, every
 * route served, started from a `.env` copied from `.env.example`); a live chat is opened through
 * Direct Line and the agent console; then the corpus of known-bad inputs and a storm of generated
 * requests hit every route. Every answer must be a 2xx or a 4xx with a short JSON error (never a
 * dropped connection, never a 5xx); afterwards `/healthz` answers 200 from the same process and the
 * live chat still relays both ways. Finally a planted uncaught exception shows the safety net.
 *
 * `FUZZ_RUNS` (default 150) and `FUZZ_SEED` (default fixed) size the storm; `npm run fuzz` runs a
 * long one.
 */

const RUNS = Number(process.env.FUZZ_RUNS ?? 150);
const SEED = Number(process.env.FUZZ_SEED ?? 20261130);
const json = { 'content-type': 'application/json' };

interface DirectLineConversation {
  conversationId: string;
  token: string;
  streamUrl: string;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** Checks the property for one answer; returns a problem or undefined. */
function problemWith(answer: FuzzAnswer, method: string, bot: ChildBot): string | undefined {
  if (!bot.running) return 'the bot process exited';
  if (answer.status === undefined) return `no answer (${answer.error ?? 'connection closed'})`;
  if (answer.status < 200 || answer.status >= 500) return `status ${answer.status}: ${answer.body.slice(0, 300)}`;
  if (answer.status >= 400 && method !== 'HEAD') {
    const body = parseJson(answer.body);
    if (
      !answer.contentType?.includes('json') ||
      !isRecord(body) ||
      typeof body.error !== 'string' ||
      typeof body.message !== 'string'
    )
      return `a ${answer.status} without a JSON error: ${answer.contentType ?? '-'} ${answer.body.slice(0, 200)}`;
    if (answer.body.length > 2000) return `a ${answer.status} with a long error body (${answer.body.length} bytes)`;
  }
  return undefined;
}

/** Messages logged at or after `line` (pino may write a fatal line ahead of lines logged just before it). */
function linesSince(bot: ChildBot, line: LogLine | undefined): (string | undefined)[] {
  const since = typeof line?.time === 'number' ? line.time : Infinity;
  return bot.logs.filter((l) => typeof l.time === 'number' && l.time >= since).map((l) => l.msg);
}

function describeRequest(req: FuzzRequest): string {
  const headers = req.headers.map(([n, v]) => `${n}: ${v.length > 80 ? `${v.slice(0, 80)}...(${v.length})` : v}`);
  const body = Buffer.from(req.body);
  const shown =
    body.length > 300
      ? `${body.subarray(0, 300).toString('latin1')}...(${body.length} bytes)`
      : body.toString('latin1');
  return `${req.method} ${req.path}\n${headers.join('\n')}\n\n${shown}`;
}

describe('the HTTP surface under fuzzing (real entry point in its own process)', () => {
  const connector = new ConnectorRecorder();
  let serviceUrl: string;
  let bot: ChildBot;
  let port: number;
  let pid: number;
  let base: string;
  let live: DirectLineConversation;
  let liveChatId: string;
  let liveStream: WebSocket;
  const liveTexts: string[] = [];
  let target: DirectLineConversation;

  const startDirectLine = async (): Promise<DirectLineConversation> => {
    const res = await fetch(`${base}/v3/directline/conversations`, { method: 'POST' });
    expect(res.status).toBe(201);
    return (await res.json()) as DirectLineConversation;
  };

  const userSays = async (conversation: DirectLineConversation, text: string): Promise<void> => {
    const res = await fetch(`${base}/v3/directline/conversations/${conversation.conversationId}/activities`, {
      method: 'POST',
      headers: { ...json, authorization: `Bearer ${conversation.token}` },
      body: JSON.stringify({ type: 'message', text, from: { id: 'dana' } }),
    });
    expect(res.status).toBe(200);
  };

  const agentChat = async (): Promise<{ state: string; messages: { direction: string; text: string }[] }> => {
    const res = await fetch(`${base}/demo/api/conversations/${liveChatId}`);
    expect(res.status).toBe(200);
    return (await res.json()) as { state: string; messages: { direction: string; text: string }[] };
  };

  const until = async <T>(
    check: () => Promise<T | undefined> | T | undefined,
    what: string,
    timeoutMs = 15_000,
  ): Promise<T> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = await check();
      if (value !== undefined) return value;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; ${bot.describe()}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };

  beforeAll(async () => {
    serviceUrl = await connector.start();
    ({ bot, port } = await ChildBot.start({ plant: 'exception' }));
    pid = bot.pid;
    base = `http://127.0.0.1:${port}`;

    // A live chat, opened like a customer and an agent would, before the storm.
    live = await startDirectLine();
    liveStream = new WebSocket(live.streamUrl);
    liveStream.on('message', (data: Buffer) => {
      const frame = parseJson(data.toString('utf8'));
      if (!isRecord(frame) || !Array.isArray(frame.activities)) return;
      for (const activity of frame.activities as unknown[])
        if (isRecord(activity) && typeof activity.text === 'string') liveTexts.push(activity.text);
    });
    await new Promise<void>((resolve, reject) => {
      liveStream.once('open', () => {
        resolve();
      });
      liveStream.once('error', reject);
    });
    await userSays(live, 'I want to talk to a human');
    liveChatId = await until(async () => {
      const res = await fetch(`${base}/demo/api/conversations`);
      const body = (await res.json()) as { conversations: { id: string; customAttributes: Record<string, string> }[] };
      return body.conversations.find((c) => c.customAttributes.botConversationId === live.conversationId)?.id;
    }, 'the live chat in the agent console');
    const accept = await fetch(`${base}/demo/api/conversations/${liveChatId}/accept`, {
      method: 'POST',
      headers: json,
      body: JSON.stringify({ nickname: 'Anna' }),
    });
    expect(accept.status).toBe(200);
    const hello = await fetch(`${base}/demo/api/conversations/${liveChatId}/messages`, {
      method: 'POST',
      headers: json,
      body: JSON.stringify({ text: 'Hello, this is Anna' }),
    });
    expect(hello.status).toBe(200);
    await until(
      () => (liveTexts.includes('Hello, this is Anna') ? true : undefined),
      `the agent's greeting (stream: ${JSON.stringify(liveTexts)})`,
    );

    target = await startDirectLine();
  }, 90_000);

  afterAll(async () => {
    liveStream.terminate();
    fuzzAgent.destroy();
    await bot.kill();
    await connector.stop();
  });

  it('started from a .env copied from .env.example, like with no .env at all', () => {
    const settings = bot.logs.find((l) => l.msg === 'settings loaded');
    expect(settings).toBeDefined();
    expect(bot.logs.some((l) => typeof l.level === 'number' && l.level >= 50)).toBe(false);
    expect(bot.logs.find((l) => l.msg === 'bot is listening')).toMatchObject({ demo: true, pid });
  });

  it('answers every corpus entry with its expected status and stays up', async () => {
    const values = { serviceUrl, conversationId: target.conversationId, token: target.token };
    const failures: string[] = [];
    for (const entry of loadCorpus()) {
      const input = materialize(entry, values);
      const answer = input.kind === 'raw' ? await sendRaw(port, input.bytes) : await send(port, input.request);
      const problem = problemWith(answer, input.kind === 'raw' ? 'RAW' : input.request.method, bot);
      if (problem !== undefined) failures.push(`${entry.name}: ${problem}`);
      else if (entry.expect !== undefined && answer.status !== entry.expect)
        failures.push(
          `${entry.name}: expected ${entry.expect}, got ${answer.status ?? '-'} ${answer.body.slice(0, 200)}`,
        );
    }
    expect(failures).toEqual([]);
    expect(bot.running).toBe(true);
  }, 60_000);

  it(
    `answers ${RUNS} generated requests with a 2xx or a 4xx and a JSON error (seed ${SEED})`,
    async () => {
      const targets: FuzzTargets = { serviceUrl, conversationId: target.conversationId, token: target.token };
      const accepted = new Map<string, number>();
      await fc.assert(
        fc.asyncProperty(fuzzRequestArb(targets), async (req) => {
          const answer = await send(port, req);
          const problem = problemWith(answer, req.method, bot);
          if (problem !== undefined)
            throw new Error(`${problem}\nrequest:\n${describeRequest(req)}\n${bot.describe()}`);
          if (answer.status !== undefined && answer.status < 300) {
            const route = `${req.method} ${req.path.replace(/\/conversations\/[^/]+/, '/conversations/:id')}`;
            accepted.set(route, (accepted.get(route) ?? 0) + 1);
          }
        }),
        { seed: SEED, numRuns: RUNS, endOnFailure: true },
      );
      // The storm reaches the bot's turns and the relay, not only the refusals at the edge.
      expect(accepted.get('POST /api/messages')).toBeGreaterThan(0);
      expect(accepted.get(`POST /v3/directline/conversations/:id/activities`)).toBeGreaterThan(0);
    },
    Math.max(60_000, RUNS * 500),
  );

  it('afterwards answers /healthz from the same process and the live chat still relays both ways', async () => {
    expect(bot.running).toBe(true);
    expect(bot.pid).toBe(pid);
    const health = await fetch(`${base}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: 'ok', demo: true });

    await userSays(live, 'still there after the storm?');
    await until(async () => {
      const chat = await agentChat();
      return chat.messages.some((m) => m.direction === 'Inbound' && m.text === 'still there after the storm?')
        ? true
        : undefined;
    }, 'the user message reaching the agent');
    const reply = await fetch(`${base}/demo/api/conversations/${liveChatId}/messages`, {
      method: 'POST',
      headers: json,
      body: JSON.stringify({ text: 'yes, still here' }),
    });
    expect(reply.status).toBe(200);
    await until(
      () => (liveTexts.includes('yes, still here') ? true : undefined),
      'the agent message reaching the user',
    );
    expect((await agentChat()).state).toBe('active');
  }, 60_000);

  it('logs an uncaught exception at fatal with its context, stops gracefully and exits non-zero', async () => {
    bot.signal('SIGUSR2');
    const code = await bot.waitForExit(30_000);
    expect(code).toBe(1);
    const fatal = bot.logs.find((l) => l.level === 60);
    expect(fatal).toMatchObject({ msg: 'uncaught exception; stopping the process', origin: 'uncaughtException' });
    expect(JSON.stringify(fatal?.err)).toContain('planted uncaught exception');
    expect(linesSince(bot, fatal)).toEqual(expect.arrayContaining(['shutting down', 'stopped']));
  }, 60_000);
});

describe('the entry point outside demo mode', () => {
  let bot: ChildBot;

  beforeAll(async () => {
    ({ bot } = await ChildBot.start({
      plant: 'rejection',
      env: { GenesysDeploymentId: '11111111-2222-4333-8444-555555555555' },
    }));
  }, 60_000);

  afterAll(async () => {
    await bot.kill();
  });

  it('warns loudly that /api/messages is unauthenticated when Genesys is configured without MicrosoftAppId', () => {
    const warning = bot.logs.find(
      (l) => l.level === 40 && l.msg?.includes('/api/messages accepts unauthenticated traffic'),
    );
    expect(warning).toBeDefined();
    expect(bot.logs.find((l) => l.msg === 'bot is listening')).toMatchObject({ demo: false });
  });

  it('logs an unhandled rejection at fatal, stops gracefully and exits non-zero', async () => {
    bot.signal('SIGUSR2');
    expect(await bot.waitForExit(30_000)).toBe(1);
    const fatal = bot.logs.find((l) => l.level === 60);
    expect(fatal).toMatchObject({
      msg: 'unhandled promise rejection; stopping the process',
      origin: 'unhandledRejection',
    });
    expect(JSON.stringify(fatal?.err)).toContain('planted unhandled rejection');
    expect(linesSince(bot, fatal)).toEqual(expect.arrayContaining(['shutting down', 'stopped']));
  }, 60_000);
});
