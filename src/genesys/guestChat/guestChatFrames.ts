import {
  isNonEmptyString,
  isWebChatMemberState,
  toWebChatMessage,
  toWebChatTyping,
  type WebChatMemberState,
  type WebChatMessage,
  type WebChatTyping,
} from './guestChatModels';
import { isRecord } from '../../json';

/**
 * Frames of the Guest Chat event stream (docs/genesys-protocol.md §3.7): every server frame is
 * `{ topicName, version, eventBody, metadata: { CorrelationId, type } }`.
 */

/** The topic the streaming service uses for its own frames (heartbeats, pong). */
export const CHANNEL_METADATA_TOPIC = 'channel.metadata';

/** Fields every chat frame carries. */
interface FrameBase {
  topicName: string;
  /** `metadata.CorrelationId`; only differs between otherwise identical duplicates (docs/genesys-protocol.md §3.7). */
  correlationId: string | undefined;
}

/** A `message` frame (`.messages` topic). */
export interface MessageFrame extends FrameBase {
  kind: 'message';
  message: WebChatMessage;
}

/** A `typing-indicator` frame (`.messages` topic). */
export interface TypingFrame extends FrameBase {
  kind: 'typing';
  typing: WebChatTyping;
}

/** A `member-change` frame (`.members` topic). It does not carry the member's role (docs/genesys-protocol.md §3.7). */
export interface MemberChangeFrame extends FrameBase {
  kind: 'memberChange';
  memberId: string;
  state: WebChatMemberState;
  timestamp: string | undefined;
}

/** A `channel.metadata` frame: a heartbeat or a pong from the streaming service. */
export interface ChannelMetadataFrame {
  kind: 'channelMetadata';
  message: string | undefined;
}

/** A well-formed frame with a topic or type this client does not handle. */
export interface UnknownFrame {
  kind: 'unknown';
  topicName: string;
  type: string | undefined;
}

/** Something that is not a frame at all (not JSON, wrong shape, missing fields). */
export interface MalformedFrame {
  kind: 'malformed';
  reason: string;
}

/** The result of {@link parseGuestChatFrame}. */
export type GuestChatFrame =
  MessageFrame | TypingFrame | MemberChangeFrame | ChannelMetadataFrame | UnknownFrame | MalformedFrame;

/** Reads `key` from `record` ignoring case (captures spell `CorrelationId` with a capital C; docs/genesys-protocol.md §3.7). */
function getIgnoringCase(record: Record<string, unknown>, key: string): unknown {
  const wanted = key.toLowerCase();
  for (const [k, v] of Object.entries(record)) {
    if (k.toLowerCase() === wanted) return v;
  }
  return undefined;
}

function malformed(reason: string): MalformedFrame {
  return { kind: 'malformed', reason };
}

/**
 * Parses one text frame of the event stream. Never throws: anything unexpected comes back as
 * `malformed` or `unknown` so the caller can log it at debug level and go on.
 */
export function parseGuestChatFrame(text: string): GuestChatFrame {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return malformed('not JSON');
  }
  if (!isRecord(json)) return malformed('not a JSON object');
  const topicName = json.topicName;
  if (!isNonEmptyString(topicName)) return malformed('no topicName');
  const eventBody = json.eventBody;

  if (topicName === CHANNEL_METADATA_TOPIC) {
    const message = isRecord(eventBody) && typeof eventBody.message === 'string' ? eventBody.message : undefined;
    return { kind: 'channelMetadata', message };
  }

  const metadata = isRecord(json.metadata) ? json.metadata : {};
  const rawCorrelationId = getIgnoringCase(metadata, 'CorrelationId');
  const correlationId = typeof rawCorrelationId === 'string' ? rawCorrelationId : undefined;
  const rawType = getIgnoringCase(metadata, 'type');
  const declaredType = typeof rawType === 'string' ? rawType : undefined;

  const isChatTopic = topicName.startsWith('v2.conversations.chats.');
  if (!isChatTopic) return { kind: 'unknown', topicName, type: declaredType };
  if (!isRecord(eventBody)) return malformed('no eventBody');

  // [I] docs/genesys-protocol.md §3.7: `metadata.type` names the event; when it is missing, infer it from the topic
  // suffix and the body's shape (a `.messages` body without `body` is a typing indicator).
  const type = declaredType ?? inferType(topicName, eventBody);

  switch (type) {
    case 'message': {
      const message = toWebChatMessage(eventBody);
      return message === undefined
        ? malformed('message frame without id, sender, known bodyType or timestamp')
        : { kind: 'message', topicName, correlationId, message };
    }
    case 'typing-indicator': {
      const typing = toWebChatTyping(eventBody);
      return typing === undefined
        ? malformed('typing frame without id, sender or timestamp')
        : { kind: 'typing', topicName, correlationId, typing };
    }
    case 'member-change': {
      const member = eventBody.member;
      if (!isRecord(member) || !isNonEmptyString(member.id) || !isWebChatMemberState(member.state)) {
        return malformed('member-change frame without member id or known state');
      }
      const timestamp = typeof eventBody.timestamp === 'string' ? eventBody.timestamp : undefined;
      return { kind: 'memberChange', topicName, correlationId, memberId: member.id, state: member.state, timestamp };
    }
    default:
      return { kind: 'unknown', topicName, type };
  }
}

function inferType(topicName: string, eventBody: Record<string, unknown>): string | undefined {
  if (topicName.endsWith('.members')) return 'member-change';
  if (topicName.endsWith('.messages')) return 'body' in eventBody ? 'message' : 'typing-indicator';
  return undefined;
}

/** Extracts the conversation id from a `v2.conversations.chats.<id>.<suffix>` topic. */
export function conversationIdOfTopic(topicName: string): string | undefined {
  const match = /^v2\.conversations\.chats\.([^.]+)\.[^.]+$/.exec(topicName);
  return match?.[1];
}
