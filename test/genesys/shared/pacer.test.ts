import { Pacer } from '../../../src/genesys/shared/pacer';

describe('Pacer', () => {
  afterEach(() => {
    jest.useRealTimers();
  });

  it('spaces slots 1/rate apart, in call order, with fake timers', async () => {
    jest.useFakeTimers({ now: 1_000_000 });
    const pacer = new Pacer(2);
    const done: number[] = [];
    const takes = [0, 1, 2].map((i) =>
      pacer.take().then(() => {
        done.push(i);
      }),
    );
    await jest.advanceTimersByTimeAsync(0);
    expect(done).toEqual([0]);
    await jest.advanceTimersByTimeAsync(499);
    expect(done).toEqual([0]);
    await jest.advanceTimersByTimeAsync(1);
    expect(done).toEqual([0, 1]);
    await jest.advanceTimersByTimeAsync(500);
    expect(done).toEqual([0, 1, 2]);
    await Promise.all(takes);
  });

  it('does not bank unused time: a pause does not allow a burst', async () => {
    let now = 0;
    const sleeps: number[] = [];
    const pacer = new Pacer(5, {
      now: () => now,
      sleep: (ms) => {
        sleeps.push(ms);
        now += ms;
        return Promise.resolve();
      },
    });
    await pacer.take();
    now += 10_000;
    await pacer.take();
    await pacer.take();
    expect(sleeps).toEqual([200]);
  });

  it('rejects a non-positive rate', () => {
    expect(() => new Pacer(0)).toThrow(RangeError);
  });
});
