import {
  inboundMessage,
  inboundReceipt,
  inboundStructuredResponse,
  inboundTyping,
  parseOutboundWebhook,
  WebhookPayloadError,
} from '../../../src/genesys/openMessaging/payloads';

const customer = { id: 'ext-1', nickname: 'Dana' };
const time = '2026-01-02T03:04:05.000Z';

describe('Open Messaging payloads, customer to Genesys (docs/genesys-protocol.md §6.2)', () => {
  it('puts participant data under channel.metadata.customAttributes, never the top-level metadata', () => {
    const body = inboundMessage(customer, { messageId: 'm1', time, text: 'hi', customAttributes: { a: '1' } });
    expect(body).toEqual({
      channel: {
        from: { id: 'ext-1', idType: 'Opaque', nickname: 'Dana' },
        time,
        messageId: 'm1',
        metadata: { customAttributes: { a: '1' } },
      },
      text: 'hi',
    });
    expect(body).not.toHaveProperty('metadata');
    expect(inboundMessage(customer, { messageId: 'm2', time, text: 'later' }).channel).not.toHaveProperty('metadata');
  });

  it('sends attachments by URL with their media type', () => {
    const body = inboundMessage(customer, {
      messageId: 'm1',
      time,
      text: '',
      attachments: [
        { url: 'https://x/a.png', mime: 'image/png', filename: 'a.png' },
        { url: 'https://x/b.pdf', mime: 'application/pdf' },
      ],
    });
    expect(body.text).toBeUndefined();
    expect(body.content).toEqual([
      {
        contentType: 'Attachment',
        attachment: { mediaType: 'Image', url: 'https://x/a.png', mime: 'image/png', filename: 'a.png' },
      },
      { contentType: 'Attachment', attachment: { mediaType: 'File', url: 'https://x/b.pdf', mime: 'application/pdf' } },
    ]);
  });

  it('builds typing, receipts and structured answers', () => {
    expect(inboundTyping(customer, time)).toEqual({
      channel: { from: { id: 'ext-1', idType: 'Opaque', nickname: 'Dana' }, time },
      events: [{ eventType: 'Typing' }],
    });
    expect(inboundReceipt('ext-1', 'out-1', time, { delivered: true })).toEqual({
      id: 'out-1',
      channel: { to: { id: 'ext-1', idType: 'Opaque' }, time },
      status: 'Delivered',
      direction: 'Outbound',
      isFinalReceipt: true,
    });
    expect(
      inboundReceipt('ext-1', 'out-2', time, { delivered: false, reason: 'unsupported', detail: 'no cards here' }),
    ).toMatchObject({ status: 'Failed', reasons: [{ code: 'UnsupportedMessage', message: 'no cards here' }] });
    expect(inboundReceipt('ext-1', 'out-3', time, { delivered: false, reason: 'failed' }).reasons).toEqual([
      { code: 'GeneralError' },
    ]);
    expect(
      inboundStructuredResponse(
        customer,
        { messageId: 'm3', time },
        { type: 'QuickReply', text: 'Yes', payload: 'y' },
        'q1',
      ),
    ).toEqual({
      channel: { from: { id: 'ext-1', idType: 'Opaque', nickname: 'Dana' }, time, messageId: 'm3' },
      buttonResponse: { type: 'QuickReply', text: 'Yes', payload: 'y' },
      originatingMessageId: 'q1',
    });
  });
});

describe('Open Messaging payloads, Genesys to the customer (docs/genesys-protocol.md §6.3)', () => {
  const envelope = (extra: Record<string, unknown>) => ({
    id: 'out-1',
    channel: {
      id: 'integration',
      platform: 'Open',
      type: 'Private',
      messageId: 'out-1',
      to: { id: 'ext-1', idType: 'Opaque' },
      from: { nickname: 'Bot handoff', id: 'integration', idType: 'Opaque' },
      time,
    },
    conversationId: 'conv-1',
    direction: 'Outbound',
    ...extra,
  });

  it('reads agent text with attachments, and flow messages', () => {
    expect(
      parseOutboundWebhook(
        envelope({
          type: 'Text',
          originatingEntity: 'Human',
          text: 'here',
          content: [
            {
              contentType: 'Attachment',
              attachment: { mediaType: 'Image', url: 'https://f/x.png', mime: 'image/png', filename: 'x.png' },
            },
          ],
        }),
      ),
    ).toEqual({
      kind: 'message',
      id: 'out-1',
      externalId: 'ext-1',
      conversationId: 'conv-1',
      time,
      originatingEntity: 'Human',
      nickname: 'Bot handoff',
      text: 'here',
      attachments: [{ url: 'https://f/x.png', name: 'x.png', contentType: 'image/png' }],
      replies: [],
    });
    expect(
      parseOutboundWebhook(envelope({ type: 'Text', originatingEntity: 'Bot', text: 'You are number 2' })),
    ).toMatchObject({
      kind: 'message',
      originatingEntity: 'Bot',
      text: 'You are number 2',
    });
  });

  it('reads typing by type (not by empty text), receipts, quick replies and cards', () => {
    expect(
      parseOutboundWebhook(
        envelope({ type: 'Event', events: [{ eventType: 'Typing', typing: { type: 'On', duration: 3000 } }] }),
      ),
    ).toMatchObject({ kind: 'typing', durationMs: 3000 });
    expect(parseOutboundWebhook(envelope({ type: 'Text', text: '' }))).toMatchObject({ kind: 'message', text: '' });
    expect(
      parseOutboundWebhook(envelope({ type: 'Receipt', status: 'Failed', reasons: [{ code: 'RateLimited' }] })),
    ).toMatchObject({ kind: 'receipt', status: 'Failed', reasons: [{ code: 'RateLimited' }] });
    expect(
      parseOutboundWebhook(
        envelope({
          type: 'Structured',
          text: 'Pick one',
          content: [
            { contentType: 'QuickReply', quickReply: { text: 'Yes', payload: 'y' } },
            {
              contentType: 'Card',
              card: {
                title: 'Order',
                actions: [
                  { type: 'Link', text: 'Track', url: 'https://t' },
                  { type: 'Button', text: 'Cancel', payload: 'c' },
                ],
              },
            },
          ],
        }),
      ),
    ).toMatchObject({
      kind: 'message',
      text: 'Pick one',
      replies: [
        { type: 'QuickReply', text: 'Yes', payload: 'y' },
        { type: 'Button', text: 'Cancel', payload: 'c' },
      ],
      content: {
        items: [
          { kind: 'quickReplies', replies: [{ text: 'Yes', payload: 'y' }] },
          {
            kind: 'card',
            card: {
              title: 'Order',
              actions: [
                { type: 'link', text: 'Track', url: 'https://t' },
                { type: 'postback', text: 'Cancel', payload: 'c' },
              ],
            },
          },
        ],
      },
    });
  });

  it('reads structured content given flat (fields on the item) like nested, and keeps unreadable cards as text', () => {
    expect(
      parseOutboundWebhook(
        envelope({
          type: 'Structured',
          text: 'Choose',
          content: [
            { contentType: 'QuickReply', text: 'Now', payload: 'now' },
            { contentType: 'QuickReply', text: 'Later', payload: 'later' },
            { contentType: 'Notification', notification: { text: 'Your order shipped' } },
          ],
        }),
      ),
    ).toMatchObject({
      text: 'Choose\nYour order shipped',
      content: {
        items: [
          {
            kind: 'quickReplies',
            replies: [
              { text: 'Now', payload: 'now' },
              { text: 'Later', payload: 'later' },
            ],
          },
        ],
      },
    });
    const untitled = parseOutboundWebhook(
      envelope({
        type: 'Structured',
        text: 'See',
        content: [
          { contentType: 'Card', card: { description: 'No title', actions: [{ text: 'Go', url: 'https://g' }] } },
        ],
      }),
    );
    expect(untitled).toMatchObject({ text: 'See\nNo title\nGo: https://g' });
    expect(untitled).not.toHaveProperty('content');
  });

  it('ignores inbound echoes and other events, and refuses bodies without ids', () => {
    expect(parseOutboundWebhook(envelope({ type: 'Text', text: 'x', direction: 'Inbound' }))).toBeUndefined();
    expect(parseOutboundWebhook(envelope({ type: 'Event', events: [{ eventType: 'Presence' }] }))).toBeUndefined();
    expect(() => parseOutboundWebhook({ channel: { to: { id: 'x' } } })).toThrow(WebhookPayloadError);
    expect(() => parseOutboundWebhook({ id: 'x', channel: {} })).toThrow(WebhookPayloadError);
    expect(() => parseOutboundWebhook('text')).toThrow(WebhookPayloadError);
  });

  it('accepts nickName with a capital N', () => {
    const body = envelope({ type: 'Text', text: 'x' });
    (body.channel as Record<string, unknown>).from = { nickName: 'Capital', id: 'i' };
    expect(parseOutboundWebhook(body)).toMatchObject({ nickname: 'Capital' });
  });
});
