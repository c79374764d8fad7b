import type { IncomingMessage, ServerResponse } from 'node:http';
import type { WebMessagingModel } from './webMessagingModel';
import { retryAfterSeconds } from './webMessagingRateLimits';

/**
 * The history REST endpoint of the Web Messaging simulator (docs/genesys-protocol.md §5.8):
 * authenticated with a JWT from `getJwt`, rate limited per session.
 */
export class WebMessagingHistory {
  constructor(
    private readonly model: WebMessagingModel,
    private readonly jwts: ReadonlyMap<string, { token: string; exp: number }>,
  ) {}

  /** Answers `GET /api/v2/webmessaging/messages` (newest first, paged); 404 for any other path. */
  handle(req: IncomingMessage, res: ServerResponse): void {
    const json = (status: number, body: unknown, headers: Record<string, string> = {}): void => {
      res.writeHead(status, { 'content-type': 'application/json', ...headers });
      res.end(JSON.stringify(body));
    };
    const url = new URL(req.url ?? '/', 'http://simulator');
    if (req.method !== 'GET' || url.pathname !== '/api/v2/webmessaging/messages') {
      json(404, { message: 'Resource not found', code: 'not.found', status: 404 });
      return;
    }
    const auth = req.headers.authorization ?? '';
    const match = /^bearer\s+(\S+)$/i.exec(auth);
    const grant = match?.[1] === undefined ? undefined : this.jwts.get(match[1]);
    const session = grant === undefined ? undefined : this.model.sessions.get(grant.token);
    if (grant === undefined || session === undefined || grant.exp * 1000 < Date.now()) {
      json(401, { message: 'Authentication failed', code: 'authentication.required', status: 401 });
      return;
    }
    const { historyRequestsPerMinute, rateLimitWindowMs } = this.model.settings;
    // [C] docs/genesys-protocol.md §5.7: 10 history reads per session per minute; 429 with Retry-After above.
    const now = Date.now();
    const retryAfter = retryAfterSeconds(session.historyTimes, now, historyRequestsPerMinute, rateLimitWindowMs);
    if (retryAfter !== undefined) {
      this.model.counters.historyRateLimited++;
      json(
        429,
        { message: 'Rate limit exceeded', code: 'too.many.requests', status: 429 },
        { 'retry-after': String(retryAfter) },
      );
      return;
    }
    session.historyTimes.push(now);
    this.model.counters.historyRequests++;
    const pageSize = Math.min(100, Math.max(1, Number.parseInt(url.searchParams.get('pageSize') ?? '25', 10) || 25));
    const pageNumber = Math.max(1, Number.parseInt(url.searchParams.get('pageNumber') ?? '1', 10) || 1);
    // [C] newest first.
    const newestFirst = [...session.history].reverse();
    const total = newestFirst.length;
    const entities = newestFirst.slice((pageNumber - 1) * pageSize, pageNumber * pageSize);
    json(200, { entities, pageSize, pageNumber, total, pageCount: Math.ceil(total / pageSize) });
  }
}
