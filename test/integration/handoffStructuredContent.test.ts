import { MESSAGES, messagesFor } from '../../src/resources/messages';
import type {
  SimulatedCard,
  SimulatedConversationInfo,
  SimulatedMessage,
  WebMessagingSimulator,
} from '../../src/simulator/webMessaging/webMessagingSimulator';
import type { ConnectorRecorder, RecordedActivity } from '../support/connectorRecorder';
import { eventually } from '../support/eventually';
import { createSilentLogger } from '../../src/logger';
import { WebMessagingSimulator as Simulator } from '../../src/simulator/webMessaging/webMessagingSimulator';
import {
  BotInstance,
  simulatorConfig,
  startConnector,
  startWebMessagingSimulator,
  TEST_DEPLOYMENT_ID,
} from '../support/handoffRig';

/**
 * Structured content and channel-faithful text through the whole product: the bot over HTTP, the
 * Web Messaging provider against the Genesys simulator. Quick replies, cards and carousels from the
 * agent side reach the user as the channel shows them, and the user's choice, tapped or typed, goes
 * back as the `ButtonResponse` of the message that offered it (docs/genesys-protocol.md §5.14).
 */
describe('structured content and channel text over Web Messaging', () => {
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

  /** Opens a chat in `conversationId` (on `channelId`) and has Anna join and greet. */
  async function connect(conversationId: string, channel: Record<string, unknown> = {}): Promise<string> {
    await bot.say(conversationId, 'I want to talk to a human', channel);
    await connector.waitForText(conversationId, MESSAGES.queued);
    const chat = await simulator.waitForConversation(
      (c) => c.customAttributes.botConversationId === conversationId && c.state !== 'ended',
      5000,
    );
    simulator.agentJoin(chat.id, { displayName: 'Anna' });
    return chat.id;
  }

  /** The next activity sent to `conversationId` after `count` earlier ones that satisfies `predicate`. */
  async function activityAfter(
    conversationId: string,
    count: number,
    predicate: (a: RecordedActivity['activity']) => boolean = () => true,
  ): Promise<RecordedActivity['activity']> {
    const find = (): RecordedActivity['activity'] | undefined =>
      connector.activities
        .filter((a) => a.conversationId === conversationId && a.activity.type === 'message')
        .slice(count)
        .map((a) => a.activity)
        .find(predicate);
    await connector.waitFor(() => find() !== undefined, 10_000, `an activity in ${conversationId}`);
    return find()!;
  }

  const sentCount = (conversationId: string): number => connector.texts(conversationId).length;

  /**
   * Waits until the live chat holds the choices `labels` (stored right after the channel took the
   * message), so a test's instant tap answers them as a user's would.
   */
  async function offered(channelId: string, conversationId: string, labels: string[]): Promise<void> {
    await eventually(
      async () => {
        const record = await bot.app.handoff.activeRecord(channelId, conversationId);
        return JSON.stringify(record?.answerOptions?.map((o) => o.text)) === JSON.stringify(labels);
      },
      5000,
      `choices ${labels.join(', ')}`,
    );
  }

  /** The guest's answers recorded by the simulator, in order. */
  async function answersOf(chatId: string, count: number): Promise<SimulatedMessage['buttonResponses']> {
    const answers = (): SimulatedConversationInfo['messages'] =>
      simulator.conversation(chatId).messages.filter((m) => (m.buttonResponses ?? []).length > 0);
    await simulator.waitUntil(() => (answers().length >= count ? true : undefined), 10_000, 'button responses');
    return answers().flatMap((m) => m.buttonResponses ?? []);
  }

  interface SuggestedActions {
    actions: { type: string; title: string; value: string }[];
  }
  interface HeroCard {
    contentType: string;
    content: { title: string; subtitle?: string; buttons: { type: string; title: string; value: string }[] };
  }

  it('a quick reply round trip: suggested actions, answered by a tap and by a typed number', async () => {
    const chatId = await connect('sc-quick');
    const before = sentCount('sc-quick');
    const offer = simulator.agentSendStructured(
      chatId,
      [
        { contentType: 'QuickReply', quickReply: { text: 'Billing', payload: 'billing', action: 'Message' } },
        { contentType: 'QuickReply', quickReply: { text: 'Orders', payload: 'orders', action: 'Message' } },
      ],
      'What is it about?',
    );
    const shown = await activityAfter('sc-quick', before, (a) => a.text === 'What is it about?');
    expect((shown.suggestedActions as SuggestedActions).actions).toEqual([
      { type: 'imBack', title: 'Billing', value: 'Billing' },
      { type: 'imBack', title: 'Orders', value: 'Orders' },
    ]);
    // Web Chat and the Emulator show the agent's name as the sender.
    expect((shown.from as { name?: string }).name).toBe('Anna');

    // A tap sends the button's value as the user's message.
    await offered('emulator', 'sc-quick', ['Billing', 'Orders']);
    await bot.say('sc-quick', 'Billing');
    expect(await answersOf(chatId, 1)).toEqual([
      { type: 'QuickReply', text: 'Billing', payload: 'billing', answers: offer },
    ]);

    const second = simulator.agentSendStructured(chatId, [
      { contentType: 'QuickReply', quickReply: { text: 'Yes', payload: 'yes' } },
      { contentType: 'QuickReply', quickReply: { text: 'No', payload: 'no' } },
    ]);
    await offered('emulator', 'sc-quick', ['Yes', 'No']);
    await bot.say('sc-quick', '2');
    expect((await answersOf(chatId, 2))?.[1]).toEqual({
      type: 'QuickReply',
      text: 'No',
      payload: 'no',
      answers: second,
    });

    // Answered: "2" again is text for the agent.
    await bot.say('sc-quick', '2');
    await simulator.waitUntil(() =>
      simulator.conversation(chatId).messages.some((m) => m.direction === 'Inbound' && m.text === '2')
        ? true
        : undefined,
    );
  });

  it('a card: a hero card whose button answers as a Button response; a Link opens its URL', async () => {
    const chatId = await connect('sc-card');
    const before = sentCount('sc-card');
    const offer = simulator.agentSendStructured(chatId, [
      {
        contentType: 'Card',
        card: {
          title: 'Premium plan',
          description: '£10 a month',
          image: 'https://img.example/premium.png',
          actions: [
            { type: 'Postback', text: 'Choose', payload: 'plan-premium' },
            { type: 'Link', text: 'Details', url: 'https://example.com/premium' },
          ],
        },
      },
    ]);
    const shown = await activityAfter('sc-card', before, (a) => Array.isArray(a.attachments));
    const [card] = shown.attachments as HeroCard[];
    expect(card?.contentType).toBe('application/vnd.microsoft.card.hero');
    expect(card?.content).toMatchObject({
      title: 'Premium plan',
      subtitle: '£10 a month',
      buttons: [
        { type: 'imBack', title: 'Choose', value: 'Choose' },
        { type: 'openUrl', title: 'Details', value: 'https://example.com/premium' },
      ],
    });
    await offered('emulator', 'sc-card', ['Choose']);
    await bot.say('sc-card', 'Choose');
    expect(await answersOf(chatId, 1)).toEqual([
      { type: 'Button', text: 'Choose', payload: 'plan-premium', answers: offer },
    ]);
    const answer = simulator.conversation(chatId).messages.find((m) => m.buttonResponses !== undefined);
    // [C] §5.14: a card button is a Structured message with the button text.
    expect(answer).toMatchObject({ type: 'Structured', text: 'Choose' });
  });

  it('a carousel: cards side by side; same-named buttons answer for their own card', async () => {
    const chatId = await connect('sc-carousel');
    const before = sentCount('sc-carousel');
    const card = (title: string, payload: string): SimulatedCard => ({
      title,
      description: `The ${title} plan`,
      actions: [{ type: 'Button', text: 'Select', payload }],
    });
    const offer = simulator.agentSendStructured(chatId, [
      { contentType: 'Carousel', carousel: { cards: [card('Basic', 'plan-basic'), card('Plus', 'plan-plus')] } },
    ]);
    const shown = await activityAfter('sc-carousel', before, (a) => Array.isArray(a.attachments));
    expect(shown.attachmentLayout).toBe('carousel');
    const cards = shown.attachments as HeroCard[];
    expect(cards.map((c) => [c.content.title, c.content.buttons[0]?.value])).toEqual([
      ['Basic', '1. Select'],
      ['Plus', '2. Select'],
    ]);
    await offered('emulator', 'sc-carousel', ['Select', 'Select']);
    await bot.say('sc-carousel', '2. Select');
    expect(await answersOf(chatId, 1)).toEqual([
      { type: 'Button', text: 'Select', payload: 'plan-plus', answers: offer },
    ]);
  });

  it("time slots: choices labelled in the user's locale; the answer names the picker message", async () => {
    const chatId = await connect('sc-slots');
    const before = sentCount('sc-slots');
    const offer = simulator.agentSendStructured(chatId, [
      {
        contentType: 'DatePicker',
        datePicker: {
          title: 'Pick a time for a call',
          availableTimes: [
            { dateTime: '2026-12-02T14:00:00.000Z', duration: 30 },
            { dateTime: '2026-12-03T09:30:00.000Z', duration: 30 },
          ],
        },
      },
    ]);
    const shown = await activityAfter('sc-slots', before, (a) => (a.text ?? '').includes('Pick a time'));
    expect((shown.suggestedActions as SuggestedActions).actions.map((a) => a.title)).toEqual([
      'Wed, 2 Dec 2026, 14:00 UTC (30 min)',
      'Thu, 3 Dec 2026, 09:30 UTC (30 min)',
    ]);
    await offered('emulator', 'sc-slots', [
      'Wed, 2 Dec 2026, 14:00 UTC (30 min)',
      'Thu, 3 Dec 2026, 09:30 UTC (30 min)',
    ]);
    await bot.say('sc-slots', '2');
    expect(await answersOf(chatId, 1)).toEqual([
      {
        type: 'DatePicker',
        text: 'Thu, 3 Dec 2026, 09:30 UTC (30 min)',
        payload: '2026-12-03T09:30:00.000Z',
        originatingMessageId: offer,
        answers: offer,
      },
    ]);
  });

  it("time slots for a German Teams user: labels and the bot's prompt in German, in the zone of the user's Teams client", async () => {
    const teams = {
      channelId: 'msteams',
      locale: 'de-DE',
      conversation: { id: 'sc-slots-de', conversationType: 'groupChat' },
      entities: [{ type: 'clientInfo', locale: 'de-DE', country: 'DE', platform: 'Web', timezone: 'Europe/Berlin' }],
    };
    await bot.say('sc-slots-de', 'Ich möchte mit einem Mitarbeiter sprechen', teams);
    await connector.waitForText('sc-slots-de', messagesFor('de').queued);
    const chat = await simulator.waitForConversation(
      (c) => c.customAttributes.botConversationId === 'sc-slots-de' && c.state !== 'ended',
      5000,
    );
    simulator.agentJoin(chat.id, { displayName: 'Anna' });
    const before = sentCount('sc-slots-de');
    simulator.agentSendStructured(chat.id, [
      {
        contentType: 'DatePicker',
        datePicker: {
          title: 'Wann dürfen wir Sie anrufen?',
          availableTimes: [{ dateTime: '2026-12-02T14:00:00.000Z', duration: 30 }],
        },
      },
    ]);
    // A group chat shows no suggested actions: the slots are numbered in the text.
    const shown = await activityAfter('sc-slots-de', before, (a) => (a.text ?? '').includes('anrufen'));
    expect(shown.text).toBe(
      'Anna: Wann dürfen wir Sie anrufen?<br><br>Antworten Sie mit der Nummer Ihrer Wahl:<br>1. Mi., 2. Dez. 2026, 15:00 MEZ (30 Min.)',
    );
  });

  it("Direct Line: the agent's name is the sender name, the text unchanged", async () => {
    const directLine = { channelId: 'directline' };
    const chatId = await connect('sc-directline', directLine);
    const before = sentCount('sc-directline');
    simulator.agentSend(chatId, 'Hi, *Anna* here <3');
    const shown = await activityAfter('sc-directline', before, (a) => (a.text ?? '').startsWith('Hi,'));
    expect(shown.text).toBe('Hi, *Anna* here <3');
    expect(shown.from).toMatchObject({ id: 'bot', name: 'Anna' });
  });

  it('Teams: the HTML text and mentions reach the agent; agent text is escaped and prefixed with the name', async () => {
    const teams = {
      channelId: 'msteams',
      conversation: { id: 'sc-teams', conversationType: 'personal' },
    };
    const chatId = await connect('sc-teams', teams);
    await bot.say('sc-teams', 'Bot My serial is  and 5 > 3', {
      ...teams,
      entities: [{ type: 'mention', mentioned: { id: 'bot', name: 'Bot' }, text: '<at>Bot</at>' }],
      attachments: [
        {
          contentType: 'text/html',
          content: '<p><at>Bot</at> My serial is &lt;AB-12&gt; and 5 &gt; 3</p>',
        },
      ],
    });
    await simulator.waitUntil(() =>
      simulator
        .conversation(chatId)
        .messages.some((m) => m.direction === 'Inbound' && m.text === 'My serial is <AB-12> and 5 > 3')
        ? true
        : undefined,
    );

    const before = sentCount('sc-teams');
    simulator.agentSend(chatId, 'use <Ctrl>+S, then a < b & c > d');
    const shown = await activityAfter('sc-teams', before, (a) => (a.text ?? '').includes('Ctrl'));
    expect(shown.text).toBe('Anna: use &lt;Ctrl&gt;+S, then a &lt; b &amp; c &gt; d');
    expect(shown.textFormat).toBe('xml');
  });

  it('Facebook: a "like" sticker reaches the agent as 👍; agent text is prefixed with the name', async () => {
    const facebook = { channelId: 'facebook' };
    const chatId = await connect('sc-facebook', facebook);
    await bot.say('sc-facebook', '', {
      ...facebook,
      text: undefined,
      channelData: { message: { sticker_id: 369239263222822 } },
      attachments: [{ contentType: 'image/png', contentUrl: 'https://scontent.example/like.png' }],
    });
    await simulator.waitUntil(() =>
      simulator.conversation(chatId).messages.some((m) => m.direction === 'Inbound' && m.text === '👍')
        ? true
        : undefined,
    );
    const before = sentCount('sc-facebook');
    simulator.agentSend(chatId, 'Glad to help!');
    const shown = await activityAfter('sc-facebook', before, (a) => (a.text ?? '').includes('Glad'));
    expect(shown.text).toBe('Anna: Glad to help!');
    // Without FacebookHumanAgentTag the message carries no message tag.
    expect(shown.channelData).toBeUndefined();
  });
});

describe('agent Markdown over Web Messaging when the deployment enables it', () => {
  let simulator: WebMessagingSimulator;
  let connector: ConnectorRecorder & { serviceUrl: string };
  let bot: BotInstance;

  beforeAll(async () => {
    simulator = new Simulator({
      deployments: [{ id: TEST_DEPLOYMENT_ID, conversationDisconnect: 'Send', markdown: true }],
      port: 0,
      host: '127.0.0.1',
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

  it('Teams gets the Markdown as HTML, with literal text escaped', async () => {
    const teams = { channelId: 'msteams', conversation: { id: 'md-teams', conversationType: 'personal' } };
    await bot.say('md-teams', 'I want to talk to a human', teams);
    await connector.waitForText('md-teams', MESSAGES.queued);
    const chat = await simulator.waitForConversation((c) => c.customAttributes.botConversationId === 'md-teams', 5000);
    simulator.agentJoin(chat.id, { displayName: 'Anna' });
    simulator.agentSend(chat.id, '**Shipped**: 1 < 2 & [tracking](https://t.example/1)');
    await connector.waitFor(
      () => connector.texts('md-teams').some((t) => t.includes('Shipped')),
      10_000,
      'the agent message',
    );
    const text = connector.texts('md-teams').find((t) => t.includes('Shipped'));
    expect(text).toBe('Anna: <b>Shipped</b>: 1 &lt; 2 &amp; <a href="https://t.example/1">tracking</a>');
  });
});
