import { GenesysError } from '../../../src/genesys/genesysError';
import type { ChatEvent } from '../../../src/genesys/handoffProvider';
import { heartbeatId } from '../../../src/handoff/handoffRecord';
import { MESSAGES } from '../../../src/resources/messages';
import { HandoffParts } from '../../support/handoffParts';

const agentMessage = (id: string, text: string): ChatEvent => ({
  kind: 'agentMessage',
  id,
  text,
  time: '2026-01-01T00:00:00.000Z',
  agent: { name: 'Anna' },
  attachments: [],
});

/** Writes the heartbeat of another instance, valid for `ms` from the parts' clock. */
async function otherInstanceAlive(parts: HandoffParts, instanceId: string, ms: number): Promise<void> {
  await parts.records.heartbeat(heartbeatId(instanceId), instanceId, parts.clock.now() + ms);
}

describe('InstanceLeases (heartbeat, sweep, takeover, release)', () => {
  it('renews the heartbeat for one lease from the clock', async () => {
    const parts = new HandoffParts();
    await parts.leases.beat();
    expect(await parts.records.heartbeats()).toEqual([
      { instanceId: 'instance-a', expiresAt: parts.clock.now() + 30_000 },
    ]);
  });

  it('takes over a chat whose owner stopped beating, resuming after what was delivered', async () => {
    const parts = new HandoffParts();
    await otherInstanceAlive(parts, 'instance-b', 30_000);
    const { record } = await parts.openChat('take-1', 'connected', {
      held: false,
      owner: 'instance-b',
      patch: { deliveredMessageIds: ['m1'] },
    });
    await parts.leases.sweep(true);
    expect(parts.provider.resumed).toHaveLength(0);

    parts.clock.advance(30_001);
    parts.provider.backlog = [agentMessage('m1', 'already seen'), agentMessage('m2', 'missed meanwhile')];
    await parts.leases.sweep();
    expect(parts.provider.resumed).toHaveLength(1);
    expect(parts.provider.resumed[0]?.resumeOptions?.deliveredMessageIds).toEqual(['m1']);
    expect(parts.provider.resumed[0]?.resumeData).toEqual(record.resumeData);
    expect((await parts.record('take-1'))?.owner).toBe('instance-a');
    expect(parts.chats.size).toBe(1);
    expect(parts.messenger.texts()).toEqual(['missed meanwhile']);
  });

  it('drops its connections when the heartbeat cannot be renewed for a whole lease', async () => {
    const parts = new HandoffParts();
    await parts.leases.beat();
    const { chat } = await parts.openChat('lapse-1', 'connected');
    jest.spyOn(parts.records, 'heartbeat').mockRejectedValue(new Error('storage unavailable'));
    parts.clock.advance(30_000);
    await parts.leases.beat();
    expect(chat.detached).toBe(false);
    parts.clock.advance(1);
    await parts.leases.beat();
    expect(chat.detached).toBe(true);
    expect(parts.chats.size).toBe(0);
    // Without a fresh heartbeat a sweep does nothing (the chats may be owned elsewhere now).
    await parts.leases.sweep();
    expect(parts.provider.resumed).toHaveLength(0);
  });

  it('ends a claimed chat that was never fully opened, telling the user', async () => {
    const parts = new HandoffParts();
    await parts.openChat('half-1', 'requested', { held: false, owner: '', patch: { resumeData: undefined } });
    await parts.leases.sweep(true);
    expect((await parts.record('half-1'))?.endReason).toBe('connectionLost');
    expect(parts.messenger.texts()).toEqual([MESSAGES.connectionLost]);
  });

  it('releases a chat it could not resume yet, and ends one Genesys expired', async () => {
    const parts = new HandoffParts();
    await parts.openChat('transient-1', 'connected', { held: false, owner: '' });
    parts.provider.resumeError = new GenesysError('network', 'connection reset');
    await parts.leases.sweep(true);
    expect(await parts.record('transient-1')).toMatchObject({ state: 'connected', owner: '' });
    expect(parts.chats.size).toBe(0);

    parts.provider.resumeError = new GenesysError('sessionExpired', 'gone');
    await parts.leases.sweep(true);
    expect((await parts.record('transient-1'))?.endReason).toBe('expired');
    expect(parts.messenger.texts()).toEqual([MESSAGES.sessionExpired]);
  });

  it('releases every held chat and removes its heartbeat', async () => {
    const parts = new HandoffParts();
    await parts.leases.beat();
    const { chat } = await parts.openChat('release-1', 'connected');
    await parts.leases.releaseAll();
    expect(chat.detached).toBe(true);
    expect(chat.ended).toBe(false);
    expect((await parts.record('release-1'))?.owner).toBe('');
    expect(await parts.records.heartbeats()).toEqual([]);
  });

  it('drops a held chat another instance claimed, on the full scan', async () => {
    const parts = new HandoffParts();
    await parts.leases.beat();
    const { record, chat } = await parts.openChat('moved-1', 'connected');
    await otherInstanceAlive(parts, 'instance-b', 30_000);
    await parts.records.update(record.id, (r) => ({ ...r, owner: 'instance-b' }));
    await parts.leases.sweep(true);
    expect(chat.detached).toBe(true);
    expect(parts.chats.size).toBe(0);
    expect(parts.provider.resumed).toHaveLength(0);
  });

  it('adopts a chat held elsewhere once when two calls for it arrive together', async () => {
    const parts = new HandoffParts();
    await otherInstanceAlive(parts, 'instance-b', 30_000);
    const { record } = await parts.openChat('adopt-1', 'connected', { held: false, owner: 'instance-b' });
    const token = record.resumeData;
    const matches = (data: unknown): boolean => JSON.stringify(data) === JSON.stringify(token);
    const both = await Promise.all([parts.leases.adopt(matches), parts.leases.adopt(matches)]);
    expect(both).toEqual([true, true]);
    expect(parts.provider.resumed).toHaveLength(1);
    expect((await parts.record('adopt-1'))?.owner).toBe('instance-a');
    expect(parts.chats.get(record.id)?.session).toBe(parts.provider.resumed[0]);
  });
});
