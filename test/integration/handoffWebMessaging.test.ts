import { MESSAGES } from '../../src/resources/messages';
import type {
  SimulatedConversationInfo,
  WebMessagingSimulator,
} from '../../src/simulator/webMessaging/webMessagingSimulator';
import { BotInstance, simulatorConfig, startConnector, startWebMessagingSimulator } from '../support/handoffRig';
import { testConfig } from '../support/testConfig';
import type { ConnectorRecorder } from '../support/connectorRecorder';

/**
 * The whole product over real sockets: the bot over HTTP as the Emulator drives it, the Web
 * Messaging provider against the Genesys simulator.
 */
describe('handoff over Web Messaging', () => {
  let simulator: WebMessagingSimulator;
  let connector: ConnectorRecorder & { serviceUrl: string };
  let bot: BotInstance;

  beforeAll(async () => {
    simulator = await startWebMessagingSimulator();
    connector = await startConnector();
    bot = await BotInstance.start(simulatorConfig(simulator), connector);
  });

  afterAll(async () => {
    await bot.app.stop();
    await simulator.stop();
    await connector.stop();
  });

  const chatOf = (conversationId: string): Promise<SimulatedConversationInfo> =>
    simulator.waitForConversation(
      (c) => c.customAttributes.botConversationId === conversationId && c.state !== 'ended',
      5000,
    );

  async function openChat(conversationId: string): Promise<SimulatedConversationInfo> {
    await bot.say(conversationId, 'how long does delivery take?');
    await connector.waitForText(conversationId, 'Standard delivery');
    await bot.say(conversationId, 'I want to talk to a human');
    await connector.waitForText(conversationId, MESSAGES.queued);
    return chatOf(conversationId);
  }

  async function connect(conversationId: string, agent = 'Anna'): Promise<SimulatedConversationInfo> {
    const chat = await openChat(conversationId);
    simulator.agentJoin(chat.id, { displayName: agent });
    simulator.agentSend(chat.id, `Hello, this is ${agent}`);
    await connector.waitForText(conversationId, `Hello, this is ${agent}`);
    return chat;
  }

  const guestTexts = (chatId: string): string[] =>
    (simulator.findConversation(chatId)?.messages ?? [])
      .filter((m) => m.direction === 'Inbound' && m.type === 'Text')
      .map((m) => m.text);

  it('hands the agent the transcript and participant data', async () => {
    const chat = await openChat('wm-transcript');
    expect(chat.messages[0]?.text).toContain('Customer');
    expect(chat.messages[0]?.text).toContain('how long does delivery take?');
    expect(chat.messages[0]?.text).toContain('Standard delivery');
    expect(chat.customAttributes).toMatchObject({
      botChannel: 'emulator',
      botConversationId: 'wm-transcript',
      botUserName: 'Dana Customer',
    });
    expect(connector.texts('wm-transcript').slice(-2)).toEqual([MESSAGES.connecting, MESSAGES.queued]);
  });

  it('relays a message written while queued', async () => {
    const chat = await openChat('wm-queued');
    await bot.say('wm-queued', 'are you there?');
    await simulator.waitUntil(() => (guestTexts(chat.id).includes('are you there?') ? true : undefined));
    // The first message while waiting is acknowledged; nothing else is said.
    expect(connector.texts('wm-queued').slice(-2)).toEqual([MESSAGES.queued, MESSAGES.passedOnWhileWaiting]);
  });

  it('announces the agent, relays messages both ways, and shows agent typing', async () => {
    const chat = await connect('wm-chat');
    const texts = connector.texts('wm-chat');
    expect(texts.slice(-2)).toEqual([MESSAGES.agentJoined('Anna'), 'Hello, this is Anna']);
    expect(simulator.agentTyping(chat.id)).toBe(true);
    await connector.waitFor(
      () => connector.activities.some((a) => a.conversationId === 'wm-chat' && a.activity.type === 'typing'),
      5000,
      'typing',
    );
    await bot.say('wm-chat', 'I need help with my order');
    await simulator.waitUntil(() => (guestTexts(chat.id).includes('I need help with my order') ? true : undefined));
    await bot.app.handoff.whenIdle();
    const agentMessages = connector.activities.filter(
      (a) => a.conversationId === 'wm-chat' && a.activity.text === 'Hello, this is Anna',
    );
    expect(agentMessages).toHaveLength(1);
    expect(agentMessages[0]?.activity.replyToId).toBeUndefined();
  });

  it('ends the chat when the user types "end chat", then the bot answers again', async () => {
    const chat = await connect('wm-user-end');
    await bot.say('wm-user-end', 'end chat');
    await connector.waitForText('wm-user-end', MESSAGES.userEnded);
    await simulator.waitUntil(() => (simulator.findConversation(chat.id)?.state === 'ended' ? true : undefined));
    await bot.say('wm-user-end', 'help');
    await connector.waitForText('wm-user-end', MESSAGES.help);
  });

  it('hands back to the bot when the agent ends the chat', async () => {
    const chat = await connect('wm-agent-end');
    simulator.agentLeave(chat.id);
    await connector.waitForText('wm-agent-end', MESSAGES.agentEnded);
    await bot.say('wm-agent-end', 'how do returns work?');
    await connector.waitForText('wm-agent-end', 'return any item within 30 days');
  });

  it('never crosses two conversations', async () => {
    const [a, b] = await Promise.all([connect('wm-cross-a', 'Anna'), connect('wm-cross-b', 'Ben')]);
    await bot.say('wm-cross-a', 'only for Anna');
    await bot.say('wm-cross-b', 'only for Ben');
    await simulator.waitUntil(() =>
      guestTexts(a.id).includes('only for Anna') && guestTexts(b.id).includes('only for Ben') ? true : undefined,
    );
    await bot.app.handoff.whenIdle();
    expect(guestTexts(a.id)).not.toContain('only for Ben');
    expect(guestTexts(b.id)).not.toContain('only for Anna');
    expect(connector.texts('wm-cross-a')).not.toContain('Hello, this is Ben');
    expect(connector.texts('wm-cross-b')).not.toContain('Hello, this is Anna');
  });

  it('backfills what the agent said while the socket was down, exactly once', async () => {
    const chat = await connect('wm-drop');
    simulator.dropConnections(chat.id);
    simulator.agentSend(chat.id, 'said while you were away');
    await connector.waitForText('wm-drop', 'said while you were away', 15_000);
    simulator.agentSend(chat.id, 'and after you came back');
    await connector.waitForText('wm-drop', 'and after you came back', 15_000);
    await bot.app.handoff.whenIdle();
    const texts = connector.texts('wm-drop');
    expect(texts.filter((t) => t === 'said while you were away')).toHaveLength(1);
    expect(texts.indexOf('said while you were away')).toBeLessThan(texts.indexOf('and after you came back'));
  });

  it('splits a 10,000-character message without losing any of it', async () => {
    const chat = await connect('wm-long');
    const words = Array.from({ length: 1700 }, (_, i) => `w${i}`);
    const long = words.join(' ').slice(0, 10_000);
    await bot.say('wm-long', long);
    await simulator.waitUntil(
      () => (guestTexts(chat.id).join(' ').includes(long.slice(-20)) ? true : undefined),
      10_000,
    );
    const parts = guestTexts(chat.id).filter((t) => t.startsWith('w') && /^w\d/.test(t));
    expect(parts.length).toBeGreaterThanOrEqual(3);
    expect(parts.join('')).toBe(long);
  });
});

describe('handoff over Web Messaging: timers and refusals', () => {
  let simulator: WebMessagingSimulator;
  let connector: ConnectorRecorder & { serviceUrl: string };

  beforeAll(async () => {
    simulator = await startWebMessagingSimulator();
    connector = await startConnector();
  });

  afterAll(async () => {
    await simulator.stop();
    await connector.stop();
  });

  it('gives up after the queue timeout and tells the user', async () => {
    const bot = await BotInstance.start(
      simulatorConfig(simulator, { HandoffQueueTimeoutSeconds: '1', HandoffSweepIntervalSeconds: '1' }),
      connector,
    );
    try {
      await bot.say('wm-queue-timeout', 'agent');
      await connector.waitForText('wm-queue-timeout', MESSAGES.queueTimeout, 5000);
      const chat = simulator.conversations().find((c) => c.customAttributes.botConversationId === 'wm-queue-timeout');
      await simulator.waitUntil(() =>
        simulator.findConversation(chat?.id ?? '')?.state === 'ended' ? true : undefined,
      );
    } finally {
      await bot.app.stop();
    }
  });

  it('warns, then closes an idle chat', async () => {
    const bot = await BotInstance.start(
      simulatorConfig(simulator, {
        HandoffIdleTimeoutSeconds: '3',
        HandoffIdleWarningSeconds: '2',
        HandoffSweepIntervalSeconds: '1',
      }),
      connector,
    );
    try {
      await bot.say('wm-idle', 'agent');
      const chat = await simulator.waitForConversation((c) => c.customAttributes.botConversationId === 'wm-idle');
      simulator.agentJoin(chat.id, { displayName: 'Anna' });
      simulator.agentSend(chat.id, 'Hi');
      await connector.waitForText('wm-idle', 'Hi');
      await connector.waitForText('wm-idle', 'Are you still there?', 5000);
      await connector.waitForText('wm-idle', MESSAGES.idleTimeout, 5000);
    } finally {
      await bot.app.stop();
    }
  });

  it('tells the user plainly when Genesys refuses the deployment', async () => {
    const config = testConfig({
      GenesysDeploymentId: '00000000-0000-4000-8000-0000000000ff',
      GenesysWebMessagingUrl: simulator.webMessagingUrl,
      GenesysApiUrl: simulator.apiUrl,
    });
    const bot = await BotInstance.start(config, connector);
    try {
      await bot.say('wm-refused', 'agent');
      await connector.waitForText('wm-refused', MESSAGES.handoffRefused);
      await bot.say('wm-refused', 'help');
      await connector.waitForText('wm-refused', MESSAGES.help);
    } finally {
      await bot.app.stop();
    }
  });

  it('tells the user when Genesys cannot be reached', async () => {
    const config = testConfig({
      GenesysDeploymentId: '00000000-0000-4000-8000-0000000000ff',
      GenesysWebMessagingUrl: 'ws://127.0.0.1:1/v1',
      GenesysApiUrl: 'http://127.0.0.1:1',
    });
    const bot = await BotInstance.start(config, connector);
    try {
      await bot.say('wm-unreachable', 'agent');
      await connector.waitForText('wm-unreachable', MESSAGES.handoffFailed, 15_000);
    } finally {
      await bot.app.stop();
    }
  });
});
