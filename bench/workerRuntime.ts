import { monitorEventLoopDelay, performance, type EventLoopUtilization, type IntervalHistogram } from 'node:perf_hooks';
import { isWorkerRequest, type CpuSample, type MemorySample, type WorkerCommand, type WorkerReply } from './protocol';

/** Commands every worker answers the same way; {@link serveCommands} handles them itself. */
type MeasurementCommand = Extract<WorkerCommand, { cmd: 'memory' | 'cpuStart' | 'cpuStop' }>;

/** A worker's own commands. */
export type WorkerOwnCommand = Exclude<WorkerCommand, MeasurementCommand>;

/** Handles one of the worker's own commands; returns the result sent back to the orchestrator. */
export type CommandHandler = (command: WorkerOwnCommand) => Promise<unknown>;

/** Full garbage collection (the worker is forked with `--expose-gc`), then `process.memoryUsage()`. */
export async function measureMemory(): Promise<MemorySample> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) throw new Error('bench worker: run with --expose-gc to measure memory after GC');
  for (let i = 0; i < 3; i++) {
    gc();
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  const m = process.memoryUsage();
  return {
    rss: m.rss,
    heapUsed: m.heapUsed,
    heapTotal: m.heapTotal,
    external: m.external,
    arrayBuffers: m.arrayBuffers,
  };
}

/** A CPU / event-loop measurement window. */
export class CpuWindow {
  private cpu = process.cpuUsage();
  private elu: EventLoopUtilization = performance.eventLoopUtilization();
  private wall = performance.now();
  private histogram: IntervalHistogram | undefined;

  /** Starts (or restarts) the window. */
  start(): void {
    this.histogram?.disable();
    this.histogram = monitorEventLoopDelay({ resolution: 5 });
    this.histogram.enable();
    this.cpu = process.cpuUsage();
    this.elu = performance.eventLoopUtilization();
    this.wall = performance.now();
  }

  /** Ends the window and reports it. */
  stop(): CpuSample {
    const cpu = process.cpuUsage(this.cpu);
    const elu = performance.eventLoopUtilization(this.elu);
    const wallMs = performance.now() - this.wall;
    const h = this.histogram;
    h?.disable();
    this.histogram = undefined;
    const ms = (ns: number | undefined): number => (ns === undefined || !Number.isFinite(ns) ? 0 : ns / 1e6);
    return {
      wallMs,
      userMs: cpu.user / 1000,
      systemMs: cpu.system / 1000,
      elu: elu.utilization,
      loopDelayP50Ms: ms(h?.percentile(50)),
      loopDelayP99Ms: ms(h?.percentile(99)),
      loopDelayMaxMs: ms(h?.max),
    };
  }
}

/**
 * Serves commands from the orchestrator over IPC, one at a time, in order: the measurement
 * commands here, the rest through `handle`. Exits when the orchestrator goes away or sends `exit`.
 */
export function serveCommands(handle: CommandHandler): void {
  const cpu = new CpuWindow();
  const run = async (command: WorkerCommand): Promise<unknown> => {
    switch (command.cmd) {
      case 'memory':
        return measureMemory();
      case 'cpuStart':
        cpu.start();
        return null;
      case 'cpuStop':
        return cpu.stop();
      default:
        return handle(command);
    }
  };
  const send = process.send?.bind(process);
  if (send === undefined) throw new Error('bench worker: must be started by bench/run.js (no IPC channel)');
  let chain: Promise<void> = Promise.resolve();
  process.on('message', (message: unknown) => {
    if (!isWorkerRequest(message)) return;
    chain = chain.then(async () => {
      let reply: WorkerReply;
      try {
        if (message.command.cmd === 'exit') {
          send({ id: message.id, ok: true, result: null } satisfies WorkerReply);
          process.disconnect();
          process.exit(0);
        }
        reply = { id: message.id, ok: true, result: (await run(message.command)) ?? null };
      } catch (err) {
        reply = { id: message.id, ok: false, error: err instanceof Error ? (err.stack ?? err.message) : String(err) };
      }
      send(reply);
    });
  });
  process.on('disconnect', () => {
    process.exit(0);
  });
}
