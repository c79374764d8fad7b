import type { Logger } from '../../logger';
import type { NotificationsSettings } from '../kit/notificationsService';
import type { SimulatedOAuthClient } from '../kit/oauthTokens';
import type { SimulatedUser } from '../kit/platformApi';

/**
 * The public shapes of the Web Messaging simulator (docs/genesys-protocol.md §5): deployments,
 * options, conversation snapshots, knobs and events.
 */

/** Conversation Disconnect setting of a Messenger deployment (docs/genesys-protocol.md §5.5). */
export type ConversationDisconnectMode = 'off' | 'Send' | 'ReadOnly';

/**
 * What a deployment accepts from guests (docs/genesys-protocol.md §5.9: `allowedMedia.inbound` and
 * `blockedExtensions` of the `SessionResponse`).
 */
export interface SimulatedAttachmentProfile {
  /** Allowed MIME types; `image/*` allows every image type and the star-slash-star type allows all. */
  fileTypes: string[];
  /** Largest file, in KB of 1,000 bytes. */
  maxFileSizeKB: number;
  /** Refused extensions with their dot, e.g. `.exe`. */
  blockedExtensions: string[];
}

/** A simulated Messenger deployment. */
export interface SimulatedDeployment {
  id: string;
  /** Allowed `Origin` values; empty or absent = any origin (docs/genesys-protocol.md §5.1). */
  allowedOrigins?: string[];
  /** [C] Presence Disconnect is sent only when enabled (default `off`, as in Genesys). */
  conversationDisconnect?: ConversationDisconnectMode;
  /** [C] Presence Clear works only when enabled; otherwise 403 (default false). */
  conversationClear?: boolean;
  /**
   * [C] Session lifetime after the last message (default 259,200 s = 3 days; docs/genesys-protocol.md
   * §5.15: admins set 15 minutes to 18 months; tests may use seconds).
   */
  sessionDurationSeconds?: number;
  /** [C] `showUserTypingIndicator` of the deployment configuration (default false, docs/genesys-protocol.md §5.13). */
  showUserTypingIndicator?: boolean;
  /** [C] `showAgentTypingIndicator` of the deployment configuration (default false). */
  showAgentTypingIndicator?: boolean;
  /** [C] `markdown.enabled` of the deployment configuration: agent text may contain Markdown (default false). */
  markdown?: boolean;
  /** [C] `autoStart.enabled` of the deployment configuration (default false). */
  autoStart?: boolean;
  /** [C] `status` of the deployment configuration (default `Active`). */
  status?: 'Active' | 'Inactive';
  /** Whether `config.json` is served (default true; false answers 404, an unreadable configuration). */
  publishConfig?: boolean;
  /** Files guests may upload (default any type up to 10 MB, docs/genesys-protocol.md §5.7, §5.9). */
  attachments?: SimulatedAttachmentProfile;
  /** Queue the deployment's inbound message flow transfers to (default the first queue). */
  queueId?: string;
}

/** A routing queue of the simulated org. */
export interface SimulatedQueue {
  id: string;
  name: string;
}

/**
 * The Platform API side of the simulated org (docs/genesys-protocol.md §5.17, §6.1, §6.5): OAuth
 * clients, users, and the Notifications API that publishes the queues' conversation topics.
 */
export interface SimulatedPlatformOptions {
  /** OAuth clients allowed the client credentials grant (none: every token request answers 401). */
  clients: SimulatedOAuthClient[];
  /** Users (agents); `agentJoin` adds one by name (or by the profile's `id`) when unknown. */
  users?: SimulatedUser[];
  /** [I] `expires_in` of issued tokens in seconds (default 86,400). */
  tokenLifetimeSeconds?: number;
  /** [C] Platform API requests per minute per token (default 300). */
  requestsPerMinute?: number;
  /** Notifications API settings (heartbeat, channel lifetime, ...). */
  notifications?: Partial<NotificationsSettings>;
}

/** Options of `WebMessagingSimulator`. */
export interface WebMessagingSimulatorOptions {
  deployments: SimulatedDeployment[];
  /** Port to listen on (0 = any free port). */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  logger?: Logger;
  /** [C] Per-session guest message rate (docs/genesys-protocol.md §5.7: 5/s; 2/s before 2023-12). Default 5. */
  messagesPerSecond?: number;
  /** [I] Whether guest typing/presence events count towards the message rate (default true). */
  rateLimitCountsEvents?: boolean;
  /** [C] Connections per session (default 3). */
  maxConnectionsPerSession?: number;
  /** [C] History calls per minute per session (default 10). */
  historyRequestsPerMinute?: number;
  /**
   * [U] How an unknown deploymentId is refused: `frame` answers configureSession with a 400 string
   * body naming the deployment (default); `handshake` refuses the upgrade with HTTP 404.
   */
  unknownDeploymentRejection?: 'frame' | 'handshake';
  /**
   * [I] How a disallowed Origin is refused: `handshake` refuses the upgrade with HTTP 403 (default,
   * the mobile SDK reports an access-denied handshake); `frame` answers configureSession with 403.
   */
  originRejection?: 'handshake' | 'frame';
  /** [I] Lifetime of a `getJwt` token in seconds (default 3600). */
  jwtLifetimeSeconds?: number;
  /** [C] docs/genesys-protocol.md §5.7: `configureSession` per session per minute (default 60). */
  configuresPerSessionPerMinute?: number;
  /**
   * [C] docs/genesys-protocol.md §5.7: new connections per deployment per minute (default 1,000);
   * [I] counted here at `configureSession`.
   */
  configuresPerDeploymentPerMinute?: number;
  /**
   * [I] Length of the "minute" of the configure limits, in ms (default 60,000); tests shorten it to run a
   * reconnect storm quickly.
   */
  rateLimitWindowMs?: number;
  /**
   * [C] docs/genesys-protocol.md §5.7: longest guest text in UTF-8 bytes, refused above with 4011
   * (default 4,096). Lower it to model a service that counts more strictly than the client.
   */
  maxTextBytes?: number;
  /**
   * [O] docs/genesys-protocol.md §5.16: the answer to a guest message on a read-only session
   * (default `409` "Session is read-only, no new messages allowed", as observed).
   */
  readOnlyRejection?: { code: number; body: string };
  /** Queues of the simulated org (default one queue, `Support`). */
  queues?: SimulatedQueue[];
  /** The Platform API (login, users, notifications); default: no OAuth client, so every token request answers 401. */
  platform?: SimulatedPlatformOptions;
  /**
   * [I] Whether an `echo` health check restarts the session lifetime (default false: docs/genesys-protocol.md
   * §5.15 has Messenger send an echo to learn whether the expiry moved, which only makes sense if it
   * does not move it; messages either way do).
   */
  echoExtendsSession?: boolean;
}

/** An agent as the simulator shows it to the guest (`channel.from`). */
export interface SimulatedAgent {
  nickname: string;
  image?: string;
  firstName?: string;
  lastName?: string;
  id?: string;
}

/** A message of a simulated conversation, either direction. */
export interface SimulatedMessage {
  id: string;
  direction: 'Inbound' | 'Outbound';
  type: 'Text' | 'Structured' | 'Event';
  text: string;
  /** ISO-8601. */
  time: string;
  originatingEntity?: 'Human' | 'Bot';
  from?: SimulatedAgent;
  attachments?: { url: string; filename: string; mime: string }[];
  /** Outbound: the quick replies, cards, carousels and time slot pickers the message offers. */
  content?: SimulatedContentEntry[];
  /** Inbound: the guest's answers to structured content (`ButtonResponse`, §5.14). */
  buttonResponses?: SimulatedButtonResponse[];
  /** For events: `Typing`, `Presence:Disconnect`, ... */
  events?: string[];
}

/** Why a simulated conversation ended. */
export type SimulatedEndReason = 'agentDisconnected' | 'cleared' | 'expired';

/** A snapshot of a conversation for tests and the agent console. */
export interface SimulatedConversationInfo {
  id: string;
  deploymentId: string;
  /** The guest session token (simulator only: a real Genesys never shows it to agents). */
  sessionToken: string;
  state: 'waiting' | 'active' | 'ended';
  endReason?: SimulatedEndReason;
  agent?: SimulatedAgent;
  messages: SimulatedMessage[];
  customAttributes: Record<string, string>;
  /** Open guest connections of the session right now. */
  connectionCount: number;
  startedAt: string;
}

/** Options of `WebMessagingSimulator.agentLeave`. */
export interface AgentLeaveOptions {
  /**
   * Whether the Presence Disconnect reaches the guest's connections (default true). `false` models the
   * one push being lost (e.g. during a reconnect, docs/genesys-protocol.md §5.16 [O]); history still has it.
   */
  deliverEvent?: boolean;
}

/** Options of `WebMessagingSimulator.agentSend`. */
export interface AgentSendOptions {
  /** `Bot` for an Architect bot flow talking before an agent (default `Human`). */
  originatingEntity?: 'Human' | 'Bot';
  /** Message id (default a random UUID). */
  id?: string;
}

/** Delivery knobs to test ordering and de-duplication. */
export interface DeliveryOptions {
  /** `reverse`/`shuffle`: outbound frames are held for `batchMs` and sent in that order (default `none`). */
  reorder?: 'none' | 'reverse' | 'shuffle';
  /** How long outbound frames are collected when reordering (default 100 ms). */
  batchMs?: number;
  /** Send every outbound message frame twice. */
  duplicate?: boolean;
}

/** Counters of what the simulator answered (tests assert a path was really taken). */
export interface SimulatorStats {
  /** `TooManyRequestsErrorMessage` answers. */
  rateLimited: number;
  /** Client frames answered with 400 "Request failed.". */
  invalidFrames: number;
  /** History REST calls answered 200. */
  historyRequests: number;
  /** Websocket connections accepted. */
  connections: number;
  /** `configureSession` requests answered with `TooManyRequestsErrorMessage`. */
  configureRateLimited: number;
  /** History REST calls answered 429. */
  historyRateLimited: number;
  /** Presence Clear requests refused because the deployment has Conversation Clear off. */
  clearsRefused: number;
  /** `onAttachment` requests received (answered with an upload URL or `GenerateUrlError`). */
  uploadUrlRequests: number;
}

/** Events the simulator emits so a UI or a test can follow along. */
export interface WebMessagingSimulatorEvents {
  conversationStarted: [SimulatedConversationInfo];
  conversationEnded: [{ conversationId: string; reason: SimulatedEndReason }];
  guestMessage: [{ conversationId: string; message: SimulatedMessage }];
  guestTyping: [{ conversationId: string }];
  sessionConfigured: [{ sessionToken: string; newSession: boolean; connectionCount: number }];
  /** A `configureSession` was refused with `TooManyRequestsErrorMessage` (`retryAfterSeconds`). */
  configureRateLimited: [{ sessionToken: string; retryAfterSeconds: number }];
  /** Anything changed (used by `waitUntil`). */
  changed: [];
}

/** A card button as Genesys sends it (docs/genesys-protocol.md §5.14): `Link` opens `url`, the others answer with `payload`. */
export interface SimulatedCardAction {
  type: 'Link' | 'Postback' | 'Button';
  text: string;
  url?: string;
  payload?: string;
}

/** A `Card` body (§5.14). */
export interface SimulatedCard {
  title: string;
  description: string;
  image?: string;
  defaultAction?: SimulatedCardAction;
  actions: SimulatedCardAction[];
}

/** A structured `content[]` entry of an outbound message, in Genesys' JSON shape (§5.14). */
export type SimulatedContentEntry =
  | { contentType: 'QuickReply'; quickReply: { text: string; payload: string; action?: string } }
  | { contentType: 'Card'; card: SimulatedCard }
  | { contentType: 'Carousel'; carousel: { cards: SimulatedCard[] } }
  | {
      contentType: 'DatePicker';
      datePicker: {
        title: string;
        subtitle?: string;
        imageUrl?: string;
        availableTimes: { dateTime: string; duration: number }[];
      };
    };

/** A guest's `ButtonResponse` (§5.14), as received. */
export interface SimulatedButtonResponse {
  type: 'QuickReply' | 'Button' | 'DatePicker';
  text: string;
  payload: string;
  originatingMessageId?: string;
  /** Id of the outbound message it answers, as the simulator matched it. */
  answers: string;
}
