/**
 * Readiness: whether this instance can do its job now — reach its storage and the Genesys
 * endpoints of the configured provider. Liveness (`/healthz`) only says the process answers.
 */

/** What one check found. `degraded`: it works, but slowly. */
export type CheckStatus = 'ok' | 'degraded' | 'down';

/** Overall readiness: `unhealthy` when any check is down (answered with HTTP 503). */
export type ReadinessStatus = 'ok' | 'degraded' | 'unhealthy';

/**
 * Something the instance depends on, probed on demand. `probe` resolves when the dependency
 * answered as expected and rejects (with an error saying what failed) when it did not. It must
 * give up when `signal` aborts.
 */
export interface ReadinessCheck {
  /** Key in the report, e.g. `storage`, `genesys`. */
  readonly name: string;
  /** What is probed, for the report (an endpoint or resource, never a secret). */
  readonly target: string;
  probe(signal: AbortSignal): Promise<void>;
}

/** One check in the report. */
export interface CheckReport {
  status: CheckStatus;
  target: string;
  /** Time the probe took (ms). */
  latencyMs: number;
  /** When the probe ran (ISO-8601); results are reused for {@link ReadinessOptions.cacheMs}. */
  checkedAt: string;
  /** Why it is down or degraded. */
  detail?: string;
}

/** The readiness report served by `/healthz/ready`. */
export interface ReadinessReport {
  status: ReadinessStatus;
  checks: Record<string, CheckReport>;
}

/** Options of {@link Readiness}. */
export interface ReadinessOptions {
  /** How long a probe result is reused, so probes do not hammer Genesys (ms, default 10 000). */
  cacheMs?: number;
  /** A probe that takes longer fails as down (ms, default 5 000). */
  timeoutMs?: number;
  /** A probe that succeeds but takes longer reports degraded (ms, default 2 000). */
  slowMs?: number;
  now?: () => number;
}

interface CachedCheck {
  report: CheckReport;
  at: number;
}

/** Runs the checks (concurrently, each cached and bounded in time) and combines them. */
export class Readiness {
  private readonly cacheMs: number;
  private readonly timeoutMs: number;
  private readonly slowMs: number;
  private readonly now: () => number;
  private readonly cache = new Map<string, CachedCheck>();
  private readonly running = new Map<string, Promise<CheckReport>>();

  constructor(
    private readonly checks: readonly ReadinessCheck[],
    options: ReadinessOptions = {},
  ) {
    this.cacheMs = options.cacheMs ?? 10_000;
    this.timeoutMs = options.timeoutMs ?? 5_000;
    this.slowMs = options.slowMs ?? 2_000;
    this.now = options.now ?? Date.now;
  }

  /** The current report: cached results younger than `cacheMs`, fresh probes for the rest. */
  async report(): Promise<ReadinessReport> {
    const results = await Promise.all(this.checks.map(async (c) => [c.name, await this.result(c)] as const));
    const checks = Object.fromEntries(results);
    const statuses = results.map(([, r]) => r.status);
    const status: ReadinessStatus = statuses.includes('down')
      ? 'unhealthy'
      : statuses.includes('degraded')
        ? 'degraded'
        : 'ok';
    return { status, checks };
  }

  private result(check: ReadinessCheck): Promise<CheckReport> {
    const cached = this.cache.get(check.name);
    if (cached !== undefined && this.now() - cached.at < this.cacheMs) return Promise.resolve(cached.report);
    const inFlight = this.running.get(check.name);
    if (inFlight !== undefined) return inFlight;
    const probe = this.run(check).finally(() => {
      this.running.delete(check.name);
    });
    this.running.set(check.name, probe);
    return probe;
  }

  private async run(check: ReadinessCheck): Promise<CheckReport> {
    const started = this.now();
    const abort = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        abort.abort();
        reject(new Error(`no answer within ${this.timeoutMs} ms`));
      }, this.timeoutMs);
    });
    let report: CheckReport;
    try {
      await Promise.race([check.probe(abort.signal), timedOut]);
      const latencyMs = this.now() - started;
      report = {
        status: latencyMs > this.slowMs ? 'degraded' : 'ok',
        target: check.target,
        latencyMs,
        checkedAt: new Date(started).toISOString(),
        ...(latencyMs > this.slowMs ? { detail: `answered in ${latencyMs} ms (slower than ${this.slowMs} ms)` } : {}),
      };
    } catch (err) {
      report = {
        status: 'down',
        target: check.target,
        latencyMs: this.now() - started,
        checkedAt: new Date(started).toISOString(),
        detail: describe(err),
      };
    } finally {
      clearTimeout(timer);
    }
    this.cache.set(check.name, { report, at: this.now() });
    return report;
  }
}

/** A short, secret-free description of a probe failure. */
function describe(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const code = (err as { code?: unknown }).code;
  const cause = err.cause instanceof Error ? `: ${describe(err.cause)}` : '';
  return `${typeof code === 'string' || typeof code === 'number' ? `${code} ` : ''}${err.message}${cause}`.trim();
}
