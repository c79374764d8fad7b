/**
 * What Genesys says about a guest session's lifetime (docs/genesys-protocol.md §5.15): the inactivity
 * window in seconds and the expiry as epoch seconds. Either may be missing.
 */
export interface LifetimeReport {
  durationSeconds?: number;
  expirationDate?: number;
}

/** Options of a {@link SessionLifetime}. */
export interface SessionLifetimeOptions {
  /**
   * How long before the expiry `onExpiring` is called (ms). Capped at half the session's lifetime so
   * a short lifetime is not announced from its start.
   */
  noticeBeforeMs: number;
  /** The session ends in `expiresInSeconds` unless a message is sent or received. Once per expiry time. */
  onExpiring: (expiresInSeconds: number) => void;
  /** Milliseconds since the epoch. */
  now: () => number;
}

/** Reads the lifetime keys of an `echo` answer's metadata, where Genesys gives them as strings. */
export function lifetimeFromMetadata(metadata: Record<string, string>): LifetimeReport {
  const report: LifetimeReport = {};
  const duration = Number(metadata.durationSeconds);
  const expiration = Number(metadata.expirationDate);
  if (metadata.durationSeconds !== undefined && Number.isFinite(duration) && duration > 0)
    report.durationSeconds = duration;
  if (metadata.expirationDate !== undefined && Number.isFinite(expiration) && expiration > 0)
    report.expirationDate = expiration;
  return report;
}

/**
 * Tracks when a Web Messaging guest session expires and warns before it does, as Genesys' own
 * Messenger clients do. [C] docs/genesys-protocol.md §5.15: admins configure the inactivity lifetime
 * (15 minutes to 18 months); `SessionResponse` and every `echo` answer report `durationSeconds` and
 * `expirationDate`; Messenger warns in the last 5 minutes and re-arms on each message. [I] every
 * message either way restarts the window, so a guest waiting in a queue without messages expires.
 *
 * The bot does not fake guest activity to keep a session alive (the agent would see it); a message
 * from the user is what extends it. Expiry itself arrives as `SessionExpiredEvent` or error 4006 and
 * is handled by the session.
 */
export class SessionLifetime {
  private durationMs: number | undefined;
  private expiresAt: number | undefined;
  private noticedFor: number | undefined;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(private readonly options: SessionLifetimeOptions) {}

  /** The expiry Genesys reported or that follows from the last message (epoch ms), if known. */
  get expiresAtMs(): number | undefined {
    return this.expiresAt;
  }

  /** Takes what Genesys reported (a `SessionResponse` or an `echo` answer). */
  report(report: LifetimeReport): void {
    if (report.durationSeconds !== undefined) this.durationMs = report.durationSeconds * 1000;
    if (report.expirationDate !== undefined) this.expiresAt = this.reconcile(report.expirationDate * 1000);
    else if (this.durationMs !== undefined && this.expiresAt === undefined)
      this.expiresAt = this.options.now() + this.durationMs;
    this.schedule();
  }

  /** A message was sent or received: the window starts again. */
  touched(): void {
    if (this.durationMs === undefined) return;
    this.expiresAt = this.options.now() + this.durationMs;
    this.schedule();
  }

  /** Stops the timer; no callback follows. */
  stop(): void {
    this.stopped = true;
    this.clear();
  }

  /**
   * `expirationDate` has whole seconds: a reported expiry within the same second as the one derived
   * from the last message is the same expiry, and the more precise one is kept.
   */
  private reconcile(reportedMs: number): number {
    const known = this.expiresAt;
    if (known !== undefined && known >= reportedMs && known - reportedMs < 1000) return known;
    return reportedMs;
  }

  private schedule(): void {
    this.clear();
    const expiresAt = this.expiresAt;
    if (this.stopped || expiresAt === undefined || this.noticedFor === expiresAt) return;
    const window = Math.min(this.options.noticeBeforeMs, (this.durationMs ?? Infinity) / 2);
    const wait = expiresAt - window - this.options.now();
    // Timers cap at about 24.8 days; a later expiry is looked at again when the next report comes.
    if (wait > 2 ** 31 - 1) return;
    this.timer = setTimeout(
      () => {
        this.timer = undefined;
        this.notice(expiresAt);
      },
      Math.max(0, wait),
    );
    this.timer.unref();
  }

  private notice(expiresAt: number): void {
    if (this.stopped || this.expiresAt !== expiresAt) return;
    const left = Math.ceil((expiresAt - this.options.now()) / 1000);
    if (left <= 0) return;
    this.noticedFor = expiresAt;
    this.options.onExpiring(left);
  }

  private clear(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }
}
