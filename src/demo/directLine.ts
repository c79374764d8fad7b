import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type * as restify from 'restify';
import { WebSocket, WebSocketServer } from 'ws';
import type { Logger } from '../logger';
import { parseActivity } from '../http/activitySchema';
import { addUpgradeRoute, refuseUpgrade } from '../http/upgrades';
import { isRecord } from '../json';
import { RequestBodyError } from '../http/requestBody';
import { DirectLineUploads } from './directLineUploads';
import { jsonBody, queryParams, routeParam, sendError } from './http';

/** Path prefix of the Direct Line 3.0 API that Web Chat talks to. */
export const DIRECT_LINE_PATH = '/v3/directline';

/** Path prefix of the channel-side connector API that receives the bot's replies (its `serviceUrl`). */
export const DEMO_CONNECTOR_PATH = '/demo/connector';

/** Options of {@link DirectLineEndpoint}. */
export interface DirectLineOptions {
  /** How this process reaches its own HTTP server, e.g. `http://127.0.0.1:3978` (no trailing slash). */
  internalBaseUrl: () => string;
  logger: Logger;
  /** `channelId` of the activities the bot receives (default `directline`). */
  channelId?: string;
  /** The bot's channel account (default `{ id: 'bot', name: 'Bot' }`). */
  bot?: { id: string; name: string };
  /** Most conversations kept in memory; the least recently used is dropped first (default 200). */
  maxConversations?: number;
  /** Most activities kept per conversation for polling and reconnects (default 500). */
  maxActivities?: number;
  /** Lifetime of a token; each refresh extends it (default 3600 s). */
  tokenLifetimeSeconds?: number;
  /** How long to wait for the bot to accept an activity (default 30 s). */
  botTimeoutMs?: number;
  /** Interval of websocket heartbeats; a socket that misses one is terminated (default 30 s). */
  heartbeatMs?: number;
  now?: () => number;
}

/** A channel account as Direct Line shows it. */
interface Account {
  id: string;
  name?: string;
  role?: 'user' | 'bot';
}

/** An activity kept in a conversation's stream. */
type StreamActivity = Record<string, unknown> & { id: string };

interface Conversation {
  id: string;
  token: string;
  tokenExpiresAt: number;
  /** The user bound to the token, if the token was generated for one. */
  user: Account | undefined;
  activities: StreamActivity[];
  /** Watermark of `activities[0]`. */
  firstSeq: number;
  /** Watermark after the newest activity. */
  nextSeq: number;
  sockets: Set<WebSocket>;
  started: boolean;
  lastUsedAt: number;
}

const ID_PATTERN = /^[A-Za-z0-9._:@-]{1,100}$/;
/** DirectLineJS' file upload (`POST /v3/directline/conversations/{id}/upload?userId=...`). */
const UPLOAD_PATH = /^\/v3\/directline\/conversations\/([^/]+)\/upload$/;
const CLIENT_ACTIVITY_TYPES = new Set(['message', 'typing', 'event']);
const MAX_TEXT_CHARS = 10_000;
const MAX_NAME_CHARS = 100;
const MAX_SOCKETS_PER_CONVERSATION = 4;

/**
 * A minimal, in-memory Direct Line 3.0 service for the local demo, served by the bot's own HTTP
 * server so Bot Framework Web Chat can talk to the bot without Azure:
 *
 * - `POST /v3/directline/tokens/generate` and `/tokens/refresh`;
 * - `POST /v3/directline/conversations` (sends the bot a `conversationUpdate` so it greets the user);
 * - `GET /v3/directline/conversations/:id` (reconnect), `POST|GET .../activities` (send, poll);
 * - the websocket stream at `/v3/directline/conversations/:id/stream`;
 * - the channel side at `/demo/connector/v3/conversations/:id/activities[/:replyToId]`, which is the
 *   `serviceUrl` the bot replies to (loopback callers only).
 *
 * The user's activities are echoed into the stream (Web Chat matches `channelData.clientActivityID`
 * to mark a message as sent) and posted to the bot's `/api/messages` like any channel would.
 */
export class DirectLineEndpoint {
  private readonly conversations = new Map<string, Conversation>();
  private readonly byToken = new Map<string, Conversation>();
  private readonly wss: WebSocketServer;
  private readonly alive = new WeakSet<WebSocket>();
  private readonly logger: Logger;
  private readonly channelId: string;
  private readonly bot: Account;
  private readonly maxConversations: number;
  private readonly maxActivities: number;
  private readonly tokenLifetimeMs: number;
  private readonly botTimeoutMs: number;
  private readonly now: () => number;
  private heartbeat: NodeJS.Timeout | undefined;
  private readonly uploads = new DirectLineUploads(`${DIRECT_LINE_PATH}/attachments`);

  constructor(private readonly options: DirectLineOptions) {
    if (typeof options.internalBaseUrl !== 'function')
      throw new Error('DirectLineEndpoint: option internalBaseUrl is required');
    this.logger = options.logger.child({ component: 'directline' });
    this.channelId = options.channelId ?? 'directline';
    this.bot = { ...(options.bot ?? { id: 'bot', name: 'Bot' }), role: 'bot' };
    this.maxConversations = options.maxConversations ?? 200;
    this.maxActivities = options.maxActivities ?? 500;
    this.tokenLifetimeMs = (options.tokenLifetimeSeconds ?? 3600) * 1000;
    this.botTimeoutMs = options.botTimeoutMs ?? 30_000;
    this.now = options.now ?? Date.now;
    this.wss = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024 });
    this.wss.on('error', (err) => {
      this.logger.warn({ err }, 'websocket server error');
    });
  }

  /** Number of conversations held in memory. */
  get conversationCount(): number {
    return this.conversations.size;
  }

  /** Adds the Direct Line and connector routes and the websocket upgrade handler to `server`. */
  install(server: restify.Server): void {
    const dl = DIRECT_LINE_PATH;
    server.post(`${dl}/tokens/generate`, (req: restify.Request, res: restify.Response, next: restify.Next) => {
      this.generateToken(req, res);
      next();
    });
    server.post(`${dl}/tokens/refresh`, (req: restify.Request, res: restify.Response, next: restify.Next) => {
      this.refreshToken(req, res);
      next();
    });
    server.post(`${dl}/conversations`, (req: restify.Request, res: restify.Response, next: restify.Next) => {
      this.startConversation(req, res);
      next();
    });
    server.get(
      `${dl}/conversations/:conversationId`,
      (req: restify.Request, res: restify.Response, next: restify.Next) => {
        this.reconnect(req, res);
        next();
      },
    );
    server.post(
      `${dl}/conversations/:conversationId/activities`,
      async (req: restify.Request, res: restify.Response) => {
        await this.postActivity(req, res);
      },
    );
    server.get(
      `${dl}/conversations/:conversationId/activities`,
      (req: restify.Request, res: restify.Response, next: restify.Next) => {
        this.getActivities(req, res);
        next();
      },
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
    server.get(`${dl}/attachments/:key/:name`, (req: restify.Request, res: restify.Response, next: restify.Next) => {
      const file = this.uploads.file(routeParam(req, 'key') ?? '');
      if (file === undefined) sendError(res, 404, 'notFound', 'No such attachment.');
      else
        res.sendRaw(200, file.bytes, {
          'content-type': file.contentType,
          'x-content-type-options': 'nosniff',
          'content-disposition': 'inline',
        });
      next();
    });
    const connector = `${DEMO_CONNECTOR_PATH}/v3/conversations/:conversationId/activities`;
    server.post(connector, (req: restify.Request, res: restify.Response, next: restify.Next) => {
      this.receiveFromBot(req, res);
      next();
    });
    server.post(`${connector}/:replyToId`, (req: restify.Request, res: restify.Response, next: restify.Next) => {
      this.receiveFromBot(req, res);
      next();
    });

    addUpgradeRoute(
      server.server,
      `${DIRECT_LINE_PATH}/`,
      (req, socket, head) => {
        this.handleUpgrade(req, socket, head);
      },
      this.logger,
    );
    // Upgraded sockets keep http.Server#close waiting and closeAllConnections() does not see them:
    // close the streams as soon as the server starts closing.
    const closeServer = server.close.bind(server);
    server.close = (callback?: () => void): unknown => {
      this.close();
      return closeServer(callback);
    };
    this.heartbeat = setInterval(() => {
      this.beat();
    }, this.options.heartbeatMs ?? 30_000);
    this.heartbeat.unref();
  }

  /** Closes every stream and forgets every conversation. Idempotent. */
  close(): void {
    if (this.heartbeat !== undefined) clearInterval(this.heartbeat);
    this.heartbeat = undefined;
    for (const conversation of this.conversations.values()) for (const ws of conversation.sockets) ws.terminate();
    this.conversations.clear();
    this.byToken.clear();
    this.wss.close();
  }

  // ---------------------------------------------------------------- Direct Line client side

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
    const conversation = this.createConversation(user);
    res.send(200, this.describe(conversation));
  }

  private refreshToken(req: restify.Request, res: restify.Response): void {
    const conversation = this.authenticate(req, res);
    if (conversation === undefined) return;
    conversation.tokenExpiresAt = this.now() + this.tokenLifetimeMs;
    res.send(200, this.describe(conversation));
  }

  private startConversation(req: restify.Request, res: restify.Response): void {
    let conversation: Conversation | undefined;
    if (bearerToken(req) === undefined) conversation = this.createConversation(undefined);
    else {
      conversation = this.authenticate(req, res);
      if (conversation === undefined) return;
    }
    const isNew = !conversation.started;
    if (isNew) {
      conversation.started = true;
      this.logger.info({ conversationId: conversation.id }, 'direct line conversation started');
      // The greeting is the bot's answer to this update; the user sees it once the stream connects.
      this.forwardDetached(conversation, {
        type: 'conversationUpdate',
        membersAdded: [{ ...this.bot }, ...(conversation.user === undefined ? [] : [{ ...conversation.user }])],
      });
    }
    res.send(isNew ? 201 : 200, {
      ...this.describe(conversation),
      streamUrl: this.streamUrl(req, conversation, undefined),
    });
  }

  private reconnect(req: restify.Request, res: restify.Response): void {
    const target = this.authenticateWithWatermark(req, res);
    if (target === undefined) return;
    const { conversation, watermark } = target;
    res.send(200, { ...this.describe(conversation), streamUrl: this.streamUrl(req, conversation, watermark) });
  }

  private getActivities(req: restify.Request, res: restify.Response): void {
    const target = this.authenticateWithWatermark(req, res);
    if (target === undefined) return;
    const { conversation, watermark } = target;
    res.send(200, {
      activities: this.activitiesSince(conversation, watermark ?? 0),
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
      received = await this.uploads.receive(req, new URL(this.serviceUrl()).origin);
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
      timestamp: new Date(this.now()).toISOString(),
      channelId: this.channelId,
      from: { ...from, role: 'user' },
      conversation: { id: conversation.id },
    };
    // The bot checks every activity against one schema; refuse here what it would refuse.
    const checked = parseActivity({ ...stamped, serviceUrl: this.serviceUrl(), recipient: { ...this.bot } });
    if (!checked.ok) {
      sendError(res, 400, 'badArgument', `The activity is not valid: ${checked.problems.join('; ')}`);
      return;
    }
    conversation.user ??= from;
    const activity = this.append(conversation, stamped);
    this.logger.debug({ conversationId: conversation.id, type: activity.type }, 'activity from the user');
    const toBot = { ...activity, serviceUrl: this.serviceUrl(), recipient: { ...this.bot } };
    if (activity.type === 'typing') {
      // Typing is a hint: answer at once and let the bot take its time.
      this.forwardDetached(conversation, toBot);
      res.send(200, { id: activity.id });
      return;
    }
    try {
      const status = await this.forward(toBot);
      if (status >= 400) {
        this.logger.warn({ conversationId: conversation.id, status }, 'the bot refused an activity');
        sendError(res, 502, 'botError', 'The bot could not process the activity.');
        return;
      }
      res.send(200, { id: activity.id });
    } catch (err) {
      this.logger.warn({ err, conversationId: conversation.id }, 'could not deliver an activity to the bot');
      sendError(res, 502, 'botUnreachable', 'The bot did not answer.');
    }
  }

  // ---------------------------------------------------------------- connector (bot) side

  private receiveFromBot(req: restify.Request, res: restify.Response): void {
    if (!isLoopback(req.socket.remoteAddress)) {
      sendError(res, 403, 'forbidden', 'Only the bot itself may post to the demo connector.');
      return;
    }
    const conversationId = routeParam(req, 'conversationId') ?? '';
    const conversation = this.conversations.get(conversationId);
    if (conversation === undefined) {
      sendError(res, 404, 'conversationNotFound', 'No such conversation.');
      return;
    }
    const body: unknown = req.body;
    if (!isRecord(body) || typeof body.type !== 'string' || body.type === '') {
      sendError(res, 400, 'badArgument', 'The body must be an activity with a "type".');
      return;
    }
    const { id: _id, serviceUrl: _serviceUrl, replyToId, ...rest } = body;
    // Web Chat holds back an activity that replies to something it never saw (for example the
    // conversationUpdate): keep replyToId only when it names an activity in the stream.
    const keepReply = typeof replyToId === 'string' && conversation.activities.some((a) => a.id === replyToId);
    const activity = this.append(conversation, {
      ...rest,
      ...(keepReply ? { replyToId } : {}),
      timestamp: typeof rest.timestamp === 'string' ? rest.timestamp : new Date(this.now()).toISOString(),
      channelId: this.channelId,
      from: parseAccount(rest.from) ?? { ...this.bot },
      conversation: { id: conversation.id },
    });
    this.logger.debug({ conversationId, type: activity.type }, 'activity from the bot');
    res.send(200, { id: activity.id });
  }

  // ---------------------------------------------------------------- websocket stream

  private handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const match = /^\/v3\/directline\/conversations\/([^/]+)\/stream$/.exec(url.pathname);
    const conversationId = match === null ? undefined : safeDecode(match[1] ?? '');
    const conversation = conversationId === undefined ? undefined : this.conversations.get(conversationId);
    if (conversation === undefined) {
      refuseUpgrade(socket, 404, 'Not Found', 'No such conversation.');
      return;
    }
    const token = url.searchParams.get('t') ?? bearerFromHeader(req.headers.authorization);
    if (token !== conversation.token || conversation.tokenExpiresAt <= this.now()) {
      refuseUpgrade(socket, 403, 'Forbidden', 'The token is not valid or has expired.');
      return;
    }
    const watermark = parseWatermark(url.searchParams.get('watermark'));
    if (watermark === null) {
      refuseUpgrade(socket, 400, 'Bad Request', '"watermark" must be a whole number.');
      return;
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      ws.on('error', (err) => {
        this.logger.debug({ err, conversationId: conversation.id }, 'stream socket error');
      });
      if (this.conversations.get(conversation.id) !== conversation) {
        ws.close(1001, 'conversation closed');
        return;
      }
      this.alive.add(ws);
      ws.on('pong', () => this.alive.add(ws));
      // Clients send empty keep-alive messages; there is nothing else to read.
      ws.on('message', () => this.alive.add(ws));
      ws.on('close', () => {
        conversation.sockets.delete(ws);
      });
      conversation.sockets.add(ws);
      while (conversation.sockets.size > MAX_SOCKETS_PER_CONVERSATION) {
        const oldest = conversation.sockets.values().next().value;
        if (oldest === undefined) break;
        conversation.sockets.delete(oldest);
        oldest.close(1000, 'replaced by a newer stream');
      }
      this.touch(conversation);
      const backlog = this.activitiesSince(conversation, watermark ?? 0);
      if (backlog.length > 0) sendFrame(ws, { activities: backlog, watermark: String(conversation.nextSeq) });
    });
  }

  private beat(): void {
    for (const conversation of this.conversations.values()) {
      for (const ws of conversation.sockets) {
        if (!this.alive.has(ws)) {
          conversation.sockets.delete(ws);
          ws.terminate();
          continue;
        }
        this.alive.delete(ws);
        ws.ping();
      }
    }
  }

  // ---------------------------------------------------------------- conversations

  private createConversation(user: Account | undefined): Conversation {
    this.evict();
    const conversation: Conversation = {
      id: randomBytes(12).toString('hex'),
      token: randomBytes(24).toString('base64url'),
      tokenExpiresAt: this.now() + this.tokenLifetimeMs,
      user: user === undefined ? undefined : { ...user, role: 'user' },
      activities: [],
      firstSeq: 0,
      nextSeq: 0,
      sockets: new Set(),
      started: false,
      lastUsedAt: this.now(),
    };
    this.conversations.set(conversation.id, conversation);
    this.byToken.set(conversation.token, conversation);
    return conversation;
  }

  /**
   * Drops conversations whose token expired with no open stream, then, over the limit, the least
   * recently used ones: first those with no open stream (nobody is watching them), then any.
   */
  private evict(): void {
    const now = this.now();
    for (const conversation of [...this.conversations.values()]) {
      if (conversation.tokenExpiresAt <= now && conversation.sockets.size === 0) this.drop(conversation, 'expired');
    }
    for (const conversation of [...this.conversations.values()]) {
      if (this.conversations.size < this.maxConversations) return;
      if (conversation.sockets.size === 0) this.drop(conversation, 'too many conversations');
    }
    while (this.conversations.size >= this.maxConversations) {
      const oldest = this.conversations.values().next().value;
      if (oldest === undefined) break;
      this.drop(oldest, 'too many conversations');
    }
  }

  private drop(conversation: Conversation, reason: string): void {
    this.conversations.delete(conversation.id);
    this.byToken.delete(conversation.token);
    for (const ws of conversation.sockets) ws.close(1000, 'conversation closed');
    conversation.sockets.clear();
    this.logger.debug({ conversationId: conversation.id, reason }, 'direct line conversation dropped');
  }

  /** Marks a conversation as recently used (the map's order is least recently used first). */
  private touch(conversation: Conversation): void {
    conversation.lastUsedAt = this.now();
    this.conversations.delete(conversation.id);
    this.conversations.set(conversation.id, conversation);
  }

  /** Finds the conversation of the request's bearer token (and route id); answers 401/403/404 itself. */
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

  private authenticate(req: restify.Request, res: restify.Response): Conversation | undefined {
    const token = bearerToken(req);
    if (token === undefined) {
      sendError(res, 401, 'unauthorized', 'An "Authorization: Bearer <token>" header is required.');
      return undefined;
    }
    const conversation = this.byToken.get(token);
    if (conversation === undefined || conversation.tokenExpiresAt <= this.now()) {
      sendError(res, 403, 'tokenExpired', 'The token is not valid or has expired.');
      return undefined;
    }
    const routeId = routeParam(req, 'conversationId');
    if (routeId !== undefined && routeId !== conversation.id) {
      sendError(
        res,
        this.conversations.has(routeId) ? 403 : 404,
        'conversationNotFound',
        'The token does not belong to this conversation.',
      );
      return undefined;
    }
    this.touch(conversation);
    return conversation;
  }

  private append(conversation: Conversation, fields: Record<string, unknown>): StreamActivity {
    const seq = conversation.nextSeq;
    const activity: StreamActivity = { ...fields, id: `${conversation.id}|${String(seq).padStart(7, '0')}` };
    conversation.activities.push(activity);
    conversation.nextSeq = seq + 1;
    while (conversation.activities.length > this.maxActivities) {
      conversation.activities.shift();
      conversation.firstSeq++;
    }
    const frame = { activities: [activity], watermark: String(conversation.nextSeq) };
    for (const ws of conversation.sockets) sendFrame(ws, frame);
    return activity;
  }

  private activitiesSince(conversation: Conversation, watermark: number): StreamActivity[] {
    const from = Math.max(0, Math.min(watermark, conversation.nextSeq) - conversation.firstSeq);
    return conversation.activities.slice(from);
  }

  private describe(conversation: Conversation): { conversationId: string; token: string; expires_in: number } {
    return {
      conversationId: conversation.id,
      token: conversation.token,
      expires_in: Math.max(0, Math.floor((conversation.tokenExpiresAt - this.now()) / 1000)),
    };
  }

  /** The websocket URL as the client reached this server (its Host header), with the token. */
  private streamUrl(req: restify.Request, conversation: Conversation, watermark: number | undefined): string {
    const host = req.headers.host;
    const base =
      typeof host === 'string' && /^[A-Za-z0-9.:[\]-]{1,255}$/.test(host)
        ? `ws://${host}`
        : this.options.internalBaseUrl().replace(/^http/, 'ws');
    const query = new URLSearchParams({ t: conversation.token });
    if (watermark !== undefined) query.set('watermark', String(watermark));
    return `${base}${DIRECT_LINE_PATH}/conversations/${encodeURIComponent(conversation.id)}/stream?${query.toString()}`;
  }

  private serviceUrl(): string {
    return `${this.options.internalBaseUrl()}${DEMO_CONNECTOR_PATH}`;
  }

  private async forward(activity: Record<string, unknown>): Promise<number> {
    const response = await fetch(`${this.options.internalBaseUrl()}/api/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(activity),
      signal: AbortSignal.timeout(this.botTimeoutMs),
    });
    await response.arrayBuffer();
    return response.status;
  }

  private forwardDetached(conversation: Conversation, fields: Record<string, unknown>): void {
    const activity: Record<string, unknown> = {
      id: `${conversation.id}|u${randomBytes(4).toString('hex')}`,
      timestamp: new Date(this.now()).toISOString(),
      channelId: this.channelId,
      serviceUrl: this.serviceUrl(),
      from:
        conversation.user === undefined
          ? { id: `dl_${conversation.id.slice(0, 12)}`, role: 'user' }
          : { ...conversation.user },
      recipient: { ...this.bot },
      conversation: { id: conversation.id },
      ...fields,
    };
    this.forward(activity)
      .then((status) => {
        if (status >= 400)
          this.logger.warn(
            { conversationId: conversation.id, status, type: activity.type },
            'the bot refused an activity',
          );
      })
      .catch((err: unknown) => {
        this.logger.warn(
          { err, conversationId: conversation.id, type: activity.type },
          'could not deliver an activity to the bot',
        );
      });
  }
}

/** What a client may set on an activity it sends; everything else is stamped by the service. */
interface ClientActivity {
  type: string;
  from?: Account;
  [field: string]: unknown;
}

/** Validates an activity posted by a Direct Line client. Returns it, or a problem description. */
export function parseClientActivity(body: unknown, withFiles = false): ClientActivity | string {
  if (!isRecord(body)) return 'The body must be a JSON activity.';
  const { type } = body;
  if (typeof type !== 'string' || !CLIENT_ACTIVITY_TYPES.has(type))
    return '"type" must be "message", "typing" or "event".';
  const activity: ClientActivity = { type };
  if (body.text !== undefined) {
    if (typeof body.text !== 'string') return '"text" must be a string.';
    if (body.text.length > MAX_TEXT_CHARS) return `"text" must be at most ${MAX_TEXT_CHARS} characters.`;
    activity.text = body.text;
  }
  if (
    type === 'message' &&
    (activity.text === undefined || activity.text === '') &&
    body.value === undefined &&
    !withFiles
  )
    return 'A message needs "text".';
  // Files come through the upload endpoint (`withFiles`): the attachments the client lists there point at its own blobs.
  if (
    !withFiles &&
    body.attachments !== undefined &&
    (!Array.isArray(body.attachments) || body.attachments.length > 0)
  ) {
    return 'Attachments are sent through the upload endpoint of the demo channel.';
  }
  for (const key of ['textFormat', 'locale', 'localTimestamp', 'localTimezone', 'name'] as const) {
    const value = body[key];
    if (value === undefined) continue;
    if (typeof value !== 'string' || value.length > MAX_NAME_CHARS)
      return `"${key}" must be a string of at most ${MAX_NAME_CHARS} characters.`;
    activity[key] = value;
  }
  if (body.channelData !== undefined) {
    if (!isRecord(body.channelData)) return '"channelData" must be an object.';
    activity.channelData = body.channelData;
  }
  if (body.entities !== undefined) {
    if (!Array.isArray(body.entities) || !body.entities.every(isRecord))
      return '"entities" must be an array of objects.';
    activity.entities = body.entities;
  }
  if (body.value !== undefined) activity.value = body.value;
  if (body.from !== undefined) {
    const from = parseAccount(body.from);
    if (from === undefined) return '"from" must be { "id": string, "name"?: string }.';
    activity.from = from;
  }
  return activity;
}

function parseAccount(value: unknown): Account | undefined {
  if (!isRecord(value) || typeof value.id !== 'string' || !ID_PATTERN.test(value.id)) return undefined;
  const account: Account = { id: value.id };
  if (typeof value.name === 'string' && value.name.trim() !== '')
    account.name = value.name.trim().slice(0, MAX_NAME_CHARS);
  if (value.role === 'user' || value.role === 'bot') account.role = value.role;
  return account;
}

/** `undefined` when absent, `null` when malformed. */
function parseWatermark(raw: string | null): number | undefined | null {
  if (raw === null || raw === '') return undefined;
  return /^\d{1,15}$/.test(raw) ? Number(raw) : null;
}

function bearerToken(req: restify.Request): string | undefined {
  return bearerFromHeader(req.headers.authorization);
}

function bearerFromHeader(header: string | undefined): string | undefined {
  const match = /^Bearer\s+(\S+)$/i.exec(header ?? '');
  return match?.[1];
}

function safeDecode(value: string): string | undefined {
  try {
    return decodeURIComponent(value);
  } catch {
    // A malformed escape is simply not a conversation id.
    return undefined;
  }
}

function isLoopback(address: string | undefined): boolean {
  return address === '127.0.0.1' || address === '::1' || address === '::ffff:127.0.0.1';
}

function sendFrame(ws: WebSocket, frame: unknown): void {
  if (ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify(frame));
}
