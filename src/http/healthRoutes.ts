import type * as restify from 'restify';
import type { Readiness } from '../health/readiness';
import type { Logger } from '../logger';

/** Path of the readiness probe (monitoring and alerts; not the App Service health check). */
export const READINESS_PATH = '/healthz/ready';

/**
 * Adds `GET /healthz/ready`: 200 with `{ status: 'ok' | 'degraded', checks }` when every dependency
 * answers (degraded: one answers slowly), 503 with `{ status: 'unhealthy', checks }` when one does
 * not. Each check says what it probed, how long it took and, when failing, why. `/healthz` stays
 * the liveness probe: it only says the process answers.
 */
export function registerHealthRoutes(server: restify.Server, readiness: Readiness, logger: Logger): void {
  const log = logger.child({ module: 'health' });
  let last: string | undefined;
  server.get(READINESS_PATH, async (_req: restify.Request, res: restify.Response) => {
    const report = await readiness.report();
    if (report.status !== last) {
      const failing = Object.fromEntries(
        Object.entries(report.checks).flatMap(([name, c]) => (c.status === 'ok' ? [] : [[name, c.detail ?? c.status]])),
      );
      (report.status === 'ok' ? log.info.bind(log) : log.warn.bind(log))(
        { status: report.status, failing },
        'readiness changed',
      );
      last = report.status;
    }
    res.send(report.status === 'unhealthy' ? 503 : 200, report);
  });
}
