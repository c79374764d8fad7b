import { HandoffRecords } from '../../../src/handoff/handoffRecords';
import type { HandoffDocument, HandoffRecord } from '../../../src/handoff/handoffRecord';
import { createSilentLogger } from '../../../src/logger';
import { CountingVersionedStore } from '../../../src/storage/countingStore';
import { MemoryVersionedStore } from '../../../src/storage/memoryVersionedStore';
import { StoreError, type Versioned, type VersionedStore } from '../../../src/storage/versionedStore';

function record(state: HandoffRecord['state'] = 'connected'): HandoffRecord {
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

/** A store that fails chosen writes: before they reach storage, or after (the write happened, the answer was lost). */
class FaultyStore implements VersionedStore<HandoffDocument> {
  failNextWrite: 'before' | 'after' | undefined;
  constructor(private readonly inner: VersionedStore<HandoffDocument>) {}
  read(id: string): Promise<Versioned<HandoffDocument> | undefined> {
    return this.inner.read(id);
  }
  create(value: HandoffDocument): Promise<Versioned<HandoffDocument>> {
    return this.inner.create(value);
  }
  async replace(value: HandoffDocument, etag: string): Promise<Versioned<HandoffDocument>> {
    const fault = this.failNextWrite;
    this.failNextWrite = undefined;
    if (fault === 'before') throw new StoreError('injected: storage unreachable');
    const saved = await this.inner.replace(value, etag);
    if (fault === 'after') throw new StoreError('injected: answer lost after the write');
    return saved;
  }
  delete(id: string): Promise<void> {
    return this.inner.delete(id);
  }
  queryByField(field: string, values: readonly string[]): Promise<Versioned<HandoffDocument>[]> {
    return this.inner.queryByField(field, values);
  }
}

function setUp(deferMaxMs = 0) {
  const memory = new MemoryVersionedStore<HandoffDocument>();
  const faulty = new FaultyStore(memory);
  const counted = new CountingVersionedStore(faulty);
  const instance = (store: VersionedStore<HandoffDocument> = counted, defer = deferMaxMs) =>
    new HandoffRecords(store, 86_400, createSilentLogger(), () => 1000, defer);
  return { memory, faulty, counted, instance };
}

const addDelivered = (id: string) => (r: HandoffRecord) => {
  r.deliveredMessageIds = [...r.deliveredMessageIds, id];
  return r;
};

describe('HandoffRecords write path', () => {
  it('writes against the kept version without reading first', async () => {
    const { counted, instance } = setUp();
    const records = instance();
    await records.begin(record());
    const afterBegin = { ...counted.counts };
    for (const id of ['m1', 'm2', 'm3']) await records.update('r1', addDelivered(id));
    expect(counted.counts.reads - afterBegin.reads).toBe(0);
    expect(counted.counts.writes - afterBegin.writes).toBe(3);
    expect((await records.current('r1'))?.deliveredMessageIds).toEqual(['m1', 'm2', 'm3']);
    expect(counted.counts.reads - afterBegin.reads).toBe(0);
  });

  it('on a conflict (someone else changed the record) re-reads once and re-applies on top', async () => {
    const { counted, instance, memory } = setUp();
    const mine = instance();
    const other = instance(memory);
    await mine.begin(record());
    await other.update('r1', (r) => ({ ...r, agentName: 'Anna' }));
    const before = { ...counted.counts };
    const saved = await mine.update('r1', addDelivered('m1'));
    expect(counted.counts.reads - before.reads).toBe(1);
    expect(counted.counts.writes - before.writes).toBe(2);
    expect(saved).toMatchObject({ agentName: 'Anna', deliveredMessageIds: ['m1'] });
    expect((await memory.read('r1'))?.value).toMatchObject({ agentName: 'Anna', deliveredMessageIds: ['m1'] });
  });

  it('checks a "nothing to do" decided on the kept copy against storage', async () => {
    const { instance, memory } = setUp();
    const mine = instance();
    const other = instance(memory);
    await mine.begin(record('connected'));
    // Another instance ended the chat; the copy kept here still says 'connected'.
    await other.transition('r1', 'ended', 'agent ended');
    const result = await mine.transition('r1', 'connected', 'agent joined', undefined, ['queued']);
    expect(result.changed).toBe(false);
    expect(result.record?.state).toBe('ended');
  });

  it('loses nothing when a write fails before reaching storage: the next write carries it again', async () => {
    const { faulty, instance, memory } = setUp();
    const records = instance();
    await records.begin(record());
    faulty.failNextWrite = 'before';
    await expect(records.update('r1', addDelivered('m1'))).rejects.toBeInstanceOf(StoreError);
    // The caller retries its change; the kept version is still the stored one, so no conflict.
    await records.update('r1', addDelivered('m1'));
    expect((await memory.read('r1'))?.value).toMatchObject({ deliveredMessageIds: ['m1'] });
  });

  it('loses nothing when the answer to a write is lost after it was stored: the next write re-reads', async () => {
    const { faulty, counted, instance, memory } = setUp();
    const records = instance();
    await records.begin(record());
    faulty.failNextWrite = 'after';
    await expect(records.update('r1', addDelivered('m1'))).rejects.toBeInstanceOf(StoreError);
    const before = { ...counted.counts };
    await records.update('r1', addDelivered('m2'));
    // The kept ETag was stale (the failed write landed): one conflict, one read, both changes kept.
    expect(counted.counts.reads - before.reads).toBe(1);
    expect((await memory.read('r1'))?.value).toMatchObject({ deliveredMessageIds: ['m1', 'm2'] });
  });

  it('folds a deferred change into the next write, and a crash before it leaves storage as it was', async () => {
    const { counted, instance, memory } = setUp();
    const records = instance(counted, 60_000);
    await records.begin({ ...record(), outbox: [{ activityId: 'a1', text: 'hi', at: 1 }] });
    const before = { ...counted.counts };
    await records.defer('r1', (r) => {
      r.outbox = [];
    });
    expect(counted.counts.writes - before.writes).toBe(0);
    expect((await records.current('r1'))?.outbox).toEqual([]);
    // A crash now: a new instance finds the entry still there (it is sent again, never lost).
    const afterCrash = instance(memory);
    expect((await afterCrash.get('r1'))?.outbox).toHaveLength(1);
    // Without a crash, the next write carries the deferred change: one write for both.
    await records.update('r1', addDelivered('m1'));
    expect(counted.counts.writes - before.writes).toBe(1);
    expect((await memory.read('r1'))?.value).toMatchObject({ outbox: [], deliveredMessageIds: ['m1'] });
  });

  it('writes deferred changes at once on flush (graceful shutdown)', async () => {
    const { instance, memory, counted } = setUp();
    const records = instance(counted, 60_000);
    await records.begin(record());
    await records.defer('r1', (r) => {
      r.agentName = 'Anna';
    });
    await records.flush();
    expect((await memory.read('r1'))?.value).toMatchObject({ agentName: 'Anna' });
  });

  it("runs the instance's own concurrent writes to one record one after the other: no conflict, no read", async () => {
    const { counted, instance, memory } = setUp();
    const records = instance();
    await records.begin(record('queued'));
    const before = { ...counted.counts };
    // An opening chat: the binding, a state change and a notice's entry, all started at once.
    await Promise.all([
      records.update('r1', (r) => ({ ...r, resumeData: { provider: 'webmessaging', token: 't' } })),
      records.transition('r1', 'connected', 'agent joined', undefined, ['queued']),
      records.update('r1', addDelivered('m1')),
      records.update('r1', addDelivered('m2')),
    ]);
    expect(counted.counts.reads - before.reads).toBe(0);
    expect(counted.counts.writes - before.writes).toBe(4);
    expect((await memory.read('r1'))?.value).toMatchObject({
      state: 'connected',
      resumeData: { provider: 'webmessaging', token: 't' },
      deliveredMessageIds: ['m1', 'm2'],
    });
  });

  it('a write that fails in the chain does not hold up or lose the ones queued behind it', async () => {
    const { faulty, instance, memory } = setUp();
    const records = instance();
    await records.begin(record());
    faulty.failNextWrite = 'before';
    const [first, second] = await Promise.allSettled([
      records.update('r1', addDelivered('m1')),
      records.update('r1', addDelivered('m2')),
    ]);
    expect(first.status).toBe('rejected');
    expect(second.status).toBe('fulfilled');
    expect((await memory.read('r1'))?.value).toMatchObject({ deliveredMessageIds: ['m2'] });
  });

  it('a write stored whose answer was lost: the next queued write conflicts, re-reads, and keeps both once', async () => {
    const { faulty, counted, instance, memory } = setUp();
    const records = instance();
    await records.begin(record());
    faulty.failNextWrite = 'after';
    const before = { ...counted.counts };
    const [first, second] = await Promise.allSettled([
      records.update('r1', addDelivered('m1')),
      records.update('r1', addDelivered('m2')),
    ]);
    expect(first.status).toBe('rejected');
    expect(second.status).toBe('fulfilled');
    expect(counted.counts.reads - before.reads).toBe(1);
    expect((await memory.read('r1'))?.value).toMatchObject({ deliveredMessageIds: ['m1', 'm2'] });
  });

  it('begins a chat without reading again when its own read just found no record, or an ended one', async () => {
    const { counted, instance, memory } = setUp();
    const records = instance();
    expect(await records.get('r1')).toBeUndefined();
    let before = { ...counted.counts };
    expect(await records.begin(record('requested'))).toBeDefined();
    expect(counted.counts.reads - before.reads).toBe(0);
    expect(counted.counts.writes - before.writes).toBe(1);
    await records.transition('r1', 'ended', 'user ended');
    expect((await records.get('r1'))?.state).toBe('ended');
    before = { ...counted.counts };
    expect(await records.begin({ ...record('requested'), generation: 'g2' })).toBeDefined();
    expect(counted.counts.reads - before.reads).toBe(0);
    expect(counted.counts.writes - before.writes).toBe(1);
    expect((await memory.read('r1'))?.value).toMatchObject({ state: 'requested', generation: 'g2' });
  });

  it('keeps a bounded number of those findings: an old one is dropped and the begin reads first', async () => {
    const { counted, instance } = setUp();
    const records = instance();
    expect(await records.get('r1')).toBeUndefined();
    for (let i = 0; i < 300; i++) await records.get(`other-${i}`);
    const before = { ...counted.counts };
    expect(await records.begin(record('requested'))).toBeDefined();
    expect(counted.counts.reads - before.reads).toBe(1);
  });

  it('a stale "no record" hint begins nothing twice: the create conflicts, the record is read, the chat is active', async () => {
    const { counted, instance, memory } = setUp();
    const mine = instance();
    const other = instance(memory);
    expect(await mine.get('r1')).toBeUndefined();
    // Another instance (or turn) began the conversation's chat meanwhile.
    expect(await other.begin({ ...record('requested'), generation: 'theirs' })).toBeDefined();
    const before = { ...counted.counts };
    expect(await mine.begin({ ...record('requested'), generation: 'mine' })).toBeUndefined();
    expect(counted.counts.reads - before.reads).toBe(1);
    expect((await memory.read('r1'))?.value).toMatchObject({ generation: 'theirs' });
  });

  it('a stale "ended" hint: the replace conflicts, the record is read again, and the newer chat stands', async () => {
    const { instance, memory } = setUp();
    const mine = instance();
    const other = instance(memory);
    await other.begin(record('connected'));
    await other.transition('r1', 'ended', 'user ended');
    expect((await mine.get('r1'))?.state).toBe('ended');
    await other.begin({ ...record('requested'), generation: 'theirs' });
    await other.transition('r1', 'ended', 'user ended');
    // Ended again, with another ETag: this instance's hint is stale; the begin re-reads and replaces that.
    expect(await mine.begin({ ...record('requested'), generation: 'mine' })).toBeDefined();
    expect((await memory.read('r1'))?.value).toMatchObject({ state: 'requested', generation: 'mine' });
  });

  it('a crash before a hinted create leaves nothing stored; the next instance begins the chat once', async () => {
    const { instance, memory } = setUp();
    const crashed = instance(memory);
    expect(await crashed.get('r1')).toBeUndefined();
    // The process dies here, before its begin: a new instance reads and creates as usual.
    const next = instance(memory);
    expect(await next.begin(record('requested'))).toBeDefined();
    expect(await next.begin({ ...record('requested'), generation: 'again' })).toBeUndefined();
    expect((await memory.read('r1'))?.value).toMatchObject({ generation: 'g1', state: 'requested' });
  });

  it('renews a heartbeat with one write and no read, and recovers when it was removed elsewhere', async () => {
    const { counted, instance, memory } = setUp();
    const records = instance();
    await records.heartbeat('hb', 'me', 5000);
    const before = { ...counted.counts };
    await records.heartbeat('hb', 'me', 6000);
    expect(counted.counts.reads - before.reads).toBe(0);
    expect(counted.counts.writes - before.writes).toBe(1);
    await memory.delete('hb');
    await records.heartbeat('hb', 'me', 7000);
    expect((await memory.read('hb'))?.value).toMatchObject({ type: 'instance', expiresAt: 7000 });
  });
});
