import * as restify from 'restify';
import type { TurnContext } from 'botbuilder';
import { withTimestampDates, type BotAdapter } from './http/botAdapter';

import { parseActivity } from './http/activitySchema';
import { answerClientErrors, requireHostHeader, sendJsonError, type JsonError } from './http/httpErrors';
import { DEFAULT_BODY_LIMITS, jsonBodyParser } from './http/requestBody';
import { routeUpgrades } from './http/upgrades';
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
  adapter: BotAdapter;
  /** Runs one turn (the bot's `run`). */
  runTurn: (context: TurnContext) => Promise<void>;
  health: () => HealthStatus;
  /** Serves `/healthz/ready` (see {@link registerHealthRoutes}) when given. */
  readiness?: Readiness;
  logger: Logger;
  /** Largest accepted request body, as received and after decoding (bytes; default 256 KiB). */
  maxBodyBytes?: number;
  /** Deepest accepted nesting of JSON arrays and objects in a body (default 64). */
  maxJsonDepth?: number;
  /** Adds more routes (demo pages, Direct Line) to the same server. */
  extraRoutes?: (server: restify.Server) => void;
}

/**
 * Creates the HTTP server with its routes. It does not listen.
 *
 * Every route gets the same hardened edge: bodies are read, decoded and parsed by
 * {@link jsonBodyParser} (malformed bodies get a 4xx JSON error), requests Node's parser refuses get
 * one too ({@link answerClientErrors}), and `/api/messages` accepts only activities that match
 * {@link parseActivity}'s schema, so the SDK and the bot never see a malformed one.
 */
export function createServer(deps: ServerDeps): restify.Server {
  const log = deps.logger.child({ module: 'server' });
  const server = restify.createServer({ name: 'genesys-handoff-bot', handleUncaughtExceptions: false });
  answerClientErrors(server.server, log);
  requireHostHeader(server);
  routeUpgrades(server.server, log);
  server.use(
    jsonBodyParser(log, {
      maxBytes: deps.maxBodyBytes ?? DEFAULT_BODY_LIMITS.maxBytes,
      maxDepth: deps.maxJsonDepth ?? DEFAULT_BODY_LIMITS.maxDepth,
    }),
  );

  server.post('/api/messages', async (req: restify.Request, res: restify.Response) => {
    const parsed = parseActivity(req.body);
    if (!parsed.ok) {
      log.info({ problems: parsed.problems }, 'rejected a request that is not a valid activity');
      sendJsonError(res, 400, 'invalidActivity', 'The request body is not a valid Bot Framework activity.', {
        problems: parsed.problems,
      });
      return;
    }
    if (parsed.activity.type === 'invoke') {
      // The bot implements no invoke operation; the SDK would answer 501 for every one.
      sendJsonError(res, 400, 'unsupportedActivity', 'This bot does not handle invoke activities.');
      return;
    }
    try {
      const invokeResponse = await deps.adapter.handle(
        req.headers.authorization ?? '',
        withTimestampDates(parsed.activity),
        deps.runTurn,
      );
      if (invokeResponse?.body === undefined) {
        res.statusCode = invokeResponse?.status ?? 200;
        res.end();
      } else res.send(invokeResponse.status, invokeResponse.body);
    } catch (err) {
      if (isRecord(err) && err.statusCode === 401) {
        // The SDK's AuthenticationError: a caller without a valid Bot Framework token.
        log.info({ reason: err.message }, 'refused an unauthenticated request to /api/messages');
        if (!res.headersSent) sendJsonError(res, 401, 'unauthorized', 'The request is not authorized.');
        return;
      }
      log.error({ err }, 'could not process an activity');
      if (!res.headersSent) sendJsonError(res, 500, 'internalError', 'The activity could not be processed.');
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
    (
      req: restify.Request,
      _res: restify.Response,
      err: Error & { statusCode?: number; code?: unknown },
      callback: () => void,
    ) => {
      log.info({ status: err.statusCode, path: req.path(), message: err.message }, 'request refused');
      // restify answers with `{ code, message }`; every error of this server is `{ error, message }`.
      const code = typeof err.code === 'string' && err.code !== '' ? err.code : 'error';
      const body: JsonError = { error: code.charAt(0).toLowerCase() + code.slice(1), message: err.message };
      Object.assign(err, { toJSON: () => body });
      callback();
    },
  );
  return server;
}
