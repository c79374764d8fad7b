import type { ConversationReference } from 'botbuilder';
import type { GenesysProviderName, ResumeData } from '../genesys/handoffProvider';

/** Lifecycle of a live chat. `ended` and `failed` are final until the user asks for an agent again. */
export type HandoffState = 'requested' | 'queued' | 'connected' | 'ended' | 'failed';

/** States in which the bot relays to Genesys instead of answering itself. */
export const ACTIVE_STATES: readonly HandoffState[] = ['requested', 'queued', 'connected'];

/** Why a live chat ended; each has its own message to the user. */
export type HandoffEndReason =
  | 'userEnded'
  | 'userCancelled'
  | 'agentEnded'
  | 'expired'
  | 'queueTimeout'
  | 'idleTimeout'
  | 'connectionLost'
  /** Genesys refused to open the chat (unknown queue, disabled deployment, auth, retired API). */
  | 'refused'
  /** Opening the chat failed for another reason (network, timeout). */
  | 'startFailed';

/** Allowed transitions; anything else is refused by {@link HandoffRecords.transition}. */
export const TRANSITIONS: Readonly<Record<HandoffState, readonly HandoffState[]>> = {
  requested: ['queued', 'connected', 'ended', 'failed'],
  queued: ['connected', 'ended', 'failed'],
  connected: ['queued', 'connected', 'ended', 'failed'],
  ended: ['requested'],
  failed: ['requested'],
};

/**
 * The persisted live-chat record of one Bot Framework conversation: one document per conversation,
 * never a shared registry. Written only through {@link HandoffRecords}, with ETag concurrency.
 */
export interface HandoffRecord {
  /** `handoffRecordId(channelId, conversationId)`. */
  id: string;
  type: 'handoff';
  state: HandoffState;
  /** Reason of the last transition (for logs and support). */
  reason: string;
  endReason?: HandoffEndReason;
  channelId: string;
  conversationId: string;
  userId: string;
  userName?: string;
  /** Where proactive messages go. */
  reference: Partial<ConversationReference>;
  provider: GenesysProviderName;
  /**
   * Identifies one live chat among the successive chats of a conversation (a new value at every
   * `begin`), so events of an earlier chat can never act on a later one.
   */
  generation: string;
  /** What any instance needs to reattach to the Genesys chat (contains secrets; redacted in logs). */
  resumeData?: ResumeData;
  agentName?: string;
  /** The agent's wrap-up code and notes, when Genesys reported them before the end (Open Messaging). */
  wrapup?: { code: string; notes?: string };
  /** Ids of agent messages already shown to the user, most recent last (bounded). */
  deliveredMessageIds: string[];
  lastDeliveredAt?: string;
  /** Instance holding the chat's connection; empty when released. Valid while that instance's heartbeat lives. */
  owner: string;
  createdAt: number;
  updatedAt: number;
  queuedAt?: number;
  connectedAt?: number;
  endedAt?: number;
  /** Last message either way (epoch ms), for the idle timeout. */
  lastActivityAt: number;
  /** Epoch ms deadlines, checked by the sweeper so they survive restarts. */
  queueDeadline?: number;
  idleWarningAt?: number;
  idleDeadline?: number;
  idleWarned?: boolean;
  /** Per-document TTL in seconds: -1 while active (never expires), the retention period once over. */
  ttl: number;
}

/** An instance's heartbeat: chats owned by an instance whose heartbeat lapsed may be taken over. */
export interface InstanceHeartbeat {
  /** `instance|<instanceId>` */
  id: string;
  type: 'instance';
  instanceId: string;
  expiresAt: number;
  ttl: number;
}

/** Everything stored in the live-chat container. */
export type HandoffDocument = HandoffRecord | InstanceHeartbeat;

/** Most delivered message ids kept per record for de-duplication. */
export const MAX_DELIVERED_IDS = 50;

/** Id of an instance's heartbeat document. */
export function heartbeatId(instanceId: string): string {
  return encodeURIComponent(`instance|${instanceId}`);
}

/** Narrows a stored document to a live-chat record. */
export function isHandoffRecord(doc: HandoffDocument | undefined): doc is HandoffRecord {
  return doc?.type === 'handoff';
}
