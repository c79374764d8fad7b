import type { Logger } from '../../logger';
import { GenesysError } from '../genesysError';
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
import { ChatEventPipeline, SendQueue, systemClock, TypingThrottle, type Clock } from '../shared';
import { splitText } from '../splitText';
import { AgentInbox } from './agentInbox';
import { AttachmentUploads } from './attachmentUpload';
import { backfillWithRetries } from './backfillWithRetries';
import type { ServerFrame, SessionResponseBody } from './frames';
import { GuestSender } from './guestSender';
import { HistoryBudget } from './historyBudget';
import { CoalescingRunner, readMissedHistory } from './historyBackfill';
import { clearAbandoned, leaveAsGuest } from './leaveAsGuest';
import type { LinkWatch } from './linkWatch';
import { routeServerFrame } from './routeServerFrame';
import { lifetimeFromMetadata, type SessionLifetime } from './sessionLifetime';
import { sessionWatches } from './sessionWatches';
import type { SessionSettings } from './sessionSettings';
import { errorFromFrame, isErrorFrame, WebMessagingConnection } from './webMessagingConnection';

export { MAX_CUSTOM_ATTRIBUTES_BYTES } from './guestSender';

export { LEFT_NOTICE_TEXT } from './leaveAsGuest';
export type { SessionResilience, SessionSettings } from './sessionSettings';

/** Inbound text limit in UTF-8 bytes (docs/genesys-protocol.md §5.7, error 4011). */
export const MAX_TEXT_BYTES = 4096;

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
  private readonly inbox: AgentInbox;
  private readonly backfills: CoalescingRunner;
  private readonly historyBudget: HistoryBudget;
  private readonly clock: Clock;
  private readonly link: LinkWatch;
  private readonly lifetime: SessionLifetime;
  private state: SessionState = 'new';
  /** The agent participant last reported connected by the queue topic (docs/genesys-protocol.md §5.17). */
  private agentParticipantId: string | undefined;

  constructor(private readonly options: WebMessagingSessionOptions) {
    const settings = options.settings;
    const clock = settings.clock ?? systemClock;
    this.clock = clock;
    this.resumeData = { provider: 'webmessaging', token: options.token };
    this.logger = options.logger;
    this.events = new ChatEventPipeline(options.listener, options.logger);
    this.typing = new TypingThrottle(settings.typingIntervalMs, clock.now);
    this.inbox = new AgentInbox({
      logger: options.logger,
      reorderWindowMs: settings.reorderWindowMs,
      resume: options.resume,
      markdown: () => settings.deployment()?.markdown === true,
      emit: (event) => {
        this.emit(event);
      },
      onMessage: () => {
        this.lifetime.touched();
      },
      onAgentEnded: () => {
        this.finish('agentEnded');
      },
    });
    this.historyBudget = new HistoryBudget(settings.historyRateLimit, clock);
    this.backfills = new CoalescingRunner(
      () => this.backfillOnce(),
      () => this.state === 'live',
    );
    const resilience = settings.resilience;
    const watches = sessionWatches(resilience, clock.now, options.logger, (event) => {
      this.emit(event);
    });
    this.link = watches.link;
    this.lifetime = watches.lifetime;
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
   * An agent accepted the chat, as the Platform API's queue topic reported it (docs/genesys-protocol.md
   * §5.17): `participantId` is the agent participant. The first agent is announced unless their
   * message or typing already was; a later agent (a new participant: the chat was transferred) is
   * announced as well. The same participant reported again changes nothing.
   */
  agentConnected(participantId: string, agent: AgentInfo): void {
    if (this.state !== 'live' || this.agentParticipantId === participantId) return;
    const first = this.agentParticipantId === undefined;
    this.agentParticipantId = participantId;
    if (first) this.inbox.noteAgentJoined(agent);
    else this.emit({ kind: 'agentJoined', agent });
  }

  /**
   * Replays missed agent messages from history, then ends the chat if the session is read-only.
   * Never rejects: a failed replay is reported as an `error` event (the chat itself is live).
   */
  async catchUp(readOnly: boolean): Promise<void> {
    await backfillWithRetries({
      run: () => this.backfills.run(),
      waitReady: () => this.connection.waitReady(this.options.settings.reconnectWaitMs),
      isLive: () => this.isLive(),
      reportError: (err, message) => {
        this.reportError(err, message);
      },
      clock: this.clock,
      logger: this.logger,
    });
    this.inbox.flush();
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
    return this.sendAsGuest(async () => {
      await this.uploads.upload(file);
      this.lifetime.touched();
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
    await leaveAsGuest({
      sender: this.sender,
      logger: this.logger,
      endMode: this.options.settings.endMode,
      clearAllowed: this.options.settings.deployment()?.conversationClear !== false,
      onClearFailed: () => {
        this.setState('live', 'ending failed');
      },
    });
    this.finish('guestEnded');
  }

  /**
   * Gives up a session whose start failed after some guest text may have reached Genesys: clears the
   * conversation so it does not wait in a queue for nobody (when the deployment allows Clear), then
   * detaches. Never rejects.
   */
  async abandon(): Promise<void> {
    const clearAllowed = this.options.settings.deployment()?.conversationClear !== false;
    await clearAbandoned(this.sender, this.logger, this.state === 'live', clearAllowed);
    await this.detach();
  }

  /** {@inheritDoc ChatSession.detach} */
  async detach(): Promise<void> {
    if (this.state === 'ended' || this.state === 'detached') return;
    this.setState('detached', 'detached locally');
    this.stopWatches();
    this.events.silence();
    // Held messages are not delivered here; whoever resumes the chat gets them from history.
    this.inbox.discard();
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
    routeServerFrame(frame, {
      logger: this.logger,
      onOutbound: (message) => {
        this.inbox.handleOutbound(message);
      },
      onEnded: (reason, error) => {
        this.finish(reason, error);
      },
      takeCleared: () => this.sender.takeCleared(),
    });
  }

  private async backfillOnce(): Promise<void> {
    const settings = this.options.settings;
    const missed = await readMissedHistory({
      connection: this.connection,
      token: this.options.token,
      history: settings.history,
      budget: this.historyBudget,
      pageSize: settings.historyPageSize,
      maxPages: settings.maxHistoryPages,
      isKnown: (entry) => this.inbox.isKnown(entry),
    });
    if (this.state !== 'live' && this.state !== 'ending') return;
    if (this.inbox.acceptMissed(missed)) this.finish('agentEnded');
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
    this.inbox.flush();
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
