import type { ConversationReference } from 'botbuilder';
import type { AnswerOption } from '../content/answerOptions';
import type { ButtonResponse } from '../content/content';
import type { AttachmentLink, GenesysProviderName, ResumeData } from '../genesys/handoffProvider';
import type { TranscriptJournal } from '../transcript/transcriptJournal';
import type { ChannelFile } from './channelAttachments';

/** Lifecycle of a live chat. `ended` and `failed` are final until the user asks for an agent again. */
export type HandoffState = 'requested' | 'queued' | 'connected' | 'ended' | 'failed';

/** States in which the bot relays to Genesys instead of answering itself. */
export const ACTIVE_STATES: readonly HandoffState[] = ['requested', 'queued', 'connected'];

/** Why a live chat ended; each has its own message to the user. */
export type HandoffEndReason =
  | 'userEnded'
  | 'userCancelled'
  | 'agentEnded'
  /** Genesys ended the chat before any agent took it (declined or disconnected while queued). */
  | 'notAnswered'
  | 'expired'
  | 'queueTimeout'
  | 'idleTimeout'
  | 'connectionLost'
  /** Genesys refused to open the chat (unknown queue, disabled deployment, auth, retired API). */
  | 'refused'
  /** Opening the chat failed for another reason (network, timeout). */
  | 'startFailed'
  /**
   * The channel no longer takes messages for the user (bot removed, conversation gone, channel
   * policy), or refused every retry for the delivery time limit; the agent is told.
   */
  | 'userUnreachable';

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
  /** Where proactive messages go; its `locale` is the language of everything the bot adds for the user. */
  reference: Partial<ConversationReference>;
  /**
   * The user's IANA time zone as the channel last reported it (Web Chat `localTimezone`, Teams
   * `clientInfo` entity); time slots are labelled in it, else in UTC.
   */
  timeZone?: string;
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
  /**
   * The choices the last delivered agent message offered (quick replies, card buttons, time slots),
   * numbered as the user saw them; a user message matching one is sent as its button response.
   * Replaced at each agent message, cleared once answered.
   */
  answerOptions?: AnswerOption[];
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
  /**
   * User messages accepted from the channel and not yet acknowledged by Genesys, oldest first
   * (bounded by {@link MAX_OUTBOX}). Kept in the record so that an entry and the record update are
   * one ETag-guarded write, and any instance can resume sending after a crash.
   */
  outbox?: OutboxEntry[];
  /** Instance sending the outbox to Genesys, and until when (epoch ms) its claim holds. */
  outboxDrainer?: string;
  outboxDrainUntil?: number;
  /** Ids of inbound activities already taken in this chat, most recent last (bounded), to ignore redeliveries. */
  inboundIds?: string[];
  /**
   * Transcript entries of the conversation carried in the record until they are folded into the
   * transcript in conversation state (see transcriptJournal.ts); kept across the chats of the
   * conversation.
   */
  transcriptJournal?: TranscriptJournal;
  /** User messages written while waiting for an agent (paces the "passed on" acknowledgement). */
  waitingMessages?: number;
  /** Per-document TTL in seconds: -1 while active (never expires), the retention period once over. */
  ttl: number;
}

/** A user message waiting to be sent to the agent. */
export interface OutboxEntry {
  /** Id of the inbound activity it came from (empty when the channel gave none). */
  activityId: string;
  /**
   * The text sent to Genesys (never empty); for a `buttonResponse`, the chosen option's text (sent
   * as is where the provider has no structured answers).
   */
  text: string;
  /** What the entry is: text (default), or the user's answer to structured content. */
  kind?: 'text' | 'buttonResponse';
  /** The answer, for `kind: "buttonResponse"`. */
  buttonResponse?: ButtonResponse;
  /** Files anyone can fetch, handed to providers that take files by URL (the text keeps their links too). */
  files?: AttachmentLink[];
  /** When it was accepted (epoch ms). */
  at: number;
  /**
   * A file to upload instead of text (`text` is then its name): a reference to the channel's copy,
   * downloaded only when sent. Entries of one activity share `activityId` and `at`; `part` orders them.
   */
  file?: ChannelFile;
  /** Position among the entries of one activity (0 or absent for the first). */
  part?: number;
  /** W3C `traceparent` of the turn that accepted it: the Genesys send joins that trace. */
  traceParent?: string;
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

/**
 * The inbound activity ids of one conversation seen within the idempotence window, so that a
 * redelivered activity (same id) is acknowledged and otherwise ignored, on any instance.
 */
export interface InboundActivityLog {
  /** `inbound|<channelId>|<conversationId>`, URI-encoded. */
  id: string;
  type: 'inbound';
  /** Activity ids with the time (epoch ms) they were first seen, oldest first. */
  seen: { id: string; at: number }[];
  /** Per-document TTL in seconds: the idempotence window. */
  ttl: number;
}

/**
 * The lease on a duty one instance of the deployment does for every instance (the Open Messaging
 * notifications subscriber): the instance named holds it until `expiresAt`, renewing it with its
 * heartbeat; once it lapses (or is released, `holder` empty) any instance may take it.
 */
export interface DutyLease {
  /** `duty|<name>`, URI-encoded. */
  id: string;
  type: 'duty';
  /** Instance holding the duty; empty when released. */
  holder: string;
  /** Epoch ms until which the holder's claim stands. */
  expiresAt: number;
  ttl: number;
}

/**
 * The key every instance signs and checks Teams file consent contexts with (HMAC-SHA256,
 * `src/handoff/fileConsentSigning.ts`): created once, by whichever instance needs it first; never expires.
 */
export interface FileConsentKey {
  /** {@link FILE_CONSENT_KEY_ID} */
  id: string;
  type: 'fileConsentKey';
  /** 32 random bytes, base64. */
  key: string;
  /** Never expires. */
  ttl: -1;
}

/** Id of the {@link FileConsentKey} document. */
export const FILE_CONSENT_KEY_ID = 'fileConsentKey';

/** Everything stored in the live-chat container. */
export type HandoffDocument = HandoffRecord | InstanceHeartbeat | InboundActivityLog | DutyLease | FileConsentKey;

/** Most delivered message ids kept per record for de-duplication. */
export const MAX_DELIVERED_IDS = 50;

/** Most user messages waiting in a record's outbox; beyond it a message is refused and the user told. */
export const MAX_OUTBOX = 50;

/** Most inbound activity ids kept per record for de-duplication. */
export const MAX_INBOUND_IDS = 100;

/** Id of an instance's heartbeat document. */
export function heartbeatId(instanceId: string): string {
  return encodeURIComponent(`instance|${instanceId}`);
}

/** Id of the lease document of a deployment duty. */
export function dutyLeaseId(name: string): string {
  return encodeURIComponent(`duty|${name}`);
}

/** Narrows a stored document to a live-chat record. */
export function isHandoffRecord(doc: HandoffDocument | undefined): doc is HandoffRecord {
  return doc?.type === 'handoff';
}
