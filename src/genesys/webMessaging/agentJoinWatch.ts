import type { Logger } from '../../logger';
import { isGenesysError } from '../genesysError';
import type { AgentInfo } from '../handoffProvider';
import { AgentNames } from '../openMessaging/agentNames';
import { NotificationsSubscriber } from '../openMessaging/notificationsSubscriber';
import { OAuthTokenSource } from '../openMessaging/oauthTokens';
import { OpenMessagingApi } from '../openMessaging/openMessagingApi';
import type { RetryPolicy } from '../retryPolicy';
import { SHARED_PROVIDER_DEFAULTS, systemClock, type Clock } from '../shared';
import { decideAgentJoin, queueTopicOf } from './queueConversationEvent';

/** Options of an {@link AgentJoinWatch}. */
export interface AgentJoinWatchOptions {
  /** `https://api.{domain}` or an override (`GenesysApiUrl`). */
  apiUrl: string;
  /** `https://login.{domain}` or an override (`GenesysLoginUrl`). */
  loginUrl: string;
  /** OAuth client (client credentials grant, docs/genesys-protocol.md §6.1). */
  clientId: string;
  /** A secret: never logged. */
  clientSecret: string;
  /** Queues whose message conversations are watched (the queues the inbound message flow transfers to). */
  queueIds: readonly string[];
  logger: Logger;
  /** Per-request timeout in ms (default 10,000). */
  requestTimeoutMs?: number;
  /** Backoff of 5xx answers and network failures (default: 0.5 s doubling to 8 s, 4 retries). */
  requestRetryPolicy?: RetryPolicy;
  /** Delays before a failed notifications channel is set up again (default: the shared reconnect policy). */
  reconnectPolicy?: RetryPolicy;
  /** A notifications socket silent this long is set up again (default 95,000 ms; heartbeats come about every 30 s). */
  silenceTimeoutMs?: number;
  /** A channel is replaced this long before its expiry (default 3,600,000 ms; channels live about 24 h). */
  renewBeforeMs?: number;
  clock?: Clock;
}

/** Called when an agent connected to a held chat: `participantId` is the agent participant's id. */
export type AgentConnectedHandler = (participantId: string, agent: AgentInfo) => void;

/**
 * Learns that an agent accepted a Web Messaging chat before the agent writes, from the Platform API
 * (docs/genesys-protocol.md §5.17): one notifications channel per process subscribed to each watched
 * queue's `v2.routing.queues.{queueId}.conversations.messages` topic, with an OAuth client. Each held
 * chat registers under its handoff id; an event naming a held chat with a connected agent calls the
 * chat's handler with the agent's name (Users API, cached). Optional: when Genesys refuses the OAuth
 * client (401/403) the watch logs it once and stays off; chats then learn of the agent at the
 * agent's first message or typing, as without it.
 */
export class AgentJoinWatch {
  private readonly logger: Logger;
  private readonly tokens: OAuthTokenSource;
  private readonly names: AgentNames;
  private readonly subscriber: NotificationsSubscriber;
  private readonly queueIds: ReadonlySet<string>;
  private readonly chats = new Map<string, AgentConnectedHandler>();
  private started: Promise<void> | undefined;
  private refused = false;
  private stopped = false;

  constructor(options: AgentJoinWatchOptions) {
    this.logger = options.logger.child({ component: 'agentJoins' });
    this.queueIds = new Set(options.queueIds.map((id) => id.trim()).filter((id) => id !== ''));
    if (this.queueIds.size === 0) throw new Error('AgentJoinWatch: option "queueIds" needs at least one queue id');
    const clock = options.clock ?? systemClock;
    const timeoutMs = options.requestTimeoutMs ?? 10_000;
    this.tokens = new OAuthTokenSource({
      loginUrl: options.loginUrl,
      clientId: options.clientId,
      clientSecret: options.clientSecret,
      timeoutMs,
      logger: this.logger,
      clock,
    });
    // Only the Platform calls (notification channels, users) are used: the integration id serves
    // Open Messaging's inbound calls, which Web Messaging never makes.
    const api = new OpenMessagingApi({
      apiUrl: options.apiUrl,
      integrationId: '',
      tokens: this.tokens,
      timeoutMs,
      retryPolicy: options.requestRetryPolicy ?? SHARED_PROVIDER_DEFAULTS.requestRetryPolicy,
      maxRateLimitRetries: 5,
      logger: this.logger,
      clock,
    });
    this.names = new AgentNames(api, this.logger);
    const topics = [...this.queueIds].map(queueTopicOf);
    this.subscriber = new NotificationsSubscriber({
      api,
      wantedTopics: () => (this.refused ? [] : topics),
      onEvent: (topicName, eventBody) => {
        this.onEvent(topicName, eventBody);
      },
      onRefused: (err) => {
        this.refuse(err);
      },
      logger: this.logger,
      clock,
      maxTopicsPerChannel: 1000,
      renewBeforeMs: options.renewBeforeMs ?? 3_600_000,
      silenceTimeoutMs: options.silenceTimeoutMs ?? 95_000,
      reconnectPolicy: options.reconnectPolicy ?? SHARED_PROVIDER_DEFAULTS.reconnectPolicy,
    });
  }

  /** True once Genesys refused the OAuth client: no join is detected (tests, diagnostics). */
  get isRefused(): boolean {
    return this.refused;
  }

  /** Number of notification sockets open (tests, diagnostics). */
  get openChannels(): number {
    return this.subscriber.openChannels;
  }

  /**
   * Checks the OAuth client, then opens the notifications channel and subscribes the queue topics.
   * Later calls share the first. Never rejects: a refused client (401/403) is logged once and turns
   * the watch off; other failures are logged and retried by the subscriber.
   */
  start(): Promise<void> {
    this.started ??= this.run();
    return this.started;
  }

  /** Follows the chat with `handoffId` until the returned function is called. */
  watch(handoffId: string, onAgentConnected: AgentConnectedHandler): () => void {
    this.chats.set(handoffId, onAgentConnected);
    return () => {
      if (this.chats.get(handoffId) === onAgentConnected) this.chats.delete(handoffId);
    };
  }

  /** Closes the notifications socket; nothing is set up again. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.chats.clear();
    await this.subscriber.stop();
  }

  private async run(): Promise<void> {
    try {
      await this.tokens.token();
    } catch (err) {
      if (this.isRefusal(err)) {
        this.refuse(err);
        return;
      }
      this.logger.warn({ err }, 'could not get a Genesys access token for agent-join detection yet; retrying');
    }
    if (this.stopped) return;
    await this.subscriber.sync();
  }

  private isRefusal(err: unknown): boolean {
    return isGenesysError(err) && (err.status === 401 || err.status === 403);
  }

  private refuse(err: unknown): void {
    if (this.refused) return;
    this.refused = true;
    this.logger.warn(
      { err },
      'Genesys refused the OAuth client (GenesysOAuthClientId) used to detect agents joining Web Messaging chats; ' +
        'agents are announced at their first message or typing instead. Check the client id, secret and role.',
    );
  }

  private onEvent(topicName: string, eventBody: unknown): void {
    const decision = decideAgentJoin(topicName, eventBody, {
      queueIds: this.queueIds,
      holds: (handoffId) => this.chats.has(handoffId),
    });
    if (decision.kind === 'ignore') {
      this.logger.trace({ topicName, reason: decision.reason }, 'queue conversation event ignored');
      return;
    }
    const { handoffId, agent, conversationId } = decision;
    this.announce(handoffId, agent.participantId, agent.userId).catch((err: unknown) => {
      this.logger.warn({ err, conversationId }, 'could not report an agent joining');
    });
  }

  private async announce(handoffId: string, participantId: string, userId: string | undefined): Promise<void> {
    const name = userId === undefined ? undefined : await this.names.nameOf(userId);
    const handler = this.chats.get(handoffId);
    if (handler === undefined) return;
    handler(participantId, {
      ...(userId === undefined ? {} : { id: userId }),
      ...(name === undefined ? {} : { name }),
    });
  }
}
