import { MemoryStorage } from 'botbuilder';
import { CountingStorage, CountingVersionedStore, diffCounts, zeroCounts } from '../../../src/storage/countingStore';
import { MemoryVersionedStore } from '../../../src/storage/memoryVersionedStore';
import { StoreConflictError, type StoredDocument } from '../../../src/storage/versionedStore';

interface Doc extends StoredDocument {
  kind: string;
  n: number;
}

describe('CountingVersionedStore', () => {
  it('counts each read, write and query it passes on, and changes nothing', async () => {
    const inner = new MemoryVersionedStore<Doc>();
    const store = new CountingVersionedStore(inner);
    const created = await store.create({ id: 'a', kind: 'x', n: 1 });
    const replaced = await store.replace({ id: 'a', kind: 'x', n: 2 }, created.etag);
    expect((await store.read('a'))?.value.n).toBe(2);
    expect(await store.read('missing')).toBeUndefined();
    expect((await store.queryByField('kind', ['x'])).map((d) => d.etag)).toEqual([replaced.etag]);
    await store.delete('a');
    expect(await inner.read('a')).toBeUndefined();
    expect(store.counts).toEqual({ reads: 2, writes: 3, queries: 1 });
  });

  it('counts writes that lose a conflict (the store bills them too) and passes the conflict on', async () => {
    const store = new CountingVersionedStore(new MemoryVersionedStore<Doc>());
    await store.create({ id: 'a', kind: 'x', n: 1 });
    await expect(store.create({ id: 'a', kind: 'x', n: 1 })).rejects.toBeInstanceOf(StoreConflictError);
    await expect(store.replace({ id: 'a', kind: 'x', n: 2 }, '"stale"')).rejects.toMatchObject({ kind: 'stale' });
    expect(store.counts).toEqual({ reads: 0, writes: 3, queries: 0 });
  });

  it('adds into shared counters so several stores can be totalled, and snapshots diff', async () => {
    const shared = zeroCounts();
    const a = new CountingVersionedStore(new MemoryVersionedStore<Doc>(), shared);
    const b = new CountingVersionedStore(new MemoryVersionedStore<Doc>(), shared);
    const before = { ...shared };
    await a.read('x');
    await b.read('y');
    await b.create({ id: 'y', kind: 'k', n: 0 });
    expect(diffCounts(shared, before)).toEqual({ reads: 2, writes: 1, queries: 0 });
  });
});

describe('CountingStorage', () => {
  it('counts one read per key read and one write per key written or deleted', async () => {
    const inner = new MemoryStorage();
    const storage = new CountingStorage(inner);
    await storage.write({ k1: { v: 1 }, k2: { v: 2 } });
    const items = await storage.read(['k1', 'k2', 'k3']);
    expect(items.k1).toMatchObject({ v: 1 });
    await storage.delete(['k1']);
    expect(await inner.read(['k1'])).toEqual({});
    expect(storage.counts).toEqual({ reads: 3, writes: 3, queries: 0 });
  });
});
