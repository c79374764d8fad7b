import { lookup } from 'mime-types';
import {
  type ButtonResponseMessage,
  buttonResponseMessage,
  structuredItemOf,
} from '../genesys/shared/structuredContent';
import {
  type AgentContent,
  type AgentContentItem,
  type ButtonResponse,
  type ContentAttachment,
  type MediaType,
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
  if (entry.contentType !== 'Attachment') return structuredItemOf(entry);
  const attachment = attachmentOf(obj(entry.attachment));
  return attachment === undefined ? undefined : { kind: 'attachment', attachment };
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

/** A Web Messaging `onMessage` `message` answering structured content (§5.14). */
export type WebMessagingAnswer = ButtonResponseMessage;

/**
 * The Web Messaging `onMessage` message for an answer (§5.14): a quick reply as `Text` with empty
 * text; a time slot as `Text` with the picker's message id; a card button as `Structured` with the
 * button's text as the message text.
 */
export function webMessagingAnswer(response: ButtonResponse): WebMessagingAnswer {
  return buttonResponseMessage(response);
}

/** The Open Messaging `ContentButtonResponse` of an answer (`.../inbound/open/structured/response`, §6.2). */
export function openMessagingButtonResponse(response: ButtonResponse): {
  type: ButtonResponse['type'];
  text: string;
  payload: string;
} {
  return { type: response.type, text: response.text, payload: response.payload };
}
