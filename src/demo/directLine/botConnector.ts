import { randomBytes } from 'node:crypto';
import type * as restify from 'restify';
import type { Logger } from '../../logger';
import { isRecord } from '../../json';
import { routeParam, sendError } from '../http';
import { isLoopback, parseAccount, type Account } from './clientActivity';
import type { Conversation, ConversationStore } from './conversationStore';

/** Path prefix of the channel-side connector API that receives the bot's replies (its `serviceUrl`). */
export const DEMO_CONNECTOR_PATH = '/demo/connector';

/** Options of {@link BotConnector}. */
export interface BotConnectorOptions {
  /** How this process reaches its own HTTP server, e.g. `http://127.0.0.1:3978` (no trailing slash). */
  internalBaseUrl: () => string;
  logger: Logger;
  channelId: string;
  bot: Account;
  botTimeoutMs: number;
  now: () => number;
}

/**
 * The bot side of the demo Direct Line: posts activities to the bot's `/api/messages` like a channel
 * would, and receives the bot's replies at `/demo/connector/v3/conversations/:id/activities[/:replyToId]`
 * (the activities' `serviceUrl`; loopback callers only).
 */
export class BotConnector {
  constructor(
    private readonly store: ConversationStore,
    private readonly options: BotConnectorOptions,
  ) {}

  /** Adds the connector routes to `server`. */
  install(server: restify.Server): void {
    const connector = `${DEMO_CONNECTOR_PATH}/v3/conversations/:conversationId/activities`;
    server.post(connector, (req: restify.Request, res: restify.Response, next: restify.Next) => {
      this.receiveFromBot(req, res);
      next();
    });
    server.post(`${connector}/:replyToId`, (req: restify.Request, res: restify.Response, next: restify.Next) => {
      this.receiveFromBot(req, res);
      next();
    });
  }

  /** The `serviceUrl` the bot replies to. */
  serviceUrl(): string {
    return `${this.options.internalBaseUrl()}${DEMO_CONNECTOR_PATH}`;
  }

  /** Posts an activity to the bot; resolves to the HTTP status of its answer. Rejects when it is unreachable or slow. */
  async forward(activity: Record<string, unknown>): Promise<number> {
    const response = await fetch(`${this.options.internalBaseUrl()}/api/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(activity),
      signal: AbortSignal.timeout(this.options.botTimeoutMs),
    });
    await response.arrayBuffer();
    return response.status;
  }

  /**
   * Posts a service-made activity (from the conversation's user, e.g. a `conversationUpdate`) to the
   * bot without waiting; failures are logged.
   */
  forwardDetached(conversation: Conversation, fields: Record<string, unknown>): void {
    const activity: Record<string, unknown> = {
      id: `${conversation.id}|u${randomBytes(4).toString('hex')}`,
      timestamp: new Date(this.options.now()).toISOString(),
      channelId: this.options.channelId,
      serviceUrl: this.serviceUrl(),
      from:
        conversation.user === undefined
          ? { id: `dl_${conversation.id.slice(0, 12)}`, role: 'user' }
          : { ...conversation.user },
      recipient: { ...this.options.bot },
      conversation: { id: conversation.id },
      ...fields,
    };
    const logger = this.options.logger;
    this.forward(activity)
      .then((status) => {
        if (status >= 400)
          logger.warn({ conversationId: conversation.id, status, type: activity.type }, 'the bot refused an activity');
      })
      .catch((err: unknown) => {
        logger.warn(
          { err, conversationId: conversation.id, type: activity.type },
          'could not deliver an activity to the bot',
        );
      });
  }

  private receiveFromBot(req: restify.Request, res: restify.Response): void {
    if (!isLoopback(req.socket.remoteAddress)) {
      sendError(res, 403, 'forbidden', 'Only the bot itself may post to the demo connector.');
      return;
    }
    const conversationId = routeParam(req, 'conversationId') ?? '';
    const conversation = this.store.get(conversationId);
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
    const activity = this.store.append(conversation, {
      ...rest,
      ...(keepReply ? { replyToId } : {}),
      timestamp: typeof rest.timestamp === 'string' ? rest.timestamp : new Date(this.options.now()).toISOString(),
      channelId: this.options.channelId,
      from: parseAccount(rest.from) ?? { ...this.options.bot },
      conversation: { id: conversation.id },
    });
    this.options.logger.debug({ conversationId, type: activity.type }, 'activity from the bot');
    res.send(200, { id: activity.id });
  }
}
