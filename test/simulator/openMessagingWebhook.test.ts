import { createHmac, timingSafeEqual } from 'node:crypto';
import {
  getToken,
  INTEGRATION_ID,
  INTEGRATION_NAME,
  sendText,
  startRig,
  WEBHOOK_SECRET,
  type Rig,
} from './openMessagingSupport';

/** The receiver's own check, written from docs/genesys-protocol.md §6.3: base64 HMAC-SHA256 of the raw body. */
function signatureMatches(raw: Buffer, header: string | string[] | undefined): boolean {
  const expected = Buffer.from(`sha256=${createHmac('sha256', WEBHOOK_SECRET).update(raw).digest('base64')}`);
  const actual = Buffer.from(String(header));
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}

describe('Open Messaging simulator: webhook delivery (docs/genesys-protocol.md §6.3)', () => {
  let rig: Rig;

  afterEach(async () => {
    await rig.stop();
  });

  async function connected(externalId = 'user-1', overrides: Parameters<typeof startRig>[0] = {}): Promise<string> {
    rig = await startRig(overrides);
    const token = await getToken(rig.baseUrl);
    const conversationId = await sendText(rig, token, externalId, 'I need a human');
    rig.sim.agentJoin(conversationId, 'Grace Hopper');
    return conversationId;
  }

  it('signs the raw body with X-Hub-Signature-256 and sends the normalized outbound text', async () => {
    const conversationId = await connected('user-1', {
      integrations: [
        {
          id: INTEGRATION_ID,
          name: INTEGRATION_NAME,
          webhookSecret: WEBHOOK_SECRET,
          webhookHeaders: { 'x-tenant': 'contoso' },
        },
      ],
    });
    rig.sim.setWebhookUrl(INTEGRATION_ID, rig.receiver.url);
    const id = rig.sim.agentSend(conversationId, 'Hello, how can I help? é');
    const [webhook] = await rig.receiver.waitForCount(1);
    expect(signatureMatches(webhook!.raw, webhook!.headers['x-hub-signature-256'])).toBe(true);
    expect(webhook!.headers['x-tenant']).toBe('contoso');
    expect(webhook!.headers['content-type']).toBe('application/json');
    expect(webhook!.body).toEqual({
      id,
      channel: {
        id: INTEGRATION_ID,
        platform: 'Open',
        type: 'Private',
        messageId: id,
        to: { id: 'user-1', idType: 'Opaque' },
        from: { nickname: INTEGRATION_NAME, id: INTEGRATION_ID, idType: 'Opaque' },
        time: expect.any(String) as unknown,
      },
      conversationId,
      direction: 'Outbound',
      originatingEntity: 'Human',
      type: 'Text',
      text: 'Hello, how can I help? é',
      content: [],
      reasons: [],
      relatedMessages: [],
    });
    // A changed byte breaks the signature.
    const tampered = Buffer.from(webhook!.raw);
    tampered.writeUInt8(tampered.readUInt8(tampered.length - 2) ^ 1, tampered.length - 2);
    expect(signatureMatches(tampered, webhook!.headers['x-hub-signature-256'])).toBe(false);
  });

  it('sends attachments, structured content from a flow, flow messages while queued, and typing only when enabled', async () => {
    rig = await startRig();
    const token = await getToken(rig.baseUrl);
    const conversationId = await sendText(rig, token, 'user-2', 'hi');
    rig.sim.botSend(conversationId, 'You are number 1 in the queue');
    expect(() => rig.sim.agentSend(conversationId, 'no agent yet')).toThrow(/no connected agent/);
    rig.sim.agentJoin(conversationId, 'Grace');
    expect(rig.sim.agentTyping(conversationId)).toBe(false);
    rig.sim.setTyping(INTEGRATION_ID, { outbound: 'Enabled' });
    expect(rig.sim.agentTyping(conversationId)).toBe(true);
    rig.sim.agentSendAttachment(conversationId, {
      url: 'https://files.example/a.png',
      mime: 'image/png',
      filename: 'a.png',
    });
    expect(() =>
      rig.sim.agentSendAttachment(conversationId, {
        url: 'https://files.example/a.pdf',
        mime: 'application/pdf',
        filename: 'a.pdf',
      }),
    ).toThrow(/content profile/);
    rig.sim.agentSendStructured(conversationId, 'Pick one', [
      { contentType: 'QuickReply', quickReply: { text: 'Yes', payload: 'yes', action: 'Message' } },
    ]);
    expect(() => rig.sim.agentSend(conversationId, 'x'.repeat(4001))).toThrow(/4000/);
    const received = await rig.receiver.waitForCount(4);
    await rig.sim.whenIdle();
    const bodies = received.map((r) => r.body);
    expect(bodies.map((b) => [b.type, b.originatingEntity])).toEqual([
      ['Text', 'Bot'],
      ['Event', undefined],
      ['Text', 'Human'],
      ['Structured', 'Bot'],
    ]);
    expect(bodies[1]).toMatchObject({ events: [{ eventType: 'Typing', typing: { type: 'On', duration: 5000 } }] });
    expect(bodies[2]).toMatchObject({
      content: [
        {
          contentType: 'Attachment',
          attachment: { mediaType: 'Image', url: 'https://files.example/a.png', mime: 'image/png' },
        },
      ],
    });
    expect(bodies[3]).toMatchObject({ content: [{ contentType: 'QuickReply', quickReply: { text: 'Yes' } }] });
  });

  it('retries a failing webhook 5 times with the configured gap, then gives up', async () => {
    const conversationId = await connected('user-3', { webhook: { retryDelayMs: 20 } });
    rig.receiver.answers = Array.from({ length: 10 }, () => ({ status: 503 }));
    const id = rig.sim.agentSend(conversationId, 'are you there?');
    await rig.receiver.waitForCount(6);
    await rig.sim.whenIdle();
    expect(rig.receiver.received.map((r) => r.body.id)).toEqual(Array.from({ length: 6 }, () => id));
    expect(rig.sim.webhookAttempts().map((a) => [a.attempt, a.status, a.delivered])).toEqual(
      [1, 2, 3, 4, 5, 6].map((n) => [n, 503, false]),
    );
    // Each retry carries the same bytes and signature.
    expect(new Set(rig.receiver.received.map((r) => r.raw.toString('base64'))).size).toBe(1);
  });

  it('retries after a timeout and after 429, stops at the first 2xx, and does not retry a 400', async () => {
    const conversationId = await connected('user-4', { webhook: { retryDelayMs: 10, timeoutMs: 150 } });
    rig.receiver.answers = [{ status: 200, delayMs: 1000 }, { status: 429 }, { status: 204 }, { status: 400 }];
    rig.sim.agentSend(conversationId, 'first');
    rig.sim.agentSend(conversationId, 'second');
    await rig.receiver.waitForCount(4);
    await rig.sim.whenIdle();
    expect(rig.sim.webhookAttempts().map((a) => [a.attempt, a.status ?? a.error, a.delivered])).toEqual([
      [1, 'timeout', false],
      [2, 429, false],
      [3, 204, true],
      [1, 400, false],
    ]);
    expect(rig.receiver.received.map((r) => r.body.text)).toEqual(['first', 'first', 'first', 'second']);
  });

  it('delivers each payload twice with the duplicate knob', async () => {
    const conversationId = await connected('user-5');
    rig.sim.setWebhookKnobs({ duplicate: true });
    const id = rig.sim.agentSend(conversationId, 'once or twice?');
    const received = await rig.receiver.waitForCount(2);
    await rig.sim.whenIdle();
    expect(received.map((r) => r.body.id)).toEqual([id, id]);
    expect(received[0]!.raw.equals(received[1]!.raw)).toBe(true);
  });

  it('delivers a batch newest first with the reorder knob', async () => {
    const conversationId = await connected('user-6');
    rig.sim.setWebhookKnobs({ reorder: 'reverse', batchMs: 50 });
    rig.sim.agentSend(conversationId, 'one');
    rig.sim.agentSend(conversationId, 'two');
    rig.sim.agentSend(conversationId, 'three');
    const received = await rig.receiver.waitForCount(3);
    expect(received.map((r) => r.body.text)).toEqual(['three', 'two', 'one']);
  });
});
