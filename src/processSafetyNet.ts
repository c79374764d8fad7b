import type { Logger } from './logger';

/** The parts of `process` the safety net uses (tests pass an EventEmitter). */
export interface ProcessLike {
  on(event: 'SIGTERM' | 'SIGINT', listener: () => void): unknown;
  on(event: 'uncaughtException', listener: (err: Error, origin: string) => void): unknown;
  on(event: 'unhandledRejection', listener: (reason: unknown) => void): unknown;
}

/** Options of {@link installProcessSafetyNet}. */
export interface SafetyNetOptions {
  logger: Logger;
  /** Ends the process with this code (default `process.exit`). */
  exit?: (code: number) => void;
  /** Longest wait for the graceful stop before exiting anyway, in ms (default 20 000). */
  stopTimeoutMs?: number;
  /** The process to guard (default `process`). */
  target?: ProcessLike;
}

/** What {@link installProcessSafetyNet} returns. */
export interface SafetyNet {
  /**
   * Sets the graceful stop (release live chats, close connections) once the application runs.
   * Before that, a fatal error exits at once.
   */
  setStop(stop: () => Promise<void>): void;
  /** Stops gracefully (bounded by `stopTimeoutMs`), then exits with `exitCode`. Runs once. */
  shutdown(reason: string, exitCode: number): Promise<void>;
}

/**
 * The process-level safety net of the entry point, as production Node services have it:
 *
 * - `SIGTERM` / `SIGINT`: graceful stop, exit 0 (1 when the stop fails or takes too long);
 * - `uncaughtException` / `unhandledRejection`: logged at fatal with the error and where it came
 *   from, then the same graceful stop (live chats are released when the process still can) and exit
 *   1, so App Service starts a fresh process instead of keeping a half-broken one. A second fatal
 *   error while stopping exits at once.
 *
 * Errors of one turn (`onTurnError`), one request (the HTTP edge) or one socket (its `error`
 * listener) are handled where they happen and never get here.
 */
export function installProcessSafetyNet(options: SafetyNetOptions): SafetyNet {
  const { logger } = options;
  const exit =
    options.exit ??
    ((code: number): void => {
      process.exit(code);
    });
  const target: ProcessLike = options.target ?? process;
  const stopTimeoutMs = options.stopTimeoutMs ?? 20_000;
  let stop: (() => Promise<void>) | undefined;
  let stopping: Promise<void> | undefined;

  const shutdown = (reason: string, exitCode: number): Promise<void> => {
    stopping ??= (async () => {
      logger.info({ reason }, 'shutting down');
      let code = exitCode;
      if (stop !== undefined) {
        let timer: NodeJS.Timeout | undefined;
        const timedOut = new Promise<'timeout'>((resolve) => {
          timer = setTimeout(() => {
            resolve('timeout');
          }, stopTimeoutMs);
          timer.unref();
        });
        try {
          const outcome = await Promise.race([stop().then(() => 'stopped' as const), timedOut]);
          if (outcome === 'timeout') {
            logger.error({ timeoutMs: stopTimeoutMs }, 'shutdown took too long; exiting');
            code = 1;
          } else logger.info({ exitCode: code }, 'stopped');
        } catch (err) {
          logger.error({ err }, 'error while shutting down');
          code = 1;
        } finally {
          clearTimeout(timer);
        }
      }
      exit(code);
    })();
    return stopping;
  };

  const fatal = (context: Record<string, unknown>, message: string): void => {
    logger.fatal(context, message);
    if (stopping !== undefined) {
      // Failing again while stopping: the graceful path is not safe any more.
      exit(1);
      return;
    }
    void shutdown('fatal error', 1);
  };

  target.on('SIGTERM', () => {
    void shutdown('SIGTERM', 0);
  });
  target.on('SIGINT', () => {
    void shutdown('SIGINT', 0);
  });
  target.on('uncaughtException', (err, origin) => {
    fatal({ err, origin }, 'uncaught exception; stopping the process');
  });
  target.on('unhandledRejection', (reason) => {
    fatal({ err: reason, origin: 'unhandledRejection' }, 'unhandled promise rejection; stopping the process');
  });

  return {
    setStop(value) {
      stop = value;
    },
    shutdown,
  };
}
