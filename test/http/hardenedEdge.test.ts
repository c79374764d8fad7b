import { connect } from 'node:net';
import { gzipSync } from 'node:zlib';
import { loadConfig } from '../../src/config';
import { createDemoRoutes } from '../../src/demo/demoRoutes';
import { isRecord } from '../../src/json';
import { createSilentLogger } from '../../src/logger';
import { startApplication, type RunningApplication } from '../../src/startApplication';
import { createApp } from '../../src/app';
import { ConnectorRecorder, userMessage } from '../support/connectorRecorder';
import { testConfig } from '../support/testConfig';
import { loadCorpus, materialize } from '../fuzz/corpus';
import { fuzzAgent, send, sendRaw } from '../fuzz/httpClient';

/**
 * Every known-bad input of the fuzz corpus (`test/fuzz/corpus`), one test each, against the whole
 * application in this process with the demo routes on: the exact status, a JSON error, and
 * `/healthz` still 200 afterwards. Then the behaviour behind some of them in detail.
 */
describe('the hardened HTTP edge, input by input', () => {
  const connector = new ConnectorRecorder();
  let running: RunningApplication;
  let base: string;
  let values: Record<string, string>;

  beforeAll(async () => {
    const serviceUrl = await connector.start();
    const logger = createSilentLogger();
    const config = loadConfig({ DemoMode: 'true', PORT: '0', LogLevel: 'silent', InstanceId: 'edge-test' });
    running = await startApplication(config, logger, { demoRoutes: createDemoRoutes(logger), host: '127.0.0.1' });
    base = `http://127.0.0.1:${running.port}`;
    const started = (await (await fetch(`${base}/v3/directline/conversations`, { method: 'POST' })).json()) as {
      conversationId: string;
      token: string;
    };
    values = { serviceUrl, conversationId: started.conversationId, token: started.token };
  });

  afterAll(async () => {
    fuzzAgent.destroy();
    await running.stop();
    await connector.stop();
  });

  it.each(loadCorpus().map((entry) => [entry.name, entry] as const))('%s', async (_name, entry) => {
    const input = materialize(entry, values);
    const answer =
      input.kind === 'raw' ? await sendRaw(running.port, input.bytes) : await send(running.port, input.request);
    expect({ status: answer.status, error: answer.error }).toEqual({ status: entry.expect, error: undefined });
    if (answer.status !== undefined && answer.status >= 400) {
      const body: unknown = JSON.parse(answer.body);
      expect(isRecord(body) && typeof body.error === 'string' && typeof body.message === 'string').toBe(true);
    }
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
  });

  it('names every wrongly typed field of an activity', async () => {
    const res = await fetch(`${base}/api/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        ...userMessage(values.serviceUrl ?? '', 'edge-1', 'hi'),
        from: undefined,
        attachments: [null],
        membersAdded: [null],
        entities: [{}],
      }),
    });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: string; problems: string[] };
    expect(body.error).toBe('invalidActivity');
    expect(body.problems).toEqual(
      expect.arrayContaining([
        '"from": is required',
        '"attachments[0]": Invalid input: expected object, received null',
        '"membersAdded[0]": Invalid input: expected object, received null',
        '"entities[0].type": is required',
      ]),
    );
  });

  it('decodes a gzip body and runs the turn', async () => {
    const res = await fetch(`${base}/api/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' },
      body: gzipSync(JSON.stringify(userMessage(values.serviceUrl ?? '', 'edge-gzip', 'help'))),
    });
    expect(res.status).toBe(200);
    await connector.waitFor(() => connector.texts('edge-gzip').length > 0, 10_000, 'a reply');
  });

  it('keeps the connection usable after refusing an oversized body', async () => {
    const big = {
      method: 'POST',
      path: '/api/messages',
      headers: [['Content-Type', 'application/json']] as const,
      body: Buffer.alloc(400_000, 0x20),
    };
    const first = await send(running.port, { ...big, headers: [...big.headers] });
    expect(first.status).toBe(413);
    const second = await send(running.port, { method: 'GET', path: '/healthz', headers: [], body: Buffer.alloc(0) });
    expect(second.status).toBe(200);
  });

  it('survives a client that resets the connection in the middle of a body', async () => {
    await new Promise<void>((resolve, reject) => {
      const socket = connect(running.port, '127.0.0.1', () => {
        socket.write(
          'POST /api/messages HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"type":',
        );
        setImmediate(() => {
          socket.resetAndDestroy();
          resolve();
        });
      });
      socket.on('error', reject);
    });
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
  });

  it('survives a client that resets an upgraded socket', async () => {
    await new Promise<void>((resolve, reject) => {
      const socket = connect(running.port, '127.0.0.1', () => {
        socket.write(
          'GET /v3/directline/conversations/nope/stream HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n',
        );
        socket.resetAndDestroy();
        resolve();
      });
      socket.on('error', reject);
    });
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
  });
});

describe('the hardened HTTP edge without the demo', () => {
  it('refuses websocket upgrades with 404 and closes the connection instead of leaving it open', async () => {
    const app = await createApp(testConfig(), createSilentLogger(), { provider: null });
    const port = await app.start(0, '127.0.0.1');
    try {
      const answer = await sendRaw(
        port,
        Buffer.from(
          'GET /api/messages HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n',
        ),
        5000,
      );
      expect(answer).toMatchObject({ status: 404, contentType: 'application/json' });
      expect(answer.error).toBeUndefined();
    } finally {
      await app.stop();
    }
  });
});
