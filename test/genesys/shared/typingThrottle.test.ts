import { TypingThrottle } from '../../../src/genesys/shared/typingThrottle';

describe('TypingThrottle', () => {
  it('lets one indicator through per interval of the injected clock', () => {
    let now = 10_000;
    const throttle = new TypingThrottle(5_000, () => now);
    expect(throttle.tryTake()).toBe(true);
    now += 4_999;
    expect(throttle.tryTake()).toBe(false);
    now += 1;
    expect(throttle.tryTake()).toBe(true);
    // A refused attempt does not move the window.
    now += 2_000;
    expect(throttle.tryTake()).toBe(false);
    now += 3_000;
    expect(throttle.tryTake()).toBe(true);
  });

  it('lets the very first indicator through at any clock value', () => {
    expect(new TypingThrottle(5_000, () => 0).tryTake()).toBe(true);
  });

  it('with interval 0 lets every indicator through', () => {
    const throttle = new TypingThrottle(0, () => 42);
    expect([throttle.tryTake(), throttle.tryTake(), throttle.tryTake()]).toEqual([true, true, true]);
  });
});
