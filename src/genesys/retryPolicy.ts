/**
 * Decides how long to wait before attempt number `attempt` (1 = the first retry), or `null` to give up.
 * Injected wherever something is retried so tests can make it instant and operators can tune it.
 */
export type RetryPolicy = (attempt: number) => number | null;

/** Options of {@link exponentialBackoff}. */
export interface ExponentialBackoffOptions {
  /** Delay before the first retry. */
  initialMs: number;
  /** Upper bound of a single delay. */
  maxMs: number;
  /** Give up after this many retries. */
  maxAttempts: number;
  /** 0 = no jitter; 0.5 = each delay is drawn from [50%, 100%] of the nominal value. */
  jitter?: number;
  /** Source of randomness (tests pass a constant). */
  random?: () => number;
}

/** Exponential backoff with optional jitter and a retry cap. */
export function exponentialBackoff(options: ExponentialBackoffOptions): RetryPolicy {
  const jitter = options.jitter ?? 0;
  const random = options.random ?? Math.random;
  return (attempt) => {
    if (attempt > options.maxAttempts) return null;
    const nominal = Math.min(options.maxMs, options.initialMs * 2 ** (attempt - 1));
    return Math.round(nominal * (1 - jitter * random()));
  };
}

/** Socket reconnects: 0.5 s doubling to 15 s, for about five minutes, as the Genesys mobile SDK does. */
export const defaultReconnectPolicy: RetryPolicy = exponentialBackoff({
  initialMs: 500,
  maxMs: 15_000,
  maxAttempts: 24,
  jitter: 0.3,
});

/** HTTP calls: 0.5 s doubling to 8 s, 4 retries. */
export const defaultRequestRetryPolicy: RetryPolicy = exponentialBackoff({
  initialMs: 500,
  maxMs: 8_000,
  maxAttempts: 4,
  jitter: 0.3,
});

/** Default spread of {@link afterRetryAfter}: up to 20% on top of the server's wait. */
export const RETRY_AFTER_JITTER = 0.2;

/**
 * The wait before retrying a request Genesys rate limited: its `retryAfter` plus a random share of
 * it (up to `jitter`, e.g. 0.2 = 20%), so that many sessions refused at once do not all come back
 * at the same moment (docs/genesys-protocol.md §5.4, §5.7).
 */
export function afterRetryAfter(retryAfterMs: number, jitter = RETRY_AFTER_JITTER, random = Math.random): number {
  return Math.round(retryAfterMs * (1 + jitter * random()));
}

/** Resolves after `ms` milliseconds. */
export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Options of {@link retryAsync}. */
export interface RetryAsyncOptions {
  policy: RetryPolicy;
  /** Whether this failure is worth another attempt. */
  isRetryable: (err: unknown) => boolean;
  /** A server-given wait (429 `Retry-After`); overrides the policy's delay when larger. */
  retryAfterMs?: (err: unknown) => number | undefined;
  /** Spread added on top of a server-given wait (see {@link afterRetryAfter}); default 0 (exactly the server's wait). */
  retryAfterJitter?: number;
  /** Called before each wait, for logging. */
  onRetry?: (err: unknown, attempt: number, waitMs: number) => void;
  /** Injected for tests. */
  sleep?: (ms: number) => Promise<void>;
}

/**
 * Runs `operation`, retrying retryable failures as the policy allows. A server-given `Retry-After`
 * is always honoured: a rate-limited call waits at least that long, even past the policy's delay.
 */
export async function retryAsync<T>(operation: () => Promise<T>, options: RetryAsyncOptions): Promise<T> {
  const sleep = options.sleep ?? delay;
  for (let attempt = 1; ; attempt++) {
    try {
      return await operation();
    } catch (err) {
      if (!options.isRetryable(err)) throw err;
      const policyMs = options.policy(attempt);
      if (policyMs === null) throw err;
      const serverMs = options.retryAfterMs?.(err);
      const waitMs =
        serverMs === undefined
          ? policyMs
          : Math.max(afterRetryAfter(serverMs, options.retryAfterJitter ?? 0), policyMs);
      options.onRetry?.(err, attempt, waitMs);
      await sleep(waitMs);
    }
  }
}
