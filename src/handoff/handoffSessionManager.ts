import { randomUUID } from 'node:crypto';
import { TurnContext, type Activity, type ConversationReference } from 'botbuilder';
import { userTimeZone } from '../channels';
import { isGenesysError } from '../genesys/genesysError';
import type { HandoffProvider, ResumeData } from '../genesys/handoffProvider';
import type { Logger } from '../logger';
import { telemetry, type LiveChatCounts } from '../telemetry/telemetry';
import { formatTranscriptForAgent, type Transcript, type TranscriptEntry } from '../transcript/transcript';
import { AgentToUserRelay, ChatNotices } from './agentToUserRelay';
import { ChannelDelivery, DEFAULT_DELIVERY_LIMITS } from './channelDelivery';
import { ChatEnder } from './chatEnder';
import { systemClock, type Clock } from './clock';
import { handoffRecordId, inboundLogId } from './handoffKeys';
import { ACTIVE_STATES, type HandoffRecord } from './handoffRecord';
import type { HandoffRecords } from './handoffRecords';
import type { HandoffRequest, HandoffService, StartHandoffResult } from './handoffService';
import type { HandoffSettings } from './handoffSettings';
import { clearTimers, HandoffTimers } from './handoffTimers';
import { InstanceLeases } from './instanceLeases';
import { LocalChats } from './localChats';
import type { ChatMessenger } from './proactiveMessenger';
import { OUTBOX_CLAIM_MS, UserToAgentRelay, type AcceptOutcome } from './userToAgentRelay';

/** How long inbound activity ids are remembered to ignore redeliveries (Teams redelivers after 15 s). */
export const IDEMPOTENCE_WINDOW_SECONDS = 3600;

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
  private readonly notices: ChatNotices;

  constructor(
    private readonly provider: HandoffProvider | undefined,
    private readonly records: HandoffRecords,
    private readonly messenger: ChatMessenger,
    private readonly settings: HandoffSettings,
    logger: Logger,
    private readonly clock: Clock = systemClock,
  ) {
    this.logger = logger.child({ module: 'handoff' });
    this.chats = new LocalChats(this.logger);
    const delivery = new ChannelDelivery(
      messenger,
      records,
      this.chats,
      this.logger,
      settings.delivery ?? DEFAULT_DELIVERY_LIMITS,
    );
    this.notices = new ChatNotices(delivery);
    this.ender = new ChatEnder(this.chats, records, provider, this.notices, this.logger);
    this.timers = new HandoffTimers(this.chats, records, this.notices, this.ender, settings);
    this.agentToUser = new AgentToUserRelay(
      this.chats,
      records,
      delivery,
      this.timers,
      this.ender,
      settings,
      clock,
      this.logger,
    );
    this.userToAgent = new UserToAgentRelay(
      this.chats,
      records,
      provider,
      this.timers,
      this.notices,
      settings,
      clock,
      this.logger,
    );
    this.leases = new InstanceLeases(
      this.chats,
      records,
      provider,
      this.timers,
      this.agentToUser,
      this.userToAgent,
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

  /** Chats this instance holds, by state (the `handoff.chats.live` gauge). */
  liveChatsByState(): LiveChatCounts {
    const counts = { requested: 0, queued: 0, connected: 0 };
    for (const [, chat] of this.chats.entries()) {
      const state = chat.record?.state ?? 'requested';
      if (state === 'requested' || state === 'queued' || state === 'connected') counts[state] += 1;
    }
    return counts;
  }

  /**
   * The record id of the conversation's chat when this instance holds it under a live lease (no
   * storage access): the chat whose transcript entries a user turn may journal.
   */
  heldChatId(channelId: string, conversationId: string): string | undefined {
    const id = handoffRecordId(channelId, conversationId);
    return this.chats.has(id) && this.clock.now() < this.chats.leaseValidUntil ? id : undefined;
  }

  /** The conversation's live chat when one is active (requested, queued or connected). */
  async activeRecord(channelId: string, conversationId: string): Promise<HandoffRecord | undefined> {
    const id = handoffRecordId(channelId, conversationId);
    // A chat held here under a live lease: its kept record (writes to it are ETag-guarded, so a
    // change made elsewhere meanwhile surfaces as a conflict and a re-read, never as a lost update).
    const held = this.chats.has(id) && this.clock.now() < this.chats.leaseValidUntil;
    const record = held ? await this.records.current(id) : await this.records.get(id);
    return record !== undefined && ACTIVE_STATES.includes(record.state) ? record : undefined;
  }

  /**
   * Opens a live chat for the conversation and hands the agent the transcript. Returns as soon as
   * the record exists (`started`): Genesys is reached in the background, and a refusal or failure
   * is told to the user proactively, so the channel's request never waits for Genesys. The
   * triggering activity's id is remembered in the record, so its redelivery opens nothing.
   */
  async start(request: HandoffRequest): Promise<StartHandoffResult> {
    const provider = this.provider;
    if (provider === undefined) return { status: 'unavailable' };
    const id = handoffRecordId(request.channelId, request.conversationId);
    const now = this.clock.now();
    const generation = randomUUID();
    const activityId = request.reference.activityId;
    const begun = await this.records.begin({
      id,
      type: 'handoff',
      state: 'requested',
      reason: request.attributes.handoffReason ?? 'user asked for an agent',
      channelId: request.channelId,
      conversationId: request.conversationId,
      userId: request.userId,
      ...(request.userName === undefined ? {} : { userName: request.userName }),
      ...(request.timeZone === undefined ? {} : { timeZone: request.timeZone }),
      reference: request.reference,
      provider: provider.name,
      generation,
      deliveredMessageIds: [],
      outbox: [],
      outboxDrainer: this.settings.instanceId,
      outboxDrainUntil: now + OUTBOX_CLAIM_MS,
      inboundIds: activityId === undefined || activityId === '' ? [] : [activityId],
      owner: this.settings.instanceId,
      createdAt: now,
      updatedAt: now,
      lastActivityAt: now,
      ...this.timers.queueDeadline(now),
      ttl: -1,
    });
    if (begun === undefined) return { status: 'alreadyActive' };
    telemetry().handoffRequested(provider.name);
    this.chats.set(id, { generation, session: undefined, reference: request.reference, record: begun });
    // The transcript in state may lack the end of an earlier chat still in the record's journal.
    const transcript = this.records.transcriptWith(request.transcript, begun.transcriptJournal);
    void this.chats.trackWork(this.open(provider, { ...request, transcript }, id, generation));
    return { status: 'started' };
  }

  /** Opens the Genesys chat of a begun record, binds it, then sends what the user wrote meanwhile. */
  private async open(
    provider: HandoffProvider,
    request: HandoffRequest,
    id: string,
    generation: string,
  ): Promise<void> {
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
          chatKey: generation,
          ...(this.settings.routing === undefined ? {} : { routing: this.settings.routing }),
        },
        this.agentToUser.listenerFor(id, generation),
      );
      telemetry().handoffStarted(provider.name);
      const me = this.settings.instanceId;
      const bound = await this.records.update(id, (r) => {
        if (r.generation !== generation || !ACTIVE_STATES.includes(r.state)) return undefined;
        r.resumeData = session.resumeData;
        if ((r.outbox ?? []).length === 0 && r.outboxDrainer === me) {
          // Nothing waits to be sent: the claim taken when the chat was begun goes with this write.
          r.outboxDrainer = undefined;
          r.outboxDrainUntil = undefined;
        }
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
        return;
      }
      if (local?.generation !== generation || this.chats.stopped) {
        // Released meanwhile (shutdown or lost lease): the chat lives on; another instance resumes it.
        await session.detach();
        return;
      }
      local.session = session;
      local.record = bound;
      log.info({ provider: provider.name }, 'live chat opened');
      // What the user wrote while the chat opened is sent now; a message taken after the binding
      // found the claim free and is being sent already.
      if ((bound.outbox ?? []).length > 0) await this.userToAgent.resumeOutbox(id, true);
    } catch (err) {
      if (this.chats.holds(id, generation)) this.chats.delete(id);
      const code = isGenesysError(err) ? err.code : 'unexpected';
      const refused = isGenesysError(err) && !err.transient && err.code !== 'closed';
      log.warn({ err, code }, 'could not open a live chat');
      if (isGenesysError(err)) telemetry().genesysError(code);
      if (refused) telemetry().handoffRefused(code);
      else telemetry().handoffFailed(code);
      const failed = await this.records.transition(
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
      if (failed.changed && failed.record !== undefined)
        await this.notices.announceEnd(id, failed.record.reference, refused ? 'refused' : 'startFailed');
    }
  }

  /** See {@link UserToAgentRelay.accept}. */
  acceptUserMessage(
    record: HandoffRecord,
    activity: Partial<Activity>,
    text?: string,
    transcript?: readonly TranscriptEntry[],
  ): Promise<AcceptOutcome> {
    return this.userToAgent.accept(record, activity, text, transcript);
  }

  /**
   * The conversation's whole transcript: what `load` reads from conversation state with the
   * entries its live-chat record still carries merged in (the record is read first, so an entry
   * folded meanwhile is found in the state read after it).
   */
  async transcriptOf(channelId: string, conversationId: string, load: () => Promise<Transcript>): Promise<Transcript> {
    const record = await this.records.get(handoffRecordId(channelId, conversationId));
    return this.records.transcriptWith(await load(), record?.transcriptJournal);
  }

  /** See {@link HandoffRecords.journal}. */
  journalTranscript(recordId: string, entries: readonly TranscriptEntry[]): Promise<boolean> {
    return this.records.journal(recordId, entries);
  }

  /** See {@link UserToAgentRelay.relayUserTyping}. */
  relayUserTyping(record: HandoffRecord): Promise<void> {
    return this.userToAgent.relayUserTyping(record);
  }

  /** Remembers an inbound activity id for {@link IDEMPOTENCE_WINDOW_SECONDS}; false for a redelivery. */
  async rememberInbound(activity: Partial<Activity>): Promise<boolean> {
    const activityId = activity.id;
    const conversationId = activity.conversation?.id;
    if (typeof activityId !== 'string' || activityId === '' || conversationId === undefined) return true;
    return this.records.rememberInbound(
      inboundLogId(activity.channelId ?? '', conversationId),
      activityId,
      IDEMPOTENCE_WINDOW_SECONDS,
    );
  }

  /**
   * Stores the activity's `serviceUrl`, locale and tenant as the chat's reference, and the user's
   * time zone ({@link userTimeZone}), when they changed.
   */
  async refreshReference(record: HandoffRecord, activity: Partial<Activity>): Promise<void> {
    const zone = userTimeZone(activity);
    const changed = (r: HandoffRecord): boolean =>
      referenceChanged(r.reference, activity) || (zone !== undefined && zone !== r.timeZone);
    if (!changed(record)) return;
    const fresh = freshReference(record.reference, activity);
    const updated = await this.records.update(record.id, (r) => {
      if (r.generation !== record.generation || !changed(r)) return undefined;
      r.reference = freshReference(r.reference, activity);
      if (zone !== undefined) r.timeZone = zone;
      return r;
    });
    this.chats.track(updated);
    const local = this.chats.get(record.id);
    if (local?.generation === record.generation) local.reference = updated?.reference ?? fresh;
    this.logger.info(
      { conversationId: record.conversationId, serviceUrl: fresh.serviceUrl },
      'conversation reference refreshed',
    );
  }

  /** See {@link AgentToUserRelay.userUnreachable}. */
  userUnreachable(record: HandoffRecord, why: string): Promise<void> {
    return this.agentToUser.userUnreachable(record.id, record.generation, why);
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
    await this.records.flush();
    await this.messenger.flush?.();
    await this.leases.releaseAll();
    await this.messenger.flush?.();
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
    await this.leases.haltDuty();
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

  /**
   * True when `chatKey` (the `chatKey` a chat was opened with, see `StartChatRequest`: its record's
   * generation) names an active chat, including one whose Genesys chat is still being opened.
   */
  async hasActiveChat(chatKey: string): Promise<boolean> {
    return (await this.records.activeWithGeneration(chatKey)) !== undefined;
  }

  /** True while this instance does the provider's deployment duty (see {@link InstanceLeases}). */
  get holdsDeploymentDuty(): boolean {
    return this.leases.holdsDuty;
  }

  /** Renews this instance's heartbeat (see {@link InstanceLeases.beat}). */
  beat(): Promise<void> {
    return this.leases.beat();
  }

  /**
   * Resolves once the handoff layer is quiet: no chat event is being relayed, no background sweep
   * is running (including work that starts while waiting) and no transcript journal is being folded.
   */
  async whenIdle(): Promise<void> {
    await this.chats.whenIdle();
    await this.records.whenFolded();
  }
}

/** The reference proactive sends should use after `activity`: the stored one with the activity's own fields. */
function freshReference(
  stored: Partial<ConversationReference>,
  activity: Partial<Activity>,
): Partial<ConversationReference> {
  const incoming = TurnContext.getConversationReference(activity);
  return {
    ...stored,
    ...(incoming.serviceUrl === undefined ? {} : { serviceUrl: incoming.serviceUrl }),
    ...(incoming.locale === undefined ? {} : { locale: incoming.locale }),
    ...(incoming.conversation === undefined
      ? {}
      : { conversation: { ...stored.conversation, ...incoming.conversation } }),
  };
}

/** True when `activity` carries a `serviceUrl`, locale or tenant other than the stored reference's. */
function referenceChanged(stored: Partial<ConversationReference>, activity: Partial<Activity>): boolean {
  if (typeof activity.serviceUrl === 'string' && activity.serviceUrl !== stored.serviceUrl) return true;
  if (typeof activity.locale === 'string' && activity.locale !== stored.locale) return true;
  const tenant = activity.conversation?.tenantId;
  return typeof tenant === 'string' && tenant !== stored.conversation?.tenantId;
}
