import { delay } from '../retryPolicy';

/** Clock and sleep, injected so tests can use fake timers or a manual clock. */
export interface PacerClock {
  now: () => number;
  sleep: (ms: number) => Promise<void>;
}

const realClock: PacerClock = { now: () => Date.now(), sleep: delay };

/**
 * Spaces requests at least `1000 / perSecond` ms apart (docs/genesys-protocol.md §5.7: per-session message rate).
 * Slots are reserved synchronously, so concurrent callers are served in call order.
 */
export class Pacer {
  private readonly intervalMs: number;
  private nextAt = 0;

  constructor(
    perSecond: number,
    private readonly clock: PacerClock = realClock,
  ) {
    if (!(perSecond > 0)) throw new RangeError(`Pacer: perSecond must be positive, got ${perSecond}`);
    this.intervalMs = 1000 / perSecond;
  }

  /** Waits for the next free slot and takes it. */
  async take(): Promise<void> {
    const now = this.clock.now();
    const wait = this.nextAt - now;
    this.nextAt = Math.max(now, this.nextAt) + this.intervalMs;
    if (wait > 0) await this.clock.sleep(wait);
  }
}
