import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocket, WebSocketServer, type RawData } from 'ws';

interface Gate {
  promise: Promise<void>;
  release: () => void;
  waiting: number;
}

/** The `action` of a guest frame, or `''`. */
function actionOf(data: string): string {
  try {
    const frame = JSON.parse(data) as { action?: unknown };
    return typeof frame.action === 'string' ? frame.action : '';
  } catch {
    return '';
  }
}

/** True for Genesys' acknowledgement of a guest message (`type: response`, `class: StructuredMessage`). */
function isMessageAck(data: string): boolean {
  try {
    const frame = JSON.parse(data) as { type?: unknown; class?: unknown };
    return frame.type === 'response' && frame.class === 'StructuredMessage';
  } catch {
    return false;
  }
}

/**
 * A slow network between the bot and the Genesys (Web Messaging) simulator: a websocket proxy that
 * forwards every frame in order (unchanged unless told to spoil one), and can hold or delay the guest's frames by `action`
 * (`configureSession`, `onMessage`…) and delay Genesys' message acknowledgements. It knows nothing
 * of the protocol beyond those fields (and `token`, which it can strip so that Genesys refuses a
 * frame); the simulator stays the model of Genesys and decides every answer.
 */
export class WebMessagingProxy {
  private server: Server | undefined;
  private wss: WebSocketServer | undefined;
  private readonly gates = new Map<string, Gate>();
  private readonly delays = new Map<string, number>();
  private ackDelayMs = 0;
  private spoil: ((data: string) => boolean) | undefined;
  private readonly sockets = new Set<WebSocket>();

  constructor(private readonly target: string) {}

  /** Starts on a free loopback port; resolves with the `ws://…/v1` URL to give the bot. */
  async start(): Promise<string> {
    const server = createServer();
    const wss = new WebSocketServer({ server });
    this.server = server;
    this.wss = wss;
    wss.on('connection', (client, req) => {
      this.connect(client, req.url ?? '/v1');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return `ws://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
  }

  /** Holds the guest's `action` frames until the returned function is called. */
  hold(action: string): () => void {
    let release: () => void = () => undefined;
    const promise = new Promise<void>((resolve) => {
      release = resolve;
    });
    const gate: Gate = { promise, release, waiting: 0 };
    this.gates.set(action, gate);
    return () => {
      if (this.gates.get(action) === gate) this.gates.delete(action);
      gate.release();
    };
  }

  /** Frames of `action` held right now. */
  held(action: string): number {
    return this.gates.get(action)?.waiting ?? 0;
  }

  /** Delays every guest frame of `action` by `ms` (0 removes the delay). */
  delay(action: string, ms: number): void {
    this.delays.set(action, ms);
  }

  /**
   * Spoils the guest frames `matches` selects (their session `token` is removed on the way), so
   * Genesys itself refuses them; `undefined` stops.
   */
  spoilFrames(matches: ((data: string) => boolean) | undefined): void {
    this.spoil = matches;
  }

  /** Delays every acknowledgement of a guest message by `ms`. */
  delayAcks(ms: number): void {
    this.ackDelayMs = ms;
  }

  async stop(): Promise<void> {
    for (const gate of this.gates.values()) gate.release();
    for (const socket of this.sockets) socket.terminate();
    this.wss?.close();
    const server = this.server;
    if (server === undefined) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => {
      server.close(() => {
        resolve();
      });
    });
  }

  private connect(client: WebSocket, path: string): void {
    const upstream = new WebSocket(new URL(path, this.target.replace(/\/v1$/, '/')).toString());
    this.sockets.add(client);
    this.sockets.add(upstream);
    const opened = new Promise<void>((resolve, reject) => {
      upstream.once('open', () => {
        resolve();
      });
      upstream.once('error', reject);
    });
    let toGenesys: Promise<void> = opened.catch(() => undefined);
    let toGuest: Promise<void> = Promise.resolve();
    client.on('message', (raw: RawData) => {
      const original = rawText(raw);
      const data = this.spoil?.(original) === true ? withoutToken(original) : original;
      const action = actionOf(data);
      toGenesys = toGenesys.then(async () => {
        const gate = this.gates.get(action);
        if (gate !== undefined) {
          gate.waiting++;
          await gate.promise;
          gate.waiting--;
        }
        const ms = this.delays.get(action) ?? 0;
        if (ms > 0) await sleep(ms);
        if (upstream.readyState === WebSocket.OPEN) upstream.send(data);
      });
    });
    upstream.on('message', (raw: RawData) => {
      const data = rawText(raw);
      const ms = isMessageAck(data) ? this.ackDelayMs : 0;
      toGuest = toGuest.then(async () => {
        if (ms > 0) await sleep(ms);
        if (client.readyState === WebSocket.OPEN) client.send(data);
      });
    });
    const closeBoth = (): void => {
      this.sockets.delete(client);
      this.sockets.delete(upstream);
      if (client.readyState === WebSocket.OPEN) client.close();
      if (upstream.readyState === WebSocket.OPEN || upstream.readyState === WebSocket.CONNECTING) upstream.terminate();
    };
    client.on('close', closeBoth);
    upstream.on('close', closeBoth);
    client.on('error', closeBoth);
    upstream.on('error', closeBoth);
  }
}

/** The frame without its `token` field. */
function withoutToken(data: string): string {
  const { token: _token, ...rest } = JSON.parse(data) as Record<string, unknown>;
  return JSON.stringify(rest);
}

function rawText(raw: RawData): string {
  if (Array.isArray(raw)) return Buffer.concat(raw).toString('utf8');
  return Buffer.from(raw as ArrayBuffer).toString('utf8');
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
