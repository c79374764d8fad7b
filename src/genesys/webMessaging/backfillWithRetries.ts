import type { Logger } from '../../logger';
import { GenesysError } from '../genesysError';
import { afterRetryAfter } from '../retryPolicy';
import type { Clock } from '../shared';

/** How often a backfill that failed on a transient error is tried again before the failure is reported. */
const BACKFILL_RETRIES = 3;

/** Options of {@link backfillWithRetries}. */
export interface BackfillWithRetriesOptions {
  /** Runs one backfill from history. */
  run: () => Promise<void>;
  /** Resolves once the link is ready again; rejects when it is not within the reconnect wait. */
  waitReady: () => Promise<void>;
  /** True while the chat is live. */
  isLive: () => boolean;
  /** Reports a failure that ends the attempts (as an `error` event). */
  reportError: (err: unknown, message: string) => void;
  clock: Clock;
  logger: Logger;
}

/**
 * Runs a backfill, trying again after a transient failure (a link that dropped again, a busy history)
 * up to {@link BACKFILL_RETRIES} times while the chat is live. Never rejects: the final failure is reported.
 */
export async function backfillWithRetries(options: BackfillWithRetriesOptions): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await options.run();
      return;
    } catch (err) {
      // A link that dropped again (or a busy history) must not lose what the agent said: try again.
      if (!(err instanceof GenesysError && err.transient) || attempt > BACKFILL_RETRIES || !options.isLive()) {
        options.reportError(err, 'backfill from history failed');
        return;
      }
      options.logger.info({ err, attempt }, 'backfill from history failed; trying again once the link is ready');
      // [C] docs/genesys-protocol.md §5.4: a rate-limited request says when to come back.
      if (err.retryAfterMs !== undefined) await options.clock.sleep(afterRetryAfter(err.retryAfterMs));
      const ready = await options.waitReady().then(
        () => true,
        (waitErr: unknown) => {
          options.reportError(waitErr, 'link not ready for backfill');
          return false;
        },
      );
      if (!ready) return;
    }
  }
}
