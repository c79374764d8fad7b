import type { ChatEvent, ChatListener } from '../../src/genesys/handoffProvider';

/** Records the events a provider emits (hand it {@link EventRecorder.listener}) and lets a test wait for them. */
export class EventRecorder {
  readonly events: ChatEvent[] = [];
  private waiters: (() => void)[] = [];
  /** Runs before each event is recorded (to simulate slow or failing listeners). */
  before: ((event: ChatEvent) => Promise<void> | void) | undefined;

  /** The listener to hand to the provider. */
  readonly listener: ChatListener = async (event) => {
    if (this.before !== undefined) await this.before(event);
    this.events.push(event);
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  };

  /** Texts of the agent messages received so far, in order. */
  get texts(): string[] {
    return this.events.flatMap((e) => (e.kind === 'agentMessage' ? [e.text] : []));
  }

  /** Kinds of the events received so far, in order. */
  kinds(): string[] {
    return this.events.map((e) => e.kind);
  }

  /** Every recorded event of one kind. */
  ofKind<K extends ChatEvent['kind']>(kind: K): Extract<ChatEvent, { kind: K }>[] {
    return this.events.filter((e): e is Extract<ChatEvent, { kind: K }> => e.kind === kind);
  }

  /** Resolves once `check` holds over the recorded events (checked after every event); rejects after `timeoutMs`. */
  async until(check: (events: ChatEvent[]) => boolean, timeoutMs = 5000, what = 'events'): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!check(this.events)) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out waiting for ${what}; got ${JSON.stringify(this.kinds())}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** Resolves with the first recorded event (past or future) matching `predicate`. */
  async waitFor(predicate: (e: ChatEvent) => boolean, timeoutMs = 5000, what = 'an event'): Promise<ChatEvent> {
    await this.until((events) => events.some(predicate), timeoutMs, what);
    const found = this.events.find(predicate);
    if (found === undefined) throw new Error(`no ${what}`);
    return found;
  }

  /** Resolves with the first event of `kind` (waiting for it when needed). */
  async next<K extends ChatEvent['kind']>(kind: K, timeoutMs = 5000): Promise<Extract<ChatEvent, { kind: K }>> {
    await this.until((events) => events.some((e) => e.kind === kind), timeoutMs, kind);
    const found = this.ofKind(kind)[0];
    if (found === undefined) throw new Error(`no ${kind} event`);
    return found;
  }

  /** Waits until `n` events of `kind` were recorded. */
  async waitForCount(kind: ChatEvent['kind'], n: number, timeoutMs = 5000): Promise<void> {
    await this.until((events) => events.filter((e) => e.kind === kind).length >= n, timeoutMs, `${n} ${kind} events`);
  }
}
