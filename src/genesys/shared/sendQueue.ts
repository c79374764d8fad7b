/**
 * Runs a session's guest sends one after another, in call order. A failed send rejects its own
 * caller only: later sends still run.
 */
export class SendQueue {
  private tail: Promise<void> = Promise.resolve();

  /** Queues `job` behind every job queued before it; resolves or rejects with `job`'s outcome. */
  run<T>(job: () => Promise<T>): Promise<T> {
    const run = this.tail.then(job);
    this.tail = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  }

  /** Resolves once every job queued so far has settled (never rejects). */
  drained(): Promise<void> {
    return this.tail;
  }
}
