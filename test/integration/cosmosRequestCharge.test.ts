import type { IncomingMessage } from 'node:http';
import { createSilentLogger } from '../../src/logger';
import { createStorage, type StorageBundle } from '../../src/storage/createStorage';
import { StoreConflictError } from '../../src/storage/versionedStore';
import { startLocalCosmosServer, type LocalCosmosServer, type RequestChargeFixture } from '../support/cosmosServer';
import { testDoc, type TestDoc } from '../storage/versionedStoreContract';
import { cosmosTestConfig, TEST_COSMOS_KEY, uniqueId } from './cosmosTestSupport';

/** Charges by HTTP method: binary fractions, so sums are exact in floating point. */
const CHARGE_BY_METHOD: Record<string, string> = { GET: '1.25', POST: '6.5', PUT: '10.75', DELETE: '4' };
const chargeByMethod: RequestChargeFixture = (req: IncomingMessage) => CHARGE_BY_METHOD[req.method ?? ''] ?? '2';

const servers: LocalCosmosServer[] = [];
const bundles: StorageBundle<TestDoc>[] = [];
afterAll(async () => {
  for (const bundle of bundles) await bundle.close();
  for (const server of servers) await server.close();
});

async function storageOn(charge: RequestChargeFixture): Promise<{
  server: LocalCosmosServer;
  bundle: StorageBundle<TestDoc>;
}> {
  const server = await startLocalCosmosServer(charge);
  servers.push(server);
  const bundle = await createStorage<TestDoc>(
    cosmosTestConfig({
      CosmosDbEndpoint: server.endpoint,
      CosmosDbKey: TEST_COSMOS_KEY,
      CosmosDbDatabaseId: uniqueId('charge-db'),
      CosmosDbContainerId: uniqueId('bot-state'),
      CosmosDbHandoffContainerId: uniqueId('handoff'),
    }),
    createSilentLogger(),
  );
  bundles.push(bundle);
  return { server, bundle };
}

/** Sum of the charges in `sent` (all well-formed in these fixtures). */
function total(sent: (string | undefined)[]): number {
  return sent.reduce((sum, value) => sum + Number(value), 0);
}

/** Live-chat record operations, a conflict and a missing document included. */
async function recordOperations(bundle: StorageBundle<TestDoc>): Promise<void> {
  const doc = testDoc();
  const created = await bundle.handoffStore.create(doc);
  await bundle.handoffStore.read(doc.id);
  await bundle.handoffStore.replace({ ...doc, count: 1 }, created.etag);
  await expect(bundle.handoffStore.replace({ ...doc, count: 2 }, created.etag)).rejects.toBeInstanceOf(
    StoreConflictError,
  );
  await expect(bundle.handoffStore.read(`missing-${doc.id}`)).resolves.toBeUndefined();
  await bundle.handoffStore.queryByField('kind', [doc.kind]);
  await bundle.handoffStore.delete(doc.id);
}

/** Bot state operations through CosmosDbPartitionedStorage. */
async function stateOperations(bundle: StorageBundle<TestDoc>): Promise<void> {
  const key = `emulator/conversations/${uniqueId('c')}`;
  await bundle.botStorage.write({ [key]: { dialogState: { step: 1 }, eTag: '*' } });
  await expect(bundle.botStorage.read([key])).resolves.toMatchObject({ [key]: { dialogState: { step: 1 } } });
  await bundle.botStorage.delete([key]);
}

describe('request charge of Cosmos DB responses (local protocol server sending x-ms-request-charge)', () => {
  it('sums exactly the charges the server sent, for start-up, record and state operations', async () => {
    const { server, bundle } = await storageOn(chargeByMethod);
    // Start-up (database, containers, bot state's container) is charged too.
    expect(server.sentCharges.length).toBeGreaterThan(0);
    expect(bundle.requestCharge.snapshot()).toEqual({
      requestUnits: total(server.sentCharges),
      chargedResponses: server.sentCharges.length,
    });

    const beforeRecords = server.sentCharges.length;
    const unitsBeforeRecords = bundle.requestCharge.requestUnits;
    await recordOperations(bundle);
    const recordCharges = server.sentCharges.slice(beforeRecords);
    expect(recordCharges).toEqual(expect.arrayContaining(['1.25', '6.5', '10.75', '4']));
    expect(bundle.requestCharge.requestUnits - unitsBeforeRecords).toBe(total(recordCharges));

    const beforeState = server.sentCharges.length;
    const unitsBeforeState = bundle.requestCharge.requestUnits;
    await stateOperations(bundle);
    const stateCharges = server.sentCharges.slice(beforeState);
    expect(stateCharges.length).toBeGreaterThanOrEqual(3);
    expect(bundle.requestCharge.requestUnits - unitsBeforeState).toBe(total(stateCharges));

    expect(bundle.requestCharge.snapshot()).toEqual({
      requestUnits: total(server.sentCharges),
      chargedResponses: server.sentCharges.length,
    });
  });

  it('counts nothing for a missing or malformed header, and only the well-formed ones in between', async () => {
    const values = [undefined, '', 'abc', '-2', 'Infinity', '1.2.3', '2.5', undefined, '0.25'];
    const { server, bundle } = await storageOn((_req, nth) => values[nth % values.length]);
    await recordOperations(bundle);
    await stateOperations(bundle);
    const wellFormed = server.sentCharges.filter((v) => v === '2.5' || v === '0.25');
    expect(server.sentCharges.length).toBeGreaterThan(values.length);
    expect(bundle.requestCharge.snapshot()).toEqual({
      requestUnits: total(wellFormed),
      chargedResponses: wellFormed.length,
    });
  });

  it('reports no charge when the server sends no header at all', async () => {
    const { server, bundle } = await storageOn(() => undefined);
    await recordOperations(bundle);
    await stateOperations(bundle);
    expect(server.sentCharges.length).toBeGreaterThan(0);
    expect(bundle.requestCharge.snapshot()).toEqual({ requestUnits: 0, chargedResponses: 0 });
  });
});
