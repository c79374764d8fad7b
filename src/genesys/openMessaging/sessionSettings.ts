import type { Clock } from '../shared';
import type { OpenMessagingApi } from './openMessagingApi';

/** What every session of one provider shares. */
export interface SessionSettings {
  api: OpenMessagingApi;
  clock: Clock;
  /** Longest text of one inbound message, in characters. */
  maxTextChars: number;
  /** Largest `channel.metadata.customAttributes`, in UTF-8 bytes of its JSON. */
  maxCustomAttributesBytes: number;
  /** Minimum time between two customer typing events (ms). */
  typingIntervalMs: number;
  /** The courtesy message the agent gets when the customer ends the chat. */
  customerLeftNotice: string;
}
