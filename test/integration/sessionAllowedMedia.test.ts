import { randomBytes } from 'node:crypto';
import { MESSAGES } from '../../src/resources/messages';
import type { WebMessagingSimulator } from '../../src/simulator/webMessaging/webMessagingSimulator';
import type { ConnectorRecorder } from '../support/connectorRecorder';
import { BotInstance, simulatorConfig, startConnector, startWebMessagingSimulator } from '../support/handoffRig';

/** The deployment's own limit (KB of 1,000 bytes), well under the bot's `HandoffAttachmentMaxBytes`. */
const DEPLOYMENT_MAX_KB = 20;

/**
 * The session's attachment profile (`SessionResponse.allowedMedia`, `blockedExtensions`;
 * docs/genesys-protocol.md §5.9) is applied on top of the bot's own allow-list: a file the bot would
 * take but the deployment would not is explained to the user like the bot's own refusals, without
 * asking Genesys for an upload URL.
 */
describe("the session's allowed media over Web Messaging", () => {
  let simulator: WebMessagingSimulator;
  let connector: ConnectorRecorder & { serviceUrl: string };
  let bot: BotInstance;

  beforeAll(async () => {
    simulator = await startWebMessagingSimulator({
      fileTypes: ['image/png', 'image/jpeg'],
      maxFileSizeKB: DEPLOYMENT_MAX_KB,
      blockedExtensions: ['.JPG'],
    });
    connector = await startConnector();
    bot = await BotInstance.start(simulatorConfig(simulator, { HandoffAttachmentMaxBytes: '1000000' }), connector);
  });

  afterAll(async () => {
    await bot.app.stop();
    await simulator.stop();
    await connector.stop();
  });

  async function connect(conversationId: string): Promise<string> {
    await bot.say(conversationId, 'I want to talk to a human');
    await connector.waitForText(conversationId, MESSAGES.queued);
    const chat = await simulator.waitForConversation(
      (c) => c.customAttributes.botConversationId === conversationId && c.state !== 'ended',
    );
    simulator.agentJoin(chat.id, { displayName: 'Anna' });
    return chat.id;
  }

  async function sendFile(conversationId: string, name: string, contentType: string, size: number): Promise<Buffer> {
    const bytes = randomBytes(size);
    const url = connector.serveAttachment(`${conversationId}-${name}`, { bytes, contentType });
    await bot.say(conversationId, '', { attachments: [{ contentType, contentUrl: url, name }] });
    return bytes;
  }

  it.each([
    [
      'a type the bot takes but the deployment does not',
      'terms.pdf',
      'application/pdf',
      100,
      MESSAGES.fileTypeNotAllowed,
    ],
    ['an extension the deployment blocks', 'photo.jpg', 'image/jpeg', 100, MESSAGES.fileTypeNotAllowed],
    [
      'a file over the deployment size limit',
      'scan.png',
      'image/png',
      DEPLOYMENT_MAX_KB * 1000 + 1,
      MESSAGES.fileTooLarge,
    ],
  ])('explains %s without asking Genesys for an upload URL', async (_, name, contentType, size, explanation) => {
    const conversationId = `allowed-${name}`;
    const chatId = await connect(conversationId);
    const requests = simulator.stats.uploadUrlRequests;
    await sendFile(conversationId, name, contentType, size);
    await connector.waitForText(conversationId, explanation);
    await bot.say(conversationId, 'sorry, wrong file');
    await simulator.waitUntil(() =>
      simulator.conversation(chatId).messages.some((m) => m.direction === 'Inbound' && m.text === 'sorry, wrong file')
        ? true
        : undefined,
    );
    expect(simulator.conversation(chatId).messages.some((m) => m.attachments !== undefined)).toBe(false);
    expect(simulator.stats.uploadUrlRequests).toBe(requests);
  });

  it('uploads a file within the deployment profile, bytes intact', async () => {
    const chatId = await connect('allowed-ok');
    const bytes = await sendFile('allowed-ok', 'photo.jpeg', 'image/jpeg', DEPLOYMENT_MAX_KB * 1000);
    const sent = await simulator.waitUntil(() =>
      simulator.conversation(chatId).messages.find((m) => m.attachments !== undefined),
    );
    const attachment = sent.attachments?.[0];
    expect(attachment).toMatchObject({ filename: 'photo.jpeg', mime: 'image/jpeg' });
    const download = await fetch(attachment?.url ?? '');
    expect(Buffer.from(await download.arrayBuffer()).equals(bytes)).toBe(true);
  });
});
