import type { ChatEvent } from '../../../src/genesys/handoffProvider';
import { MESSAGES } from '../../../src/resources/messages';
import { HandoffParts, UNIT_SETTINGS } from '../../support/handoffParts';

const agentMessage = (id: string, text: string, extra: Partial<ChatEvent> = {}): ChatEvent =>
  ({
    kind: 'agentMessage',
    id,
    text,
    time: '2026-01-01T00:00:00.000Z',
    agent: { name: 'Anna' },
    attachments: [],
    ...extra,
  }) as ChatEvent;

describe('AgentToUserRelay (agent → user)', () => {
  it('tells the user the chat is queued, once', async () => {
    const parts = new HandoffParts();
    const { chat } = await parts.openChat('q-1', 'requested');
    await chat.emit({ kind: 'queued' });
    await chat.emit({ kind: 'queued' });
    expect((await parts.record('q-1'))?.state).toBe('queued');
    expect(parts.messenger.texts()).toEqual([MESSAGES.queued]);
    expect(parts.messenger.sends[0]?.note).toBe('Waiting for an agent.');
  });

  it('an agent who joined before Genesys reported the queue: "queued" then changes nothing and reads nothing', async () => {
    const parts = new HandoffParts();
    const { chat } = await parts.openChat('early-1', 'requested');
    await chat.emit({ kind: 'agentJoined', agent: { name: 'Anna' } });
    const reads = jest.spyOn(parts.store, 'read');
    const writes = jest.spyOn(parts.store, 'replace');
    await chat.emit({ kind: 'queued' });
    expect(reads).not.toHaveBeenCalled();
    expect(writes).not.toHaveBeenCalled();
    expect((await parts.record('early-1'))?.state).toBe('connected');
    expect(parts.messenger.texts()).toEqual([MESSAGES.agentJoined('Anna')]);
  });

  it('announces a joining agent once per name and starts the idle deadline from the clock', async () => {
    const parts = new HandoffParts();
    const { chat } = await parts.openChat('join-1', 'queued');
    parts.clock.advance(5_000);
    await chat.emit({ kind: 'agentJoined', agent: { name: 'Anna' } });
    await chat.emit({ kind: 'agentJoined', agent: { name: 'Anna' } });
    const record = await parts.record('join-1');
    expect(record).toMatchObject({ state: 'connected', agentName: 'Anna' });
    expect(record?.queueDeadline).toBeUndefined();
    expect(record?.idleDeadline).toBe(parts.clock.now() + 300_000);
    expect(parts.messenger.texts()).toEqual([MESSAGES.agentJoined('Anna')]);
  });

  it('turns an agent message into one channel message as the agent, once per message id', async () => {
    const parts = new HandoffParts();
    const { chat } = await parts.openChat('msg-1', 'connected');
    parts.clock.advance(10_000);
    const event = agentMessage('m1', 'Hello', {
      attachments: [
        { url: 'https://files.example/cat.png', contentType: 'image/png', name: 'cat.png' },
        { url: 'https://files.example/terms.pdf', contentType: 'application/pdf', name: 'terms.pdf' },
      ],
    });
    await chat.emit(event);
    await chat.emit(event);
    expect(parts.messenger.sends).toHaveLength(1);
    const [send] = parts.messenger.sends;
    expect(send?.speaker).toEqual({ role: 'agent', name: 'Anna' });
    expect(send?.activities[0]?.text).toBe('Hello');
    expect(send?.activities[0]?.from?.name).toBe('Anna');
    expect(send?.activities[0]?.attachments).toEqual([
      { contentType: 'image/png', contentUrl: 'https://files.example/cat.png', name: 'cat.png' },
      {
        contentType: 'application/vnd.microsoft.card.hero',
        content: {
          title: 'terms.pdf',
          images: [],
          buttons: [{ type: 'openUrl', title: MESSAGES.openFile, value: 'https://files.example/terms.pdf' }],
        },
      },
    ]);
    const record = await parts.record('msg-1');
    expect(record?.deliveredMessageIds).toEqual(['m1']);
    expect(record?.lastDeliveredAt).toBe('2026-01-01T00:00:00.000Z');
    expect(record?.idleDeadline).toBe(parts.clock.now() + 300_000);
  });

  it('retries a message the channel refused', async () => {
    const parts = new HandoffParts();
    const { chat } = await parts.openChat('retry-1', 'connected');
    parts.messenger.refuse = 1;
    await chat.emit(agentMessage('m1', 'Are you there?'));
    expect(parts.messenger.texts()).toEqual(['Are you there?']);
    expect((await parts.record('retry-1'))?.deliveredMessageIds).toEqual(['m1']);
  });

  it('stops listening, delivering nothing, when another instance owns the chat', async () => {
    const parts = new HandoffParts();
    const { chat } = await parts.openChat('owned-1', 'connected', { owner: 'instance-b' });
    await chat.emit(agentMessage('m1', 'for the other instance'));
    expect(parts.messenger.sends).toEqual([]);
    expect(chat.detached).toBe(true);
    expect(parts.chats.size).toBe(0);
  });

  it('puts a transferred chat back in the queue with a new queue deadline', async () => {
    const parts = new HandoffParts();
    const { chat } = await parts.openChat('transfer-1', 'connected');
    parts.clock.advance(20_000);
    await chat.emit({ kind: 'agentLeft', agent: { name: 'Anna' }, transfer: true });
    const record = await parts.record('transfer-1');
    expect(record?.state).toBe('queued');
    expect(record?.idleDeadline).toBeUndefined();
    expect(record?.idleWarningAt).toBeUndefined();
    expect(record?.queueDeadline).toBe(parts.clock.now() + 60_000);
    expect(parts.messenger.texts()).toEqual([MESSAGES.agentTransferred]);
  });

  it('only notes an agent who left without a transfer', async () => {
    const parts = new HandoffParts();
    const { chat } = await parts.openChat('left-1', 'connected');
    await chat.emit({ kind: 'agentLeft', agent: { name: 'Anna' }, transfer: false });
    expect(parts.messenger.sends).toEqual([
      { conversationId: 'left-1', kind: 'note', activities: [], note: 'Agent Anna left.' },
    ]);
    expect((await parts.record('left-1'))?.state).toBe('connected');
  });

  it('shows agent typing', async () => {
    const parts = new HandoffParts();
    const { chat } = await parts.openChat('typing-1', 'connected');
    await chat.emit({ kind: 'agentTyping', durationMs: 5000 });
    expect(parts.messenger.sends.map((s) => s.kind)).toEqual(['typing']);
  });

  it('tells the user when Genesys ends the chat, without closing it on Genesys again', async () => {
    const parts = new HandoffParts();
    const { chat } = await parts.openChat('end-1', 'connected');
    await chat.emit({ kind: 'ended', reason: 'agentEnded' });
    expect((await parts.record('end-1'))?.endReason).toBe('agentEnded');
    expect(parts.messenger.texts()).toEqual([MESSAGES.agentEnded]);
    expect(chat.ended).toBe(false);
    expect(parts.chats.size).toBe(0);
    await chat.emit(agentMessage('late', 'after the end'));
    expect(parts.messenger.texts()).toEqual([MESSAGES.agentEnded]);
  });

  it('ignores events of a chat it does not hold', async () => {
    const parts = new HandoffParts();
    const { chat } = await parts.openChat('not-held-1', 'connected', { held: false });
    await chat.emit(agentMessage('m1', 'nobody here'));
    await chat.emit({ kind: 'ended', reason: 'agentEnded' });
    expect(parts.messenger.sends).toEqual([]);
    expect((await parts.record('not-held-1'))?.state).toBe('connected');
  });

  it('counts relay work as pending until it is done (whenIdle)', async () => {
    const parts = new HandoffParts();
    const { chat } = await parts.openChat('idle-hook-1', 'connected');
    let emitted = false;
    void chat.emit(agentMessage('m1', 'first')).then(() => {
      emitted = true;
    });
    void chat.emit(agentMessage('m2', 'second'));
    expect(emitted).toBe(false);
    await parts.chats.whenIdle();
    expect(emitted).toBe(true);
    expect(parts.messenger.texts()).toEqual(['first', 'second']);
  });
});

describe('AgentToUserRelay: channel settings', () => {
  it('prefixes the agent name and tags human messages on Facebook as the settings say', async () => {
    const parts = new HandoffParts({
      ...UNIT_SETTINGS,
      channels: { agentNamePrefix: '{name}: ', facebookHumanAgentTag: true },
    });
    const { chat } = await parts.openChat('fb-1', 'connected', {
      patch: {
        reference: {
          channelId: 'facebook',
          conversation: { id: 'fb-1', isGroup: false, conversationType: '', name: '' },
        },
      },
    });
    await chat.emit(agentMessage('m1', 'Hello <there> & welcome'));
    await chat.emit(agentMessage('m2', 'Automated reply', { fromBot: true }));
    const [human, bot] = parts.messenger.sends.map((s) => s.activities[0]);
    expect(human?.text).toBe('Anna: Hello <there> & welcome');
    expect(human?.channelData).toEqual({ messaging_type: 'MESSAGE_TAG', tag: 'HUMAN_AGENT' });
    // Meta allows the tag only on what a person wrote.
    expect(bot?.channelData).toBeUndefined();
  });
});
