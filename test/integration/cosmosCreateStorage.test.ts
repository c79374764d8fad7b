import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { CosmosClient } from '@azure/cosmos';
import type { StoreItems } from 'botbuilder';
import { createSilentLogger } from '../../src/logger';
import { createStorage, type StorageBundle } from '../../src/storage/createStorage';
import { StoreError } from '../../src/storage/versionedStore';
import { testDoc, type TestDoc } from '../storage/versionedStoreContract';
import {
  captureLogger,
  cosmosTestConfig,
  startCosmosProxy,
  testCosmosClient,
  testCosmosEndpoint,
  TEST_COSMOS_KEY,
  uniqueId,
  type CosmosProxy,
} from './cosmosTestSupport';

/** Cosmos DB settings (environment variable names) of a fresh database with fresh containers. */
type CosmosSettings = Record<
  | 'CosmosDbEndpoint'
  | 'CosmosDbKey'
  | 'CosmosDbDatabaseId'
  | 'CosmosDbContainerId'
  | 'CosmosDbHandoffContainerId'
  | 'CosmosDbTtlDays',
  string
>;

/** Settings of a fresh database with fresh containers on `endpoint`. */
function freshSettings(endpoint: string): CosmosSettings {
  return {
    CosmosDbEndpoint: endpoint,
    CosmosDbKey: TEST_COSMOS_KEY,
    CosmosDbDatabaseId: uniqueId('bot-db'),
    CosmosDbContainerId: uniqueId('bot-state'),
    CosmosDbHandoffContainerId: uniqueId('handoff'),
    CosmosDbTtlDays: '7',
  };
}

async function startupFailure(promise: Promise<unknown>): Promise<StoreError> {
  const err: unknown = await promise.then(
    () => {
      throw new Error('expected createStorage to fail');
    },
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(StoreError);
  return err as StoreError;
}

let client: CosmosClient;
const bundles: StorageBundle<TestDoc>[] = [];
beforeAll(() => {
  client = testCosmosClient();
});
afterAll(async () => {
  for (const bundle of bundles) await bundle.close();
  client.dispose();
});

describe('createStorage on Cosmos DB (local protocol server)', () => {
  it('creates the database and both containers partitioned on /id with the default TTL', async () => {
    const settings = freshSettings(testCosmosEndpoint());
    const bundle = await createStorage<TestDoc>(cosmosTestConfig(settings), createSilentLogger());
    bundles.push(bundle);
    expect(bundle.kind).toBe('cosmos');
    const database = client.database(settings.CosmosDbDatabaseId);
    await expect(database.read()).resolves.toMatchObject({ statusCode: 200 });
    for (const id of [settings.CosmosDbContainerId, settings.CosmosDbHandoffContainerId]) {
      const { resource } = await database.container(id).read();
      expect(resource).toMatchObject({ id, partitionKey: { paths: ['/id'] }, defaultTtl: 7 * 86_400 });
    }
  });

  it('starts a second instance against the existing resources and shares the data', async () => {
    const settings = freshSettings(testCosmosEndpoint());
    const first = await createStorage<TestDoc>(cosmosTestConfig(settings), createSilentLogger());
    const second = await createStorage<TestDoc>(cosmosTestConfig(settings), createSilentLogger());
    bundles.push(first, second);
    const doc = testDoc();
    const created = await first.handoffStore.create(doc);
    await expect(second.handoffStore.read(doc.id)).resolves.toStrictEqual(created);
    const raw = await client
      .database(settings.CosmosDbDatabaseId)
      .container(settings.CosmosDbHandoffContainerId)
      .item(doc.id, doc.id)
      .read();
    expect(raw.resource).toMatchObject({ id: doc.id });
  });

  it('round-trips bot state through CosmosDbPartitionedStorage and refuses a write at a stale eTag with 412', async () => {
    const settings = freshSettings(testCosmosEndpoint());
    const bundle = await createStorage<TestDoc>(cosmosTestConfig(settings), createSilentLogger());
    bundles.push(bundle);
    const key = 'emulator/conversations/a:1/b?c#d';
    await bundle.botStorage.write({ [key]: { dialogState: { step: 1 }, eTag: '*' } });
    const first: StoreItems = await bundle.botStorage.read([key]);
    expect(first[key]).toMatchObject({ dialogState: { step: 1 }, eTag: expect.any(String) as unknown });
    const staleETag = (first[key] as { eTag: string }).eTag;

    await bundle.botStorage.write({ [key]: { dialogState: { step: 2 }, eTag: staleETag } });
    // CosmosDbPartitionedStorage rethrows the SDK's ErrorResponse with its message prefixed by
    // "[Error upserting document]"; the HTTP status is on `code` (412), not on `statusCode`.
    const stale: unknown = await bundle.botStorage
      .write({ [key]: { dialogState: { step: 3 }, eTag: staleETag } })
      .catch((e: unknown) => e);
    expect(stale).toMatchObject({
      code: 412,
      message: expect.stringContaining('[Error upserting document]') as unknown,
    });
    await expect(bundle.botStorage.read([key])).resolves.toMatchObject({ [key]: { dialogState: { step: 2 } } });

    await bundle.botStorage.delete([key]);
    await expect(bundle.botStorage.read([key])).resolves.toEqual({});
  });

  it('fails fast with one clear error naming the endpoint when the account is unreachable', async () => {
    const settings = freshSettings('http://127.0.0.1:1');
    const started = Date.now();
    const err = await startupFailure(createStorage<TestDoc>(cosmosTestConfig(settings), createSilentLogger()));
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(err.message).toBe(
      'Cosmos DB account at http://127.0.0.1:1 is unreachable (ECONNREFUSED): check CosmosDbEndpoint and the network',
    );
    expect(err.cause).toBeDefined();
  });

  it('bounds the start-up check in time when the endpoint accepts connections but never answers', async () => {
    const silent: Server = createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const endpoint = `http://127.0.0.1:${(silent.address() as AddressInfo).port}`;
    try {
      const started = Date.now();
      const err = await startupFailure(
        createStorage<TestDoc>(cosmosTestConfig(freshSettings(endpoint)), createSilentLogger(), {
          startupTimeoutMs: 500,
        }),
      );
      expect(Date.now() - started).toBeLessThan(3_000);
      expect(err.message).toBe(
        `Cosmos DB at ${endpoint} did not answer within 0.5 s: check CosmosDbEndpoint and the network`,
      );
    } finally {
      silent.closeAllConnections();
      await new Promise<void>((resolve) =>
        silent.close(() => {
          resolve();
        }),
      );
    }
  });

  describe('behind a proxy playing the service behaviours the local server lacks', () => {
    let proxy: CosmosProxy | undefined;
    afterEach(async () => {
      await proxy?.close();
      proxy = undefined;
    });

    it('says the key is wrong on 401, without the key in the message', async () => {
      proxy = await startCosmosProxy(testCosmosEndpoint(), () => ({
        status: 401,
        body: { code: 'Unauthorized', message: 'The input authorization token cannot serve the request.' },
      }));
      const err = await startupFailure(
        createStorage<TestDoc>(cosmosTestConfig(freshSettings(proxy.endpoint)), createSilentLogger()),
      );
      expect(err.message).toBe(`Cosmos DB at ${proxy.endpoint} refused the key (401): check CosmosDbKey`);
      expect(err.message).not.toContain(TEST_COSMOS_KEY);
    });

    const forbidCreates = (method: string, path: string) =>
      method === 'POST' && /^\/dbs(\/[^/]+\/colls)?\/?$/.test(path)
        ? {
            status: 403,
            body: { code: 'Forbidden', message: 'Request blocked by Auth: data-plane role cannot create databases.' },
          }
        : undefined;

    it('uses existing resources when the identity may not create them (managed identity)', async () => {
      const settings = freshSettings(testCosmosEndpoint());
      const { database } = await client.databases.create({ id: settings.CosmosDbDatabaseId });
      for (const id of [settings.CosmosDbContainerId, settings.CosmosDbHandoffContainerId]) {
        await database.containers.create({ id, partitionKey: { paths: ['/id'] }, defaultTtl: 7 * 86_400 });
      }
      proxy = await startCosmosProxy(testCosmosEndpoint(), forbidCreates);
      const bundle = await createStorage<TestDoc>(
        cosmosTestConfig({ ...settings, CosmosDbEndpoint: proxy.endpoint }),
        createSilentLogger(),
      );
      bundles.push(bundle);
      const doc = testDoc();
      await bundle.handoffStore.create(doc);
      await expect(bundle.handoffStore.read(doc.id)).resolves.toMatchObject({ value: doc });
    });

    it('says which resource is missing when the identity may not create it', async () => {
      const settings = freshSettings(testCosmosEndpoint());
      const { database } = await client.databases.create({ id: settings.CosmosDbDatabaseId });
      await database.containers.create({
        id: settings.CosmosDbContainerId,
        partitionKey: { paths: ['/id'] },
        defaultTtl: 7 * 86_400,
      });
      proxy = await startCosmosProxy(testCosmosEndpoint(), forbidCreates);
      const err = await startupFailure(
        createStorage<TestDoc>(
          cosmosTestConfig({ ...settings, CosmosDbEndpoint: proxy.endpoint }),
          createSilentLogger(),
        ),
      );
      expect(proxy.seen).toContain(`POST /dbs/${settings.CosmosDbDatabaseId}/colls`);
      expect(err.message).toBe(
        `container "${settings.CosmosDbHandoffContainerId}" does not exist and this identity may not create it (Azure AD data-plane roles cannot create databases or containers): create it with the deployment template`,
      );
    });

    it('refuses an existing container partitioned on another path', async () => {
      const settings = freshSettings(testCosmosEndpoint());
      const { database } = await client.databases.create({ id: settings.CosmosDbDatabaseId });
      await database.containers.create({
        id: settings.CosmosDbContainerId,
        partitionKey: { paths: ['/partitionKey'] },
      });
      const err = await startupFailure(createStorage<TestDoc>(cosmosTestConfig(settings), createSilentLogger()));
      expect(err.message).toContain(
        `container "${settings.CosmosDbContainerId}" is partitioned on /partitionKey; the bot needs /id`,
      );
    });

    it('lets the SDK retry 429s after the retry-after the service asks for', async () => {
      let throttled = 0;
      const settings = freshSettings(testCosmosEndpoint());
      const ready = await createStorage<TestDoc>(cosmosTestConfig(settings), createSilentLogger());
      bundles.push(ready);
      proxy = await startCosmosProxy(testCosmosEndpoint(), (method, path) => {
        if (method === 'POST' && path.endsWith('/docs') && throttled < 2) {
          throttled += 1;
          return {
            status: 429,
            body: { code: 'TooManyRequests', message: 'Request rate is large.' },
            headers: { 'x-ms-retry-after-ms': '50' },
          };
        }
        return undefined;
      });
      const bundle = await createStorage<TestDoc>(
        cosmosTestConfig({ ...settings, CosmosDbEndpoint: proxy.endpoint }),
        createSilentLogger(),
      );
      bundles.push(bundle);
      const doc = testDoc();
      await expect(bundle.handoffStore.create(doc)).resolves.toMatchObject({ value: doc });
      expect(throttled).toBe(2);
    });
  });
});

describe('createStorage without a Cosmos DB endpoint', () => {
  it('uses memory storage and warns exactly once that state is neither durable nor shared', async () => {
    const { logger, lines } = captureLogger();
    const bundle = await createStorage<TestDoc>(cosmosTestConfig({ DemoMode: 'false' }), logger);
    expect(bundle.kind).toBe('memory');
    const warnings = lines.filter((l) => l.level === 40);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({
      module: 'storage',
      msg: expect.stringMatching(/do not survive a restart and cannot be shared between instances/) as unknown,
    });
    await bundle.botStorage.write({ k: { v: 1 } });
    await expect(bundle.botStorage.read(['k'])).resolves.toMatchObject({ k: { v: 1 } });
    await bundle.close();
  });

  it('says the same in demo mode as information, not as a warning (a local run expects memory)', async () => {
    const { logger, lines } = captureLogger();
    const bundle = await createStorage<TestDoc>(cosmosTestConfig({ DemoMode: 'true' }), logger);
    expect(bundle.kind).toBe('memory');
    expect(lines.filter((l) => (l.level as number) >= 40)).toEqual([]);
    expect(lines.filter((l) => l.level === 30)).toEqual([
      expect.objectContaining({
        module: 'storage',
        msg: expect.stringMatching(/do not survive a restart and cannot be shared between instances/) as unknown,
      }),
    ]);
    await bundle.close();
  });

  it('expires live-chat records after CosmosDbTtlDays', async () => {
    let now = 0;
    const bundle = await createStorage<TestDoc>(cosmosTestConfig({ CosmosDbTtlDays: '2' }), createSilentLogger(), {
      now: () => now,
    });
    const doc = testDoc();
    await bundle.handoffStore.create(doc);
    now += 2 * 86_400_000 - 1;
    await expect(bundle.handoffStore.read(doc.id)).resolves.toBeDefined();
    now += 1;
    await expect(bundle.handoffStore.read(doc.id)).resolves.toBeUndefined();
  });
});
