import type { Activity, ConversationReference } from 'botbuilder';
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
  /** Sends still to refuse (each refusal counts one down). */
  refuse = 0;

  send(
    reference: Partial<ConversationReference>,
    activities: Partial<Activity>[],
    speaker: TranscriptSpeaker,
    systemNote?: string,
  ): Promise<void> {
    if (this.refuse > 0) {
      this.refuse--;
      return Promise.reject(new Error('channel refused the message'));
    }
    this.sends.push({
      conversationId: reference.conversation?.id,
      kind: 'send',
      activities,
      speaker,
      ...(systemNote === undefined ? {} : { note: systemNote }),
    });
    return Promise.resolve();
  }

  typing(reference: Partial<ConversationReference>): Promise<void> {
    this.sends.push({ conversationId: reference.conversation?.id, kind: 'typing', activities: [] });
    return Promise.resolve();
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
