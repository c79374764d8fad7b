import type { BotState, TurnContext } from 'botbuilder';
import type { Logger } from '../logger';
import { TRANSCRIPT_PENDING_KEY } from '../transcript/transcriptRecorder';
import {
  appendToTranscript,
  emptyTranscript,
  isTranscript,
  type TranscriptEntry,
  type TranscriptLimits,
} from '../transcript/transcript';

/** True when a storage write lost an optimistic-concurrency race (HTTP 412 / eTag conflict). */
export function isEtagConflict(err: unknown): boolean {
  if (typeof err !== 'object' || err === null) return false;
  const { code, statusCode, message } = err as { code?: unknown; statusCode?: unknown; message?: unknown };
  return (
    code === 412 || statusCode === 412 || (typeof message === 'string' && /etag conflict|precondition/i.test(message))
  );
}

const MAX_SAVE_ATTEMPTS = 4;

/**
 * Saves conversation and user state at the end of a turn. When another instance (or a proactive
 * agent message) wrote the same state meanwhile, it re-reads the state and re-applies this turn's
 * changes instead of overwriting blindly: the stored transcript gets this turn's entries appended,
 * and the rest of this turn's state (dialog stack, flags) replaces the stored one, since this turn
 * handled the newest activity.
 */
export class StateSaver {
  constructor(
    private readonly conversationState: BotState,
    private readonly userState: BotState,
    private readonly transcriptProperty: string,
    private readonly limits: TranscriptLimits,
    private readonly logger: Logger,
  ) {}

  /**
   * Saves both states, resolving concurrency conflicts. A `proactive` turn (an agent message) did
   * not handle a user activity: on a conflict it re-applies only its transcript entries and keeps
   * everything else as stored.
   */
  async save(context: TurnContext, mode: 'turn' | 'proactive' = 'turn'): Promise<void> {
    await this.saveOne(context, this.conversationState, true, mode);
    await this.saveOne(context, this.userState, false, mode);
  }

  private async saveOne(
    context: TurnContext,
    state: BotState,
    hasTranscript: boolean,
    mode: 'turn' | 'proactive',
  ): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await state.saveChanges(context, attempt > 1);
        return;
      } catch (err) {
        if (!isEtagConflict(err) || attempt >= MAX_SAVE_ATTEMPTS) throw err;
        this.logger.debug(
          { conversationId: context.activity.conversation.id, attempt },
          'state changed concurrently; re-applying this turn',
        );
        await this.reapply(context, state, hasTranscript, mode);
      }
    }
  }

  private async reapply(
    context: TurnContext,
    state: BotState,
    hasTranscript: boolean,
    mode: 'turn' | 'proactive',
  ): Promise<void> {
    const mine = { ...(state.get(context) as Record<string, unknown> | undefined) };
    await state.load(context, true);
    const fresh = state.get(context) as Record<string, unknown> | undefined;
    if (fresh === undefined) return;
    for (const [key, value] of Object.entries(mine)) {
      if (mode === 'proactive') break;
      if (key === 'eTag' || (hasTranscript && key === this.transcriptProperty)) continue;
      fresh[key] = value;
    }
    if (hasTranscript) {
      const stored = fresh[this.transcriptProperty];
      const transcript = isTranscript(stored) ? stored : emptyTranscript();
      const pending = context.turnState.get<TranscriptEntry[] | undefined>(TRANSCRIPT_PENDING_KEY) ?? [];
      for (const entry of pending) appendToTranscript(transcript, entry, this.limits);
      fresh[this.transcriptProperty] = transcript;
    }
  }
}
