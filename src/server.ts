import * as restify from 'restify';
import type { CloudAdapter, TurnContext } from 'botbuilder';
import type { Readiness } from './health/readiness';
import { registerHealthRoutes } from './http/healthRoutes';
import { isRecord } from './json';
import type { Logger } from './logger';

/** What `/healthz` reports. */
export interface HealthStatus {
  status: 'ok' | 'starting' | 'stopping';
  storage: 'memory' | 'cosmos';
  genesys: string;
  demo: boolean;
  liveChats: number;
}

/** Dependencies of {@link createServer}. */
export interface ServerDeps {
  adapter: CloudAdapter;
  /** Runs one turn (the bot's `run`). */
  runTurn: (context: TurnContext) => Promise<void>;
  health: () => HealthStatus;
  /** Serves `/healthz/ready` (see {@link registerHealthRoutes}) when given. */
  readiness?: Readiness;
  logger: Logger;
  /** Largest accepted request body (bytes). */
  maxBodyBytes?: number;
  /** Adds more routes (demo pages, Direct Line) to the same server. */
  extraRoutes?: (server: restify.Server) => void;
}

/**
 * Checks that a request body looks like a Bot Framework activity before the SDK sees it, so that
 * malformed input gets a clear 400 instead of an exception. Returns the problems found.
 */
export function activityProblems(body: unknown): string[] {
  if (!isRecord(body)) return ['the body must be a JSON object (an activity)'];
  const activity = body;
  const problems: string[] = [];
  if (typeof activity.type !== 'string' || activity.type === '') problems.push('"type" must be a non-empty string');
  if (typeof activity.channelId !== 'string' || activity.channelId === '')
    problems.push('"channelId" must be a non-empty string');
  if (typeof activity.serviceUrl !== 'string' || !/^https?:\/\//.test(activity.serviceUrl))
    problems.push('"serviceUrl" must be an http(s) URL');
  const conversation = activity.conversation;
  if (!isRecord(conversation) || typeof conversation.id !== 'string' || conversation.id === '') {
    problems.push('"conversation.id" must be a non-empty string');
  }
  const from = activity.from;
  if (from !== undefined && (!isRecord(from) || typeof from.id !== 'string')) {
    problems.push('"from.id" must be a string');
  }
  if (activity.text !== undefined && typeof activity.text !== 'string') problems.push('"text" must be a string');
  if (activity.attachments !== undefined && !Array.isArray(activity.attachments))
    problems.push('"attachments" must be an array');
  return problems;
}

/** Creates the HTTP server with its routes. It does not listen. */
export function createServer(deps: ServerDeps): restify.Server {
  const log = deps.logger.child({ module: 'server' });
  const server = restify.createServer({ name: 'genesys-handoff-bot', handleUncaughtExceptions: false });
  server.use(restify.plugins.bodyParser({ maxBodySize: deps.maxBodyBytes ?? 256 * 1024, mapParams: false }));

  server.post('/api/messages', async (req: restify.Request, res: restify.Response) => {
    const problems = activityProblems(req.body);
    if (problems.length > 0) {
      log.info({ problems }, 'rejected a request that is not a valid activity');
      res.send(400, {
        error: 'invalidActivity',
        message: 'The request body is not a valid Bot Framework activity.',
        problems,
      });
      return;
    }
    try {
      await deps.adapter.process(req, res, deps.runTurn);
    } catch (err) {
      log.error({ err }, 'could not process an activity');
      if (!res.headersSent) res.send(500, { error: 'internalError', message: 'The activity could not be processed.' });
    }
  });

  server.get('/healthz', (_req: restify.Request, res: restify.Response, next: restify.Next) => {
    const health = deps.health();
    res.send(health.status === 'ok' ? 200 : 503, health);
    next();
  });

  if (deps.readiness !== undefined) registerHealthRoutes(server, deps.readiness, deps.logger);
  deps.extraRoutes?.(server);

  server.on(
    'restifyError',
    (req: restify.Request, _res: restify.Response, err: Error & { statusCode?: number }, callback: () => void) => {
      log.info({ status: err.statusCode, path: req.path(), message: err.message }, 'request refused');
      callback();
    },
  );
  return server;
}
