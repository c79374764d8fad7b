import type { Activity, ConversationReference } from 'botbuilder';
import type { GenesysErrorCode } from '../genesys/genesysError';
import type { Transcript } from '../transcript/transcript';
import type { HandoffRecord } from './handoffRecord';
import type { UndeliveredNotice } from './userToAgentRelay';

/** What the transfer dialog passes to open a chat. */
export interface HandoffRequest {
  reference: Partial<ConversationReference>;
  channelId: string;
  conversationId: string;
  userId: string;
  userName?: string;
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
   * Relays a user message to the agent: true when delivered; otherwise false or, for a failure the user
   * can act on, the sentence to tell them (the caller tells the user).
   */
  relayUserMessage(record: HandoffRecord, activity: Partial<Activity>): Promise<boolean | UndeliveredNotice>;
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
