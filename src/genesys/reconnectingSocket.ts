import WebSocket from 'ws';
import type { Logger } from '../logger';
import { redactUrl } from '../logger';
import { telemetry } from '../telemetry/telemetry';
import { GenesysError } from './genesysError';
import { parseRetryAfter } from './shared';
import { afterRetryAfter, type RetryPolicy } from './retryPolicy';

/** The states of a {@link ReconnectingSocket}. Every change goes through one method that logs it. */
export type SocketState = 'idle' | 'connecting' | 'open' | 'reconnecting' | 'closing' | 'closed';

/** Options of a {@link ReconnectingSocket}. */
export interface ReconnectingSocketOptions {
  /** Provider name for the `genesys.reconnects` metric (`webmessaging`, `guestchat`). */
  provider?: string;
  /** URL to connect to; a function is called before every attempt. May embed a token: it is redacted in logs. */
  url: string | (() => string);
  /** Extra handshake headers. */
  headers?: Record<string, string>;
  /** Sent as the `Origin` header when set. */
  origin?: string;
  /** How long to wait before reconnect attempt n, or null to give up. */
  reconnectPolicy: RetryPolicy;
  /** Protocol ping interval; a link that does not answer a ping before the next one is terminated. 0 disables. */
  heartbeatIntervalMs: number;
  /** How long the handshake may take. */
  connectTimeoutMs: number;
  logger: Logger;
  /**
   * Called after every successful (re)connection, before the socket counts as open to callers.
   * A rejection closes the link: on the first connection `connect()` rejects with it; on a
   * reconnect a transient {@link GenesysError} retries, anything else gives up.
   */
  onOpen: (isReconnect: boolean) => Promise<void>;
  /** Every text frame received. Must not throw; errors are caught and logged. */
  onMessage: (data: string) => void;
  /** Called once when the link is lost for good (policy gave up, or `onOpen` failed permanently). */
  onGiveUp: (error: GenesysError) => void;
  /** Called when an established link drops (before reconnecting). */
  onDrop?: (code: number, reason: string) => void;
  /** Source of the jitter added to a server-given `retryAfter` (tests pass a constant; default `Math.random`). */
  random?: () => number;
}

/** How often the first connection is tried again when Genesys rate limits it (each after its `retryAfter`). */
const CONNECT_RATE_LIMIT_RETRIES = 3;

/**
 * A websocket that reconnects after a dropped link with an injected policy, detects dead links with
 * protocol pings, and separates a deliberate close (no reconnect, no callbacks) from a drop.
 * Shared by the Genesys providers; knows nothing about their frames.
 */
export class ReconnectingSocket {
  private socket: WebSocket | undefined;
  private currentState: SocketState = 'idle';
  private heartbeat: NodeJS.Timeout | undefined;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private awaitingPong = false;
  /** A rate-limited first connection waiting for its `retryAfter`; `close()` ends the wait. */
  private connectWait: { timer: NodeJS.Timeout; resolve: () => void } | undefined;

  constructor(private readonly options: ReconnectingSocketOptions) {}

  /** Current state. */
  get state(): SocketState {
    return this.currentState;
  }

  /** True when frames can be sent. */
  get isOpen(): boolean {
    return this.currentState === 'open';
  }

  /**
   * Opens the first connection. Resolves when the socket is open and `onOpen` succeeded; rejects
   * (without reconnecting) when the handshake or `onOpen` fails, so callers see Genesys' refusal.
   */
  async connect(): Promise<void> {
    if (this.currentState !== 'idle') throw new Error(`connect() called in state ${this.currentState}`);
    this.setState('connecting', 'connect requested');
    for (let rateLimited = 0; ; rateLimited++) {
      try {
        await this.openOnce(false);
        return;
      } catch (err) {
        const waitMs = this.serverWait(err);
        if (waitMs === undefined || rateLimited >= CONNECT_RATE_LIMIT_RETRIES || !this.isConnecting()) {
          if (this.isConnecting()) this.setState('closed', 'first connection failed');
          throw err;
        }
        this.options.logger.info({ waitMs }, 'Genesys rate limited the connection; trying again after its retryAfter');
        await new Promise<void>((resolve) => {
          this.connectWait = { timer: setTimeout(resolve, waitMs), resolve };
        });
        this.connectWait = undefined;
        if (!this.isConnecting()) throw err;
      }
    }
  }

  /** True while the first connection is being made (`close()` may end it during a wait). */
  private isConnecting(): boolean {
    return this.currentState === 'connecting';
  }

  /**
   * How long to wait before trying again after `err`: a rate-limited answer's `retryAfter` plus jitter
   * (docs/genesys-protocol.md §5.4), or undefined when Genesys gave no wait.
   */
  private serverWait(err: unknown): number | undefined {
    if (!(err instanceof GenesysError) || err.code !== 'rateLimited' || err.retryAfterMs === undefined)
      return undefined;
    return afterRetryAfter(err.retryAfterMs, undefined, this.options.random);
  }

  /** Sends a text frame. Throws a `closed` {@link GenesysError} when the link is not open. */
  send(frame: string): void {
    const socket = this.socket;
    if (this.currentState !== 'open' || socket === undefined || socket.readyState !== WebSocket.OPEN) {
      throw new GenesysError('closed', `cannot send: socket is ${this.currentState}`);
    }
    socket.send(frame);
  }

  /**
   * Sends a frame while the link is connecting or open (used by `onOpen` to configure a session
   * before the socket counts as open).
   */
  sendDuringOpen(frame: string): void {
    const socket = this.socket;
    if (socket === undefined || socket.readyState !== WebSocket.OPEN) {
      throw new GenesysError('closed', `cannot send: socket is ${this.currentState}`);
    }
    socket.send(frame);
  }

  /** Closes deliberately: no reconnect, no `onDrop`/`onGiveUp`. Idempotent. */
  async close(code = 1000, reason = 'client closing'): Promise<void> {
    if (this.currentState === 'closed') return;
    this.setState('closing', reason);
    this.stopHeartbeat();
    if (this.reconnectTimer !== undefined) clearTimeout(this.reconnectTimer);
    if (this.connectWait !== undefined) {
      clearTimeout(this.connectWait.timer);
      this.connectWait.resolve();
    }
    const socket = this.socket;
    this.socket = undefined;
    if (socket !== undefined && socket.readyState !== WebSocket.CLOSED) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          socket.terminate();
          resolve();
        }, 2_000);
        socket.once('close', () => {
          clearTimeout(timer);
          resolve();
        });
        if (socket.readyState === WebSocket.CONNECTING) socket.terminate();
        else socket.close(code, reason);
      });
    }
    this.setState('closed', reason);
  }

  /** Drops the link as if the network failed (tests and lease hand-over use it). */
  terminate(): void {
    this.socket?.terminate();
  }

  private setState(to: SocketState, reason: string): void {
    const from = this.currentState;
    if (from === to) return;
    this.currentState = to;
    this.options.logger.debug({ from, to, reason }, 'socket state changed');
  }

  private resolveUrl(): string {
    return typeof this.options.url === 'function' ? this.options.url() : this.options.url;
  }

  private openOnce(isReconnect: boolean): Promise<void> {
    const url = this.resolveUrl();
    const headers: Record<string, string> = { ...this.options.headers };
    return new Promise<void>((resolve, reject) => {
      let settled = false;
      const socket = new WebSocket(url, {
        headers,
        ...(this.options.origin === undefined ? {} : { origin: this.options.origin }),
        handshakeTimeout: this.options.connectTimeoutMs,
      });
      this.socket = socket;
      const fail = (err: GenesysError): void => {
        if (settled) return;
        settled = true;
        socket.removeAllListeners('close');
        socket.on('close', () => undefined);
        socket.terminate();
        if (this.socket === socket) this.socket = undefined;
        reject(err);
      };
      // An error listener first, so nothing the peer does can become an uncaught exception.
      socket.on('error', (err) => {
        this.options.logger.debug({ err, url: redactUrl(url) }, 'socket error');
        if (!settled) fail(new GenesysError('network', `websocket connection failed: ${err.message}`, { cause: err }));
      });
      socket.on('unexpected-response', (_req, res) => {
        const status = res.statusCode ?? 0;
        res.resume();
        const code =
          status === 401
            ? 'unauthorized'
            : status === 403
              ? 'originNotAllowed'
              : status === 404
                ? 'unknownDeployment'
                : status === 429
                  ? 'rateLimited'
                  : status >= 500
                    ? 'serverError'
                    : 'badRequest';
        const retryAfterMs = status === 429 ? parseRetryAfter(res.headers['retry-after']) : undefined;
        fail(
          new GenesysError(code, `websocket handshake refused with HTTP ${status}`, {
            status,
            ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
          }),
        );
      });
      socket.on('message', (data, isBinary) => {
        if (isBinary) {
          this.options.logger.debug('ignoring binary frame');
          return;
        }
        const text = Array.isArray(data)
          ? Buffer.concat(data).toString('utf8')
          : Buffer.from(data as ArrayBuffer).toString('utf8');
        try {
          this.options.onMessage(text);
        } catch (err) {
          this.options.logger.warn({ err }, 'frame handler threw; frame ignored');
        }
      });
      socket.on('pong', () => {
        this.awaitingPong = false;
      });
      socket.on('close', (code, reasonBuffer) => {
        const reason = reasonBuffer.toString('utf8');
        if (!settled) {
          fail(new GenesysError('network', `websocket closed during connect (${code} ${reason})`, { status: code }));
          return;
        }
        this.handleDrop(socket, code, reason);
      });
      socket.on('open', () => {
        this.options
          .onOpen(isReconnect)
          .then(() => {
            if (settled) return;
            if (socket.readyState !== WebSocket.OPEN) {
              fail(new GenesysError('network', 'websocket closed while the session was being configured'));
              return;
            }
            settled = true;
            this.setState('open', isReconnect ? 'reconnected' : 'connected');
            if (isReconnect) telemetry().reconnect(this.options.provider ?? 'genesys');
            this.startHeartbeat(socket);
            resolve();
          })
          .catch((err: unknown) => {
            fail(
              err instanceof GenesysError ? err : new GenesysError('protocol', 'session set-up failed', { cause: err }),
            );
          });
      });
    });
  }

  private handleDrop(socket: WebSocket, code: number, reason: string): void {
    if (this.socket !== socket) return; // an old socket we already replaced or closed on purpose
    this.socket = undefined;
    this.stopHeartbeat();
    if (this.currentState === 'closing' || this.currentState === 'closed') return;
    this.options.logger.info({ code, reason }, 'genesys socket dropped; reconnecting');
    this.options.onDrop?.(code, reason);
    this.scheduleReconnect(1);
  }

  /** Schedules reconnect attempt `attempt` after the policy's delay, or `minWaitMs` when Genesys asked for longer. */
  private scheduleReconnect(attempt: number, minWaitMs = 0): void {
    const policyWait = this.options.reconnectPolicy(attempt);
    if (policyWait === null) {
      this.setState('closed', 'reconnect attempts exhausted');
      this.options.onGiveUp(
        new GenesysError('network', `connection lost; gave up after ${attempt - 1} reconnect attempts`),
      );
      return;
    }
    const wait = Math.max(policyWait, minWaitMs);
    this.setState('reconnecting', `attempt ${attempt} in ${wait} ms`);
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      if (this.currentState !== 'reconnecting') return;
      this.openOnce(true).catch((err: unknown) => {
        if (this.currentState !== 'reconnecting') return;
        const error =
          err instanceof GenesysError ? err : new GenesysError('network', 'reconnect failed', { cause: err });
        if (!error.transient) {
          this.setState('closed', `reconnect refused: ${error.code}`);
          this.options.onGiveUp(error);
          return;
        }
        this.options.logger.debug({ err: error, attempt }, 'reconnect attempt failed');
        // [C] docs/genesys-protocol.md §5.4: a rate-limited configure says when to come back (retryAfter).
        this.scheduleReconnect(attempt + 1, this.serverWait(error));
      });
    }, wait);
  }

  private startHeartbeat(socket: WebSocket): void {
    this.stopHeartbeat();
    if (this.options.heartbeatIntervalMs <= 0) return;
    this.awaitingPong = false;
    this.heartbeat = setInterval(() => {
      if (this.awaitingPong) {
        this.options.logger.info('genesys socket silent past a heartbeat; terminating');
        socket.terminate();
        return;
      }
      this.awaitingPong = true;
      socket.ping();
    }, this.options.heartbeatIntervalMs);
    this.heartbeat.unref();
  }

  private stopHeartbeat(): void {
    if (this.heartbeat !== undefined) clearInterval(this.heartbeat);
    this.heartbeat = undefined;
  }
}
