import { EXIT, parseDeleteArgs, runDeleteConversationData } from '../../src/admin/deleteConversationData';
import { conversationStateKey, handoffRecordId, userStateKey } from '../../src/handoff/handoffKeys';
import { createSilentLogger } from '../../src/logger';
import { createStorage, type StorageBundle } from '../../src/storage/createStorage';
import { deleteConversationData } from '../../src/storage/deleteConversationData';
import type { StoredDocument } from '../../src/storage/versionedStore';
import { captureLogger, cosmosTestConfig, testCosmosEndpoint, TEST_COSMOS_KEY, uniqueId } from './cosmosTestSupport';

interface HandoffDoc extends StoredDocument {
  state: string;
}

const channelId = 'msteams';
const conversationId = 'a:1/conv?x#y';
const otherConversationId = 'a:2';
const userId = '29:user';

/** Settings of a fresh Cosmos DB database on the local server, shared by the bundles of this file. */
const cosmosSettings: Record<string, string> = {
  CosmosDbKey: TEST_COSMOS_KEY,
  CosmosDbDatabaseId: uniqueId('delete-db'),
  CosmosDbContainerId: uniqueId('bot-state'),
  CosmosDbHandoffContainerId: uniqueId('handoff'),
};

async function seed(bundle: StorageBundle<HandoffDoc>): Promise<void> {
  await bundle.botStorage.write({
    [conversationStateKey(channelId, conversationId)]: { dialogState: { step: 1 }, eTag: '*' },
    [conversationStateKey(channelId, otherConversationId)]: { dialogState: { step: 9 }, eTag: '*' },
    [userStateKey(channelId, userId)]: { profile: { name: 'Ada' }, eTag: '*' },
  });
  await bundle.handoffStore.create({ id: handoffRecordId(channelId, conversationId), state: 'connected' });
  await bundle.handoffStore.create({ id: handoffRecordId(channelId, otherConversationId), state: 'queued' });
}

describe.each([
  ['memory', (): Record<string, string> => ({})],
  ['cosmos', (): Record<string, string> => ({ ...cosmosSettings, CosmosDbEndpoint: testCosmosEndpoint() })],
])('deleteConversationData on %s storage', (_kind, settings) => {
  let bundle: StorageBundle<HandoffDoc>;
  beforeEach(async () => {
    bundle = await createStorage<HandoffDoc>(cosmosTestConfig(settings()), createSilentLogger());
  });
  afterEach(async () => {
    for (const id of [conversationId, otherConversationId])
      await bundle.handoffStore.delete(handoffRecordId(channelId, id));
    await bundle.botStorage.delete([
      conversationStateKey(channelId, otherConversationId),
      userStateKey(channelId, userId),
    ]);
    await bundle.close();
  });

  it('deletes the conversation state, user state and live-chat record, and only those', async () => {
    await seed(bundle);
    const report = await deleteConversationData(bundle, { channelId, conversationId, userId });
    expect(report).toStrictEqual({
      conversationState: { key: conversationStateKey(channelId, conversationId), existed: true },
      userState: { key: userStateKey(channelId, userId), existed: true },
      handoffRecord: { key: handoffRecordId(channelId, conversationId), existed: true },
    });
    const remaining = await bundle.botStorage.read([
      conversationStateKey(channelId, conversationId),
      userStateKey(channelId, userId),
      conversationStateKey(channelId, otherConversationId),
    ]);
    expect(Object.keys(remaining)).toEqual([conversationStateKey(channelId, otherConversationId)]);
    await expect(bundle.handoffStore.read(handoffRecordId(channelId, conversationId))).resolves.toBeUndefined();
    await expect(bundle.handoffStore.read(handoffRecordId(channelId, otherConversationId))).resolves.toBeDefined();
  });

  it('keeps user state without a user id, and reports what did not exist', async () => {
    await seed(bundle);
    await deleteConversationData(bundle, { channelId, conversationId });
    const again = await deleteConversationData(bundle, { channelId, conversationId });
    expect(again).toStrictEqual({
      conversationState: { key: conversationStateKey(channelId, conversationId), existed: false },
      handoffRecord: { key: handoffRecordId(channelId, conversationId), existed: false },
    });
    await expect(bundle.botStorage.read([userStateKey(channelId, userId)])).resolves.toMatchObject({
      [userStateKey(channelId, userId)]: { profile: { name: 'Ada' } },
    });
  });
});

describe('deleteConversationData command', () => {
  const env = (): Record<string, string> => ({
    ...cosmosSettings,
    CosmosDbEndpoint: testCosmosEndpoint(),
    LogLevel: 'silent',
  });

  it('deletes from Cosmos DB, logs what it deleted and exits 0', async () => {
    const bundle = await createStorage<HandoffDoc>(cosmosTestConfig(env()), createSilentLogger());
    try {
      await seed(bundle);
      const { logger, lines } = captureLogger();
      const code = await runDeleteConversationData(
        ['--channel', channelId, '--conversation', conversationId],
        env(),
        logger,
      );
      expect(code).toBe(EXIT.ok);
      const done = lines.find((l) => l.msg === 'conversation data deleted');
      expect(done).toMatchObject({
        deleted: { conversationState: { existed: true }, handoffRecord: { existed: true } },
      });
      expect(JSON.stringify(lines)).not.toContain(TEST_COSMOS_KEY);
      await expect(bundle.handoffStore.read(handoffRecordId(channelId, conversationId))).resolves.toBeUndefined();
    } finally {
      await bundle.handoffStore.delete(handoffRecordId(channelId, otherConversationId));
      await bundle.close();
    }
  });

  it.each([
    [[], 'missing --channel and --conversation'],
    [['--channel', 'msteams'], 'missing --conversation'],
    [['--channel', 'msteams', '--conversation', 'c', '--user', ''], '--user is empty'],
    [['--channel', 'msteams', '--conversation', 'c', '--bogus'], "Unknown option '--bogus'"],
    [['--channel', 'msteams', 'c'], 'Unexpected argument'],
  ])('exits 2 with a clear message for %j', async (argv, problem) => {
    const { logger, lines } = captureLogger();
    await expect(runDeleteConversationData(argv, env(), logger)).resolves.toBe(EXIT.usage);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      level: 50,
      msg: expect.stringContaining(problem) as unknown,
      usage: expect.stringContaining('--channel <channelId>') as unknown,
    });
  });

  it('exits 1 without a Cosmos DB endpoint, since memory state lives only inside the bot', async () => {
    const { logger, lines } = captureLogger();
    await expect(
      runDeleteConversationData(['--channel', 'c', '--conversation', 'x'], { LogLevel: 'silent' }, logger),
    ).resolves.toBe(EXIT.failed);
    expect(lines[0]).toMatchObject({
      level: 50,
      msg: expect.stringContaining('CosmosDbEndpoint is not set') as unknown,
    });
  });

  it('exits 1 with the start-up error when Cosmos DB is unreachable', async () => {
    const { logger, lines } = captureLogger();
    const code = await runDeleteConversationData(
      ['--channel', 'c', '--conversation', 'x'],
      { ...env(), CosmosDbEndpoint: 'http://127.0.0.1:1' },
      logger,
    );
    expect(code).toBe(EXIT.failed);
    expect(lines.at(-1)).toMatchObject({
      level: 50,
      msg: expect.stringContaining('http://127.0.0.1:1 is unreachable') as unknown,
    });
  });

  it('parses the user id when given', () => {
    expect(parseDeleteArgs(['--channel', 'webchat', '--conversation', 'c1', '--user', 'u1'])).toEqual({
      channelId: 'webchat',
      conversationId: 'c1',
      userId: 'u1',
    });
  });
});
