import { MESSAGES } from '../../src/resources/messages';
import type { SimulatedOpenConversation } from '../../src/simulator/openMessaging';
import type { ConnectorRecorder } from '../support/connectorRecorder';
import { startConnector } from '../support/handoffRig';
import { startOpenMessagingRig, type OpenMessagingRig } from '../support/openMessagingRig';

/**
 * Chat ends learnt from the Notifications API only (no trigger push, no reconciler): channels,
 * topics, a second channel beyond the per-channel topic limit, and a new channel after
 * `socket_closing`, a dropped socket or the channel's expiry.
 */
describe('Open Messaging ends over the Notifications API', () => {
  let rig: OpenMessagingRig;
  let connector: ConnectorRecorder & { serviceUrl: string };

  beforeAll(async () => {
    connector = await startConnector();
    rig = await startOpenMessagingRig(connector, {
      triggers: false,
      provider: {
        reconcileIntervalMs: 0,
        // Four topics per conversation: two conversations per channel.
        notifications: { maxTopicsPerChannel: 8, reconnectPolicy: () => 50, silenceTimeoutMs: 60_000 },
      },
    });
  });

  afterAll(async () => {
    await rig.stop();
    await connector.stop();
  });

  const topicsOf = (conversationId: string): string[] =>
    ['user.start', 'user.end', 'customer.end', 'acw'].map(
      (s) => `v2.detail.events.conversation.${conversationId}.${s}`,
    );

  const channelHolding = async (conversationId: string): Promise<void> => {
    await rig.simulator.waitUntil(
      () =>
        rig.simulator.connectedChannelCount() > 0 &&
        subscribedTopics().includes(topicsOf(conversationId)[0] ?? '') &&
        rig.provider.notifications?.openChannels === rig.simulator.connectedChannelCount()
          ? true
          : undefined,
      5000,
      'subscription',
    );
  };

  /** Every topic on every channel the provider opened, read from the simulator. */
  const subscribedTopics = (): string[] =>
    rig.provider.notifications?.channelIds().flatMap((id) => rig.simulator.channelTopics(id)) ?? [];

  async function openChat(conversationId: string): Promise<SimulatedOpenConversation> {
    await rig.bot.say(conversationId, 'I want to talk to a human');
    await connector.waitForText(conversationId, MESSAGES.queued);
    const chat = await rig.simulator.waitForConversation(
      (c) => c.customAttributes.botConversationId === conversationId && c.state !== 'ended',
    );
    await channelHolding(chat.id);
    return chat;
  }

  it('announces the agent, keeps the handoff through a transfer and ends it on the agent end', async () => {
    const chat = await openChat('on-transfer');
    rig.simulator.agentJoin(chat.id, 'Anna');
    await connector.waitForText('on-transfer', MESSAGES.agentJoined('Anna'));
    rig.simulator.agentTransfer(chat.id, { toAgent: 'Ben', disconnectType: 'CONSULT_TRANSFER' });
    await connector.waitForText('on-transfer', MESSAGES.agentJoined('Ben'));
    expect(connector.texts('on-transfer')).not.toContain(MESSAGES.agentEnded);
    rig.simulator.agentLeave(chat.id, { disconnectType: 'CLIENT' });
    await connector.waitForText('on-transfer', MESSAGES.agentEnded);
    await rig.simulator.waitUntil(() => (subscribedTopics().includes(topicsOf(chat.id)[0] ?? '') ? undefined : true));
  });

  it('opens a second channel beyond the topic limit of one', async () => {
    const a = await openChat('on-many-a');
    const b = await openChat('on-many-b');
    const c = await openChat('on-many-c');
    const wanted = [a, b, c].flatMap((chat) => topicsOf(chat.id));
    await rig.simulator.waitUntil(() =>
      rig.simulator.connectedChannelCount() === 2 && wanted.every((t) => subscribedTopics().includes(t))
        ? true
        : undefined,
    );
    for (const id of rig.provider.notifications?.channelIds() ?? [])
      expect(rig.simulator.channelTopics(id).length).toBeLessThanOrEqual(8);
    for (const [chat, id] of [
      [a, 'on-many-a'],
      [b, 'on-many-b'],
      [c, 'on-many-c'],
    ] as const) {
      // Ended while still queued (no agent took it): the customer hears that no agent could take it.
      rig.simulator.endConversation(chat.id);
      await connector.waitForText(id, MESSAGES.notAnswered);
    }
  });

  it('subscribes again on a new channel after socket_closing, a dropped socket and an expired channel', async () => {
    const chat = await openChat('on-reconnect');
    const channels = (): string[] => rig.provider.notifications?.channelIds() ?? [];
    /** Waits until every channel is a new one and the chat's topics are on it. */
    const replaced = async (before: string[]): Promise<void> => {
      await rig.simulator.waitUntil(() => {
        const now = channels();
        return now.length > 0 && now.every((id) => !before.includes(id)) ? true : undefined;
      });
      await channelHolding(chat.id);
    };
    let before = channels();
    rig.simulator.closeNotificationSockets(50);
    await replaced(before);
    before = channels();
    rig.simulator.dropNotificationSockets();
    await replaced(before);
    before = channels();
    for (const id of before) rig.simulator.expireChannel(id);
    await replaced(before);
    rig.simulator.agentJoin(chat.id, 'Cleo');
    await connector.waitForText('on-reconnect', MESSAGES.agentJoined('Cleo'));
    rig.simulator.agentLeave(chat.id);
    await connector.waitForText('on-reconnect', MESSAGES.agentEnded);
  });
});
