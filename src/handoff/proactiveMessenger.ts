import { ActivityTypes, type Activity, type ConversationReference, type TurnContext } from 'botbuilder';
import { sendKeepingSenderNames } from '../channels';
import type { Logger } from '../logger';
import { classifyChannelError, type SendResult } from './channelFailure';
import { SPANS, telemetry } from '../telemetry/telemetry';
import type { StateSaver } from '../state/stateSaver';
import type { TranscriptEntry } from '../transcript/transcript';
import {
  TRANSCRIPT_SINK_KEY,
  TRANSCRIPT_SPEAKER_KEY,
  type TranscriptRecorder,
  type TranscriptSpeaker,
} from '../transcript/transcriptRecorder';

/** A bound for {@link ProactiveMessenger} `batchMs` that saves a conversation's transcript entries together (ms). */
export const TRANSCRIPT_BATCH_MS = 1_000;

/** Transcript entries of one conversation waiting to be saved. */
interface TranscriptBatch {
  reference: Partial<ConversationReference>;
  entries: TranscriptEntry[];
  timer: NodeJS.Timeout;
}

/**
 * Carries transcript entries of a proactive send in the conversation's live-chat record (see
 * HandoffRecords.journal): with the record's next write when `rides` (the caller writes it at
 * once), else in a write of their own. Resolves false when the conversation has no record.
 */
export type ProactiveJournal = (
  reference: Partial<ConversationReference>,
  entries: TranscriptEntry[],
  rides: boolean,
) => Promise<boolean>;

/** Runs `logic` in a proactive turn of the conversation `reference` points to. */
export type ProactiveRunner = (
  reference: Partial<ConversationReference>,
  logic: (context: TurnContext) => Promise<void>,
) => Promise<void>;

/** What the handoff layer needs to reach a user proactively (see {@link ProactiveMessenger}). */
export type ChatMessenger = Pick<ProactiveMessenger, 'send' | 'typing' | 'note'> & {
  /** Saves what is waiting to be saved (graceful shutdown). */
  flush?: () => Promise<void>;
};

/**
 * The only way the product talks to a user outside of the user's own turn: agent messages, typing,
 * joins and ends. Each send is recorded in the conversation transcript with its speaker and saved
 * in the same turn, or, with `batchMs` > 0, together with the conversation's other entries at most
 * `batchMs` later (one read and one write of the conversation state per batch; at once by
 * {@link ProactiveMessenger.flush}); saves re-apply on concurrent writes.
 *
 * A send never throws and never reaches the adapter's `onTurnError` (which would apologise to the
 * user for a failure that is not theirs): what the channel refused comes back as a classified
 * {@link SendResult} for the caller to retry, refresh or stop.
 */
export class ProactiveMessenger {
  private readonly batches = new Map<string, TranscriptBatch>();

  constructor(
    private readonly run: ProactiveRunner,
    private readonly recorder: TranscriptRecorder,
    private readonly stateSaver: StateSaver,
    private readonly logger: Logger,
    /** How long transcript entries wait to be saved with later ones (ms); 0 saves them in the send's turn. */
    private readonly batchMs = 0,
    /** Where entries go instead of conversation state, when given (the live-chat record's journal). */
    private readonly journal?: ProactiveJournal,
  ) {}

  /**
   * Sends activities to the conversation (without `replyToId`, see {@link stripReplyToId}). With a
   * journal, the transcript entries of a send the channel took go to the live-chat record:
   * `journalRides` when the caller writes the record right after (they go with that write).
   */
  async send(
    reference: Partial<ConversationReference>,
    activities: Partial<Activity>[],
    speaker: TranscriptSpeaker,
    systemNote?: string,
    journalRides = false,
  ): Promise<SendResult> {
    const attributes = { 'bot.channel_id': reference.channelId ?? '', 'bot.activity.count': activities.length };
    return telemetry().withSpan(SPANS.proactiveSend, attributes, () =>
      this.sendInTurn(reference, activities, speaker, systemNote, journalRides),
    );
  }

  private async sendInTurn(
    reference: Partial<ConversationReference>,
    activities: Partial<Activity>[],
    speaker: TranscriptSpeaker,
    systemNote: string | undefined,
    journalRides: boolean,
  ): Promise<SendResult> {
    const recorded: TranscriptEntry[] = [];
    const collect = this.journal !== undefined || this.batchMs > 0;
    const result = await this.attempt(reference, async (context) => {
      context.turnState.set(TRANSCRIPT_SPEAKER_KEY, speaker);
      if (collect) context.turnState.set(TRANSCRIPT_SINK_KEY, (entry: TranscriptEntry) => recorded.push(entry));
      stripReplyToId(context);
      if (systemNote !== undefined) {
        await this.recorder.record(context, { role: 'system', text: systemNote, at: new Date().toISOString() });
      }
      if (activities.length > 0) {
        await telemetry().withSpan(
          SPANS.channelSend,
          { 'bot.channel_id': context.activity.channelId },
          async (span) => {
            // Agent messages keep the agent's name as `from.name` where the channel shows it.
            const accepted = await sendKeepingSenderNames(context, activities);
            span.addEvent('channel.accepted', { 'bot.activity.count': accepted.length });
          },
        );
      }
      if (collect) return;
      // The user has seen the message: a failure to record it must not make the caller send it again.
      await this.stateSaver.save(context, 'proactive').catch((err: unknown) => {
        this.logger.warn(
          { err, conversationId: reference.conversation?.id },
          'sent, but could not save the transcript',
        );
      });
    });
    // The user has seen the message: a failure to record it must not make the caller send it again.
    if (recorded.length > 0 && result.ok) await this.keep(reference, recorded, journalRides);
    return result;
  }

  /** Hands the entries of a send to the journal, or to conversation state (batched when `batchMs` > 0). */
  private async keep(
    reference: Partial<ConversationReference>,
    entries: TranscriptEntry[],
    journalRides: boolean,
  ): Promise<void> {
    const journal = this.journal;
    if (journal !== undefined) {
      const carried = await journal(reference, entries, journalRides).catch((err: unknown) => {
        this.logger.warn({ err, conversationId: reference.conversation?.id }, 'could not journal the transcript');
        return false;
      });
      if (carried) return;
    }
    if (this.batchMs > 0) this.enqueue(reference, entries);
    else await this.saveInState(reference, entries);
  }

  /** Saves every waiting transcript batch now. */
  async flush(): Promise<void> {
    await Promise.all([...this.batches.keys()].map((key) => this.saveBatch(key)));
  }

  private enqueue(reference: Partial<ConversationReference>, entries: TranscriptEntry[]): void {
    const key = `${reference.channelId ?? ''}/${reference.conversation?.id ?? ''}`;
    const batch = this.batches.get(key);
    if (batch !== undefined) {
      batch.entries.push(...entries);
      batch.reference = reference;
      return;
    }
    const timer = setTimeout(() => {
      void this.saveBatch(key);
    }, this.batchMs);
    timer.unref();
    this.batches.set(key, { reference, entries, timer });
  }

  /** Appends a batch to the conversation's transcript in one proactive turn (one state read and write). */
  private async saveBatch(key: string): Promise<void> {
    const batch = this.batches.get(key);
    if (batch === undefined) return;
    this.batches.delete(key);
    clearTimeout(batch.timer);
    await this.saveInState(batch.reference, batch.entries);
  }

  /** Appends entries to the conversation's transcript in one proactive turn (one state read and write). */
  private async saveInState(reference: Partial<ConversationReference>, entries: TranscriptEntry[]): Promise<void> {
    try {
      await this.run(reference, async (context) => {
        for (const entry of entries) await this.recorder.record(context, entry);
        await this.stateSaver.save(context, 'proactive');
      });
    } catch (err) {
      this.logger.warn(
        { err, conversationId: reference.conversation?.id, entries: entries.length },
        'sent, but could not save the transcript',
      );
    }
  }

  /** Shows a typing indicator (not recorded). */
  async typing(reference: Partial<ConversationReference>): Promise<SendResult> {
    return this.attempt(reference, async (context) => {
      stripReplyToId(context);
      await context.sendActivity({ type: ActivityTypes.Typing });
    });
  }

  /**
   * Runs `logic` in a proactive turn, catching inside the turn so the adapter's error handler
   * never sees a channel refusal, and classifies what was thrown.
   */
  private async attempt(
    reference: Partial<ConversationReference>,
    logic: (context: TurnContext) => Promise<void>,
  ): Promise<SendResult> {
    const caught: { err?: unknown } = {};
    try {
      await this.run(reference, async (context) => {
        try {
          await logic(context);
        } catch (err) {
          caught.err = err ?? new Error('send failed');
        }
      });
    } catch (err) {
      caught.err = err ?? new Error('proactive turn failed');
    }
    if (caught.err === undefined) return { ok: true };
    const failure = classifyChannelError(caught.err);
    this.logger.debug({ err: caught.err, conversationId: reference.conversation?.id, failure }, 'channel refused');
    return { ok: false, failure };
  }

  /** Records a system event in the transcript without showing anything to the user. */
  async note(reference: Partial<ConversationReference>, text: string): Promise<void> {
    const result = await this.send(reference, [], { role: 'system' }, text);
    if (!result.ok)
      this.logger.warn(
        { conversationId: reference.conversation?.id, code: result.failure.code },
        'could not record a transcript note',
      );
  }
}

/**
 * A proactive message replies to nothing: `replyToId` is removed, since Web Chat holds back
 * activities whose `replyToId` it never saw.
 */
function stripReplyToId(context: TurnContext): void {
  context.onSendActivities(async (_ctx, outgoing, next) => {
    for (const activity of outgoing) delete activity.replyToId;
    return next();
  });
}
