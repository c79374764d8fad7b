import fc from 'fast-check';
import { answerOptions, matchButtonAnswer, renderAgentContent } from '../../../src/channels';
import {
  type GenesysMessage,
  agentContentFromGenesys,
  openMessagingButtonResponse,
  webMessagingAnswer,
} from '../../../src/content/genesysContent';

/** An outbound Web Messaging structured message from an Architect bot flow, shapes as in §5.14. */
const STRUCTURED: GenesysMessage = {
  id: 'msg-1',
  text: 'How can we help?',
  originatingEntity: 'Bot',
  channel: { from: { nickname: 'Helper' } },
  content: [
    { contentType: 'QuickReply', quickReply: { text: 'Billing', payload: 'billing', action: 'Message' } },
    { contentType: 'QuickReply', quickReply: { text: 'Orders', payload: 'orders' } },
    {
      contentType: 'Attachment',
      attachment: {
        id: 'att-1',
        url: 'https://files.example/a/guide.pdf',
        filename: 'guide.pdf',
        fileSize: 2048,
        mediaType: 'File',
        mime: 'application/pdf',
      },
    },
    {
      contentType: 'Carousel',
      carousel: {
        cards: [
          {
            title: 'Plan S',
            description: 'Small',
            image: 'https://img.example/s.png',
            actions: [
              { type: 'Postback', text: 'Choose', payload: 'plan-s' },
              { type: 'Link', text: 'More', url: 'https://example.com/s' },
            ],
          },
          { title: 'Plan L', description: '', actions: [{ type: 'Button', text: 'Choose', payload: 'plan-l' }] },
        ],
      },
    },
    {
      contentType: 'DatePicker',
      datePicker: { title: 'Callback time', availableTimes: [{ dateTime: '2026-12-02T14:00:00.000Z', duration: 30 }] },
    },
    { contentType: 'ButtonResponse' },
    { contentType: 'ListPicker' },
  ],
};

describe('agentContentFromGenesys', () => {
  it('maps every received content type of a structured message', () => {
    expect(agentContentFromGenesys(STRUCTURED, false)).toEqual({
      messageId: 'msg-1',
      sender: { name: 'Helper', entity: 'Bot' },
      items: [
        { kind: 'text', text: 'How can we help?', format: 'plain' },
        {
          kind: 'quickReplies',
          replies: [
            { text: 'Billing', payload: 'billing' },
            { text: 'Orders', payload: 'orders' },
          ],
        },
        {
          kind: 'attachment',
          attachment: {
            id: 'att-1',
            name: 'guide.pdf',
            contentType: 'application/pdf',
            url: 'https://files.example/a/guide.pdf',
            size: 2048,
          },
        },
        {
          kind: 'carousel',
          cards: [
            {
              title: 'Plan S',
              subtitle: 'Small',
              imageUrl: 'https://img.example/s.png',
              actions: [
                { type: 'postback', text: 'Choose', payload: 'plan-s' },
                { type: 'link', text: 'More', url: 'https://example.com/s' },
              ],
            },
            { title: 'Plan L', actions: [{ type: 'postback', text: 'Choose', payload: 'plan-l' }] },
          ],
        },
        { kind: 'datePicker', title: 'Callback time', slots: [{ dateTime: '2026-12-02T14:00:00.000Z', duration: 30 }] },
      ],
    });
  });

  it('reads Open Messaging attachments (contentSizeBytes, nickName) and Markdown text', () => {
    const content = agentContentFromGenesys(
      {
        id: 'om-1',
        text: '**Hi**',
        originatingEntity: 'Human',
        channel: { from: { nickName: 'Anna' } },
        content: [
          {
            contentType: 'Attachment',
            attachment: { url: 'https://files.example/x/photo.jpg', mediaType: 'Image', contentSizeBytes: 512 },
          },
        ],
      },
      true,
    );
    expect(content.sender).toEqual({ name: 'Anna', entity: 'Human' });
    expect(content.items).toEqual([
      { kind: 'text', text: '**Hi**', format: 'markdown' },
      {
        kind: 'attachment',
        attachment: {
          name: 'photo.jpg',
          contentType: 'image/jpeg',
          url: 'https://files.example/x/photo.jpg',
          size: 512,
        },
      },
    ]);
  });

  it('survives any content it does not expect', () => {
    fc.assert(
      fc.property(fc.anything(), fc.anything(), (content, text) => {
        const message = { id: 'x', text, content } as unknown as GenesysMessage;
        expect(agentContentFromGenesys(message, false).messageId).toBe('x');
      }),
    );
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            contentType: fc.constantFrom('Attachment', 'QuickReply', 'Card', 'Carousel', 'DatePicker'),
            attachment: fc.anything(),
            quickReply: fc.anything(),
            card: fc.anything(),
            carousel: fc.anything(),
            datePicker: fc.anything(),
          }),
        ),
        (content) => {
          const message = { id: 'y', content } as unknown as GenesysMessage;
          expect(Array.isArray(agentContentFromGenesys(message, false).items)).toBe(true);
        },
      ),
    );
  });
});

describe('answers back to Genesys', () => {
  const content = agentContentFromGenesys(STRUCTURED, false);
  const pending = answerOptions(content);

  it('a typed number on Slack answers the quick reply as Web Messaging expects', () => {
    const [slack] = renderAgentContent('slack', content, { namePrefix: '', facebookHumanAgentTag: false });
    expect(slack?.text).toContain('1. Billing');
    const answer = matchButtonAnswer('1', pending);
    expect(answer).toBeDefined();
    expect(webMessagingAnswer(answer!)).toEqual({
      type: 'Text',
      text: '',
      content: [
        { contentType: 'ButtonResponse', buttonResponse: { text: 'Billing', payload: 'billing', type: 'QuickReply' } },
      ],
    });
  });

  it('a card button tap is a Structured answer with the button text', () => {
    const answer = matchButtonAnswer('4. Choose', pending);
    expect(webMessagingAnswer(answer!)).toEqual({
      type: 'Structured',
      text: 'Choose',
      content: [
        { contentType: 'ButtonResponse', buttonResponse: { text: 'Choose', payload: 'plan-l', type: 'Button' } },
      ],
    });
    expect(openMessagingButtonResponse(answer!)).toEqual({ type: 'Button', text: 'Choose', payload: 'plan-l' });
  });

  it('a time slot carries the picker message id and the chosen time', () => {
    const answer = matchButtonAnswer('5', pending);
    expect(webMessagingAnswer(answer!).content[0]?.buttonResponse).toMatchObject({
      type: 'DatePicker',
      payload: '2026-12-02T14:00:00.000Z',
      originatingMessageId: 'msg-1',
    });
  });
});
