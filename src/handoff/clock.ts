/** Source of the current time, injected so timers and leases can be tested without waiting. */
export interface Clock {
  /** Milliseconds since the Unix epoch. */
  now(): number;
}

/** The system clock (`Date.now`). */
export const systemClock: Clock = { now: () => Date.now() };
