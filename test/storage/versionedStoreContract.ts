import { randomUUID } from 'node:crypto';
import { StoreConflictError, type StoredDocument, type VersionedStore } from '../../src/storage/versionedStore';

/** Document used by the contract suite. */
export interface TestDoc extends StoredDocument {
  kind: string;
  count: number;
  tags: string[];
}

/** A fresh document with a unique id and the given kind. */
export function testDoc(kind = `kind-${randomUUID()}`, count = 0): TestDoc {
  return { id: `doc-${randomUUID()}`, kind, count, tags: ['a'] };
}

async function expectConflict(
  promise: Promise<unknown>,
  kind: StoreConflictError['kind'],
  documentId: string,
): Promise<void> {
  const err: unknown = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(StoreConflictError);
  expect(err).toMatchObject({ kind, documentId, code: 'storeConflict' });
}

/**
 * The behaviour every {@link VersionedStore} must have. `makeStore` may return stores that share
 * their backing container: every test uses fresh ids and kinds.
 */
export function describeVersionedStoreContract(name: string, makeStore: () => Promise<VersionedStore<TestDoc>>): void {
  describe(`VersionedStore contract: ${name}`, () => {
    let store: VersionedStore<TestDoc>;
    beforeEach(async () => {
      store = await makeStore();
    });

    it('reads undefined for a document that does not exist', async () => {
      await expect(store.read(`missing-${randomUUID()}`)).resolves.toBeUndefined();
    });

    it('creates a document and reads back exactly what was written, at the same etag', async () => {
      const doc = testDoc();
      const created = await store.create(doc);
      expect(created.value).toStrictEqual(doc);
      expect(created.etag).toEqual(expect.any(String));
      const read = await store.read(doc.id);
      expect(read).toStrictEqual({ value: doc, etag: created.etag });
    });

    it('refuses to create a document whose id is taken, and keeps the first one', async () => {
      const doc = testDoc();
      const first = await store.create(doc);
      await expectConflict(store.create({ ...doc, count: 99 }), 'exists', doc.id);
      await expect(store.read(doc.id)).resolves.toStrictEqual(first);
    });

    it('replaces a document at its current etag and returns the new version', async () => {
      const doc = testDoc();
      const created = await store.create(doc);
      const replaced = await store.replace({ ...doc, count: 1 }, created.etag);
      expect(replaced.value).toStrictEqual({ ...doc, count: 1 });
      await expect(store.read(doc.id)).resolves.toStrictEqual(replaced);
    });

    it('refuses a replace at a stale etag and keeps the newer value', async () => {
      const doc = testDoc();
      const created = await store.create(doc);
      const newer = await store.replace({ ...doc, count: 1 }, created.etag);
      await expectConflict(store.replace({ ...doc, count: 2 }, created.etag), 'stale', doc.id);
      await expect(store.read(doc.id)).resolves.toStrictEqual(newer);
    });

    it('refuses a replace of a document that does not exist, and does not create it', async () => {
      const doc = testDoc();
      const created = await store.create(doc);
      await store.delete(doc.id);
      await expectConflict(store.replace({ ...doc, count: 1 }, created.etag), 'missing', doc.id);
      await expect(store.read(doc.id)).resolves.toBeUndefined();
    });

    it('lets exactly one of several concurrent replaces at the same etag win', async () => {
      const doc = testDoc();
      const created = await store.create(doc);
      const results = await Promise.allSettled(
        [1, 2, 3, 4, 5].map((count) => store.replace({ ...doc, count }, created.etag)),
      );
      const winners = results.filter((r) => r.status === 'fulfilled');
      const losers = results.filter((r) => r.status === 'rejected');
      expect(winners).toHaveLength(1);
      expect(losers).toHaveLength(4);
      for (const loser of losers) {
        expect(loser.reason).toBeInstanceOf(StoreConflictError);
        expect(loser.reason).toMatchObject({ kind: 'stale' });
      }
      const winner = winners[0]!.value;
      await expect(store.read(doc.id)).resolves.toStrictEqual(winner);
    });

    it('deletes a document, after which its id can be created again', async () => {
      const doc = testDoc();
      await store.create(doc);
      await store.delete(doc.id);
      await expect(store.read(doc.id)).resolves.toBeUndefined();
      const again = await store.create({ ...doc, count: 5 });
      expect(again.value.count).toBe(5);
    });

    it('treats deleting a document that does not exist as success', async () => {
      await expect(store.delete(`missing-${randomUUID()}`)).resolves.toBeUndefined();
    });

    it('changes the etag on every write', async () => {
      const doc = testDoc();
      const etags: string[] = [];
      const created = await store.create(doc);
      etags.push(created.etag);
      const second = await store.replace({ ...doc, count: 1 }, created.etag);
      etags.push(second.etag);
      const third = await store.replace({ ...doc, count: 1 }, second.etag);
      etags.push(third.etag);
      await store.delete(doc.id);
      etags.push((await store.create(doc)).etag);
      expect(new Set(etags).size).toBe(etags.length);
    });

    it('hands out copies: mutating an input or a returned value does not change the store', async () => {
      const doc = testDoc();
      const original: TestDoc = { ...doc, tags: [...doc.tags] };
      const created = await store.create(doc);
      doc.count = 42;
      doc.tags.push('input-mutated');
      created.value.count = 43;
      created.value.tags.push('created-mutated');
      const read = await store.read(original.id);
      expect(read?.value).toStrictEqual(original);
      read!.value.tags.push('read-mutated');
      const queried = (await store.queryByField('kind', [original.kind])).at(0);
      expect(queried?.value).toStrictEqual(original);
      queried!.value.tags.push('query-mutated');
      await expect(store.read(original.id)).resolves.toMatchObject({ value: original });
    });

    it('queries by a string field with any of several values, returning current etags', async () => {
      const kindA = `kind-${randomUUID()}`;
      const kindB = `kind-${randomUUID()}`;
      const a = await store.create(testDoc(kindA));
      const b = await store.create(testDoc(kindB));
      await store.create(testDoc());
      const bReplaced = await store.replace({ ...b.value, count: 7 }, b.etag);

      const found = await store.queryByField('kind', [kindA, kindB]);
      const byId = new Map(found.map((v) => [v.value.id, v]));
      expect(byId.size).toBe(2);
      expect(byId.get(a.value.id)).toStrictEqual(a);
      expect(byId.get(b.value.id)).toStrictEqual(bReplaced);
    });

    it('queries nothing for no values, no match, or a value of another type', async () => {
      const doc = await store.create(testDoc(`kind-${randomUUID()}`, 1));
      await expect(store.queryByField('kind', [])).resolves.toEqual([]);
      await expect(store.queryByField('kind', [`kind-${randomUUID()}`])).resolves.toEqual([]);
      const byCount = await store.queryByField('count', ['1']);
      expect(byCount.map((v) => v.value.id)).not.toContain(doc.value.id);
    });

    it('does not return deleted documents from queries', async () => {
      const kind = `kind-${randomUUID()}`;
      const kept = await store.create(testDoc(kind));
      const gone = await store.create(testDoc(kind));
      await store.delete(gone.value.id);
      const found = await store.queryByField('kind', [kind]);
      expect(found).toStrictEqual([kept]);
    });
  });
}
