import { GenesysError } from '../../../src/genesys/genesysError';
import { MESSAGES } from '../../../src/resources/messages';
import { HandoffParts } from '../../support/handoffParts';

describe('ChatEnder.endLiveChat (the one end path)', () => {
  it('ends a chat once: the record, then Genesys, then the user, as asked', async () => {
    const parts = new HandoffParts();
    const { record, chat } = await parts.openChat('end-1', 'connected');
    const end = {
      id: record.id,
      reason: 'idleTimeout' as const,
      detail: 'test',
      closeOnGenesys: true,
      tellUser: true,
    };
    const ended = await parts.ender.endLiveChat(end);
    expect(ended).toMatchObject({ state: 'ended', endReason: 'idleTimeout' });
    expect(ended?.idleDeadline).toBeUndefined();
    expect(chat.ended).toBe(true);
    expect(parts.chats.size).toBe(0);
    expect(parts.messenger.texts()).toEqual([MESSAGES.idleTimeout]);

    expect(await parts.ender.endLiveChat(end)).toBeUndefined();
    expect(parts.messenger.texts()).toEqual([MESSAGES.idleTimeout]);
  });

  it('leaves the user uninformed and Genesys untouched when told so', async () => {
    const parts = new HandoffParts();
    const { record, chat } = await parts.openChat('end-2', 'queued');
    await parts.ender.endLiveChat({
      id: record.id,
      reason: 'userCancelled',
      detail: 'test',
      closeOnGenesys: false,
      tellUser: false,
    });
    expect((await parts.record('end-2'))?.endReason).toBe('userCancelled');
    expect(chat.ended).toBe(false);
    expect(parts.messenger.sends).toEqual([]);
  });

  it('does not end a chat outside the given states or of another generation', async () => {
    const parts = new HandoffParts();
    const { record } = await parts.openChat('end-3', 'connected');
    const base = {
      id: record.id,
      reason: 'queueTimeout' as const,
      detail: 'test',
      closeOnGenesys: true,
      tellUser: true,
    };
    expect(await parts.ender.endLiveChat({ ...base, from: ['requested', 'queued'] })).toBeUndefined();
    expect(await parts.ender.endLiveChat({ ...base, generation: 'an-earlier-chat' })).toBeUndefined();
    expect((await parts.record('end-3'))?.state).toBe('connected');
    expect(parts.messenger.sends).toEqual([]);
  });

  it('ends on Genesys from a fresh connection when the held one fails, or detached when held elsewhere', async () => {
    const parts = new HandoffParts();
    const held = await parts.openChat('end-4', 'connected');
    held.chat.endError = new GenesysError('network', 'connection reset');
    const elsewhere = await parts.openChat('end-5', 'connected', { held: false, owner: 'instance-b' });
    for (const { record } of [held, elsewhere]) {
      await parts.ender.endLiveChat({
        id: record.id,
        reason: 'userEnded',
        detail: 'test',
        closeOnGenesys: true,
        tellUser: false,
      });
    }
    expect(held.chat.detached).toBe(true);
    expect(parts.provider.detachedEnds).toHaveLength(2);
  });
});
