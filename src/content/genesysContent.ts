import { lookup } from 'mime-types';
import {
  type AgentContent,
  type AgentContentItem,
  type ButtonResponse,
  type Card,
  type CardAction,
  type ContentAttachment,
  type MediaType,
  type QuickReply,
  urlFileName,
} from './content';

/**
 * The content model ↔ Genesys message shapes shared by Web Messaging (`docs/genesys-protocol.md
 * §5.5`, §5.14) and Open Messaging (§6.2, §6.3). The types below describe the JSON as Genesys sends
 * it; every field is optional because the parser must survive what it does not expect: unknown
 * content types and malformed entries are skipped, never thrown on.
 */

/** One `content[]` entry of a Genesys message, as received. */
export interface GenesysContentEntry {
  contentType?: string;
  attachment?: {
    id?: string;
    url?: string;
    filename?: string;
    /** Web Messaging. */
    fileSize?: number;
    /** Open Messaging. */
    contentSizeBytes?: number;
    mediaType?: string;
    mime?: string;
  };
  quickReply?: { text?: string; payload?: string; action?: string };
  card?: GenesysCard;
  carousel?: { cards?: GenesysCard[] };
  datePicker?: {
    title?: string;
    subtitle?: string;
    imageUrl?: string;
    availableTimes?: { dateTime?: string; duration?: number }[];
  };
}

/** A Genesys `Card` body. */
export interface GenesysCard {
  title?: string;
  description?: string;
  image?: string;
  defaultAction?: GenesysCardAction;
  actions?: GenesysCardAction[];
}

/** A Genesys card action: `Link` opens `url`; `Postback` and `Button` answer with `payload`. */
export interface GenesysCardAction {
  type?: string;
  text?: string;
  url?: string;
  payload?: string;
}

/** The parts of a Genesys message (Web Messaging `StructuredMessage`, Open Messaging webhook body) read here. */
export interface GenesysMessage {
  id?: string;
  text?: string;
  originatingEntity?: string;
  channel?: { from?: { nickname?: string; nickName?: string } };
  content?: GenesysContentEntry[];
}

/**
 * A Genesys outbound message in the content model: its text (`markdown` when the Messenger
 * deployment enables Markdown, §5.13), files, quick replies (consecutive entries form one group),
 * cards, carousels and time slot pickers; `ButtonResponse` echoes and unknown entries are left out.
 */
export function agentContentFromGenesys(message: GenesysMessage, markdown: boolean): AgentContent {
  const items: AgentContentItem[] = [];
  const text = str(message.text);
  if (text !== undefined && text.trim() !== '')
    items.push({ kind: 'text', text, format: markdown ? 'markdown' : 'plain' });
  for (const entry of arr(message.content)) {
    const item = contentItem(obj(entry) ?? {});
    if (item === undefined) continue;
    const previous = items.at(-1);
    if (item.kind === 'quickReplies' && previous?.kind === 'quickReplies') previous.replies.push(...item.replies);
    else items.push(item);
  }
  // Open Messaging fixtures spell the name `nickName` (§6.3): both are read.
  const from = obj(obj(message.channel)?.from);
  const name = str(from?.nickname) ?? str(from?.nickName);
  const entity =
    message.originatingEntity === 'Human' || message.originatingEntity === 'Bot'
      ? message.originatingEntity
      : undefined;
  return {
    messageId: str(message.id) ?? '',
    ...(name === undefined && entity === undefined
      ? {}
      : { sender: { ...(name === undefined ? {} : { name }), ...(entity === undefined ? {} : { entity }) } }),
    items,
  };
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

function contentItem(entry: Json): AgentContentItem | undefined {
  switch (entry.contentType) {
    case 'Attachment': {
      const attachment = attachmentOf(obj(entry.attachment));
      return attachment === undefined ? undefined : { kind: 'attachment', attachment };
    }
    case 'QuickReply': {
      const reply = obj(entry.quickReply);
      const text = str(reply?.text);
      if (text === undefined) return undefined;
      const quickReply: QuickReply = { text, payload: str(reply?.payload) ?? text };
      return { kind: 'quickReplies', replies: [quickReply] };
    }
    case 'Card': {
      const card = cardOf(entry.card);
      return card === undefined ? undefined : { kind: 'card', card };
    }
    case 'Carousel': {
      const cards = arr(obj(entry.carousel)?.cards)
        .map(cardOf)
        .filter((c): c is Card => c !== undefined);
      return cards.length === 0 ? undefined : { kind: 'carousel', cards };
    }
    case 'DatePicker': {
      const picker = obj(entry.datePicker);
      const slots = arr(picker?.availableTimes).flatMap((t) => {
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

const MEDIA_TYPES: readonly MediaType[] = ['Image', 'Video', 'Audio', 'File', 'Link'];

function attachmentOf(raw: Json | undefined): ContentAttachment | undefined {
  const url = str(raw?.url);
  if (raw === undefined || url === undefined) return undefined;
  const name = str(raw.filename) ?? urlFileName(url) ?? 'file';
  const size = typeof raw.fileSize === 'number' ? raw.fileSize : raw.contentSizeBytes;
  const media = MEDIA_TYPES.find((m) => m === raw.mediaType);
  const contentType = str(raw.mime) ?? (lookup(name) || (media === 'Image' ? 'image/*' : 'application/octet-stream'));
  const id = str(raw.id);
  return {
    name,
    contentType,
    url,
    ...(typeof size === 'number' ? { size } : {}),
    ...(id === undefined ? {} : { id }),
  };
}

function cardOf(value: unknown): Card | undefined {
  const raw = obj(value);
  const title = str(raw?.title);
  if (raw === undefined || title === undefined) return undefined;
  const actions = arr(raw.actions)
    .map(actionOf)
    .filter((a): a is CardAction => a !== undefined);
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

function actionOf(value: unknown): CardAction | undefined {
  const raw = obj(value);
  const text = str(raw?.text);
  if (raw === undefined || text === undefined) return undefined;
  if (raw.type === 'Link') {
    const url = str(raw.url);
    return url === undefined ? undefined : { type: 'link', text, url };
  }
  if (raw.type === 'Postback' || raw.type === 'Button')
    return { type: 'postback', text, payload: str(raw.payload) ?? '' };
  return undefined;
}

/** A Web Messaging `onMessage` `message` answering structured content (§5.14). */
export interface WebMessagingAnswer {
  type: 'Text' | 'Structured';
  text: string;
  content: {
    contentType: 'ButtonResponse';
    buttonResponse: { text: string; payload: string; type: ButtonResponse['type']; originatingMessageId?: string };
  }[];
}

/**
 * The Web Messaging `onMessage` message for an answer (§5.14): a quick reply as `Text` with empty
 * text; a time slot as `Text` with the picker's message id; a card button as `Structured` with the
 * button's text as the message text.
 */
export function webMessagingAnswer(response: ButtonResponse): WebMessagingAnswer {
  const buttonResponse = {
    text: response.text,
    payload: response.payload,
    type: response.type,
    ...(response.type === 'DatePicker' ? { originatingMessageId: response.originalMessageId } : {}),
  };
  return {
    type: response.type === 'Button' ? 'Structured' : 'Text',
    text: response.type === 'Button' ? response.text : '',
    content: [{ contentType: 'ButtonResponse', buttonResponse }],
  };
}

/** The Open Messaging `ContentButtonResponse` of an answer (`.../inbound/open/structured/response`, §6.2). */
export function openMessagingButtonResponse(response: ButtonResponse): {
  type: ButtonResponse['type'];
  text: string;
  payload: string;
} {
  return { type: response.type, text: response.text, payload: response.payload };
}
