import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { inspect } from 'node:util';
import { GuestChatRestClient } from '../../../src/genesys/guestChat/guestChatRestClient';
import { HttpFailureCause } from '../../../src/genesys/shared/httpFailure';
import { createSilentLogger } from '../../../src/logger';

const JWT = 'eyJ.guest-secret-jwt';
const credentials = { conversationId: 'c-1', memberId: 'm-1', jwt: JWT };

describe('GuestChatRestClient failures', () => {
  let server: Server;
  let answers: { status: number; body: unknown; headers?: Record<string, string> }[];
  let base: string;
  let sleeps: number[];

  beforeEach(async () => {
    answers = [];
    sleeps = [];
    server = createServer((_req, res) => {
      const answer = answers.shift() ?? { status: 500, body: {} };
      res.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers });
      res.end(JSON.stringify(answer.body));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterEach(async () => {
    await new Promise<void>((resolve) =>
      server.close(() => {
        resolve();
      }),
    );
  });

  function client(apiUrl = base): GuestChatRestClient {
    return new GuestChatRestClient({
      apiUrl,
      logger: createSilentLogger(),
      retryPolicy: (attempt) => (attempt > 2 ? null : 1),
      timeoutMs: 2000,
      maxRetryAfterMs: 60_000,
      sleep: (ms) => {
        sleeps.push(ms);
        return Promise.resolve();
      },
    });
  }

  it('keeps method, path, status and body summary as the cause of an HTTP failure, never the JWT', async () => {
    answers.push({ status: 401, body: { status: 401, code: 'bad.credentials', message: 'no' } });
    const error = await client()
      .getMember(credentials, 'agent-1')
      .then(
        () => undefined,
        (err: unknown) => err,
      );
    expect(error).toMatchObject({ code: 'unauthorized', status: 401, genesysCode: 'bad.credentials' });
    expect((error as Error).cause).toBeInstanceOf(HttpFailureCause);
    expect((error as Error).cause).toMatchObject({
      method: 'GET',
      path: '/api/v2/webchat/guest/conversations/c-1/members/agent-1',
      status: 401,
    });
    expect(inspect(error, { depth: 10 })).not.toContain(JWT);
  });

  it('does not keep the axios error (with its Authorization header) when nothing answers', async () => {
    const closed = base;
    await new Promise<void>((resolve) =>
      server.close(() => {
        resolve();
      }),
    );
    server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const error = await client(closed)
      .getMessages(credentials, { maxResults: 100 })
      .then(
        () => undefined,
        (err: unknown) => err,
      );
    expect(error).toMatchObject({ code: 'network' });
    expect((error as Error).cause).toBeInstanceOf(HttpFailureCause);
    const printed = inspect(error, { depth: 10 });
    expect(printed).not.toContain(JWT);
    expect(printed).not.toMatch(/authorization/i);
  });

  it('waits the Retry-After of a 429 given as an HTTP-date', async () => {
    const inThirtySeconds = new Date(Date.now() + 30_000).toUTCString();
    answers.push(
      { status: 429, body: { status: 429, code: 'too.many.requests' }, headers: { 'retry-after': inThirtySeconds } },
      { status: 204, body: '' },
    );
    await client().sendTyping(credentials);
    expect(sleeps).toHaveLength(1);
    // The date has one-second resolution and the request took some time: somewhat under 30 s, far above the policy's 1 ms.
    expect(sleeps[0]).toBeGreaterThan(20_000);
    expect(sleeps[0]).toBeLessThanOrEqual(30_000);
  });
});
