import WebSocket from 'ws';
import { createSilentLogger } from '../../src/logger';
import { refuseUpgrade, sendText, SimulatorHost } from '../../src/simulator/kit/simulatorHost';

/** A host answering `GET /hold` only once `release()` is called, and upgrading `/ws` (others get 403). */
function createHost(): { host: SimulatorHost; release: () => void; holding: () => boolean; sockets: WebSocket[] } {
  let held: (() => void) | undefined;
  const sockets: WebSocket[] = [];
  const host: SimulatorHost = new SimulatorHost({
    name: 'TestSimulator',
    logger: createSilentLogger(),
    onRequest: (req, res) => {
      if (req.url === '/hold') {
        held = () => res.end('released');
        host.changed();
        return;
      }
      if (req.url === '/boom') throw new Error('route failed');
      res.end('ok');
    },
    onUpgrade: (req, socket, head) => {
      if (req.url !== '/ws') {
        refuseUpgrade(socket, 403, 'Forbidden');
        return;
      }
      host.acceptUpgrade(req, socket, head, (ws) => {
        sockets.push(ws);
        host.changed();
      });
    },
  });
  return {
    host,
    sockets,
    holding: () => held !== undefined,
    release: () => {
      held?.();
    },
  };
}

describe('SimulatorHost', () => {
  let host: SimulatorHost;
  let release: () => void;
  let holding: () => boolean;
  let sockets: WebSocket[];
  let running: boolean;

  beforeEach(async () => {
    ({ host, release, holding, sockets } = createHost());
    await host.start();
    running = true;
  });

  afterEach(async () => {
    if (running) await host.stop();
  });

  it('listens on a free port and names its URLs', async () => {
    expect(host.port).toBeGreaterThan(0);
    expect(host.httpUrl).toBe(`http://127.0.0.1:${host.port}`);
    expect(host.wsUrl).toBe(`ws://127.0.0.1:${host.port}`);
    expect(await (await fetch(`${host.httpUrl}/`)).text()).toBe('ok');
  });

  it('throws for URLs before it listens', () => {
    const { host: idle } = createHost();
    expect(() => idle.httpUrl).toThrow('TestSimulator: not started');
  });

  it('answers 500 when a route throws, and keeps serving', async () => {
    const failed = await fetch(`${host.httpUrl}/boom`);
    expect(failed.status).toBe(500);
    expect(await (await fetch(`${host.httpUrl}/`)).text()).toBe('ok');
  });

  it('is not idle while a request is being answered or work is held', async () => {
    const answer = fetch(`${host.httpUrl}/hold`);
    await host.waitUntil(() => (holding() ? true : undefined));
    await expect(host.whenIdle(30)).rejects.toThrow('TestSimulator: not idle after 30 ms (1 pending)');
    const work = host.beginWork();
    release();
    expect(await (await answer).text()).toBe('released');
    // The request is answered; the held work is not done.
    await expect(host.whenIdle(30)).rejects.toThrow('(1 pending)');
    const idle = host.whenIdle();
    work();
    work(); // marking done twice counts once
    await expect(idle).resolves.toBeUndefined();
  });

  it('waitUntil resolves on a change and rejects after its timeout', async () => {
    const state: { value?: string } = {};
    const waiting = host.waitUntil(() => state.value, 1_000, 'a value');
    state.value = 'set';
    host.changed();
    await expect(waiting).resolves.toBe('set');
    await expect(host.waitUntil(() => undefined, 20, 'nothing')).rejects.toThrow(
      'TestSimulator: timed out after 20 ms waiting for nothing',
    );
  });

  it('upgrades accepted sockets, refuses others with their status, and terminates sockets on stop', async () => {
    const refused = new WebSocket(`${host.wsUrl}/other`);
    const status = await new Promise<number | undefined>((resolve) => {
      refused.on('unexpected-response', (_req, res) => {
        resolve(res.statusCode);
      });
      refused.on('error', () => {
        resolve(undefined);
      });
    });
    expect(status).toBe(403);

    const client = new WebSocket(`${host.wsUrl}/ws`);
    const received = new Promise<string>((resolve) => {
      client.once('message', (data: Buffer) => {
        resolve(data.toString('utf8'));
      });
    });
    await host.waitUntil(() => (sockets.length === 1 ? true : undefined));
    const [server] = sockets;
    sendText(server!, 'hello');
    expect(await received).toBe('hello');
    await host.whenIdle();
    const closed = new Promise<number>((resolve) => {
      client.once('close', (code) => {
        resolve(code);
      });
    });
    running = false;
    await host.stop();
    expect(await closed).toBe(1006);
  });
});
