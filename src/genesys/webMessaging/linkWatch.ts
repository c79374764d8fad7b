import type { RetryPolicy } from '../retryPolicy';

/** Options of a {@link LinkWatch}. */
export interface LinkWatchOptions {
  /** How long the link may be down before `onDown` is called (ms); 0 disables the notice. */
  noticeAfterMs: number;
  /** How long the link must stay up after a notice before `onRestored` is called (ms). */
  stableAfterMs: number;
  /** Continuous downtime after which reconnecting stops (ms); 0 keeps the base policy's own limit. */
  giveUpAfterMs: number;
  /** The link has been down for `noticeAfterMs` (once per outage). */
  onDown: (downForMs: number) => void;
  /** The link came back after `onDown` and stayed up for `stableAfterMs`. */
  onRestored: () => void;
  /** Milliseconds since the epoch. */
  now: () => number;
}

/**
 * Watches one session's link to Genesys across drops and reconnects: tells once when an outage
 * lasts a noticeable time, tells again when the link is back for good, and turns a reconnect policy
 * into one that keeps trying for a time limit instead of an attempt count.
 *
 * [C] docs/genesys-protocol.md §5.8: closing the socket does not end the conversation and the same
 * token resumes it, so a long outage costs nothing on the Genesys side; only Genesys saying the
 * session is gone (4006/4007, `newSession: true`) or the time limit ends the chat.
 */
export class LinkWatch {
  private downSince: number | undefined;
  private noticed = false;
  private noticeTimer: NodeJS.Timeout | undefined;
  private stableTimer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(private readonly options: LinkWatchOptions) {}

  /** How long the link has been down without a break (ms), or 0 while it is up. */
  get downForMs(): number {
    return this.downSince === undefined ? 0 : this.options.now() - this.downSince;
  }

  /** The link dropped (a reconnect follows). */
  dropped(): void {
    if (this.stopped) return;
    this.clearStable();
    this.downSince ??= this.options.now();
    if (this.noticed || this.noticeTimer !== undefined || this.options.noticeAfterMs <= 0) return;
    const wait = Math.max(0, this.options.noticeAfterMs - this.downForMs);
    this.noticeTimer = setTimeout(() => {
      this.noticeTimer = undefined;
      if (this.stopped || this.downSince === undefined) return;
      this.noticed = true;
      this.options.onDown(this.downForMs);
    }, wait);
    this.noticeTimer.unref();
  }

  /** The session is configured again on a new connection. */
  restored(): void {
    if (this.stopped) return;
    this.downSince = undefined;
    this.clearNotice();
    if (!this.noticed || this.stableTimer !== undefined) return;
    this.stableTimer = setTimeout(() => {
      this.stableTimer = undefined;
      if (this.stopped || this.downSince !== undefined) return;
      this.noticed = false;
      this.options.onRestored();
    }, this.options.stableAfterMs);
    this.stableTimer.unref();
  }

  /** Stops every timer; no callback follows. */
  stop(): void {
    this.stopped = true;
    this.clearNotice();
    this.clearStable();
  }

  /**
   * `base` with a time limit instead of an attempt limit: its delays are used while it gives them,
   * then its last delay is repeated, until the link has been down for `giveUpAfterMs`. With
   * `giveUpAfterMs` 0, `base` is returned unchanged.
   */
  reconnectPolicy(base: RetryPolicy): RetryPolicy {
    const limit = this.options.giveUpAfterMs;
    if (limit <= 0) return base;
    let lastDelay = 1_000;
    return (attempt) => {
      const left = limit - this.downForMs;
      if (this.stopped || left <= 0) return null;
      const delay = base(attempt);
      if (delay !== null) lastDelay = delay;
      return Math.min(delay ?? lastDelay, left);
    };
  }

  private clearNotice(): void {
    if (this.noticeTimer !== undefined) clearTimeout(this.noticeTimer);
    this.noticeTimer = undefined;
  }

  private clearStable(): void {
    if (this.stableTimer !== undefined) clearTimeout(this.stableTimer);
    this.stableTimer = undefined;
  }
}
