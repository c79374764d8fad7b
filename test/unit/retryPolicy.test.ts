import { exponentialBackoff, retryAsync } from '../../src/genesys/retryPolicy';

describe('retry policy', () => {
  it('doubles up to the cap and gives up after maxAttempts', () => {
    const policy = exponentialBackoff({ initialMs: 100, maxMs: 500, maxAttempts: 5 });
    expect([1, 2, 3, 4, 5, 6].map(policy)).toEqual([100, 200, 400, 500, 500, null]);
  });

  it('applies jitter below the nominal delay', () => {
    const policy = exponentialBackoff({ initialMs: 1000, maxMs: 1000, maxAttempts: 1, jitter: 0.5, random: () => 1 });
    expect(policy(1)).toBe(500);
  });

  it('retries retryable failures, honouring a longer server Retry-After', async () => {
    const waits: number[] = [];
    let calls = 0;
    const result = await retryAsync(
      () => {
        calls++;
        return calls < 3 ? Promise.reject(new Error(calls === 1 ? 'busy' : 'slow down')) : Promise.resolve('ok');
      },
      {
        policy: () => 10,
        isRetryable: () => true,
        retryAfterMs: (err) => ((err as Error).message === 'slow down' ? 2000 : undefined),
        sleep: (ms) => {
          waits.push(ms);
          return Promise.resolve();
        },
      },
    );
    expect(result).toBe('ok');
    expect(waits).toEqual([10, 2000]);
  });

  it('does not retry what is not retryable', async () => {
    let calls = 0;
    await expect(
      retryAsync(
        () => {
          calls++;
          return Promise.reject(new Error('bad request'));
        },
        { policy: () => 1, isRetryable: () => false, sleep: () => Promise.resolve() },
      ),
    ).rejects.toThrow('bad request');
    expect(calls).toBe(1);
  });
});
