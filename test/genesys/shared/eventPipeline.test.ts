import type { ChatEvent } from '../../../src/genesys/handoffProvider';
import { ChatEventPipeline } from '../../../src/genesys/shared/eventPipeline';
import { capturingLogger } from './logCapture';

/** A promise with its resolver exposed. */
function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve: () => void = () => undefined;
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

describe('ChatEventPipeline', () => {
  it('hands events to the listener in order, one at a time, waiting for each', async () => {
    const { logger } = capturingLogger();
    const gate = deferred();
    const calls: string[] = [];
    const pipeline = new ChatEventPipeline(async (event) => {
      calls.push(`start ${event.kind}`);
      if (event.kind === 'queued') await gate.promise;
      calls.push(`end ${event.kind}`);
    }, logger);
    void pipeline.emit({ kind: 'queued' });
    void pipeline.emit({ kind: 'agentTyping', durationMs: 1 });
    await Promise.resolve();
    await Promise.resolve();
    expect(calls).toEqual(['start queued']);
    gate.resolve();
    await pipeline.idle();
    expect(calls).toEqual(['start queued', 'end queued', 'start agentTyping', 'end agentTyping']);
  });

  it('runs queued tasks and events on one queue, in the order they were queued', async () => {
    const { logger } = capturingLogger();
    const order: string[] = [];
    const pipeline = new ChatEventPipeline((event) => {
      order.push(event.kind);
    }, logger);
    void pipeline.enqueue(async () => {
      await Promise.resolve();
      order.push('task 1');
      await pipeline.deliver({ kind: 'queued' });
    });
    void pipeline.emit({ kind: 'agentTyping', durationMs: 1 });
    void pipeline.enqueue(() => {
      order.push('task 2');
    });
    await pipeline.idle();
    expect(order).toEqual(['task 1', 'queued', 'agentTyping', 'task 2']);
  });

  it('logs a failing listener at warn and goes on with the next event', async () => {
    const { logger, lines } = capturingLogger();
    const seen: string[] = [];
    const pipeline = new ChatEventPipeline((event) => {
      seen.push(event.kind);
      if (event.kind === 'queued') throw new Error('listener broke');
    }, logger);
    void pipeline.emit({ kind: 'queued' });
    void pipeline.emit({ kind: 'agentTyping', durationMs: 1 });
    await pipeline.idle();
    expect(seen).toEqual(['queued', 'agentTyping']);
    const failures = lines.filter((line) => line.msg === 'chat listener failed; continuing');
    expect(failures).toHaveLength(1);
    expect(failures[0]).toMatchObject({ level: 'warn', event: 'queued' });
  });

  it('logs a failing task at the same level and never rejects', async () => {
    const { logger, lines } = capturingLogger();
    const pipeline = new ChatEventPipeline(() => undefined, logger);
    await expect(
      pipeline.enqueue(() => {
        throw new Error('task broke');
      }),
    ).resolves.toBeUndefined();
    expect(lines.filter((line) => line.level === 'warn').map((line) => line.msg)).toEqual([
      'chat event handling failed; continuing',
    ]);
  });

  it('delivers nothing after ended', async () => {
    const { logger } = capturingLogger();
    const seen: ChatEvent[] = [];
    const pipeline = new ChatEventPipeline((event) => {
      seen.push(event);
    }, logger);
    void pipeline.emit({ kind: 'ended', reason: 'agentEnded' });
    void pipeline.emit({ kind: 'ended', reason: 'failed' });
    void pipeline.emit({ kind: 'queued' });
    await pipeline.idle();
    expect(seen).toEqual([{ kind: 'ended', reason: 'agentEnded' }]);
    expect(pipeline.hasEnded).toBe(true);
  });

  it('delivers nothing once silenced, not even events queued before', async () => {
    const { logger } = capturingLogger();
    const seen: string[] = [];
    const pipeline = new ChatEventPipeline((event) => {
      seen.push(event.kind);
    }, logger);
    void pipeline.emit({ kind: 'queued' });
    pipeline.silence();
    void pipeline.emit({ kind: 'ended', reason: 'agentEnded' });
    await pipeline.idle();
    expect(seen).toEqual([]);
    expect(pipeline.hasEnded).toBe(false);
  });
});
