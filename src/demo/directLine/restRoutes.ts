import type * as restify from 'restify';
import type { Logger } from '../../logger';
import { parseActivity } from '../../http/activitySchema';
import { jsonBody, queryParams, routeParam, sendError } from '../http';
import type { BotConnector } from './botConnector';
import { RequestBodyError } from '../../http/requestBody';
import {
  bearerFromHeader,
  parseAccount,
  parseClientActivity,
  parseWatermark,
  safeDecode,
  type Account,
  type ClientActivity,
} from './clientActivity';
import type { Conversation, ConversationStore } from './conversationStore';
import { DIRECT_LINE_PATH } from './streams';
import { DirectLineUploads } from './uploads';

/** DirectLineJS' file upload (`POST /v3/directline/conversations/{id}/upload?userId=...`). */
const UPLOAD_PATH = /^\/v3\/directline\/conversations\/([^/]+)\/upload$/;

/** Options of {@link DirectLineRestApi}. */
export interface DirectLineRestOptions {
  logger: Logger;
  channelId: string;
  bot: Account;
  now: () => number;
  /** The websocket base when the request has no usable Host header, e.g. `ws://127.0.0.1:3978`. */
  fallbackWsBase: () => string;
}

/**
 * The client side of the demo Direct Line 3.0 REST API:
 *
 * - `POST /v3/directline/tokens/generate` and `/tokens/refresh`;
 * - `POST /v3/directline/conversations` (sends the bot a `conversationUpdate` so it greets the user);
 * - `GET /v3/directline/conversations/:id` (reconnect: a new `streamUrl`; 404 for a conversation this
 *   service does not know, e.g. after a restart), `POST|GET .../activities` (send, poll);
 * - `POST .../upload`: DirectLineJS' multipart file upload ({@link DirectLineUploads}), answered
 *   before the server's JSON body parser; the files are served at `GET /v3/directline/attachments/...`.
 *
 * The user's activities are echoed into the stream (Web Chat matches `channelData.clientActivityID`
 * to mark a message as sent) and posted to the bot's `/api/messages` like any channel would.
 */
export class DirectLineRestApi {
  private readonly uploads = new DirectLineUploads(`${DIRECT_LINE_PATH}/attachments`);

  constructor(
    private readonly store: ConversationStore,
    private readonly connector: BotConnector,
    private readonly options: DirectLineRestOptions,
  ) {}

  /** Adds the routes to `server`. */
  install(server: restify.Server): void {
    const dl = DIRECT_LINE_PATH;
    const sync =
      (handler: (req: restify.Request, res: restify.Response) => void) =>
      (req: restify.Request, res: restify.Response, next: restify.Next): void => {
        handler(req, res);
        next();
      };
    server.post(
      `${dl}/tokens/generate`,
      sync((req, res) => {
        this.generateToken(req, res);
      }),
    );
    server.post(
      `${dl}/tokens/refresh`,
      sync((req, res) => {
        this.refreshToken(req, res);
      }),
    );
    server.post(
      `${dl}/conversations`,
      sync((req, res) => {
        this.startConversation(req, res);
      }),
    );
    server.get(
      `${dl}/conversations/:conversationId`,
      sync((req, res) => {
        this.reconnect(req, res);
      }),
    );
    server.post(
      `${dl}/conversations/:conversationId/activities`,
      async (req: restify.Request, res: restify.Response) => {
        await this.postActivity(req, res);
      },
    );
    server.get(
      `${dl}/conversations/:conversationId/activities`,
      sync((req, res) => {
        this.getActivities(req, res);
      }),
    );
    // An upload is multipart, not JSON: it is answered before the server's JSON body parser runs.
    server.pre((req: restify.Request, res: restify.Response, next: restify.Next) => {
      const match = UPLOAD_PATH.exec(new URL(req.url ?? '/', 'http://localhost').pathname);
      if (req.method !== 'POST' || match?.[1] === undefined) {
        next();
        return;
      }
      const conversationId = safeDecode(match[1]) ?? '';
      void this.upload(req, res, conversationId).finally(() => {
        next(false);
      });
    });
    server.get(
      `${dl}/attachments/:key/:name`,
      sync((req, res) => {
        const file = this.uploads.file(routeParam(req, 'key') ?? '');
        if (file === undefined) sendError(res, 404, 'notFound', 'No such attachment.');
        else
          res.sendRaw(200, file.bytes, {
            'content-type': file.contentType,
            'x-content-type-options': 'nosniff',
            'content-disposition': 'inline',
          });
      }),
    );
  }

  /**
   * `POST .../conversations/{id}/upload` (DirectLineJS' file upload, see {@link DirectLineUploads}):
   * stores the files and sends the activity with attachments pointing at them.
   */
  private async upload(req: restify.Request, res: restify.Response, conversationId: string): Promise<void> {
    req.params = { conversationId };
    const conversation = this.authenticate(req, res);
    if (conversation === undefined) {
      req.resume();
      return;
    }
    let received;
    try {
      received = await this.uploads.receive(req, new URL(this.connector.serviceUrl()).origin);
    } catch (err) {
      if (err instanceof RequestBodyError) sendError(res, err.status, err.code, err.message);
      else sendError(res, 400, 'badArgument', err instanceof Error ? err.message : 'Invalid upload.');
      return;
    }
    const parsed = parseClientActivity(received.activity, received.attachments.length > 0);
    if (typeof parsed === 'string') {
      sendError(res, 400, 'badArgument', parsed);
      return;
    }
    if (received.attachments.length > 0) parsed.attachments = received.attachments;
    await this.acceptFromUser(conversation, parsed, res);
  }

  private generateToken(req: restify.Request, res: restify.Response): void {
    const body = jsonBody(req);
    if (body === undefined) {
      sendError(res, 400, 'badArgument', 'The body must be a JSON object.');
      return;
    }
    let user: Account | undefined;
    if (body.user !== undefined) {
      user = parseAccount(body.user);
      if (user === undefined) {
        sendError(
          res,
          400,
          'badArgument',
          '"user" must be { "id": string, "name"?: string } with a short id of letters, digits and ._:@-',
        );
        return;
      }
    }
    const conversation = this.store.create(user);
    res.send(200, this.store.describe(conversation));
  }

  private refreshToken(req: restify.Request, res: restify.Response): void {
    const conversation = this.authenticate(req, res);
    if (conversation === undefined) return;
    this.store.refresh(conversation);
    res.send(200, this.store.describe(conversation));
  }

  private startConversation(req: restify.Request, res: restify.Response): void {
    let conversation: Conversation | undefined;
    if (bearerFromHeader(req.headers.authorization) === undefined) conversation = this.store.create(undefined);
    else {
      conversation = this.authenticate(req, res);
      if (conversation === undefined) return;
    }
    const isNew = !conversation.started;
    if (isNew) {
      conversation.started = true;
      this.options.logger.info({ conversationId: conversation.id }, 'direct line conversation started');
      // The greeting is the bot's answer to this update; the user sees it once the stream connects.
      this.connector.forwardDetached(conversation, {
        type: 'conversationUpdate',
        membersAdded: [{ ...this.options.bot }, ...(conversation.user === undefined ? [] : [{ ...conversation.user }])],
      });
    }
    res.send(isNew ? 201 : 200, {
      ...this.store.describe(conversation),
      streamUrl: this.streamUrl(req, conversation, undefined),
    });
  }

  private reconnect(req: restify.Request, res: restify.Response): void {
    const routeId = routeParam(req, 'conversationId') ?? '';
    const token = bearerFromHeader(req.headers.authorization);
    if (token !== undefined && !this.store.has(routeId) && this.store.withToken(token) === undefined) {
      // Neither the conversation nor its token is known here (the service restarted, or dropped it):
      // Direct Line clients treat 404 on reconnect as "this conversation ended".
      sendError(res, 404, 'conversationNotFound', 'No such conversation; start a new one.');
      return;
    }
    const target = this.authenticateWithWatermark(req, res);
    if (target === undefined) return;
    const { conversation, watermark } = target;
    res.send(200, { ...this.store.describe(conversation), streamUrl: this.streamUrl(req, conversation, watermark) });
  }

  private getActivities(req: restify.Request, res: restify.Response): void {
    const target = this.authenticateWithWatermark(req, res);
    if (target === undefined) return;
    const { conversation, watermark } = target;
    res.send(200, {
      activities: this.store.activitiesSince(conversation, watermark ?? 0),
      watermark: String(conversation.nextSeq),
    });
  }

  private async postActivity(req: restify.Request, res: restify.Response): Promise<void> {
    const conversation = this.authenticate(req, res);
    if (conversation === undefined) return;
    const parsed = parseClientActivity(req.body);
    if (typeof parsed === 'string') {
      sendError(res, 400, 'badArgument', parsed);
      return;
    }
    await this.acceptFromUser(conversation, parsed, res);
  }

  /** Stamps a user's activity, appends it to the conversation and forwards it to the bot. */
  private async acceptFromUser(
    conversation: Conversation,
    parsed: ClientActivity,
    res: restify.Response,
  ): Promise<void> {
    const from = conversation.user ?? parsed.from ?? { id: `dl_${conversation.id.slice(0, 12)}` };
    const { from: _clientFrom, ...fields } = parsed;
    const stamped = {
      ...fields,
      timestamp: new Date(this.options.now()).toISOString(),
      channelId: this.options.channelId,
      from: { ...from, role: 'user' },
      conversation: { id: conversation.id },
    };
    const serviceUrl = this.connector.serviceUrl();
    // The bot checks every activity against one schema; refuse here what it would refuse.
    const checked = parseActivity({ ...stamped, serviceUrl, recipient: { ...this.options.bot } });
    if (!checked.ok) {
      sendError(res, 400, 'badArgument', `The activity is not valid: ${checked.problems.join('; ')}`);
      return;
    }
    conversation.user ??= from;
    const activity = this.store.append(conversation, stamped);
    const logger = this.options.logger;
    logger.debug({ conversationId: conversation.id, type: activity.type }, 'activity from the user');
    const toBot = { ...activity, serviceUrl, recipient: { ...this.options.bot } };
    if (activity.type === 'typing') {
      // Typing is a hint: answer at once and let the bot take its time.
      this.connector.forwardDetached(conversation, toBot);
      res.send(200, { id: activity.id });
      return;
    }
    try {
      const status = await this.connector.forward(toBot);
      if (status >= 400) {
        logger.warn({ conversationId: conversation.id, status }, 'the bot refused an activity');
        sendError(res, 502, 'botError', 'The bot could not process the activity.');
        return;
      }
      res.send(200, { id: activity.id });
    } catch (err) {
      logger.warn({ err, conversationId: conversation.id }, 'could not deliver an activity to the bot');
      sendError(res, 502, 'botUnreachable', 'The bot did not answer.');
    }
  }

  /** {@link authenticate}, then the optional `watermark` query parameter; answers 4xx itself on failure. */
  private authenticateWithWatermark(
    req: restify.Request,
    res: restify.Response,
  ): { conversation: Conversation; watermark: number | undefined } | undefined {
    const conversation = this.authenticate(req, res);
    if (conversation === undefined) return undefined;
    const watermark = parseWatermark(queryParams(req).get('watermark'));
    if (watermark === null) {
      sendError(res, 400, 'badArgument', '"watermark" must be a whole number.');
      return undefined;
    }
    return { conversation, watermark };
  }

  /** Finds the conversation of the request's bearer token (and route id); answers 401/403/404 itself. */
  private authenticate(req: restify.Request, res: restify.Response): Conversation | undefined {
    const token = bearerFromHeader(req.headers.authorization);
    if (token === undefined) {
      sendError(res, 401, 'unauthorized', 'An "Authorization: Bearer <token>" header is required.');
      return undefined;
    }
    const conversation = this.store.withToken(token);
    if (conversation === undefined) {
      sendError(res, 403, 'tokenExpired', 'The token is not valid or has expired.');
      return undefined;
    }
    const routeId = routeParam(req, 'conversationId');
    if (routeId !== undefined && routeId !== conversation.id) {
      sendError(
        res,
        this.store.has(routeId) ? 403 : 404,
        'conversationNotFound',
        'The token does not belong to this conversation.',
      );
      return undefined;
    }
    this.store.touch(conversation);
    return conversation;
  }

  /** The websocket URL as the client reached this server (its Host header), with the token. */
  private streamUrl(req: restify.Request, conversation: Conversation, watermark: number | undefined): string {
    const host = req.headers.host;
    const base =
      typeof host === 'string' && /^[A-Za-z0-9.:[\]-]{1,255}$/.test(host)
        ? `ws://${host}`
        : this.options.fallbackWsBase();
    const query = new URLSearchParams({ t: conversation.token });
    if (watermark !== undefined) query.set('watermark', String(watermark));
    return `${base}${DIRECT_LINE_PATH}/conversations/${encodeURIComponent(conversation.id)}/stream?${query.toString()}`;
  }
}
