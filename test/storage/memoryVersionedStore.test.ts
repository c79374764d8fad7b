import { MemoryVersionedStore } from '../../src/storage/memoryVersionedStore';
import { describeVersionedStoreContract, testDoc, type TestDoc } from './versionedStoreContract';

describeVersionedStoreContract('MemoryVersionedStore', () => Promise.resolve(new MemoryVersionedStore<TestDoc>()));

describe('MemoryVersionedStore TTL', () => {
  let now = 0;
  const clock = (): number => now;
  beforeEach(() => {
    now = 1_000_000;
  });

  it('expires a document after its own ttl, counted from the last write', async () => {
    const store = new MemoryVersionedStore<TestDoc>({ now: clock, defaultTtlSeconds: 3600 });
    const doc = { ...testDoc(), ttl: 10 };
    const created = await store.create(doc);
    now += 9_000;
    const replaced = await store.replace({ ...doc, count: 1 }, created.etag);
    now += 9_000;
    await expect(store.read(doc.id)).resolves.toStrictEqual(replaced);
    now += 1_000;
    await expect(store.read(doc.id)).resolves.toBeUndefined();
    await expect(store.queryByField('kind', [doc.kind])).resolves.toEqual([]);
  });

  it('expires a document without a ttl after the store default', async () => {
    const store = new MemoryVersionedStore<TestDoc>({ now: clock, defaultTtlSeconds: 60 });
    const doc = testDoc();
    await store.create(doc);
    now += 59_999;
    await expect(store.read(doc.id)).resolves.toBeDefined();
    now += 1;
    await expect(store.read(doc.id)).resolves.toBeUndefined();
  });

  it('never expires a document with ttl -1, even with a store default', async () => {
    const store = new MemoryVersionedStore<TestDoc>({ now: clock, defaultTtlSeconds: 60 });
    const doc = { ...testDoc(), ttl: -1 };
    await store.create(doc);
    now += 365 * 86_400_000;
    await expect(store.read(doc.id)).resolves.toMatchObject({ value: doc });
  });

  it('lets an expired id be created again', async () => {
    const store = new MemoryVersionedStore<TestDoc>({ now: clock });
    const doc = { ...testDoc(), ttl: 5 };
    await store.create(doc);
    now += 5_000;
    await expect(store.create({ ...doc, count: 2 })).resolves.toMatchObject({ value: { count: 2 } });
  });
});
