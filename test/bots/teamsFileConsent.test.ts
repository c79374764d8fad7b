import { randomBytes } from 'node:crypto';
import type { Activity, Attachment } from 'botbuilder';
import { FILE_CONSENT_CARD, FILE_INFO_CARD } from '../../src/channels/outbound/fileConsentCard';
import { DEFAULT_FRAGMENT_BYTES } from '../../src/handoff/teamsFileConsent';
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

  /** A Teams personal chat with Anna connected, on `storage` when given (another instance's). */
  async function teamsChat(locale?: string) {
    const provider = new FakeProvider();
    const harness = await BotHarness.create({ provider, config: testConfig(), channelId: 'msteams' });
    await harness.say({ text: 'I want to talk to a human', ...(locale === undefined ? {} : { locale }) });
    await provider.last.emit({ kind: 'agentJoined', agent: { name: 'Anna' } });
    harness.take();
    return { provider, harness };
  }

  /** Has the agent send `name` (served by the file server) and returns the card the user got. */
  async function agentSends(provider: FakeProvider, harness: BotHarness, name: string, bytes: Buffer) {
    const url = files.serve(`/genesys/${name}`, bytes);
    await provider.last.emit({
      kind: 'agentMessage',
      id: `m-${name}`,
      text: '',
      time: new Date().toISOString(),
      agent: { name: 'Anna' },
      attachments: [{ url, name, contentType: 'application/pdf', size: bytes.length }],
    });
    const cards = harness.take().flatMap((a) => a.attachments ?? []);
    expect(cards).toHaveLength(1);
    return { card: cards[0] as Attachment, url };
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
    const { card, url } = await agentSends(provider, harness, 'terms.pdf', bytes);
    expect(card).toEqual({
      contentType: FILE_CONSENT_CARD,
      name: 'terms.pdf',
      content: {
        description: MESSAGES.agentAttachment('terms.pdf'),
        sizeInBytes: 1000,
        acceptContext: {
          kind: 'agentFile',
          file: { name: 'terms.pdf', contentType: 'application/pdf', url, size: 1000 },
        },
        declineContext: {
          kind: 'agentFile',
          file: { name: 'terms.pdf', contentType: 'application/pdf', url, size: 1000 },
        },
      },
    });
  });

  it('after an accept answered by a fresh instance, PUTs the bytes in ranges and sends a file info card', async () => {
    const { provider, harness } = await teamsChat('de-DE');
    const bytes = randomBytes(2 * FRAGMENT + 12_345);
    const { card } = await agentSends(provider, harness, 'contract.pdf', bytes);
    expect((card.content as { description: string }).description).toBe(
      messagesFor('de').agentAttachment('contract.pdf'),
    );

    // Another instance (nothing in memory, other storage) answers the invoke from the card alone.
    const other = await BotHarness.create({ config: testConfig(), channelId: 'msteams' });
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

    const gone = consentInvoke('accept', card, '/upload/session-2');
    const context = (gone.value as { context: { file: { url: string } } }).context;
    context.file = { ...context.file, url: `${files.url}/genesys/expired.pdf` };
    const puts = files.puts.length;
    const [expired] = (await harness.say(gone)).filter((a) => a.type === 'message');
    expect(expired?.text).toBe(MESSAGES.agentFileExpired('report.pdf'));
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
});
