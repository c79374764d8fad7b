import type { Container, CosmosClient } from '@azure/cosmos';
import { CosmosVersionedStore } from '../../src/storage/cosmosVersionedStore';
import { describeVersionedStoreContract, testDoc, type TestDoc } from '../storage/versionedStoreContract';
import { testCosmosClient, uniqueId } from './cosmosTestSupport';

let client: CosmosClient;
let container: Container;

beforeAll(async () => {
  client = testCosmosClient();
  const { database } = await client.databases.createIfNotExists({ id: uniqueId('store-db') });
  ({ container } = await database.containers.createIfNotExists({
    id: uniqueId('store'),
    partitionKey: { paths: ['/id'] },
    defaultTtl: 3600,
  }));
});

afterAll(() => {
  client.dispose();
});

describeVersionedStoreContract('CosmosVersionedStore on the local Cosmos DB protocol server', () =>
  Promise.resolve(new CosmosVersionedStore<TestDoc>(container)),
);

describe('CosmosVersionedStore items on the local server', () => {
  it('writes the per-document ttl on the item, where Cosmos DB applies it (the local server does not expire)', async () => {
    const store = new CosmosVersionedStore<TestDoc>(container);
    const doc = { ...testDoc(), ttl: 120 };
    const created = await store.create(doc);
    const raw = await container.item(doc.id, doc.id).read<Record<string, unknown>>();
    expect(raw.resource).toMatchObject({ id: doc.id, ttl: 120 });

    const forever = { ...doc, ttl: -1 };
    await store.replace(forever, created.etag);
    const rawForever = await container.item(doc.id, doc.id).read<Record<string, unknown>>();
    expect(rawForever.resource).toMatchObject({ ttl: -1 });
    await expect(store.read(doc.id)).resolves.toMatchObject({ value: forever });
  });

  it('keeps Cosmos DB system properties out of returned values while they exist on the item', async () => {
    const store = new CosmosVersionedStore<TestDoc>(container);
    const doc = testDoc();
    await store.create(doc);
    const raw = await container.item(doc.id, doc.id).read<Record<string, unknown>>();
    expect(Object.keys(raw.resource ?? {})).toEqual(expect.arrayContaining(['_rid', '_self', '_etag', '_ts']));
    const read = await store.read(doc.id);
    expect(Object.keys(read?.value ?? {}).sort()).toEqual(Object.keys(doc).sort());
  });

  it('stores ids that need escaping elsewhere (URI-encoded live-chat record ids)', async () => {
    const store = new CosmosVersionedStore<TestDoc>(container);
    const doc = { ...testDoc(), id: encodeURIComponent('msteams|a:1/b?c#d') };
    await store.create(doc);
    await expect(store.read(doc.id)).resolves.toMatchObject({ value: doc });
    await store.delete(doc.id);
    await expect(store.read(doc.id)).resolves.toBeUndefined();
  });
});
