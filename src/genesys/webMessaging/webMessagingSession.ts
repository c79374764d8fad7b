import type { Logger } from '../../logger';
import { GenesysError } from '../genesysError';
import { afterRetryAfter } from '../retryPolicy';
import type {
  AgentInfo,
  ButtonAnswer,
  ChatEndReason,
  ChatEvent,
  ChatListener,
  ChatSession,
  FileUpload,
  ResumeOptions,
  WebMessagingResumeData,
} from '../handoffProvider';
import {
  BoundedIdSet,
  ChatEventPipeline,
  DeliveredMark,
  SendQueue,
  systemClock,
  TypingThrottle,
  type Clock,
} from '../shared';
import { splitText } from '../splitText';
import { agentInfoOf, attachmentsOf, isHuman, structuredContentOf, timeOf } from './agentMessages';
import { AttachmentUploads } from './attachmentUpload';
import type { DeploymentConfig } from './deploymentConfig';
import type { ServerFrame, SessionResponseBody, StructuredMessage } from './frames';
import { GuestSender } from './guestSender';
import { HistoryBudget, type HistoryRateLimit } from './historyBudget';
import type { HistoryClient } from './historyClient';
import { CoalescingRunner, readMissedHistory } from './historyBackfill';
import { LinkWatch } from './linkWatch';
import { ReorderBuffer } from './reorderBuffer';
import { lifetimeFromMetadata, SessionLifetime } from './sessionLifetime';
import {
  errorFromFrame,
  isErrorFrame,
  WebMessagingConnection,
  type WebMessagingConnectionOptions,
} from './webMessagingConnection';

export { MAX_CUSTOM_ATTRIBUTES_BYTES } from './guestSender';

/** Inbound text limit in UTF-8 bytes (docs/genesys-protocol.md §5.7, error 4011). */
export const MAX_TEXT_BYTES = 4096;
/** What the agent sees when the guest leaves in `notice` end mode. */
export const LEFT_NOTICE_TEXT = 'The customer has left the chat.';
/** Agent messages remembered per session for de-duplication. */
const DEDUPE_CAPACITY = 2000;
/**
 * [I] docs/genesys-protocol.md §5.8 gives no ordering guarantee: an unseen history message up to this much older
 * than the last delivered one is still delivered (late rather than lost); older ones count as seen.
 */
const BACKFILL_GRACE_MS = 60_000;
/** How often a backfill that failed on a transient error is tried again before the failure is reported. */
const BACKFILL_RETRIES = 3;

/** Settings a session shares with its provider (already defaulted). */
export interface SessionSettings {
  connection: Omit<
    WebMessagingConnectionOptions,
    'token' | 'logger' | 'onFrame' | 'onConfigured' | 'onGiveUp' | 'onDrop' | 'onEchoAnswer'
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
  /** History reads allowed per session (docs/genesys-protocol.md §5.7: 10 a minute). */
  historyRateLimit: HistoryRateLimit;
  history: HistoryClient;
  /** Link outages, session lifetime and late answers (see {@link WebMessagingProviderOptions}). */
  resilience: SessionResilience;
  /** The deployment's public configuration, once read (docs/genesys-protocol.md §5.13). */
  deployment: () => DeploymentConfig | undefined;
  /** Clock of typing throttling, pacing and rate-limit waits (default: the system clock). */
  clock?: Clock;
}

/** How a session rides out a bad link, a slow Genesys and a session lifetime (all in ms). */
export interface SessionResilience {
  /** How long the link may be down before the user is told (0: never). */
  linkDownNoticeMs: number;
  /** How long a restored link must stay up before the user is told it is back. */
  linkStableMs: number;
  /** Continuous downtime after which the chat ends as `failed` (0: the reconnect policy's own limit). */
  reconnectGiveUpMs: number;
  /** How long a message still waits for its answer after the response timeout. */
  lateAnswerWaitMs: number;
  /** How long before the session expires the user is warned (capped at half the lifetime). */
  expiryNoticeMs: number;
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

/** A live agent message waiting in the reorder buffer. */
interface HeldMessage {
  event: Extract<ChatEvent, { kind: 'agentMessage' }>;
  human: boolean;
}

/**
 * One guest chat over Web Messaging: paced and acknowledged sends, typing, ending, and an ordered,
 * de-duplicated stream of agent events including backfill from history after a reconnect.
 */
export class WebMessagingSession implements ChatSession {
  readonly resumeData: WebMessagingResumeData;
  private readonly logger: Logger;
  private readonly connection: WebMessagingConnection;
  private readonly sender: GuestSender;
  private readonly uploads: AttachmentUploads;
  private readonly events: ChatEventPipeline;
  private readonly sends = new SendQueue();
  private readonly typing: TypingThrottle;
  private readonly seen = new BoundedIdSet(DEDUPE_CAPACITY);
  private readonly delivered: DeliveredMark;
  private readonly held: ReorderBuffer<HeldMessage>;
  private readonly backfills: CoalescingRunner;
  private readonly historyBudget: HistoryBudget;
  private readonly clock: Clock;
  private readonly link: LinkWatch;
  private readonly lifetime: SessionLifetime;
  private state: SessionState = 'new';
  private agentJoined = false;

  constructor(private readonly options: WebMessagingSessionOptions) {
    const settings = options.settings;
    const clock = settings.clock ?? systemClock;
    this.clock = clock;
    this.resumeData = { provider: 'webmessaging', token: options.token };
    this.logger = options.logger;
    this.events = new ChatEventPipeline(options.listener, options.logger);
    this.typing = new TypingThrottle(settings.typingIntervalMs, clock.now);
    this.delivered = new DeliveredMark(options.resume, BACKFILL_GRACE_MS);
    for (const id of this.delivered.deliveredIds) this.seen.add(id);
    this.held = new ReorderBuffer<HeldMessage>(settings.reorderWindowMs, (item, timeMs) => {
      this.release(item, timeMs);
    });
    this.historyBudget = new HistoryBudget(settings.historyRateLimit, clock);
    this.backfills = new CoalescingRunner(
      () => this.backfillOnce(),
      () => this.state === 'live',
    );
    const resilience = settings.resilience;
    this.link = new LinkWatch({
      noticeAfterMs: resilience.linkDownNoticeMs,
      stableAfterMs: resilience.linkStableMs,
      giveUpAfterMs: resilience.reconnectGiveUpMs,
      now: clock.now,
      onDown: (downForMs) => {
        this.logger.warn({ downForMs }, 'web messaging link down for a while; still reconnecting');
        this.emit({ kind: 'linkDown', downForMs });
      },
      onRestored: () => {
        this.logger.info('web messaging link restored');
        this.emit({ kind: 'linkRestored' });
      },
    });
    this.lifetime = new SessionLifetime({
      noticeBeforeMs: resilience.expiryNoticeMs,
      now: clock.now,
      onExpiring: (expiresInSeconds) => {
        this.logger.info({ expiresInSeconds }, 'web messaging session expires soon without a message');
        this.emit({ kind: 'sessionExpiring', expiresInSeconds });
      },
    });
    this.connection = new WebMessagingConnection({
      ...settings.connection,
      reconnectPolicy: this.link.reconnectPolicy(settings.connection.reconnectPolicy),
      token: options.token,
      logger: options.logger,
      onFrame: (frame) => {
        this.handleFrame(frame);
      },
      onConfigured: (body, isReconnect) => {
        this.lifetime.report(body);
        if (isReconnect) {
          this.link.restored();
          this.handleReconnected(body);
        }
      },
      onEchoAnswer: (frame) => {
        this.handleEchoAnswer(frame);
      },
      onGiveUp: (error) => {
        this.logger.warn({ err: error }, 'web messaging link lost for good');
        this.finish(error.code === 'sessionExpired' ? 'expired' : 'failed', error);
      },
      onDrop: () => {
        this.logger.info('web messaging link dropped; reconnecting');
        this.link.dropped();
      },
    });
    this.sender = new GuestSender({
      connection: this.connection,
      token: options.token,
      logger: options.logger,
      clock,
      messagesPerSecond: settings.messagesPerSecond,
      reconnectWaitMs: settings.reconnectWaitMs,
      maxRateLimitRetries: settings.maxRateLimitRetries,
      lateAnswerWaitMs: resilience.lateAnswerWaitMs,
      attributes: options.attributes,
      closedReason: () => (this.state === 'live' || this.state === 'ending' ? undefined : this.state),
    });
    this.uploads = new AttachmentUploads({
      connection: this.connection,
      token: options.token,
      logger: options.logger,
      timeoutMs: settings.connection.responseTimeoutMs,
      sendMessage: async (message) => {
        await this.sender.sendMessage(message, 'message');
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
    for (let attempt = 1; ; attempt++) {
      try {
        await this.backfills.run();
        break;
      } catch (err) {
        // A link that dropped again (or a busy history) must not lose what the agent said: try again.
        if (!(err instanceof GenesysError && err.transient) || attempt > BACKFILL_RETRIES || !this.isLive()) {
          this.reportError(err, 'backfill from history failed');
          break;
        }
        this.logger.info({ err, attempt }, 'backfill from history failed; trying again once the link is ready');
        // [C] docs/genesys-protocol.md §5.4: a rate-limited request says when to come back.
        if (err.retryAfterMs !== undefined) await this.clock.sleep(afterRetryAfter(err.retryAfterMs));
        const ready = await this.connection.waitReady(this.options.settings.reconnectWaitMs).then(
          () => true,
          (waitErr: unknown) => {
            this.reportError(waitErr, 'link not ready for backfill');
            return false;
          },
        );
        if (!ready) break;
      }
    }
    this.held.flush();
    if (readOnly) this.finish('agentEnded');
  }

  /** {@inheritDoc ChatSession.sendText} */
  sendText(text: string): Promise<void> {
    const parts = splitText(text, MAX_TEXT_BYTES, 'bytes');
    return this.sendAsGuest(async () => {
      for (const part of parts) {
        await this.sender.sendTextPart(part);
        this.lifetime.touched();
      }
    });
  }

  /** {@inheritDoc ChatSession.sendButtonResponse} */
  sendButtonResponse(answer: ButtonAnswer): Promise<void> {
    return this.sendAsGuest(async () => {
      await this.sender.sendButtonResponse(answer);
      this.lifetime.touched();
    });
  }

  /** Runs a guest send in order after the others; refused unless the chat is live. */
  private sendAsGuest(send: () => Promise<void>): Promise<void> {
    if (this.state !== 'live') return Promise.reject(new GenesysError('closed', `cannot send: chat is ${this.state}`));
    return this.sends.run(async () => {
      try {
        await send();
      } catch (err) {
        // [O] docs/genesys-protocol.md §5.16: 409 read-only means the agent ended the conversation and the
        // Disconnect event was missed; the chat is over, like an agent end.
        if (err instanceof GenesysError && err.code === 'sessionReadOnly') this.finish('readOnly', err);
        throw err;
      }
    });
  }

  /** {@inheritDoc ChatSession.sendAttachment} */
  sendAttachment(file: FileUpload): Promise<void> {
    if (this.state !== 'live') return Promise.reject(new GenesysError('closed', `cannot send: chat is ${this.state}`));
    return this.sends.run(async () => {
      try {
        await this.uploads.upload(file);
        this.lifetime.touched();
      } catch (err) {
        if (err instanceof GenesysError && err.code === 'sessionReadOnly') this.finish('readOnly', err);
        throw err;
      }
    });
  }

  /** {@inheritDoc ChatSession.sendTyping} */
  sendTyping(): Promise<void> {
    if (this.state !== 'live' || !this.connection.isConfigured) return Promise.resolve();
    // [C] docs/genesys-protocol.md §5.13: Messenger sends guest typing only when the deployment shows it.
    if (this.options.settings.deployment()?.showUserTypingIndicator === false) return Promise.resolve();
    // Typing takes a rate slot like a message, but the caller does not wait for it.
    if (this.typing.tryTake()) this.sender.sendTyping();
    return Promise.resolve();
  }

  /** {@inheritDoc ChatSession.end} */
  async end(): Promise<void> {
    if (this.state !== 'live') return;
    this.setState('ending', 'guest ends the chat');
    // Let messages already queued go out before the guest leaves.
    await this.sends.drained();
    // [C] docs/genesys-protocol.md §5.11, §5.13: Clear works only when the deployment enables it.
    const clearAllowed = this.options.settings.deployment()?.conversationClear !== false;
    if (this.options.settings.endMode === 'clear' && !clearAllowed) {
      this.logger.info('Conversation Clear is disabled for this deployment; ending with a notice');
      await this.sender.sendTextPart(LEFT_NOTICE_TEXT);
    } else if (this.options.settings.endMode === 'clear') {
      try {
        await this.sender.clear();
      } catch (err) {
        if (!(err instanceof GenesysError && err.status === 403)) {
          this.setState('live', 'ending failed');
          throw err;
        }
        this.logger.info(
          { status: err.status },
          'Conversation Clear is disabled for this deployment; ending with a notice instead',
        );
        await this.sender.sendTextPart(LEFT_NOTICE_TEXT);
      }
    } else {
      await this.sender.sendTextPart(LEFT_NOTICE_TEXT);
    }
    this.finish('guestEnded');
  }

  /**
   * Gives up a session whose start failed after some guest text may have reached Genesys: clears the
   * conversation so it does not wait in a queue for nobody (when the deployment allows Clear), then
   * detaches. Never rejects.
   */
  async abandon(): Promise<void> {
    if (this.state === 'live' && this.options.settings.deployment()?.conversationClear !== false) {
      try {
        await this.sender.clearOnce();
        this.logger.info('cleared the conversation of a chat that could not start');
      } catch (err) {
        this.logger.warn({ err }, 'could not clear the conversation of a chat that could not start');
      }
    } else if (this.state === 'live') {
      this.logger.warn('Conversation Clear is disabled: a chat that could not start may wait in the queue');
    }
    await this.detach();
  }

  /** {@inheritDoc ChatSession.detach} */
  async detach(): Promise<void> {
    if (this.state === 'ended' || this.state === 'detached') return;
    this.setState('detached', 'detached locally');
    this.stopWatches();
    this.events.silence();
    // Held messages are not delivered here; whoever resumes the chat gets them from history.
    this.held.discard();
    await this.connection.close();
    this.options.onFinished?.();
  }

  /** Drops the link as a network failure would (tests and diagnostics). */
  simulateDrop(): void {
    this.connection.terminate();
  }

  /** Resolves once every queued event reached the listener (tests, shutdown). */
  idle(): Promise<void> {
    return this.events.idle();
  }

  /** True while the chat is live (a method, so state checks after an await are not narrowed away). */
  private isLive(): boolean {
    return this.state === 'live';
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

  /** An echo answer: [C] docs/genesys-protocol.md §5.15 its metadata reports the lifetime; 4006 means expired. */
  private handleEchoAnswer(frame: ServerFrame): void {
    if (this.state === 'ended' || this.state === 'detached') return;
    if (frame.kind === 'structuredMessage') {
      this.lifetime.report(lifetimeFromMetadata(frame.body.metadata));
      return;
    }
    if (!isErrorFrame(frame)) return;
    const error = errorFromFrame(frame, 'echo');
    if (error.code === 'sessionExpired') this.finish('expired', error);
  }

  private stopWatches(): void {
    this.link.stop();
    this.lifetime.stop();
    this.sender.cancelLateAnswers();
  }

  private handleFrame(frame: ServerFrame): void {
    if (this.state === 'ended' || this.state === 'detached') return;
    if (this.sender.takeLateAnswer(frame) || this.uploads.takeFrame(frame)) return;
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
        // The answer to the guest's own Clear ends the chat through `end`.
        if (!this.sender.takeCleared()) this.finish('cleared');
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
    // [I] docs/genesys-protocol.md §5.15: every message either way restarts the session lifetime.
    this.lifetime.touched();
    this.acceptMessage(message);
    this.held.schedule();
  }

  /** Holds an agent message for release in time order, unless it was seen before. */
  private acceptMessage(message: StructuredMessage): void {
    if (!this.seen.add(message.id)) {
      this.logger.debug({ id: message.id }, 'skipping duplicate agent message');
      return;
    }
    const attachments = attachmentsOf(message);
    const content = structuredContentOf(message);
    const text = message.text ?? '';
    if (text.length === 0 && attachments.length === 0 && content === undefined) return;
    const time = message.channel.time ?? new Date().toISOString();
    const human = isHuman(message);
    this.held.add(
      {
        event: {
          kind: 'agentMessage',
          id: message.id,
          text,
          time,
          agent: agentInfoOf(message),
          attachments,
          ...(content === undefined ? {} : { content }),
          ...(human ? {} : { fromBot: true }),
          // [C] docs/genesys-protocol.md §5.13: agent text may carry Markdown when the deployment enables it.
          ...(this.options.settings.deployment()?.markdown === true ? { textFormat: 'markdown' as const } : {}),
        },
        human,
      },
      timeOf(message),
    );
  }

  /** Delivers one held message (in time order). */
  private release(item: HeldMessage, timeMs: number): void {
    if (item.human) this.noteAgentJoined(item.event.agent);
    this.delivered.advance(timeMs);
    this.emit(item.event);
  }

  private noteAgentJoined(agent: AgentInfo): void {
    if (this.agentJoined) return;
    this.agentJoined = true;
    this.emit({ kind: 'agentJoined', agent });
  }

  private async backfillOnce(): Promise<void> {
    const settings = this.options.settings;
    const { missing, disconnect } = await readMissedHistory({
      connection: this.connection,
      token: this.options.token,
      history: settings.history,
      budget: this.historyBudget,
      pageSize: settings.historyPageSize,
      maxPages: settings.maxHistoryPages,
      isKnown: (entry) =>
        this.seen.has(entry.id) ||
        this.delivered.isAlreadyDelivered({ id: entry.id, timeMs: timeOf(entry), presence: entry.type === 'Event' }),
    });
    if (this.state !== 'live' && this.state !== 'ending') return;
    missing.sort((a, b) => timeOf(a) - timeOf(b));
    if (missing.length > 0)
      this.logger.info({ count: missing.length }, 'backfilling agent messages missed while disconnected');
    for (const message of missing) this.acceptMessage(message);
    this.held.flush();
    if (disconnect !== undefined && this.seen.add(disconnect.id)) this.finish('agentEnded');
  }

  private reportError(err: unknown, message: string): void {
    const error = err instanceof GenesysError ? err : new GenesysError('protocol', message, { cause: err });
    if (this.state === 'ended' || this.state === 'detached') return;
    if (error.code === 'closed') return;
    this.logger.warn({ err: error }, message);
    this.emit({ kind: 'error', error });
  }

  /** Ends the chat locally: flushes held messages, emits `ended` once, closes the link. */
  private finish(reason: ChatEndReason, error?: GenesysError): void {
    if (this.state === 'ended' || this.state === 'detached') return;
    this.held.flush();
    this.stopWatches();
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
    void this.events.emit(event);
  }
}
