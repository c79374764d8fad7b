/**
 * Holds live agent messages for a short window and releases them in time order, because Web
 * Messaging gives no ordering guarantee (docs/genesys-protocol.md §5.8). Items with equal times keep
 * their arrival order.
 */
export class ReorderBuffer<T> {
  private items: { item: T; timeMs: number; seq: number }[] = [];
  private timer: NodeJS.Timeout | undefined;
  private seq = 0;

  /**
   * @param windowMs how long the first held item waits before everything held is released; 0 releases at once.
   * @param release receives each item, oldest first.
   */
  constructor(
    private readonly windowMs: number,
    private readonly release: (item: T, timeMs: number) => void,
  ) {}

  /** Holds `item` (`timeMs` may be `+Infinity`: sorted last). Call {@link ReorderBuffer.schedule} after a live arrival. */
  add(item: T, timeMs: number): void {
    this.items.push({ item, timeMs, seq: this.seq++ });
  }

  /** Releases now when the window is 0, else starts the window unless one is running. */
  schedule(): void {
    if (this.windowMs <= 0) {
      this.flush();
      return;
    }
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      this.flush();
    }, this.windowMs);
  }

  /** Releases everything held, in time order. */
  flush(): void {
    this.stopTimer();
    const ready = this.items.sort((a, b) => a.timeMs - b.timeMs || a.seq - b.seq);
    this.items = [];
    for (const entry of ready) this.release(entry.item, entry.timeMs);
  }

  /** Forgets everything held without releasing it. */
  discard(): void {
    this.stopTimer();
    this.items = [];
  }

  private stopTimer(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }
}
