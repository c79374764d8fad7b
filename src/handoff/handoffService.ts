import type { Activity, ConversationReference } from 'botbuilder';
import type { GenesysErrorCode } from '../genesys/genesysError';
import type { Transcript, TranscriptEntry } from '../transcript/transcript';
import type { HandoffRecord } from './handoffRecord';
import type { AcceptOutcome } from './userToAgentRelay';

/** What the transfer dialog passes to open a chat. */
export interface HandoffRequest {
  reference: Partial<ConversationReference>;
  channelId: string;
  conversationId: string;
  userId: string;
  userName?: string;
  /** The user's IANA time zone when the channel reports it (`userTimeZone`); time slots are shown in it. */
  timeZone?: string;
  transcript: Transcript;
  /** Collected by the dialogs (pre-chat answers...); sent as participant data. */
  attributes: Record<string, string>;
}

/** Outcome of {@link HandoffStarter.start}. */
export type StartHandoffResult =
  | { status: 'started' }
  | { status: 'alreadyActive' }
  | { status: 'unavailable' }
  | { status: 'refused'; code: GenesysErrorCode }
  | { status: 'failed'; code: string };

/** What the dialogs need of the handoff: whether agents exist, and opening a live chat. */
export interface HandoffStarter {
  /** True when a Genesys provider is configured. */
  readonly isAvailable: boolean;
  /** Opens a live chat for the conversation and hands the agent the transcript. */
  start(request: HandoffRequest): Promise<StartHandoffResult>;
}

/** What the bot needs while a conversation is in a live chat: find it, relay to it, end it. */
export interface LiveChats {
  /** The conversation's live chat when one is active (requested, queued or connected). */
  activeRecord(channelId: string, conversationId: string): Promise<HandoffRecord | undefined>;
  /**
   * Queues a user message (or `text` in its place: an edit or delete notice) for the agent and
   * returns at once; see {@link AcceptOutcome}. Redeliveries of the same activity id do nothing.
   * `transcript` goes into the record's transcript journal with the same write when the message
   * is taken (`queued`) or refused as `full`.
   */
  acceptUserMessage(
    record: HandoffRecord,
    activity: Partial<Activity>,
    text?: string,
    transcript?: readonly TranscriptEntry[],
  ): Promise<AcceptOutcome>;
  /**
   * Writes transcript entries into the transcript journal of the live-chat record `recordId` (one
   * write); false when there is no such record.
   */
  journalTranscript(recordId: string, entries: readonly TranscriptEntry[]): Promise<boolean>;
  /**
   * Remembers an inbound activity id for the idempotence window; false when it was seen already
   * (a redelivery, to acknowledge and otherwise ignore).
   */
  rememberInbound(activity: Partial<Activity>): Promise<boolean>;
  /** Stores where proactive messages go now (`serviceUrl`, locale, tenant), when the activity changed it. */
  refreshReference(record: HandoffRecord, activity: Partial<Activity>): Promise<void>;
  /** The bot was removed from the conversation: ends the chat as `userUnreachable`, telling the agent. */
  userUnreachable(record: HandoffRecord, why: string): Promise<void>;
  /** Tells the agent the user is typing. */
  relayUserTyping(record: HandoffRecord): Promise<void>;
  /**
   * Ends the chat because the user asked (`userEnded`) or stopped waiting (`userCancelled`).
   * Returns false when it had already ended. The caller tells the user.
   */
  endByUser(record: HandoffRecord, reason: 'userEnded' | 'userCancelled'): Promise<boolean>;
}

/** The handoff as the bot and its dialogs see it. */
export interface HandoffService extends HandoffStarter, LiveChats {}
