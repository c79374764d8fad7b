import { handoffRecordId } from '../../src/handoff/handoffKeys';
import { isHandoffRecord, type HandoffRecord } from '../../src/handoff/handoffRecord';
import { AGENT_TEXTS, MESSAGES } from '../../src/resources/messages';
import type {
  SimulatedConversationInfo,
  WebMessagingSimulator,
} from '../../src/simulator/webMessaging/webMessagingSimulator';
import { CONNECTOR_REFUSALS, postActivity, userMessage, type ConnectorRecorder } from '../support/connectorRecorder';
import { eventually } from '../support/eventually';
import { startProxiedRig, type BotInstance, type ProxiedRig } from '../support/handoffRig';
import type { WebMessagingProxy } from '../support/webMessagingProxy';

/**
 * Every message arrives once, whatever the channel or Genesys does: the real bot over HTTP, its
 * proactive sends going to a connector that throttles, fails, moves region or refuses for good, and
 * Genesys (the Web Messaging simulator) reached through a proxy that can hold or slow its frames.
 */
describe('delivery outcomes both ways', () => {
  let simulator: WebMessagingSimulator;
  let proxy: WebMessagingProxy;
  let connector: ConnectorRecorder & { serviceUrl: string };
  let bot: BotInstance;

  let rig: ProxiedRig;

  beforeAll(async () => {
    rig = await startProxiedRig();
    ({ simulator, proxy, connector, bot } = rig);
  });

  afterAll(() => rig.stop());

  /** Posts an activity as the channel does and returns the HTTP status. */
  async function post(activity: Record<string, unknown>): Promise<number> {
    const res = await postActivity(bot.url, activity);
    await res.text();
    return res.status;
  }

  const chatsOf = (conversationId: string): SimulatedConversationInfo[] =>
    simulator.conversations().filter((c) => c.customAttributes.botConversationId === conversationId);

  const guestTexts = (chatId: string): string[] =>
    (simulator.findConversation(chatId)?.messages ?? [])
      .filter((m) => m.direction === 'Inbound' && m.type === 'Text')
      .map((m) => m.text);

  async function record(conversationId: string): Promise<HandoffRecord | undefined> {
    const doc = await bot.app.storage.handoffStore.read(handoffRecordId('emulator', conversationId));
    return isHandoffRecord(doc?.value) ? doc.value : undefined;
  }

  async function connect(conversationId: string): Promise<SimulatedConversationInfo> {
    await bot.say(conversationId, 'talk to an agent');
    await connector.waitForText(conversationId, MESSAGES.queued);
    const chat = await simulator.waitForConversation(
      (c) => c.customAttributes.botConversationId === conversationId && c.state !== 'ended',
    );
    // Web Messaging shows a join with the agent's first message (docs/genesys-protocol.md §5).
    simulator.agentJoin(chat.id, { displayName: 'Anna' });
    simulator.agentSend(chat.id, 'Hello, this is Anna');
    await connector.waitForText(conversationId, 'Hello, this is Anna');
    return chat;
  }

  /** What the user saw that the bot says when something broke on its side. */
  const apologies = (conversationId: string): string[] =>
    connector
      .texts(conversationId)
      .filter((t) => t === MESSAGES.turnError || t.startsWith("Sorry, this message couldn't"));

  it('answers the channel while Genesys is still opening the chat, and sends what the user wrote after the introduction, in order', async () => {
    const release = proxy.hold('configureSession');
    try {
      expect(await post(userMessage(connector.serviceUrl, 'slow-open', 'talk to an agent'))).toBe(200);
      await eventually(() => proxy.held('configureSession') === 1, 5000, 'Genesys to be opening the session');
      // Genesys has not answered yet: every request below is answered anyway.
      for (const text of ['first', 'second', 'third', 'fourth'])
        expect(await post(userMessage(connector.serviceUrl, 'slow-open', text))).toBe(200);
      expect(proxy.held('configureSession')).toBe(1);
    } finally {
      release();
    }
    const [chat] = await (async () => {
      await eventually(() => chatsOf('slow-open').length === 1, 10_000, 'the chat to open');
      return chatsOf('slow-open');
    })();
    await simulator.waitUntil(() => (guestTexts(chat!.id).includes('fourth') ? true : undefined), 10_000);
    await bot.app.handoff.whenIdle();
    const texts = guestTexts(chat!.id);
    expect(texts[0]).toContain('talk to an agent');
    expect(texts.slice(1)).toEqual(['first', 'second', 'third', 'fourth']);
    // Acknowledged at most once every few messages; never refused.
    expect(connector.texts('slow-open').filter((t) => t === MESSAGES.passedOnWhileWaiting)).toHaveLength(2);
    expect(apologies('slow-open')).toEqual([]);
  });

  it('opens one chat and relays one message whatever the channel redelivers', async () => {
    const request = userMessage(connector.serviceUrl, 'redelivered', 'talk to an agent');
    const release = proxy.hold('configureSession');
    try {
      expect(await post(request)).toBe(200);
      await eventually(() => proxy.held('configureSession') === 1, 5000, 'Genesys to be opening the session');
      expect(await post(request)).toBe(200);
    } finally {
      release();
    }
    await connector.waitForText('redelivered', MESSAGES.queued);
    const chat = await simulator.waitForConversation((c) => c.customAttributes.botConversationId === 'redelivered');
    simulator.agentJoin(chat.id, { displayName: 'Anna' });
    simulator.agentSend(chat.id, 'Hello, this is Anna');
    await connector.waitForText('redelivered', 'Hello, this is Anna');
    const hello = userMessage(connector.serviceUrl, 'redelivered', 'only once please');
    expect(await post(hello)).toBe(200);
    expect(await post(hello)).toBe(200);
    await post(userMessage(connector.serviceUrl, 'redelivered', 'after it'));
    await simulator.waitUntil(() => (guestTexts(chat.id).includes('after it') ? true : undefined));
    await bot.app.handoff.whenIdle();
    expect(await post(request)).toBe(200);
    await bot.app.handoff.whenIdle();
    expect(chatsOf('redelivered')).toHaveLength(1);
    expect(guestTexts(chat.id).slice(1)).toEqual(['only once please', 'after it']);
    const said = connector.texts('redelivered');
    expect(said.filter((t) => t === MESSAGES.connecting)).toHaveLength(1);
    expect(said).not.toContain(MESSAGES.alreadyConnecting);
  });

  it('shows agent messages once each, in order, through throttling, server errors and slow answers', async () => {
    const chat = await connect('stormy');
    // Each fault outlasts the connector client's own retries (4 attempts), so the relay's retry runs.
    const script = [
      ...Array.from({ length: 4 }, () => ({ ...CONNECTOR_REFUSALS.throttled, retryAfterSeconds: 0 })),
      ...Array.from({ length: 4 }, () => CONNECTOR_REFUSALS.unavailable),
      { status: 200, delayMs: 1500 },
    ];
    connector.fault('stormy', (attempt) => (attempt.activity.type === 'message' ? script.shift() : undefined));
    const said = ['one', 'two', 'three', 'four'];
    for (const text of said) simulator.agentSend(chat.id, text);
    await connector.waitFor(() => connector.texts('stormy').includes('four'), 30_000, 'the last agent message');
    await bot.app.handoff.whenIdle();
    expect(connector.texts('stormy').filter((t) => said.includes(t))).toEqual(said);
    expect(connector.refusals('stormy').length).toBeGreaterThanOrEqual(8);
    expect(apologies('stormy')).toEqual([]);
    // The greeting and the four lines.
    expect((await record('stormy'))?.deliveredMessageIds).toHaveLength(5);
  }, 60_000);

  it('follows a conversation that moved region: the reference is refreshed from the next user message', async () => {
    const old = `${connector.serviceUrl}/emea`;
    const moved = `${connector.serviceUrl}/de`;
    await bot.say('moved', 'talk to an agent', { serviceUrl: old });
    await connector.waitForText('moved', MESSAGES.queued);
    const chat = await simulator.waitForConversation((c) => c.customAttributes.botConversationId === 'moved');
    simulator.agentJoin(chat.id, { displayName: 'Anna' });
    simulator.agentSend(chat.id, 'Hello, this is Anna');
    await connector.waitForText('moved', 'Hello, this is Anna');
    connector.fault('moved', (attempt) => (attempt.region === 'emea' ? CONNECTOR_REFUSALS.wrongGeo : undefined));
    simulator.agentSend(chat.id, 'are you still there?');
    await connector.waitFor(() => connector.refusals('moved').length > 0, 10_000, 'the old region to refuse');
    await bot.say('moved', 'yes, here', { serviceUrl: moved });
    await connector.waitForText('moved', 'are you still there?', 15_000);
    await bot.app.handoff.whenIdle();
    const delivered = connector.activities.filter(
      (a) => a.conversationId === 'moved' && a.activity.text === 'are you still there?',
    );
    expect(delivered).toHaveLength(1);
    expect(delivered[0]?.path.startsWith('/de/')).toBe(true);
    expect((await record('moved'))?.reference.serviceUrl).toBe(moved);
    expect(apologies('moved')).toEqual([]);
  }, 30_000);

  it.each([
    ['403 BotNotInConversationRoster', CONNECTOR_REFUSALS.notInRoster],
    ['404 ConversationNotFound', CONNECTOR_REFUSALS.conversationNotFound],
    ["Facebook's outside of allowed window", CONNECTOR_REFUSALS.outsideWindow],
  ])('ends the Genesys chat when the channel says the user is gone (%s)', async (name, refusal) => {
    const conversationId = `gone-${name.split(' ')[0]!}-${refusal.status}`;
    const chat = await connect(conversationId);
    connector.fault(conversationId, () => refusal);
    simulator.agentSend(chat.id, 'hello?');
    simulator.agentSend(chat.id, 'anyone?');
    await simulator.waitUntil(
      () => (simulator.findConversation(chat.id)?.state === 'ended' ? true : undefined),
      10_000,
    );
    await bot.app.handoff.whenIdle();
    expect(guestTexts(chat.id)).toContain(AGENT_TEXTS.userUnreachable);
    expect(await record(conversationId)).toMatchObject({ state: 'ended', endReason: 'userUnreachable' });
    // Only the greeting, sent before the user left, counts as delivered.
    expect((await record(conversationId))?.deliveredMessageIds).toHaveLength(1);
    expect(connector.texts(conversationId)).not.toContain('hello?');
  });

  it('ends the chat when the bot is uninstalled from the conversation', async () => {
    const chat = await connect('uninstalled');
    const { text: _text, ...message } = userMessage(connector.serviceUrl, 'uninstalled', '');
    const removal = { ...message, type: 'installationUpdate', action: 'remove' };
    expect(await post(removal)).toBe(200);
    await simulator.waitUntil(
      () => (simulator.findConversation(chat.id)?.state === 'ended' ? true : undefined),
      10_000,
    );
    expect(guestTexts(chat.id)).toContain(AGENT_TEXTS.userUnreachable);
    expect(await record('uninstalled')).toMatchObject({ endReason: 'userUnreachable' });
  });

  it('drops refused typing indicators silently and keeps relaying', async () => {
    const chat = await connect('no-typing');
    connector.fault('no-typing', (attempt) =>
      attempt.activity.type === 'typing'
        ? { status: 400, code: 'BadArgument', message: 'typing not supported' }
        : undefined,
    );
    expect(simulator.agentTyping(chat.id)).toBe(true);
    await connector.waitFor(() => connector.refusals('no-typing').length > 0, 10_000, 'typing to be refused');
    simulator.agentSend(chat.id, 'after typing');
    await connector.waitForText('no-typing', 'after typing');
    await bot.app.handoff.whenIdle();
    expect(apologies('no-typing')).toEqual([]);
    expect(await record('no-typing')).toMatchObject({ state: 'connected' });
  });

  it('relays edits, deletions and attachment-only messages, and never an empty text', async () => {
    const chat = await connect('shapes');
    const original = userMessage(connector.serviceUrl, 'shapes', 'my order is 123');
    await post(original);
    await post({ ...original, type: 'messageUpdate', text: 'my order is 124', timestamp: new Date().toISOString() });
    await post({ ...original, type: 'messageDelete', text: undefined, timestamp: new Date().toISOString() });
    await post(
      userMessage(connector.serviceUrl, 'shapes', '', {
        text: undefined,
        attachments: [{ contentType: 'image/png', contentUrl: 'https://files.example/photo.png', name: 'photo.png' }],
      }),
    );
    await post(userMessage(connector.serviceUrl, 'shapes', '   '));
    await post(userMessage(connector.serviceUrl, 'shapes', 'last'));
    await simulator.waitUntil(() => (guestTexts(chat.id).includes('last') ? true : undefined));
    await bot.app.handoff.whenIdle();
    expect(guestTexts(chat.id).slice(1)).toEqual([
      'my order is 123',
      AGENT_TEXTS.userEdited('my order is 124'),
      AGENT_TEXTS.userDeleted,
      MESSAGES.attachmentNote('photo.png', 'https://files.example/photo.png', false),
      'last',
    ]);
  });

  it('tells the user once, quoting it, about a message Genesys kept refusing, and keeps the chat going', async () => {
    const chat = await connect('genesys-refuses');
    proxy.spoilFrames((frame) => frame.includes('this one is refused'));
    try {
      await bot.say('genesys-refuses', 'this one is refused');
      await connector.waitForText('genesys-refuses', MESSAGES.messageNotDeliveredQuoted('this one is refused'), 15_000);
    } finally {
      proxy.spoilFrames(undefined);
    }
    await bot.say('genesys-refuses', 'this one goes');
    await simulator.waitUntil(() => (guestTexts(chat.id).includes('this one goes') ? true : undefined));
    await bot.app.handoff.whenIdle();
    expect(guestTexts(chat.id)).not.toContain('this one is refused');
    expect(
      connector.texts('genesys-refuses').filter((t) => t === MESSAGES.messageNotDeliveredQuoted('this one is refused')),
    ).toHaveLength(1);
    expect(await record('genesys-refuses')).toMatchObject({ state: 'connected', outbox: [] });
  }, 40_000);

  it('answers a second request for an agent while waiting with "already connecting", not to the agent', async () => {
    await bot.say('ask-twice', 'talk to an agent');
    await connector.waitForText('ask-twice', MESSAGES.queued);
    const chat = await simulator.waitForConversation((c) => c.customAttributes.botConversationId === 'ask-twice');
    await bot.say('ask-twice', 'agent');
    await connector.waitForText('ask-twice', MESSAGES.alreadyConnecting);
    await bot.app.handoff.whenIdle();
    expect(guestTexts(chat.id).slice(1)).toEqual([]);
  });
});
