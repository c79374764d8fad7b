import type { Container, CosmosClient } from '@azure/cosmos';
import type {
  AgentFileConsentContext,
  SignedAgentFileConsentContext,
} from '../../src/channels/outbound/fileConsentCard';
import { DEFAULT_FILE_CONSENT_VALIDITY_SECONDS, FileConsentSigning } from '../../src/handoff/fileConsentSigning';
import { FILE_CONSENT_KEY_ID, type HandoffDocument } from '../../src/handoff/handoffRecord';
import { CosmosVersionedStore } from '../../src/storage/cosmosVersionedStore';
import { MemoryVersionedStore } from '../../src/storage/memoryVersionedStore';
import type { VersionedStore } from '../../src/storage/versionedStore';
import { withFailingReads } from '../support/failingReads';
import { testCosmosClient, uniqueId } from './cosmosTestSupport';

const CONTEXT: AgentFileConsentContext = {
  kind: 'agentFile',
  file: {
    name: 'terms.pdf',
    contentType: 'application/pdf',
    url: 'https://api.mypurecloud.com/files/terms.pdf',
    size: 2048,
  },
  locale: 'de-DE',
};
const CONVERSATION = 'a:1Teams-personal-chat';

let client: CosmosClient;
let container: Container;

beforeAll(async () => {
  client = testCosmosClient();
  const { database } = await client.databases.createIfNotExists({ id: uniqueId('consent-db') });
  ({ container } = await database.containers.createIfNotExists({
    id: uniqueId('consent'),
    partitionKey: { paths: ['/id'] },
    defaultTtl: 3600,
  }));
});

afterAll(() => {
  client.dispose();
});

/** A fresh, empty store of each kind (Cosmos: its own id prefix in the shared container). */
const STORES: [string, () => VersionedStore<HandoffDocument>][] = [
  ['memory', () => new MemoryVersionedStore<HandoffDocument>()],
  ['Cosmos DB', () => new CosmosVersionedStore<HandoffDocument>(container)],
];

describe.each(STORES)('FileConsentSigning on the %s store', (_kind, makeStore) => {
  let store: VersionedStore<HandoffDocument>;

  beforeEach(async () => {
    store = makeStore();
    await store.delete(FILE_CONSENT_KEY_ID);
  });

  async function signed(
    signing: FileConsentSigning,
    conversationId = CONVERSATION,
  ): Promise<SignedAgentFileConsentContext> {
    return (await signing.signerFor(conversationId))(CONTEXT);
  }

  it('signs a context for its conversation with a 7-day expiry and accepts it back', async () => {
    const now = 1_800_000_000_000;
    const signing = new FileConsentSigning(store, { clock: { now: () => now } });
    const context = await signed(signing);
    expect(context).toEqual({
      ...CONTEXT,
      conversationId: CONVERSATION,
      expiresAt: now + DEFAULT_FILE_CONSENT_VALIDITY_SECONDS * 1000,
      signature: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/) as unknown,
    });
    await expect(signing.check(context, CONVERSATION)).resolves.toBeUndefined();
  });

  it('keeps one never-expiring 32-byte key, created once even when two instances start together', async () => {
    const first = new FileConsentSigning(store);
    const second = new FileConsentSigning(store);
    const [a, b] = await Promise.all([signed(first), signed(second)]);
    await expect(second.check(a, CONVERSATION)).resolves.toBeUndefined();
    await expect(first.check(b, CONVERSATION)).resolves.toBeUndefined();
    const key = await store.read(FILE_CONSENT_KEY_ID);
    expect(key?.value).toMatchObject({ id: FILE_CONSENT_KEY_ID, type: 'fileConsentKey', ttl: -1 });
    expect(Buffer.from(key?.value.type === 'fileConsentKey' ? key.value.key : '', 'base64')).toHaveLength(32);

    // An instance started later (after a restart) reads the same key.
    await expect(new FileConsentSigning(store).check(a, CONVERSATION)).resolves.toBeUndefined();
  });

  it.each<[string, (c: SignedAgentFileConsentContext) => SignedAgentFileConsentContext]>([
    ['the URL', (c) => ({ ...c, file: { ...c.file, url: 'http://169.254.169.254/latest/meta-data/' } })],
    ['the name', (c) => ({ ...c, file: { ...c.file, name: 'other.pdf' } })],
    ['the type', (c) => ({ ...c, file: { ...c.file, contentType: 'text/html' } })],
    ['the size', (c) => ({ ...c, file: { ...c.file, size: 1 } })],
    ['the locale', (c) => ({ ...c, locale: 'en-US' })],
    ['the expiry', (c) => ({ ...c, expiresAt: c.expiresAt + 86_400_000 })],
    ['the conversation', (c) => ({ ...c, conversationId: 'a:1attacker' })],
    [
      'the signature',
      (c) => ({ ...c, signature: `${c.signature.startsWith('A') ? 'B' : 'A'}${c.signature.slice(1)}` }),
    ],
    ['the signature (truncated)', (c) => ({ ...c, signature: c.signature.slice(0, 20) })],
    ['the signature (empty)', (c) => ({ ...c, signature: '' })],
  ])('refuses a context with %s changed', async (_field, change) => {
    const signing = new FileConsentSigning(store);
    const context = await signed(signing);
    const changed = change(context);
    await expect(signing.check(changed, changed.conversationId)).resolves.toBe('badSignature');
  });

  it('refuses a context signed with another key, answered from another conversation, or expired', async () => {
    let now = Date.now();
    const signing = new FileConsentSigning(store, { clock: { now: () => now } });
    const foreign = await signed(new FileConsentSigning(new MemoryVersionedStore<HandoffDocument>()));
    await expect(signing.check(foreign, CONVERSATION)).resolves.toBe('badSignature');

    const genuine = await signed(signing);
    await expect(signing.check(genuine, 'a:1another-chat')).resolves.toBe('otherConversation');

    now += DEFAULT_FILE_CONSENT_VALIDITY_SECONDS * 1000 - 1;
    await expect(signing.check(genuine, CONVERSATION)).resolves.toBeUndefined();
    now += 1;
    await expect(signing.check(genuine, CONVERSATION)).resolves.toBe('expired');
  });
});

describe('FileConsentSigning when the store fails', () => {
  it('rejects with the store error and reads the key again on the next call', async () => {
    const store = new MemoryVersionedStore<HandoffDocument>();
    let failures = 1;
    const failing = withFailingReads(store, () => failures-- > 0);
    const signing = new FileConsentSigning(failing);
    await expect(signing.signerFor(CONVERSATION)).rejects.toThrow('store unreachable');
    const context = (await signing.signerFor(CONVERSATION))(CONTEXT);
    await expect(new FileConsentSigning(store).check(context, CONVERSATION)).resolves.toBeUndefined();
  });

  it('refuses to sign with a stored key that is not 32 bytes', async () => {
    const store = new MemoryVersionedStore<HandoffDocument>();
    await store.create({ id: FILE_CONSENT_KEY_ID, type: 'fileConsentKey', key: 'c2hvcnQ=', ttl: -1 });
    await expect(new FileConsentSigning(store).signerFor(CONVERSATION)).rejects.toThrow('is not a 32-byte key');
  });
});
