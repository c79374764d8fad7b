import { createSilentLogger } from '../../src/logger';
import { MESSAGES } from '../../src/resources/messages';
import {
  WebMessagingSimulator,
  type SimulatedConversationInfo,
} from '../../src/simulator/webMessaging/webMessagingSimulator';
import type { ConnectorRecorder } from '../support/connectorRecorder';
import { BotInstance, simulatorConfig, startConnector, TEST_DEPLOYMENT_ID } from '../support/handoffRig';

/**
 * The whole product against the Web Messaging simulator, for what Genesys does in the field beyond
 * its documentation: a read-only session whose Disconnect event was lost (docs/genesys-protocol.md
 * §5.16) and a text Genesys refuses as too long (§5.6, 4011).
 */
describe('handoff over Web Messaging: read-only sessions and refused messages', () => {
  let simulator: WebMessagingSimulator;
  let connector: ConnectorRecorder & { serviceUrl: string };
  let bot: BotInstance;

  beforeAll(async () => {
    simulator = new WebMessagingSimulator({
      deployments: [{ id: TEST_DEPLOYMENT_ID, conversationDisconnect: 'ReadOnly', conversationClear: true }],
      messagesPerSecond: 20,
      logger: createSilentLogger(),
    });
    await simulator.start();
    connector = await startConnector();
    bot = await BotInstance.start(simulatorConfig(simulator), connector);
  });

  afterAll(async () => {
    await bot.app.stop();
    await simulator.stop();
    await connector.stop();
  });

  async function connect(conversationId: string): Promise<SimulatedConversationInfo> {
    await bot.say(conversationId, 'I want to talk to a human');
    await connector.waitForText(conversationId, MESSAGES.queued);
    const chat = await simulator.waitForConversation(
      (c) => c.customAttributes.botConversationId === conversationId && c.state !== 'ended',
      5000,
    );
    simulator.agentJoin(chat.id, { displayName: 'Anna' });
    simulator.agentSend(chat.id, 'Hello, this is Anna');
    await connector.waitForText(conversationId, 'Hello, this is Anna');
    return chat;
  }

  const count = (conversationId: string, text: string): number =>
    connector.texts(conversationId).filter((t) => t === text).length;

  it('a 409 read-only answer ends the chat like an agent end, once; the next message goes to the bot', async () => {
    const chat = await connect('wm-readonly');
    // The agent ends the chat; the one Presence Disconnect push is lost.
    simulator.agentLeave(chat.id, { deliverEvent: false });
    await bot.say('wm-readonly', 'are you still there?');
    await connector.waitForText('wm-readonly', MESSAGES.agentEnded);
    await bot.app.handoff.whenIdle();
    expect(count('wm-readonly', MESSAGES.messageAfterAgentEnded)).toBe(1);
    expect(count('wm-readonly', MESSAGES.agentEnded)).toBe(1);
    expect(count('wm-readonly', MESSAGES.messageNotDelivered)).toBe(0);

    await bot.say('wm-readonly', 'help');
    await connector.waitForText('wm-readonly', MESSAGES.help);

    // A later transfer opens a fresh session (new token), not the read-only one.
    const next = await connect('wm-readonly');
    expect(next.id).not.toBe(chat.id);
    expect(next.sessionToken).not.toBe(chat.sessionToken);
    await bot.say('wm-readonly', 'thanks');
    await simulator.waitUntil(() =>
      simulator.conversation(next.id).messages.some((m) => m.text === 'thanks') ? true : undefined,
    );
    expect(count('wm-readonly', MESSAGES.messageNotDelivered)).toBe(0);
  });

  it('tells the user to split a message Genesys refuses as too long (4011), not to send it again', async () => {
    await connect('wm-too-long');
    // A service that refuses what the client thinks fits.
    simulator.setMaxTextBytes(200);
    await bot.say('wm-too-long', 'x'.repeat(300));
    await connector.waitForText('wm-too-long', MESSAGES.messageTooLongForAgent);
    expect(count('wm-too-long', MESSAGES.messageNotDelivered)).toBe(0);
  });
});
