import { randomUUID } from 'node:crypto';
import { createStorage } from '../../src/storage/createStorage';
import type { VersionedStore } from '../../src/storage/versionedStore';
import { NOTIFICATIONS_DUTY, type OpenMessagingProvider } from '../../src/genesys/openMessaging';
import { dutyLeaseId, type HandoffDocument } from '../../src/handoff/handoffRecord';
import { OPEN_MESSAGING_WEBHOOK_PATH } from '../../src/http/openMessagingWebhook';
import { createSilentLogger } from '../../src/logger';
import { MESSAGES } from '../../src/resources/messages';
import type { OpenMessagingSimulator, SimulatedOpenConversation } from '../../src/simulator/openMessaging';
import type { ConnectorRecorder } from '../support/connectorRecorder';
import { eventually } from '../support/eventually';
import { BotInstance, startConnector } from '../support/handoffRig';
import { OM_INTEGRATION_ID, startOpenMessagingBot, startOpenMessagingSimulator } from '../support/openMessagingRig';
import { testConfig } from '../support/testConfig';

/**
 * Several bot instances on one Cosmos DB (the local protocol server) and one Open Messaging
 * simulator: one instance, elected through a lease in storage, holds the only notifications
 * channel and follows the chats of every instance; the lease moves when its holder dies (lapse)
 * or stops (release). Also: typing from any instance, and a webhook that reaches an instance
 * before the chat's conversation is recorded.
 */
describe('Open Messaging notifications subscriber elected through a lease', () => {
  const endpoint = process.env.TEST_COSMOS_ENDPOINT ?? '';
  const databaseId = `om-lease-${randomUUID().slice(0, 8)}`;
  const env = (instanceId: string): Record<string, string> => ({
    InstanceId: instanceId,
    CosmosDbEndpoint: endpoint,
    CosmosDbKey: Buffer.from('local-cosmos-test-key').toString('base64'),
    CosmosDbDatabaseId: databaseId,
    HandoffLeaseSeconds: '5',
    HandoffSweepIntervalSeconds: '1',
  });
  let simulator: OpenMessagingSimulator;
  let connector: ConnectorRecorder & { serviceUrl: string };
  const running = new Map<string, { bot: BotInstance; provider: OpenMessagingProvider; live: boolean }>();

  const start = async (instanceId: string, storage?: BotInstance['app']['storage']): Promise<BotInstance> => {
    const { bot, provider } = await startOpenMessagingBot(simulator, connector, env(instanceId), {}, storage);
    running.set(instanceId, { bot, provider, live: true });
    return bot;
  };
  const instance = (id: string): { bot: BotInstance; provider: OpenMessagingProvider } => {
    const found = running.get(id);
    if (found === undefined) throw new Error(`no instance ${id}`);
    return found;
  };
  /** Live instances that hold the subscriber lease now. */
  const holders = (): string[] =>
    [...running].filter(([, i]) => i.live && i.bot.app.handoff.holdsDeploymentDuty).map(([id]) => id);
  const subscribedTopics = (id: string): string[] =>
    instance(id)
      .provider.notifications?.channelIds()
      .flatMap((c) => simulator.channelTopics(c)) ?? [];
  const leaseHolder = async (): Promise<string | undefined> => {
    const doc = await instance([...running.keys()][0] ?? '').bot.app.storage.handoffStore.read(
      dutyLeaseId(NOTIFICATIONS_DUTY),
    );
    return doc?.value.type === 'duty' ? doc.value.holder : undefined;
  };
  /**
   * Exactly one live instance holds the lease, with every open channel (one at most: a channel
   * opens once there is a chat to follow); the others have no subscriber.
   */
  const oneSubscriber = (): string | undefined => {
    const [holder, ...more] = holders();
    if (holder === undefined || more.length > 0 || simulator.connectedChannelCount() > 1) return undefined;
    if ((instance(holder).provider.notifications?.openChannels ?? 0) !== simulator.connectedChannelCount())
      return undefined;
    const others = [...running].filter(([id, i]) => i.live && id !== holder);
    return others.every(([, i]) => i.provider.notifications === undefined) ? holder : undefined;
  };
  /** Waits until exactly one instance subscribes ({@link oneSubscriber}); resolves its id. */
  const theSubscriber = async (): Promise<string> => {
    let holder: string | undefined;
    await eventually(() => (holder = oneSubscriber()) !== undefined, 10_000, 'one subscriber');
    return holder ?? '';
  };
  const pointWebhookAt = (bot: BotInstance): void => {
    simulator.setWebhookUrl(OM_INTEGRATION_ID, `${bot.url}${OPEN_MESSAGING_WEBHOOK_PATH}`);
  };
  async function openVia(bot: BotInstance, conversationId: string): Promise<SimulatedOpenConversation> {
    await bot.say(conversationId, 'talk to an agent');
    await connector.waitForText(conversationId, MESSAGES.queued);
    return simulator.waitForConversation((c) => c.customAttributes.botConversationId === conversationId);
  }
  const topicOf = (chat: SimulatedOpenConversation): string => `v2.detail.events.conversation.${chat.id}.user.start`;

  beforeAll(async () => {
    expect(endpoint).not.toBe('');
    simulator = await startOpenMessagingSimulator();
    connector = await startConnector();
  });

  afterAll(async () => {
    for (const { bot } of running.values()) await bot.app.stop();
    await simulator.stop();
    await connector.stop();
  });

  it('runs one subscriber for the chats of every instance', async () => {
    await start('lease-a');
    await start('lease-b');
    const holder = await theSubscriber();
    const other = holder === 'lease-a' ? 'lease-b' : 'lease-a';
    // A chat opened and held on the instance that is not the subscriber.
    pointWebhookAt(instance(other).bot);
    const chat = await openVia(instance(other).bot, 'lease-1');
    await eventually(() => subscribedTopics(holder).includes(topicOf(chat)), 10_000, 'the holder follows it');
    expect(simulator.connectedChannelCount()).toBe(1);
    simulator.agentJoin(chat.id, 'Anna');
    await connector.waitForText('lease-1', MESSAGES.agentJoined('Anna'), 10_000);
    // The user's typing reaches the agent from whichever instance the channel calls.
    const typingBefore = simulator.stats.inboundTyping;
    for (const id of ['lease-a', 'lease-b']) await instance(id).bot.say('lease-1', '', { type: 'typing' });
    await simulator.waitUntil(() => (simulator.stats.inboundTyping >= typingBefore + 2 ? true : undefined));
    simulator.agentLeave(chat.id);
    await connector.waitForText('lease-1', MESSAGES.agentEnded, 10_000);
    expect(connector.texts('lease-1').filter((t) => t === MESSAGES.agentJoined('Anna'))).toHaveLength(1);
    expect(oneSubscriber()).toBe(holder);
  });

  it('moves the subscriber to another instance when its holder dies', async () => {
    const holder = await theSubscriber();
    const survivor = holder === 'lease-a' ? 'lease-b' : 'lease-a';
    pointWebhookAt(instance(survivor).bot);
    const chat = await openVia(instance(survivor).bot, 'lease-2');
    await eventually(() => subscribedTopics(holder).includes(topicOf(chat)), 10_000, 'the holder follows it');
    await instance(holder).bot.app.abort();
    const entry = running.get(holder);
    if (entry !== undefined) entry.live = false;
    // The lease lapses (it is not released), then the survivor takes it and follows every chat.
    await eventually(() => oneSubscriber() === survivor, 20_000, 'takeover of the lapsed lease');
    await eventually(() => subscribedTopics(survivor).includes(topicOf(chat)), 10_000, 'the survivor follows it');
    expect(simulator.connectedChannelCount()).toBe(1);
    simulator.agentJoin(chat.id, 'Ben');
    await connector.waitForText('lease-2', MESSAGES.agentJoined('Ben'), 10_000);
    simulator.agentLeave(chat.id);
    await connector.waitForText('lease-2', MESSAGES.agentEnded, 10_000);
  });

  it('hands the subscriber over at once when its holder stops', async () => {
    const holder = await theSubscriber();
    await start('lease-c');
    pointWebhookAt(instance('lease-c').bot);
    const chat = await openVia(instance('lease-c').bot, 'lease-3');
    await eventually(() => subscribedTopics(holder).includes(topicOf(chat)), 10_000, 'the holder follows it');
    await instance(holder).bot.app.stop();
    const entry = running.get(holder);
    if (entry !== undefined) entry.live = false;
    // Released, not left to lapse.
    expect(await leaseHolder()).not.toBe(holder);
    await eventually(() => oneSubscriber() === 'lease-c', 10_000, 'lease-c takes the released lease');
    await eventually(() => subscribedTopics('lease-c').includes(topicOf(chat)), 10_000, 'lease-c follows it');
    simulator.agentJoin(chat.id, 'Cleo');
    await connector.waitForText('lease-3', MESSAGES.agentJoined('Cleo'), 10_000);
    // Never two channels at once: one subscriber for the deployment at any time.
    expect(simulator.connectedChannelPeak).toBe(1);
  });

  it('has Genesys call again for a webhook of a chat another instance is still opening', async () => {
    const subscriber = await theSubscriber();
    // An instance whose write of the new chat's Genesys conversation is held back.
    const storage = await createStorage<HandoffDocument>(testConfig(env('lease-d')), createSilentLogger());
    let release: () => void = () => undefined;
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    const inner = storage.handoffStore;
    const held: VersionedStore<HandoffDocument> = {
      read: (id) => inner.read(id),
      create: (value) => inner.create(value),
      replace: async (value, etag) => {
        if (value.type === 'handoff' && value.conversationId === 'lease-4' && value.resumeData !== undefined)
          await released;
        return inner.replace(value, etag);
      },
      delete: (id) => inner.delete(id),
      queryByField: (field, values) => inner.queryByField(field, values),
    };
    const opener = await start('lease-d', { ...storage, handoffStore: held });
    simulator.setWebhookPolicy({ retryDelayMs: 500 });
    pointWebhookAt(instance(subscriber).bot);
    await opener.say('lease-4', 'talk to an agent');
    const chat = await simulator.waitForConversation((c) => c.customAttributes.botConversationId === 'lease-4');
    simulator.agentJoin(chat.id, 'Dora');
    simulator.agentSend(chat.id, 'Quick answer from Dora');
    const refused = (): boolean =>
      simulator.webhookAttempts().some((a) => a.conversationId === chat.id && a.status === 503);
    await eventually(refused, 10_000, 'a retryable answer');
    release();
    await connector.waitForText('lease-4', 'Quick answer from Dora', 10_000);
    await instance(subscriber).bot.app.handoff.whenIdle();
    expect(connector.texts('lease-4').filter((t) => t === 'Quick answer from Dora')).toHaveLength(1);
    // Refused while the chat was being opened, then delivered once.
    expect(simulator.webhookAttempts().filter((a) => a.conversationId === chat.id && a.delivered)).toHaveLength(1);
  });
});
