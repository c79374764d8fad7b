/**
 * Structured content of a Genesys agent-side message in a provider-neutral shape: quick replies,
 * cards, carousels and time slot pickers (Web Messaging `content[]` entries,
 * `docs/genesys-protocol.md §5.5`, §5.14; Open Messaging uses the same entries, §6.3), and the guest's
 * answer to one of them. Nothing here knows about Bot Framework; the handoff layer renders it.
 */

/** One quick reply (`QuickReply{text,payload}`): tapping it sends `payload` back. */
export interface StructuredQuickReply {
  text: string;
  payload: string;
}

/** A card button: `Link` opens `url`; `Postback` and `Button` answer with `payload`. */
export type StructuredCardAction =
  { type: 'link'; text: string; url: string } | { type: 'postback'; text: string; payload: string };

/** A `Card{title,description,image,defaultAction,actions[]}`. */
export interface StructuredCard {
  title: string;
  /** Genesys `description`. */
  subtitle?: string;
  /** Genesys `image` (a URL). */
  imageUrl?: string;
  defaultAction?: StructuredCardAction;
  actions: StructuredCardAction[];
}

/** A bookable slot of a time slot picker (`availableTimes[]`). */
export interface StructuredTimeSlot {
  /** ISO-8601 date and time; the answer's payload. */
  dateTime: string;
  /** Genesys' `duration`; its unit is not documented (§5.14). */
  duration?: number;
}

/** One part of a message's structured content, in message order. */
export type StructuredItem =
  | { kind: 'quickReplies'; replies: StructuredQuickReply[] }
  | { kind: 'card'; card: StructuredCard }
  | { kind: 'carousel'; cards: StructuredCard[] }
  | { kind: 'datePicker'; title: string; subtitle?: string; imageUrl?: string; slots: StructuredTimeSlot[] };

/** The structured content of an agent-side message (never empty when present). */
export interface StructuredContent {
  items: StructuredItem[];
}

/**
 * The guest's answer to structured content (`ButtonResponse{text,payload,type,originatingMessageId}`,
 * §5.14): which kind of choice it answers, the id of the message that offered it, its payload and
 * the option's text as the guest saw it.
 */
export interface ButtonAnswer {
  type: 'QuickReply' | 'Button' | 'DatePicker';
  /** Genesys id of the message that offered the choice. */
  originalMessageId: string;
  payload: string;
  text: string;
}

type Json = Record<string, unknown>;

function obj(value: unknown): Json | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Json) : undefined;
}

/** A non-empty string, or undefined. */
function str(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function arr(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

/**
 * One `content[]` entry as a {@link StructuredItem}, or undefined when it is not structured content
 * (attachments, `ButtonResponse` echoes, unknown types) or is malformed: a quick reply needs `text`
 * (its payload defaults to the text), a card a `title`, a carousel one valid card, a picker one
 * slot with a `dateTime`. Never throws.
 */
export function structuredItemOf(entry: unknown): StructuredItem | undefined {
  const raw = obj(entry);
  switch (raw?.contentType) {
    case 'QuickReply': {
      const reply = obj(raw.quickReply);
      const text = str(reply?.text);
      return text === undefined
        ? undefined
        : { kind: 'quickReplies', replies: [{ text, payload: str(reply?.payload) ?? text }] };
    }
    case 'Card': {
      const card = cardOf(raw.card);
      return card === undefined ? undefined : { kind: 'card', card };
    }
    case 'Carousel': {
      const cards = arr(obj(raw.carousel)?.cards)
        .map(cardOf)
        .filter((c): c is StructuredCard => c !== undefined);
      return cards.length === 0 ? undefined : { kind: 'carousel', cards };
    }
    case 'DatePicker': {
      const picker = obj(raw.datePicker);
      const slots = arr(picker?.availableTimes).flatMap((t): StructuredTimeSlot[] => {
        const dateTime = str(obj(t)?.dateTime);
        const duration = obj(t)?.duration;
        return dateTime === undefined ? [] : [{ dateTime, ...(typeof duration === 'number' ? { duration } : {}) }];
      });
      if (picker === undefined || slots.length === 0) return undefined;
      const subtitle = str(picker.subtitle);
      const imageUrl = str(picker.imageUrl);
      return {
        kind: 'datePicker',
        title: str(picker.title) ?? '',
        ...(subtitle === undefined ? {} : { subtitle }),
        ...(imageUrl === undefined ? {} : { imageUrl }),
        slots,
      };
    }
    default:
      return undefined;
  }
}

/**
 * The structured content made of `items` (parsed `content[]` entries, undefined for the others),
 * in order; consecutive quick replies form one group. Undefined when there is none.
 */
export function structuredContentFrom(items: readonly (StructuredItem | undefined)[]): StructuredContent | undefined {
  const found: StructuredItem[] = [];
  for (const item of items) {
    if (item === undefined) continue;
    const previous = found.at(-1);
    if (item.kind === 'quickReplies' && previous?.kind === 'quickReplies')
      found[found.length - 1] = { kind: 'quickReplies', replies: [...previous.replies, ...item.replies] };
    else found.push(item);
  }
  return found.length === 0 ? undefined : { items: found };
}

function cardOf(value: unknown): StructuredCard | undefined {
  const raw = obj(value);
  const title = str(raw?.title);
  if (raw === undefined || title === undefined) return undefined;
  const actions = arr(raw.actions)
    .map(actionOf)
    .filter((a): a is StructuredCardAction => a !== undefined);
  const defaultAction = actionOf(raw.defaultAction);
  const subtitle = str(raw.description);
  const imageUrl = str(raw.image);
  return {
    title,
    ...(subtitle === undefined ? {} : { subtitle }),
    ...(imageUrl === undefined ? {} : { imageUrl }),
    ...(defaultAction === undefined ? {} : { defaultAction }),
    actions,
  };
}

function actionOf(value: unknown): StructuredCardAction | undefined {
  const raw = obj(value);
  const text = str(raw?.text);
  if (raw === undefined || text === undefined) return undefined;
  if (raw.type === 'Link') {
    const url = str(raw.url);
    return url === undefined ? undefined : { type: 'link', text, url };
  }
  // [C] §5.14: the SDK answers both `Postback` and `Button` actions as `Button`.
  if (raw.type === 'Postback' || raw.type === 'Button')
    return { type: 'postback', text, payload: str(raw.payload) ?? '' };
  return undefined;
}

/**
 * The Web Messaging `onMessage` message answering structured content (§5.14): a quick reply as
 * `Text` with empty text; a time slot as `Text` with the picker's message id; a card button as
 * `Structured` with the button's text as the message text.
 */
export interface ButtonResponseMessage {
  type: 'Text' | 'Structured';
  text: string;
  content: {
    contentType: 'ButtonResponse';
    buttonResponse: { text: string; payload: string; type: ButtonAnswer['type']; originatingMessageId?: string };
  }[];
}

/** See {@link ButtonResponseMessage}. */
export function buttonResponseMessage(answer: ButtonAnswer): ButtonResponseMessage {
  const buttonResponse = {
    text: answer.text,
    payload: answer.payload,
    type: answer.type,
    ...(answer.type === 'DatePicker' ? { originatingMessageId: answer.originalMessageId } : {}),
  };
  return {
    type: answer.type === 'Button' ? 'Structured' : 'Text',
    text: answer.type === 'Button' ? answer.text : '',
    content: [{ contentType: 'ButtonResponse', buttonResponse }],
  };
}
