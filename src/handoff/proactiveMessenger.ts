import { ActivityTypes, type Activity, type ConversationReference, type TurnContext } from 'botbuilder';
import type { Logger } from '../logger';
import { classifyChannelError, type SendResult } from './channelFailure';
import { SPANS, telemetry } from '../telemetry/telemetry';
import type { StateSaver } from '../state/stateSaver';
import {
  TRANSCRIPT_SPEAKER_KEY,
  type TranscriptRecorder,
  type TranscriptSpeaker,
} from '../transcript/transcriptRecorder';

/** Runs `logic` in a proactive turn of the conversation `reference` points to. */
export type ProactiveRunner = (
  reference: Partial<ConversationReference>,
  logic: (context: TurnContext) => Promise<void>,
) => Promise<void>;

/** What the handoff layer needs to reach a user proactively (see {@link ProactiveMessenger}). */
export type ChatMessenger = Pick<ProactiveMessenger, 'send' | 'typing' | 'note'>;

/**
 * The only way the product talks to a user outside of the user's own turn: agent messages, typing,
 * joins and ends. Each send is recorded in the conversation transcript with its speaker and the
 * state is saved (re-applying on concurrent writes).
 *
 * A send never throws and never reaches the adapter's `onTurnError` (which would apologise to the
 * user for a failure that is not theirs): what the channel refused comes back as a classified
 * {@link SendResult} for the caller to retry, refresh or stop.
 */
export class ProactiveMessenger {
  constructor(
    private readonly run: ProactiveRunner,
    private readonly recorder: TranscriptRecorder,
    private readonly stateSaver: StateSaver,
    private readonly logger: Logger,
  ) {}

  /** Sends activities to the conversation (without `replyToId`, see {@link stripReplyToId}). */
  async send(
    reference: Partial<ConversationReference>,
    activities: Partial<Activity>[],
    speaker: TranscriptSpeaker,
    systemNote?: string,
  ): Promise<SendResult> {
    const attributes = { 'bot.channel_id': reference.channelId ?? '', 'bot.activity.count': activities.length };
    return telemetry().withSpan(SPANS.proactiveSend, attributes, () =>
      this.sendInTurn(reference, activities, speaker, systemNote),
    );
  }

  private sendInTurn(
    reference: Partial<ConversationReference>,
    activities: Partial<Activity>[],
    speaker: TranscriptSpeaker,
    systemNote: string | undefined,
  ): Promise<SendResult> {
    return this.attempt(reference, async (context) => {
      context.turnState.set(TRANSCRIPT_SPEAKER_KEY, speaker);
      stripReplyToId(context);
      if (systemNote !== undefined) {
        await this.recorder.record(context, { role: 'system', text: systemNote, at: new Date().toISOString() });
      }
      if (activities.length > 0) {
        await telemetry().withSpan(
          SPANS.channelSend,
          { 'bot.channel_id': context.activity.channelId },
          async (span) => {
            const accepted = await context.sendActivities(activities);
            span.addEvent('channel.accepted', { 'bot.activity.count': accepted.length });
          },
        );
      }
      // The user has seen the message: a failure to record it must not make the caller send it again.
      await this.stateSaver.save(context, 'proactive').catch((err: unknown) => {
        this.logger.warn(
          { err, conversationId: reference.conversation?.id },
          'sent, but could not save the transcript',
        );
      });
    });
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
