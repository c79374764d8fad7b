import { isRecord } from '../../json';
import type {
  SimulatedButtonResponse,
  SimulatedCard,
  SimulatedContentEntry,
  SimulatedMessage,
} from './webMessagingTypes';

/**
 * Structured content in the Web Messaging simulator (docs/genesys-protocol.md §5.14): checks what an
 * agent or bot flow sends, and matches a guest's `ButtonResponse` to the message and option it
 * answers. [I] Genesys' answer to a `ButtonResponse` naming no offered option is not documented; the
 * simulator refuses it like any invalid message (400 "Request failed."), so a client that answers
 * wrongly fails visibly.
 */

/** The options an outbound message offers, as `ButtonResponse` `type` and `payload`. */
function optionsOf(message: SimulatedMessage): { type: SimulatedButtonResponse['type']; payload: string }[] {
  const options: { type: SimulatedButtonResponse['type']; payload: string }[] = [];
  const fromCards = (cards: SimulatedCard[]): void => {
    for (const card of cards)
      for (const action of card.actions)
        if (action.type !== 'Link') options.push({ type: 'Button', payload: action.payload ?? '' });
  };
  for (const entry of message.content ?? []) {
    switch (entry.contentType) {
      case 'QuickReply':
        options.push({ type: 'QuickReply', payload: entry.quickReply.payload });
        break;
      case 'Card':
        fromCards([entry.card]);
        break;
      case 'Carousel':
        fromCards(entry.carousel.cards);
        break;
      case 'DatePicker':
        for (const slot of entry.datePicker.availableTimes)
          options.push({ type: 'DatePicker', payload: slot.dateTime });
        break;
    }
  }
  return options;
}

/**
 * Checks structured content an agent or bot flow sends; throws an `Error` saying what is wrong
 * (the agent control methods throw on impossible actions): quick replies need text and payload,
 * cards a title and description and well-formed actions, carousels at least one card, time slot
 * pickers a title and at least one slot with an ISO date-time.
 */
export function checkAgentContent(entries: readonly SimulatedContentEntry[]): void {
  if (entries.length === 0) throw new Error('structured content needs at least one entry');
  const card = (c: SimulatedCard, where: string): void => {
    if (c.title === '' || c.description === '') throw new Error(`${where}: a card needs a title and a description`);
    for (const action of [...c.actions, ...(c.defaultAction === undefined ? [] : [c.defaultAction])]) {
      if (action.text === '') throw new Error(`${where}: a card action needs text`);
      if (action.type === 'Link' && (action.url === undefined || action.url === ''))
        throw new Error(`${where}: a Link action needs a url`);
    }
  };
  entries.forEach((entry, index) => {
    const where = `content[${index}] ${entry.contentType}`;
    switch (entry.contentType) {
      case 'QuickReply':
        if (entry.quickReply.text === '' || entry.quickReply.payload === '')
          throw new Error(`${where}: a quick reply needs text and a payload`);
        return;
      case 'Card':
        card(entry.card, where);
        return;
      case 'Carousel':
        if (entry.carousel.cards.length === 0) throw new Error(`${where}: a carousel needs at least one card`);
        entry.carousel.cards.forEach((c) => {
          card(c, where);
        });
        return;
      case 'DatePicker':
        if (entry.datePicker.title === '') throw new Error(`${where}: a time slot picker needs a title`);
        if (
          entry.datePicker.availableTimes.length === 0 ||
          entry.datePicker.availableTimes.some((t) => Number.isNaN(Date.parse(t.dateTime)))
        )
          throw new Error(`${where}: a time slot picker needs slots with ISO date-times`);
        return;
    }
  });
}

/**
 * The guest's `ButtonResponse` entries of a message's `content`, each matched to the outbound
 * message offering that option: the one named by `originatingMessageId` when given, else the most
 * recent one offering it (quick replies and card buttons carry no message id, §5.14). Returns an
 * error text when an entry is malformed or answers nothing offered; an empty list when the
 * content has no answers.
 */
export function matchButtonResponses(
  content: readonly unknown[],
  messages: readonly SimulatedMessage[],
): { ok: true; responses: SimulatedButtonResponse[] } | { ok: false; reason: string } {
  const responses: SimulatedButtonResponse[] = [];
  for (const entry of content) {
    if (!isRecord(entry) || entry.contentType !== 'ButtonResponse') continue;
    const raw = entry.buttonResponse;
    if (!isRecord(raw)) return { ok: false, reason: 'ButtonResponse without buttonResponse' };
    const { type, text, payload, originatingMessageId } = raw;
    if (type !== 'QuickReply' && type !== 'Button' && type !== 'DatePicker')
      return { ok: false, reason: `unknown ButtonResponse type ${String(type)}` };
    if (typeof text !== 'string' || typeof payload !== 'string')
      return { ok: false, reason: 'ButtonResponse needs text and payload' };
    if (originatingMessageId !== undefined && typeof originatingMessageId !== 'string')
      return { ok: false, reason: 'originatingMessageId is not a string' };
    const offers = (m: SimulatedMessage): boolean =>
      m.direction === 'Outbound' && optionsOf(m).some((o) => o.type === type && o.payload === payload);
    const answered =
      originatingMessageId === undefined
        ? [...messages].reverse().find(offers)
        : messages.find((m) => m.id === originatingMessageId && offers(m));
    if (answered === undefined)
      return {
        ok: false,
        reason: `ButtonResponse ${type} "${payload}" answers no offered option${originatingMessageId === undefined ? '' : ` of message ${originatingMessageId}`}`,
      };
    responses.push({
      type,
      text,
      payload,
      ...(originatingMessageId === undefined ? {} : { originatingMessageId }),
      answers: answered.id,
    });
  }
  return { ok: true, responses };
}
