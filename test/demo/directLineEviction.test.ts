import { WebSocket } from 'ws';
import { createApp, type App } from '../../src/app';
import { DirectLineEndpoint } from '../../src/demo/directLine';
import { createSilentLogger } from '../../src/logger';
import { testConfig } from '../support/testConfig';

interface Started {
  conversationId: string;
  token: string;
  streamUrl: string;
}

describe('demo Direct Line: conversations over the limit', () => {
  let app: App;
  let base: string;
  let port = 0;

  beforeAll(async () => {
    const directLine = new DirectLineEndpoint({
      internalBaseUrl: () => `http://127.0.0.1:${port}`,
      logger: createSilentLogger(),
      maxConversations: 3,
    });
    app = await createApp(testConfig(), createSilentLogger(), {
      provider: null,
      extraRoutes: (server) => {
        directLine.install(server);
      },
    });
    port = await app.start(0, '127.0.0.1');
    base = `http://127.0.0.1:${port}`;
  });

  afterAll(async () => {
    await app.stop();
  });

  const start = async (): Promise<Started> =>
    (await (await fetch(`${base}/v3/directline/conversations`, { method: 'POST' })).json()) as Started;

  const poll = (conversation: Started): Promise<Response> =>
    fetch(`${base}/v3/directline/conversations/${conversation.conversationId}/activities`, {
      headers: { authorization: `Bearer ${conversation.token}` },
    });

  it('drops idle conversations before one a client is streaming, even when that one is the oldest', async () => {
    const watched = await start();
    const ws = new WebSocket(watched.streamUrl);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => {
        resolve();
      });
      ws.once('error', reject);
    });
    try {
      const idle = await start();
      for (let i = 0; i < 5; i++) await start();
      expect((await poll(watched)).status).toBe(200);
      expect((await poll(idle)).status).toBe(403);
    } finally {
      ws.terminate();
    }
  });
});
