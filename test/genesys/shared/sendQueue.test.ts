import { SendQueue } from '../../../src/genesys/shared/sendQueue';

describe('SendQueue', () => {
  it('runs jobs one after another in call order', async () => {
    const queue = new SendQueue();
    const log: string[] = [];
    let release: () => void = () => undefined;
    const first = queue.run(async () => {
      log.push('first start');
      await new Promise<void>((resolve) => {
        release = resolve;
      });
      log.push('first end');
      return 1;
    });
    const second = queue.run(() => {
      log.push('second');
      return Promise.resolve(2);
    });
    await Promise.resolve();
    expect(log).toEqual(['first start']);
    release();
    await expect(first).resolves.toBe(1);
    await expect(second).resolves.toBe(2);
    expect(log).toEqual(['first start', 'first end', 'second']);
  });

  it('rejects only the failed job; later jobs still run', async () => {
    const queue = new SendQueue();
    const failed = queue.run(() => Promise.reject(new Error('refused')));
    const next = queue.run(() => Promise.resolve('sent'));
    await expect(failed).rejects.toThrow('refused');
    await expect(next).resolves.toBe('sent');
  });

  it('drained() waits for every queued job and never rejects', async () => {
    const queue = new SendQueue();
    const done: string[] = [];
    void queue
      .run(async () => {
        await Promise.resolve();
        done.push('a');
        throw new Error('a failed');
      })
      .catch(() => undefined);
    void queue.run(() => {
      done.push('b');
      return Promise.resolve();
    });
    await expect(queue.drained()).resolves.toBeUndefined();
    expect(done).toEqual(['a', 'b']);
  });
});
