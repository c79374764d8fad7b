import type { Clock } from '../../src/handoff/clock';

/** A clock that moves only when the test moves it. */
export class TestClock implements Clock {
  constructor(private time = 1_700_000_000_000) {}

  now(): number {
    return this.time;
  }

  /** Moves the clock forward by `ms`. */
  advance(ms: number): void {
    this.time += ms;
  }
}
