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

/**
 * The invoke activities the bot answers: Teams' answer to a file consent card (`fileConsent/invoke`,
 * `docs/bot-framework-channels.md §2.5`). Any other invoke gets 400 before the SDK sees it.
 */
const HANDLED_INVOKES: ReadonlySet<string> = new Set(['fileConsent/invoke']);
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
    if (parsed.activity.type === 'invoke' && !HANDLED_INVOKES.has(parsed.activity.name ?? '')) {
      // The SDK would answer 501 for every invoke the bot does not implement.
      sendJsonError(res, 400, 'unsupportedActivity', 'This bot does not handle this invoke activity.');
      return;
    }
    try {
      const invokeResponse = await deps.adapter.handle(
        req.headers.authorization ?? '',
        withTimestampDates(parsed.activity),
        deps.runTurn,
      );
      const status = invokeResponse?.status ?? 200;
      if (invokeResponse?.body !== undefined) res.send(status, invokeResponse.body);
      else if (status >= 400 && status < 500)
        // An invoke the bot refused (a malformed file consent answer): every 4xx carries a JSON error.
        sendJsonError(res, status, 'invalidInvoke', 'The invoke activity could not be handled.');
      else {
        res.statusCode = status;
        res.end();
      }
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
