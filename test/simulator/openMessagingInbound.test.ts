import {
  api,
  getToken,
  inboundPath,
  INTEGRATION_ID,
  sendText,
  startRigWithToken,
  textMessage,
  type Rig,
} from './openMessagingSupport';

describe('Open Messaging simulator: inbound endpoints (docs/genesys-protocol.md §6.2, §6.9)', () => {
  let rig: Rig;
  let token: string;

  beforeEach(async () => {
    ({ rig, token } = await startRigWithToken());
  });
  afterEach(() => rig.stop());

  const post = (kind: Parameters<typeof inboundPath>[0], body: unknown, query = '') =>
    api(rig.baseUrl, token, 'POST', inboundPath(kind, query), body);

  it('answers the normalized message, with conversationId only when prefetchConversationId=true', async () => {
    const plain = await post(
      'message',
      textMessage('user-1', 'hello', {
        channel: { from: { id: 'user-1', idType: 'Opaque' }, time: '2026-11-30T10:00:00.000Z', messageId: 'm-1' },
      }),
    );
    expect(plain.status).toBe(200);
    expect(plain.data).toMatchObject({
      id: expect.any(String) as unknown,
      channel: { id: INTEGRATION_ID, platform: 'Open', type: 'Private', messageId: 'm-1', from: { id: 'user-1' } },
      type: 'Text',
      text: 'hello',
      direction: 'Inbound',
    });
    expect(plain.data).not.toHaveProperty('conversationId');
    const prefetched = await post('message', textMessage('user-1', 'again'), '?prefetchConversationId=true');
    const conversation = rig.sim.conversations()[0]!;
    expect(prefetched.data).toMatchObject({ conversationId: conversation.id });
    expect(conversation).toMatchObject({ integrationId: INTEGRATION_ID, externalId: 'user-1', state: 'queued' });
    expect(conversation.messages.map((m) => m.text)).toEqual(['hello', 'again']);
  });

  it('takes attachments by URL and routing attributes from channel.metadata.customAttributes of the first message', async () => {
    const conversationId = await sendText(rig, token, 'user-2', 'see file', {
      channel: {
        from: { id: 'user-2', idType: 'Opaque' },
        time: new Date().toISOString(),
        metadata: { customAttributes: { language: 'fr', skill: 'billing' } },
      },
      content: [
        {
          contentType: 'Attachment',
          attachment: {
            mediaType: 'Image',
            url: 'https://files.example/cat.png',
            mime: 'image/png',
            filename: 'cat.png',
          },
        },
      ],
      metadata: { correlation: 'abc' },
    });
    await sendText(rig, token, 'user-2', 'later', {
      channel: {
        from: { id: 'user-2', idType: 'Opaque' },
        time: new Date().toISOString(),
        metadata: { customAttributes: { language: 'de' } },
      },
    });
    const conversation = rig.sim.conversation(conversationId)!;
    expect(conversation.customAttributes).toEqual({ language: 'fr', skill: 'billing' });
    expect(conversation.participants.find((p) => p.purpose === 'customer')?.attributes).toEqual({
      language: 'fr',
      skill: 'billing',
    });
    expect(conversation.messages[0]?.attachments).toEqual([
      { mediaType: 'Image', url: 'https://files.example/cat.png', mime: 'image/png', filename: 'cat.png' },
    ]);
  });

  it('answers 400 for custom attributes nested under the top-level metadata, and records nothing', async () => {
    const response = await post(
      'message',
      textMessage('user-3', 'hi', { metadata: { customAttributes: { language: 'fr' } } }),
    );
    expect(response.status).toBe(400);
    expect(response.data).toMatchObject({
      status: 400,
      code: 'bad.request',
      message: expect.stringContaining('metadata.customAttributes') as unknown,
    });
    expect(rig.sim.conversations()).toHaveLength(0);
    expect(rig.sim.stats.badRequests).toBe(1);
  });

  it.each([
    ['no channel', { text: 'x' }, 'channel'],
    [
      'no from.id',
      { channel: { from: { idType: 'Opaque' }, time: '2026-11-30T10:00:00Z' }, text: 'x' },
      'channel.from.id',
    ],
    [
      'a bad idType',
      { channel: { from: { id: 'u', idType: 'Guid' }, time: '2026-11-30T10:00:00Z' }, text: 'x' },
      'channel.from.idType',
    ],
    ['no time', { channel: { from: { id: 'u', idType: 'Opaque' } }, text: 'x' }, 'channel.time'],
    ['a bad time', { channel: { from: { id: 'u', idType: 'Opaque' }, time: 'yesterday' }, text: 'x' }, 'channel.time'],
    [
      'neither text nor content',
      { channel: { from: { id: 'u', idType: 'Opaque' }, time: '2026-11-30T10:00:00Z' } },
      'text or content',
    ],
    ['text over 4,000 characters', textMessage('u', 'x'.repeat(4001)), '4000'],
    [
      'an attachment without url',
      textMessage('u', '', {
        content: [{ contentType: 'Attachment', attachment: { mediaType: 'Image', mime: 'image/png' } }],
      }),
      'content[0].attachment.url',
    ],
    [
      'an attachment with a bad mediaType',
      textMessage('u', '', {
        content: [{ attachment: { mediaType: 'Photo', url: 'https://x.example/a', mime: 'image/png' } }],
      }),
      'mediaType',
    ],
    [
      'an attachment URL Genesys cannot fetch',
      textMessage('u', '', {
        content: [{ attachment: { mediaType: 'File', url: 'file:///etc/passwd', mime: 'text/plain' } }],
      }),
      'http(s)',
    ],
    [
      'custom attributes over 2,048 bytes',
      textMessage('u', 'x', {
        channel: {
          from: { id: 'u', idType: 'Opaque' },
          time: '2026-11-30T10:00:00Z',
          metadata: { customAttributes: { big: 'y'.repeat(2100) } },
        },
      }),
      'customAttributes',
    ],
    [
      'a non-string custom attribute',
      textMessage('u', 'x', {
        channel: {
          from: { id: 'u', idType: 'Opaque' },
          time: '2026-11-30T10:00:00Z',
          metadata: { customAttributes: { n: 1 } },
        },
      }),
      'channel.metadata.customAttributes.n',
    ],
  ])('answers 400 for %s', async (_name, body, mention) => {
    const response = await post('message', body);
    expect(response.status).toBe(400);
    expect(String(response.data.message)).toContain(mention);
    expect(rig.sim.conversations()).toHaveLength(0);
  });

  it('answers 400 for a body that is not JSON and 404 for an unknown integration', async () => {
    const response = await api(rig.baseUrl, token, 'POST', inboundPath('message'), '{not json');
    expect(response.status).toBe(400);
    const unknown = await api(
      rig.baseUrl,
      token,
      'POST',
      '/api/v2/conversations/messages/nope/inbound/open/message',
      textMessage('u', 'x'),
    );
    expect(unknown.status).toBe(404);
  });

  it('records a repeated (messageId, time) pair once', async () => {
    const body = textMessage('user-4', 'once', {
      channel: { from: { id: 'user-4', idType: 'Opaque' }, time: '2026-11-30T10:00:00.000Z', messageId: 'dup-1' },
    });
    const first = await post('message', body);
    const second = await post('message', body);
    expect(second.data.id).toBe(first.data.id);
    expect(rig.sim.conversations()[0]?.messages).toHaveLength(1);
  });

  it('accepts the Typing event and counts it only when inbound typing is enabled; other event types are 400', async () => {
    await sendText(rig, token, 'user-5', 'hi');
    const typing = {
      channel: { from: { id: 'user-5', idType: 'Opaque' }, time: new Date().toISOString() },
      events: [{ eventType: 'Typing' }],
    };
    expect((await post('event', typing)).status).toBe(200);
    expect(rig.sim.stats.inboundTyping).toBe(0);
    rig.sim.setTyping(INTEGRATION_ID, { inbound: 'Enabled' });
    const seen = new Promise<string>((resolve) =>
      rig.sim.once('customerTyping', (e) => {
        resolve(e.conversationId);
      }),
    );
    const answer = await post('event', typing);
    expect(answer.status).toBe(200);
    expect(answer.data).toMatchObject({ events: [{ eventType: 'Typing' }] });
    expect(await seen).toBe(rig.sim.conversations()[0]?.id);
    expect(rig.sim.stats.inboundTyping).toBe(1);
    const presence = await post('event', { ...typing, events: [{ eventType: 'Presence' }] });
    expect(presence.status).toBe(400);
  });

  it('records receipts for agent messages, queryable per conversation; Read is not an inbound status', async () => {
    const conversationId = await sendText(rig, token, 'user-6', 'hi');
    rig.sim.agentJoin(conversationId, 'Grace');
    const messageId = rig.sim.agentSend(conversationId, 'Hello, Grace here');
    const receipt = (status: string, extra: Record<string, unknown> = {}) => ({
      id: messageId,
      channel: { to: { id: 'user-6', idType: 'Opaque' }, time: new Date().toISOString() },
      status,
      direction: 'Outbound',
      isFinalReceipt: true,
      ...extra,
    });
    expect((await post('receipt', receipt('Read'))).status).toBe(400);
    expect((await post('receipt', receipt('Failed', { reasons: [{ code: 'NotAReason' }] }))).status).toBe(400);
    expect((await post('receipt', receipt('Delivered', { direction: 'Inbound' }))).status).toBe(400);
    const ok = await post(
      'receipt',
      receipt('Failed', { reasons: [{ code: 'UnsupportedMessage', message: 'cards not shown' }] }),
    );
    expect(ok.status).toBe(200);
    expect(ok.data).toMatchObject({ id: messageId, status: 'Failed', direction: 'Outbound' });
    expect(rig.sim.receipts(conversationId)).toEqual([
      expect.objectContaining({
        messageId,
        status: 'Failed',
        isFinalReceipt: true,
        reasons: [{ code: 'UnsupportedMessage', message: 'cards not shown' }],
        externalId: 'user-6',
      }),
    ]);
    expect(rig.sim.conversation(conversationId)?.messages.find((m) => m.id === messageId)?.receipts).toHaveLength(1);
  });

  it('takes a quick-reply answer on the structured response endpoint', async () => {
    const conversationId = await sendText(rig, token, 'user-7', 'hi');
    const answer = await post('structured/response', {
      channel: { from: { id: 'user-7', idType: 'Opaque' }, time: new Date().toISOString() },
      buttonResponse: { type: 'QuickReply', text: 'Yes', payload: 'yes' },
      originatingMessageId: 'q-1',
    });
    expect(answer.status).toBe(200);
    const last = rig.sim.conversation(conversationId)?.messages.at(-1);
    expect(last).toMatchObject({ type: 'Structured', text: 'Yes' });
    const bad = await post('structured/response', {
      channel: { from: { id: 'user-7', idType: 'Opaque' }, time: new Date().toISOString() },
      buttonResponse: { type: 'Slider', text: 'Yes' },
    });
    expect(bad.status).toBe(400);
  });

  describe('threading window (§6.9)', () => {
    it('threads a message from the same external id into the ended conversation inside the window', async () => {
      const first = await sendText(rig, token, 'user-8', 'first handoff');
      rig.sim.agentJoin(first, 'Grace');
      rig.sim.agentLeave(first);
      expect(rig.sim.conversation(first)?.state).toBe('ended');
      rig.clock.now += 71 * 3_600_000;
      token = await getToken(rig.baseUrl); // the first token lived 24 h
      const second = await sendText(rig, token, 'user-8', 'second handoff');
      expect(second).toBe(first);
      const conversation = rig.sim.conversation(first)!;
      expect(conversation).toMatchObject({
        state: 'queued',
        reopenedCount: 1,
        lastAgentUserId: expect.any(String) as unknown,
      });
      expect(rig.sim.queued().map((c) => c.id)).toEqual([first]);
    });

    it('starts a new conversation after the window, and for another external id', async () => {
      const first = await sendText(rig, token, 'user-9', 'first');
      expect(await sendText(rig, token, 'user-10', 'other user')).not.toBe(first);
      rig.sim.endConversation(first);
      rig.clock.now += 72 * 3_600_000;
      token = await getToken(rig.baseUrl);
      const second = await sendText(rig, token, 'user-9', 'second');
      expect(second).not.toBe(first);
      expect(rig.sim.conversation(second)?.reopenedCount).toBe(0);
    });

    it('never threads with a window of 0', async () => {
      rig.sim.setThreadingWindowMs(0);
      const first = await sendText(rig, token, 'user-11', 'first');
      rig.sim.endConversation(first);
      expect(await sendText(rig, token, 'user-11', 'second')).not.toBe(first);
    });
  });
});
