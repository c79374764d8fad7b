import { GenesysError } from '../../src/genesys/genesysError';
import { handoffRecordId } from '../../src/handoff/handoffKeys';
import { isHandoffRecord } from '../../src/handoff/handoffRecord';
import { MESSAGES } from '../../src/resources/messages';
import { BotHarness } from '../support/botHarness';
import { FakeProvider } from '../support/fakeProvider';
import { testConfig } from '../support/testConfig';

const RECORD_ID = handoffRecordId('test', 'conversation-1');

async function record(harness: BotHarness, id = RECORD_ID) {
  const doc = await harness.storage.handoffStore.read(id);
  return isHandoffRecord(doc?.value) ? doc.value : undefined;
}

async function connectedHarness(options: { now?: () => number; env?: Record<string, string> } = {}) {
  const provider = new FakeProvider();
  const harness = await BotHarness.create({
    provider,
    config: testConfig(options.env),
    ...(options.now ? { now: options.now } : {}),
  });
  await harness.say('hello');
  await harness.say('what are your opening hours?');
  harness.take();
  const replies = await harness.say('I want to talk to a human');
  await provider.last.emit({ kind: 'agentJoined', agent: { name: 'Anna' } });
  return { provider, harness, replies: [...replies, ...harness.take()] };
}

describe('HandoffBot without live agents', () => {
  it('welcomes new members with the suggested actions', async () => {
    const harness = await BotHarness.create();
    await harness.adapter.processActivity(
      {
        type: 'conversationUpdate',
        membersAdded: [{ id: 'user-1', name: 'Dana' }],
        recipient: { id: 'bot', name: 'Bot' },
      },
      (context) => harness.services.bot.run(context),
    );
    const [welcome] = harness.take();
    expect(welcome?.text).toBe(MESSAGES.welcome);
    expect(welcome?.suggestedActions?.actions.map((a) => a.title)).toEqual([
      MESSAGES.talkToAgentAction,
      MESSAGES.helpAction,
    ]);
  });

  it('answers "agent" honestly when no Genesys deployment is configured', async () => {
    const harness = await BotHarness.create();
    const replies = await harness.say('talk to an agent please');
    expect(replies.map((r) => r.text)).toEqual([MESSAGES.agentsNotConfigured]);
    expect(await record(harness)).toBeUndefined();
  });

  it("keeps each conversation's transcript to itself", async () => {
    const harness = await BotHarness.create();
    await harness.say('how do returns work?', 'a');
    await harness.say('what about delivery?', 'b');
    const a = await harness.transcript('a');
    const b = await harness.transcript('b');
    expect(a.entries.map((e) => e.text).join(' ')).toContain('returns');
    expect(a.entries.map((e) => e.text).join(' ')).not.toContain('delivery');
    expect(b.entries.map((e) => e.text).join(' ')).toContain('delivery');
    expect(a.entries.map((e) => e.role)).toEqual(['user', 'bot']);
  });
});

describe('HandoffBot handoff', () => {
  it('connects, gives the agent the transcript and participant data, and announces the agent', async () => {
    const { provider, replies } = await connectedHarness();
    const texts = replies.map((r) => r.text);
    expect(texts).toEqual([MESSAGES.connecting, MESSAGES.queued, MESSAGES.agentJoined('Anna')]);
    const joined = replies.at(-1);
    expect(joined?.suggestedActions?.actions.map((a) => a.title)).toEqual([MESSAGES.endChatAction]);
    const request = provider.last.request!;
    expect(request.introduction).toContain('Customer'.length > 0 ? 'Dana Customer: what are your opening hours?' : '');
    expect(request.introduction).toContain('Monday to Friday');
    expect(request.attributes).toMatchObject({
      botChannel: 'test',
      botConversationId: 'conversation-1',
      botUserName: 'Dana Customer',
    });
    expect(request.guest.displayName).toBe('Dana Customer');
  });

  it('relays user messages to the agent and keeps the dialogs silent', async () => {
    const { provider, harness } = await connectedHarness();
    const replies = await harness.say('what are your opening hours?');
    expect(replies).toEqual([]);
    expect(provider.last.sent).toEqual(['what are your opening hours?']);
  });

  it('delivers agent messages and typing proactively, once each, without replyToId', async () => {
    const { provider, harness } = await connectedHarness();
    await provider.last.emit({ kind: 'agentTyping', durationMs: 5000 });
    await provider.last.emit({
      kind: 'agentMessage',
      id: 'm1',
      text: 'Hi, I am Anna',
      time: new Date().toISOString(),
      agent: { name: 'Anna' },
      attachments: [],
    });
    await provider.last.emit({
      kind: 'agentMessage',
      id: 'm1',
      text: 'Hi, I am Anna',
      time: new Date().toISOString(),
      agent: { name: 'Anna' },
      attachments: [],
    });
    const sent = harness.take();
    expect(sent.map((a) => a.type)).toEqual(['typing', 'message']);
    expect(sent[1]?.text).toBe('Hi, I am Anna');
    expect(sent[1]?.replyToId).toBeUndefined();
    const transcript = await harness.transcript();
    expect(transcript.entries.filter((e) => e.role === 'agent').map((e) => `${e.name ?? ''}: ${e.text}`)).toEqual([
      'Anna: Hi, I am Anna',
    ]);
  });

  it('forwards user typing to the agent', async () => {
    const { provider, harness } = await connectedHarness();
    await harness.say({ type: 'typing' });
    expect(provider.last.typingCount).toBe(1);
  });

  it('sends agent attachments: images inline, other files as cards that open them', async () => {
    const { provider, harness } = await connectedHarness();
    await provider.last.emit({
      kind: 'agentMessage',
      id: 'm2',
      text: 'Here you go',
      time: new Date().toISOString(),
      agent: { name: 'Anna' },
      attachments: [
        { url: 'https://files.example/pic.png', name: 'pic.png', contentType: 'image/png' },
        { url: 'https://files.example/form.pdf', name: 'form.pdf', contentType: 'application/pdf' },
      ],
    });
    const [message] = harness.take();
    expect(message?.attachments?.[0]).toMatchObject({
      contentType: 'image/png',
      contentUrl: 'https://files.example/pic.png',
    });
    expect(message?.text).toBe('Here you go');
    expect(message?.attachments?.[1]).toMatchObject({
      contentType: 'application/vnd.microsoft.card.hero',
      content: { title: 'form.pdf', buttons: [{ type: 'openUrl', value: 'https://files.example/form.pdf' }] },
    });
  });

  it('forwards user attachments as links, noting when the channel needs auth', async () => {
    const { provider, harness } = await connectedHarness();
    await harness.say({
      text: 'see this',
      attachments: [
        { contentType: 'image/png', contentUrl: 'https://smba.trafficmanager.net/x/pic.png', name: 'pic.png' },
      ],
    });
    expect(provider.last.sent.at(-1)).toContain('see this');
    expect(provider.last.sent.at(-1)).toContain('https://smba.trafficmanager.net/x/pic.png');
    expect(provider.last.sent.at(-1)).toContain('signed in');
  });

  it('ends the chat when the user types "end chat" and hands back to the bot', async () => {
    const { provider, harness } = await connectedHarness();
    expect((await harness.say('End chat')).map((r) => r.text)).toEqual([MESSAGES.userEnded]);
    expect(provider.last.ended).toBe(true);
    expect((await record(harness))?.endReason).toBe('userEnded');
    expect((await harness.say('how do returns work?'))[0]?.text).toContain('return any item within 30 days');
  });

  it('lets the user cancel while queued', async () => {
    const provider = new FakeProvider();
    const harness = await BotHarness.create({ provider, config: testConfig() });
    await harness.say('agent');
    expect((await harness.say('cancel')).map((r) => r.text)).toEqual([MESSAGES.userCancelled]);
    expect(provider.last.ended).toBe(true);
    expect((await record(harness))?.endReason).toBe('userCancelled');
  });

  it('says no agent could take the chat when Genesys ends it before any agent joined (a decline)', async () => {
    const provider = new FakeProvider();
    const harness = await BotHarness.create({ provider, config: testConfig() });
    await harness.say('agent');
    await provider.last.emit({ kind: 'queued' });
    harness.take();
    await provider.last.emit({ kind: 'ended', reason: 'agentEnded' });
    expect(harness.takeTexts()).toEqual([MESSAGES.notAnswered]);
    expect((await record(harness))?.endReason).toBe('notAnswered');
  });

  it('tells the user when the agent ends the chat, then answers itself', async () => {
    const { provider, harness } = await connectedHarness();
    await provider.last.emit({ kind: 'ended', reason: 'agentEnded' });
    expect(harness.takeTexts()).toEqual([MESSAGES.agentEnded]);
    expect((await harness.say('help'))[0]?.text).toBe(MESSAGES.help);
    const transcript = await harness.transcript();
    expect(transcript.entries.filter((e) => e.role === 'system').map((e) => e.text)).toEqual([
      'Waiting for an agent.',
      'Agent Anna joined.',
      'Live chat ended (agentEnded).',
    ]);
  });

  it('announces a transfer and the new agent', async () => {
    const { provider, harness } = await connectedHarness();
    await provider.last.emit({ kind: 'agentLeft', agent: { name: 'Anna' }, transfer: true });
    await provider.last.emit({ kind: 'agentJoined', agent: { name: 'Ben' } });
    expect(harness.takeTexts()).toEqual([MESSAGES.agentTransferred, MESSAGES.agentJoined('Ben')]);
  });

  it('ignores a repeated join of the same agent', async () => {
    const { provider, harness } = await connectedHarness();
    await provider.last.emit({ kind: 'agentJoined', agent: { name: 'Anna' } });
    expect(harness.takeTexts()).toEqual([]);
  });

  it('tells the user plainly when Genesys refuses, and stays usable', async () => {
    const provider = new FakeProvider();
    provider.startError = new GenesysError('invalidQueue', 'queue not found', {
      status: 400,
      genesysCode: 'chat.error.invalid.queue',
    });
    const harness = await BotHarness.create({ provider, config: testConfig() });
    expect((await harness.say('agent')).map((r) => r.text)).toEqual([MESSAGES.connecting, MESSAGES.handoffRefused]);
    expect((await record(harness))?.state).toBe('failed');
    expect((await harness.say('help'))[0]?.text).toBe(MESSAGES.help);
  });

  it('tells the user when Genesys cannot be reached', async () => {
    const provider = new FakeProvider();
    provider.startError = new GenesysError('network', 'connect ECONNREFUSED');
    const harness = await BotHarness.create({ provider, config: testConfig() });
    expect((await harness.say('agent')).map((r) => r.text)).toEqual([MESSAGES.connecting, MESSAGES.handoffFailed]);
  });

  it('tells the user when a message could not reach the agent', async () => {
    const { provider, harness } = await connectedHarness();
    provider.last.failSends = true;
    expect((await harness.say('hello?')).map((r) => r.text)).toEqual([MESSAGES.messageNotDeliveredQuoted('hello?')]);
  });

  it('never lets two conversations cross', async () => {
    const provider = new FakeProvider();
    const harness = await BotHarness.create({ provider, config: testConfig() });
    await harness.say('agent', 'a');
    await harness.say('agent', 'b');
    const [chatA, chatB] = provider.chats;
    await chatA!.emit({ kind: 'agentJoined', agent: { name: 'Anna' } });
    await chatB!.emit({ kind: 'agentJoined', agent: { name: 'Ben' } });
    harness.take();
    await harness.say('for Anna', 'a');
    await harness.say('for Ben', 'b');
    expect(chatA!.sent).toEqual(['for Anna']);
    expect(chatB!.sent).toEqual(['for Ben']);
    await chatB!.emit({
      kind: 'agentMessage',
      id: 'x',
      text: 'from Ben',
      time: new Date().toISOString(),
      agent: { name: 'Ben' },
      attachments: [],
    });
    const [sent] = harness.take();
    expect(sent?.conversation?.id).toBe('b');
  });

  it('ends on queue timeout, from the deadline in the record', async () => {
    let now = 1_000_000;
    const provider = new FakeProvider();
    const harness = await BotHarness.create({
      provider,
      config: testConfig({ HandoffQueueTimeoutSeconds: '60' }),
      now: () => now,
    });
    await harness.say('agent');
    harness.take();
    now += 59_000;
    await harness.services.handoff.sweep();
    expect(harness.takeTexts()).toEqual([]);
    now += 2_000;
    await harness.services.handoff.sweep();
    expect(harness.takeTexts()).toEqual([MESSAGES.queueTimeout]);
    expect(provider.last.ended).toBe(true);
    expect((await record(harness))?.endReason).toBe('queueTimeout');
  });

  it('warns before the idle timeout, then ends', async () => {
    let now = 1_000_000;
    const { provider, harness } = await connectedHarness({
      now: () => now,
      env: { HandoffIdleTimeoutSeconds: '600', HandoffIdleWarningSeconds: '120' },
    });
    now += 400_000;
    await harness.services.handoff.sweep();
    expect(harness.takeTexts()).toEqual([]);
    now += 90_000;
    await harness.services.handoff.sweep();
    expect(harness.takeTexts()).toEqual([MESSAGES.idleWarning(2)]);
    await harness.services.handoff.sweep();
    expect(harness.takeTexts()).toEqual([]);
    now += 120_000;
    await harness.services.handoff.sweep();
    expect(harness.takeTexts()).toEqual([MESSAGES.idleTimeout]);
    expect(provider.last.ended).toBe(true);
  });

  it('postpones the idle timeout while messages flow', async () => {
    let now = 1_000_000;
    const { harness } = await connectedHarness({
      now: () => now,
      env: { HandoffIdleTimeoutSeconds: '600', HandoffIdleWarningSeconds: '120' },
    });
    now += 500_000;
    await harness.say('still here');
    now += 400_000;
    await harness.services.handoff.sweep();
    expect(harness.takeTexts()).toEqual([]);
  });

  it("keeps the user's time zone on the record and labels time slots in it", async () => {
    const provider = new FakeProvider();
    const harness = await BotHarness.create({ provider });
    await harness.say({ text: 'I want to talk to a human', localTimezone: 'Europe/Berlin' });
    await provider.last.emit({ kind: 'agentJoined', agent: { name: 'Anna' } });
    expect((await record(harness))?.timeZone).toBe('Europe/Berlin');
    await harness.say({ text: 'I am travelling', localTimezone: 'America/New_York' });
    expect((await record(harness))?.timeZone).toBe('America/New_York');
    // A message without a zone (or with one Intl does not know) keeps the last one.
    await harness.say({ text: 'still here', localTimezone: 'Mars/Olympus' });
    expect((await record(harness))?.timeZone).toBe('America/New_York');
    harness.take();
    await provider.last.emit({
      kind: 'agentMessage',
      id: 'm-slots',
      text: '',
      time: new Date().toISOString(),
      agent: { name: 'Anna' },
      attachments: [],
      content: {
        items: [{ kind: 'datePicker', title: 'When?', slots: [{ dateTime: '2026-12-02T14:00:00Z', duration: 30 }] }],
      },
    });
    const [offer] = harness.take();
    expect(offer?.suggestedActions?.actions.map((a) => a.title)).toEqual(['Wed, 2 Dec 2026, 09:00 GMT-5 (30 min)']);
  });
});

describe('HandoffBot pre-chat questions and errors', () => {
  it('asks the configured questions and hands the answers to the agent', async () => {
    const provider = new FakeProvider();
    const harness = await BotHarness.create({
      provider,
      config: testConfig({ HandoffPreChatQuestions: '[{"key":"orderNumber","prompt":"What is your order number?"}]' }),
    });
    expect((await harness.say('agent')).map((r) => r.text)).toEqual(['What is your order number?']);
    expect((await harness.say('A-1234')).map((r) => r.text)).toEqual([MESSAGES.connecting, MESSAGES.queued]);
    expect(provider.last.request?.attributes.orderNumber).toBe('A-1234');
  });

  it('answers a failing turn with one friendly sentence, and a trace only in the Emulator', async () => {
    const harness = await BotHarness.create();
    const failing = { ...harness.storage.botStorage, read: () => Promise.reject(new Error('storage exploded')) };
    const broken = await BotHarness.create({ storage: { ...harness.storage, botStorage: failing } });
    const replies = await broken.say('hello');
    expect(replies.map((r) => r.text)).toEqual([MESSAGES.turnError]);
    expect(JSON.stringify(replies)).not.toContain('storage exploded');
    const emulatorBot = await BotHarness.create({
      storage: { ...harness.storage, botStorage: failing },
      channelId: 'emulator',
    });
    const emulator = await emulatorBot.say('hello');
    expect(emulator.map((r) => r.type)).toEqual(['trace', 'message']);
  });
});
