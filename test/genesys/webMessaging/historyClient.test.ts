import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { inspect } from 'node:util';
import { HttpFailureCause } from '../../../src/genesys/shared/httpFailure';
import { HistoryClient } from '../../../src/genesys/webMessaging/historyClient';
import { createSilentLogger } from '../../../src/logger';

describe('HistoryClient', () => {
  let server: Server;
  let answers: { status: number; body: unknown; headers?: Record<string, string> }[];
  let seen: { url: string; auth: string | undefined }[];
  let base: string;

  beforeEach(async () => {
    answers = [];
    seen = [];
    server = createServer((req, res) => {
      seen.push({ url: req.url ?? '', auth: req.headers.authorization });
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
    const closed = base;
    await new Promise<void>((resolve) =>
      server.close(() => {
        resolve();
      }),
    );
    server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const error = await new HistoryClient({
      apiUrl: closed,
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
