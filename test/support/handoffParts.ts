import { randomUUID } from 'node:crypto';
import { AgentToUserRelay, ChatNotices } from '../../src/handoff/agentToUserRelay';
import { ChannelDelivery, type DeliveryLimits } from '../../src/handoff/channelDelivery';
import { ChatEnder } from '../../src/handoff/chatEnder';
import { handoffRecordId } from '../../src/handoff/handoffKeys';
import type { HandoffDocument, HandoffRecord, HandoffState } from '../../src/handoff/handoffRecord';
import { HandoffRecords } from '../../src/handoff/handoffRecords';
import type { HandoffSettings } from '../../src/handoff/handoffSettings';
import { HandoffTimers } from '../../src/handoff/handoffTimers';
import { InstanceLeases } from '../../src/handoff/instanceLeases';
import { LocalChats } from '../../src/handoff/localChats';
import { UserToAgentRelay } from '../../src/handoff/userToAgentRelay';
import { createSilentLogger } from '../../src/logger';
import { MemoryVersionedStore } from '../../src/storage/memoryVersionedStore';
import { FakeProvider, type FakeChat } from './fakeProvider';
import { RecordingMessenger } from './recordingMessenger';
import { TestClock } from './testClock';

/** Settings of the unit tests: 60 s queue, 300 s idle with a warning 60 s before, 30 s lease. */
export const UNIT_SETTINGS: HandoffSettings = {
  instanceId: 'instance-a',
  queueTimeoutSeconds: 60,
  idleTimeoutSeconds: 300,
  idleWarningSeconds: 60,
  leaseSeconds: 30,
  sweepIntervalSeconds: 5,
};

/**
 * The parts of the handoff layer wired to memory storage, a {@link FakeProvider}, a
 * {@link RecordingMessenger} and a {@link TestClock}, for unit tests of one part at a time.
 */
export class HandoffParts {
  readonly clock = new TestClock();
  readonly store = new MemoryVersionedStore<HandoffDocument>();
  readonly provider = new FakeProvider();
  readonly messenger = new RecordingMessenger();
  readonly chats = new LocalChats(createSilentLogger());
  readonly records: HandoffRecords;
  readonly delivery: ChannelDelivery;
  readonly notices: ChatNotices;
  readonly ender: ChatEnder;
  readonly timers: HandoffTimers;
  readonly agentToUser: AgentToUserRelay;
  readonly userToAgent: UserToAgentRelay;
  readonly leases: InstanceLeases;

  constructor(
    readonly settings: HandoffSettings = UNIT_SETTINGS,
    limits: DeliveryLimits = { maxTotalMs: 2_000, baseDelayMs: 10, maxDelayMs: 100 },
  ) {
    const logger = createSilentLogger();
    this.records = new HandoffRecords(this.store, 3600, logger, () => this.clock.now());
    this.delivery = new ChannelDelivery(this.messenger, this.records, this.chats, logger, limits);
    this.notices = new ChatNotices(this.delivery);
    this.ender = new ChatEnder(this.chats, this.records, this.provider, this.notices, logger);
    this.timers = new HandoffTimers(this.chats, this.records, this.notices, this.ender, settings);
    this.agentToUser = new AgentToUserRelay(
      this.chats,
      this.records,
      this.delivery,
      this.timers,
      this.ender,
      settings,
      this.clock,
      logger,
    );
    this.userToAgent = new UserToAgentRelay(
      this.chats,
      this.records,
      this.provider,
      this.timers,
      this.notices,
      settings,
      this.clock,
      logger,
    );
    this.leases = new InstanceLeases(
      this.chats,
      this.records,
      this.provider,
      this.timers,
      this.agentToUser,
      this.userToAgent,
      this.ender,
      settings,
      this.clock,
      logger,
    );
  }

  /**
   * Stores an active record of `conversationId` in `state` (owned by this instance unless `owner`
   * says otherwise) with a Genesys chat opened on the fake provider; `held` makes this instance hold
   * its connection (as after `start`).
   */
  async openChat(
    conversationId: string,
    state: Exclude<HandoffState, 'ended' | 'failed'>,
    options: { held?: boolean; owner?: string; patch?: Partial<HandoffRecord> } = {},
  ): Promise<{ record: HandoffRecord; chat: FakeChat }> {
    const now = this.clock.now();
    const id = handoffRecordId('test', conversationId);
    const generation = randomUUID();
    await this.provider.startChat(
      { guest: { displayName: 'Dana' }, attributes: {}, introduction: '' },
      this.agentToUser.listenerFor(id, generation),
    );
    const chat = this.provider.last;
    const record: HandoffRecord = {
      id,
      type: 'handoff',
      state,
      reason: 'test',
      channelId: 'test',
      conversationId,
      userId: `user-of-${conversationId}`,
      reference: {
        channelId: 'test',
        conversation: { id: conversationId, isGroup: false, conversationType: '', name: '' },
      },
      provider: 'webmessaging',
      generation,
      resumeData: chat.resumeData,
      deliveredMessageIds: [],
      owner: options.owner ?? this.settings.instanceId,
      createdAt: now,
      updatedAt: now,
      lastActivityAt: now,
      ...(state === 'connected' ? { connectedAt: now, agentName: 'Anna' } : this.timers.queueDeadline(now)),
      ttl: -1,
    };
    if (state === 'connected') this.timers.armIdle(record, now);
    Object.assign(record, options.patch);
    await this.store.create(record);
    if (options.held !== false) this.chats.set(id, { generation, session: chat, reference: record.reference, record });
    return { record, chat };
  }

  /** The stored record of `conversationId`. */
  async record(conversationId: string): Promise<HandoffRecord | undefined> {
    return this.records.get(handoffRecordId('test', conversationId));
  }
}
