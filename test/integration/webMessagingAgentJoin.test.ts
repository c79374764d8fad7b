import { createLogger } from '../../src/logger';
import { MESSAGES } from '../../src/resources/messages';
import {
  WebMessagingSimulator,
  type SimulatedConversationInfo,
} from '../../src/simulator/webMessaging/webMessagingSimulator';
import { queueTopicOf } from '../../src/genesys/webMessaging/queueConversationEvent';
import { WebMessagingSession } from '../../src/genesys/webMessaging/webMessagingSession';
import type { ConnectorRecorder } from '../support/connectorRecorder';
import { eventually } from '../support/eventually';
import { BotInstance, simulatorConfig, startConnector, TEST_DEPLOYMENT_ID } from '../support/handoffRig';
import { barrier, EventRecorder, providerFor } from './webMessagingSupport';

/**
 * Agent-join detection for Web Messaging over real sockets (docs/genesys-protocol.md §5.17): the bot
 * over HTTP as the Emulator drives it, the Web Messaging provider against the simulator, whose
 * Platform API side serves the OAuth token, the notifications channel and the queue topic, and the
 * Users API. With the OAuth client and the queue configured, the user is told the agent joined as
 * soon as the agent accepts, by the name the Users API gives; without them, or with a client Genesys
 * refuses, the agent is announced at their first message, as the guest protocol allows.
 */

const QUEUE_ID = 'a9e3f2c1-0000-4000-8000-0000000000b1';
const CLIENT = { clientId: 'bot-webmessaging', clientSecret: 'the-right-secret' };

describe('agent joining a Web Messaging chat', () => {
  let simulator: WebMessagingSimulator;
  let connector: ConnectorRecorder & { serviceUrl: string };

  beforeAll(async () => {
    simulator = new WebMessagingSimulator({
      deployments: [
        { id: TEST_DEPLOYMENT_ID, conversationDisconnect: 'Send', conversationClear: true, queueId: QUEUE_ID },
      ],
      queues: [{ id: QUEUE_ID, name: 'Bot handoff' }],
      platform: { clients: [CLIENT], users: [{ id: 'user-anna', name: 'Anna Example' }] },
      port: 0,
      host: '127.0.0.1',
      messagesPerSecond: 20,
    });
    await simulator.start();
    connector = await startConnector();
  });

  afterAll(async () => {
    await simulator.stop();
    await connector.stop();
  });

  const joinEnv = (secret = CLIENT.clientSecret): Record<string, string> => ({
    GenesysOAuthClientId: CLIENT.clientId,
    GenesysOAuthClientSecret: secret,
    GenesysLoginUrl: simulator.apiUrl,
    GenesysWebMessagingQueueIds: QUEUE_ID,
  });

  async function openChat(bot: BotInstance, conversationId: string): Promise<SimulatedConversationInfo> {
    await bot.say(conversationId, 'I want to talk to a human');
    await connector.waitForText(conversationId, MESSAGES.queued);
    return simulator.waitForConversation(
      (c) => c.customAttributes.botConversationId === conversationId && c.state !== 'ended',
    );
  }

  const joinNotices = (conversationId: string): string[] =>
    connector.texts(conversationId).filter((t) => t.startsWith(MESSAGES.agentJoined('').replace(/\.$/, '').trim()));

  it('tells the user the agent joined when the agent accepts, before any agent message, by the Users API name', async () => {
    const bot = await BotInstance.start(simulatorConfig(simulator, joinEnv()), connector);
    try {
      await simulator.waitUntil(
        () => (simulator.notificationTopics().includes(queueTopicOf(QUEUE_ID)) ? true : undefined),
        10_000,
        'the queue topic subscription',
      );
      const chat = await openChat(bot, 'wm-join-accept');
      expect(Object.keys(chat.customAttributes)[0]).toBe('botHandoffId');

      simulator.agentJoin(chat.id, { displayName: 'Anna', id: 'user-anna' });
      await connector.waitForText('wm-join-accept', MESSAGES.agentJoined('Anna Example'));
      // Nothing came from the agent over Web Messaging: the notice came from the queue topic.
      expect(simulator.conversation(chat.id).messages.filter((m) => m.direction === 'Outbound')).toEqual([]);
      const agent = simulator.platformParticipants(chat.id).find((p) => p.purpose === 'agent');
      expect(agent).toMatchObject({ state: 'connected', userId: 'user-anna' });

      // The agent's first message (nickname "Anna") does not announce the agent again.
      simulator.agentSend(chat.id, 'Hello, how can I help?');
      await connector.waitForText('wm-join-accept', 'Hello, how can I help?');
      expect(joinNotices('wm-join-accept')).toEqual([MESSAGES.agentJoined('Anna Example')]);
      expect(simulator.platformStats.tokensIssued).toBeGreaterThan(0);
    } finally {
      await bot.app.stop();
    }
  });

  it('without the OAuth client and queue, announces the agent at their first message and uses no Platform API', async () => {
    const tokensBefore = simulator.platformStats.tokensIssued;
    const bot = await BotInstance.start(simulatorConfig(simulator), connector);
    try {
      const chat = await openChat(bot, 'wm-join-plain');
      expect(chat.customAttributes).not.toHaveProperty('botHandoffId');
      simulator.agentJoin(chat.id, { displayName: 'Anna', id: 'user-anna' });
      simulator.agentSend(chat.id, 'Hi, Anna here');
      await connector.waitForText('wm-join-plain', 'Hi, Anna here');
      const texts = connector.texts('wm-join-plain');
      // The WM nickname, announced right before the message it came with.
      expect(texts.slice(-2)).toEqual([MESSAGES.agentJoined('Anna'), 'Hi, Anna here']);
      expect(joinNotices('wm-join-plain')).toHaveLength(1);
      expect(simulator.platformStats.tokensIssued).toBe(tokensBefore);
    } finally {
      await bot.app.stop();
    }
  });

  it('with an OAuth client Genesys refuses (401), logs it once and still hands over, announcing at the first message', async () => {
    const lines: string[] = [];
    const logger = createLogger({
      level: 'info',
      destination: {
        write: (line: string) => {
          lines.push(line);
        },
      },
    });
    const bot = await BotInstance.start(
      simulatorConfig(simulator, joinEnv('a-wrong-secret')),
      connector,
      undefined,
      logger,
    );
    const refusals = (): string[] => lines.filter((l) => l.includes('Genesys refused the OAuth client'));
    try {
      await eventually(() => refusals().length > 0, 10_000, 'the refusal to be logged');
      const chat = await openChat(bot, 'wm-join-refused');
      simulator.agentJoin(chat.id, { displayName: 'Anna', id: 'user-anna' });
      simulator.agentSend(chat.id, 'Anna speaking');
      await connector.waitForText('wm-join-refused', 'Anna speaking');
      expect(connector.texts('wm-join-refused').slice(-2)).toEqual([MESSAGES.agentJoined('Anna'), 'Anna speaking']);
      expect(refusals()).toHaveLength(1);
      expect(lines.join('\n')).not.toContain('a-wrong-secret');
    } finally {
      await bot.app.stop();
    }
  });

  describe('the provider on its own', () => {
    async function startJoinChat(
      events: EventRecorder,
      { withWatch = true } = {},
    ): Promise<{ chatId: string; session: WebMessagingSession; stop: () => Promise<void> }> {
      const provider = providerFor(
        simulator,
        TEST_DEPLOYMENT_ID,
        withWatch ? { agentJoins: { ...CLIENT, loginUrl: simulator.apiUrl, queueIds: [QUEUE_ID] } } : {},
      );
      if (withWatch) {
        await provider.startAgentJoinWatch();
        await simulator.waitUntil(() =>
          provider.agentJoinWatch?.openChannels === 1 && simulator.notificationTopics().includes(queueTopicOf(QUEUE_ID))
            ? true
            : undefined,
        );
      }
      const session = await provider.startChat(
        { guest: { displayName: 'Dana' }, attributes: { botConversationId: 'provider-test' }, introduction: 'hi' },
        events.listener,
      );
      if (!(session instanceof WebMessagingSession)) throw new Error('expected a Web Messaging session');
      const token = session.resumeData.token;
      const chat = await simulator.waitForConversation((c) => c.sessionToken === token && c.state !== 'ended');
      return {
        chatId: chat.id,
        session,
        stop: async () => {
          await provider.close();
        },
      };
    }

    it('announces a second agent who takes a transferred chat over, and each agent once', async () => {
      const events = new EventRecorder();
      const { chatId, stop } = await startJoinChat(events);
      try {
        simulator.agentJoin(chatId, { displayName: 'Anna', id: 'user-anna' });
        await events.waitFor((e) => e.kind === 'agentJoined', 5000, 'the first join');
        simulator.agentJoin(chatId, { displayName: 'Ben' });
        await events.until((e) => e.filter((x) => x.kind === 'agentJoined').length === 2, 5000, 'the second join');
        simulator.agentSend(chatId, 'Ben here');
        await barrier(simulator, events, chatId);
        expect(events.ofKind('agentJoined').map((e) => e.agent.name)).toEqual(['Anna Example', 'Ben']);
      } finally {
        await stop();
      }
    });

    it('does not announce again when the queue event comes after the agent already wrote', async () => {
      const events = new EventRecorder();
      const { chatId, session, stop } = await startJoinChat(events, { withWatch: false });
      try {
        simulator.agentJoin(chatId, { displayName: 'Anna', id: 'user-anna' });
        simulator.agentSend(chatId, 'Hello');
        await events.waitFor((e) => e.kind === 'agentMessage', 5000, 'the message');
        expect(events.ofKind('agentJoined').map((e) => e.agent.name)).toEqual(['Anna']);
        // The queue event for the same agent arrives late, twice: nothing more is announced.
        session.agentConnected('participant-anna', { id: 'user-anna', name: 'Anna Example' });
        session.agentConnected('participant-anna', { id: 'user-anna', name: 'Anna Example' });
        await barrier(simulator, events, chatId);
        expect(events.ofKind('agentJoined')).toHaveLength(1);
        // Another agent participant (a transfer) is announced.
        session.agentConnected('participant-ben', { name: 'Ben' });
        await barrier(simulator, events, chatId, 'after the transfer');
        expect(events.ofKind('agentJoined').map((e) => e.agent.name)).toEqual(['Anna', 'Ben']);
      } finally {
        await stop();
      }
    });
  });
});
