import { randomUUID } from 'node:crypto';
import { handoffRecordId } from '../../src/handoff/handoffKeys';
import { MESSAGES } from '../../src/resources/messages';
import type {
  SimulatedConversationInfo,
  WebMessagingSimulator,
} from '../../src/simulator/webMessaging/webMessagingSimulator';
import { postActivity, userMessage, type ConnectorRecorder } from '../support/connectorRecorder';
import { eventually } from '../support/eventually';
import { BotInstance, simulatorConfig, startConnector, startWebMessagingSimulator } from '../support/handoffRig';
import { WebMessagingProxy } from '../support/webMessagingProxy';

/**
 * Several bot instances on one Cosmos DB (the local protocol server) and one Genesys simulator:
 * any instance takes any user message, exactly one holds each chat's connection, and chats move
 * to a live instance when their owner dies.
 */
describe('running as several instances on Cosmos DB', () => {
  const endpoint = process.env.TEST_COSMOS_ENDPOINT ?? '';
  const databaseId = `scaleout-${randomUUID().slice(0, 8)}`;
  let simulator: WebMessagingSimulator;
  let proxy: WebMessagingProxy;
  let proxyUrl: string;
  let connector: ConnectorRecorder & { serviceUrl: string };
  const running: BotInstance[] = [];

  const start = async (instanceId: string): Promise<BotInstance> => {
    const config = simulatorConfig(simulator, {
      GenesysWebMessagingUrl: proxyUrl,
      InstanceId: instanceId,
      CosmosDbEndpoint: endpoint,
      CosmosDbKey: Buffer.from('local-cosmos-test-key').toString('base64'),
      CosmosDbDatabaseId: databaseId,
      HandoffLeaseSeconds: '5',
      HandoffSweepIntervalSeconds: '1',
    });
    const bot = await BotInstance.start(config, connector);
    running.push(bot);
    return bot;
  };

  beforeAll(async () => {
    expect(endpoint).not.toBe('');
    simulator = await startWebMessagingSimulator();
    proxy = new WebMessagingProxy(simulator.webMessagingUrl);
    proxyUrl = await proxy.start();
    connector = await startConnector();
  });

  afterAll(async () => {
    for (const bot of running) await bot.app.stop();
    await proxy.stop();
    await simulator.stop();
    await connector.stop();
  });

  const ownerOf = async (bot: BotInstance, conversationId: string): Promise<string | undefined> => {
    const doc = await bot.app.storage.handoffStore.read(handoffRecordId('emulator', conversationId));
    return doc?.value.type === 'handoff' ? doc.value.owner : undefined;
  };

  const guestTexts = (chatId: string): string[] =>
    (simulator.findConversation(chatId)?.messages ?? [])
      .filter((m) => m.direction === 'Inbound' && m.type === 'Text')
      .map((m) => m.text);

  async function connectVia(bot: BotInstance, conversationId: string): Promise<SimulatedConversationInfo> {
    await bot.say(conversationId, 'talk to an agent');
    await connector.waitForText(conversationId, MESSAGES.queued);
    const chat = await simulator.waitForConversation(
      (c) => c.customAttributes.botConversationId === conversationId && c.state !== 'ended',
    );
    simulator.agentJoin(chat.id, { displayName: 'Anna' });
    simulator.agentSend(chat.id, 'Hello from Anna');
    await connector.waitForText(conversationId, 'Hello from Anna');
    return chat;
  }

  it('delivers user messages that arrive at alternating instances once each, in order', async () => {
    const a = await start('instance-a');
    const b = await start('instance-b');
    const chat = await connectVia(a, 'scale-alternate');
    const sent: string[] = [];
    for (let i = 1; i <= 8; i++) {
      const text = `message ${i}`;
      sent.push(text);
      await (i % 2 === 0 ? b : a).say('scale-alternate', text);
    }
    await simulator.waitUntil(() => (guestTexts(chat.id).includes('message 8') ? true : undefined), 10_000);
    expect(guestTexts(chat.id).filter((t) => t.startsWith('message '))).toEqual(sent);
    // Only the owner holds a connection; the other sends on short-lived ones that it closes.
    expect(await ownerOf(a, 'scale-alternate')).toBe('instance-a');
    expect(a.app.handoff.localChatCount).toBe(1);
    expect(b.app.handoff.localChatCount).toBe(0);
    await a.app.stop();
    await b.app.stop();
  });

  it('moves a chat to a live instance when its owner dies, losing and repeating nothing', async () => {
    const owner = await start('instance-owner');
    const survivor = await start('instance-survivor');
    const chat = await connectVia(owner, 'scale-failover');
    await owner.app.abort();
    const said: string[] = [];
    for (let i = 1; i <= 6; i++) {
      const text = `agent line ${i}`;
      said.push(text);
      simulator.agentSend(chat.id, text);
      await new Promise((resolve) => setTimeout(resolve, 300));
    }
    const diedAt = Date.now();
    await connector.waitForText('scale-failover', 'agent line 6', 15_000);
    const recoveredWithin = Date.now() - diedAt;
    await survivor.app.handoff.whenIdle();
    const received = connector.texts('scale-failover').filter((t) => t.startsWith('agent line '));
    expect(received).toEqual(said);
    // Lease 5 s, sweeps every second: the survivor must have taken over well within two leases.
    expect(recoveredWithin).toBeLessThan(10_000);
    expect(await ownerOf(survivor, 'scale-failover')).toBe('instance-survivor');
    await survivor.say('scale-failover', 'still there?');
    await simulator.waitUntil(() => (guestTexts(chat.id).includes('still there?') ? true : undefined));
    await survivor.app.stop();
  });

  it('resumes every chat when all instances restart', async () => {
    const first = await start('instance-first');
    const chats = await Promise.all(
      ['scale-restart-1', 'scale-restart-2', 'scale-restart-3'].map((id) => connectVia(first, id)),
    );
    await first.app.stop();
    chats.forEach((chat, i) => simulator.agentSend(chat.id, `while everything was down ${i + 1}`));
    const second = await start('instance-second');
    for (let i = 0; i < chats.length; i++) {
      await connector.waitForText(`scale-restart-${i + 1}`, `while everything was down ${i + 1}`, 10_000);
    }
    await second.app.handoff.whenIdle();
    for (let i = 0; i < chats.length; i++)
      expect(await ownerOf(second, `scale-restart-${i + 1}`)).toBe('instance-second');
    for (let i = 0; i < chats.length; i++) {
      expect(connector.texts(`scale-restart-${i + 1}`).filter((t) => t.startsWith('Hello from Anna'))).toHaveLength(1);
    }
    await second.app.stop();
  });

  it('ignores a redelivery that reaches the other instance: one chat, one message', async () => {
    const a = await start('instance-redeliver-a');
    const b = await start('instance-redeliver-b');
    const ask = userMessage(connector.serviceUrl, 'scale-redeliver', 'talk to an agent');
    expect((await postActivity(a.url, ask)).status).toBe(200);
    expect((await postActivity(b.url, ask)).status).toBe(200);
    await connector.waitForText('scale-redeliver', MESSAGES.queued);
    const chat = await simulator.waitForConversation(
      (c) => c.customAttributes.botConversationId === 'scale-redeliver' && c.state !== 'ended',
    );
    simulator.agentJoin(chat.id, { displayName: 'Anna' });
    simulator.agentSend(chat.id, 'Hello from Anna');
    await connector.waitForText('scale-redeliver', 'Hello from Anna');
    const once = userMessage(connector.serviceUrl, 'scale-redeliver', 'said once');
    expect((await postActivity(a.url, once)).status).toBe(200);
    expect((await postActivity(b.url, once)).status).toBe(200);
    await b.say('scale-redeliver', 'then this');
    await simulator.waitUntil(() => (guestTexts(chat.id).includes('then this') ? true : undefined));
    await a.app.handoff.whenIdle();
    await b.app.handoff.whenIdle();
    expect(guestTexts(chat.id).slice(1)).toEqual(['said once', 'then this']);
    expect(
      simulator.conversations().filter((c) => c.customAttributes.botConversationId === 'scale-redeliver'),
    ).toHaveLength(1);
    expect(connector.texts('scale-redeliver').filter((t) => t === MESSAGES.connecting)).toHaveLength(1);
    await a.app.stop();
    await b.app.stop();
  });

  it('sends a message its instance died while sending, from the instance that takes over, once', async () => {
    const owner = await start('instance-dies-sending');
    const survivor = await start('instance-resumes-sending');
    const chat = await connectVia(owner, 'scale-in-flight');
    const release = proxy.hold('onMessage');
    await owner.say('scale-in-flight', 'in flight');
    await eventually(() => proxy.held('onMessage') === 1, 5000, 'the message to be on its way to Genesys');
    await owner.app.abort();
    release();
    await simulator.waitUntil(() => (guestTexts(chat.id).includes('in flight') ? true : undefined), 15_000);
    await survivor.app.handoff.whenIdle();
    expect(guestTexts(chat.id).filter((t) => t === 'in flight')).toHaveLength(1);
    expect(await ownerOf(survivor, 'scale-in-flight')).toBe('instance-resumes-sending');
    expect(connector.texts('scale-in-flight')).not.toContain(MESSAGES.messageNotDeliveredQuoted('in flight'));
    await survivor.app.stop();
  }, 30_000);
});
