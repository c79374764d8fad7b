import type { Logger } from '../../logger';
import type { ChatEvent, ChatListener } from '../handoffProvider';

/**
 * The ordered event path of one chat session, shared by every provider.
 *
 * Everything a session does with incoming traffic (frames, catch-ups, events for the listener) runs
 * as a task on one queue, strictly one at a time and in order, so the {@link ChatListener} sees events
 * in order and each is awaited before the next one (the contract of `ChatListener`).
 *
 * One failure policy: a task or listener that throws is logged at `warn` and the chat goes on.
 * Nothing is delivered after `ended`, nor after {@link ChatEventPipeline.silence} (detach).
 */
export class ChatEventPipeline {
  private tail: Promise<void> = Promise.resolve();
  private ended = false;
  private silenced = false;

  constructor(
    private readonly listener: ChatListener,
    private readonly logger: Logger,
  ) {}

  /** Runs `task` after every task queued before it. The returned promise never rejects (failures are logged). */
  enqueue(task: () => Promise<void> | void): Promise<void> {
    const run = this.tail.then(task).catch((err: unknown) => {
      this.logger.warn({ err }, 'chat event handling failed; continuing');
    });
    this.tail = run;
    return run;
  }

  /** Queues `event` for the listener behind every queued task. Never rejects. */
  emit(event: ChatEvent): Promise<void> {
    return this.enqueue(() => this.deliver(event));
  }

  /**
   * Hands `event` to the listener now and waits for it. Call it from a task already on the queue
   * (calling it elsewhere would overtake queued events). Never rejects.
   */
  async deliver(event: ChatEvent): Promise<void> {
    if (this.ended || this.silenced) return;
    if (event.kind === 'ended') this.ended = true;
    try {
      await this.listener(event);
    } catch (err) {
      this.logger.warn({ err, event: event.kind }, 'chat listener failed; continuing');
    }
  }

  /** No event reaches the listener from now on (the session was detached). */
  silence(): void {
    this.silenced = true;
  }

  /** True once `ended` was handed to the listener. */
  get hasEnded(): boolean {
    return this.ended;
  }

  /** Resolves once every task queued so far has run (tests, shutdown). */
  idle(): Promise<void> {
    return this.tail;
  }
}
