import { EventEmitter } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer } from 'ws';
import type { Logger } from '../../logger';

/** Options of a {@link SimulatorHost}. */
export interface SimulatorHostOptions {
  /** Names the simulator in error messages (`WebMessagingSimulator`, ...). */
  name: string;
  logger: Logger;
  /** Port to listen on (default 0 = any free port). */
  port?: number;
  /** Address to listen on (default 127.0.0.1). */
  host?: string;
  /** Answers one HTTP request; a rejected promise is logged and answered 500 when nothing was sent. */
  onRequest: (req: IncomingMessage, res: ServerResponse) => void | Promise<void>;
  /** Handles a websocket upgrade: accept with {@link SimulatorHost.acceptUpgrade} or refuse with {@link refuseUpgrade}. */
  onUpgrade: (req: IncomingMessage, socket: Duplex, head: Buffer) => void;
}

/** Answers an upgrade request with a bare HTTP status and closes the socket. */
export function refuseUpgrade(socket: Duplex, status: number, reason: string): void {
  socket.write(`HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
  socket.destroy();
}

/** Sends a text frame when the socket is open; a closed socket drops it, as a real server's would. */
export function sendText(ws: WebSocket, data: string): void {
  if (ws.readyState === WebSocket.OPEN) ws.send(data);
}

/** Default wait of {@link SimulatorHost.waitUntil} and {@link SimulatorHost.whenIdle}, in ms. */
export const DEFAULT_WAIT_MS = 5_000;
/** How often {@link SimulatorHost.whenIdle} looks at socket buffers while work is outstanding, in ms. */
const IDLE_POLL_MS = 5;

/**
 * The server skeleton every simulator runs on: one `http.Server` for REST and websocket upgrades
 * on one port, a change signal with `waitUntil`, and a quiescence hook (`whenIdle`) that resolves
 * once no request is being answered, no held work is pending and every socket's send buffer is empty.
 */
export class SimulatorHost {
  private readonly server: Server;
  private readonly wss = new WebSocketServer({ noServer: true });
  private readonly changes = new EventEmitter<{ changed: [] }>();
  private readonly logger: Logger;
  private outstanding = 0;
  private listeningPort = 0;

  constructor(private readonly options: SimulatorHostOptions) {
    this.logger = options.logger;
    this.changes.setMaxListeners(0);
    this.wss.on('error', (err) => {
      this.logger.warn({ err }, 'simulator websocket server error');
    });
    this.server = createServer((req, res) => {
      this.answer(req, res);
    });
    this.server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      socket.on('error', (err) => {
        this.logger.debug({ err }, 'upgrade socket error');
      });
      options.onUpgrade(req, socket, head);
    });
  }

  /** Starts listening. Rejects when the port is taken. */
  async start(): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.options.port ?? 0, this.host, () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    const address = this.server.address();
    if (address === null || typeof address === 'string')
      throw new Error(`${this.options.name}: server is not listening on a TCP port`);
    this.listeningPort = address.port;
  }

  /** Terminates every websocket and closes the server. */
  async stop(): Promise<void> {
    for (const client of this.wss.clients) client.terminate();
    await new Promise<void>((resolve) => {
      this.wss.close(() => {
        resolve();
      });
    });
    await new Promise<void>((resolve) => {
      this.server.close(() => {
        resolve();
      });
      this.server.closeAllConnections();
    });
  }

  /** The address listened on. */
  get host(): string {
    return this.options.host ?? '127.0.0.1';
  }

  /** The port listened on; 0 before {@link start}. */
  get port(): number {
    return this.listeningPort;
  }

  /** `http://host:port`; throws before {@link start}. */
  get httpUrl(): string {
    return `http://${this.host}:${this.requirePort()}`;
  }

  /** `ws://host:port`; throws before {@link start}. */
  get wsUrl(): string {
    return `ws://${this.host}:${this.requirePort()}`;
  }

  /** Completes a websocket upgrade that {@link SimulatorHostOptions.onUpgrade} accepted. */
  acceptUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer, accepted: (ws: WebSocket) => void): void {
    this.wss.handleUpgrade(req, socket, head, accepted);
  }

  /** Tells waiters that the simulator's state changed. */
  changed(): void {
    this.changes.emit('changed');
  }

  /** Calls `listener` after every change; returns the unsubscribe function. */
  onChange(listener: () => void): () => void {
    this.changes.on('changed', listener);
    return () => {
      this.changes.off('changed', listener);
    };
  }

  /**
   * Marks work the simulator still owes (a held delivery batch, a request being answered);
   * {@link whenIdle} waits for it. Returns the function that marks it done (idempotent).
   */
  beginWork(): () => void {
    this.outstanding++;
    let done = false;
    return () => {
      if (done) return;
      done = true;
      this.outstanding--;
      this.changed();
    };
  }

  /**
   * Resolves with `check()`'s first defined result, re-evaluated after every change; rejects
   * with an error naming `what` after `timeoutMs`.
   */
  waitUntil<T>(check: () => T | undefined, timeoutMs = DEFAULT_WAIT_MS, what = 'condition'): Promise<T> {
    const first = check();
    if (first !== undefined) return Promise.resolve(first);
    return new Promise<T>((resolve, reject) => {
      const unsubscribe = this.onChange(() => {
        const value = check();
        if (value === undefined) return;
        clearTimeout(timer);
        unsubscribe();
        resolve(value);
      });
      const timer = setTimeout(() => {
        unsubscribe();
        reject(new Error(`${this.options.name}: timed out after ${timeoutMs} ms waiting for ${what}`));
      }, timeoutMs);
    });
  }

  /**
   * Resolves once the simulator is quiescent: no outstanding work, every websocket's send buffer
   * flushed, on two checks one event-loop turn apart (so callbacks already queued have run).
   * Rejects after `timeoutMs`. Frames flushed here may still be in flight to the client: a test
   * proving that nothing else reached the client follows this with an ordered round trip.
   */
  async whenIdle(timeoutMs = DEFAULT_WAIT_MS): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let quietChecks = 0;
    while (quietChecks < 2) {
      if (Date.now() > deadline)
        throw new Error(`${this.options.name}: not idle after ${timeoutMs} ms (${this.outstanding} pending)`);
      const quiet = this.outstanding === 0 && [...this.wss.clients].every((ws) => ws.bufferedAmount === 0);
      quietChecks = quiet ? quietChecks + 1 : 0;
      await new Promise<void>((resolve) => {
        if (quiet) setImmediate(resolve);
        else setTimeout(resolve, IDLE_POLL_MS);
      });
    }
  }

  private answer(req: IncomingMessage, res: ServerResponse): void {
    const done = this.beginWork();
    res.once('close', done);
    res.once('finish', done);
    Promise.resolve()
      .then(() => this.options.onRequest(req, res))
      .catch((err: unknown) => {
        this.logger.error({ err }, 'simulator request failed');
        if (!res.headersSent) {
          res.writeHead(500, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ message: 'Internal server error', code: 'internal.server.error', status: 500 }));
        }
      });
  }

  private requirePort(): number {
    if (this.listeningPort === 0) throw new Error(`${this.options.name}: not started`);
    return this.listeningPort;
  }
}
