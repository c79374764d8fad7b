/**
 * Lets a guest typing indicator through at most once per `intervalMs`, so a guest typing steadily
 * sends one indicator per interval rather than one per keystroke (docs/genesys-protocol.md §5.3).
 */
export class TypingThrottle {
  private lastAt = Number.NEGATIVE_INFINITY;

  /**
   * @param intervalMs minimum time between two indicators; 0 lets every one through.
   * @param now clock in milliseconds (injected for tests).
   */
  constructor(
    private readonly intervalMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** True (and the slot is taken) when an indicator may be sent now; false when it is too soon. */
  tryTake(): boolean {
    const now = this.now();
    if (now - this.lastAt < this.intervalMs) return false;
    this.lastAt = now;
    return true;
  }
}
