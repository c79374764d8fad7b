import { composeUserText } from '../../../src/handoff/userToAgentRelay';
import { GenesysError } from '../../../src/genesys/genesysError';
import { MESSAGES } from '../../../src/resources/messages';
import { HandoffParts } from '../../support/handoffParts';

describe('UserToAgentRelay (user → agent)', () => {
  it('sends the text and attachment links on the connection held here', async () => {
    const parts = new HandoffParts();
    const { record, chat } = await parts.openChat('u-1', 'connected');
    const delivered = await parts.userToAgent.relayUserMessage(record, {
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
    expect(await parts.userToAgent.relayUserMessage(record, { type: 'message', text: 'hello' })).toBe(true);
    expect(parts.provider.detachedSends.map((s) => s.text)).toEqual(['hello']);

    await parts.records.transition(record.id, 'ended', 'agent ended', (r) => {
      r.endReason = 'agentEnded';
    });
    expect(await parts.userToAgent.relayUserMessage(record, { type: 'message', text: 'too late' })).toBe(false);
    expect(parts.provider.detachedSends.map((s) => s.text)).toEqual(['hello']);
  });

  it('reports a message it could not deliver', async () => {
    const parts = new HandoffParts();
    const { record, chat } = await parts.openChat('u-3', 'connected');
    chat.failSends = true;
    expect(await parts.userToAgent.relayUserMessage(record, { type: 'message', text: 'lost?' })).toBe(false);
    const opening = await parts.openChat('u-4', 'requested', { held: false, patch: { resumeData: undefined } });
    expect(await parts.userToAgent.relayUserMessage(opening.record, { type: 'message', text: 'early' })).toBe(false);
  });

  it('moves the idle deadline at most every 30 s, and at once after an idle warning', async () => {
    const parts = new HandoffParts();
    const { record } = await parts.openChat('u-5', 'connected');
    const firstDeadline = record.idleDeadline;
    parts.clock.advance(29_000);
    await parts.userToAgent.relayUserMessage(record, { type: 'message', text: 'one' });
    expect((await parts.record('u-5'))?.idleDeadline).toBe(firstDeadline);

    parts.clock.advance(1_000);
    await parts.userToAgent.relayUserMessage(record, { type: 'message', text: 'two' });
    expect((await parts.record('u-5'))?.idleDeadline).toBe(parts.clock.now() + 300_000);

    const warned = { ...(await parts.record('u-5'))!, idleWarned: true };
    parts.clock.advance(1_000);
    await parts.userToAgent.relayUserMessage(warned, { type: 'message', text: 'three' });
    expect(await parts.record('u-5')).toMatchObject({ idleWarned: false, idleDeadline: parts.clock.now() + 300_000 });
  });

  it('relays typing only from the instance holding the chat, and survives a failure', async () => {
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
