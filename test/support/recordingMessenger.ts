import type { Activity, ConversationReference } from 'botbuilder';
import type { ChannelFailure, SendResult } from '../../src/handoff/channelFailure';
import type { ChatMessenger } from '../../src/handoff/proactiveMessenger';
import type { TranscriptSpeaker } from '../../src/transcript/transcriptRecorder';

/** One proactive send as the handoff layer asked for it. */
export interface ProactiveSend {
  conversationId: string | undefined;
  kind: 'send' | 'typing' | 'note';
  activities: Partial<Activity>[];
  speaker?: TranscriptSpeaker;
  note?: string;
}

/** Stands in for the channel side of the handoff layer: records every proactive send; can refuse sends. */
export class RecordingMessenger implements ChatMessenger {
  readonly sends: ProactiveSend[] = [];
  /** Sends still to refuse as throttled (each refusal counts one down). */
  refuse = 0;
  /** Refusals to answer the next sends with, in order (after {@link refuse}). */
  readonly failures: ChannelFailure[] = [];
  /** Every attempt, including refused ones: the text of each message activity, or the kind. */
  readonly attempts: { conversationId: string | undefined; serviceUrl: string | undefined; texts: string[] }[] = [];

  send(
    reference: Partial<ConversationReference>,
    activities: Partial<Activity>[],
    speaker: TranscriptSpeaker,
    systemNote?: string,
  ): Promise<SendResult> {
    this.attempts.push({
      conversationId: reference.conversation?.id,
      serviceUrl: reference.serviceUrl,
      texts: activities.map((a) => a.text ?? ''),
    });
    if (this.refuse > 0) {
      this.refuse--;
      return Promise.resolve({
        ok: false,
        failure: { kind: 'transient', status: 429, code: 'Throttled', retryAfterMs: 10 },
      });
    }
    const failure = this.failures.shift();
    if (failure !== undefined) return Promise.resolve({ ok: false, failure });
    this.sends.push({
      conversationId: reference.conversation?.id,
      kind: 'send',
      activities,
      speaker,
      ...(systemNote === undefined ? {} : { note: systemNote }),
    });
    return Promise.resolve({ ok: true });
  }

  /** When set, typing indicators are refused with it. */
  typingRefusal: ChannelFailure | undefined;

  typing(reference: Partial<ConversationReference>): Promise<SendResult> {
    if (this.typingRefusal !== undefined) return Promise.resolve({ ok: false, failure: this.typingRefusal });
    this.sends.push({ conversationId: reference.conversation?.id, kind: 'typing', activities: [] });
    return Promise.resolve({ ok: true });
  }

  note(reference: Partial<ConversationReference>, text: string): Promise<void> {
    this.sends.push({ conversationId: reference.conversation?.id, kind: 'note', activities: [], note: text });
    return Promise.resolve();
  }

  /** Texts of the messages sent so far, in order. */
  texts(): string[] {
    return this.sends.flatMap((s) => s.activities.flatMap((a) => (a.type === 'message' ? [a.text ?? ''] : [])));
  }
}
