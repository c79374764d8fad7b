import { randomBytes } from 'node:crypto';
import { createApp, type App } from '../../src/app';
import { FILE_CONSENT_CARD, FILE_INFO_CARD } from '../../src/channels/outbound/fileConsentCard';
import { createSilentLogger } from '../../src/logger';
import { AGENT_TEXTS, MESSAGES } from '../../src/resources/messages';
import {
  GuestChatSimulator,
  SIMULATOR_DEPLOYMENT_ID,
  SIMULATOR_ORGANIZATION_ID,
  SIMULATOR_QUEUE_NAME,
} from '../../src/simulator/guestChat/guestChatSimulator';
import {
  WebMessagingSimulator,
  type SimulatedConversationInfo,
  type SimulatedMessage,
} from '../../src/simulator/webMessaging/webMessagingSimulator';
import { postActivity, userMessage, type ConnectorRecorder } from '../support/connectorRecorder';
import { FileServer } from '../support/fileServer';
import { startConnector, TEST_DEPLOYMENT_ID, webMessagingEnv } from '../support/handoffRig';
import { testConfig } from '../support/testConfig';

/** The bot's token the test's connector asks for before it serves a Teams-style attachment. */
const BOT_TOKEN = 'test-bot-token';
/** Genesys' per-deployment size limit in the simulated deployment (KB of 1,000 bytes). */
const DEPLOYMENT_MAX_KB = 50;

/**
 * Files both ways over real sockets: the bot over HTTP, the Web Messaging provider against the
 * simulator's guest attachment flow (docs/genesys-protocol.md §5.9), channel files served by the
 * test connector, and the Guest Chat provider, which has no uploads.
 */
describe('files between the user and the agent', () => {
  let simulator: WebMessagingSimulator;
  let connector: ConnectorRecorder & { serviceUrl: string };
  let app: App;
  let botUrl: string;

  beforeAll(async () => {
    simulator = new WebMessagingSimulator({
      deployments: [
        {
          id: TEST_DEPLOYMENT_ID,
          conversationDisconnect: 'Send',
          conversationClear: true,
          attachments: {
            fileTypes: ['image/*', 'application/pdf', 'text/plain'],
            maxFileSizeKB: DEPLOYMENT_MAX_KB,
            blockedExtensions: ['.exe'],
          },
        },
      ],
      port: 0,
      host: '127.0.0.1',
      messagesPerSecond: 20,
      logger: createSilentLogger(),
    });
    await simulator.start();
    connector = await startConnector();
    const config = testConfig(webMessagingEnv(simulator, { HandoffAttachmentMaxBytes: '200000' }));
    app = await createApp(config, createSilentLogger(), {
      botToken: () => Promise.resolve(BOT_TOKEN),
      // The simulator serves the agent's files on 127.0.0.1.
      agentFilesFromPrivateAddresses: true,
    });
    botUrl = `http://127.0.0.1:${await app.start(0, '127.0.0.1')}`;
  });

  afterAll(async () => {
    await app.stop();
    await simulator.stop();
    await connector.stop();
  });

  async function say(conversationId: string, text: string, extra: Record<string, unknown> = {}): Promise<void> {
    const res = await postActivity(botUrl, userMessage(connector.serviceUrl, conversationId, text, extra));
    if (res.status !== 200) throw new Error(`bot answered ${res.status}: ${await res.text()}`);
  }

  async function connect(conversationId: string): Promise<SimulatedConversationInfo> {
    await say(conversationId, 'I want to talk to a human');
    await connector.waitForText(conversationId, MESSAGES.queued);
    const chat = await simulator.waitForConversation(
      (c) => c.customAttributes.botConversationId === conversationId && c.state !== 'ended',
    );
    simulator.agentJoin(chat.id, { displayName: 'Anna' });
    simulator.agentSend(chat.id, 'Hello, this is Anna');
    await connector.waitForText(conversationId, 'Hello, this is Anna');
    return chat;
  }

  const guestMessages = (chatId: string): SimulatedMessage[] =>
    (simulator.findConversation(chatId)?.messages ?? []).filter((m) => m.direction === 'Inbound');

  const guestFile = (chatId: string): Promise<{ url: string; filename: string; mime: string }> =>
    simulator.waitUntil(() => guestMessages(chatId).find((m) => m.attachments !== undefined)?.attachments?.[0]);

  async function download(url: string): Promise<Buffer> {
    const res = await fetch(url);
    expect(res.status).toBe(200);
    return Buffer.from(await res.arrayBuffer());
  }

  it('uploads a Web Chat file through the guest attachment flow, after the text of the same message', async () => {
    const chat = await connect('files-webchat');
    const bytes = randomBytes(30_000);
    const url = connector.serveAttachment('webchat-report', { bytes, contentType: 'application/pdf' });
    await say('files-webchat', 'here is the invoice', {
      attachments: [{ contentType: 'application/pdf', contentUrl: url, name: 'invoice.pdf' }],
    });
    const file = await guestFile(chat.id);
    expect(file).toMatchObject({ filename: 'invoice.pdf', mime: 'application/pdf' });
    expect((await download(file.url)).equals(bytes)).toBe(true);
    const inbound = guestMessages(chat.id);
    const textIndex = inbound.findIndex((m) => m.text === 'here is the invoice');
    const fileIndex = inbound.findIndex((m) => m.attachments !== undefined);
    expect(textIndex).toBeGreaterThanOrEqual(0);
    expect(fileIndex).toBeGreaterThan(textIndex);
    // The agent never gets the channel's link.
    expect(inbound.some((m) => m.text.includes(url))).toBe(false);
  });

  it("downloads a Teams-style attachment with the bot's token and names the file from its type", async () => {
    const chat = await connect('files-teams');
    const bytes = randomBytes(20_000);
    const url = connector.serveAttachment('teams-paste', { bytes, contentType: 'image/png', token: BOT_TOKEN });
    await say('files-teams', '', { attachments: [{ contentType: 'image/*', contentUrl: url }] });
    const file = await guestFile(chat.id);
    expect(file).toMatchObject({ filename: 'file.png', mime: 'image/png' });
    expect((await download(file.url)).equals(bytes)).toBe(true);
    expect(connector.attachmentRequests.filter((r) => r.id === 'teams-paste')).toEqual([
      { id: 'teams-paste', authorization: `Bearer ${BOT_TOKEN}` },
    ]);
  });

  it('sends a data URL file without a download', async () => {
    const chat = await connect('files-data');
    await say('files-data', '', {
      attachments: [
        { contentType: 'text/plain', contentUrl: 'data:text/plain;base64,aGVsbG8gYWdlbnQ=', name: 'note.txt' },
      ],
    });
    const file = await guestFile(chat.id);
    expect(file).toMatchObject({ filename: 'note.txt', mime: 'text/plain' });
    expect((await download(file.url)).toString('utf8')).toBe('hello agent');
  });

  it('explains a file type the allow-list refuses, and passes on what follows', async () => {
    const chat = await connect('files-type');
    const url = connector.serveAttachment('setup', {
      bytes: randomBytes(100),
      contentType: 'application/x-msdownload',
    });
    await say('files-type', '', {
      attachments: [{ contentType: 'application/x-msdownload', contentUrl: url, name: 'setup.exe' }],
    });
    await connector.waitForText('files-type', MESSAGES.fileTypeNotAllowed);
    await say('files-type', 'sorry, wrong file');
    await simulator.waitUntil(() =>
      guestMessages(chat.id).some((m) => m.text === 'sorry, wrong file') ? true : undefined,
    );
    expect(guestMessages(chat.id).some((m) => m.attachments !== undefined)).toBe(false);
    // The allow-list refuses before downloading.
    expect(connector.attachmentRequests.some((r) => r.id === 'setup')).toBe(false);
  });

  it("explains a file over Genesys' size limit in the user's language", async () => {
    const chat = await connect('files-size');
    const url = connector.serveAttachment('big', {
      bytes: randomBytes(DEPLOYMENT_MAX_KB * 1000 + 1),
      contentType: 'image/png',
    });
    await say('files-size', '', {
      locale: 'de-DE',
      attachments: [{ contentType: 'image/png', contentUrl: url, name: 'photo.png' }],
    });
    const german = (await import('../../src/resources/messages')).messagesFor('de');
    await connector.waitForText('files-size', german.fileTooLarge);
    expect(guestMessages(chat.id).some((m) => m.attachments !== undefined)).toBe(false);
  });

  it("explains a file over the bot's own limit without uploading it", async () => {
    const chat = await connect('files-limit');
    const url = connector.serveAttachment('huge', { bytes: randomBytes(200_001), contentType: 'application/pdf' });
    await say('files-limit', '', {
      attachments: [{ contentType: 'application/pdf', contentUrl: url, name: 'scan.pdf' }],
    });
    await connector.waitForText('files-limit', MESSAGES.fileTooLarge);
    expect(guestMessages(chat.id).some((m) => m.attachments !== undefined)).toBe(false);
  });

  it("delivers the agent's file to the user as an attachment the channel can open", async () => {
    const chat = await connect('files-agent');
    const bytes = randomBytes(5_000);
    simulator.agentSendFile(chat.id, { fileName: 'label.png', mime: 'image/png', bytes });
    await connector.waitFor(() =>
      connector.activities.some((a) => a.conversationId === 'files-agent' && Array.isArray(a.activity.attachments)),
    );
    const activity = connector.activities.find(
      (a) => a.conversationId === 'files-agent' && Array.isArray(a.activity.attachments),
    );
    const attachments = activity?.activity.attachments as { contentType: string; contentUrl: string; name?: string }[];
    expect(attachments[0]).toMatchObject({ contentType: 'image/png', name: 'label.png' });
    expect((await download(attachments[0]?.contentUrl ?? '')).equals(bytes)).toBe(true);
  });
  it("Teams personal chat: the agent's file is offered for consent, then saved to the user's OneDrive", async () => {
    const uploads = new FileServer();
    await uploads.start();
    try {
      const teams = { channelId: 'msteams', conversation: { id: 'files-consent', conversationType: 'personal' } };
      await say('files-consent', 'I want to talk to a human', teams);
      await connector.waitForText('files-consent', MESSAGES.queued);
      const chat = await simulator.waitForConversation(
        (c) => c.customAttributes.botConversationId === 'files-consent' && c.state !== 'ended',
      );
      simulator.agentJoin(chat.id, { displayName: 'Anna' });
      const bytes = randomBytes(60_000);
      simulator.agentSendFile(chat.id, { fileName: 'manual.pdf', mime: 'application/pdf', bytes });
      const cardOf = (contentType: string) => () =>
        connector.activities
          .filter((a) => a.conversationId === 'files-consent')
          .flatMap((a) => (a.activity.attachments ?? []) as { contentType: string; content?: unknown }[])
          .find((a) => a.contentType === contentType);
      await connector.waitFor(() => cardOf(FILE_CONSENT_CARD)() !== undefined);
      const offer = cardOf(FILE_CONSENT_CARD)()?.content as { sizeInBytes: number; acceptContext: unknown };
      expect(offer.sizeInBytes).toBe(60_000);

      const invoke = {
        ...userMessage(connector.serviceUrl, 'files-consent', '', teams),
        type: 'invoke',
        name: 'fileConsent/invoke',
        value: {
          type: 'fileUpload',
          action: 'accept',
          context: offer.acceptContext,
          uploadInfo: {
            contentUrl: 'https://contoso-my.sharepoint.com/personal/dana/Documents/Applications/Bot/manual.pdf',
            name: 'manual.pdf',
            uploadUrl: `${uploads.url}/upload/files-consent`,
            uniqueId: 'B0B0B0B0-0000-4000-8000-000000000002',
            fileType: 'pdf',
          },
        },
      };
      const res = await postActivity(botUrl, invoke);
      expect(res.status).toBe(200);

      await connector.waitFor(() => cardOf(FILE_INFO_CARD)() !== undefined);
      expect(uploads.puts.map((p) => p.headers['content-range'])).toEqual(['bytes 0-59999/60000']);
      expect(uploads.uploaded('/upload/files-consent').equals(bytes)).toBe(true);
      expect(cardOf(FILE_INFO_CARD)()).toMatchObject({
        name: 'manual.pdf',
        contentUrl: 'https://contoso-my.sharepoint.com/personal/dana/Documents/Applications/Bot/manual.pdf',
        content: { uniqueId: 'B0B0B0B0-0000-4000-8000-000000000002', fileType: 'pdf' },
      });
    } finally {
      await uploads.stop();
    }
  });
});

describe('files to an agent over Guest Chat v2', () => {
  let simulator: GuestChatSimulator;
  let connector: ConnectorRecorder & { serviceUrl: string };
  let app: App;
  let botUrl: string;

  beforeAll(async () => {
    simulator = new GuestChatSimulator({ heartbeatIntervalMs: 60_000 });
    const apiUrl = await simulator.start();
    connector = await startConnector();
    const config = testConfig({
      GenesysProvider: 'guestchat',
      GenesysDeploymentId: SIMULATOR_DEPLOYMENT_ID,
      GenesysOrganizationId: SIMULATOR_ORGANIZATION_ID,
      GenesysQueueName: SIMULATOR_QUEUE_NAME,
      GenesysApiUrl: apiUrl,
    });
    app = await createApp(config, createSilentLogger());
    botUrl = `http://127.0.0.1:${await app.start(0, '127.0.0.1')}`;
  });

  afterAll(async () => {
    await app.stop();
    await simulator.stop();
    await connector.stop();
  });

  it("sends the file's name and a note, never the channel's URL", async () => {
    const say = async (text: string, extra: Record<string, unknown> = {}): Promise<void> => {
      const res = await postActivity(botUrl, userMessage(connector.serviceUrl, 'gc-files', text, extra));
      expect(res.status).toBe(200);
    };
    await say('agent please');
    await connector.waitForText('gc-files', MESSAGES.queued);
    const chat = await simulator.waitForConversation((c) => c.customFields.botConversationId === 'gc-files');
    simulator.agentJoin(chat.id, { displayName: 'Anna' });
    await connector.waitForText('gc-files', MESSAGES.agentJoined('Anna'));
    const url = connector.serveAttachment('gc-report', { bytes: randomBytes(100), contentType: 'application/pdf' });
    await say('see attached', {
      attachments: [{ contentType: 'application/pdf', contentUrl: url, name: 'report.pdf' }],
    });
    const note = AGENT_TEXTS.userFileNotUploaded('report.pdf');
    const bodies = (): string[] =>
      simulator
        .conversation(chat.id)
        .messages.filter((m) => m.bodyType === 'standard')
        .map((m) => m.body);
    await simulator.waitUntil(() => (bodies().includes(`see attached\n${note}`) ? true : undefined));
    expect(bodies().some((b) => b.includes(url))).toBe(false);
  });
});
