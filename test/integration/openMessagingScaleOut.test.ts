import { randomUUID } from 'node:crypto';
import { handoffRecordId } from '../../src/handoff/handoffKeys';
import { OPEN_MESSAGING_WEBHOOK_PATH } from '../../src/http/openMessagingWebhook';
import { MESSAGES } from '../../src/resources/messages';
import type { OpenMessagingSimulator, SimulatedOpenConversation } from '../../src/simulator/openMessaging';
import type { OpenMessagingProvider } from '../../src/genesys/openMessaging';
import type { ConnectorRecorder } from '../support/connectorRecorder';
import { eventually } from '../support/eventually';
import type { BotInstance } from '../support/handoffRig';
import { startConnector } from '../support/handoffRig';
import { OM_INTEGRATION_ID, startOpenMessagingBot, startOpenMessagingSimulator } from '../support/openMessagingRig';

/**
 * Two bot instances on one Cosmos DB (the local protocol server) and one Open Messaging simulator:
 * Genesys' webhook reaches whichever instance it calls, which takes the chat over and relays it;
 * when an instance dies its chats (and their notification topics) move to the other.
 */
describe('Open Messaging on several instances sharing Cosmos DB', () => {
  const endpoint = process.env.TEST_COSMOS_ENDPOINT ?? '';
  const databaseId = `om-scaleout-${randomUUID().slice(0, 8)}`;
  let simulator: OpenMessagingSimulator;
  let connector: ConnectorRecorder & { serviceUrl: string };
  const running: BotInstance[] = [];
  const providers = new Map<BotInstance, OpenMessagingProvider>();

  const start = async (instanceId: string): Promise<BotInstance> => {
    const { bot, provider } = await startOpenMessagingBot(simulator, connector, {
      InstanceId: instanceId,
      CosmosDbEndpoint: endpoint,
      CosmosDbKey: Buffer.from('local-cosmos-test-key').toString('base64'),
      CosmosDbDatabaseId: databaseId,
      HandoffLeaseSeconds: '5',
      HandoffSweepIntervalSeconds: '1',
    });
    running.push(bot);
    providers.set(bot, provider);
    return bot;
  };

  beforeAll(async () => {
    expect(endpoint).not.toBe('');
    simulator = await startOpenMessagingSimulator();
    connector = await startConnector();
  });

  afterAll(async () => {
    for (const bot of running) await bot.app.stop();
    await simulator.stop();
    await connector.stop();
  });

  const ownerOf = async (bot: BotInstance, conversationId: string): Promise<string | undefined> => {
    const doc = await bot.app.storage.handoffStore.read(handoffRecordId('emulator', conversationId));
    return doc?.value.type === 'handoff' ? doc.value.owner : undefined;
  };

  const pointWebhookAt = (bot: BotInstance): void => {
    simulator.setWebhookUrl(OM_INTEGRATION_ID, `${bot.url}${OPEN_MESSAGING_WEBHOOK_PATH}`);
  };

  async function openVia(bot: BotInstance, conversationId: string): Promise<SimulatedOpenConversation> {
    await bot.say(conversationId, 'talk to an agent');
    await connector.waitForText(conversationId, MESSAGES.queued);
    return simulator.waitForConversation((c) => c.customAttributes.botConversationId === conversationId);
  }

  it('relays a webhook that reaches the instance not holding the chat, once', async () => {
    const a = await start('om-a');
    const b = await start('om-b');
    const chat = await openVia(a, 'om-scale-1');
    expect(await ownerOf(a, 'om-scale-1')).toBe('om-a');
    pointWebhookAt(b);
    simulator.agentJoin(chat.id, 'Anna');
    simulator.agentSend(chat.id, 'Hello from Anna');
    await connector.waitForText('om-scale-1', 'Hello from Anna');
    expect(await ownerOf(a, 'om-scale-1')).toBe('om-b');
    // Any instance sends what the user writes.
    await a.say('om-scale-1', 'written through a');
    await b.say('om-scale-1', 'written through b');
    await simulator.waitUntil(() => {
      const texts = simulator.conversation(chat.id)?.messages.map((m) => m.text) ?? [];
      return texts.includes('written through a') && texts.includes('written through b') ? true : undefined;
    });
    await a.app.handoff.whenIdle();
    await b.app.handoff.whenIdle();
    expect(connector.texts('om-scale-1').filter((t) => t === 'Hello from Anna')).toHaveLength(1);
    simulator.agentLeave(chat.id);
    await connector.waitForText('om-scale-1', MESSAGES.agentEnded);
  });

  it('moves a chat and its notification topics to the survivor when its owner dies', async () => {
    const [a, b] = running as [BotInstance, BotInstance];
    pointWebhookAt(a);
    const chat = await openVia(a, 'om-scale-2');
    expect(await ownerOf(a, 'om-scale-2')).toBe('om-a');
    await a.app.abort();
    pointWebhookAt(b);
    await eventually(async () => (await ownerOf(b, 'om-scale-2')) === 'om-b', 20_000, 'takeover by om-b');
    const topic = `v2.detail.events.conversation.${chat.id}.user.start`;
    const subscriber = providers.get(b)?.notifications;
    await eventually(
      () => (subscriber?.channelIds() ?? []).some((id) => simulator.channelTopics(id).includes(topic)),
      5000,
      'om-b subscribed to the chat',
    );
    simulator.agentJoin(chat.id, 'Ben');
    await connector.waitForText('om-scale-2', MESSAGES.agentJoined('Ben'), 20_000);
    simulator.agentLeave(chat.id);
    await connector.waitForText('om-scale-2', MESSAGES.agentEnded, 20_000);
  });
});
