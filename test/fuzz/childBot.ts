import { spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { isRecord } from '../../src/json';

const ROOT = resolve(__dirname, '..', '..');

/** One pino log line of the child. */
export type LogLine = Record<string, unknown> & { level?: number; msg?: string };

/** Options of {@link ChildBot.start}. */
export interface ChildBotOptions {
  /** Settings passed as environment variables (on top of a `.env` copied from `.env.example`). */
  env?: Record<string, string>;
  /** Failure the preload plants on SIGUSR2: `exception` or `rejection`. */
  plant?: 'exception' | 'rejection';
  /** Longest wait for "bot is listening" (ms). */
  startTimeoutMs?: number;
}

/**
 * The real entry point (`src/index.ts`, run by tsx) in its own process, started from a folder whose
 * `.env` is a copy of `.env.example` (every setting present and empty), as `cp .env.example .env &&
 * npm start` does. Keeps every log line it writes.
 */
export class ChildBot {
  readonly logs: LogLine[] = [];
  /** Output that is not a JSON log line (Node warnings, stack traces). */
  readonly otherOutput: string[] = [];
  private exitCode: number | null | undefined;
  private readonly exited: Promise<number | null>;
  private readonly waiters = new Set<() => void>();

  private constructor(
    private readonly child: ChildProcess,
    private readonly folder: string,
  ) {
    this.exited = new Promise((resolveExit) => {
      // 'close' comes after the output is read to the end ('exit' may come before).
      child.once('close', (code) => {
        this.exitCode = code;
        this.wake();
        resolveExit(code);
      });
    });
    let pending = '';
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      pending += chunk;
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) this.take(line);
    });
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
      this.otherOutput.push(chunk);
    });
  }

  /** Starts the child and waits until it listens. */
  static async start(options: ChildBotOptions = {}): Promise<{ bot: ChildBot; port: number }> {
    const folder = mkdtempSync(join(tmpdir(), 'bot-fuzz-'));
    copyFileSync(join(ROOT, '.env.example'), join(folder, '.env'));
    const args = ['--import', pathToFileURL(require.resolve('tsx')).href];
    if (options.plant !== undefined) args.push('--require', join(__dirname, 'plantFailure.cjs'));
    args.push(join(ROOT, 'src', 'index.ts'));
    const child = spawn(process.execPath, args, {
      cwd: folder,
      env: {
        PATH: process.env.PATH ?? '',
        PORT: '0',
        LogLevel: 'info',
        ...(options.plant === undefined ? {} : { PLANT_FAILURE: options.plant }),
        ...options.env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const bot = new ChildBot(child, folder);
    const listening = await bot.waitForLog((l) => l.msg === 'bot is listening', options.startTimeoutMs ?? 40_000);
    const port = listening.port;
    if (typeof port !== 'number') throw new Error('the child did not report its port');
    return { bot, port };
  }

  /** The child's process id. */
  get pid(): number {
    return this.child.pid ?? -1;
  }

  /** True until the process exits. */
  get running(): boolean {
    return this.exitCode === undefined;
  }

  /** Waits for a log line matching `predicate`. */
  async waitForLog(predicate: (line: LogLine) => boolean, timeoutMs = 10_000): Promise<LogLine> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.logs.find(predicate);
      if (found !== undefined) return found;
      if (!this.running) throw new Error(`the child exited (${String(this.exitCode)}); ${this.describe()}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out waiting for a log line; ${this.describe()}`);
      await new Promise<void>((wake) => {
        const timer = setTimeout(wake, left);
        this.waiters.add(() => {
          clearTimeout(timer);
          wake();
        });
      });
    }
  }

  /** Sends a signal to the child. */
  signal(name: NodeJS.Signals): void {
    this.child.kill(name);
  }

  /** Resolves with the exit code (rejects after `timeoutMs`). */
  async waitForExit(timeoutMs = 30_000): Promise<number | null> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => {
        reject(new Error(`the child did not exit; ${this.describe()}`));
      }, timeoutMs);
    });
    try {
      return await Promise.race([this.exited, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Stops the child (SIGKILL when it is still running) and removes its folder. */
  async kill(): Promise<void> {
    if (this.running) {
      this.child.kill('SIGKILL');
      await this.exited;
    }
    rmSync(this.folder, { recursive: true, force: true });
  }

  /** The last log lines and other output, for failure messages. */
  describe(): string {
    const last = this.logs.slice(-15).map((l) => JSON.stringify(l));
    return `last log lines:\n${last.join('\n')}\nother output:\n${this.otherOutput.join('').slice(-3000)}`;
  }

  private take(line: string): void {
    if (line.trim() === '') return;
    try {
      const parsed: unknown = JSON.parse(line);
      if (isRecord(parsed)) this.logs.push(parsed);
      else this.otherOutput.push(line);
    } catch {
      // Not a log line (a Node warning printed to stdout): kept for failure messages.
      this.otherOutput.push(line);
    }
    this.wake();
  }

  private wake(): void {
    for (const waiter of [...this.waiters]) waiter();
    this.waiters.clear();
  }
}
