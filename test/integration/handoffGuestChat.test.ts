import { MESSAGES } from '../../src/resources/messages';
import {
  GuestChatSimulator,
  SIMULATOR_DEPLOYMENT_ID,
  SIMULATOR_ORGANIZATION_ID,
  SIMULATOR_QUEUE_NAME,
  type GuestChatSimConversation,
} from '../../src/simulator/guestChat/guestChatSimulator';
import type { ConnectorRecorder } from '../support/connectorRecorder';
import { BotInstance, startConnector } from '../support/handoffRig';
import { testConfig } from '../support/testConfig';

/** The whole product over real sockets with the opt-in Guest Chat v2 provider. */
describe('handoff over Guest Chat v2', () => {
  let simulator: GuestChatSimulator;
  let apiUrl: string;
  let connector: ConnectorRecorder & { serviceUrl: string };
  let bot: BotInstance;

  const config = (env: Record<string, string> = {}) =>
    testConfig({
      GenesysProvider: 'guestchat',
      GenesysDeploymentId: SIMULATOR_DEPLOYMENT_ID,
      GenesysOrganizationId: SIMULATOR_ORGANIZATION_ID,
      GenesysQueueName: SIMULATOR_QUEUE_NAME,
      GenesysApiUrl: apiUrl,
      ...env,
    });

  beforeAll(async () => {
    simulator = new GuestChatSimulator({ heartbeatIntervalMs: 60_000 });
    apiUrl = await simulator.start();
    connector = await startConnector();
    bot = await BotInstance.start(config(), connector);
  });

  afterAll(async () => {
    await bot.app.stop();
    await simulator.stop();
    await connector.stop();
  });

  async function connect(conversationId: string): Promise<GuestChatSimConversation> {
    await bot.say(conversationId, 'what payment methods do you accept?');
    await connector.waitForText(conversationId, 'PayPal');
    await bot.say(conversationId, 'agent please');
    await connector.waitForText(conversationId, MESSAGES.queued);
    const chat = await simulator.waitForConversation((c) => c.customFields.botConversationId === conversationId);
    simulator.agentJoin(chat.id, { displayName: 'Anna' });
    await connector.waitForText(conversationId, MESSAGES.agentJoined('Anna'));
    return chat;
  }

  it('opens the chat on the configured queue and sends the transcript first', async () => {
    const chat = await connect('gc-transcript');
    expect(chat.routingTarget.targetAddress).toBe(SIMULATOR_QUEUE_NAME);
    const first = simulator.conversation(chat.id).messages.find((m) => m.bodyType === 'standard');
    expect(first?.body).toContain('what payment methods do you accept?');
    expect(first?.body).toContain('PayPal');
  });

  it('relays messages both ways', async () => {
    const chat = await connect('gc-relay');
    simulator.agentSend(chat.id, 'How can I help?');
    await connector.waitForText('gc-relay', 'How can I help?');
    await bot.say('gc-relay', 'my parcel is late');
    await simulator.waitForGuestMessage(chat.id, (m) => m.body === 'my parcel is late');
  });

  it('ends when the user types "end chat"', async () => {
    const chat = await connect('gc-user-end');
    await bot.say('gc-user-end', 'end chat');
    await connector.waitForText('gc-user-end', MESSAGES.userEnded);
    expect((await simulator.waitForEnd(chat.id)).endedBy).toBe('guest');
  });

  it('hands back to the bot when the agent ends the chat', async () => {
    const chat = await connect('gc-agent-end');
    simulator.endConversation(chat.id);
    await connector.waitForText('gc-agent-end', MESSAGES.agentEnded);
    await bot.say('gc-agent-end', 'help');
    await connector.waitForText('gc-agent-end', MESSAGES.help);
  });

  it('announces a transfer and the next agent', async () => {
    const chat = await connect('gc-transfer');
    simulator.transfer(chat.id, 'Ben');
    await connector.waitForText('gc-transfer', MESSAGES.agentTransferred);
    await connector.waitForText('gc-transfer', MESSAGES.agentJoined('Ben'));
  });

  it('tells the user plainly when the API is retired for the org', async () => {
    simulator.setRetired(true);
    try {
      await bot.say('gc-retired', 'agent');
      await connector.waitForText('gc-retired', MESSAGES.handoffRefused);
    } finally {
      simulator.setRetired(false);
    }
  });

  it('tells the user plainly when the queue does not exist', async () => {
    const other = await BotInstance.start(config({ GenesysQueueName: 'No Such Queue' }), connector);
    try {
      await other.say('gc-bad-queue', 'agent');
      await connector.waitForText('gc-bad-queue', MESSAGES.handoffRefused);
    } finally {
      await other.app.stop();
    }
  });

  it('resumes after a restart without losing or repeating agent messages', async () => {
    const chat = await connect('gc-restart');
    simulator.agentSend(chat.id, 'before the restart');
    await connector.waitForText('gc-restart', 'before the restart');
    const storage = bot.app.storage;
    await bot.app.handoff.shutdown();
    simulator.agentSend(chat.id, 'while the bot was down');
    // A new instance on the first one's storage, as after a process restart with Cosmos DB.
    const restarted = await BotInstance.startWithStorage(config({ InstanceId: 'restarted' }), connector, storage);
    try {
      await connector.waitForText('gc-restart', 'while the bot was down', 10_000);
      simulator.agentSend(chat.id, 'after the restart');
      await connector.waitForText('gc-restart', 'after the restart');
      await restarted.app.handoff.whenIdle();
      const texts = connector.texts('gc-restart');
      expect(texts.filter((t) => t === 'before the restart')).toHaveLength(1);
      expect(texts.filter((t) => t === 'while the bot was down')).toHaveLength(1);
      await restarted.say('gc-restart', 'thank you');
      await simulator.waitForGuestMessage(chat.id, (m) => m.body === 'thank you');
    } finally {
      await restarted.app.stop();
    }
  });
});
