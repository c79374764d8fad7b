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

/** Who outgoing messages of a turn are recorded as. */
export interface TranscriptSpeaker {
  role: TranscriptRole;
  name?: string;
}

/**
 * Records every user message and every message the bot sends into the conversation's bounded
 * transcript (conversation state). A recording failure never breaks the turn.
 */
export class TranscriptRecorder implements Middleware {
  constructor(
    private readonly accessor: StatePropertyAccessor<Transcript>,
    private readonly limits: TranscriptLimits,
    private readonly logger: Logger,
  ) {}

  async onTurn(context: TurnContext, next: () => Promise<void>): Promise<void> {
    const incoming = context.activity;
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
