import type { Logger } from '../../logger';
import { GenesysError, isGenesysError } from '../genesysError';
import type { ChatEndReason, ChatEvent, ResumeOptions } from '../handoffProvider';
import { BoundedIdSet, DeliveredMark } from '../shared';
import { isAlreadyEnded } from './guestChatErrors';
import { conversationIdOfTopic, type GuestChatFrame, type MemberChangeFrame } from './guestChatFrames';
import { readHistoryAfter } from './guestChatHistory';
import { MemberDirectory } from './guestChatMembers';
import type { WebChatMemberInfo, WebChatMessage } from './guestChatModels';
import type { GuestChatCredentials, GuestChatRestClient } from './guestChatRestClient';

/** What the agent side needs from the session that holds it. */
export interface AgentSideHost {
  /** Hands an event to the listener (inside a pipeline task). */
  emit: (event: ChatEvent) => Promise<void>;
  /**
   * Ends the chat locally with one `ended` event. `chatOver`: Genesys has already ended the chat (or
   * it cannot be reached with these credentials), so the guest need not leave it there.
   */
  finish: (reason: ChatEndReason, error?: GenesysError, chatOver?: boolean) => Promise<void>;
  /** The guest's own link looks broken to Genesys: re-attach the event stream (a catch-up follows). */
  reattach: () => void;
  /** True once the session ended or was detached. */
  isInactive: () => boolean;
  /** Who ended the chat when the guest's membership ends. */
  endReason: () => ChatEndReason;
  /** Genesys reported the guest `CONNECTED`: routing has begun. */
  guestConnected: () => void;
}

/** Options of a {@link GuestChatAgentSide}. */
export interface GuestChatAgentSideOptions {
  rest: GuestChatRestClient;
  credentials: GuestChatCredentials;
  logger: Logger;
  host: AgentSideHost;
  agentTypingDurationMs: number;
  dedupeCapacity: number;
  /** What the bot already showed the user (resume only). */
  delivered: ResumeOptions | undefined;
}

/** What the session knows about an agent member. */
type AgentState = 'alerting' | 'connected' | 'left';

/**
 * The agent side of one Guest Chat conversation: turns event stream frames and history into
 * {@link ChatEvent}s following the state machine of docs/genesys-protocol.md §3.8 (who is an agent,
 * joins, leaves, transfers, the guest's own departure), de-duplicated by message id and silent for
 * what the user already saw before a resume. Every method runs as a task on the session's pipeline.
 */
export class GuestChatAgentSide {
  private readonly logger: Logger;
  private readonly host: AgentSideHost;
  private readonly seenMessageIds: BoundedIdSet;
  private readonly delivered: DeliveredMark;
  private readonly members: MemberDirectory;
  private readonly agents = new Map<string, AgentState>();
  private lastSeenMessageId: string | undefined;

  constructor(private readonly options: GuestChatAgentSideOptions) {
    this.logger = options.logger;
    this.host = options.host;
    this.seenMessageIds = new BoundedIdSet(options.dedupeCapacity);
    this.delivered = new DeliveredMark(options.delivered);
    this.members = new MemberDirectory(options.rest, options.credentials, options.logger);
  }

  private emit(event: ChatEvent): Promise<void> {
    return this.host.emit(event);
  }

  private finish(reason: ChatEndReason, error?: GenesysError, chatOver = false): Promise<void> {
    return this.host.finish(reason, error, chatOver);
  }

  private isInactive(): boolean {
    return this.host.isInactive();
  }

  private endReason(): ChatEndReason {
    return this.host.endReason();
  }

  /** Handles one event stream frame (a pipeline task). */
  async handleFrame(frame: GuestChatFrame): Promise<void> {
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
    if (topicConversation !== undefined && topicConversation !== this.options.credentials.conversationId) {
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
      // The guest's own messages are echoed on the stream; only its leave matters: the chat is over (§3.7 [O]).
      if (message.bodyType === 'member-leave') await this.finish(this.endReason(), undefined, true);
      return;
    }
    const silent = this.isAlreadyDelivered(message);
    const facts = await this.members.facts(senderId);
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
          agent: this.members.agentInfo(senderId),
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

  /** True for history the user already saw before this process resumed the chat (one definition: {@link DeliveredMark}). */
  private isAlreadyDelivered(message: WebChatMessage): boolean {
    return this.delivered.isAlreadyDelivered({
      id: message.id,
      timeMs: Date.parse(message.timestamp),
      presence: message.bodyType === 'member-join' || message.bodyType === 'member-leave',
    });
  }

  private async handleTyping(senderId: string): Promise<void> {
    if (senderId === this.options.credentials.memberId) return;
    const facts = await this.members.facts(senderId);
    if (facts.role !== 'AGENT' || this.isInactive()) return;
    // [O] docs/genesys-protocol.md §3.4: no "stopped typing" event exists; receivers show the indicator ~4 s.
    await this.emit({ kind: 'agentTyping', durationMs: this.options.agentTypingDurationMs });
  }

  private async handleMemberChange(frame: MemberChangeFrame): Promise<void> {
    const { memberId, state } = frame;
    if (memberId === this.options.credentials.memberId) {
      if (state === 'CONNECTED') {
        this.host.guestConnected();
      } else if (state === 'DISCONNECTED') {
        // [O] docs/genesys-protocol.md §3.7: the guest's own DISCONNECTED means Genesys lost its stream, not that
        // the chat ended (only a member-leave does): re-attach and catch up like after any blip.
        this.logger.info('Genesys reports the guest disconnected; re-attaching the event stream');
        this.host.reattach();
      }
      return;
    }
    const facts = await this.members.facts(memberId);
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
    if (!silent) await this.emit({ kind: 'agentJoined', agent: this.members.agentInfo(memberId) });
  }

  private async agentDisconnected(memberId: string, silent: boolean): Promise<void> {
    const previous = this.agents.get(memberId);
    this.agents.set(memberId, 'left');
    // An agent who never connected (declined or timed out while ALERTING) leaves no trace for the user.
    if (previous !== 'connected' || silent || this.isInactive()) return;
    const guestState = await this.readGuestState();
    if (this.isInactive()) return;
    if (guestState === 'DISCONNECTED') {
      // [O] docs/genesys-protocol.md §3.7/§3.8: a DISCONNECTED guest may only have its stream away; the chat is
      // over only when history holds the guest's member-leave.
      if (await this.guestLeftInHistory()) {
        await this.finish(this.endReason(), undefined, true);
        return;
      }
      this.logger.info('the guest shows disconnected without leaving; taking the agent leaving as a transfer');
    }
    // The guest is still in the chat: it goes back to the queue for another agent (docs/genesys-protocol.md §3.8 step 8).
    await this.emit({ kind: 'agentLeft', agent: this.members.agentInfo(memberId), transfer: true });
  }

  /** Whether history after the last message handled holds the guest's own `member-leave` (one page is enough). */
  private async guestLeftInHistory(): Promise<boolean> {
    const { rest, credentials } = this.options;
    try {
      const after = this.lastSeenMessageId;
      const page = await rest.getMessages(credentials, {
        ...(after === undefined ? {} : { after }),
        sortOrder: 'ascending',
        maxResults: 100,
      });
      return page.entities.some((m) => m.sender.id === credentials.memberId && m.bodyType === 'member-leave');
    } catch (err) {
      // Unknown: the chat goes on; if it did end, the guest's member-leave frame or the next catch-up says so.
      this.logger.warn({ err }, 'could not read history to tell a transfer from an end');
      return false;
    }
  }

  private async readGuestState(): Promise<WebChatMemberInfo['state']> {
    try {
      const guest = await this.options.rest.getMember(this.options.credentials, this.options.credentials.memberId);
      return guest.state;
    } catch (err) {
      if (isAlreadyEnded(err)) {
        // The chat (or the guest's membership) no longer exists on Genesys: it is over.
        await this.finish(this.endReason(), undefined, true);
        return 'DISCONNECTED';
      }
      // Unknown: treat as a transfer; if the chat did end, the guest's own leave frame follows.
      this.logger.warn({ err }, 'could not read the guest member after the agent left');
      return undefined;
    }
  }

  /**
   * After a reconnect or on resume: learn the members, replay history after the last message seen
   * (de-duplicated by id), then reconcile agent state that history does not show (docs/genesys-protocol.md §3.7 [I]).
   */
  async catchUp(): Promise<void> {
    if (this.isInactive()) return;
    try {
      const members = await this.options.rest.getMembers(this.options.credentials);
      for (const member of members) this.members.remember(member);
      await this.backfill();
      if (this.isInactive()) return;
      for (const member of members) {
        if (member.id === this.options.credentials.memberId) {
          // [O] docs/genesys-protocol.md §3.7: right after re-attaching the guest can still show DISCONNECTED
          // (its stream was away); history, read above, holds its member-leave when the chat really ended.
          if (member.state === 'DISCONNECTED') this.logger.debug('catch-up finds the guest disconnected; not an end');
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
    } catch (err) {
      if (isGenesysError(err) && (err.code === 'sessionExpired' || err.code === 'unauthorized')) {
        // The guest's credentials no longer work: it cannot leave the chat on Genesys either.
        await this.finish('expired', err, true);
        return;
      }
      this.logger.warn({ err }, 'guest chat catch-up failed; continuing live');
      const error = isGenesysError(err) ? err : new GenesysError('protocol', 'catch-up failed', { cause: err });
      await this.emit({ kind: 'error', error });
    }
  }

  private backfill(): Promise<void> {
    return readHistoryAfter({
      rest: this.options.rest,
      credentials: this.options.credentials,
      logger: this.logger,
      after: this.lastSeenMessageId,
      onMessage: async (message) => {
        await this.handleMessage(message, true);
        return !this.isInactive();
      },
    });
  }
}
