import type { Logger } from '../../logger';
import { GenesysError } from '../genesysError';
import type { ChatEndReason, ChatListener, ChatSession, GuestChatResumeData, ResumeOptions } from '../handoffProvider';
import { ReconnectingSocket } from '../reconnectingSocket';
import type { RetryPolicy } from '../retryPolicy';
import { ChatEventPipeline, SendQueue, TypingThrottle } from '../shared';
import { splitText } from '../splitText';
import { GuestChatAgentSide } from './guestChatAgentSide';
import { isAlreadyEnded } from './guestChatErrors';
import { parseGuestChatFrame } from './guestChatFrames';
import type { GuestChatCredentials, GuestChatRestClient } from './guestChatRestClient';

/** Longest message body Genesys accepts (docs/genesys-protocol.md §3.3, `CreateWebChatMessageRequest.body`). */
export const GUEST_CHAT_MAX_BODY_CHARS = 4_000;

/** At most one forced re-attach of the event stream this often, so a slow presence update cannot cause a loop. */
const REATTACH_INTERVAL_MS = 5_000;

export { FALLBACK_AGENT_NAME } from './guestChatMembers';
export { isAlreadyEnded } from './guestChatErrors';

/** Options of a {@link GuestChatSession}. */
export interface GuestChatSessionOptions {
  rest: GuestChatRestClient;
  credentials: GuestChatCredentials;
  /** Event stream websocket from the create call (embeds the JWT: never log it unredacted). */
  eventStreamUri: string;
  listener: ChatListener;
  logger: Logger;
  reconnectPolicy: RetryPolicy;
  heartbeatIntervalMs: number;
  connectTimeoutMs: number;
  typingIntervalMs: number;
  agentTypingDurationMs: number;
  activationWaitMs: number;
  dedupeCapacity: number;
  /** What the bot already showed the user (resume only). */
  delivered?: ResumeOptions;
  /** Called once when the session ends or is detached, so the provider can forget it. */
  onFinished: (session: GuestChatSession) => void;
  /** Clock, injected for tests. */
  now?: () => number;
}

/**
 * The life of a session: `opening` (stream being attached), `live`, `leaving` (the guest's DELETE is
 * in flight), then `ended` (one `ended` event was emitted) or `detached` (closed locally, no events).
 */
export type GuestChatSessionState = 'opening' | 'live' | 'leaving' | 'ended' | 'detached';

/**
 * One Guest Chat v2 conversation held by this process: its event stream (through
 * {@link ReconnectingSocket}), the guest's REST calls (sends, typing, leaving) and the session's life.
 * What the agent side does is read by {@link GuestChatAgentSide} (docs/genesys-protocol.md §3.8).
 *
 * Frames and catch-ups are handled strictly one at a time on the session's {@link ChatEventPipeline},
 * and every event is awaited before the next one, so the listener sees events in order.
 */
export class GuestChatSession implements ChatSession {
  private readonly socket: ReconnectingSocket;
  private readonly logger: Logger;
  private readonly events: ChatEventPipeline;
  private readonly sends = new SendQueue();
  private readonly typing: TypingThrottle;
  private readonly agentSide: GuestChatAgentSide;
  private currentState: GuestChatSessionState = 'opening';
  private leaving: Promise<void> | undefined;
  private guestConnected = false;
  private guestConnectedWaiters: (() => void)[] = [];
  private firstCatchUp: Promise<void> | undefined;
  private mode: 'start' | 'resume' = 'start';
  private lastReattachAt = Number.NEGATIVE_INFINITY;

  constructor(private readonly options: GuestChatSessionOptions) {
    this.logger = options.logger;
    this.events = new ChatEventPipeline(options.listener, options.logger);
    this.typing = new TypingThrottle(options.typingIntervalMs, options.now ?? Date.now);
    this.agentSide = new GuestChatAgentSide({
      rest: options.rest,
      credentials: options.credentials,
      logger: options.logger,
      agentTypingDurationMs: options.agentTypingDurationMs,
      dedupeCapacity: options.dedupeCapacity,
      delivered: options.delivered,
      host: {
        emit: (event) => this.events.deliver(event),
        finish: (reason, error, chatOver) => this.finish(reason, error, chatOver),
        reattach: () => {
          this.reattach();
        },
        isInactive: () => this.isInactive(),
        endReason: () => this.endReason(),
        guestConnected: () => {
          this.guestConnected = true;
          this.releaseGuestWaiters();
        },
      },
    });
    this.socket = new ReconnectingSocket({
      provider: 'guestchat',
      url: options.eventStreamUri,
      reconnectPolicy: options.reconnectPolicy,
      // [U] docs/genesys-protocol.md §3.7: the stream's own heartbeat cadence is unknown; protocol pings detect a dead link.
      heartbeatIntervalMs: options.heartbeatIntervalMs,
      connectTimeoutMs: options.connectTimeoutMs,
      logger: options.logger,
      onOpen: (isReconnect) => this.onSocketOpen(isReconnect),
      onMessage: (data) => {
        void this.enqueue(() => this.agentSide.handleFrame(parseGuestChatFrame(data)));
      },
      onDrop: (code) => {
        this.logger.info({ code }, 'guest chat event stream dropped');
      },
      onGiveUp: (error) => {
        // A 401 on the handshake means the JWT in the URI is no longer accepted (nor would a DELETE be).
        const reason: ChatEndReason = error.status === 401 ? 'expired' : 'failed';
        void this.enqueue(() => this.finish(reason, error, reason === 'expired'));
      },
    });
  }

  /** What to persist to reattach later (contains the JWT: a secret). */
  get resumeData(): GuestChatResumeData {
    const { conversationId, memberId, jwt } = this.options.credentials;
    return { provider: 'guestchat', conversationId, memberId, jwt, eventStreamUri: this.options.eventStreamUri };
  }

  /** The Genesys conversation id. */
  get conversationId(): string {
    return this.options.credentials.conversationId;
  }

  /**
   * Attaches the event stream. For a new chat (`start`), routing begins only now (docs/genesys-protocol.md §3.2):
   * emits `queued`, then waits (bounded) until Genesys reports the guest `CONNECTED`. For `resume`,
   * learns the members, replays what was missed and reconciles the agent state before resolving.
   */
  async open(mode: 'start' | 'resume'): Promise<void> {
    this.mode = mode;
    await this.socket.connect();
    if (mode === 'start') {
      await this.waitForGuestConnected(this.options.activationWaitMs);
    } else {
      await this.firstCatchUp;
    }
    if (this.currentState === 'opening') this.setState('live', mode === 'start' ? 'stream attached' : 'resumed');
  }

  /** Sends guest text, split into parts of at most 4,000 characters, in order. */
  async sendText(text: string): Promise<void> {
    this.assertUsable();
    const parts = splitText(text, GUEST_CHAT_MAX_BODY_CHARS, 'chars');
    await this.sends.run(async () => {
      for (const part of parts) {
        this.assertUsable();
        const message = await this.options.rest.sendMessage(this.options.credentials, part);
        this.logger.debug({ messageId: message.id, length: part.length }, 'guest message sent');
      }
    });
  }

  /** Tells the agent the guest is typing; at most once per `typingIntervalMs`, silently skipped otherwise. */
  async sendTyping(): Promise<void> {
    this.assertUsable();
    if (!this.typing.tryTake()) return;
    await this.options.rest.sendTyping(this.options.credentials);
  }

  /** Leaves the chat (`DELETE members/{guest}`), then emits `ended` (`guestEnded`) and closes the stream. */
  end(): Promise<void> {
    if (this.currentState === 'detached')
      return Promise.reject(new GenesysError('closed', 'the chat was detached from this process'));
    if (this.currentState === 'ended') return Promise.resolve();
    // Concurrent calls share one DELETE.
    this.leaving ??= this.leave().finally(() => {
      this.leaving = undefined;
    });
    return this.leaving;
  }

  private async leave(): Promise<void> {
    this.setState('leaving', 'guest ends the chat');
    // Messages the user sent before ending go first.
    await this.sends.drained();
    try {
      await this.options.rest.deleteMember(this.options.credentials);
    } catch (err) {
      if (!isAlreadyEnded(err)) {
        // Still leaving (nothing ended the chat meanwhile): it goes on.
        if (this.endReason() === 'guestEnded') this.setState('live', 'leaving failed');
        throw err;
      }
      // The chat had already ended on the agent side: leaving it is done either way.
      this.logger.debug({ err }, 'guest chat was already over when the guest left');
    }
    await this.enqueue(() => this.finish('guestEnded', undefined, true));
  }

  /** Closes the event stream without ending the chat. No events follow. */
  async detach(): Promise<void> {
    if (this.currentState === 'detached') return;
    this.setState('detached', 'detach requested');
    this.events.silence();
    this.releaseGuestWaiters();
    this.options.onFinished(this);
    await this.socket.close(1000, 'detached');
  }

  /** Where the session is in its life. */
  get state(): GuestChatSessionState {
    return this.currentState;
  }

  private setState(to: GuestChatSessionState, reason: string): void {
    const from = this.currentState;
    if (from === to) return;
    this.currentState = to;
    this.logger.debug({ from, to, reason }, 'guest chat session state changed');
  }

  /** The guest's departure ends the chat: by the guest when it asked to leave, else by the agent side. */
  private endReason(): ChatEndReason {
    return this.currentState === 'leaving' ? 'guestEnded' : 'agentEnded';
  }

  private assertUsable(): void {
    if (this.currentState === 'detached') throw new GenesysError('closed', 'the chat was detached from this process');
    if (this.currentState === 'ended') throw new GenesysError('conversationState', 'the chat has ended');
  }

  /** Runs `task` on the session's event pipeline, after every task queued before it; never rejects. */
  private enqueue(task: () => Promise<void>): Promise<void> {
    return this.events.enqueue(task);
  }

  /** Resolves once every queued frame and event has been handled (tests, shutdown). */
  idle(): Promise<void> {
    return this.events.idle();
  }

  private onSocketOpen(isReconnect: boolean): Promise<void> {
    // Queued here, before any frame of this connection, so the task runs ahead of them.
    if (this.mode === 'start' && !isReconnect) {
      void this.events.emit({ kind: 'queued' });
    } else {
      const catchUp = this.enqueue(() => this.agentSide.catchUp());
      if (!isReconnect) this.firstCatchUp = catchUp;
    }
    return Promise.resolve();
  }

  private waitForGuestConnected(timeoutMs: number): Promise<void> {
    // [I] docs/genesys-protocol.md §3.2/§3.10: a practitioner waits 3 s after `open`; waiting for the guest's own
    // `member-change CONNECTED` (bounded by `activationWaitMs`) is the same guard without the fixed delay.
    if (this.guestConnected || timeoutMs <= 0) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        this.logger.debug({ timeoutMs }, 'no guest CONNECTED frame after open; sending anyway');
        resolve();
      }, timeoutMs);
      this.guestConnectedWaiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  private releaseGuestWaiters(): void {
    const waiters = this.guestConnectedWaiters;
    this.guestConnectedWaiters = [];
    for (const waiter of waiters) waiter();
  }

  private isInactive(): boolean {
    return this.currentState === 'ended' || this.currentState === 'detached';
  }

  /**
   * Emits the one `ended` event, then closes the stream. Unless Genesys already ended the chat
   * (`chatOver`), the guest also leaves it there (`DELETE` member, docs/genesys-protocol.md §3.6), so no
   * agent goes on writing into a chat nobody reads. Runs on the event queue.
   */
  private async finish(reason: ChatEndReason, error?: GenesysError, chatOver = false): Promise<void> {
    if (this.isInactive()) return;
    this.setState('ended', reason);
    this.releaseGuestWaiters();
    this.logger.info({ reason, code: error?.code }, 'guest chat ended');
    await this.events.deliver(error === undefined ? { kind: 'ended', reason } : { kind: 'ended', reason, error });
    this.options.onFinished(this);
    if (!chatOver) void this.leaveOnGenesys();
    this.socket.close(1000, 'chat ended').catch((err: unknown) => {
      this.logger.debug({ err }, 'closing the event stream failed');
    });
  }

  /** Leaves the chat on the Genesys side after the bot ended it; never rejects. */
  private async leaveOnGenesys(): Promise<void> {
    try {
      await this.options.rest.deleteMember(this.options.credentials);
      this.logger.info('left the ended chat on the Genesys side');
    } catch (err) {
      if (isAlreadyEnded(err)) return;
      this.logger.warn({ err }, 'could not leave the ended chat on the Genesys side');
    }
  }

  /** Drops the event stream so that it reconnects and catches up (the link looks broken to Genesys). */
  private reattach(): void {
    const now = (this.options.now ?? Date.now)();
    if (now - this.lastReattachAt < REATTACH_INTERVAL_MS) {
      this.logger.debug('re-attached moments ago; waiting for Genesys to see the stream');
      return;
    }
    this.lastReattachAt = now;
    this.socket.terminate();
  }
}
