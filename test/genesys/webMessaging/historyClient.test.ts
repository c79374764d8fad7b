import { inspect } from 'node:util';
import { HttpFailureCause } from '../../../src/genesys/shared/httpFailure';
import { HistoryClient } from '../../../src/genesys/webMessaging/historyClient';
import { createSilentLogger } from '../../../src/logger';
import { CannedHttpServer, unusedUrl, type CannedAnswer } from '../support/cannedHttpServer';

describe('HistoryClient', () => {
  let server: CannedHttpServer;
  let answers: CannedAnswer[];
  let seen: { url: string; auth: string | undefined }[];
  let base: string;

  beforeEach(async () => {
    server = await CannedHttpServer.start();
    answers = server.answers;
    seen = server.seen;
    base = server.url;
  });

  afterEach(async () => {
    await server.stop();
  });

  function client(policyAttempts = 3): HistoryClient {
    return new HistoryClient({
      apiUrl: base,
      retryPolicy: (attempt) => (attempt > policyAttempts ? null : 5),
      timeoutMs: 2000,
      logger: createSilentLogger(),
    });
  }

  it('sends the bearer JWT and paging parameters', async () => {
    answers.push({
      status: 200,
      body: { entities: [{ id: 'a', type: 'Text', text: 'x' }], pageSize: 25, pageNumber: 2, total: 26, pageCount: 2 },
    });
    const page = await client().fetchPage('the-jwt', 2, 25);
    expect(page.entities.map((e) => e.id)).toEqual(['a']);
    expect(seen).toEqual([{ url: '/api/v2/webmessaging/messages?pageSize=25&pageNumber=2', auth: 'bearer the-jwt' }]);
  });

  it('retries a 429 after Retry-After and a 5xx, then succeeds', async () => {
    answers.push(
      { status: 429, body: {}, headers: { 'retry-after': '0' } },
      { status: 503, body: {} },
      { status: 200, body: { entities: [] } },
    );
    const page = await client().fetchPage('j', 1, 25);
    expect(page.entities).toEqual([]);
    expect(seen).toHaveLength(3);
  });

  it('does not retry a 401 and says why', async () => {
    answers.push({ status: 401, body: {} });
    await expect(client().fetchPage('j', 1, 25)).rejects.toMatchObject({ code: 'unauthorized', status: 401 });
    expect(seen).toHaveLength(1);
  });

  it('rejects a body of the wrong shape as a protocol error', async () => {
    answers.push({ status: 200, body: { nothing: true } });
    await expect(client().fetchPage('j', 1, 25)).rejects.toMatchObject({ code: 'protocol' });
  });

  it('keeps method, path, status and body summary as the cause, never the JWT', async () => {
    answers.push({ status: 403, body: { message: 'forbidden' } });
    const error = await client()
      .fetchPage('secret-history-jwt', 1, 25)
      .then(
        () => undefined,
        (err: unknown) => err,
      );
    expect(error).toMatchObject({ code: 'unauthorized', status: 403 });
    expect((error as Error).cause).toBeInstanceOf(HttpFailureCause);
    expect((error as Error).cause).toMatchObject({
      method: 'GET',
      path: '/api/v2/webmessaging/messages',
      status: 403,
      body: '{"message":"forbidden"}',
    });
    expect(inspect(error, { depth: 10 })).not.toContain('secret-history-jwt');
  });

  it('does not keep the axios error (with its Authorization header) when nothing answers', async () => {
    const error = await new HistoryClient({
      apiUrl: await unusedUrl(),
      retryPolicy: () => null,
      timeoutMs: 2000,
      logger: createSilentLogger(),
    })
      .fetchPage('secret-history-jwt', 1, 25)
      .then(
        () => undefined,
        (err: unknown) => err,
      );
    expect(error).toMatchObject({ code: 'network' });
    const printed = inspect(error, { depth: 10 });
    expect(printed).not.toContain('secret-history-jwt');
    expect(printed).not.toMatch(/authorization/i);
  });
});
