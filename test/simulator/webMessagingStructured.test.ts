import { checkAgentContent, matchButtonResponses } from '../../src/simulator/webMessaging/webMessagingStructured';
import type { SimulatedMessage } from '../../src/simulator/webMessaging/webMessagingTypes';

const outbound = (id: string, content: SimulatedMessage['content']): SimulatedMessage => ({
  id,
  direction: 'Outbound',
  type: 'Structured',
  text: '',
  time: '2026-01-01T00:00:00.000Z',
  content,
});

const answer = (buttonResponse: Record<string, unknown>): unknown => ({
  contentType: 'ButtonResponse',
  buttonResponse,
});

describe('Web Messaging simulator: structured content (§5.14)', () => {
  const quick = outbound('q1', [
    { contentType: 'QuickReply', quickReply: { text: 'Yes', payload: 'yes' } },
    { contentType: 'QuickReply', quickReply: { text: 'No', payload: 'no' } },
  ]);
  const later = outbound('q2', [{ contentType: 'QuickReply', quickReply: { text: 'Yes', payload: 'yes' } }]);
  const picker = outbound('p1', [
    {
      contentType: 'DatePicker',
      datePicker: { title: 'When?', availableTimes: [{ dateTime: '2026-12-02T14:00:00.000Z', duration: 30 }] },
    },
  ]);
  const card = outbound('c1', [
    {
      contentType: 'Card',
      card: {
        title: 'Plan',
        description: 'A plan',
        actions: [
          { type: 'Postback', text: 'Choose', payload: 'plan' },
          { type: 'Link', text: 'More', url: 'https://example.com' },
        ],
      },
    },
  ]);
  const messages = [quick, picker, card, later];

  it('matches answers to the message offering them: named, or the latest offering that option', () => {
    expect(matchButtonResponses([answer({ type: 'QuickReply', text: 'No', payload: 'no' })], messages)).toEqual({
      ok: true,
      responses: [{ type: 'QuickReply', text: 'No', payload: 'no', answers: 'q1' }],
    });
    expect(matchButtonResponses([answer({ type: 'QuickReply', text: 'Yes', payload: 'yes' })], messages)).toMatchObject(
      { ok: true, responses: [{ answers: 'q2' }] },
    );
    expect(
      matchButtonResponses(
        [
          answer({
            type: 'DatePicker',
            text: 'Wed 14:00',
            payload: '2026-12-02T14:00:00.000Z',
            originatingMessageId: 'p1',
          }),
        ],
        messages,
      ),
    ).toMatchObject({ ok: true, responses: [{ answers: 'p1', originatingMessageId: 'p1' }] });
    expect(matchButtonResponses([answer({ type: 'Button', text: 'Choose', payload: 'plan' })], messages)).toMatchObject(
      {
        ok: true,
        responses: [{ answers: 'c1' }],
      },
    );
    expect(matchButtonResponses([{ contentType: 'Attachment' }], messages)).toEqual({ ok: true, responses: [] });
  });

  it('refuses answers to nothing offered, to the wrong message, or malformed', () => {
    const refused = (entry: unknown): boolean => !matchButtonResponses([entry], messages).ok;
    expect(refused(answer({ type: 'QuickReply', text: 'Maybe', payload: 'maybe' }))).toBe(true);
    expect(refused(answer({ type: 'QuickReply', text: 'No', payload: 'no', originatingMessageId: 'q2' }))).toBe(true);
    // A Link action sends nothing: there is no Button answer with its text.
    expect(refused(answer({ type: 'Button', text: 'More', payload: '' }))).toBe(true);
    expect(refused(answer({ type: 'Rating', text: '5', payload: '5' }))).toBe(true);
    expect(refused(answer({ type: 'QuickReply', payload: 'no' }))).toBe(true);
    expect(refused({ contentType: 'ButtonResponse' })).toBe(true);
  });

  it('checks what the agent side sends', () => {
    expect(() => {
      checkAgentContent([]);
    }).toThrow(/at least one/);
    expect(() => {
      checkAgentContent([{ contentType: 'QuickReply', quickReply: { text: 'Yes', payload: '' } }]);
    }).toThrow(/payload/);
    expect(() => {
      checkAgentContent([{ contentType: 'Carousel', carousel: { cards: [] } }]);
    }).toThrow(/at least one card/);
    expect(() => {
      checkAgentContent([
        { contentType: 'Card', card: { title: 'T', description: 'D', actions: [{ type: 'Link', text: 'Go' }] } },
      ]);
    }).toThrow(/url/);
    expect(() => {
      checkAgentContent([
        {
          contentType: 'DatePicker',
          datePicker: { title: 'When?', availableTimes: [{ dateTime: 'soon', duration: 30 }] },
        },
      ]);
    }).toThrow(/ISO/);
    expect(() => {
      checkAgentContent(card.content ?? []);
    }).not.toThrow();
  });
});
