import { HandoffRecords } from '../../src/handoff/handoffRecords';
import type { HandoffDocument, HandoffRecord } from '../../src/handoff/handoffRecord';
import { createSilentLogger } from '../../src/logger';
import { MemoryVersionedStore } from '../../src/storage/memoryVersionedStore';

function record(state: HandoffRecord['state'] = 'requested'): HandoffRecord {
  return {
    id: 'r1',
    type: 'handoff',
    state,
    reason: 'test',
    channelId: 'test',
    conversationId: 'c1',
    userId: 'u1',
    reference: {},
    provider: 'webmessaging',
    generation: 'g1',
    deliveredMessageIds: [],
    owner: 'me',
    createdAt: 1,
    updatedAt: 1,
    lastActivityAt: 1,
    ttl: -1,
  };
}

describe('HandoffRecords', () => {
  const make = () => {
    const store = new MemoryVersionedStore<HandoffDocument>();
    return { store, records: new HandoffRecords(store, 86_400, createSilentLogger(), () => 1000) };
  };

  it('allows only the lifecycle transitions and sets the TTL of ended records', async () => {
    const { records } = make();
    await records.begin(record());
    expect((await records.transition('r1', 'queued', 'queued')).changed).toBe(true);
    expect((await records.transition('r1', 'requested', 'invalid')).changed).toBe(false);
    const ended = await records.transition('r1', 'ended', 'done');
    expect(ended.changed).toBe(true);
    expect(ended.record).toMatchObject({ state: 'ended', ttl: 86_400, owner: '', endedAt: 1000 });
    expect((await records.transition('r1', 'connected', 'too late')).changed).toBe(false);
  });

  it('lets exactly one of two concurrent transitions win', async () => {
    const { records } = make();
    await records.begin(record('connected'));
    const results = await Promise.all([
      records.transition('r1', 'ended', 'user ended', undefined, ['connected']),
      records.transition('r1', 'ended', 'agent ended', undefined, ['connected']),
    ]);
    expect(results.filter((r) => r.changed)).toHaveLength(1);
  });

  it('re-applies a change on top of a concurrent write instead of overwriting it', async () => {
    const { store, records } = make();
    await records.begin(record('connected'));
    // Someone else writes between our read and our first write attempt.
    const replace = store.replace.bind(store);
    let interfered = false;
    store.replace = async (value, etag) => {
      if (!interfered) {
        interfered = true;
        const current = await store.read('r1');
        await replace({ ...(current!.value as HandoffRecord), agentName: 'Ben' }, current!.etag);
      }
      return replace(value, etag);
    };
    await records.update('r1', (r) => {
      r.deliveredMessageIds.push('m1');
      return r;
    });
    const final = await records.get('r1');
    expect(final?.deliveredMessageIds).toEqual(['m1']);
    expect(final?.agentName).toBe('Ben');
  });

  it('refuses to start a second chat while one is active, and reuses an ended record', async () => {
    const { records } = make();
    expect(await records.begin(record())).toBeDefined();
    expect(await records.begin(record())).toBeUndefined();
    await records.transition('r1', 'ended', 'done');
    expect(await records.begin(record())).toBeDefined();
  });
});
