import { HistoryBudget } from '../../../src/genesys/webMessaging/historyBudget';

/** A clock that stands still; a sleep is recorded (its end is when the caller's token is granted). */
function frozenClock(): {
  clock: { now: () => number; sleep: (ms: number) => Promise<void> };
  at: (t: number) => void;
  slept: () => number;
} {
  let time = 0;
  let lastSleep = 0;
  return {
    clock: {
      now: () => time,
      sleep: (ms) => {
        lastSleep = ms;
        return Promise.resolve();
      },
    },
    at: (t) => {
      time = t;
      lastSleep = 0;
    },
    slept: () => lastSleep,
  };
}

/** The most grants inside any window of `windowMs` (closed at its start, open at its end). */
function busiestWindow(grants: number[], windowMs: number): number {
  return Math.max(...grants.map((start) => grants.filter((t) => t >= start && t < start + windowMs).length));
}

describe('HistoryBudget (docs/genesys-protocol.md §5.7: 10 history reads per session per minute)', () => {
  it('a link flapping every 3 s for 36 s never makes more than 10 history calls in any minute', async () => {
    const { clock, at, slept } = frozenClock();
    const budget = new HistoryBudget(undefined, clock);
    const grants: number[] = [];
    for (let t = 0; t < 36_000; t += 3_000) {
      at(t);
      await budget.take();
      grants.push(t + slept());
    }
    // Every demand is served (none is dropped), later ones later.
    expect(grants).toHaveLength(12);
    expect([...grants].sort((a, b) => a - b)).toEqual(grants);
    expect(busiestWindow(grants, 60_000)).toBeLessThanOrEqual(10);
    // Without the budget these 12 calls would all fall inside one minute.
    expect(
      busiestWindow(
        [...Array(12).keys()].map((i) => i * 3_000),
        60_000,
      ),
    ).toBe(12);
  });

  it('serves a burst at once up to half the allowance, then one call per refill, in call order', async () => {
    const { clock, at, slept } = frozenClock();
    const budget = new HistoryBudget({ requests: 10, windowMs: 60_000 }, clock);
    at(0);
    const waits: number[] = [];
    for (let i = 0; i < 7; i++) {
      await budget.take();
      waits.push(slept());
    }
    expect(waits).toEqual([0, 0, 0, 0, 0, 12_000, 24_000]);
    at(100_000);
    expect(budget.waitMs).toBe(0);
  });

  it('refuses a limit it cannot keep', () => {
    expect(() => new HistoryBudget({ requests: 1, windowMs: 60_000 })).toThrow(RangeError);
    expect(() => new HistoryBudget({ requests: 10, windowMs: 0 })).toThrow(RangeError);
  });
});
