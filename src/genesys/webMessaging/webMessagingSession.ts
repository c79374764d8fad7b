import type { Logger } from '../../logger';
import { GenesysError } from '../genesysError';
import type {
  AgentInfo,
  AttachmentLink,
  ChatEndReason,
  ChatEvent,
  ChatListener,
  ChatSession,
  ResumeOptions,
  WebMessagingResumeData,
} from '../handoffProvider';
import { delay } from '../retryPolicy';
import { splitText } from '../splitText';
import { BoundedIdSet } from '../shared/boundedIdSet';
import {
  byteLength,
  fitCustomAttributes,
  type OutgoingMessage,
  type ServerFrame,
  type SessionResponseBody,
  type StructuredMessage,
} from './frames';
import type { HistoryClient } from './historyClient';
import { Pacer } from './pacer';
import {
  errorFromFrame,
  isErrorFrame,
  WebMessagingConnection,
  type RequestContext,
  type WebMessagingConnectionOptions,
} from './webMessagingConnection';

/** Inbound text limit in UTF-8 bytes (docs/genesys-protocol.md §5.7, error 4011). */
export const MAX_TEXT_BYTES = 4096;
/** Custom attributes limit in bytes (docs/genesys-protocol.md §5.3/§5.7, error 4013). */
export const MAX_CUSTOM_ATTRIBUTES_BYTES = 2048;
/** What the agent sees when the guest leaves in `notice` end mode. */
export const LEFT_NOTICE_TEXT = 'The customer has left the chat.';
/** Agent messages remembered per session for de-duplication. */
const DEDUPE_CAPACITY = 2000;
/**
 * [I] docs/genesys-protocol.md §5.8 gives no ordering guarantee: an unseen history message up to this much older
 * than the last delivered one is still delivered (late rather than lost); older ones count as seen.
 */
const BACKFILL_GRACE_MS = 60_000;

/** Settings a session shares with its provider (already defaulted). */
export interface SessionSettings {
  connection: Omit<
    WebMessagingConnectionOptions,
    'token' | 'logger' | 'onFrame' | 'onConfigured' | 'onGiveUp' | 'onDrop'
  >;
  messagesPerSecond: number;
  endMode: 'clear' | 'notice';
  typingIntervalMs: number;
  reorderWindowMs: number;
  /** How long a send waits for a dropped link to come back before failing. */
  reconnectWaitMs: number;
  maxRateLimitRetries: number;
  historyPageSize: number;
  maxHistoryPages: number;
  history: HistoryClient;
}

/** Options of one {@link WebMessagingSession}. */
export interface WebMessagingSessionOptions {
  token: string;
  settings: SessionSettings;
  listener: ChatListener;
  logger: Logger;
  /** Attributes sent with the first text message (new chats only). */
  attributes?: Record<string, string>;
  resume?: ResumeOptions;
  /** Called once the session is over locally (ended or detached). */
  onFinished?: () => void;
}

type SessionState = 'new' | 'live' | 'ending' | 'ended' | 'detached';

interface BufferedMessage {
  event: Extract<ChatEvent, { kind: 'agentMessage' }>;
  human: boolean;
  timeMs: number;
  seq: number;
}

function timeOf(message: StructuredMessage): number {
  const parsed = message.channel.time === undefined ? Number.NaN : Date.parse(message.channel.time);
  return Number.isNaN(parsed) ? Number.POSITIVE_INFINITY : parsed;
}

function agentInfoOf(message: StructuredMessage): AgentInfo {
  const from = message.channel.from;
  const info: AgentInfo = {};
  if (from === undefined) return info;
  const fullName = [from.firstName, from.lastName]
    .filter((p): p is string => p !== undefined && p.length > 0)
    .join(' ');
  const name = from.nickname !== undefined && from.nickname.length > 0 ? from.nickname : fullName;
  if (from.id !== undefined) info.id = from.id;
  if (name.length > 0) info.name = name;
  if (from.image !== undefined) info.avatarUrl = from.image;
  return info;
}

function attachmentsOf(message: StructuredMessage): AttachmentLink[] {
  const links: AttachmentLink[] = [];
  for (const item of message.content) {
    if (item.contentType !== 'Attachment' || item.attachment?.url === undefined) continue;
    const link: AttachmentLink = { url: item.attachment.url };
    if (item.attachment.filename !== undefined) link.name = item.attachment.filename;
    if (item.attachment.mime !== undefined) link.contentType = item.attachment.mime;
    links.push(link);
  }
  return links;
}

function isHuman(message: StructuredMessage): boolean {
  // Messages from a Genesys bot flow (before an agent answers) are relayed but do not mean an agent joined.
  return message.originatingEntity !== 'Bot';
}

/**
 * One guest chat over Web Messaging: paced and acknowledged sends, typing, ending, and an ordered,
 * de-duplicated stream of agent events including backfill from history after a reconnect.
 */
export class WebMessagingSession implements ChatSession {
  readonly resumeData: WebMessagingResumeData;
  private readonly logger: Logger;
  private readonly connection: WebMessagingConnection;
  private readonly pacer: Pacer;
  private readonly seen = new BoundedIdSet(DEDUPE_CAPACITY);
  private state: SessionState = 'new';
  private eventChain: Promise<void> = Promise.resolve();
  private endedEmitted = false;
  private sendChain: Promise<void> = Promise.resolve();
  private pendingAttributes: Record<string, string> | undefined;
  private lastTypingAt = Number.NEGATIVE_INFINITY;
  private agentJoined = false;
  private buffer: BufferedMessage[] = [];
  private bufferTimer: NodeJS.Timeout | undefined;
  private seq = 0;
  private lastDeliveredMs: number | undefined;
  private clearRequested = false;
  private clearedSignal: (() => void) | undefined;
  private backfillRunning: Promise<void> | undefined;
  private backfillAgain = false;

  constructor(private readonly options: WebMessagingSessionOptions) {
    this.resumeData = { provider: 'webmessaging', token: options.token };
    this.logger = options.logger;
    this.pacer = new Pacer(options.settings.messagesPerSecond);
    if (options.attributes !== undefined && Object.keys(options.attributes).length > 0)
      this.pendingAttributes = options.attributes;
    for (const id of options.resume?.deliveredMessageIds ?? []) this.seen.add(id);
    const last =
      options.resume?.lastDeliveredAt === undefined ? Number.NaN : Date.parse(options.resume.lastDeliveredAt);
    if (!Number.isNaN(last)) this.lastDeliveredMs = last;
    this.connection = new WebMessagingConnection({
      ...options.settings.connection,
      token: options.token,
      logger: options.logger,
      onFrame: (frame) => {
        this.handleFrame(frame);
      },
      onConfigured: (body, isReconnect) => {
        if (isReconnect) this.handleReconnected(body);
      },
      onGiveUp: (error) => {
        this.logger.warn({ err: error }, 'web messaging link lost for good');
        this.finish(error.code === 'sessionExpired' ? 'expired' : 'failed', error);
      },
      onDrop: () => {
        this.logger.info('web messaging link dropped; reconnecting');
      },
    });
  }

  /**
   * Connects and configures the session. For `resume`, a `newSession: true` answer means the old
   * session is gone (expired or cleared) and rejects with `sessionExpired`.
   */
  async open(mode: 'start' | 'resume'): Promise<SessionResponseBody> {
    let body: SessionResponseBody;
    try {
      body = await this.connection.open();
    } catch (err) {
      await this.connection.close();
      throw err instanceof GenesysError
        ? err
        : new GenesysError('network', 'could not connect to Web Messaging', { cause: err });
    }
    // [I] docs/genesys-protocol.md §5.8: resuming with the same token should answer newSession:false; true means the session no longer exists.
    if (mode === 'resume' && body.newSession === true) {
      await this.connection.close();
      throw new GenesysError('sessionExpired', 'the Web Messaging session no longer exists');
    }
    this.setState('live', mode === 'start' ? 'session configured' : 'session resumed');
    return body;
  }

  /** Emits `queued` (new chats). */
  markQueued(): void {
    this.emit({ kind: 'queued' });
  }

  /**
   * Replays missed agent messages from history, then ends the chat if the session is read-only.
   * Never rejects: a failed replay is reported as an `error` event (the chat itself is live).
   */
  async catchUp(readOnly: boolean): Promise<void> {
    try {
      await this.backfill();
    } catch (err) {
      this.reportError(err, 'backfill from history failed');
    }
    this.flushBuffer();
    if (readOnly) this.finish('agentEnded');
  }

  /** {@inheritDoc ChatSession.sendText} */
  sendText(text: string): Promise<void> {
    if (this.state !== 'live') return Promise.reject(new GenesysError('closed', `cannot send: chat is ${this.state}`));
    const parts = splitText(text, MAX_TEXT_BYTES, 'bytes');
    return this.enqueue(async () => {
      for (const part of parts) await this.sendTextPart(part);
    });
  }

  /** {@inheritDoc ChatSession.sendTyping} */
  sendTyping(): Promise<void> {
    if (this.state !== 'live' || !this.connection.isConfigured) return Promise.resolve();
    const now = Date.now();
    if (now - this.lastTypingAt < this.options.settings.typingIntervalMs) return Promise.resolve();
    this.lastTypingAt = now;
    const token = this.options.token;
    // Typing takes a rate slot like a message, but the caller does not wait for it.
    void this.pacer
      .take()
      .then(() =>
        this.connection.request((tracingId) => ({
          action: 'onMessage',
          token,
          tracingId,
          message: { type: 'Event', events: [{ eventType: 'Typing', typing: { type: 'On' } }] },
        })),
      )
      .then(
        (frame) => {
          if (isErrorFrame(frame)) this.logger.debug({ code: frame.code }, 'typing event refused');
        },
        (err: unknown) => {
          this.logger.debug({ err }, 'typing event not acknowledged');
        },
      );
    return Promise.resolve();
  }

  /** {@inheritDoc ChatSession.end} */
  async end(): Promise<void> {
    if (this.state !== 'live') return;
    this.setState('ending', 'guest ends the chat');
    // Let messages already queued go out before the guest leaves.
    await this.sendChain;
    if (this.options.settings.endMode === 'clear') {
      try {
        await this.clear();
      } catch (err) {
        if (!(err instanceof GenesysError && err.status === 403)) {
          this.setState('live', 'ending failed');
          throw err;
        }
        this.logger.info(
          { status: err.status },
          'Conversation Clear is disabled for this deployment; ending with a notice instead',
        );
        await this.notice();
      }
    } else {
      await this.notice();
    }
    this.finish('guestEnded');
  }

  /** {@inheritDoc ChatSession.detach} */
  async detach(): Promise<void> {
    if (this.state === 'ended' || this.state === 'detached') return;
    this.setState('detached', 'detached locally');
    this.clearBufferTimer();
    // Held messages are not delivered here; whoever resumes the chat gets them from history.
    this.buffer = [];
    await this.connection.close();
    this.options.onFinished?.();
  }

  /** Drops the link as a network failure would (tests and diagnostics). */
  simulateDrop(): void {
    this.connection.terminate();
  }

  /** Sends guest text and waits for Genesys' echo; used by the introduction and detached sends. */
  private async sendTextPart(text: string): Promise<void> {
    const attributes = this.pendingAttributes;
    let message: OutgoingMessage = { type: 'Text', text };
    if (attributes !== undefined) {
      const { kept, dropped } = fitCustomAttributes(attributes, MAX_CUSTOM_ATTRIBUTES_BYTES);
      if (dropped.length > 0) this.logger.warn({ dropped }, 'custom attributes over 2048 bytes; dropped these keys');
      if (Object.keys(kept).length > 0)
        message = { type: 'Text', text, channel: { metadata: { customAttributes: kept } } };
    }
    try {
      await this.sendMessage(message, 'message');
    } catch (err) {
      if (!(attributes !== undefined && err instanceof GenesysError && err.status === 4013)) throw err;
      // Genesys measured the attributes differently: keep the message, lose the attributes.
      this.logger.warn('Genesys refused the custom attributes (4013); sending the message without them');
      this.pendingAttributes = undefined;
      await this.sendMessage({ type: 'Text', text }, 'message');
    }
    this.pendingAttributes = undefined;
    this.logger.debug({ bytes: byteLength(text) }, 'guest message delivered to Genesys');
  }

  /**
   * Sends one `onMessage` and resolves with Genesys' echo. 429 waits `retryAfter` and resends
   * (never drops); a link dropped mid-request is retried once the session is restored.
   */
  private async sendMessage(message: OutgoingMessage, context: RequestContext): Promise<ServerFrame> {
    const settings = this.options.settings;
    const token = this.options.token;
    let rateLimited = 0;
    let dropped = 0;
    for (;;) {
      if (this.state !== 'live' && this.state !== 'ending')
        throw new GenesysError('closed', `cannot send: chat is ${this.state}`);
      await this.connection.waitReady(settings.reconnectWaitMs);
      await this.pacer.take();
      let frame: ServerFrame;
      try {
        frame = await this.connection.request((tracingId) => ({ action: 'onMessage', token, tracingId, message }));
      } catch (err) {
        // A drop after sending may mean Genesys got it; resending risks a duplicate rather than a loss.
        if (err instanceof GenesysError && err.code === 'network' && dropped++ < 3) continue;
        throw err;
      }
      if (frame.kind === 'tooManyRequests' || frame.code === 429 || frame.code === 4029) {
        const error = errorFromFrame(frame, context);
        if (++rateLimited > settings.maxRateLimitRetries) throw error;
        const waitMs = error.retryAfterMs ?? 1000;
        this.logger.info({ waitMs, attempt: rateLimited }, 'Genesys rate limited a guest message; retrying');
        await delay(waitMs);
        continue;
      }
      if (isErrorFrame(frame)) throw errorFromFrame(frame, context);
      return frame;
    }
  }

  private enqueue(job: () => Promise<void>): Promise<void> {
    const run = this.sendChain.then(job);
    this.sendChain = run.catch(() => undefined);
    return run;
  }

  private async clear(): Promise<void> {
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
    // The request may stay unanswered once the session is cleared and the link closed.
    answered.catch(() => undefined);
    try {
      await Promise.race([cleared, answered]);
    } catch (err) {
      this.clearRequested = false;
      throw err;
    }
  }

  private async notice(): Promise<void> {
    await this.sendTextPart(LEFT_NOTICE_TEXT);
  }

  private handleReconnected(body: SessionResponseBody): void {
    if (body.newSession === true) {
      // [I] docs/genesys-protocol.md §5.8: a reconnect that creates a new session means the old one expired.
      this.finish('expired', new GenesysError('sessionExpired', 'the Web Messaging session no longer exists'));
      return;
    }
    const readOnly = body.readOnly === true;
    this.connection.waitReady(this.options.settings.reconnectWaitMs).then(
      () => this.catchUp(readOnly),
      (err: unknown) => {
        this.reportError(err, 'link not ready for backfill after reconnect');
      },
    );
  }

  private handleFrame(frame: ServerFrame): void {
    if (this.state === 'ended' || this.state === 'detached') return;
    switch (frame.kind) {
      case 'structuredMessage':
        if (frame.body.direction === 'Outbound') this.handleOutbound(frame.body);
        return;
      case 'sessionExpired':
        this.finish(
          'expired',
          new GenesysError('sessionExpired', 'the Web Messaging session expired', { genesysCode: '4006' }),
        );
        return;
      case 'sessionCleared':
        if (this.clearRequested) {
          this.clearedSignal?.();
          return;
        }
        this.finish('cleared');
        return;
      case 'connectionClosed':
        // Genesys closes this connection (e.g. a 4th connection of the session); the socket reconnects.
        this.logger.info(
          { reason: frame.reason, reasonCode: frame.reasonCode },
          'Genesys closed this web messaging connection',
        );
        return;
      case 'errorString':
      case 'tooManyRequests':
        this.logger.warn({ code: frame.code }, 'unsolicited error frame from Web Messaging');
        return;
      default:
        this.logger.debug({ kind: frame.kind }, 'ignoring web messaging frame');
    }
  }

  private handleOutbound(message: StructuredMessage): void {
    if (message.type === 'Event') {
      for (const event of message.events) {
        if (event.eventType === 'Typing' && event.typing !== undefined) {
          if (isHuman(message)) this.noteAgentJoined(agentInfoOf(message));
          this.emit({ kind: 'agentTyping', durationMs: event.typing.duration ?? 5000 });
        } else if (event.eventType === 'Presence' && event.presence?.type === 'Disconnect') {
          this.finish('agentEnded');
          return;
        }
      }
      return;
    }
    this.acceptMessage(message);
    if (this.options.settings.reorderWindowMs <= 0) this.flushBuffer();
    else
      this.bufferTimer ??= setTimeout(() => {
        this.bufferTimer = undefined;
        this.flushBuffer();
      }, this.options.settings.reorderWindowMs);
  }

  /** Buffers an agent message unless it was seen before. */
  private acceptMessage(message: StructuredMessage): void {
    if (this.seen.has(message.id)) {
      this.logger.debug({ id: message.id }, 'skipping duplicate agent message');
      return;
    }
    this.seen.add(message.id);
    const attachments = attachmentsOf(message);
    const text = message.text ?? '';
    if (text.length === 0 && attachments.length === 0) return;
    const time = message.channel.time ?? new Date().toISOString();
    this.buffer.push({
      event: { kind: 'agentMessage', id: message.id, text, time, agent: agentInfoOf(message), attachments },
      human: isHuman(message),
      timeMs: timeOf(message),
      seq: this.seq++,
    });
  }

  private flushBuffer(): void {
    this.clearBufferTimer();
    const ready = this.buffer.sort((a, b) => a.timeMs - b.timeMs || a.seq - b.seq);
    this.buffer = [];
    for (const item of ready) {
      if (item.human) this.noteAgentJoined(item.event.agent);
      if (Number.isFinite(item.timeMs)) this.lastDeliveredMs = Math.max(this.lastDeliveredMs ?? 0, item.timeMs);
      this.emit(item.event);
    }
  }

  private clearBufferTimer(): void {
    if (this.bufferTimer !== undefined) clearTimeout(this.bufferTimer);
    this.bufferTimer = undefined;
  }

  private noteAgentJoined(agent: AgentInfo): void {
    if (this.agentJoined) return;
    this.agentJoined = true;
    this.emit({ kind: 'agentJoined', agent });
  }

  /** Runs one backfill at a time; a request during a run schedules one more run. */
  private backfill(): Promise<void> {
    if (this.backfillRunning !== undefined) {
      this.backfillAgain = true;
      return this.backfillRunning;
    }
    const run = (async () => {
      let again = true;
      while (again) {
        this.backfillAgain = false;
        await this.backfillOnce();
        again = this.takeBackfillAgain();
      }
    })();
    this.backfillRunning = run.finally(() => {
      this.backfillRunning = undefined;
    });
    return this.backfillRunning;
  }

  /** Whether another backfill was requested during the last run (and the chat is still live). */
  private takeBackfillAgain(): boolean {
    const again = this.backfillAgain && this.state === 'live';
    this.backfillAgain = false;
    return again;
  }

  private async backfillOnce(): Promise<void> {
    const settings = this.options.settings;
    const token = this.options.token;
    const jwtFrame = await this.connection.request((tracingId) => ({ action: 'getJwt', token, tracingId }));
    if (jwtFrame.kind !== 'jwtResponse') throw errorFromFrame(jwtFrame, 'jwt');
    const jwt = jwtFrame.body.jwt;
    const missing: StructuredMessage[] = [];
    let newest: StructuredMessage | undefined;
    for (let pageNumber = 1; pageNumber <= settings.maxHistoryPages; pageNumber++) {
      const page = await settings.history.fetchPage(jwt, pageNumber, settings.historyPageSize);
      if (pageNumber === 1) newest = page.entities[0];
      let reachedKnown = false;
      for (const entity of page.entities) {
        const older = this.lastDeliveredMs !== undefined && timeOf(entity) < this.lastDeliveredMs - BACKFILL_GRACE_MS;
        if (this.seen.has(entity.id) || older) {
          reachedKnown = true;
          continue;
        }
        if (entity.direction === 'Outbound' && entity.type !== 'Event') missing.push(entity);
      }
      const lastPage =
        page.pageCount !== undefined ? pageNumber >= page.pageCount : page.entities.length < settings.historyPageSize;
      if (reachedKnown || lastPage) break;
    }
    if (this.state !== 'live' && this.state !== 'ending') return;
    missing.sort((a, b) => timeOf(a) - timeOf(b));
    if (missing.length > 0)
      this.logger.info({ count: missing.length }, 'backfilling agent messages missed while disconnected');
    for (const message of missing) this.acceptMessage(message);
    this.flushBuffer();
    // [I] history holds presence events: a Disconnect as the newest entry means the agent left while we were away.
    const disconnected =
      newest?.direction === 'Outbound' &&
      newest.events.some((e) => e.eventType === 'Presence' && e.presence?.type === 'Disconnect');
    if (disconnected && newest !== undefined && !this.seen.has(newest.id)) {
      this.seen.add(newest.id);
      this.finish('agentEnded');
    }
  }

  private reportError(err: unknown, message: string): void {
    const error = err instanceof GenesysError ? err : new GenesysError('protocol', message, { cause: err });
    if (this.state === 'ended' || this.state === 'detached') return;
    if (error.code === 'closed') return;
    this.logger.warn({ err: error }, message);
    this.emit({ kind: 'error', error });
  }

  /** Ends the chat locally: flushes buffered messages, emits `ended` once, closes the link. */
  private finish(reason: ChatEndReason, error?: GenesysError): void {
    if (this.state === 'ended' || this.state === 'detached') return;
    this.flushBuffer();
    this.setState('ended', reason);
    this.emit(error === undefined ? { kind: 'ended', reason } : { kind: 'ended', reason, error });
    this.connection.close().catch((err: unknown) => {
      this.logger.debug({ err }, 'closing the web messaging link failed');
    });
    this.options.onFinished?.();
  }

  private setState(to: SessionState, reason: string): void {
    const from = this.state;
    if (from === to) return;
    this.state = to;
    this.logger.debug({ from, to, reason }, 'web messaging session state changed');
  }

  /** Queues an event for the listener: one at a time, in order; nothing after `ended`. */
  private emit(event: ChatEvent): void {
    if (this.endedEmitted) return;
    if (event.kind === 'ended') this.endedEmitted = true;
    const listener = this.options.listener;
    this.eventChain = this.eventChain
      .then(() => listener(event))
      .catch((err: unknown) => {
        this.logger.error({ err, event: event.kind }, 'chat listener failed; continuing');
      });
  }

  /** Resolves once every queued event reached the listener (tests, shutdown). */
  idle(): Promise<void> {
    return this.eventChain;
  }
}
