import { inspect } from 'node:util';
import { GuestChatRestClient } from '../../../src/genesys/guestChat/guestChatRestClient';
import { HttpFailureCause } from '../../../src/genesys/shared/httpFailure';
import { createSilentLogger } from '../../../src/logger';
import { CannedHttpServer, unusedUrl, type CannedAnswer } from '../support/cannedHttpServer';

const JWT = 'eyJ.guest-secret-jwt';
const credentials = { conversationId: 'c-1', memberId: 'm-1', jwt: JWT };

describe('GuestChatRestClient failures', () => {
  let server: CannedHttpServer;
  let answers: CannedAnswer[];
  let base: string;
  let sleeps: number[];

  beforeEach(async () => {
    sleeps = [];
    server = await CannedHttpServer.start();
    answers = server.answers;
    base = server.url;
  });

  afterEach(async () => {
    await server.stop();
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
    const error = await client(await unusedUrl())
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
