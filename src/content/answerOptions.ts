import { messagesFor } from '../resources/messages';
import type { AgentContent, ButtonResponse, Card, TimeSlot } from './content';

/**
 * One choice the user can answer an agent-side message with: a quick reply, a card's postback
 * button or a time slot. Options are numbered from 1 in the order of the message, so a channel that
 * cannot show buttons lists them as "1. …" and the user can type the number.
 */
export interface AnswerOption {
  /** 1-based position among the message's options. */
  number: number;
  /** The label shown to the user. */
  text: string;
  /**
   * What tapping the option sends as the user's message (`imBack` value): `text`, or `"<number>. <text>"`
   * when another option has the same label (e.g. "Select" on every card of a carousel).
   */
  reply: string;
  /** The answer that goes back to Genesys. */
  response: ButtonResponse;
}

/** How time slots are labelled. */
export interface SlotFormat {
  /** IANA time zone of the user (Bot Framework `activity.localTimezone`); default `UTC`. */
  timeZone?: string;
  /** BCP 47 locale (`activity.locale`); default `en-GB`. */
  locale?: string;
}

/** The options of `content`, numbered in message order (quick replies, card buttons, time slots). */
export function answerOptions(content: AgentContent, format: SlotFormat = {}): AnswerOption[] {
  const found: Omit<AnswerOption, 'number' | 'reply'>[] = [];
  const response = (type: ButtonResponse['type'], payload: string, text: string): ButtonResponse => ({
    kind: 'buttonResponse',
    type,
    originalMessageId: content.messageId,
    payload,
    text,
  });
  const fromCards = (cards: Card[]): void => {
    for (const card of cards) {
      for (const action of card.actions) {
        if (action.type === 'postback')
          found.push({ text: action.text, response: response('Button', action.payload, action.text) });
      }
    }
  };
  for (const item of content.items) {
    switch (item.kind) {
      case 'quickReplies':
        for (const reply of item.replies)
          found.push({ text: reply.text, response: response('QuickReply', reply.payload, reply.text) });
        break;
      case 'card':
        fromCards([item.card]);
        break;
      case 'carousel':
        fromCards(item.cards);
        break;
      case 'datePicker':
        for (const slot of item.slots) {
          const label = slotLabel(slot, format);
          found.push({ text: label, response: response('DatePicker', slot.dateTime, label) });
        }
        break;
      case 'text':
      case 'attachment':
        break;
    }
  }
  const counts = new Map<string, number>();
  for (const option of found) counts.set(normalise(option.text), (counts.get(normalise(option.text)) ?? 0) + 1);
  return found.map((option, index) => ({
    ...option,
    number: index + 1,
    reply: (counts.get(normalise(option.text)) ?? 0) > 1 ? `${index + 1}. ${option.text}` : option.text,
  }));
}

/**
 * The answer a user's message gives to pending options, or undefined when it is not one of them
 * (then it is ordinary text for the agent). Accepted, case- and space-insensitive: the option's
 * reply, which is its label or, when labels repeat, "2. Select"; then its number ("2", "2.",
 * "#2", "(2)").
 */
export function matchButtonAnswer(text: string, pending: readonly AnswerOption[]): ButtonResponse | undefined {
  const typed = normalise(text);
  if (typed === '' || pending.length === 0) return undefined;
  // What a tap sends comes first, so options labelled "1" … "5" (ratings) answer as labelled.
  const byReply = pending.find((o) => normalise(o.reply) === typed);
  if (byReply !== undefined) return byReply.response;
  const number = /^(?:#|\()?(\d{1,3})[.)]?$/.exec(typed)?.[1];
  if (number !== undefined) return pending.find((o) => o.number === Number(number))?.response;
  return undefined;
}

/**
 * A time slot as the user reads it, formatted with `Intl.DateTimeFormat` in the user's locale and
 * time zone, the zone always named: "Wed, 2 Dec 2026, 14:00 UTC (30 min)" (no zone from the
 * channel), "Mi., 2. Dez. 2026, 15:00 MEZ (30 Min.)" (`de-DE`, `Europe/Berlin`). An unknown zone or
 * locale falls back to UTC in English; a `dateTime` that is not a date is shown as it is.
 */
export function slotLabel(slot: TimeSlot, format: SlotFormat = {}): string {
  const at = new Date(slot.dateTime);
  if (Number.isNaN(at.getTime())) return slot.dateTime;
  const locale = format.locale ?? 'en-GB';
  let when: string;
  try {
    when = new Intl.DateTimeFormat(locale, {
      timeZone: format.timeZone ?? 'UTC',
      weekday: 'short',
      day: 'numeric',
      month: 'short',
      year: 'numeric',
      hour: '2-digit',
      minute: '2-digit',
      timeZoneName: 'short',
    }).format(at);
  } catch {
    // An unknown time zone or locale from the channel: fall back to UTC in English.
    return slotLabel(slot, {});
  }
  return slot.duration === undefined ? when : `${when} (${messagesFor(locale).slotDuration(slot.duration)})`;
}

function normalise(text: string): string {
  return text.trim().replace(/\s+/g, ' ').toLowerCase();
}
