import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { isWorkerReply, type WorkerCommand } from './protocol';

/** A forked worker process answering {@link WorkerCommand}s over IPC. */
export class WorkerHandle {
  private readonly waiters = new Map<number, { resolve: (value: unknown) => void; reject: (err: Error) => void }>();
  private nextId = 1;
  private exited = false;

  private constructor(
    readonly name: string,
    private readonly child: ChildProcess,
  ) {
    child.on('message', (message: unknown) => {
      if (!isWorkerReply(message)) return;
      const waiter = this.waiters.get(message.id);
      this.waiters.delete(message.id);
      if (message.ok) waiter?.resolve(message.result);
      else waiter?.reject(new Error(`${name}: ${message.error}`));
    });
    child.on('exit', (code, signal) => {
      this.exited = true;
      for (const w of this.waiters.values()) w.reject(new Error(`${name} exited (${String(code ?? signal)})`));
      this.waiters.clear();
    });
  }

  /** Forks `dist/bench/<script>.js` with `--expose-gc` (and a CPU profile into `profileDir` when given). */
  static start(script: string, name: string, profileDir?: string, flags: readonly string[] = []): WorkerHandle {
    const execArgv = ['--expose-gc', '--no-deprecation', ...flags];
    if (profileDir !== undefined)
      execArgv.push('--cpu-prof', `--cpu-prof-dir=${profileDir}`, `--cpu-prof-name=${name}-${Date.now()}.cpuprofile`);
    const child = fork(join(__dirname, `${script}.js`), [], {
      execArgv,
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    return new WorkerHandle(name, child);
  }

  /** The worker's process id. */
  get pid(): number | undefined {
    return this.child.pid;
  }

  /** Sends a command and resolves with its result. */
  request<T>(command: WorkerCommand): Promise<T> {
    if (this.exited) return Promise.reject(new Error(`${this.name} is not running`));
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.waiters.set(id, {
        resolve: (value) => {
          resolve(value as T);
        },
        reject,
      });
      this.child.send({ id, command });
    });
  }

  /** Asks the worker to exit; kills it (by its own pid) if it does not within 5 s. */
  async close(): Promise<void> {
    if (this.exited) return;
    const exited = new Promise<void>((resolve) =>
      this.child.once('exit', () => {
        resolve();
      }),
    );
    this.request({ cmd: 'exit' }).catch(() => undefined);
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(timer);
  }
}
