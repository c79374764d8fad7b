import { handoffRecordId } from '../../src/handoff/handoffKeys';
import { AGENT_TEXTS, MESSAGES } from '../../src/resources/messages';
import { signWebhook } from '../../src/genesys/openMessaging';
import { OPEN_MESSAGING_WEBHOOK_PATH } from '../../src/http/openMessagingWebhook';
import type { SimulatedOpenConversation } from '../../src/simulator/openMessaging';
import type { ConnectorRecorder } from '../support/connectorRecorder';
import { startConnector } from '../support/handoffRig';
import { OM_WEBHOOK_SECRET, startOpenMessagingRig, type OpenMessagingRig } from '../support/openMessagingRig';

/**
 * The whole product over real HTTP with Open Messaging: the bot driven like a channel drives it,
 * the Open Messaging provider against the Open Messaging simulator, webhooks and trigger pushes
 * coming back to the bot's own routes.
 */
describe('handoff over Open Messaging', () => {
  let rig: OpenMessagingRig;
  let connector: ConnectorRecorder & { serviceUrl: string };

  beforeAll(async () => {
    connector = await startConnector();
    // End signals come from the Process Automation trigger push only (notifications have their own suite).
    rig = await startOpenMessagingRig(connector, { provider: { notifications: { enabled: false } } });
  });

  afterAll(async () => {
    await rig.stop();
    await connector.stop();
  });

  const chatOf = (conversationId: string): Promise<SimulatedOpenConversation> =>
    rig.simulator.waitForConversation(
      (c) => c.customAttributes.botConversationId === conversationId && c.state !== 'ended',
      5000,
    );

  async function openChat(conversationId: string): Promise<SimulatedOpenConversation> {
    await rig.bot.say(conversationId, 'how long does delivery take?');
    await connector.waitForText(conversationId, 'Standard delivery');
    await rig.bot.say(conversationId, 'I want to talk to a human');
    await connector.waitForText(conversationId, MESSAGES.queued);
    return chatOf(conversationId);
  }

  async function connect(conversationId: string, agent = 'Anna'): Promise<SimulatedOpenConversation> {
    const chat = await openChat(conversationId);
    rig.simulator.agentJoin(chat.id, agent);
    await connector.waitForText(conversationId, MESSAGES.agentJoined(agent));
    rig.simulator.agentSend(chat.id, `Hello, this is ${agent}`);
    await connector.waitForText(conversationId, `Hello, this is ${agent}`);
    return chat;
  }

  const customerTexts = (chatId: string): string[] =>
    (rig.simulator.conversation(chatId)?.messages ?? []).filter((m) => m.direction === 'Inbound').map((m) => m.text);

  it('routes with the participant data and the transcript on the first message', async () => {
    const chat = await openChat('om-first');
    expect(chat.customAttributes).toMatchObject({
      botChannel: 'emulator',
      botConversationId: 'om-first',
      botUserName: 'Dana Customer',
    });
    expect(chat.messages[0]?.text).toContain('how long does delivery take?');
    expect(chat.messages[0]?.text).toContain('Standard delivery');
    expect(chat.customer.idType).toBe('Opaque');
    expect(chat.customer.nickname).toBe('Dana Customer');
  });

  it('relays a whole chat both ways with the agent name, typing both ways and receipts', async () => {
    const chat = await connect('om-chat');
    const agentMessageId = rig.simulator.conversation(chat.id)?.messages.find((m) => m.direction === 'Outbound')?.id;
    expect(rig.simulator.agentTyping(chat.id)).toBe(true);
    await connector.waitFor(
      () => connector.activities.some((a) => a.conversationId === 'om-chat' && a.activity.type === 'typing'),
      5000,
      'agent typing',
    );
    await rig.bot.say('om-chat', 'I need help with my order');
    await rig.simulator.waitUntil(() =>
      customerTexts(chat.id).includes('I need help with my order') ? true : undefined,
    );
    await rig.bot.say('om-chat', '', { type: 'typing' });
    await rig.simulator.waitUntil(() => (rig.simulator.stats.inboundTyping > 0 ? true : undefined));
    await rig.simulator.waitUntil(() =>
      rig.simulator.receipts(chat.id).some((r) => r.messageId === agentMessageId && r.status === 'Delivered')
        ? true
        : undefined,
    );
  });

  it('shows flow messages (queue position) to a waiting user', async () => {
    const chat = await openChat('om-flow');
    rig.simulator.botSend(chat.id, 'You are number 2 in the queue.');
    await connector.waitForText('om-flow', 'You are number 2 in the queue.');
  });

  it('relays agent attachments and offers quick replies that go back as structured answers', async () => {
    const chat = await connect('om-rich');
    rig.simulator.agentSendAttachment(chat.id, {
      url: 'https://files.example.com/label.png',
      mime: 'image/png',
      filename: 'label.png',
    });
    await connector.waitFor(
      () =>
        connector.activities.some(
          (a) =>
            a.conversationId === 'om-rich' &&
            JSON.stringify(a.activity.attachments ?? []).includes('"contentUrl":"https://files.example.com/label.png"'),
        ),
      5000,
      'attachment',
    );
    rig.simulator.agentSendStructured(chat.id, 'Was this helpful?', [
      { contentType: 'QuickReply', quickReply: { text: 'Yes', payload: 'yes' } },
      { contentType: 'QuickReply', quickReply: { text: 'No', payload: 'no' } },
    ]);
    await connector.waitForText('om-rich', 'Was this helpful?');
    await rig.bot.say('om-rich', 'yes');
    await rig.simulator.waitUntil(() =>
      rig.simulator
        .conversation(chat.id)
        ?.messages.some((m) => m.type === 'Structured' && m.direction === 'Inbound' && m.text === 'Yes')
        ? true
        : undefined,
    );
  });

  it('shows quick replies as suggested actions and a card as a hero card; taps answer with the offered type', async () => {
    const chat = await connect('om-offers');
    const buttonResponses = (): Record<string, unknown>[] =>
      (rig.simulator.conversation(chat.id)?.messages ?? []).flatMap((m) =>
        m.direction === 'Inbound' && m.type === 'Structured'
          ? (m.structured ?? []).map((s) => s.buttonResponse as Record<string, unknown>)
          : [],
      );
    rig.simulator.agentSendStructured(chat.id, 'Which one?', [
      { contentType: 'QuickReply', quickReply: { text: 'Billing', payload: 'billing' } },
      { contentType: 'QuickReply', quickReply: { text: 'Orders', payload: 'orders' } },
    ]);
    await connector.waitForText('om-offers', 'Which one?');
    const offer = connector.activities.find(
      (a) => a.conversationId === 'om-offers' && a.activity.text === 'Which one?',
    )?.activity;
    const actions = (offer?.suggestedActions as { actions: { type: string; title: string }[] } | undefined)?.actions;
    expect(actions?.map((a) => [a.type, a.title])).toEqual([
      ['imBack', 'Billing'],
      ['imBack', 'Orders'],
    ]);
    expect(offer?.text).not.toContain('•');
    await rig.bot.say('om-offers', 'Orders');
    await rig.simulator.waitUntil(() => (buttonResponses().length === 1 ? true : undefined));
    expect(buttonResponses()).toEqual([{ type: 'QuickReply', text: 'Orders', payload: 'orders' }]);

    rig.simulator.agentSendStructured(chat.id, '', [
      {
        contentType: 'Card',
        card: {
          title: 'Premium plan',
          description: '10 a month',
          actions: [
            { type: 'Button', text: 'Choose', payload: 'plan-premium' },
            { type: 'Link', text: 'Details', url: 'https://example.com/premium' },
          ],
        },
      },
    ]);
    await connector.waitFor(
      () =>
        connector.activities.some(
          (a) =>
            a.conversationId === 'om-offers' &&
            ((a.activity.attachments ?? []) as { contentType?: string }[]).some(
              (c) => c.contentType === 'application/vnd.microsoft.card.hero',
            ),
        ),
      5000,
      'hero card',
    );
    await rig.bot.say('om-offers', 'Choose');
    await rig.simulator.waitUntil(() => (buttonResponses().length === 2 ? true : undefined));
    expect(buttonResponses()[1]).toEqual({ type: 'Button', text: 'Choose', payload: 'plan-premium' });
  });

  it("hands the user's public files to Genesys by URL", async () => {
    const chat = await connect('om-user-file');
    await rig.bot.say('om-user-file', 'my receipt', {
      attachments: [
        { contentType: 'application/pdf', contentUrl: 'https://files.example.com/receipt.pdf', name: 'receipt.pdf' },
      ],
    });
    const message = await rig.simulator.waitUntil(() =>
      rig.simulator.conversation(chat.id)?.messages.find((m) => m.direction === 'Inbound' && m.attachments.length > 0),
    );
    expect(message.attachments).toEqual([
      {
        mediaType: 'File',
        url: 'https://files.example.com/receipt.pdf',
        mime: 'application/pdf',
        filename: 'receipt.pdf',
      },
    ]);
    expect(message.text).toContain('my receipt');
  });

  it('keeps the handoff through a transfer, then ends it when the agent leaves', async () => {
    const chat = await connect('om-transfer');
    rig.simulator.agentTransfer(chat.id, { toQueueId: chat.queueId });
    await connector.waitForText('om-transfer', MESSAGES.agentTransferred);
    rig.simulator.agentJoin(chat.id, 'Ben');
    await connector.waitForText('om-transfer', MESSAGES.agentJoined('Ben'));
    rig.simulator.agentSend(chat.id, 'Ben here');
    await connector.waitForText('om-transfer', 'Ben here');
    expect(connector.texts('om-transfer')).not.toContain(MESSAGES.agentEnded);
    rig.simulator.agentLeave(chat.id, { wrapup: { code: 'Resolved', notes: 'order found' } });
    await connector.waitForText('om-transfer', MESSAGES.agentEnded);
    const doc = await rig.bot.app.storage.handoffStore.read(handoffRecordId('emulator', 'om-transfer'));
    expect(doc?.value.type === 'handoff' ? doc.value.wrapup : undefined).toEqual({
      code: 'Resolved',
      notes: 'order found',
    });
    await rig.bot.say('om-transfer', 'how do returns work?');
    await connector.waitForText('om-transfer', 'return any item within 30 days');
  });

  it('leaves the queue when the user cancels while waiting, after telling the agent', async () => {
    const chat = await openChat('om-cancel');
    await rig.bot.say('om-cancel', 'cancel');
    await connector.waitForText('om-cancel', MESSAGES.userCancelled);
    await rig.simulator.waitUntil(() => (rig.simulator.conversation(chat.id)?.state === 'ended' ? true : undefined));
    expect(rig.simulator.queued().map((c) => c.id)).not.toContain(chat.id);
    expect(customerTexts(chat.id).at(-1)).toBe('The customer has left the conversation.');
  });

  it('ends the chat on Genesys when the user types "end chat"', async () => {
    const chat = await connect('om-user-end');
    await rig.bot.say('om-user-end', 'end chat');
    await connector.waitForText('om-user-end', MESSAGES.userEnded);
    const customer = (): string | undefined =>
      rig.simulator.conversation(chat.id)?.participants.find((p) => p.purpose === 'customer')?.state;
    await rig.simulator.waitUntil(() => (customer() === 'disconnected' ? true : undefined));
  });

  it('tells the agent in one line that the customer can no longer be reached', async () => {
    const chat = await connect('om-gone');
    const record = await rig.bot.app.handoff.activeRecord('emulator', 'om-gone');
    if (record === undefined) throw new Error('no active record');
    const before = customerTexts(chat.id).length;
    await rig.bot.app.handoff.userUnreachable(record, 'the bot was removed');
    const customer = (): string | undefined =>
      rig.simulator.conversation(chat.id)?.participants.find((p) => p.purpose === 'customer')?.state;
    await rig.simulator.waitUntil(() => (customer() === 'disconnected' ? true : undefined));
    expect(customerTexts(chat.id).slice(before)).toEqual([AGENT_TEXTS.userUnreachable]);
  });

  it('refuses a webhook with a bad signature and relays nothing', async () => {
    const chat = await connect('om-badsig');
    const before = connector.texts('om-badsig').length;
    const body = Buffer.from(
      JSON.stringify({
        id: 'forged-1',
        channel: { to: { id: chat.externalId, idType: 'Opaque' }, time: new Date().toISOString() },
        conversationId: chat.id,
        direction: 'Outbound',
        originatingEntity: 'Human',
        type: 'Text',
        text: 'forged message',
      }),
    );
    const post = (signature: string): Promise<Response> =>
      fetch(`${rig.bot.url}${OPEN_MESSAGING_WEBHOOK_PATH}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-hub-signature-256': signature },
        body,
      });
    expect((await post(signWebhook(body, 'not-the-secret'))).status).toBe(401);
    expect((await post('')).status).toBe(401);
    // The same bytes correctly signed are relayed: the refusal was the signature's doing.
    const good = await post(signWebhook(body, OM_WEBHOOK_SECRET));
    expect(good.status).toBe(200);
    await connector.waitForText('om-badsig', 'forged message');
    await rig.bot.app.handoff.whenIdle();
    expect(
      connector
        .texts('om-badsig')
        .slice(before)
        .filter((t) => t === 'forged message'),
    ).toHaveLength(1);
  });

  it('relays a redelivered webhook once', async () => {
    const chat = await connect('om-replay');
    rig.simulator.setWebhookKnobs({ duplicate: true });
    try {
      rig.simulator.agentSend(chat.id, 'said once');
      await connector.waitForText('om-replay', 'said once');
      await rig.simulator.whenIdle();
    } finally {
      rig.simulator.setWebhookKnobs({ duplicate: false });
    }
    const deliveries = rig.simulator.webhookAttempts().filter((a) => a.conversationId === chat.id);
    expect(deliveries.length).toBeGreaterThan(2);
    await rig.bot.app.handoff.whenIdle();
    expect(connector.texts('om-replay').filter((t) => t === 'said once')).toHaveLength(1);
  });

  it('renews the access token when it expires mid-chat', async () => {
    const chat = await connect('om-token');
    const fetched = rig.provider.tokensFetched;
    rig.simulator.expireTokens();
    await rig.bot.say('om-token', 'after the token expired');
    await rig.simulator.waitUntil(() =>
      customerTexts(chat.id).includes('after the token expired') ? true : undefined,
    );
    expect(rig.provider.tokensFetched).toBe(fetched + 1);
  });

  it('waits out a rate limit and keeps the order', async () => {
    const chat = await connect('om-429');
    rig.simulator.forceRateLimit(2, 1);
    await rig.bot.say('om-429', 'first');
    await rig.bot.say('om-429', 'second');
    await rig.simulator.waitUntil(() => (customerTexts(chat.id).includes('second') ? true : undefined), 10_000);
    const texts = customerTexts(chat.id);
    expect(texts.indexOf('first')).toBeLessThan(texts.indexOf('second'));
    expect(rig.simulator.stats.rateLimited).toBeGreaterThanOrEqual(2);
  });

  it('never threads a second handoff into the first conversation', async () => {
    const first = await connect('om-again');
    rig.simulator.agentLeave(first.id);
    await connector.waitForText('om-again', MESSAGES.agentEnded);
    await rig.bot.say('om-again', 'I want to talk to a human');
    const second = await rig.simulator.waitForConversation(
      (c) => c.customAttributes.botConversationId === 'om-again' && c.id !== first.id,
    );
    expect(second.externalId).not.toBe(first.externalId);
    expect(rig.simulator.conversation(first.id)?.reopenedCount).toBe(0);
  });
});

describe('Open Messaging ends without any pushed event', () => {
  let rig: OpenMessagingRig;
  let connector: ConnectorRecorder & { serviceUrl: string };

  beforeAll(async () => {
    connector = await startConnector();
    rig = await startOpenMessagingRig(connector, {
      triggers: false,
      provider: { reconcileIntervalMs: 200, notifications: { enabled: false } },
    });
  });

  afterAll(async () => {
    await rig.stop();
    await connector.stop();
  });

  it('catches a missed end with the reconciler', async () => {
    await rig.bot.say('om-missed', 'I want to talk to a human');
    await connector.waitForText('om-missed', MESSAGES.queued);
    const chat = await rig.simulator.waitForConversation((c) => c.customAttributes.botConversationId === 'om-missed');
    rig.simulator.agentJoin(chat.id, 'Cleo');
    await connector.waitForText('om-missed', MESSAGES.agentJoined('Cleo'));
    rig.simulator.agentLeave(chat.id);
    await connector.waitForText('om-missed', MESSAGES.agentEnded);
  });
});
