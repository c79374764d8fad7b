import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Logger } from '../../logger';
import { NotificationsService, type NotificationsSettings } from './notificationsService';
import { OAuthTokens, type SimulatedOAuthClient } from './oauthTokens';
import { parseJsonBody, SimHttpError, type SimRequest, type SimResponse, type SimRouter } from './simHttp';

/**
 * The parts of the Genesys Cloud Platform API every simulator shares (docs/genesys-protocol.md §6.1,
 * §6.4, §6.5): the login service with client-credentials tokens, the users directory
 * (`GET /api/v2/users/{userId}`), and the Notifications API (channels, subscriptions, the streaming
 * socket with heartbeats). A simulator publishes its topic events through {@link notifications}.
 */

/** A user (agent) of the simulated org. */
export interface SimulatedUser {
  id: string;
  name: string;
}

/** Options of a {@link SimulatedPlatformApi}. */
export interface SimulatedPlatformApiOptions {
  /** OAuth clients allowed the client credentials grant (none: every token request answers 401). */
  clients: SimulatedOAuthClient[];
  /** Users known from the start; {@link SimulatedPlatformApi.userNamed} adds more. */
  users?: SimulatedUser[];
  /** [I] `expires_in` of issued tokens in seconds (default 86,400). */
  tokenLifetimeSeconds?: number;
  /** [C] Platform API requests per minute per token (default 300, docs/genesys-protocol.md §6.1). */
  requestsPerMinute?: number;
  /** Notifications API settings (docs/genesys-protocol.md §6.5). */
  notifications?: Partial<NotificationsSettings>;
  /** Base URL of the websocket side (`ws://host:port`), read when a channel is described. */
  socketBaseUrl: () => string;
  now: () => number;
  logger: Logger;
  /** Called after every change (a token issued, a channel or subscription changed). */
  onChange: () => void;
}

/** Wraps a handler of an authenticated call; the default checks the bearer token and the rate limit. */
export type AuthorizedRoute = (
  handler: (req: SimRequest, clientId: string) => SimResponse,
) => (req: SimRequest) => SimResponse;

const HOUR = 3_600_000;

/** Login, users and notifications of a simulated org; see the module documentation. */
export class SimulatedPlatformApi {
  readonly oauth: OAuthTokens;
  readonly notifications: NotificationsService;
  private readonly users = new Map<string, SimulatedUser>();

  constructor(private readonly options: SimulatedPlatformApiOptions) {
    for (const user of options.users ?? []) this.users.set(user.id, { ...user });
    this.oauth = new OAuthTokens({
      clients: options.clients,
      tokenLifetimeSeconds: options.tokenLifetimeSeconds ?? 86_400,
      requestsPerMinute: options.requestsPerMinute ?? 300,
      now: options.now,
    });
    this.notifications = new NotificationsService(
      {
        heartbeatMs: 30_000,
        channelLifetimeMs: 24 * HOUR,
        socketClosingNoticeMs: 60_000,
        maxTopicsPerChannel: 1000,
        maxChannels: 20,
        subscribeExtendsChannel: true,
        ...options.notifications,
      },
      options.socketBaseUrl,
      options.now,
      options.logger,
      options.onChange,
    );
  }

  /** Every known user. */
  allUsers(): SimulatedUser[] {
    return [...this.users.values()].map((user) => ({ ...user }));
  }

  /** A known user by id. */
  user(userId: string): SimulatedUser | undefined {
    const user = this.users.get(userId);
    return user === undefined ? undefined : { ...user };
  }

  /** The user named `name`; an unknown name becomes a new user (with `id` when given, else a random one). */
  userNamed(name: string, id?: string): SimulatedUser {
    const known = id === undefined ? [...this.users.values()].find((u) => u.name === name) : this.users.get(id);
    if (known !== undefined) return { ...known };
    const user = { id: id ?? randomUUID(), name };
    this.users.set(user.id, user);
    return { ...user };
  }

  /** The bearer check of an API call: the caller's client id, or a thrown 401/429 {@link SimHttpError}. */
  authorize(req: SimRequest): string {
    return this.oauth.authorize(req);
  }

  /**
   * Adds `POST /oauth/token`, `GET /api/v2/users/{userId}` and the notification channel and
   * subscription routes to `router`; `authed` wraps every call that needs a token (default: the
   * bearer check of {@link authorize}).
   */
  addRoutes(
    router: SimRouter,
    authed: AuthorizedRoute = (handler) => (req) => handler(req, this.authorize(req)),
  ): void {
    const api = '/api/v2';
    router.route('POST', '/oauth/token', (req) => {
      const response = this.oauth.handleTokenRequest(req);
      this.options.onChange();
      return response;
    });
    router.route(
      'GET',
      `${api}/users/{userId}`,
      authed((req) => this.handleGetUser(req)),
    );
    const channels = `${api}/notifications/channels`;
    const notifications = this.notifications;
    router.route(
      'POST',
      channels,
      authed((_req, clientId) => notifications.createChannel(clientId)),
    );
    router.route(
      'GET',
      channels,
      authed((_req, clientId) => notifications.listChannels(clientId)),
    );
    router.route(
      'HEAD',
      `${channels}/{channelId}`,
      authed((req, clientId) => notifications.channelExists(req.params.channelId ?? '', clientId)),
    );
    const subscriptions = `${channels}/{channelId}/subscriptions`;
    for (const [method, mode] of [
      ['POST', 'add'],
      ['PUT', 'replace'],
    ] as const) {
      router.route(
        method,
        subscriptions,
        authed((req, clientId) =>
          notifications.subscribe(req.params.channelId ?? '', clientId, parseJsonBody(req.rawBody), mode),
        ),
      );
    }
    router.route(
      'GET',
      subscriptions,
      authed((req, clientId) => notifications.listSubscriptions(req.params.channelId ?? '', clientId)),
    );
    router.route(
      'DELETE',
      subscriptions,
      authed((req, clientId) => notifications.unsubscribeAll(req.params.channelId ?? '', clientId)),
    );
  }

  /** Handles an upgrade to a notifications channel socket; false when the path is not a channel path. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): boolean {
    return this.notifications.handleUpgrade(req, socket, head);
  }

  /** Closes every notifications socket and forgets every channel. */
  stop(): void {
    this.notifications.stop();
  }

  /** `GET /api/v2/users/{userId}` (docs/genesys-protocol.md §6.4) [C] endpoint, [I] minimal body. */
  private handleGetUser(req: SimRequest): SimResponse {
    const user = this.users.get(req.params.userId ?? '');
    if (user === undefined) throw new SimHttpError(404, 'not.found', `User ${req.params.userId ?? ''} not found`);
    return {
      status: 200,
      body: { id: user.id, name: user.name, state: 'active', selfUri: `/api/v2/users/${user.id}` },
    };
  }
}
