import type * as restify from 'restify';
import type { Logger } from '../logger';
import { BotConnector } from './directLine/botConnector';
import type { Account } from './directLine/clientActivity';
import { ConversationStore } from './directLine/conversationStore';
import { DirectLineRestApi } from './directLine/restRoutes';
import { DirectLineStreams } from './directLine/streams';

export { DEMO_CONNECTOR_PATH } from './directLine/botConnector';
export { parseClientActivity, type ClientActivity } from './directLine/clientActivity';
export { DIRECT_LINE_PATH } from './directLine/streams';

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
  /**
   * How long a started conversation may go without an open stream before the customer counts as
   * gone and the bot gets a `conversationUpdate` with the user in `membersRemoved` (default 30 s;
   * a page reload reconnects well within it).
   */
  customerLeftAfterMs?: number;
  /**
   * Names given, in turn, to users whose token is generated without a name (default none: such
   * users stay nameless). After the last, the list starts again with a number: "Dana 2".
   */
  customerNames?: readonly string[];
  now?: () => number;
}

/**
 * A minimal, in-memory Direct Line 3.0 service for the local demo, served by the bot's own HTTP
 * server so Bot Framework Web Chat can talk to the bot without Azure: the REST API
 * ({@link DirectLineRestApi}), the websocket streams ({@link DirectLineStreams}) and the channel
 * side that exchanges activities with the bot ({@link BotConnector}), over one
 * {@link ConversationStore}.
 */
export class DirectLineEndpoint {
  private readonly store: ConversationStore;
  private readonly connector: BotConnector;
  private readonly streams: DirectLineStreams;
  private readonly rest: DirectLineRestApi;

  constructor(options: DirectLineOptions) {
    if (typeof options.internalBaseUrl !== 'function')
      throw new Error('DirectLineEndpoint: option internalBaseUrl is required');
    const logger = options.logger.child({ component: 'directline' });
    const channelId = options.channelId ?? 'directline';
    const bot: Account = { ...(options.bot ?? { id: 'bot', name: 'Bot' }), role: 'bot' };
    const now = options.now ?? Date.now;
    this.store = new ConversationStore({
      logger,
      maxConversations: options.maxConversations ?? 200,
      maxActivities: options.maxActivities ?? 500,
      tokenLifetimeMs: (options.tokenLifetimeSeconds ?? 3600) * 1000,
      now,
      customerNames: options.customerNames ?? [],
    });
    this.connector = new BotConnector(this.store, {
      internalBaseUrl: options.internalBaseUrl,
      logger,
      channelId,
      bot,
      botTimeoutMs: options.botTimeoutMs ?? 30_000,
      now,
    });
    this.streams = new DirectLineStreams(this.store, {
      logger,
      heartbeatMs: options.heartbeatMs ?? 30_000,
      customerLeftAfterMs: options.customerLeftAfterMs ?? 30_000,
      onCustomerLeft: (conversation) => {
        this.connector.forwardDetached(conversation, {
          type: 'conversationUpdate',
          membersRemoved: [
            conversation.user === undefined
              ? { id: `dl_${conversation.id.slice(0, 12)}`, role: 'user' }
              : { ...conversation.user },
          ],
        });
      },
    });
    this.rest = new DirectLineRestApi(this.store, this.connector, {
      logger,
      channelId,
      bot,
      now,
      fallbackWsBase: () => options.internalBaseUrl().replace(/^http/, 'ws'),
    });
  }

  /** Number of conversations held in memory. */
  get conversationCount(): number {
    return this.store.size;
  }

  /** Adds the Direct Line and connector routes and the websocket upgrade handler to `server`. */
  install(server: restify.Server): void {
    this.rest.install(server);
    this.connector.install(server);
    this.streams.install(server);
    // Upgraded sockets keep http.Server#close waiting and closeAllConnections() does not see them:
    // close the streams as soon as the server starts closing.
    const closeServer = server.close.bind(server);
    server.close = (callback?: () => void): unknown => {
      this.close();
      return closeServer(callback);
    };
  }

  /** Closes every stream and forgets every conversation. Idempotent. */
  close(): void {
    this.streams.close();
    this.store.clear();
  }
}
