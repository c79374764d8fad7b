import type { Logger } from '../../logger';
import { GenesysError, isGenesysError } from '../genesysError';
import type {
  AgentInfo,
  ChatEndReason,
  ChatEvent,
  ChatListener,
  ChatSession,
  GuestChatResumeData,
  ResumeOptions,
} from '../handoffProvider';
import { ReconnectingSocket } from '../reconnectingSocket';
import type { RetryPolicy } from '../retryPolicy';
import { splitText } from '../splitText';
import { BoundedIdSet } from './boundedIdSet';
import {
  conversationIdOfTopic,
  parseGuestChatFrame,
  type GuestChatFrame,
  type MemberChangeFrame,
} from './guestChatFrames';
import type { WebChatMemberInfo, WebChatMemberRole, WebChatMessage } from './guestChatModels';
import type { GuestChatCredentials, GuestChatRestClient } from './guestChatRestClient';

/** Longest message body Genesys accepts (docs/genesys-protocol.md §3.3, `CreateWebChatMessageRequest.body`). */
export const GUEST_CHAT_MAX_BODY_CHARS = 4_000;

/** Name shown for an agent whose member record could not be read (as IBM's reference bridge does). */
export const FALLBACK_AGENT_NAME = 'Agent';

/** How many history pages one catch-up reads at most (100 messages each). */
const MAX_BACKFILL_PAGES = 50;

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

/** What the session knows about an agent member. */
type AgentState = 'alerting' | 'connected' | 'left';

/** The part of a member record the session uses. */
interface MemberFacts {
  role: WebChatMemberRole | undefined;
  name: string | undefined;
  avatarUrl: string | undefined;
}

/**
 * One Guest Chat v2 conversation held by this process: its event stream (through
 * {@link ReconnectingSocket}), the agent-side state machine of docs/genesys-protocol.md §3.8, and the guest's REST calls.
 *
 * Frames and catch-ups are handled strictly one at a time on a single queue, and every
 * {@link ChatEvent} is awaited before the next one, so the listener sees events in order.
 */
export class GuestChatSession implements ChatSession {
  private readonly socket: ReconnectingSocket;
  private readonly logger: Logger;
  private readonly now: () => number;
  private queue: Promise<void> = Promise.resolve();
  private sendQueue: Promise<unknown> = Promise.resolve();
  private readonly seenMessageIds: BoundedIdSet;
  private readonly deliveredIds: ReadonlySet<string>;
  private readonly silentBefore: number | undefined;
  private readonly members = new Map<string, MemberFacts>();
  private readonly agents = new Map<string, AgentState>();
  private lastSeenMessageId: string | undefined;
  private lastTypingAt = Number.NEGATIVE_INFINITY;
  private currentState: GuestChatSessionState = 'opening';
  private leaving: Promise<void> | undefined;
  private guestConnected = false;
  private guestConnectedWaiters: (() => void)[] = [];
  private firstCatchUp: Promise<void> | undefined;
  private mode: 'start' | 'resume' = 'start';

  constructor(private readonly options: GuestChatSessionOptions) {
    this.logger = options.logger;
    this.now = options.now ?? Date.now;
    this.seenMessageIds = new BoundedIdSet(options.dedupeCapacity);
    this.deliveredIds = new Set(options.delivered?.deliveredMessageIds ?? []);
    const lastDeliveredAt = options.delivered?.lastDeliveredAt;
    const parsed = lastDeliveredAt === undefined ? Number.NaN : Date.parse(lastDeliveredAt);
    this.silentBefore = Number.isNaN(parsed) ? undefined : parsed;
    this.socket = new ReconnectingSocket({
      url: options.eventStreamUri,
      reconnectPolicy: options.reconnectPolicy,
      // [U] docs/genesys-protocol.md §3.7: the stream's own heartbeat cadence is unknown; protocol pings detect a dead link.
      heartbeatIntervalMs: options.heartbeatIntervalMs,
      connectTimeoutMs: options.connectTimeoutMs,
      logger: options.logger,
      onOpen: (isReconnect) => this.onSocketOpen(isReconnect),
      onMessage: (data) => {
        void this.enqueue(() => this.handleFrame(parseGuestChatFrame(data)));
      },
      onDrop: (code) => {
        this.logger.info({ code }, 'guest chat event stream dropped');
      },
      onGiveUp: (error) => {
        // A 401 on the handshake means the JWT in the URI is no longer accepted.
        const reason: ChatEndReason = error.status === 401 ? 'expired' : 'failed';
        void this.enqueue(() => this.finish(reason, error));
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
    const run = this.sendQueue.then(async () => {
      for (const part of parts) {
        this.assertUsable();
        const message = await this.options.rest.sendMessage(this.options.credentials, part);
        this.logger.debug({ messageId: message.id, length: part.length }, 'guest message sent');
      }
    });
    // Later sends wait for this one but do not inherit its failure.
    this.sendQueue = run.catch(() => undefined);
    await run;
  }

  /** Tells the agent the guest is typing; at most once per `typingIntervalMs`, silently skipped otherwise. */
  async sendTyping(): Promise<void> {
    this.assertUsable();
    const now = this.now();
    if (now - this.lastTypingAt < this.options.typingIntervalMs) return;
    this.lastTypingAt = now;
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
    await this.sendQueue;
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
    await this.enqueue(() => this.finish('guestEnded'));
  }

  /** Closes the event stream without ending the chat. No events follow. */
  async detach(): Promise<void> {
    if (this.currentState === 'detached') return;
    this.setState('detached', 'detach requested');
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

  /** Runs `task` after every task queued before it; never rejects (failures are logged). */
  private enqueue(task: () => Promise<void>): Promise<void> {
    const run = this.queue.then(task).catch((err: unknown) => {
      this.logger.warn({ err }, 'guest chat event handling failed');
    });
    this.queue = run;
    return run;
  }

  private onSocketOpen(isReconnect: boolean): Promise<void> {
    // Queued here, before any frame of this connection, so the task runs ahead of them.
    if (this.mode === 'start' && !isReconnect) {
      void this.enqueue(() => this.emit({ kind: 'queued' }));
    } else {
      const catchUp = this.enqueue(() => this.catchUp());
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

  private async emit(event: ChatEvent): Promise<void> {
    if (this.currentState === 'detached') return;
    try {
      await this.options.listener(event);
    } catch (err) {
      this.logger.warn({ err, event: event.kind }, 'chat listener failed; continuing');
    }
  }

  private isInactive(): boolean {
    return this.currentState === 'ended' || this.currentState === 'detached';
  }

  private async handleFrame(frame: GuestChatFrame): Promise<void> {
    if (this.isInactive()) return;
    switch (frame.kind) {
      case 'malformed':
        this.logger.debug({ reason: frame.reason }, 'ignoring malformed event stream frame');
        return;
      case 'unknown':
        this.logger.debug({ topicName: frame.topicName, type: frame.type }, 'ignoring unknown event stream frame');
        return;
      case 'channelMetadata':
        this.logger.trace({ message: frame.message }, 'event stream heartbeat');
        return;
      default:
        break;
    }
    const topicConversation = conversationIdOfTopic(frame.topicName);
    if (topicConversation !== undefined && topicConversation !== this.conversationId) {
      this.logger.debug({ topicName: frame.topicName }, 'ignoring frame of another conversation');
      return;
    }
    switch (frame.kind) {
      case 'message':
        await this.handleMessage(frame.message, false);
        return;
      case 'typing':
        await this.handleTyping(frame.typing.sender.id);
        return;
      case 'memberChange':
        await this.handleMemberChange(frame);
        return;
    }
  }

  private async handleMessage(message: WebChatMessage, fromHistory: boolean): Promise<void> {
    if (this.isInactive()) return;
    if (!this.seenMessageIds.add(message.id)) {
      this.logger.debug({ messageId: message.id }, 'ignoring duplicate message');
      return;
    }
    this.lastSeenMessageId = message.id;
    const guestId = this.options.credentials.memberId;
    const senderId = message.sender.id;
    if (senderId === guestId) {
      // The guest's own messages are echoed on the stream; only its leave matters.
      if (message.bodyType === 'member-leave') await this.finish(this.endReason());
      return;
    }
    const silent = this.isAlreadyDelivered(message);
    const facts = await this.memberFacts(senderId);
    if (facts.role !== 'AGENT') {
      this.logger.debug(
        { senderId, role: facts.role, bodyType: message.bodyType },
        'ignoring message from a non-agent member',
      );
      return;
    }
    switch (message.bodyType) {
      case 'member-join':
        await this.agentConnected(senderId, silent);
        return;
      case 'member-leave':
        await this.agentDisconnected(senderId, silent);
        return;
      case 'standard':
      case 'notice':
        // A message proves the agent is there even when its join was missed (e.g. during a drop).
        await this.agentConnected(senderId, silent);
        if (silent) return;
        await this.emit({
          kind: 'agentMessage',
          id: message.id,
          text: message.body,
          time: message.timestamp,
          agent: this.agentInfo(senderId),
          attachments: [],
        });
        this.logger.debug({ messageId: message.id, fromHistory }, 'agent message delivered');
        return;
      case 'media-request':
        // Co-browse / screen-share offers are not supported by a bot bridge (docs/genesys-protocol.md §3.7).
        this.logger.debug({ messageId: message.id }, 'ignoring media request');
        return;
    }
  }

  /**
   * True for history the user already saw before this process resumed the chat: a delivered message
   * id, anything older than the last delivered message, and joins/leaves up to its time.
   */
  private isAlreadyDelivered(message: WebChatMessage): boolean {
    if (this.deliveredIds.has(message.id)) return true;
    if (this.silentBefore === undefined) return false;
    const at = Date.parse(message.timestamp);
    if (Number.isNaN(at)) return false;
    const isPresence = message.bodyType === 'member-join' || message.bodyType === 'member-leave';
    // A text with the same timestamp as the last delivered one may not be it; its id decides.
    return isPresence ? at <= this.silentBefore : at < this.silentBefore;
  }

  private async handleTyping(senderId: string): Promise<void> {
    if (senderId === this.options.credentials.memberId) return;
    const facts = await this.memberFacts(senderId);
    if (facts.role !== 'AGENT' || this.isInactive()) return;
    // [O] docs/genesys-protocol.md §3.4: no "stopped typing" event exists; receivers show the indicator ~4 s.
    await this.emit({ kind: 'agentTyping', durationMs: this.options.agentTypingDurationMs });
  }

  private async handleMemberChange(frame: MemberChangeFrame): Promise<void> {
    const { memberId, state } = frame;
    if (memberId === this.options.credentials.memberId) {
      if (state === 'CONNECTED') {
        this.guestConnected = true;
        this.releaseGuestWaiters();
      } else if (state === 'DISCONNECTED') {
        await this.finish(this.endReason());
      }
      return;
    }
    const facts = await this.memberFacts(memberId);
    if (facts.role !== 'AGENT') {
      // ACD and workflow members hold the chat while it waits for an agent (docs/genesys-protocol.md §3.8 step 3).
      this.logger.debug({ memberId, role: facts.role, state }, 'non-agent member changed');
      return;
    }
    switch (state) {
      case 'ALERTING':
        // An agent is being offered the chat (or a transfer is starting); nothing to tell the user yet.
        if (this.agents.get(memberId) !== 'connected') this.agents.set(memberId, 'alerting');
        return;
      case 'CONNECTED':
        await this.agentConnected(memberId, false);
        return;
      case 'DISCONNECTED':
        await this.agentDisconnected(memberId, false);
        return;
    }
  }

  private async agentConnected(memberId: string, silent: boolean): Promise<void> {
    // Duplicate CONNECTED frames arrive whenever the agent switches between chats (docs/genesys-protocol.md §3.7).
    if (this.agents.get(memberId) === 'connected' || this.isInactive()) return;
    this.agents.set(memberId, 'connected');
    if (!silent) await this.emit({ kind: 'agentJoined', agent: this.agentInfo(memberId) });
  }

  private async agentDisconnected(memberId: string, silent: boolean): Promise<void> {
    const previous = this.agents.get(memberId);
    this.agents.set(memberId, 'left');
    // An agent who never connected (declined or timed out while ALERTING) leaves no trace for the user.
    if (previous !== 'connected' || silent || this.isInactive()) return;
    const guestState = await this.readGuestState();
    if (guestState === 'DISCONNECTED') {
      await this.finish(this.endReason());
      return;
    }
    // The guest is still in the chat: it goes back to the queue for another agent (docs/genesys-protocol.md §3.8 step 8).
    await this.emit({ kind: 'agentLeft', agent: this.agentInfo(memberId), transfer: true });
  }

  private async readGuestState(): Promise<WebChatMemberInfo['state']> {
    try {
      const guest = await this.options.rest.getMember(this.options.credentials, this.options.credentials.memberId);
      return guest.state;
    } catch (err) {
      if (isAlreadyEnded(err)) return 'DISCONNECTED';
      // Unknown: treat as a transfer; if the chat did end, the guest's own leave frame follows.
      this.logger.warn({ err }, 'could not read the guest member after the agent left');
      return undefined;
    }
  }

  private async memberFacts(memberId: string): Promise<MemberFacts> {
    const cached = this.members.get(memberId);
    if (cached !== undefined) return cached;
    try {
      const info = await this.options.rest.getMember(this.options.credentials, memberId);
      return this.remember(info);
    } catch (err) {
      // Not cached, so the next event from this member tries again. Socket events carry no role;
      // a member we cannot look up is most likely the agent who is talking to the guest.
      this.logger.warn({ err, memberId }, 'could not read a chat member; assuming an agent');
      return { role: 'AGENT', name: undefined, avatarUrl: undefined };
    }
  }

  private remember(info: WebChatMemberInfo): MemberFacts {
    const facts: MemberFacts = { role: info.role, name: info.displayName, avatarUrl: info.avatarImageUrl };
    this.members.set(info.id, facts);
    return facts;
  }

  private agentInfo(memberId: string): AgentInfo {
    const facts = this.members.get(memberId);
    const name = facts?.name !== undefined && facts.name.trim() !== '' ? facts.name : FALLBACK_AGENT_NAME;
    const agent: AgentInfo = { id: memberId, name };
    if (facts?.avatarUrl !== undefined) agent.avatarUrl = facts.avatarUrl;
    return agent;
  }

  /**
   * After a reconnect or on resume: learn the members, replay history after the last message seen
   * (de-duplicated by id), then reconcile agent state that history does not show (docs/genesys-protocol.md §3.7 [I]).
   */
  private async catchUp(): Promise<void> {
    if (this.isInactive()) return;
    try {
      const members = await this.options.rest.getMembers(this.options.credentials);
      for (const member of members) this.remember(member);
      await this.backfill();
      if (this.isInactive()) return;
      let guestState: WebChatMemberInfo['state'];
      for (const member of members) {
        if (member.id === this.options.credentials.memberId) {
          guestState = member.state;
          continue;
        }
        if (member.role !== 'AGENT') continue;
        const known = this.agents.get(member.id);
        if (member.state === 'CONNECTED' && (known === undefined || known === 'alerting'))
          await this.agentConnected(member.id, false);
        else if (member.state === 'ALERTING' && known === undefined) this.agents.set(member.id, 'alerting');
        else if (member.state === 'DISCONNECTED' && known === 'connected')
          await this.agentDisconnected(member.id, false);
      }
      if (guestState === 'DISCONNECTED') await this.finish(this.endReason());
    } catch (err) {
      if (isGenesysError(err) && (err.code === 'sessionExpired' || err.code === 'unauthorized')) {
        await this.finish('expired', err);
        return;
      }
      this.logger.warn({ err }, 'guest chat catch-up failed; continuing live');
      const error = isGenesysError(err) ? err : new GenesysError('protocol', 'catch-up failed', { cause: err });
      await this.emit({ kind: 'error', error });
    }
  }

  private async backfill(): Promise<void> {
    let after = this.lastSeenMessageId;
    for (let page = 0; page < MAX_BACKFILL_PAGES; page++) {
      let list;
      try {
        list = await this.options.rest.getMessages(this.options.credentials, {
          ...(after === undefined ? {} : { after }),
          sortOrder: 'ascending',
          maxResults: 100,
        });
      } catch (err) {
        if (after === undefined || !isGenesysError(err) || err.code !== 'badRequest') throw err;
        // The cursor message is unknown to Genesys: read the whole history; ids de-duplicate it.
        this.logger.debug({ err }, 'history cursor refused; reading from the start');
        after = undefined;
        continue;
      }
      const last = list.entities.at(-1);
      if (last === undefined) return;
      for (const message of list.entities) {
        await this.handleMessage(message, true);
        if (this.isInactive()) return;
      }
      after = last.id;
    }
    this.logger.warn({ pages: MAX_BACKFILL_PAGES }, 'history backfill stopped at its page limit');
  }

  /** Emits the one `ended` event, then closes the stream. Runs on the event queue. */
  private async finish(reason: ChatEndReason, error?: GenesysError): Promise<void> {
    if (this.isInactive()) return;
    this.setState('ended', reason);
    this.releaseGuestWaiters();
    this.logger.info({ reason, code: error?.code }, 'guest chat ended');
    await this.emit(error === undefined ? { kind: 'ended', reason } : { kind: 'ended', reason, error });
    this.options.onFinished(this);
    this.socket.close(1000, 'chat ended').catch((err: unknown) => {
      this.logger.debug({ err }, 'closing the event stream failed');
    });
  }
}

/**
 * True for the answers Genesys gives when the chat (or the guest's part in it) is already over:
 * `chat.error.conversation.state` / `chat.error.member.state` (400), or a conversation that no longer exists (404).
 */
export function isAlreadyEnded(err: unknown): boolean {
  return (
    isGenesysError(err) && (err.code === 'conversationState' || (err.code === 'sessionExpired' && err.status === 404))
  );
}
