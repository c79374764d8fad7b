import { timingSafeEqual, createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type * as restify from 'restify';
import { isRecord } from '../json';
import type { Logger } from '../logger';
import type { WebhookAnswer } from '../genesys/openMessaging';
import { SIGNATURE_HEADER } from '../genesys/openMessaging';

/** Route Genesys posts Open Messaging webhooks to (the integration's outbound notification URL). */
export const OPEN_MESSAGING_WEBHOOK_PATH = '/api/genesys/openmessaging';
/** Route a Genesys Process Automation trigger (Workflow data action) posts detail events to. */
export const OPEN_MESSAGING_EVENTS_PATH = '/api/genesys/openmessaging/events';
/** Header carrying the shared secret of {@link OPEN_MESSAGING_EVENTS_PATH}. */
export const EVENTS_SECRET_HEADER = 'x-handoff-events-secret';

/** What the routes hand their requests to (the Open Messaging provider). */
export interface OpenMessagingReceiver {
  acceptWebhook(rawBody: Buffer, signature: unknown): Promise<WebhookAnswer>;
  acceptPushedEvent(topicName: string, eventBody: unknown): Promise<boolean>;
}

/** Options of {@link installOpenMessagingRoutes}. */
export interface OpenMessagingRoutesOptions {
  receiver: OpenMessagingReceiver;
  logger: Logger;
  /** Shared secret of the events route; empty leaves the route off (404). */
  eventsSecret: string;
  /** Largest accepted body (default 256 KiB). */
  maxBodyBytes?: number;
}

class BodyTooLarge extends Error {}

/** Reads the request's raw bytes, refusing more than `maxBytes`. */
function readRawBody(req: IncomingMessage, maxBytes: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        reject(new BodyTooLarge());
        req.removeAllListeners('data');
        req.resume();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      resolve(Buffer.concat(chunks));
    });
    req.on('error', reject);
  });
}

/** Constant-time comparison of two secrets of any length (both hashed first). */
function sameSecret(given: unknown, expected: string): boolean {
  if (typeof given !== 'string' || given === '') return false;
  const digest = (s: string): Buffer => createHash('sha256').update(s, 'utf8').digest();
  return timingSafeEqual(digest(given), digest(expected));
}

/**
 * Installs the Open Messaging routes ahead of the server's body parser (as a `pre` handler), since
 * the webhook signature covers the raw body bytes (docs/genesys-protocol.md §6.3):
 *
 * - `POST /api/genesys/openmessaging`: the webhook; 401 on a bad signature, 413 over the size
 *   limit, otherwise answered at once (Genesys waits at most 10 s) with the provider's answer;
 * - `POST /api/genesys/openmessaging/events`: `{ topicName, eventBody }` detail events from a
 *   trigger's data action, authenticated by the shared secret in `X-Handoff-Events-Secret`; 204.
 */
export function installOpenMessagingRoutes(server: restify.Server, options: OpenMessagingRoutesOptions): void {
  const log = options.logger.child({ module: 'http.openmessaging' });
  const maxBytes = options.maxBodyBytes ?? 256 * 1024;
  server.pre((req: restify.Request, res: restify.Response, next: restify.Next) => {
    const path = req.path();
    if (path !== OPEN_MESSAGING_WEBHOOK_PATH && path !== OPEN_MESSAGING_EVENTS_PATH) {
      next();
      return;
    }
    if (req.method !== 'POST') {
      res.send(405, { error: 'methodNotAllowed', message: 'Only POST is accepted here.' });
      next(false);
      return;
    }
    const events = path === OPEN_MESSAGING_EVENTS_PATH;
    if (events && options.eventsSecret === '') {
      res.send(404, { error: 'notFound', message: 'The events endpoint is not configured.' });
      next(false);
      return;
    }
    if (events && !sameSecret(req.headers[EVENTS_SECRET_HEADER], options.eventsSecret)) {
      log.warn('refused a detail event without the shared secret');
      res.send(401, { error: 'unauthorized', message: 'Missing or wrong secret.' });
      next(false);
      return;
    }
    readRawBody(req, maxBytes)
      .then(async (raw) => {
        if (!events) {
          const answer = await options.receiver.acceptWebhook(raw, req.headers[SIGNATURE_HEADER]);
          if (answer.status === 401) res.send(401, { error: 'unauthorized', message: 'Bad signature.' });
          else if (answer.status === 400) res.send(400, { error: 'badRequest', message: 'Unreadable payload.' });
          else if (answer.status === 503) res.send(503, { error: 'unavailable', message: 'Try again.' });
          else res.send(200, { outcome: answer.outcome });
          return;
        }
        let body: unknown;
        try {
          body = JSON.parse(raw.toString('utf8')) as unknown;
        } catch {
          body = undefined;
        }
        if (!isRecord(body) || typeof body.topicName !== 'string') {
          res.send(400, { error: 'badRequest', message: 'Expected { topicName, eventBody }.' });
          return;
        }
        const held = await options.receiver.acceptPushedEvent(body.topicName, body.eventBody);
        log.debug({ topicName: body.topicName, held }, 'detail event received');
        res.send(204);
      })
      .catch((err: unknown) => {
        if (err instanceof BodyTooLarge) {
          res.send(413, { error: 'payloadTooLarge', message: `Bodies are limited to ${maxBytes} bytes.` });
          return;
        }
        log.warn({ err }, 'could not read an open messaging request');
        if (!res.headersSent) res.send(400, { error: 'badRequest', message: 'The body could not be read.' });
      })
      .finally(() => {
        next(false);
      });
    return undefined;
  });
}
