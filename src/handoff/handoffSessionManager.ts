import { randomUUID } from 'node:crypto';
import type { Activity } from 'botbuilder';
import { isGenesysError } from '../genesys/genesysError';
import type { HandoffProvider, ResumeData } from '../genesys/handoffProvider';
import type { Logger } from '../logger';
import { formatTranscriptForAgent } from '../transcript/transcript';
import { AgentToUserRelay, ChatNotices } from './agentToUserRelay';
import { ChatEnder } from './chatEnder';
import { systemClock, type Clock } from './clock';
import { handoffRecordId } from './handoffKeys';
import { ACTIVE_STATES, type HandoffRecord } from './handoffRecord';
import type { HandoffRecords } from './handoffRecords';
import type { HandoffRequest, HandoffService, StartHandoffResult } from './handoffService';
import type { HandoffSettings } from './handoffSettings';
import { clearTimers, HandoffTimers } from './handoffTimers';
import { InstanceLeases } from './instanceLeases';
import { LocalChats } from './localChats';
import type { ChatMessenger } from './proactiveMessenger';
import { UserToAgentRelay } from './userToAgentRelay';

export type { HandoffRequest, StartHandoffResult } from './handoffService';
export type { HandoffSettings } from './handoffSettings';

/**
 * The lifecycle of live chats: opens them through the configured provider ({@link start}), holds
 * the local chat map, and wires the parts that do the rest — {@link UserToAgentRelay} (user →
 * agent), {@link AgentToUserRelay} (agent → user: every proactive message), {@link HandoffTimers}
 * (queue and idle deadlines), {@link InstanceLeases} (heartbeat, sweep, takeover, release) and
 * {@link ChatEnder} (the one path a chat ends through).
 */
export class HandoffSessionManager implements HandoffService {
  private readonly chats: LocalChats;
  private readonly logger: Logger;
  private readonly timers: HandoffTimers;
  private readonly agentToUser: AgentToUserRelay;
  private readonly userToAgent: UserToAgentRelay;
  private readonly ender: ChatEnder;
  private readonly leases: InstanceLeases;

  constructor(
    private readonly provider: HandoffProvider | undefined,
    private readonly records: HandoffRecords,
    messenger: ChatMessenger,
    private readonly settings: HandoffSettings,
    logger: Logger,
    private readonly clock: Clock = systemClock,
  ) {
    this.logger = logger.child({ module: 'handoff' });
    this.chats = new LocalChats(this.logger);
    const notices = new ChatNotices(messenger);
    this.ender = new ChatEnder(this.chats, records, provider, notices, this.logger);
    this.timers = new HandoffTimers(this.chats, records, notices, this.ender, settings);
    this.agentToUser = new AgentToUserRelay(
      this.chats,
      records,
      messenger,
      this.timers,
      this.ender,
      settings,
      clock,
      this.logger,
    );
    this.userToAgent = new UserToAgentRelay(this.chats, records, provider, this.timers, clock, this.logger);
    this.leases = new InstanceLeases(
      this.chats,
      records,
      provider,
      this.timers,
      this.agentToUser,
      this.ender,
      settings,
      clock,
      this.logger,
    );
  }

  /** True when a Genesys provider is configured. */
  get isAvailable(): boolean {
    return this.provider !== undefined;
  }

  /** Number of chats whose connection this instance holds. */
  get localChatCount(): number {
    return this.chats.size;
  }

  /** The conversation's live chat when one is active (requested, queued or connected). */
  async activeRecord(channelId: string, conversationId: string): Promise<HandoffRecord | undefined> {
    const record = await this.records.get(handoffRecordId(channelId, conversationId));
    return record !== undefined && ACTIVE_STATES.includes(record.state) ? record : undefined;
  }

  /** Opens a live chat for the conversation and hands the agent the transcript. */
  async start(request: HandoffRequest): Promise<StartHandoffResult> {
    const provider = this.provider;
    if (provider === undefined) return { status: 'unavailable' };
    const id = handoffRecordId(request.channelId, request.conversationId);
    const now = this.clock.now();
    const generation = randomUUID();
    const begun = await this.records.begin({
      id,
      type: 'handoff',
      state: 'requested',
      reason: 'user asked for an agent',
      channelId: request.channelId,
      conversationId: request.conversationId,
      userId: request.userId,
      ...(request.userName === undefined ? {} : { userName: request.userName }),
      reference: request.reference,
      provider: provider.name,
      generation,
      deliveredMessageIds: [],
      owner: this.settings.instanceId,
      createdAt: now,
      updatedAt: now,
      lastActivityAt: now,
      ...this.timers.queueDeadline(now),
      ttl: -1,
    });
    if (begun === undefined) return { status: 'alreadyActive' };

    this.chats.set(id, { generation, session: undefined, reference: request.reference });
    const log = this.logger.child({ conversationId: request.conversationId });
    try {
      const session = await provider.startChat(
        {
          guest: { displayName: request.userName ?? 'Customer' },
          attributes: {
            botChannel: request.channelId,
            botConversationId: request.conversationId,
            botUserId: request.userId,
            ...(request.userName === undefined ? {} : { botUserName: request.userName }),
            ...request.attributes,
          },
          introduction: formatTranscriptForAgent(request.transcript, this.settings.introductionMaxChars ?? 4000),
          ...(this.settings.routing === undefined ? {} : { routing: this.settings.routing }),
        },
        this.agentToUser.listenerFor(id, generation),
      );
      const bound = await this.records.update(id, (r) => {
        if (r.generation !== generation || !ACTIVE_STATES.includes(r.state)) return undefined;
        r.resumeData = session.resumeData;
        return r;
      });
      const stillOurs =
        bound?.generation === generation && ACTIVE_STATES.includes(bound.state) && bound.resumeData !== undefined;
      const local = this.chats.get(id);
      if (!stillOurs) {
        // The user cancelled (here or on another instance) while the chat was being opened.
        if (local?.generation === generation) this.chats.delete(id);
        await session.end().catch((err: unknown) => {
          log.warn({ err }, 'could not end a chat cancelled while opening');
        });
        return { status: 'started' };
      }
      if (local?.generation !== generation || this.chats.stopped) {
        // Released meanwhile (shutdown or lost lease): the chat lives on; another instance resumes it.
        await session.detach();
        return { status: 'started' };
      }
      local.session = session;
      local.record = bound;
      log.info({ provider: provider.name }, 'live chat opened');
      return { status: 'started' };
    } catch (err) {
      if (this.chats.holds(id, generation)) this.chats.delete(id);
      const code = isGenesysError(err) ? err.code : 'unexpected';
      const refused = isGenesysError(err) && !err.transient && err.code !== 'closed';
      log.warn({ err, code }, 'could not open a live chat');
      await this.records.transition(
        id,
        'failed',
        `could not open the chat: ${code}`,
        (r) => {
          r.endReason = refused ? 'refused' : 'startFailed';
          clearTimers(r);
        },
        ACTIVE_STATES,
        generation,
      );
      return refused && isGenesysError(err) ? { status: 'refused', code: err.code } : { status: 'failed', code };
    }
  }

  /** See {@link UserToAgentRelay.relayUserMessage}. */
  relayUserMessage(record: HandoffRecord, activity: Partial<Activity>): Promise<boolean> {
    return this.userToAgent.relayUserMessage(record, activity);
  }

  /** See {@link UserToAgentRelay.relayUserTyping}. */
  relayUserTyping(record: HandoffRecord): Promise<void> {
    return this.userToAgent.relayUserTyping(record);
  }

  /**
   * Ends the chat because the user asked (`userEnded`) or stopped waiting (`userCancelled`), on
   * Genesys too. Returns false when it had already ended. The caller tells the user.
   */
  async endByUser(record: HandoffRecord, reason: 'userEnded' | 'userCancelled'): Promise<boolean> {
    const ended = await this.ender.endLiveChat({
      id: record.id,
      reason,
      detail: reason,
      closeOnGenesys: true,
      tellUser: false,
    });
    return ended !== undefined;
  }

  /** Starts heartbeats, timers and recovery of chats left by stopped instances. */
  startBackground(): Promise<void> {
    return this.leases.startBackground();
  }

  /**
   * Graceful shutdown: stops timers, closes local connections without ending chats, and releases
   * them so another instance takes over at once.
   */
  async shutdown(): Promise<void> {
    this.chats.stopped = true;
    await this.leases.stopIntervals();
    await this.leases.releaseAll();
  }

  /**
   * Stops at once without releasing anything: local connections are dropped, records keep this
   * instance as owner until its heartbeat lapses, then another instance takes over. This is what a
   * crash looks like to the other instances; used when the process must stop immediately.
   */
  async halt(): Promise<void> {
    this.chats.stopped = true;
    void this.leases.stopIntervals();
    const sessions = this.chats.entries().flatMap(([, c]) => (c.session === undefined ? [] : [c.session]));
    this.chats.clear();
    await Promise.all(
      sessions.map((s) =>
        s.detach().catch((err: unknown) => {
          this.logger.debug({ err }, 'detach failed while halting');
        }),
      ),
    );
    await this.provider?.close();
  }

  /** One pass of heartbeat, timers, reconciliation and takeover (see {@link InstanceLeases.sweep}). */
  sweep(startup = false): Promise<void> {
    return this.leases.sweep(startup);
  }

  /** See {@link InstanceLeases.adopt}. */
  adoptChat(matches: (data: ResumeData) => boolean): Promise<boolean> {
    return this.leases.adopt(matches);
  }

  /** Renews this instance's heartbeat (see {@link InstanceLeases.beat}). */
  beat(): Promise<void> {
    return this.leases.beat();
  }

  /**
   * Resolves once the handoff layer is quiet: no chat event is being relayed and no background
   * sweep is running (including work that starts while waiting).
   */
  whenIdle(): Promise<void> {
    return this.chats.whenIdle();
  }
}
