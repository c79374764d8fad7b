import { type Activity, type Middleware, type StatePropertyAccessor, type TurnContext } from 'botbuilder';
import { activityText, isMessage } from '../activities';
import type { Logger } from '../logger';
import {
  appendToTranscript,
  emptyTranscript,
  isTranscript,
  type Transcript,
  type TranscriptEntry,
  type TranscriptLimits,
  type TranscriptRole,
} from './transcript';

/** turnState key: entries recorded during this turn, re-applied if saving loses a concurrency race. */
export const TRANSCRIPT_PENDING_KEY = Symbol('transcriptPendingEntries');
/** turnState key: who the bot's outgoing messages speak for in this turn (defaults to the bot). */
export const TRANSCRIPT_SPEAKER_KEY = Symbol('transcriptSpeaker');

/**
 * turnState key: when set to a function, entries of the turn go to it instead of the conversation
 * state (proactive sends hand them to a batch that is saved later, see ProactiveMessenger).
 */
export const TRANSCRIPT_SINK_KEY = Symbol('transcriptSink');

/** turnState key: the {@link TurnJournal} of a user turn in a live chat held by this instance. */
export const TRANSCRIPT_JOURNAL_KEY = Symbol('transcriptJournal');

/**
 * The transcript entries of a user turn in a live chat this instance holds: they go to the chat's
 * live-chat record (with the write that accepts the message, or one write at the end of the turn)
 * instead of conversation state, so relaying a message loads no conversation state.
 */
export interface TurnJournal {
  /** The live-chat record that carries them. */
  recordId: string;
  /** Entries recorded in the turn and not yet written, oldest first. */
  entries: TranscriptEntry[];
  /** Records `entries` into conversation state instead (the record is gone); the turn's save writes them. */
  keepInState: (context: TurnContext, entries: readonly TranscriptEntry[]) => Promise<void>;
}

/** The turn's {@link TurnJournal}, when its entries go to a live-chat record. */
export function turnJournal(context: TurnContext): TurnJournal | undefined {
  return context.turnState.get<TurnJournal | undefined>(TRANSCRIPT_JOURNAL_KEY);
}

/** Who outgoing messages of a turn are recorded as. */
export interface TranscriptSpeaker {
  role: TranscriptRole;
  name?: string;
}

/**
 * Records every user message and every message the bot sends into the conversation's bounded
 * transcript (conversation state). A recording failure never breaks the turn. With `journalOf`,
 * a user message in a live chat this instance holds (`journalOf` names its record) is recorded in
 * a {@link TurnJournal} instead, for the bot to write with the live-chat record.
 */
export class TranscriptRecorder implements Middleware {
  constructor(
    private readonly accessor: StatePropertyAccessor<Transcript>,
    private readonly limits: TranscriptLimits,
    private readonly logger: Logger,
    private readonly journalOf?: (channelId: string, conversationId: string) => string | undefined,
  ) {}

  async onTurn(context: TurnContext, next: () => Promise<void>): Promise<void> {
    const incoming = context.activity;
    const recordId = isMessage(incoming) ? this.journalOf?.(incoming.channelId, incoming.conversation.id) : undefined;
    if (recordId !== undefined) {
      const journal: TurnJournal = {
        recordId,
        entries: [],
        keepInState: async (ctx, entries) => {
          ctx.turnState.delete(TRANSCRIPT_SINK_KEY);
          for (const entry of entries) await this.record(ctx, entry);
        },
      };
      context.turnState.set(TRANSCRIPT_JOURNAL_KEY, journal);
      context.turnState.set(TRANSCRIPT_SINK_KEY, (entry: TranscriptEntry) => journal.entries.push(entry));
    }
    if (isMessage(incoming)) {
      const text = describeMessage(incoming);
      if (text !== '') {
        await this.record(context, { role: 'user', name: incoming.from.name, text, at: timeOf(incoming) });
      }
    }
    context.onSendActivities(async (ctx, activities, nextSend) => {
      const speaker = ctx.turnState.get<TranscriptSpeaker | undefined>(TRANSCRIPT_SPEAKER_KEY) ?? { role: 'bot' };
      for (const activity of activities) {
        if (!isMessage(activity)) continue;
        const text = describeMessage(activity);
        if (text === '') continue;
        await this.record(ctx, {
          role: speaker.role,
          ...(speaker.name === undefined ? {} : { name: speaker.name }),
          text,
          at: new Date().toISOString(),
        });
      }
      return nextSend();
    });
    await next();
  }

  /** Appends an entry to the transcript of the turn's conversation (also used for system events). */
  async record(context: TurnContext, entry: TranscriptEntry): Promise<void> {
    const sink = context.turnState.get<((entry: TranscriptEntry) => void) | undefined>(TRANSCRIPT_SINK_KEY);
    if (sink !== undefined) {
      sink(entry);
      return;
    }
    try {
      const stored = await this.accessor.get(context, emptyTranscript());
      const transcript = isTranscript(stored) ? stored : emptyTranscript();
      appendToTranscript(transcript, entry, this.limits);
      await this.accessor.set(context, transcript);
      const pending = context.turnState.get<TranscriptEntry[] | undefined>(TRANSCRIPT_PENDING_KEY) ?? [];
      pending.push(entry);
      context.turnState.set(TRANSCRIPT_PENDING_KEY, pending);
    } catch (err) {
      this.logger.warn({ err, conversationId: context.activity.conversation.id }, 'could not record transcript entry');
    }
  }
}

function timeOf(activity: Partial<Activity>): string {
  const ts = activity.timestamp;
  if (ts instanceof Date && !Number.isNaN(ts.getTime())) return ts.toISOString();
  return new Date().toISOString();
}

/** Text of a message for the transcript: its text, plus a note per attachment. */
export function describeMessage(activity: Partial<Activity>): string {
  const parts: string[] = [];
  const text = activityText(activity);
  if (text !== '') parts.push(text);
  for (const attachment of activity.attachments ?? []) {
    if (typeof attachment.contentUrl === 'string')
      parts.push(`[attachment: ${attachment.name ?? attachment.contentType}]`);
  }
  return parts.join(' ');
}
