import { randomBytes } from 'node:crypto';
import type { Activity, Attachment } from 'botbuilder';
import {
  FILE_CONSENT_CARD,
  FILE_INFO_CARD,
  type SignedAgentFileConsentContext,
} from '../../src/channels/outbound/fileConsentCard';
import { DEFAULT_FILE_CONSENT_VALIDITY_SECONDS, FileConsentSigning } from '../../src/handoff/fileConsentSigning';
import { FILE_CONSENT_KEY_ID, type HandoffDocument } from '../../src/handoff/handoffRecord';
import { ChannelFileDownloader } from '../../src/handoff/channelAttachments';
import { DEFAULT_FRAGMENT_BYTES } from '../../src/handoff/teamsFileConsent';
import type { AppStorage } from '../../src/app';
import { createSilentLogger } from '../../src/logger';
import { createStorage } from '../../src/storage/createStorage';
import { MemoryVersionedStore } from '../../src/storage/memoryVersionedStore';
import { withFailingReads } from '../support/failingReads';
import { MESSAGES, messagesFor } from '../../src/resources/messages';
import { BotHarness } from '../support/botHarness';
import { FakeProvider } from '../support/fakeProvider';
import { FileServer } from '../support/fileServer';
import { testConfig } from '../support/testConfig';

/** Bytes per upload request: the bot's default, a multiple of the upload session's 320 KiB unit. */
const FRAGMENT = DEFAULT_FRAGMENT_BYTES;

describe('Teams: files from the agent through the file consent flow', () => {
  const files = new FileServer();

  beforeAll(() => files.start());
  afterAll(() => files.stop());

  /**
   * A Teams personal chat with Anna connected. The file server is on 127.0.0.1: the bot downloads
   * from it only when allowed to reach private addresses (`privateAddresses`, default true).
   */
  async function teamsChat(locale?: string, privateAddresses = true) {
    const provider = new FakeProvider();
    const harness = await BotHarness.create({
      provider,
      config: testConfig(),
      channelId: 'msteams',
      agentFilesFromPrivateAddresses: privateAddresses,
    });
    await harness.say({ text: 'I want to talk to a human', ...(locale === undefined ? {} : { locale }) });
    await provider.last.emit({ kind: 'agentJoined', agent: { name: 'Anna' } });
    harness.take();
    return { provider, harness };
  }

  /** Has the agent send `name` (served by the file server) and returns the card the user got. */
  async function agentSends(provider: FakeProvider, harness: BotHarness, name: string, bytes: Buffer) {
    const url = files.serve(`/genesys/${name}`, bytes);
    return { card: await agentOffers(provider, harness, name, url, bytes.length), url };
  }

  /** Has the agent send the file at `url` and returns the card the user got. */
  async function agentOffers(provider: FakeProvider, harness: BotHarness, name: string, url: string, size: number) {
    await provider.last.emit({
      kind: 'agentMessage',
      id: `m-${name}`,
      text: '',
      time: new Date().toISOString(),
      agent: { name: 'Anna' },
      attachments: [{ url, name, contentType: 'application/pdf', size }],
    });
    const cards = harness.take().flatMap((a) => a.attachments ?? []);
    expect(cards).toHaveLength(1);
    return cards[0] as Attachment;
  }

  /** The signed context a consent card carries. */
  function contextOf(card: Attachment): SignedAgentFileConsentContext {
    return (card.content as { acceptContext: SignedAgentFileConsentContext }).acceptContext;
  }

  /** A consent card carrying `context` (as a client could send back anything). */
  function cardWith(context: unknown): Attachment {
    return { contentType: FILE_CONSENT_CARD, content: { acceptContext: context, declineContext: context } };
  }

  /** The `fileConsent/invoke` Teams sends when the user answers the card, as recorded from Teams. */
  function consentInvoke(action: 'accept' | 'decline', card: Attachment, uploadPath: string): Partial<Activity> {
    const content = card.content as { acceptContext: unknown; declineContext: unknown };
    return {
      type: 'invoke',
      name: 'fileConsent/invoke',
      replyToId: '1:1abcCardActivity',
      from: { id: '29:1user-of-teams', name: 'Dana Customer', aadObjectId: '6f1c0000-0000-4000-8000-00000000d4a0' },
      channelData: { tenant: { id: '72f988bf-0000-4000-8000-000000000000' }, source: { name: 'message' } },
      locale: 'en-US',
      value: {
        type: 'fileUpload',
        action,
        context: action === 'accept' ? content.acceptContext : content.declineContext,
        ...(action === 'accept'
          ? {
              uploadInfo: {
                contentUrl: 'https://contoso-my.sharepoint.com/personal/dana/Documents/Applications/Bot/contract.pdf',
                name: 'contract.pdf',
                uploadUrl: `${files.url}${uploadPath}`,
                uniqueId: '1A2B3C4D-0000-4000-8000-000000000001',
                fileType: 'pdf',
              },
            }
          : {}),
      },
    };
  }

  it('offers a non-image file in a personal chat as a file consent card that carries what the answer needs', async () => {
    const { provider, harness } = await teamsChat();
    const bytes = randomBytes(1000);
    const sentAt = Date.now();
    const { card, url } = await agentSends(provider, harness, 'terms.pdf', bytes);
    const signed = {
      kind: 'agentFile',
      file: { name: 'terms.pdf', contentType: 'application/pdf', url, size: 1000 },
      conversationId: 'conversation-1',
      expiresAt: expect.any(Number) as unknown,
      signature: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/) as unknown,
    };
    expect(card).toEqual({
      contentType: FILE_CONSENT_CARD,
      name: 'terms.pdf',
      content: {
        description: MESSAGES.agentAttachment('terms.pdf'),
        sizeInBytes: 1000,
        acceptContext: signed,
        declineContext: signed,
      },
    });
    // Answerable for 7 days from when it was sent.
    const { expiresAt } = contextOf(card);
    expect(expiresAt).toBeGreaterThanOrEqual(sentAt + DEFAULT_FILE_CONSENT_VALIDITY_SECONDS * 1000);
    expect(expiresAt).toBeLessThanOrEqual(Date.now() + DEFAULT_FILE_CONSENT_VALIDITY_SECONDS * 1000);
  });

  it('after an accept answered by a fresh instance on the same store, PUTs the bytes in ranges and sends a file info card', async () => {
    const { provider, harness } = await teamsChat('de-DE');
    const bytes = randomBytes(2 * FRAGMENT + 12_345);
    const { card } = await agentSends(provider, harness, 'contract.pdf', bytes);
    expect((card.content as { description: string }).description).toBe(
      messagesFor('de').agentAttachment('contract.pdf'),
    );

    // Another instance (nothing in memory: it reads the signing key from the shared store) answers
    // the invoke from the card alone.
    const other = await BotHarness.create({
      config: testConfig(),
      channelId: 'msteams',
      storage: harness.storage,
      agentFilesFromPrivateAddresses: true,
    });
    const puts = files.puts.length;
    const replies = await other.say(consentInvoke('accept', card, '/upload/session-1'), 'conversation-1');

    const received = files.puts.slice(puts);
    expect(received.map((p) => [p.path, p.headers['content-range'], p.headers['content-length']])).toEqual([
      ['/upload/session-1', `bytes 0-${FRAGMENT - 1}/${bytes.length}`, String(FRAGMENT)],
      ['/upload/session-1', `bytes ${FRAGMENT}-${2 * FRAGMENT - 1}/${bytes.length}`, String(FRAGMENT)],
      ['/upload/session-1', `bytes ${2 * FRAGMENT}-${bytes.length - 1}/${bytes.length}`, '12345'],
    ]);
    expect(files.uploaded('/upload/session-1').equals(bytes)).toBe(true);

    expect(replies.find((a) => a.type === 'invokeResponse')?.value).toMatchObject({ status: 200 });
    const messages = replies.filter((a) => a.type === 'message');
    expect(messages).toHaveLength(1);
    expect(messages[0]?.attachments).toEqual([
      {
        contentType: FILE_INFO_CARD,
        contentUrl: 'https://contoso-my.sharepoint.com/personal/dana/Documents/Applications/Bot/contract.pdf',
        name: 'contract.pdf',
        content: { uniqueId: '1A2B3C4D-0000-4000-8000-000000000001', fileType: 'pdf' },
      },
    ]);
  });

  it('after a decline uploads nothing, tells the user in their language and offers the link', async () => {
    const { provider, harness } = await teamsChat('de-DE');
    const { card, url } = await agentSends(provider, harness, 'offer.pdf', randomBytes(500));
    const puts = files.puts.length;
    const replies = await harness.say(consentInvoke('decline', card, '/upload/never'));
    expect(files.puts.length).toBe(puts);
    const [told, ...rest] = replies.filter((a) => a.type === 'message');
    expect(rest).toEqual([]);
    const german = messagesFor('de');
    expect(told?.text).toBe(german.agentFileDeclined('offer.pdf'));
    expect(told?.attachments?.[0]?.content).toMatchObject({
      title: 'offer.pdf',
      buttons: [{ type: 'openUrl', title: german.openFile, value: url }],
    });
  });

  it('offers the link when the upload session refuses the bytes, and explains a file gone from Genesys', async () => {
    const { provider, harness } = await teamsChat();
    const { card, url } = await agentSends(provider, harness, 'report.pdf', randomBytes(100));
    const refused = consentInvoke('accept', card, '/upload/refused');
    const [notSaved] = (await harness.say(refused)).filter((a) => a.type === 'message');
    expect(notSaved?.text).toBe(MESSAGES.agentFileNotSaved('report.pdf'));
    expect(notSaved?.attachments?.[0]?.content).toMatchObject({ buttons: [{ value: url }] });

    // Genesys no longer serves the file (its presigned URL expired).
    const goneCard = await agentOffers(provider, harness, 'expired.pdf', `${files.url}/genesys/expired.pdf`, 100);
    const puts = files.puts.length;
    const [expired] = (await harness.say(consentInvoke('accept', goneCard, '/upload/session-2'))).filter(
      (a) => a.type === 'message',
    );
    expect(expired?.text).toBe(MESSAGES.agentFileExpired('expired.pdf'));
    expect(files.puts.length).toBe(puts);
  });

  it('ignores a consent whose context this bot did not write, uploading nothing', async () => {
    const { harness } = await teamsChat();
    const forged = consentInvoke(
      'accept',
      { contentType: FILE_CONSENT_CARD, content: { acceptContext: { x: 1 } } },
      '/upload/x',
    );
    const puts = files.puts.length;
    const replies = await harness.say(forged);
    expect(replies.filter((a) => a.type === 'message')).toEqual([]);
    expect(replies.find((a) => a.type === 'invokeResponse')?.value).toMatchObject({ status: 200 });
    expect(files.puts.length).toBe(puts);
  });

  it('offers the file with an "Open" button when the signing key cannot be read', async () => {
    const config = testConfig();
    const storage = await createStorage<HandoffDocument>(config, createSilentLogger());
    const keyless: AppStorage = {
      kind: storage.kind,
      botStorage: storage.botStorage,
      handoffStore: withFailingReads(storage.handoffStore, (id) => id === FILE_CONSENT_KEY_ID),
      requestCharge: storage.requestCharge,
      ping: (signal) => storage.ping(signal),
      close: () => storage.close(),
    };
    const provider = new FakeProvider();
    const harness = await BotHarness.create({ provider, config, channelId: 'msteams', storage: keyless });
    await harness.say({ text: 'I want to talk to a human' });
    await provider.last.emit({ kind: 'agentJoined', agent: { name: 'Anna' } });
    harness.take();
    const url = files.serve('/genesys/keyless.pdf', randomBytes(10));
    const card = await agentOffers(provider, harness, 'keyless.pdf', url, 10);
    expect(card).toMatchObject({
      contentType: 'application/vnd.microsoft.card.hero',
      content: { title: 'keyless.pdf', buttons: [{ type: 'openUrl', value: url }] },
    });
  });

  describe('a context the client changed or the bot did not sign is refused: nothing is fetched or uploaded', () => {
    /** Answers `card` in `conversationId` and checks that nothing at all happened but the invoke's 200. */
    async function expectIgnored(
      harness: BotHarness,
      card: Attachment,
      action: 'accept' | 'decline' = 'accept',
      conversationId = 'conversation-1',
    ): Promise<void> {
      const gets = files.gets.length;
      const puts = files.puts.length;
      const replies = await harness.say(consentInvoke(action, card, '/upload/forged'), conversationId);
      expect(replies.find((a) => a.type === 'invokeResponse')?.value).toMatchObject({ status: 200 });
      expect(replies.filter((a) => a.type === 'message')).toEqual([]);
      expect(files.gets.slice(gets)).toEqual([]);
      expect(files.puts.slice(puts)).toEqual([]);
    }

    it('a changed URL (the bot would fetch any address and upload the answer)', async () => {
      const { provider, harness } = await teamsChat();
      const { card } = await agentSends(provider, harness, 'real.pdf', randomBytes(100));
      const secret = files.serve('/internal/secret', randomBytes(100));
      const context = contextOf(card);
      const forged = cardWith({ ...context, file: { ...context.file, url: secret } });
      await expectIgnored(harness, forged);
      await expectIgnored(harness, forged, 'decline');
    });

    it('a context signed with another key, unsigned, or without its signature fields', async () => {
      const { harness } = await teamsChat();
      const url = files.serve('/genesys/unsigned.pdf', randomBytes(100));
      const unsigned = { kind: 'agentFile', file: { name: 'unsigned.pdf', contentType: 'application/pdf', url } };
      const otherKey = (
        await new FileConsentSigning(new MemoryVersionedStore<HandoffDocument>()).signerFor('conversation-1')
      )({ kind: 'agentFile', file: unsigned.file });
      await expectIgnored(harness, cardWith(otherKey));
      await expectIgnored(harness, cardWith(unsigned));
      const { signature: _signature, ...withoutSignature } = otherKey;
      await expectIgnored(harness, cardWith(withoutSignature));
      await expectIgnored(harness, cardWith({ ...otherKey, signature: 42 }));
    });

    it('a card answered from another conversation than the one it was sent to', async () => {
      const { provider, harness } = await teamsChat();
      const { card } = await agentSends(provider, harness, 'elsewhere.pdf', randomBytes(100));
      await expectIgnored(harness, card, 'accept', 'conversation-2');
      await expectIgnored(harness, card, 'decline', 'conversation-2');
    });

    it('a card answered after its signature expired (7 days)', async () => {
      const { harness } = await teamsChat();
      const url = files.serve('/genesys/old.pdf', randomBytes(100));
      // Signed with the bot's own key (same store), 7 days and a second ago.
      const signedAt = Date.now() - DEFAULT_FILE_CONSENT_VALIDITY_SECONDS * 1000 - 1000;
      const old = new FileConsentSigning(harness.storage.handoffStore, { clock: { now: () => signedAt } });
      const context = (await old.signerFor('conversation-1'))({
        kind: 'agentFile',
        file: { name: 'old.pdf', contentType: 'application/pdf', url },
      });
      await expectIgnored(harness, cardWith(context));
      await expectIgnored(harness, cardWith(context), 'decline');
    });
  });

  it('downloads agent files from public internet addresses only, unless allowed', async () => {
    // The default: the file server on 127.0.0.1 (by address and by name) is not reached.
    const { provider, harness } = await teamsChat(undefined, false);
    for (const host of ['127.0.0.1', 'localhost']) {
      const url = files.serve(`/genesys/local-${host}.pdf`, randomBytes(100)).replace('127.0.0.1', host);
      const card = await agentOffers(provider, harness, `local-${host}.pdf`, url, 100);
      const gets = files.gets.length;
      const puts = files.puts.length;
      const replies = await harness.say(consentInvoke('accept', card, '/upload/local'));
      expect(replies.filter((a) => a.type === 'message').map((a) => a.text)).toEqual([
        MESSAGES.agentFileExpired(`local-${host}.pdf`),
      ]);
      expect(files.gets.slice(gets)).toEqual([]);
      expect(files.puts.slice(puts)).toEqual([]);
    }
  });

  it('uploads to public internet addresses only, unless allowed (the upload URL comes with the invoke)', async () => {
    const { provider, harness } = await teamsChat(undefined, false);
    const bytes = randomBytes(100);
    const url = files.serve('/genesys/private-upload.pdf', bytes);
    const card = await agentOffers(provider, harness, 'private-upload.pdf', url, bytes.length);
    // The agent's file is fetched (as from a public host); the upload URL names this machine.
    jest
      .spyOn(ChannelFileDownloader.prototype, 'download')
      .mockResolvedValue({ bytes, contentType: 'application/pdf' });
    const puts = files.puts.length;
    try {
      for (const host of ['127.0.0.1', 'localhost']) {
        const invoke = consentInvoke('accept', card, '/upload/private');
        const value = invoke.value as { uploadInfo: { uploadUrl: string } };
        value.uploadInfo.uploadUrl = value.uploadInfo.uploadUrl.replace('127.0.0.1', host);
        const replies = await harness.say(invoke);
        expect(replies.filter((a) => a.type === 'message').map((a) => a.text)).toEqual([
          MESSAGES.agentFileNotSaved('private-upload.pdf'),
        ]);
      }
      expect(files.puts.slice(puts)).toEqual([]);
    } finally {
      jest.restoreAllMocks();
    }
  });
});
