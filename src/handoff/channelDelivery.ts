import type { Activity, ConversationReference } from 'botbuilder';
import { telemetry } from '../telemetry/telemetry';
import type { Logger } from '../logger';
import type { TranscriptSpeaker } from '../transcript/transcriptRecorder';
import type { ChannelFailure } from './channelFailure';
import type { HandoffRecords } from './handoffRecords';
import type { LocalChats } from './localChats';
import type { ChatMessenger } from './proactiveMessenger';

/**
 * What became of a proactive message after retries:
 * - `delivered`: the channel accepted it;
 * - `gone`: the user can no longer be reached (the chat should end as `userUnreachable`);
 * - `rejected`: the channel will never take this activity (bad payload, too big);
 * - `exhausted`: the channel kept refusing for the whole delivery time limit.
 */
export type DeliveryOutcome =
  { status: 'delivered' } | { status: 'gone' | 'rejected' | 'exhausted'; failure: ChannelFailure };

/** Retry limits of {@link ChannelDelivery}. */
export interface DeliveryLimits {
  /** Longest time one message is retried, from its first attempt (ms). */
  maxTotalMs: number;
  /** First backoff delay (ms); doubles with every attempt. */
  baseDelayMs: number;
  /** Longest single backoff delay (ms), unless the channel's `Retry-After` asks for more. */
  maxDelayMs: number;
}

/** Two minutes of retries, starting at 0.5 s and backing off to 15 s. */
export const DEFAULT_DELIVERY_LIMITS: DeliveryLimits = { maxTotalMs: 120_000, baseDelayMs: 500, maxDelayMs: 15_000 };

/**
 * Sends proactive messages with a real outcome. Each conversation has its own ordered queue
 * ({@link ChannelDelivery.inOrder}), so a message waits for the ones before it and a throttled
 * conversation never holds up another. Throttling and outages are retried with exponential
 * backoff (honouring `Retry-After`) within {@link DeliveryLimits.maxTotalMs}; a stale reference is
 * refreshed from the live-chat record (which every inbound activity keeps current) and retried.
 */
export class ChannelDelivery {
  private readonly queues = new Map<string, Promise<unknown>>();

  constructor(
    private readonly messenger: ChatMessenger,
    private readonly records: HandoffRecords,
    private readonly chats: LocalChats,
    private readonly logger: Logger,
    private readonly limits: DeliveryLimits = DEFAULT_DELIVERY_LIMITS,
  ) {}

  /** Runs `work` after every earlier job queued for `key` (a record id) has settled. */
  inOrder<T>(key: string, work: () => Promise<T>): Promise<T> {
    const previous = this.queues.get(key) ?? Promise.resolve();
    const next = previous.then(work, work);
    const tail = next.catch(() => undefined);
    this.queues.set(key, tail);
    void tail.then(() => {
      if (this.queues.get(key) === tail) this.queues.delete(key);
    });
    return next;
  }

  /**
   * Sends `activities` to the chat `recordId`'s user, retrying as described on the class.
   * `journalRides`: the caller writes the record right after a delivery, and the transcript
   * entries go with that write (see ProactiveMessenger.send).
   */
  async send(
    recordId: string,
    reference: Partial<ConversationReference>,
    activities: Partial<Activity>[],
    speaker: TranscriptSpeaker,
    systemNote?: string,
    journalRides = false,
  ): Promise<DeliveryOutcome> {
    const started = Date.now();
    let current = reference;
    for (let attempt = 0; ; attempt++) {
      const result = await this.messenger.send(current, activities, speaker, systemNote, journalRides);
      if (result.ok) return { status: 'delivered' };
      const failure = result.failure;
      const log = { conversationId: current.conversation?.id, attempt: attempt + 1, ...failure };
      if (failure.kind === 'gone') {
        telemetry().deliveryFailed('channel', failure.kind);
        return { status: 'gone', failure };
      }
      if (failure.kind === 'permanent') {
        telemetry().deliveryFailed('channel', failure.kind);
        this.logger.warn(log, 'channel rejected a message for good');
        return { status: 'rejected', failure };
      }
      if (failure.kind === 'stale') {
        const fresh = (await this.records.get(recordId))?.reference;
        if (fresh !== undefined && fresh.serviceUrl !== current.serviceUrl) {
          this.logger.info(log, 'conversation moved; retrying on its new serviceUrl');
          current = fresh;
          continue;
        }
      }
      const wait = Math.max(
        failure.retryAfterMs ?? 0,
        Math.min(this.limits.maxDelayMs, this.limits.baseDelayMs * 2 ** attempt),
      );
      if (this.chats.stopped || Date.now() + wait - started > this.limits.maxTotalMs) {
        telemetry().deliveryFailed('channel', failure.kind);
        this.logger.warn(log, 'channel kept refusing a message; giving up');
        return { status: 'exhausted', failure };
      }
      telemetry().deliveryRetry('channel', failure.kind);
      this.logger.info({ ...log, waitMs: wait }, 'channel refused a message; retrying');
      await new Promise((resolve) => setTimeout(resolve, wait));
      // The user may have written meanwhile (from a new serviceUrl): send where they are now.
      current = this.chats.get(recordId)?.reference ?? current;
    }
  }

  /** Records a system event in the transcript without showing anything to the user. */
  note(reference: Partial<ConversationReference>, text: string): Promise<void> {
    return this.messenger.note(reference, text);
  }

  /** Shows a typing indicator once; a refusal is dropped (typing is not worth a retry or an error). */
  async typing(reference: Partial<ConversationReference>): Promise<void> {
    await this.messenger.typing(reference);
  }
}
