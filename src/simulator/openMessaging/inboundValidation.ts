import {
  BUTTON_RESPONSE_TYPES,
  ID_TYPES,
  MEDIA_TYPES,
  RECEIPT_REASON_CODES,
  RECEIPT_STATUSES,
  type ExternalContact,
  type IdType,
  type MediaType,
  type OpenAttachment,
  type ReceiptReasonCode,
  type ReceiptStatus,
} from './model';
import { SimHttpError } from '../kit/simHttp';

/**
 * Validation of the four inbound Open Messaging bodies (docs/genesys-protocol.md §6.2) the way the
 * simulator models Genesys: a bad body answers 400 `bad.request` naming the first offending field.
 */

/** Size limits the simulator enforces on inbound bodies. */
export interface InboundLimits {
  /** [U] Longest inbound `text` in characters (no published value; default 4,000, the outbound limit of §6.10). */
  maxTextLength: number;
  /** [I] Largest `channel.metadata.customAttributes` in UTF-8 bytes of its JSON (default 2,048; a bridge trims to 1,900, §6.2). */
  maxCustomAttributesBytes: number;
  /** [U] Most attachments on one inbound message (default 10). */
  maxAttachments: number;
}

/** A validated `OpenInboundNormalizedMessage`. */
export interface InboundMessage {
  from: ExternalContact;
  time: string;
  messageId?: string;
  text: string;
  attachments: OpenAttachment[];
  /** `channel.metadata.customAttributes`, the only place participant data counts (§6.2) [O]. */
  customAttributes: Record<string, string>;
  metadata: Record<string, string>;
}

/** A validated `OpenInboundNormalizedEvent`. */
export interface InboundEvent {
  from: ExternalContact;
  time: string;
  eventTypes: 'Typing'[];
}

/** A validated `OpenInboundNormalizedReceipt`. */
export interface InboundReceipt {
  id: string;
  to: { id: string; idType: IdType };
  time: string;
  status: ReceiptStatus;
  isFinalReceipt: boolean;
  reasons: { code: ReceiptReasonCode; message?: string }[];
}

/** A validated `OpenInboundStructuredResponseMessage` (SDK model: `channel`, `buttonResponse`, `originatingMessageId`) [C]. */
export interface InboundStructuredResponse {
  from: ExternalContact;
  time: string;
  messageId?: string;
  buttonResponse: { type: string; text: string; payload: string };
  originatingMessageId?: string;
}

type Json = Record<string, unknown>;

function bad(message: string): SimHttpError {
  return new SimHttpError(400, 'bad.request', message);
}

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function object(value: unknown, field: string): Json {
  if (!isObject(value)) throw bad(`${field} is required and must be an object`);
  return value;
}

function requiredString(value: unknown, field: string): string {
  if (typeof value !== 'string' || value.trim() === '')
    throw bad(`${field} is required and must be a non-empty string`);
  return value;
}

function optionalString(value: unknown, field: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw bad(`${field} must be a string`);
  return value;
}

function oneOf<T extends string>(value: unknown, allowed: readonly T[], field: string): T {
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    throw bad(`${field} must be one of ${allowed.join(', ')}`);
  }
  return value as T;
}

function isoTime(value: unknown, field: string): string {
  const text = requiredString(value, field);
  if (!/^\d{4}-\d{2}-\d{2}T/.test(text) || Number.isNaN(Date.parse(text)))
    throw bad(`${field} must be an ISO-8601 date-time`);
  return text;
}

/** A flat map string → string; anything nested answers 400 (docs/genesys-protocol.md §6.2) [O]. */
function flatStringMap(value: unknown, field: string): Record<string, string> {
  if (value === undefined || value === null) return {};
  if (!isObject(value)) throw bad(`${field} must be a map of string to string`);
  const result: Record<string, string> = {};
  for (const [key, entry] of Object.entries(value)) {
    if (typeof entry !== 'string')
      throw bad(`${field}.${key} must be a string: ${field} is a flat map of string to string`);
    result[key] = entry;
  }
  return result;
}

function contact(value: unknown, field: string): ExternalContact {
  const from = object(value, field);
  const result: ExternalContact = {
    id: requiredString(from.id, `${field}.id`),
    idType: oneOf(from.idType, ID_TYPES, `${field}.idType`),
  };
  for (const key of ['nickname', 'firstName', 'lastName', 'image', 'email'] as const) {
    const text = optionalString(from[key], `${field}.${key}`);
    if (text !== undefined) result[key] = text;
  }
  return result;
}

function httpUrl(value: unknown, field: string): string {
  const text = requiredString(value, field);
  let parsed: URL;
  try {
    parsed = new URL(text);
  } catch {
    throw bad(`${field} must be an absolute URL`);
  }
  // [I] Genesys fetches the attachment itself (§6.2), so only http(s) URLs can work.
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') throw bad(`${field} must be an http(s) URL`);
  return text;
}

function attachment(value: unknown, field: string): OpenAttachment {
  const item = object(value, field);
  const contentType = item.contentType;
  if (contentType !== undefined && contentType !== 'Attachment') throw bad(`${field}.contentType must be Attachment`);
  const body = object(item.attachment, `${field}.attachment`);
  const result: OpenAttachment = {
    mediaType: oneOf<MediaType>(body.mediaType, MEDIA_TYPES, `${field}.attachment.mediaType`),
    url: httpUrl(body.url, `${field}.attachment.url`),
    mime: requiredString(body.mime, `${field}.attachment.mime`),
  };
  if (!/^[\w.+-]+\/[\w.+-]+$/.test(result.mime)) throw bad(`${field}.attachment.mime must be a MIME type`);
  for (const key of ['id', 'text', 'sha256', 'filename'] as const) {
    const text = optionalString(body[key], `${field}.attachment.${key}`);
    if (text !== undefined) result[key] = text;
  }
  return result;
}

function channelOf(body: unknown): Json {
  return object(object(body, 'body').channel, 'channel');
}

/** `channel.from`, `channel.time` and `channel.messageId` of a customer-sent body (`OpenInboundMessageMessagingChannel`) [C]. */
function customerChannel(root: Json): { channel: Json; from: ExternalContact; time: string; messageId?: string } {
  const channel = channelOf(root);
  const messageId = optionalString(channel.messageId, 'channel.messageId');
  return {
    channel,
    from: contact(channel.from, 'channel.from'),
    time: isoTime(channel.time, 'channel.time'),
    ...(messageId === undefined ? {} : { messageId }),
  };
}

/**
 * `POST .../{integrationId}/inbound/open/message` body (docs/genesys-protocol.md §6.2) [C] fields;
 * the 400 for nested top-level `metadata` is [O]; `channel.metadata.customAttributes` is [O].
 */
export function validateInboundMessage(body: unknown, limits: InboundLimits): InboundMessage {
  const root = object(body, 'body');
  const { channel, from, time, messageId } = customerChannel(root);
  const text = optionalString(root.text, 'text') ?? '';
  if (text.length > limits.maxTextLength) throw bad(`text exceeds ${limits.maxTextLength} characters`);
  let attachments: OpenAttachment[] = [];
  if (root.content !== undefined && root.content !== null) {
    if (!Array.isArray(root.content)) throw bad('content must be an array');
    if (root.content.length > limits.maxAttachments)
      throw bad(`content allows at most ${limits.maxAttachments} attachments`);
    attachments = root.content.map((item: unknown, index) => attachment(item, `content[${index}]`));
  }
  if (text.trim() === '' && attachments.length === 0) throw bad('A message needs text or content');
  // [O] the top-level metadata is a flat string map: customAttributes nested there answer 400.
  const metadata = flatStringMap(root.metadata, 'metadata');
  let customAttributes: Record<string, string> = {};
  if (channel.metadata !== undefined && channel.metadata !== null) {
    const channelMetadata = object(channel.metadata, 'channel.metadata');
    customAttributes = flatStringMap(channelMetadata.customAttributes, 'channel.metadata.customAttributes');
  }
  const attributeBytes = Buffer.byteLength(JSON.stringify(customAttributes), 'utf8');
  if (attributeBytes > limits.maxCustomAttributesBytes) {
    throw bad(
      `channel.metadata.customAttributes is ${attributeBytes} bytes; the limit is ${limits.maxCustomAttributesBytes}`,
    );
  }
  return {
    from,
    time,
    ...(messageId === undefined ? {} : { messageId }),
    text,
    attachments,
    customAttributes,
    metadata,
  };
}

/**
 * `POST .../inbound/open/event` body: `{ channel: { from, time }, events: [ { eventType: "Typing" } ] }`
 * (docs/genesys-protocol.md §6.2) [C]; `Typing` is the only inbound event type.
 */
export function validateInboundEvent(body: unknown): InboundEvent {
  const root = object(body, 'body');
  const { from, time } = customerChannel(root);
  if (!Array.isArray(root.events) || root.events.length === 0) throw bad('events must be a non-empty array');
  const eventTypes = root.events.map((event: unknown, index) =>
    oneOf(object(event, `events[${index}]`).eventType, ['Typing'] as const, `events[${index}].eventType`),
  );
  return { from, time, eventTypes };
}

/**
 * `POST .../inbound/open/receipt` body (docs/genesys-protocol.md §6.2) [C]:
 * `{ id, channel: { to: { id, idType }, time }, status, direction: "Outbound", isFinalReceipt, reasons? }`.
 */
export function validateInboundReceipt(body: unknown): InboundReceipt {
  const root = object(body, 'body');
  const channel = channelOf(root);
  const to = object(channel.to, 'channel.to');
  const id = requiredString(root.id, 'id');
  const status = oneOf(root.status, RECEIPT_STATUSES, 'status');
  if (root.direction !== 'Outbound') throw bad('direction must be Outbound');
  if (root.isFinalReceipt !== undefined && typeof root.isFinalReceipt !== 'boolean')
    throw bad('isFinalReceipt must be a boolean');
  const reasons: InboundReceipt['reasons'] = [];
  if (root.reasons !== undefined && root.reasons !== null) {
    if (!Array.isArray(root.reasons)) throw bad('reasons must be an array');
    root.reasons.forEach((reason: unknown, index) => {
      const item = object(reason, `reasons[${index}]`);
      const message = optionalString(item.message, `reasons[${index}].message`);
      reasons.push({
        code: oneOf(item.code, RECEIPT_REASON_CODES, `reasons[${index}].code`),
        ...(message === undefined ? {} : { message }),
      });
    });
  }
  return {
    id,
    to: { id: requiredString(to.id, 'channel.to.id'), idType: oneOf(to.idType, ID_TYPES, 'channel.to.idType') },
    time: isoTime(channel.time, 'channel.time'),
    status,
    isFinalReceipt: root.isFinalReceipt === true,
    reasons,
  };
}

/** `POST .../inbound/open/structured/response` body (docs/genesys-protocol.md §6.2) [C]. */
export function validateInboundStructuredResponse(body: unknown): InboundStructuredResponse {
  const root = object(body, 'body');
  const { from, time, messageId } = customerChannel(root);
  const button = object(root.buttonResponse, 'buttonResponse');
  const originatingMessageId = optionalString(root.originatingMessageId, 'originatingMessageId');
  return {
    from,
    time,
    ...(messageId === undefined ? {} : { messageId }),
    buttonResponse: {
      type: oneOf(button.type, BUTTON_RESPONSE_TYPES, 'buttonResponse.type'),
      text: requiredString(button.text, 'buttonResponse.text'),
      payload: optionalString(button.payload, 'buttonResponse.payload') ?? '',
    },
    ...(originatingMessageId === undefined ? {} : { originatingMessageId }),
  };
}
