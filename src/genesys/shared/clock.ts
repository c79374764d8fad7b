import { delay } from '../retryPolicy';

/** Time source and sleep of the provider plumbing, injected so tests control time without waiting. */
export interface Clock {
  /** Milliseconds since the epoch. */
  now: () => number;
  /** Resolves after `ms` milliseconds. */
  sleep: (ms: number) => Promise<void>;
}

/** The wall clock and real timers. */
export const systemClock: Clock = { now: () => Date.now(), sleep: delay };
