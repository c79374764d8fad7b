import type { Logger } from '../../logger';
import type { AgentProfile } from '../kit/agentControl';

/*
 * The Guest Chat v2 models as the simulator serves them, written from docs/genesys-protocol.md
 * §3.2-§3.7: what a real Genesys Cloud fills in, so every field the simulator always sends is
 * required here.
 */

/** The `bodyType` values of a `WebChatMessage` (docs/genesys-protocol.md §3.3 [C]). */
export const WEB_CHAT_BODY_TYPES = ['standard', 'notice', 'member-join', 'member-leave', 'media-request'] as const;

/** A `WebChatMessage.bodyType`. */
export type WebChatBodyType = (typeof WEB_CHAT_BODY_TYPES)[number];

/** Whether `value` is one of the {@link WEB_CHAT_BODY_TYPES}. */
export function isWebChatBodyType(value: unknown): value is WebChatBodyType {
  return typeof value === 'string' && (WEB_CHAT_BODY_TYPES as readonly string[]).includes(value);
}

/** `WebChatMemberInfo.role` (docs/genesys-protocol.md §3.5 [C]). */
export type WebChatMemberRole = 'AGENT' | 'CUSTOMER' | 'WORKFLOW' | 'ACD';

/** `WebChatMemberInfo.state` (docs/genesys-protocol.md §3.5 [C]). */
export type WebChatMemberState = 'CONNECTED' | 'DISCONNECTED' | 'ALERTING';

/** A chat member, `WebChatMemberInfo` (docs/genesys-protocol.md §3.5 [C]). */
export interface WebChatMemberInfo {
  id: string;
  displayName?: string;
  firstName?: string;
  lastName?: string;
  email?: string;
  phoneNumber?: string;
  avatarImageUrl?: string;
  role: WebChatMemberRole;
  /** ISO-8601. */
  joinDate: string;
  /** ISO-8601; null while the member is connected. */
  leaveDate: string | null;
  authenticatedGuest: boolean;
  customFields: Record<string, string>;
  state: WebChatMemberState;
}

/** A chat message, `WebChatMessage` (docs/genesys-protocol.md §3.3 [C], captured `selfUri`s [O]). */
export interface WebChatMessage {
  id: string;
  conversation: { id: string; selfUri: string };
  /** In practice only the member id. */
  sender: { id: string };
  body: string;
  bodyType: WebChatBodyType;
  /** ISO-8601. */
  timestamp: string;
  selfUri: string;
}

/** A typing notice, `WebChatTyping` (docs/genesys-protocol.md §3.4 [C]). */
export interface WebChatTyping {
  id: string;
  conversation: { id: string };
  sender: { id: string };
  /** ISO-8601. */
  timestamp: string;
}

/** One entry of `ErrorBody.details` (docs/genesys-protocol.md §3.6 [C]). */
export interface ErrorDetail {
  errorCode?: string;
  fieldName?: string;
  entityId?: string;
  entityName?: string;
}

/** The Genesys error envelope `ErrorBody` (docs/genesys-protocol.md §3.6 [C]). */
export interface ErrorBody {
  message: string;
  code: string;
  status: number;
  entityId?: string;
  entityName?: string;
  messageWithParams: string;
  messageParams: Record<string, string>;
  contextId: string;
  details: ErrorDetail[];
  errors: ErrorBody[];
}

/** A web chat deployment known to the simulator. */
export interface GuestChatSimDeployment {
  id: string;
  /** Default true; false answers `400 chat.deployment.disabled`. */
  enabled?: boolean;
  /** "Require Authentication": create without a token gives `chat.deployment.require.auth`. */
  requireAuth?: boolean;
  /** `memberAuthToken`s accepted; any other gives `chat.deployment.bad.auth`. */
  acceptedAuthTokens?: readonly string[];
  /** When set, a create whose `Origin` is absent or not listed gives `403 origin.not.allowed`. */
  allowedOrigins?: readonly string[];
}

/** Options of a {@link GuestChatSimulator}. */
export interface GuestChatSimulatorOptions {
  /** Port to listen on (default 0 = any free port). */
  port?: number;
  /** Address to listen on (default 127.0.0.1). */
  host?: string;
  organizationId?: string;
  deployments?: readonly GuestChatSimDeployment[];
  /** Queue **names** a `routingTarget.targetAddress` may name. */
  queues?: readonly string[];
  /** JWT lifetime; default about 22 h ([O] docs/genesys-protocol.md §3.2: `exp - iat` was 78,761 s). */
  jwtLifetimeMs?: number;
  /**
   * `channel.metadata` heartbeat interval per socket; 0 disables. Default 30 s.
   * [U] docs/genesys-protocol.md §3.7: the guest stream's cadence is unknown; 30 s is the notification service's.
   */
  heartbeatIntervalMs?: number;
  /** Every `/api/v2/webchat/...` path answers `404 not.found` ([I] docs/genesys-protocol.md §3.10). */
  retired?: boolean;
  /** Every agent `member-change CONNECTED` is sent twice, differing only in `CorrelationId` ([O] docs/genesys-protocol.md §3.7). */
  duplicateMemberChange?: boolean;
  /** Answer `{"message":"ping"}` with a `channel.metadata` `pong`. [U] docs/genesys-protocol.md §3.7; default true. */
  answerPing?: boolean;
  /** Close the stream (1000) when the chat ends. [U] docs/genesys-protocol.md §3.7; default false. */
  closeSocketOnEnd?: boolean;
  /** Send the guest's `member-change CONNECTED` on every stream connection ([I] docs/genesys-protocol.md §3.10); default true. */
  emitGuestConnectedOnConnect?: boolean;
  /**
   * While the guest's event stream is away the guest member shows `DISCONNECTED` (a `member-change` to
   * the streams still attached) and comes back `CONNECTED` after a stream is attached again
   * ([O] docs/genesys-protocol.md §3.7); default true.
   */
  guestDisconnectedWhileAway?: boolean;
  /** How long after the guest's last stream closed Genesys reports it `DISCONNECTED` ([U]; default 0). */
  guestAwayDetectionMs?: number;
  /**
   * How long after a stream is attached again the away guest shows `CONNECTED` ([U]; default 250 ms), so
   * a catch-up right after re-attaching can still find it `DISCONNECTED`.
   */
  guestReconnectLagMs?: number;
  /**
   * Longest accepted message body, in code points (default 4,000, docs/genesys-protocol.md §3.3 [C]). Over it: `400
   * constraint.validation` ([U] code, [I] docs/genesys-protocol.md §3.10). Whether Genesys counts UTF-16 units is [U].
   */
  maxBodyChars?: number;
  /** Clock, injected for expiry tests. */
  now?: () => number;
  logger?: Logger;
}

/** A failure the simulator answers instead of handling the next matching request(s). */
export interface GuestChatSimFault {
  status: 429 | 500 | 502 | 503 | 504;
  /** How many matching requests fail (default 1). */
  times?: number;
  /** For 429: sent as `Retry-After` and in a `too.many.requests.retry.after` body. */
  retryAfterSeconds?: number;
  /** For 429 with `retryAfterSeconds`: false leaves the wait in the body only (default true). */
  retryAfterHeader?: boolean;
  /** Only requests with this method (default any). */
  method?: string;
  /** Only paths containing this (default any `/api/v2/` path). */
  pathIncludes?: string;
  /** Overrides the Genesys error code. */
  code?: string;
}

/** One request the simulator answered (for tests: what was sent, when). */
export interface GuestChatSimRequest {
  method: string;
  path: string;
  status: number;
  conversationId: string | undefined;
  /** Whether the conversation's event stream had ever been attached when the request arrived. */
  streamAttached: boolean;
  at: number;
}

/** Where a conversation is in its life. */
export type GuestChatSimConversationState = 'pending' | 'active' | 'ended';

/** A snapshot of one simulated conversation (copies; changing it changes nothing). */
export interface GuestChatSimConversation {
  id: string;
  deploymentId: string;
  /** `pending` until the event stream is first attached (not routed), `active` after, `ended` at the end. */
  state: GuestChatSimConversationState;
  routingTarget: {
    targetType: string;
    targetAddress: string;
    skills: string[];
    language: string | undefined;
    priority: number | undefined;
  };
  guest: WebChatMemberInfo;
  /** The guest's `memberInfo.customFields`. */
  customFields: Record<string, string>;
  members: WebChatMemberInfo[];
  /** Every message in order, including member-join / member-leave. */
  messages: WebChatMessage[];
  /** The agent currently connected, if any. */
  currentAgentId: string | undefined;
  connectedSockets: number;
  endedBy: 'guest' | 'agent' | undefined;
}

/** Events of a {@link GuestChatSimulator}. */
export interface GuestChatSimulatorEvents {
  conversationStarted: [conversation: GuestChatSimConversation];
  guestMessage: [event: { conversationId: string; message: WebChatMessage }];
  guestTyping: [event: { conversationId: string; typing: WebChatTyping }];
  conversationEnded: [event: { conversationId: string; by: 'guest' | 'agent' }];
}

/** How an agent appears when joining. */
export interface SimAgentProfile extends AgentProfile {
  /** An ACD member holds the chat first, then leaves once the agent connected (docs/genesys-protocol.md §3.8 step 3). */
  viaAcd?: boolean;
}
