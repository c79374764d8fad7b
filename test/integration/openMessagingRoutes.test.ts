import { signWebhook } from '../../src/genesys/openMessaging';
import {
  EVENTS_SECRET_HEADER,
  OPEN_MESSAGING_EVENTS_PATH,
  OPEN_MESSAGING_WEBHOOK_PATH,
} from '../../src/http/openMessagingWebhook';
import type { ConnectorRecorder } from '../support/connectorRecorder';
import { startConnector } from '../support/handoffRig';
import {
  OM_EVENTS_SECRET,
  OM_WEBHOOK_SECRET,
  startOpenMessagingRig,
  type OpenMessagingRig,
} from '../support/openMessagingRig';

/** The two Open Messaging routes on the bot's server: what they refuse and how they answer. */
describe('Open Messaging routes', () => {
  let rig: OpenMessagingRig;
  let connector: ConnectorRecorder & { serviceUrl: string };

  beforeAll(async () => {
    connector = await startConnector();
    rig = await startOpenMessagingRig(connector, { triggers: false, provider: { notifications: { enabled: false } } });
  });

  afterAll(async () => {
    await rig.stop();
    await connector.stop();
  });

  const post = (path: string, body: Buffer | string, headers: Record<string, string> = {}): Promise<Response> =>
    fetch(`${rig.bot.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body,
    });

  const signed = (raw: Buffer): Record<string, string> => ({
    'x-hub-signature-256': signWebhook(raw, OM_WEBHOOK_SECRET),
  });

  it('answers 200 to a signed call for a conversation it does not hold, without relaying it', async () => {
    const raw = Buffer.from(
      JSON.stringify({ id: 'x1', channel: { to: { id: 'nobody' } }, direction: 'Outbound', type: 'Text', text: 'hi' }),
    );
    const res = await post(OPEN_MESSAGING_WEBHOOK_PATH, raw, signed(raw));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ outcome: 'unknownConversation' });
  });

  it('refuses a signed call that is not a webhook payload, and an oversized body', async () => {
    const notJson = Buffer.from('not json');
    expect((await post(OPEN_MESSAGING_WEBHOOK_PATH, notJson, signed(notJson))).status).toBe(400);
    const noId = Buffer.from('{"channel":{"to":{"id":"x"}}}');
    expect((await post(OPEN_MESSAGING_WEBHOOK_PATH, noId, signed(noId))).status).toBe(400);
    const huge = Buffer.alloc(300 * 1024, 'a');
    expect((await post(OPEN_MESSAGING_WEBHOOK_PATH, huge, signed(huge))).status).toBe(413);
    const get = await fetch(`${rig.bot.url}${OPEN_MESSAGING_WEBHOOK_PATH}`);
    expect(get.status).toBe(405);
  });

  it('takes detail events only with the shared secret', async () => {
    const event = JSON.stringify({
      topicName: 'v2.detail.events.conversation.c1.customer.end',
      eventBody: { conversationId: 'c1' },
    });
    expect((await post(OPEN_MESSAGING_EVENTS_PATH, event)).status).toBe(401);
    expect((await post(OPEN_MESSAGING_EVENTS_PATH, event, { [EVENTS_SECRET_HEADER]: 'wrong' })).status).toBe(401);
    expect((await post(OPEN_MESSAGING_EVENTS_PATH, event, { [EVENTS_SECRET_HEADER]: OM_EVENTS_SECRET })).status).toBe(
      204,
    );
    expect(
      (await post(OPEN_MESSAGING_EVENTS_PATH, '{"nope":1}', { [EVENTS_SECRET_HEADER]: OM_EVENTS_SECRET })).status,
    ).toBe(400);
  });

  it('leaves /api/messages to the Bot Framework adapter', async () => {
    const res = await post('/api/messages', '{}');
    expect(res.status).toBe(400);
  });
});
