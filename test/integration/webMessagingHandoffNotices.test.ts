import { WebMessagingProvider } from '../../src/genesys/webMessaging/webMessagingProvider';
import { createSilentLogger } from '../../src/logger';
import { MESSAGES } from '../../src/resources/messages';
import {
  WebMessagingSimulator,
  type SimulatedConversationInfo,
  type SimulatedDeployment,
} from '../../src/simulator/webMessaging/webMessagingSimulator';
import type { ConnectorRecorder } from '../support/connectorRecorder';
import { BotInstance, simulatorConfig, startConnector, TEST_DEPLOYMENT_ID } from '../support/handoffRig';
import { quickPolicy } from './webMessagingSupport';

/**
 * What the user is told, through the whole bot, when the link to Genesys is down for long, when
 * Genesys answers late, and when the guest session is about to expire (docs/genesys-protocol.md
 * §5.8, §5.15).
 */
describe('handoff over Web Messaging: link, late answers and session lifetime', () => {
  let simulator: WebMessagingSimulator;
  let connector: ConnectorRecorder & { serviceUrl: string };
  let bot: BotInstance | undefined;

  async function start(deployment: Partial<SimulatedDeployment> = {}, responseTimeoutMs = 3000): Promise<void> {
    simulator = new WebMessagingSimulator({
      deployments: [{ id: TEST_DEPLOYMENT_ID, conversationDisconnect: 'Send', conversationClear: true, ...deployment }],
      messagesPerSecond: 20,
    });
    await simulator.start();
    const provider = new WebMessagingProvider({
      webMessagingUrl: simulator.webMessagingUrl,
      apiUrl: simulator.apiUrl,
      deploymentId: TEST_DEPLOYMENT_ID,
      messagesPerSecond: 20,
      endMode: 'clear',
      logger: createSilentLogger(),
      reconnectPolicy: quickPolicy(5, 20),
      requestRetryPolicy: quickPolicy(5, 20),
      responseTimeoutMs,
      linkDownNoticeMs: 200,
      linkStableMs: 100,
      echoIntervalMs: 0,
    });
    bot = await BotInstance.start(simulatorConfig(simulator), connector, provider);
  }

  beforeEach(async () => {
    connector = await startConnector();
  });

  afterEach(async () => {
    await bot?.app.stop();
    bot = undefined;
    await simulator.stop();
    await connector.stop();
  });

  async function openChat(conversationId: string): Promise<SimulatedConversationInfo> {
    if (bot === undefined) throw new Error('bot not started');
    await bot.say(conversationId, 'I want to talk to a human');
    await connector.waitForText(conversationId, MESSAGES.queued);
    return simulator.waitForConversation((c) => c.customAttributes.botConversationId === conversationId);
  }

  it('tells the user once that the agent is hard to reach, and again when the link is back', async () => {
    await start();
    const chat = await openChat('wm-link-down');
    simulator.agentJoin(chat.id, { displayName: 'Anna' });
    simulator.setOutage(true);
    await connector.waitForText('wm-link-down', MESSAGES.linkDown);
    simulator.agentSend(chat.id, 'Written while you were away');
    simulator.setOutage(false);
    await connector.waitForText('wm-link-down', 'Written while you were away');
    await connector.waitForText('wm-link-down', MESSAGES.linkRestored);
    const texts = connector.texts('wm-link-down');
    expect(texts.filter((t) => t === MESSAGES.linkDown)).toHaveLength(1);
    expect(texts).not.toContain(MESSAGES.connectionLost);
  });

  it('an introduction answered late is queued, never "queued" and then "could not reach an agent"', async () => {
    await start({}, 200);
    simulator.setGuestAnswerDelay(700);
    const chat = await openChat('wm-late-intro');
    simulator.setGuestAnswerDelay(0);
    simulator.agentJoin(chat.id, { displayName: 'Anna' });
    simulator.agentSend(chat.id, 'Hello, this is Anna');
    await connector.waitForText('wm-late-intro', 'Hello, this is Anna');
    const texts = connector.texts('wm-late-intro');
    expect(texts).not.toContain(MESSAGES.handoffFailed);
    expect(texts.filter((t) => t === MESSAGES.queued)).toHaveLength(1);
  });

  it('warns before the guest session expires, then says it has expired', async () => {
    await start({ sessionDurationSeconds: 2 });
    await openChat('wm-expiry');
    await connector.waitForText('wm-expiry', MESSAGES.sessionExpiring(1));
    await connector.waitForText('wm-expiry', MESSAGES.sessionExpired);
  });
});
