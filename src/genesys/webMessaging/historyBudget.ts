import { systemClock, type Clock } from '../shared';

/** A history rate: at most `requests` calls per `windowMs`. */
export interface HistoryRateLimit {
  requests: number;
  windowMs: number;
}

/** [C] docs/genesys-protocol.md §5.7: 10 history reads per session per minute. */
export const GENESYS_HISTORY_RATE_LIMIT: HistoryRateLimit = { requests: 10, windowMs: 60_000 };

/**
 * The history reads one Web Messaging session may still make (docs/genesys-protocol.md §5.7), as a
 * token bucket that keeps every window of `windowMs` within `requests` calls whatever way Genesys
 * counts (sliding or fixed window): the bucket holds half the allowance (`requests / 2`, rounded
 * down) and the other half comes back spread over the window, so a window sees at most the tokens it
 * started with plus those that came back during it. Reservations are made synchronously, so
 * concurrent callers are served in call order; the clock is injected for tests.
 */
export class HistoryBudget {
  private readonly capacity: number;
  private readonly refillMs: number;
  private tokens: number;
  private updatedAt: number;

  /** @throws RangeError unless the limit allows at least 2 requests per positive window. */
  constructor(
    readonly limit: HistoryRateLimit = GENESYS_HISTORY_RATE_LIMIT,
    private readonly clock: Clock = systemClock,
  ) {
    if (!(limit.requests >= 2) || !(limit.windowMs > 0))
      throw new RangeError(
        `HistoryBudget: needs at least 2 requests per positive window, got ${JSON.stringify(limit)}`,
      );
    this.capacity = Math.floor(limit.requests / 2);
    this.refillMs = limit.windowMs / (limit.requests - this.capacity);
    this.tokens = this.capacity;
    this.updatedAt = clock.now();
  }

  /** How long a call now would wait for its token, in ms (0 when one is free). */
  get waitMs(): number {
    this.refill();
    return this.tokens >= 1 ? 0 : Math.ceil((1 - this.tokens) * this.refillMs);
  }

  /** Waits for a token and takes it. */
  async take(): Promise<void> {
    this.refill();
    this.tokens -= 1;
    // A negative balance is a reservation: this caller waits until its token has come back.
    if (this.tokens < 0) await this.clock.sleep(Math.ceil(-this.tokens * this.refillMs));
  }

  private refill(): void {
    const now = this.clock.now();
    this.tokens = Math.min(this.capacity, this.tokens + (now - this.updatedAt) / this.refillMs);
    this.updatedAt = now;
  }
}
