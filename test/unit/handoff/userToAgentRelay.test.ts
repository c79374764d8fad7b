import type { Activity } from 'botbuilder';
import type { ChatEvent } from '../../../src/genesys/handoffProvider';
import { composeUserText } from '../../../src/handoff/userToAgentRelay';
import type { HandoffRecord } from '../../../src/handoff/handoffRecord';
import { GenesysError } from '../../../src/genesys/genesysError';
import { AGENT_TEXTS, MESSAGES } from '../../../src/resources/messages';
import { HandoffParts } from '../../support/handoffParts';

/** Queues a message and waits until the outbox was worked through; true when it reached Genesys without a refusal notice. */
async function relay(parts: HandoffParts, record: HandoffRecord, activity: Partial<Activity>): Promise<boolean> {
  const before = parts.messenger.texts().length;
  const outcome = await parts.userToAgent.accept(record, activity);
  await parts.chats.whenIdle();
  const refusedNotice = parts.messenger
    .texts()
    .slice(before)
    .some((t) => t.startsWith('Sorry, '));
  return outcome.status === 'queued' && !refusedNotice;
}

describe('UserToAgentRelay (user → agent)', () => {
  it('sends the text and attachment links on the connection held here', async () => {
    const parts = new HandoffParts();
    const { record, chat } = await parts.openChat('u-1', 'connected');
    const delivered = await relay(parts, record, {
      type: 'message',
      channelId: 'test',
      text: 'see this',
      attachments: [{ contentType: 'image/png', contentUrl: 'https://files.example/a.png', name: 'a.png' }],
    });
    expect(delivered).toBe(true);
    expect(chat.sent).toEqual([`see this\n${MESSAGES.attachmentNote('a.png', 'https://files.example/a.png', false)}`]);
  });

  it('sends detached when another instance holds the chat, but not once the chat ended', async () => {
    const parts = new HandoffParts();
    const { record } = await parts.openChat('u-2', 'connected', { held: false, owner: 'instance-b' });
    expect(await relay(parts, record, { type: 'message', text: 'hello' })).toBe(true);
    expect(parts.provider.detachedSends.map((s) => s.text)).toEqual(['hello']);

    await parts.records.transition(record.id, 'ended', 'agent ended', (r) => {
      r.endReason = 'agentEnded';
    });
    expect(await relay(parts, record, { type: 'message', text: 'too late' })).toBe(false);
    expect(parts.provider.detachedSends.map((s) => s.text)).toEqual(['hello']);
  });

  it('reports a message it could not deliver once, quoting it, and carries on', async () => {
    const parts = new HandoffParts();
    const { record, chat } = await parts.openChat('u-3', 'connected');
    chat.failSends = true;
    expect(await relay(parts, record, { type: 'message', text: 'lost?' })).toBe(false);
    expect(parts.messenger.texts()).toEqual([MESSAGES.messageNotDeliveredQuoted('lost?')]);
    chat.failSends = false;
    expect(await relay(parts, record, { type: 'message', text: 'second try' })).toBe(true);
    expect(chat.sent).toEqual(['second try']);
    expect((await parts.record('u-3'))?.outbox).toEqual([]);
  });

  it('keeps messages written while the chat opens and sends them, in order, once it is open', async () => {
    const parts = new HandoffParts();
    const opening = await parts.openChat('u-4', 'requested', {
      held: false,
      patch: { resumeData: undefined, outboxDrainer: 'instance-a', outboxDrainUntil: parts.clock.now() + 60_000 },
    });
    for (const text of ['early 1', 'early 2']) {
      expect(await parts.userToAgent.accept(opening.record, { type: 'message', id: text, text })).toEqual({
        status: 'queued',
        acknowledge: text === 'early 1',
      });
    }
    await parts.chats.whenIdle();
    expect(opening.chat.sent).toEqual([]);
    expect((await parts.record('u-4'))?.outbox?.map((e) => e.text)).toEqual(['early 1', 'early 2']);
    await parts.records.update(opening.record.id, (r) => ({ ...r, resumeData: opening.chat.resumeData }));
    parts.chats.set(opening.record.id, {
      generation: opening.record.generation,
      session: opening.chat,
      reference: opening.record.reference,
    });
    await parts.userToAgent.resumeOutbox(opening.record.id, true);
    await parts.chats.whenIdle();
    expect(opening.chat.sent).toEqual(['early 1', 'early 2']);
    expect((await parts.record('u-4'))?.outbox).toEqual([]);
  });

  it('takes a redelivered activity once', async () => {
    const parts = new HandoffParts();
    const { record, chat } = await parts.openChat('u-8', 'connected');
    expect(await parts.userToAgent.accept(record, { type: 'message', id: 'a-1', text: 'once' })).toMatchObject({
      status: 'queued',
    });
    expect(await parts.userToAgent.accept(record, { type: 'message', id: 'a-1', text: 'once' })).toEqual({
      status: 'duplicate',
    });
    await parts.chats.whenIdle();
    expect(chat.sent).toEqual(['once']);
  });

  it('resumes an outbox whose sender stopped, from another instance, once the claim lapsed', async () => {
    const parts = new HandoffParts();
    const { record } = await parts.openChat('u-9', 'connected', {
      held: false,
      owner: 'instance-b',
      patch: {
        outbox: [{ activityId: 'x', text: 'left behind', at: parts.clock.now() }],
        outboxDrainer: 'instance-dead',
        outboxDrainUntil: parts.clock.now() + 60_000,
      },
    });
    await parts.userToAgent.resumeOutbox(record.id);
    await parts.chats.whenIdle();
    expect(parts.provider.detachedSends).toEqual([]);
    parts.clock.advance(60_001);
    await parts.userToAgent.resumeOutbox(record.id);
    await parts.chats.whenIdle();
    expect(parts.provider.detachedSends.map((s) => s.text)).toEqual(['left behind']);
  });

  it('moves the idle deadline at most every 30 s, and at once after an idle warning', async () => {
    const parts = new HandoffParts();
    const { record } = await parts.openChat('u-5', 'connected');
    const firstDeadline = record.idleDeadline;
    parts.clock.advance(29_000);
    await relay(parts, record, { type: 'message', text: 'one' });
    expect((await parts.record('u-5'))?.idleDeadline).toBe(firstDeadline);

    parts.clock.advance(1_000);
    await relay(parts, record, { type: 'message', text: 'two' });
    expect((await parts.record('u-5'))?.idleDeadline).toBe(parts.clock.now() + 300_000);

    const warned = { ...(await parts.record('u-5'))!, idleWarned: true };
    parts.clock.advance(1_000);
    await parts.records.update(warned.id, (r) => ({ ...r, idleWarned: true }));
    await relay(parts, warned, { type: 'message', text: 'three' });
    expect(await parts.record('u-5')).toMatchObject({ idleWarned: false, idleDeadline: parts.clock.now() + 300_000 });
  });

  it('relays typing of a chat held elsewhere where the provider sends typing from any instance', async () => {
    const parts = new HandoffParts();
    const elsewhere = await parts.openChat('u-8', 'connected', { held: false });
    const detached: unknown[] = [];
    Object.assign(parts.provider, {
      sendDetachedTyping: (data: unknown): Promise<void> => {
        detached.push(data);
        return Promise.reject(new GenesysError('network', 'reset'));
      },
    });
    await expect(parts.userToAgent.relayUserTyping(elsewhere.record)).resolves.toBeUndefined();
    expect(detached).toEqual([elsewhere.record.resumeData]);
    expect(elsewhere.chat.typingCount).toBe(0);
  });

  it('relays typing only from the instance holding the chat (without detached typing), and survives a failure', async () => {
    const parts = new HandoffParts();
    const held = await parts.openChat('u-6', 'connected');
    const elsewhere = await parts.openChat('u-7', 'connected', { held: false });
    await parts.userToAgent.relayUserTyping(held.record);
    await parts.userToAgent.relayUserTyping(elsewhere.record);
    expect(held.chat.typingCount).toBe(1);
    expect(elsewhere.chat.typingCount).toBe(0);
    jest.spyOn(held.chat, 'sendTyping').mockRejectedValueOnce(new GenesysError('network', 'reset'));
    await expect(parts.userToAgent.relayUserTyping(held.record)).resolves.toBeUndefined();
  });

  it('composes stickers, cards and edits the agent can read, and never an empty text', () => {
    expect(
      composeUserText({
        type: 'message',
        channelId: 'facebook',
        channelData: { message: { sticker_id: 369239263222822 } },
        attachments: [{ contentType: 'image/png', contentUrl: 'https://fb.example/like.png' }],
      }),
    ).toBe('👍');
    expect(
      composeUserText({
        type: 'message',
        attachments: [{ contentType: 'application/vnd.microsoft.card.adaptive', content: { type: 'AdaptiveCard' } }],
      }),
    ).toBe(AGENT_TEXTS.userAttachmentWithoutLink('application/vnd.microsoft.card.adaptive'));
    expect(
      composeUserText({
        type: 'message',
        text: 'plain',
        attachments: [{ contentType: 'text/html', content: '<div>plain</div>' }],
      }),
    ).toBe('plain');
    expect(composeUserText({ type: 'message', text: '   ' })).toBe('');
  });

  it('composes nothing for an activity without text or links', () => {
    expect(composeUserText({ type: 'message', attachments: [{ contentType: 'text/plain' }] })).toBe('');
    expect(
      composeUserText({
        type: 'message',
        channelId: 'msteams',
        attachments: [{ contentType: 'application/pdf', contentUrl: 'https://x.example/f.pdf' }],
      }),
    ).toBe(MESSAGES.attachmentNote('application/pdf', 'https://x.example/f.pdf', true));
  });
});

describe('UserToAgentRelay: answers to structured content', () => {
  const offer: ChatEvent = {
    kind: 'agentMessage',
    id: 'offer-1',
    text: 'What is it about?',
    time: '2026-01-01T00:00:00.000Z',
    agent: { name: 'Flow' },
    attachments: [],
    fromBot: true,
    content: {
      items: [
        {
          kind: 'quickReplies',
          replies: [
            { text: 'Billing', payload: 'billing' },
            { text: 'Orders', payload: 'orders' },
          ],
        },
      ],
    },
  };

  it('keeps the offered choices and sends a typed number or label as the button response, once', async () => {
    const parts = new HandoffParts();
    const { record, chat } = await parts.openChat('b-1', 'connected');
    await chat.emit(offer);
    expect((await parts.record('b-1'))?.answerOptions?.map((o) => o.text)).toEqual(['Billing', 'Orders']);

    expect(await relay(parts, record, { type: 'message', id: 'a1', text: ' 2 ' })).toBe(true);
    expect(chat.buttonResponses).toEqual([
      { kind: 'buttonResponse', type: 'QuickReply', originalMessageId: 'offer-1', payload: 'orders', text: 'Orders' },
    ]);
    expect(chat.sent).toEqual([]);
    // Answered: the next "1" is text for the agent.
    expect((await parts.record('b-1'))?.answerOptions).toBeUndefined();
    expect(await relay(parts, record, { type: 'message', id: 'a2', text: '1' })).toBe(true);
    expect(chat.sent).toEqual(['1']);

    await chat.emit({ ...offer, id: 'offer-2' });
    expect(await relay(parts, record, { type: 'message', id: 'a3', text: 'billing' })).toBe(true);
    expect(chat.buttonResponses.map((a) => [a.originalMessageId, a.payload])).toEqual([
      ['offer-1', 'orders'],
      ['offer-2', 'billing'],
    ]);
  });

  it('a later agent message without choices replaces them; edits never answer', async () => {
    const parts = new HandoffParts();
    const { record, chat } = await parts.openChat('b-2', 'connected');
    await chat.emit(offer);
    await parts.userToAgent.accept(record, { type: 'message', id: 'e1' }, '1');
    await parts.chats.whenIdle();
    expect(chat.sent).toEqual(['1']);
    await chat.emit({ ...offer, id: 'plain', content: undefined, text: 'Anything else?' });
    expect((await parts.record('b-2'))?.answerOptions).toBeUndefined();
    expect(await relay(parts, record, { type: 'message', id: 'e2', text: '1' })).toBe(true);
    expect(chat.buttonResponses).toEqual([]);
  });

  it('sends the option text where the provider takes no button responses (Guest Chat)', async () => {
    const parts = new HandoffParts();
    const { record, chat } = await parts.openChat('b-3', 'connected');
    chat.sendButtonResponse = undefined;
    await chat.emit(offer);
    expect(await relay(parts, record, { type: 'message', id: 'g1', text: '1' })).toBe(true);
    expect(chat.sent).toEqual(['Billing']);
  });
});
