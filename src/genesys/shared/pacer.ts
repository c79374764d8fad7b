import { systemClock, type Clock } from './clock';

/**
 * Spaces requests at least `1000 / perSecond` ms apart (a per-session message rate such as
 * docs/genesys-protocol.md §5.7). Slots are reserved synchronously, so concurrent callers are served
 * in call order.
 */
export class Pacer {
  private readonly intervalMs: number;
  private nextAt = 0;

  /** @throws RangeError when `perSecond` is not positive. */
  constructor(
    perSecond: number,
    private readonly clock: Clock = systemClock,
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
