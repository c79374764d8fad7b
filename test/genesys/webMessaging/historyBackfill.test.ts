import { CoalescingRunner } from '../../../src/genesys/webMessaging/historyBackfill';

/** A job whose runs are finished by the test. */
function controlledJob(): { job: () => Promise<void>; runs: number; finish: (err?: Error) => void } {
  const pending: ((err?: Error) => void)[] = [];
  const state = {
    runs: 0,
    job: () => {
      state.runs++;
      return new Promise<void>((resolve, reject) => {
        pending.push((err) => {
          if (err === undefined) resolve();
          else reject(err);
        });
      });
    },
    finish: (err?: Error) => {
      const next = pending.shift();
      if (next === undefined) throw new Error('no run in progress');
      next(err);
    },
  };
  return state;
}

/** Lets queued promise callbacks run. */
async function settle(): Promise<void> {
  for (let i = 0; i < 10; i++) await Promise.resolve();
}

describe('CoalescingRunner', () => {
  it('runs once when nothing else is requested', async () => {
    const control = controlledJob();
    const runner = new CoalescingRunner(control.job, () => true);
    const run = runner.run();
    control.finish();
    await run;
    expect(control.runs).toBe(1);
  });

  it('turns any number of requests during a run into exactly one more run', async () => {
    const control = controlledJob();
    const runner = new CoalescingRunner(control.job, () => true);
    const first = runner.run();
    const second = runner.run();
    const third = runner.run();
    control.finish();
    await settle();
    expect(control.runs).toBe(2);
    control.finish();
    await Promise.all([first, second, third]);
    expect(control.runs).toBe(2);
    // A later request starts a fresh run.
    const fourth = runner.run();
    control.finish();
    await fourth;
    expect(control.runs).toBe(3);
  });

  it('skips the extra run when mayRepeat says no', async () => {
    const control = controlledJob();
    let live = true;
    const runner = new CoalescingRunner(control.job, () => live);
    const first = runner.run();
    void runner.run();
    live = false;
    control.finish();
    await first;
    expect(control.runs).toBe(1);
  });

  it('rejects every joined caller with the failure and runs again on the next request', async () => {
    const control = controlledJob();
    const runner = new CoalescingRunner(control.job, () => true);
    const first = runner.run();
    const joined = runner.run();
    control.finish(new Error('history down'));
    await expect(first).rejects.toThrow('history down');
    await expect(joined).rejects.toThrow('history down');
    const again = runner.run();
    control.finish();
    await again;
    expect(control.runs).toBe(2);
  });
});
