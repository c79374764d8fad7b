import { isRecord, type JsonObject } from '../../json';
import { type StructuredItem, structuredItemOf } from '../shared/structuredContent';

/**
 * Frames of the Genesys Web Messaging Guest API (docs/genesys-protocol.md §5.2–§5.5): the requests the client
 * sends and a validating parser for everything the server sends. Every inbound frame goes through
 * {@link parseServerFrame}; nothing downstream sees unchecked JSON.
 */

/** A plain JSON object. */
export type { JsonObject } from '../../json';
export { byteLength, fitCustomAttributes, type ClientRequest, type OutgoingMessage } from './clientRequests';

function optionalString(obj: JsonObject, key: string): string | undefined {
  const value = obj[key];
  return typeof value === 'string' ? value : undefined;
}

function optionalNumber(obj: JsonObject, key: string): number | undefined {
  const value = obj[key];
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

function optionalBoolean(obj: JsonObject, key: string): boolean | undefined {
  const value = obj[key];
  return typeof value === 'boolean' ? value : undefined;
}

/** A sender or recipient in `channel.from` / `channel.to`. */
export interface MessageParty {
  id?: string;
  nickname?: string;
  firstName?: string;
  lastName?: string;
  image?: string;
}

/** The `channel` block of a message. */
export interface MessageChannel {
  /** ISO-8601 time Genesys stamped on the message. */
  time?: string;
  messageId?: string;
  type?: string;
  from?: MessageParty;
  to?: MessageParty;
}

/** The `attachment` of an `Attachment` content entry (§5.5, §5.9); every field optional as Genesys sends it. */
export interface AttachmentContent {
  id?: string;
  url?: string;
  filename?: string;
  mediaType?: string;
  mime?: string;
  text?: string;
  /** Bytes (§5.9: the echo and agent files carry `fileSize`). */
  fileSize?: number;
}

/**
 * A `content[]` entry: attachments, and quick replies, cards, carousels and time slot pickers as
 * {@link StructuredItem}s (§5.14); other content types keep only their name.
 */
export type MessageContent =
  | { contentType: 'Attachment'; attachment: AttachmentContent }
  | { contentType: string; attachment?: undefined; structured?: StructuredItem };

/** An `events[]` entry of an `Event` message. */
export type MessageEvent =
  | { eventType: 'Typing'; typing: { type: string; duration?: number } }
  | { eventType: 'Presence'; presence: { type: string } }
  | { eventType: string; typing?: undefined; presence?: undefined };

/** The body of a `StructuredMessage` frame (docs/genesys-protocol.md §5.5), validated. */
export interface StructuredMessage {
  id: string;
  /** `Text`, `Structured`, `Event`, ... */
  type: string;
  /** `Inbound` (the guest's own, echoed) or `Outbound` (bot or agent); absent on some echo replies. */
  direction?: string;
  text?: string;
  channel: MessageChannel;
  content: MessageContent[];
  events: MessageEvent[];
  /** String-valued metadata entries (others are dropped). */
  metadata: Record<string, string>;
  /** `Bot` or `Human` on outbound messages. */
  originatingEntity?: string;
}

/** The body of a `SessionResponse` frame. */
export interface SessionResponseBody {
  connected: boolean;
  newSession?: boolean;
  readOnly?: boolean;
  clearedExistingSession?: boolean;
  maxCustomDataBytes?: number;
  durationSeconds?: number;
  /** Epoch seconds. */
  expirationDate?: number;
  /**
   * The files a guest may upload (docs/genesys-protocol.md §5.4, §5.9): `allowedMedia.inbound`
   * (`fileTypes[].type` MIME types, `*` wildcards allowed; `maxFileSizeKB`, 1 KB = 1,000 bytes).
   * Absent when the session reported none.
   */
  allowedMedia?: { inbound?: { fileTypes: string[]; maxFileSizeKB?: number } };
  /** File extensions a guest may not upload, as `.ext` (§5.9). */
  blockedExtensions?: string[];
}

/** Fields every server frame carries. */
interface FrameEnvelope {
  /** `response` for direct replies, `message` for pushed events. */
  type: string;
  code: number;
  tracingId?: string;
}

/** A validated server frame, discriminated by `kind` (derived from `class`). */
export type ServerFrame = FrameEnvelope &
  (
    | { kind: 'sessionResponse'; body: SessionResponseBody }
    | { kind: 'structuredMessage'; body: StructuredMessage }
    | { kind: 'jwtResponse'; body: { jwt: string; exp?: number } }
    | { kind: 'tooManyRequests'; body: { retryAfter: number; errorCode?: number; errorMessage?: string } }
    | { kind: 'errorString'; body: string }
    | { kind: 'sessionExpired' }
    | { kind: 'sessionCleared' }
    | { kind: 'connectionClosed'; reason?: string; reasonCode?: string }
    | { kind: 'logout' }
    /** A well-formed frame of another class (attachment frames, ...), with its unchecked `body`. */
    | { kind: 'other'; className: string; body?: unknown }
  );

/** Result of {@link parseServerFrame}. */
export type ParseResult = { ok: true; frame: ServerFrame } | { ok: false; reason: string };

function parseParty(value: unknown): MessageParty | undefined {
  if (!isRecord(value)) return undefined;
  const party: MessageParty = {};
  const id = optionalString(value, 'id');
  const nickname = optionalString(value, 'nickname');
  const firstName = optionalString(value, 'firstName');
  const lastName = optionalString(value, 'lastName');
  const image = optionalString(value, 'image');
  if (id !== undefined) party.id = id;
  if (nickname !== undefined) party.nickname = nickname;
  if (firstName !== undefined) party.firstName = firstName;
  if (lastName !== undefined) party.lastName = lastName;
  if (image !== undefined) party.image = image;
  return party;
}

function parseChannel(value: unknown): MessageChannel {
  if (!isRecord(value)) return {};
  const channel: MessageChannel = {};
  const time = optionalString(value, 'time');
  const messageId = optionalString(value, 'messageId');
  const type = optionalString(value, 'type');
  const from = parseParty(value.from);
  const to = parseParty(value.to);
  if (time !== undefined) channel.time = time;
  if (messageId !== undefined) channel.messageId = messageId;
  if (type !== undefined) channel.type = type;
  if (from !== undefined) channel.from = from;
  if (to !== undefined) channel.to = to;
  return channel;
}

function parseContent(value: unknown): MessageContent[] {
  if (!Array.isArray(value)) return [];
  const items: MessageContent[] = [];
  for (const entry of value) {
    if (!isRecord(entry)) continue;
    const contentType = optionalString(entry, 'contentType');
    if (contentType === undefined) continue;
    if (contentType === 'Attachment') {
      const raw = entry.attachment;
      if (!isRecord(raw)) continue;
      const attachment: AttachmentContent = {};
      for (const key of ['id', 'url', 'filename', 'mediaType', 'mime', 'text'] as const) {
        const field = optionalString(raw, key);
        if (field !== undefined) attachment[key] = field;
      }
      const fileSize = optionalNumber(raw, 'fileSize');
      if (fileSize !== undefined && Number.isSafeInteger(fileSize) && fileSize >= 0) attachment.fileSize = fileSize;
      items.push({ contentType: 'Attachment', attachment });
    } else {
      const structured = structuredItemOf(entry);
      items.push(structured === undefined ? { contentType } : { contentType, structured });
    }
  }
  return items;
}

function parseEvents(value: unknown): MessageEvent[] {
  if (!Array.isArray(value)) return [];
  const events: MessageEvent[] = [];
  for (const entry of value) {
    if (!isRecord(entry)) continue;
    const eventType = optionalString(entry, 'eventType');
    if (eventType === undefined) continue;
    if (eventType === 'Typing') {
      const typing = entry.typing;
      if (!isRecord(typing)) continue;
      const type = optionalString(typing, 'type') ?? 'On';
      const duration = optionalNumber(typing, 'duration');
      events.push({ eventType: 'Typing', typing: duration === undefined ? { type } : { type, duration } });
    } else if (eventType === 'Presence') {
      const presence = entry.presence;
      if (!isRecord(presence)) continue;
      const type = optionalString(presence, 'type');
      if (type === undefined) continue;
      events.push({ eventType: 'Presence', presence: { type } });
    } else {
      events.push({ eventType });
    }
  }
  return events;
}

function parseMetadata(value: unknown): Record<string, string> {
  const metadata: Record<string, string> = {};
  if (!isRecord(value)) return metadata;
  for (const [key, entry] of Object.entries(value)) {
    if (typeof entry === 'string') metadata[key] = entry;
  }
  return metadata;
}

/**
 * Validates a `StructuredMessage` body (also the shape of history entities). Returns undefined
 * when the required `id` or `type` is missing.
 */
export function parseStructuredMessage(value: unknown): StructuredMessage | undefined {
  if (!isRecord(value)) return undefined;
  const id = optionalString(value, 'id');
  const type = optionalString(value, 'type');
  if (id === undefined || id.length === 0 || type === undefined) return undefined;
  const message: StructuredMessage = {
    id,
    type,
    channel: parseChannel(value.channel),
    content: parseContent(value.content),
    events: parseEvents(value.events),
    metadata: parseMetadata(value.metadata),
  };
  const direction = optionalString(value, 'direction');
  const text = optionalString(value, 'text');
  const originatingEntity = optionalString(value, 'originatingEntity');
  if (direction !== undefined) message.direction = direction;
  if (text !== undefined) message.text = text;
  if (originatingEntity !== undefined) message.originatingEntity = originatingEntity;
  return message;
}

function parseSessionResponse(value: unknown): SessionResponseBody | undefined {
  if (!isRecord(value)) return undefined;
  const connected = optionalBoolean(value, 'connected');
  if (connected === undefined) return undefined;
  const body: SessionResponseBody = { connected };
  const newSession = optionalBoolean(value, 'newSession');
  const readOnly = optionalBoolean(value, 'readOnly');
  const cleared = optionalBoolean(value, 'clearedExistingSession');
  const maxCustomDataBytes = optionalNumber(value, 'maxCustomDataBytes');
  const durationSeconds = optionalNumber(value, 'durationSeconds');
  const expirationDate = optionalNumber(value, 'expirationDate');
  if (newSession !== undefined) body.newSession = newSession;
  if (readOnly !== undefined) body.readOnly = readOnly;
  if (cleared !== undefined) body.clearedExistingSession = cleared;
  if (maxCustomDataBytes !== undefined) body.maxCustomDataBytes = maxCustomDataBytes;
  if (durationSeconds !== undefined) body.durationSeconds = durationSeconds;
  if (expirationDate !== undefined) body.expirationDate = expirationDate;
  const allowedMedia = parseAllowedMedia(value.allowedMedia);
  if (allowedMedia !== undefined) body.allowedMedia = allowedMedia;
  if (Array.isArray(value.blockedExtensions))
    body.blockedExtensions = value.blockedExtensions.filter((e): e is string => typeof e === 'string' && e !== '');
  return body;
}

/** `allowedMedia` of a `SessionResponse`; entries of unexpected shapes are dropped. */
function parseAllowedMedia(value: unknown): SessionResponseBody['allowedMedia'] {
  if (!isRecord(value)) return undefined;
  const inbound = value.inbound;
  if (!isRecord(inbound)) return {};
  const fileTypes = Array.isArray(inbound.fileTypes)
    ? inbound.fileTypes.flatMap((entry) => (isRecord(entry) && typeof entry.type === 'string' ? [entry.type] : []))
    : [];
  const maxFileSizeKB = optionalNumber(inbound, 'maxFileSizeKB');
  return { inbound: { fileTypes, ...(maxFileSizeKB === undefined ? {} : { maxFileSizeKB }) } };
}

/**
 * Parses and validates one text frame from the server. Never throws: malformed JSON, a missing
 * envelope field or a body that does not match its class gives `{ ok: false, reason }`.
 */
export function parseServerFrame(raw: string): ParseResult {
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    return { ok: false, reason: 'not JSON' };
  }
  if (!isRecord(json)) return { ok: false, reason: 'not an object' };
  const type = optionalString(json, 'type');
  const className = optionalString(json, 'class');
  const code = optionalNumber(json, 'code');
  if (type === undefined || className === undefined || code === undefined) {
    return { ok: false, reason: 'missing type, class or code' };
  }
  const envelope: FrameEnvelope = { type, code };
  const tracingId = optionalString(json, 'tracingId');
  if (tracingId !== undefined) envelope.tracingId = tracingId;
  const body = json.body;

  switch (className) {
    case 'SessionResponse': {
      const parsed = parseSessionResponse(body);
      return parsed === undefined
        ? { ok: false, reason: 'invalid SessionResponse body' }
        : { ok: true, frame: { ...envelope, kind: 'sessionResponse', body: parsed } };
    }
    case 'StructuredMessage': {
      const parsed = parseStructuredMessage(body);
      return parsed === undefined
        ? { ok: false, reason: 'invalid StructuredMessage body' }
        : { ok: true, frame: { ...envelope, kind: 'structuredMessage', body: parsed } };
    }
    case 'JwtResponse': {
      if (!isRecord(body)) return { ok: false, reason: 'invalid JwtResponse body' };
      const jwt = optionalString(body, 'jwt');
      if (jwt === undefined || jwt.length === 0) return { ok: false, reason: 'JwtResponse without jwt' };
      const exp = optionalNumber(body, 'exp');
      return {
        ok: true,
        frame: { ...envelope, kind: 'jwtResponse', body: exp === undefined ? { jwt } : { jwt, exp } },
      };
    }
    case 'TooManyRequestsErrorMessage': {
      if (!isRecord(body)) return { ok: false, reason: 'invalid TooManyRequestsErrorMessage body' };
      const retryAfter = optionalNumber(body, 'retryAfter');
      const parsed: { retryAfter: number; errorCode?: number; errorMessage?: string } = {
        retryAfter: retryAfter !== undefined && retryAfter >= 0 ? retryAfter : 1,
      };
      const errorCode = optionalNumber(body, 'errorCode');
      const errorMessage = optionalString(body, 'errorMessage');
      if (errorCode !== undefined) parsed.errorCode = errorCode;
      if (errorMessage !== undefined) parsed.errorMessage = errorMessage;
      return { ok: true, frame: { ...envelope, kind: 'tooManyRequests', body: parsed } };
    }
    case 'string':
      if (typeof body !== 'string') return { ok: false, reason: 'string class without a string body' };
      return { ok: true, frame: { ...envelope, kind: 'errorString', body } };
    case 'SessionExpiredEvent':
      return { ok: true, frame: { ...envelope, kind: 'sessionExpired' } };
    case 'SessionClearedEvent':
      return { ok: true, frame: { ...envelope, kind: 'sessionCleared' } };
    case 'LogoutEvent':
      return { ok: true, frame: { ...envelope, kind: 'logout' } };
    case 'ConnectionClosedEvent': {
      const frame: ServerFrame = { ...envelope, kind: 'connectionClosed' };
      if (isRecord(body)) {
        const reason = optionalString(body, 'reason');
        const reasonCode = optionalString(body, 'reasonCode');
        if (reason !== undefined) frame.reason = reason;
        if (reasonCode !== undefined) frame.reasonCode = reasonCode;
      }
      return { ok: true, frame };
    }
    default:
      return { ok: true, frame: { ...envelope, kind: 'other', className, body } };
  }
}

/** One page of `GET /api/v2/webmessaging/messages` (docs/genesys-protocol.md §5.8). */
export interface HistoryPage {
  entities: StructuredMessage[];
  pageSize?: number;
  pageNumber?: number;
  total?: number;
  pageCount?: number;
}

/** Validates a history page; entities that fail validation are dropped. Undefined when the shape is wrong. */
export function parseHistoryPage(value: unknown): HistoryPage | undefined {
  if (!isRecord(value) || !Array.isArray(value.entities)) return undefined;
  const entities: StructuredMessage[] = [];
  for (const entity of value.entities) {
    const message = parseStructuredMessage(entity);
    if (message !== undefined) entities.push(message);
  }
  const page: HistoryPage = { entities };
  for (const key of ['pageSize', 'pageNumber', 'total', 'pageCount'] as const) {
    const n = optionalNumber(value, key);
    if (n !== undefined) page[key] = n;
  }
  return page;
}
