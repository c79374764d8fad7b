import type { Logger } from '../../logger';
import { Pacer, type Clock } from '../shared';

/** A chat the {@link Reconciler} compares with its conversation. */
export interface ReconciledChat {
  readonly isFinished: boolean;
  reconcile(): Promise<void>;
}

/** Options of a {@link Reconciler}. */
export interface ReconcilerOptions {
  /** Time between two passes (ms); 0 disables the timer. */
  intervalMs: number;
  /** Most conversation reads per second. */
  perSecond: number;
  clock: Clock;
  logger: Logger;
  /** The chats held now, read at the start of every pass. */
  chats: () => Iterable<ReconciledChat>;
  /** True while a chat is held (the timer stops once none is). */
  hasChats: () => boolean;
}

/**
 * Reads every held chat's conversation at a bounded rate, so an end or agent change whose detail
 * event never arrived is still seen (docs/genesys-protocol.md §6.5). The timer runs while chats
 * are held and is restarted by {@link ensureRunning}.
 */
export class Reconciler {
  private readonly pacer: Pacer;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;

  constructor(private readonly options: ReconcilerOptions) {
    this.pacer = new Pacer(options.perSecond, options.clock);
  }

  /** One pass over every held chat, paced to `perSecond` (also run by the timer). */
  async runPass(): Promise<void> {
    for (const chat of [...this.options.chats()]) {
      if (this.stopped) return;
      if (chat.isFinished) continue;
      await this.pacer.take();
      await chat.reconcile();
    }
  }

  /** Starts the timer unless it runs, is disabled or was stopped. */
  ensureRunning(): void {
    if (this.options.intervalMs === 0 || this.timer !== undefined || this.stopped) return;
    const tick = (): void => {
      this.running = this.runPass()
        .catch((err: unknown) => {
          this.options.logger.warn({ err }, 'reconciler pass failed');
        })
        .finally(() => {
          this.running = undefined;
          if (this.stopped || !this.options.hasChats()) {
            this.timer = undefined;
            return;
          }
          this.schedule(tick);
        });
    };
    this.schedule(tick);
  }

  /** Stops the timer for good; a pass under way stops before its next chat. */
  stop(): void {
    this.stopped = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** Resolves once the pass under way, if any, has finished. */
  async settled(): Promise<void> {
    await this.running;
  }

  private schedule(tick: () => void): void {
    this.timer = setTimeout(tick, this.options.intervalMs);
    this.timer.unref();
  }
}
