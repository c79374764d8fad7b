import type { Logger } from '../../logger';
import { telemetry } from '../../telemetry/telemetry';
import { GenesysError } from '../genesysError';
import { Pacer, type Clock } from '../shared';
import { byteLength, fitCustomAttributes, type OutgoingMessage } from './clientRequests';
import type { ServerFrame } from './frames';
import {
  errorFromFrame,
  isErrorFrame,
  type RequestContext,
  type WebMessagingConnection,
} from './webMessagingConnection';

/** Custom attributes limit in bytes (docs/genesys-protocol.md §5.3/§5.7, error 4013). */
export const MAX_CUSTOM_ATTRIBUTES_BYTES = 2048;

/** Options of a {@link GuestSender}. */
export interface GuestSenderOptions {
  connection: WebMessagingConnection;
  /** Session token (a secret: never logged). */
  token: string;
  logger: Logger;
  clock: Clock;
  /** Per-session guest message rate (docs/genesys-protocol.md §5.7). */
  messagesPerSecond: number;
  /** How long a send waits for a dropped link to come back before failing. */
  reconnectWaitMs: number;
  /** How many 429 answers one message may get before the send fails. */
  maxRateLimitRetries: number;
  /** Attributes sent with the first text message (new chats only). */
  attributes: Record<string, string> | undefined;
  /**
   * How long a message whose answer did not come within the response timeout still waits for it
   * (ms; 0 = fail at the timeout). [I] docs/genesys-protocol.md §5.2: a late answer still carries the
   * request's `tracingId`, and the message may well have arrived: failing it would make the user
   * send it again, and failing a chat's introduction would leave its conversation waiting for nobody.
   */
  lateAnswerWaitMs: number;
  /** Why the session cannot send now, or `undefined` when it can. */
  closedReason: () => string | undefined;
}

/**
 * Everything the guest sends over one Web Messaging session: paced to the message rate, waiting for
 * a dropped link, retrying 429s after `retryAfter` (never dropping), and acknowledged by Genesys' echo.
 */
export class GuestSender {
  private readonly pacer: Pacer;
  private pendingAttributes: Record<string, string> | undefined;
  private clearRequested = false;
  private clearedSignal: (() => void) | undefined;
  /** Requests that timed out but may still be answered, by tracingId. */
  private readonly lateAnswers = new Map<string, (frame: ServerFrame | undefined) => void>();

  constructor(private readonly options: GuestSenderOptions) {
    this.pacer = new Pacer(options.messagesPerSecond, options.clock);
    const attributes = options.attributes;
    if (attributes !== undefined && Object.keys(attributes).length > 0) this.pendingAttributes = attributes;
  }

  /** Sends guest text (the first one carries the custom attributes) and waits for Genesys' echo. */
  async sendTextPart(text: string): Promise<void> {
    const logger = this.options.logger;
    const attributes = this.pendingAttributes;
    let message: OutgoingMessage = { type: 'Text', text };
    if (attributes !== undefined) {
      const { kept, dropped } = fitCustomAttributes(attributes, MAX_CUSTOM_ATTRIBUTES_BYTES);
      if (dropped.length > 0) logger.warn({ dropped }, 'custom attributes over 2048 bytes; dropped these keys');
      if (Object.keys(kept).length > 0)
        message = { type: 'Text', text, channel: { metadata: { customAttributes: kept } } };
    }
    try {
      await this.sendMessage(message, 'message');
    } catch (err) {
      if (!(attributes !== undefined && err instanceof GenesysError && err.status === 4013)) throw err;
      // Genesys measured the attributes differently: keep the message, lose the attributes.
      logger.warn('Genesys refused the custom attributes (4013); sending the message without them');
      this.pendingAttributes = undefined;
      await this.sendMessage({ type: 'Text', text }, 'message');
    }
    this.pendingAttributes = undefined;
    logger.debug({ bytes: byteLength(text) }, 'guest message delivered to Genesys');
  }

  /**
   * Sends one `onMessage` and resolves with Genesys' echo. 429 waits `retryAfter` and resends
   * (never drops); a link dropped mid-request is retried once the session is restored.
   */
  async sendMessage(message: OutgoingMessage, context: RequestContext): Promise<ServerFrame> {
    const { connection, token, logger } = this.options;
    let rateLimited = 0;
    let dropped = 0;
    for (;;) {
      const closed = this.options.closedReason();
      if (closed !== undefined) throw new GenesysError('closed', `cannot send: chat is ${closed}`);
      await connection.waitReady(this.options.reconnectWaitMs);
      await this.pacer.take();
      let frame: ServerFrame;
      let sentAs: string | undefined;
      try {
        frame = await connection.request((tracingId) => {
          sentAs = tracingId;
          return { action: 'onMessage', token, tracingId, message };
        });
      } catch (err) {
        // A drop after sending may mean Genesys got it; resending risks a duplicate rather than a loss.
        if (err instanceof GenesysError && err.code === 'network' && dropped++ < 3) continue;
        if (!(err instanceof GenesysError && err.code === 'timeout' && sentAs !== undefined)) throw err;
        const late = await this.awaitLateAnswer(sentAs);
        if (late === undefined) throw err;
        logger.info('Genesys answered a guest message after the response timeout');
        frame = late;
      }
      if (frame.kind === 'tooManyRequests' || frame.code === 429 || frame.code === 4029) {
        const error = errorFromFrame(frame, context);
        if (++rateLimited > this.options.maxRateLimitRetries) throw error;
        const waitMs = error.retryAfterMs ?? 1000;
        logger.info({ waitMs, attempt: rateLimited }, 'Genesys rate limited a guest message; retrying');
        telemetry().deliveryRetry('genesys', 'throttled');
        await this.options.clock.sleep(waitMs);
        continue;
      }
      if (isErrorFrame(frame)) throw errorFromFrame(frame, context);
      return frame;
    }
  }

  /**
   * Sends a Presence Clear (docs/genesys-protocol.md §5.11) and resolves once Genesys answers it or
   * reports the session cleared, whichever comes first (the answer may never come once the link closes).
   */
  async clear(): Promise<void> {
    this.clearRequested = true;
    const cleared = new Promise<'cleared'>((resolve) => {
      this.clearedSignal = () => {
        resolve('cleared');
      };
    });
    const answered = this.sendMessage(
      { type: 'Event', events: [{ eventType: 'Presence', presence: { type: 'Clear' } }] },
      'clear',
    );
    answered.catch(() => undefined);
    try {
      await Promise.race([cleared, answered]);
    } catch (err) {
      this.clearRequested = false;
      throw err;
    }
  }

  /**
   * For a frame that answered no pending request: true when it is the late answer of a timed-out
   * message (which then completes). Every frame of a session carries the request's `tracingId`
   * when it answers one (docs/genesys-protocol.md §5.2).
   */
  takeLateAnswer(frame: ServerFrame): boolean {
    if (frame.tracingId === undefined) return false;
    const resolve = this.lateAnswers.get(frame.tracingId);
    if (resolve === undefined) return false;
    this.lateAnswers.delete(frame.tracingId);
    resolve(frame);
    return true;
  }

  /**
   * Sends one Presence Clear without retrying or waiting past the response timeout, and ignores the
   * answer: for giving up a session whose conversation may exist (e.g. a failed introduction).
   */
  async clearOnce(): Promise<void> {
    const { connection, token } = this.options;
    const frame = await connection.request((tracingId) => ({
      action: 'onMessage',
      token,
      tracingId,
      message: { type: 'Event', events: [{ eventType: 'Presence', presence: { type: 'Clear' } }] },
    }));
    if (isErrorFrame(frame)) throw errorFromFrame(frame, 'clear');
  }

  /** Stops waiting for late answers (the session is over): those sends fail with their timeout. */
  cancelLateAnswers(): void {
    const waiting = [...this.lateAnswers.values()];
    this.lateAnswers.clear();
    for (const resolve of waiting) resolve(undefined);
  }

  /** Resolves with the late answer of request `tracingId`, or undefined after `lateAnswerWaitMs`. */
  private awaitLateAnswer(tracingId: string): Promise<ServerFrame | undefined> {
    const waitMs = this.options.lateAnswerWaitMs;
    if (waitMs <= 0) return Promise.resolve(undefined);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.lateAnswers.delete(tracingId);
        resolve(undefined);
      }, waitMs);
      this.lateAnswers.set(tracingId, (frame) => {
        clearTimeout(timer);
        resolve(frame);
      });
    });
  }

  /** For a `sessionCleared` frame: true (and {@link GuestSender.clear} resolves) when it answers the guest's own Clear. */
  takeCleared(): boolean {
    if (!this.clearRequested) return false;
    this.clearedSignal?.();
    return true;
  }

  /** Sends a typing indicator in the next rate slot; the caller does not wait and failures are only logged. */
  sendTyping(): void {
    const { connection, token, logger } = this.options;
    void this.pacer
      .take()
      .then(() =>
        connection.request((tracingId) => ({
          action: 'onMessage',
          token,
          tracingId,
          message: { type: 'Event', events: [{ eventType: 'Typing', typing: { type: 'On' } }] },
        })),
      )
      .then(
        (frame) => {
          if (isErrorFrame(frame)) logger.debug({ code: frame.code }, 'typing event refused');
        },
        (err: unknown) => {
          logger.debug({ err }, 'typing event not acknowledged');
        },
      );
  }
}
