import { isRecord, type JsonObject } from '../../json';
import type { AttachmentLink, DeliveryOutcome } from '../handoffProvider';
import { structuredContentFrom, structuredItemOf, type StructuredContent } from '../shared/structuredContent';

/**
 * The Open Messaging bodies both ways (docs/genesys-protocol.md §6.2, §6.3): builders of what the
 * bot sends (customer → Genesys) and a parser of what Genesys posts to the webhook.
 */

/** `channel.from` of every customer-side request: the per-handoff external id, opaque. */
export interface ExternalCustomer {
  id: string;
  nickname: string;
}

/** `content[]` attachment of an inbound message (`mediaType`, `url`, `mime` required). */
export interface InboundAttachment {
  url: string;
  mime: string;
  filename?: string;
}

/** `OpenInboundNormalizedMessage` (docs/genesys-protocol.md §6.2). */
export interface InboundMessageBody {
  channel: {
    from: { id: string; idType: 'Opaque'; nickname: string };
    time: string;
    messageId: string;
    /** Participant data for Architect, on the first message only (§6.2) [O]. */
    metadata?: { customAttributes: Record<string, string> };
  };
  text?: string;
  content?: {
    contentType: 'Attachment';
    attachment: { mediaType: MediaType; url: string; mime: string; filename?: string };
  }[];
}

/** `OpenInboundNormalizedEvent`: typing is the only inbound event (§6.2). */
export interface InboundEventBody {
  channel: { from: { id: string; idType: 'Opaque'; nickname: string }; time: string };
  events: { eventType: 'Typing' }[];
}

/** Receipt `reasons[].code` values the bot sends (§6.2). */
export type ReceiptReasonCode = 'UnsupportedMessage' | 'GeneralError';

/** `OpenInboundNormalizedReceipt` (§6.2). */
export interface InboundReceiptBody {
  id: string;
  channel: { to: { id: string; idType: 'Opaque' }; time: string };
  status: 'Delivered' | 'Failed';
  direction: 'Outbound';
  isFinalReceipt: true;
  reasons?: { code: ReceiptReasonCode; message?: string }[];
}

/** The answer to a quick reply or button (§6.2, `ContentButtonResponse`). */
export interface ButtonResponse {
  type: 'Button' | 'QuickReply';
  text: string;
  payload: string;
}

/** `OpenInboundStructuredResponseMessage` (§6.2). */
export interface InboundStructuredResponseBody {
  channel: { from: { id: string; idType: 'Opaque'; nickname: string }; time: string; messageId: string };
  buttonResponse: ButtonResponse;
  originatingMessageId?: string;
}

/** Attachment `mediaType` (§6.2). */
export type MediaType = 'Image' | 'Video' | 'Audio' | 'File';

/** The `mediaType` Genesys expects for a MIME type. */
export function mediaTypeOf(mime: string): MediaType {
  if (mime.startsWith('image/')) return 'Image';
  if (mime.startsWith('video/')) return 'Video';
  if (mime.startsWith('audio/')) return 'Audio';
  return 'File';
}

function from(customer: ExternalCustomer): { id: string; idType: 'Opaque'; nickname: string } {
  return { id: customer.id, idType: 'Opaque', nickname: customer.nickname };
}

/** A customer message; `customAttributes` only on the conversation's first message. */
export function inboundMessage(
  customer: ExternalCustomer,
  message: {
    messageId: string;
    time: string;
    text: string;
    attachments?: readonly InboundAttachment[];
    customAttributes?: Record<string, string>;
  },
): InboundMessageBody {
  const attachments = message.attachments ?? [];
  const attributes = message.customAttributes;
  return {
    channel: {
      from: from(customer),
      time: message.time,
      messageId: message.messageId,
      ...(attributes === undefined || Object.keys(attributes).length === 0
        ? {}
        : { metadata: { customAttributes: attributes } }),
    },
    ...(message.text === '' ? {} : { text: message.text }),
    ...(attachments.length === 0
      ? {}
      : {
          content: attachments.map((a) => ({
            contentType: 'Attachment' as const,
            attachment: {
              mediaType: mediaTypeOf(a.mime),
              url: a.url,
              mime: a.mime,
              ...(a.filename === undefined ? {} : { filename: a.filename }),
            },
          })),
        }),
  };
}

/** The customer's typing indicator. */
export function inboundTyping(customer: ExternalCustomer, time: string): InboundEventBody {
  return { channel: { from: from(customer), time }, events: [{ eventType: 'Typing' }] };
}

/**
 * The receipt of agent message `messageId`: `Delivered`, or `Failed` with `UnsupportedMessage`
 * (the channel cannot show it) or `GeneralError` (docs/genesys-protocol.md §6.2).
 */
export function inboundReceipt(
  externalId: string,
  messageId: string,
  time: string,
  outcome: DeliveryOutcome,
): InboundReceiptBody {
  const base = {
    id: messageId,
    channel: { to: { id: externalId, idType: 'Opaque' as const }, time },
    direction: 'Outbound' as const,
    isFinalReceipt: true as const,
  };
  if (outcome.delivered) return { ...base, status: 'Delivered' };
  const code: ReceiptReasonCode = outcome.reason === 'unsupported' ? 'UnsupportedMessage' : 'GeneralError';
  return {
    ...base,
    status: 'Failed',
    reasons: [{ code, ...(outcome.detail === undefined ? {} : { message: outcome.detail }) }],
  };
}

/** The customer's answer to a quick reply or button of message `originatingMessageId`. */
export function inboundStructuredResponse(
  customer: ExternalCustomer,
  message: { messageId: string; time: string },
  answer: ButtonResponse,
  originatingMessageId: string | undefined,
): InboundStructuredResponseBody {
  return {
    channel: { from: from(customer), time: message.time, messageId: message.messageId },
    buttonResponse: answer,
    ...(originatingMessageId === undefined ? {} : { originatingMessageId }),
  };
}

// ------------------------------------------------------------------------------------- outbound

/** A quick reply or button offered by a bot flow. */
export interface OfferedReply {
  type: 'Button' | 'QuickReply';
  text: string;
  payload: string;
}

/** What one webhook call carries, reduced to what the relay needs (docs/genesys-protocol.md §6.3). */
export type OutboundWebhook =
  | {
      kind: 'message';
      id: string;
      externalId: string;
      conversationId: string | undefined;
      time: string;
      /** `Human` for an agent, `Bot` for an Architect flow (queue position, wait notices). */
      originatingEntity: 'Human' | 'Bot';
      /** `channel.from.nickname`: the integration's name, not the agent's (§6.4). */
      nickname: string | undefined;
      /**
       * The message text, with notices; without `content`, also the text of cards and their link
       * buttons (content that could not be read as structured content still reaches the user).
       */
      text: string;
      attachments: AttachmentLink[];
      replies: OfferedReply[];
      /** Quick replies, cards, carousels and date pickers, read as Web Messaging's (§5.14, §6.3). */
      content?: StructuredContent;
    }
  | { kind: 'typing'; id: string; externalId: string; conversationId: string | undefined; durationMs: number }
  | {
      kind: 'receipt';
      id: string;
      externalId: string;
      conversationId: string | undefined;
      status: string;
      reasons: { code: string; message?: string }[];
    };

/** Why a webhook body was not understood. */
export class WebhookPayloadError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WebhookPayloadError';
  }
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function records(value: unknown): JsonObject[] {
  return Array.isArray(value) ? value.filter(isRecord) : [];
}

/** Default `typing.duration` when Genesys sends none (ms, §6.3). */
const DEFAULT_TYPING_MS = 5000;

/**
 * Reads a webhook body. Returns `undefined` for payloads the relay ignores (not `Outbound`, event
 * types other than typing). `type` is switched on, never inferred from empty text (§6.3).
 * @throws WebhookPayloadError when the body lacks `id` or `channel.to.id`.
 */
export function parseOutboundWebhook(body: unknown): OutboundWebhook | undefined {
  if (!isRecord(body)) throw new WebhookPayloadError('the webhook body is not a JSON object');
  const id = str(body.id);
  const channel = isRecord(body.channel) ? body.channel : undefined;
  const to = channel !== undefined && isRecord(channel.to) ? channel.to : undefined;
  const externalId = str(to?.id);
  if (id === undefined || id === '') throw new WebhookPayloadError('the webhook body has no id');
  if (externalId === undefined || externalId === '')
    throw new WebhookPayloadError('the webhook body has no channel.to.id');
  if (body.direction !== undefined && body.direction !== 'Outbound') return undefined;
  const conversationId = str(body.conversationId);
  const type = str(body.type)?.toLowerCase();
  if (type === 'receipt') {
    return {
      kind: 'receipt',
      id,
      externalId,
      conversationId,
      status: str(body.status) ?? 'Unknown',
      reasons: records(body.reasons).map((r) => {
        const message = str(r.message);
        return { code: str(r.code) ?? 'Unknown', ...(message === undefined ? {} : { message }) };
      }),
    };
  }
  if (type === 'event') {
    const typing = records(body.events).find((e) => e.eventType === 'Typing');
    if (typing === undefined) return undefined;
    const typingBody = isRecord(typing.typing) ? typing.typing : {};
    if (typingBody.type !== undefined && typingBody.type !== 'On') return undefined;
    const duration = typingBody.duration;
    return {
      kind: 'typing',
      id,
      externalId,
      conversationId,
      durationMs: typeof duration === 'number' && duration > 0 ? duration : DEFAULT_TYPING_MS,
    };
  }
  if (type !== 'text' && type !== 'structured') return undefined;
  const attachments: AttachmentLink[] = [];
  const replies: OfferedReply[] = [];
  const notices: string[] = [];
  const cardLines: string[] = [];
  const items = records(body.content);
  for (const item of items) readContent(item, attachments, replies, { notices, cardLines });
  const content = structuredContentFrom(items.map((item) => structuredItemOf(nestedContent(item))));
  const text = [str(body.text) ?? '', ...notices, ...(content === undefined ? cardLines : [])]
    .filter((t) => t.trim() !== '')
    .join('\n');
  const from = channel !== undefined && isRecord(channel.from) ? channel.from : undefined;
  return {
    kind: 'message',
    id,
    externalId,
    conversationId,
    time: str(channel?.time) ?? new Date().toISOString(),
    originatingEntity: body.originatingEntity === 'Bot' ? 'Bot' : 'Human',
    // `nickName` appears in some payloads, `nickname` in others (§6.3).
    nickname: str(from?.nickname) ?? str(from?.nickName),
    text,
    attachments,
    replies,
    ...(content === undefined ? {} : { content }),
  };
}

/** Key under which each structured `contentType` nests its body (`{ contentType: 'Card', card: {...} }`). */
const NESTED_KEYS: Readonly<Record<string, string>> = {
  QuickReply: 'quickReply',
  Card: 'card',
  Carousel: 'carousel',
  DatePicker: 'datePicker',
};

/**
 * A `content[]` item in its nested form: payloads seen with the body's fields directly on the item
 * (§6.3) are nested under the content type's key, so both forms read alike.
 */
function nestedContent(item: JsonObject): JsonObject {
  const type = typeof item.contentType === 'string' ? item.contentType : '';
  const key = NESTED_KEYS[type];
  if (key === undefined || isRecord(item[key])) return item;
  return { contentType: type, [key]: item };
}

/** Text lines read from `content[]`: notices always; card titles and link buttons without structured content. */
interface ContentLines {
  notices: string[];
  cardLines: string[];
}

/** One `content[]` item: attachments become links, quick replies and buttons offered replies, cards and notices text. */
function readContent(
  item: JsonObject,
  attachments: AttachmentLink[],
  replies: OfferedReply[],
  lines: ContentLines,
): void {
  switch (item.contentType) {
    case 'Attachment': {
      const a = isRecord(item.attachment) ? item.attachment : {};
      const url = str(a.url);
      if (url === undefined) return;
      const name = str(a.filename);
      const mime = str(a.mime);
      attachments.push({
        url,
        ...(name === undefined ? {} : { name }),
        ...(mime === undefined ? {} : { contentType: mime }),
      });
      return;
    }
    case 'QuickReply': {
      const q = isRecord(item.quickReply) ? item.quickReply : item;
      const text = str(q.text);
      if (text !== undefined) replies.push({ type: 'QuickReply', text, payload: str(q.payload) ?? text });
      return;
    }
    case 'ButtonResponse':
      return;
    case 'Card':
      readCard(isRecord(item.card) ? item.card : item, replies, lines.cardLines);
      return;
    case 'Carousel': {
      const carousel = isRecord(item.carousel) ? item.carousel : item;
      for (const card of records(carousel.cards)) readCard(card, replies, lines.cardLines);
      return;
    }
    case 'Notification': {
      const n = isRecord(item.notification) ? item.notification : item;
      const text = str(n.text) ?? (isRecord(n.body) ? str(n.body.text) : undefined);
      if (text !== undefined) lines.notices.push(text);
      return;
    }
    case 'DatePicker':
      return;
    default: {
      const text = str(item.text);
      if (text !== undefined) lines.notices.push(text);
    }
  }
}

function readCard(card: JsonObject, replies: OfferedReply[], lines: string[]): void {
  for (const key of ['title', 'description'] as const) {
    const text = str(card[key]);
    if (text !== undefined && text.trim() !== '') lines.push(text);
  }
  for (const action of records(card.actions)) {
    const text = str(action.text);
    if (text === undefined) continue;
    const url = str(action.url);
    if (url !== undefined) lines.push(`${text}: ${url}`);
    else replies.push({ type: 'Button', text, payload: str(action.payload) ?? text });
  }
}

// ------------------------------------------------------------------------------ conversation API

/** A participant of `GET /api/v2/conversations/messages/{id}` (docs/genesys-protocol.md §6.5, §6.6). */
export interface ParticipantSnapshot {
  id: string;
  /** `customer`, `agent`, `acd`, ... */
  purpose: string;
  /** `connected`, `alerting`, `disconnected`, ... (lower case). */
  state: string;
  userId: string | undefined;
  /** Upper case, as on detail events. */
  disconnectType: string | undefined;
  wrapup: { code: string; notes?: string } | undefined;
}

/** A messaging conversation as far as ends and agents go. */
export interface ConversationSnapshot {
  id: string;
  participants: ParticipantSnapshot[];
}

/** Reads a conversation answer; `undefined` when it has no `participants` array. */
export function toConversationSnapshot(data: unknown): ConversationSnapshot | undefined {
  if (!isRecord(data) || !Array.isArray(data.participants)) return undefined;
  return {
    id: str(data.id) ?? '',
    participants: records(data.participants).map((p) => {
      const wrapup = isRecord(p.wrapup) ? p.wrapup : undefined;
      const code = str(wrapup?.code);
      const notes = str(wrapup?.notes);
      return {
        id: str(p.id) ?? '',
        purpose: (str(p.purpose) ?? '').toLowerCase(),
        state: (str(p.state) ?? '').toLowerCase(),
        userId: str(p.userId),
        disconnectType: str(p.disconnectType)?.toUpperCase(),
        wrapup: code === undefined ? undefined : { code, ...(notes === undefined || notes === '' ? {} : { notes }) },
      };
    }),
  };
}
