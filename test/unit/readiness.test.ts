import { Readiness, type ReadinessCheck } from '../../src/health/readiness';

/** A check whose probes the test settles by hand, counting how often it was probed. */
class ControlledCheck implements ReadinessCheck {
  probes = 0;
  aborted = 0;
  private pending: { resolve: () => void; reject: (err: Error) => void }[] = [];

  constructor(
    readonly name: string,
    readonly target = `${name}-endpoint`,
  ) {}

  probe(signal: AbortSignal): Promise<void> {
    this.probes += 1;
    return new Promise<void>((resolve, reject) => {
      signal.addEventListener('abort', () => {
        this.aborted += 1;
      });
      this.pending.push({ resolve, reject });
    });
  }

  succeed(): void {
    for (const p of this.pending.splice(0)) p.resolve();
  }

  fail(message: string): void {
    for (const p of this.pending.splice(0)) p.reject(new Error(message));
  }

  /** Resolves once a probe is waiting. */
  async waiting(): Promise<void> {
    while (this.pending.length === 0) await new Promise((resolve) => setImmediate(resolve));
  }
}

describe('Readiness', () => {
  let clock = 0;
  const now = (): number => clock;

  beforeEach(() => {
    clock = 1_000;
  });

  it('is ok when every check answers, unhealthy with the failure when one does not', async () => {
    const storage = new ControlledCheck('storage');
    const genesys = new ControlledCheck('genesys');
    const readiness = new Readiness([storage, genesys], { now, cacheMs: 0 });
    const report = readiness.report();
    await Promise.all([storage.waiting(), genesys.waiting()]);
    storage.succeed();
    genesys.fail('connect ECONNREFUSED 127.0.0.1:1');
    expect(await report).toEqual({
      status: 'unhealthy',
      checks: {
        storage: { status: 'ok', target: 'storage-endpoint', latencyMs: 0, checkedAt: new Date(1_000).toISOString() },
        genesys: {
          status: 'down',
          target: 'genesys-endpoint',
          latencyMs: 0,
          checkedAt: new Date(1_000).toISOString(),
          detail: 'connect ECONNREFUSED 127.0.0.1:1',
        },
      },
    });
  });

  it('reports degraded when a check answers slower than slowMs', async () => {
    const genesys = new ControlledCheck('genesys');
    const readiness = new Readiness([genesys], { now, cacheMs: 0, slowMs: 2_000 });
    const report = readiness.report();
    await genesys.waiting();
    clock += 2_500;
    genesys.succeed();
    const result = await report;
    expect(result.status).toBe('degraded');
    expect(result.checks.genesys).toMatchObject({ status: 'degraded', latencyMs: 2_500 });
  });

  it('reuses a result for cacheMs and shares a probe in flight, so probes do not hammer Genesys', async () => {
    const genesys = new ControlledCheck('genesys');
    const readiness = new Readiness([genesys], { now, cacheMs: 10_000 });
    const first = readiness.report();
    const concurrent = readiness.report();
    await genesys.waiting();
    genesys.succeed();
    await Promise.all([first, concurrent]);
    expect(genesys.probes).toBe(1);
    clock += 9_999;
    expect((await readiness.report()).status).toBe('ok');
    expect(genesys.probes).toBe(1);
    clock += 1;
    const fresh = readiness.report();
    await genesys.waiting();
    genesys.fail('gone');
    expect((await fresh).status).toBe('unhealthy');
    expect(genesys.probes).toBe(2);
  });

  it('fails a probe that does not answer within timeoutMs and aborts it', async () => {
    const genesys = new ControlledCheck('genesys');
    const readiness = new Readiness([genesys], { cacheMs: 0, timeoutMs: 20 });
    const result = await readiness.report();
    expect(result.checks.genesys).toMatchObject({ status: 'down', detail: 'no answer within 20 ms' });
    expect(genesys.aborted).toBe(1);
  });

  it('is ok with no checks (in-memory storage, no Genesys)', async () => {
    expect(await new Readiness([]).report()).toEqual({ status: 'ok', checks: {} });
  });
});
