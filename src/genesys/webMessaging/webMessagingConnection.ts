import { randomUUID } from 'node:crypto';
import type { Logger } from '../../logger';
import { GenesysError, type GenesysErrorCode } from '../genesysError';
import { ReconnectingSocket } from '../reconnectingSocket';
import type { RetryPolicy } from '../retryPolicy';
import type { ClientRequest } from './clientRequests';
import { parseServerFrame, type ServerFrame, type SessionResponseBody } from './frames';

/** What a request was for; decides how an error code is read. */
export type RequestContext = 'configure' | 'message' | 'clear' | 'echo' | 'jwt';

/**
 * Turns an error frame into a {@link GenesysError} (docs/genesys-protocol.md §5.4, §5.6). `context` matters: a 403
 * on configure means the origin was refused, on a Presence Clear it means Clear is disabled.
 */
export function errorFromFrame(frame: ServerFrame, context: RequestContext): GenesysError {
  const status = frame.code;
  if (frame.kind === 'tooManyRequests') {
    const retryAfterMs = Math.round(frame.body.retryAfter * 1000);
    return new GenesysError('rateLimited', `Genesys rate limit: retry after ${frame.body.retryAfter} s`, {
      status,
      genesysCode: String(frame.body.errorCode ?? status),
      retryAfterMs,
    });
  }
  const detail = frame.kind === 'errorString' ? frame.body : `unexpected ${frame.kind} frame`;
  let code: GenesysErrorCode;
  if (status === 4011) code = 'messageTooLong';
  else if (status === 4013) code = 'attributesTooLarge';
  // [O] docs/genesys-protocol.md §5.16: a message on a read-only session (the agent ended it) is refused with 409.
  else if (status === 409 && context !== 'configure') code = 'sessionReadOnly';
  else if (status === 4006 || status === 4007) code = 'sessionExpired';
  else if (status === 429 || status === 4029) code = 'rateLimited';
  else if (status === 401) code = context === 'configure' ? 'authRequired' : 'unauthorized';
  // [I] docs/genesys-protocol.md §5.1: a refused origin may also be answered on configure rather than at the handshake.
  else if (status === 403) code = context === 'configure' ? 'originNotAllowed' : 'conversationState';
  // [U] the exact answer to an unknown deploymentId is not documented; any 404, or a 400 naming the deployment, counts.
  else if (context === 'configure' && (status === 404 || /deployment/i.test(detail))) code = 'unknownDeployment';
  else if (status === 408) code = 'timeout';
  else if (status >= 500 && status < 600) code = 'serverError';
  else code = 'badRequest';
  return new GenesysError(code, `Genesys answered ${status}: ${detail}`, { status, genesysCode: String(status) });
}

/** True when a frame is an error answer (anything but a 200 reply). */
export function isErrorFrame(frame: ServerFrame): boolean {
  return frame.kind === 'tooManyRequests' || frame.kind === 'errorString' || frame.code !== 200;
}

/** Options of a {@link WebMessagingConnection}. */
export interface WebMessagingConnectionOptions {
  /** `{webMessagingUrl}?deploymentId=...`. */
  url: string;
  origin?: string;
  deploymentId: string;
  /** Session token (a secret: never logged). */
  token: string;
  logger: Logger;
  /** Reconnect policy after a drop; `() => null` for a one-shot connection. */
  reconnectPolicy: RetryPolicy;
  heartbeatIntervalMs: number;
  connectTimeoutMs: number;
  responseTimeoutMs: number;
  /** Application `echo` health check interval; 0 disables. */
  echoIntervalMs: number;
  /** Every valid frame that did not answer one of our requests. */
  onFrame: (frame: ServerFrame) => void;
  /** After every successful `configureSession` (first connect and reconnects). */
  onConfigured?: (body: SessionResponseBody, isReconnect: boolean) => void;
  /** The link is lost for good. */
  onGiveUp?: (error: GenesysError) => void;
  /** An established link dropped (a reconnect follows when the policy allows). */
  onDrop?: () => void;
  /** Every answer to an `echo` health check, errors included (it reports the session lifetime, §5.15). */
  onEchoAnswer?: (frame: ServerFrame) => void;
}

interface PendingRequest {
  resolve: (frame: ServerFrame) => void;
  reject: (err: GenesysError) => void;
  timer: NodeJS.Timeout;
  sentAt: number;
}

/**
 * One websocket to Web Messaging for one session token: configures the session on every
 * (re)connection before anything else, correlates replies to requests by `tracingId`, and runs the
 * application-level `echo` health check. Knows nothing about chat events.
 */
export class WebMessagingConnection {
  private readonly socket: ReconnectingSocket;
  private readonly pending = new Map<string, PendingRequest>();
  private configured = false;
  private closed = false;
  private giveUpError: GenesysError | undefined;
  private waiters: { resolve: () => void; reject: (err: GenesysError) => void }[] = [];
  private echoTimer: NodeJS.Timeout | undefined;
  private lastSessionBody: SessionResponseBody | undefined;

  constructor(private readonly options: WebMessagingConnectionOptions) {
    this.socket = new ReconnectingSocket({
      provider: 'webmessaging',
      url: options.url,
      ...(options.origin === undefined ? {} : { origin: options.origin }),
      reconnectPolicy: options.reconnectPolicy,
      heartbeatIntervalMs: options.heartbeatIntervalMs,
      connectTimeoutMs: options.connectTimeoutMs,
      logger: options.logger,
      onOpen: (isReconnect) => this.configure(isReconnect),
      onMessage: (data) => {
        this.handleRaw(data);
      },
      onGiveUp: (error) => {
        this.handleGiveUp(error);
      },
      onDrop: () => {
        this.handleDrop();
      },
    });
  }

  /** The last `SessionResponse` body. */
  get session(): SessionResponseBody | undefined {
    return this.lastSessionBody;
  }

  /** True when requests can be sent. */
  get isConfigured(): boolean {
    return this.configured && this.socket.isOpen;
  }

  /** Connects and configures the session. Rejects with Genesys' refusal (no reconnect on the first attempt). */
  async open(): Promise<SessionResponseBody> {
    await this.socket.connect();
    this.startEcho();
    const body = this.lastSessionBody;
    if (body === undefined) throw new GenesysError('protocol', 'session configured without a SessionResponse');
    return body;
  }

  /**
   * Sends a request and resolves with the frame that carries its `tracingId` (a reply or the echo),
   * whatever its code: callers interpret errors. Rejects with `timeout`, `network` (link dropped)
   * or `closed`.
   */
  request(build: (tracingId: string) => ClientRequest): Promise<ServerFrame> {
    if (this.closed) return Promise.reject(new GenesysError('closed', 'connection closed'));
    if (!this.isConfigured) return Promise.reject(new GenesysError('network', 'connection is not ready'));
    return this.sendRequest(build, false);
  }

  /** Resolves once the session is configured on an open link; rejects if it is closed or given up first. */
  waitReady(timeoutMs: number): Promise<void> {
    if (this.isConfigured) return Promise.resolve();
    if (this.closed) return Promise.reject(this.giveUpError ?? new GenesysError('closed', 'connection closed'));
    return new Promise<void>((resolve, reject) => {
      const waiter = {
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
        reject: (err: GenesysError) => {
          clearTimeout(timer);
          reject(err);
        },
      };
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        reject(new GenesysError('timeout', 'the Genesys connection was not restored in time'));
      }, timeoutMs);
      this.waiters.push(waiter);
    });
  }

  /** Closes deliberately (no reconnect, no callbacks); pending requests reject with `closed`. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.configured = false;
    this.stopEcho();
    this.failPending(new GenesysError('closed', 'connection closed'));
    this.failWaiters(new GenesysError('closed', 'connection closed'));
    await this.socket.close();
  }

  /** Drops the link as a network failure would (the reconnect policy applies). */
  terminate(): void {
    this.socket.terminate();
  }

  private sendRequest(build: (tracingId: string) => ClientRequest, duringOpen: boolean): Promise<ServerFrame> {
    const tracingId = randomUUID();
    const request = build(tracingId);
    return new Promise<ServerFrame>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(tracingId);
        reject(
          new GenesysError('timeout', `no answer to ${request.action} within ${this.options.responseTimeoutMs} ms`),
        );
      }, this.options.responseTimeoutMs);
      this.pending.set(tracingId, { resolve, reject, timer, sentAt: Date.now() });
      try {
        if (duringOpen) this.socket.sendDuringOpen(JSON.stringify(request));
        else this.socket.send(JSON.stringify(request));
      } catch (err) {
        clearTimeout(timer);
        this.pending.delete(tracingId);
        reject(err instanceof GenesysError ? err : new GenesysError('network', 'send failed', { cause: err }));
      }
    });
  }

  private async configure(isReconnect: boolean): Promise<void> {
    this.configured = false;
    const { token, deploymentId } = this.options;
    const frame = await this.sendRequest(
      (tracingId) => ({ action: 'configureSession', token, deploymentId, tracingId }),
      true,
    );
    if (frame.kind !== 'sessionResponse' || isErrorFrame(frame)) throw errorFromFrame(frame, 'configure');
    if (!frame.body.connected)
      throw new GenesysError('protocol', 'SessionResponse says not connected', { status: frame.code });
    this.lastSessionBody = frame.body;
    this.configured = true;
    this.options.logger.debug(
      { isReconnect, newSession: frame.body.newSession, readOnly: frame.body.readOnly },
      'web messaging session configured',
    );
    // The socket counts as open only after this returns; release waiters on the next tick.
    setImmediate(() => {
      if (!this.isConfigured) return;
      const waiters = this.waiters;
      this.waiters = [];
      for (const w of waiters) w.resolve();
    });
    if (isReconnect) this.startEcho();
    this.options.onConfigured?.(frame.body, isReconnect);
  }

  private handleRaw(data: string): void {
    const result = parseServerFrame(data);
    if (!result.ok) {
      this.options.logger.debug(
        { reason: result.reason, length: data.length },
        'ignoring malformed web messaging frame',
      );
      return;
    }
    const frame = result.frame;
    let pending = frame.tracingId === undefined ? undefined : this.pending.get(frame.tracingId);
    let pendingId = frame.tracingId;
    if (
      pending === undefined &&
      frame.tracingId === undefined &&
      frame.type === 'response' &&
      frame.kind !== 'structuredMessage'
    ) {
      // [I] docs/genesys-protocol.md §5.2 says replies echo the tracingId; a reply without one answers the oldest request.
      let oldest: [string, PendingRequest] | undefined;
      for (const entry of this.pending) if (oldest === undefined || entry[1].sentAt < oldest[1].sentAt) oldest = entry;
      if (oldest !== undefined) [pendingId, pending] = oldest;
    }
    if (pending !== undefined && pendingId !== undefined) {
      this.pending.delete(pendingId);
      clearTimeout(pending.timer);
      pending.resolve(frame);
      return;
    }
    this.options.onFrame(frame);
  }

  private handleDrop(): void {
    this.configured = false;
    this.stopEcho();
    this.failPending(new GenesysError('network', 'connection dropped'));
    this.options.onDrop?.();
  }

  private handleGiveUp(error: GenesysError): void {
    this.configured = false;
    this.closed = true;
    this.giveUpError = error;
    this.stopEcho();
    this.failPending(error);
    this.failWaiters(error);
    this.options.onGiveUp?.(error);
  }

  private failPending(error: GenesysError): void {
    const pending = [...this.pending.values()];
    this.pending.clear();
    for (const p of pending) {
      clearTimeout(p.timer);
      p.reject(error);
    }
  }

  private failWaiters(error: GenesysError): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w.reject(error);
  }

  private startEcho(): void {
    this.stopEcho();
    if (this.options.echoIntervalMs <= 0 || this.closed) return;
    this.echoTimer = setInterval(() => {
      if (!this.isConfigured) return;
      const token = this.options.token;
      this.request((tracingId) => ({ action: 'echo', token, tracingId, message: { type: 'Text', text: 'ping' } })).then(
        (frame) => {
          if (isErrorFrame(frame))
            this.options.logger.debug({ code: frame.code }, 'echo health check answered with an error');
          this.options.onEchoAnswer?.(frame);
        },
        (err: unknown) => {
          if (err instanceof GenesysError && err.code === 'timeout') {
            this.options.logger.info('web messaging echo health check timed out; dropping the link');
            this.socket.terminate();
          }
        },
      );
    }, this.options.echoIntervalMs);
    this.echoTimer.unref();
  }

  private stopEcho(): void {
    if (this.echoTimer !== undefined) clearInterval(this.echoTimer);
    this.echoTimer = undefined;
  }
}
