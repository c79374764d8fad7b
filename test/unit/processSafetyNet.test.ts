import { EventEmitter } from 'node:events';
import { Writable } from 'node:stream';
import pino from 'pino';
import { installProcessSafetyNet } from '../../src/processSafetyNet';

/** A logger that keeps its lines. */
function recordingLogger(): { logger: pino.Logger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
      callback();
    },
  });
  return { logger: pino({ level: 'trace' }, stream), lines };
}

function setup(stopTimeoutMs = 1000): {
  target: EventEmitter;
  exits: number[];
  lines: Record<string, unknown>[];
  net: ReturnType<typeof installProcessSafetyNet>;
  exited: Promise<number>;
} {
  const { logger, lines } = recordingLogger();
  const target = new EventEmitter();
  const exits: number[] = [];
  let onExit: (code: number) => void = () => undefined;
  const exited = new Promise<number>((resolve) => {
    onExit = resolve;
  });
  const net = installProcessSafetyNet({
    logger,
    target,
    stopTimeoutMs,
    exit: (code) => {
      exits.push(code);
      onExit(code);
    },
  });
  return { target, exits, lines, net, exited };
}

describe('installProcessSafetyNet', () => {
  it('logs an uncaught exception at fatal with its origin, stops gracefully first, then exits 1', async () => {
    const { target, exits, lines, net, exited } = setup();
    const steps: string[] = [];
    net.setStop(async () => {
      steps.push('stop started');
      await new Promise((resolve) => setTimeout(resolve, 20));
      steps.push('live chats released');
    });
    target.emit('uncaughtException', new Error('boom'), 'uncaughtException');
    expect(await exited).toBe(1);
    expect(steps).toEqual(['stop started', 'live chats released']);
    expect(exits).toEqual([1]);
    const fatal = lines.find((l) => l.level === 60);
    expect(fatal).toMatchObject({ origin: 'uncaughtException', err: { message: 'boom' } });
  });

  it('treats an unhandled rejection the same way', async () => {
    const { target, lines, net, exited } = setup();
    let stopped = false;
    net.setStop(() => {
      stopped = true;
      return Promise.resolve();
    });
    target.emit('unhandledRejection', new Error('lost promise'));
    expect(await exited).toBe(1);
    expect(stopped).toBe(true);
    expect(lines.find((l) => l.level === 60)).toMatchObject({
      origin: 'unhandledRejection',
      err: { message: 'lost promise' },
    });
  });

  it('exits 0 after a graceful stop on SIGTERM', async () => {
    const { target, net, exited } = setup();
    let stopped = false;
    net.setStop(() => {
      stopped = true;
      return Promise.resolve();
    });
    target.emit('SIGTERM');
    expect(await exited).toBe(0);
    expect(stopped).toBe(true);
  });

  it('exits 1 when the stop fails or takes too long', async () => {
    const failing = setup();
    failing.net.setStop(() => Promise.reject(new Error('cannot release')));
    failing.target.emit('SIGINT');
    expect(await failing.exited).toBe(1);

    const slow = setup(30);
    slow.net.setStop(() => new Promise<void>(() => undefined));
    slow.target.emit('SIGTERM');
    expect(await slow.exited).toBe(1);
    expect(slow.lines.some((l) => l.msg === 'shutdown took too long; exiting')).toBe(true);
  });

  it('exits at once when a second fatal error comes while stopping', () => {
    const { target, exits, net } = setup();
    let finishStop: () => void = () => undefined;
    net.setStop(
      () =>
        new Promise<void>((resolve) => {
          finishStop = resolve;
        }),
    );
    target.emit('uncaughtException', new Error('first'), 'uncaughtException');
    target.emit('uncaughtException', new Error('second'), 'uncaughtException');
    expect(exits).toEqual([1]);
    finishStop();
  });

  it('exits 1 at once when a fatal error comes before the application runs', async () => {
    const { target, exited } = setup();
    target.emit('uncaughtException', new Error('early'), 'uncaughtException');
    expect(await exited).toBe(1);
  });
});
