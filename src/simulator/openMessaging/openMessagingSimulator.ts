import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { createSilentLogger, type Logger } from '../../logger';
import {
  validateInboundEvent,
  validateInboundMessage,
  validateInboundReceipt,
  validateInboundStructuredResponse,
  type InboundLimits,
} from './inboundValidation';
import {
  isTransfer,
  type DisconnectType,
  type ExternalContact,
  type RecordedReceipt,
  type SimulatedOpenConversation,
  type SimulatedOpenMessage,
  type SimulatedParticipant,
} from './model';
import type { NotificationsService, NotificationsSettings } from '../kit/notificationsService';
import type { OAuthTokens, SimulatedOAuthClient } from '../kit/oauthTokens';
import { SimulatedPlatformApi, type SimulatedUser } from '../kit/platformApi';
import { parseJsonBody, SimHttpError, SimHttpServer, type SimRequest, type SimResponse } from '../kit/simHttp';
import { WebhookDelivery, type WebhookAttempt, type WebhookKnobs, type WebhookPolicy } from './webhookDelivery';

/**
 * A local, in-process simulation of the Genesys Cloud side of Open Messaging
 * (docs/genesys-protocol.md §6): login (`/oauth/token`), the inbound endpoints with validation and
 * rate limit, conversations keyed by integration and external id with the threading window, a queue
 * and agents, signed webhook delivery with Genesys' retry policy, the Notifications API, the
 * conversation and user lookups, the participant PATCH, and an agent control API for tests and the
 * demo agent console.
 *
 * Tags: [C] confirmed, [O] observed, [I] inferred, [U] unknown, as in docs/genesys-protocol.md;
 * [I]/[U] behaviours are options.
 */

/** `MessagingSetting.event.typing.on.{inbound,outbound}` values (docs/genesys-protocol.md §6.2) [C]. */
export type TypingSetting = 'Enabled' | 'Disabled';

/** A simulated Open Messaging integration (docs/genesys-protocol.md §6.1). */
export interface SimulatedIntegration {
  /** The integration id (GUID) used as `{integrationId}`. */
  id: string;
  /** Shown as `channel.from.nickname` on webhooks (docs/genesys-protocol.md §6.4) [O]. */
  name: string;
  /** `outboundNotificationWebhookUrl`; without one, agent messages are recorded but not delivered. */
  webhookUrl?: string;
  /** `outboundNotificationWebhookSignatureSecretToken`. */
  webhookSecret: string;
  /** `webhookHeaders` sent with every webhook [I] (§6.3). */
  webhookHeaders?: Record<string, string>;
  /** Typing per direction; [C] disabled by default (§6.2). */
  typing?: { inbound?: TypingSetting; outbound?: TypingSetting };
  /** [C] Outbound MIME types of the content profile; default `.jpg`, `.png`, `.gif` only (§6.10). */
  outboundMimeTypes?: string[];
  /** Queue the inbound message flow routes to (default the first queue). */
  queueId?: string;
}

export type { SimulatedUser } from '../kit/platformApi';

/** A Process Automation trigger → Workflow → data action target (docs/genesys-protocol.md §6.5) [C]/[I]. */
export interface SimulatedTriggerTarget {
  /** The HTTPS endpoint the data action calls. */
  url: string;
  /** Header carrying the shared secret (the data action's own configuration) [I]. */
  secretHeader: string;
  secret: string;
  /** Detail-event suffixes that fire it, e.g. `customer.end`, `user.end`, `acw`. */
  topics: string[];
}

/** Options of {@link OpenMessagingSimulator}. */
export interface OpenMessagingSimulatorOptions {
  integrations: SimulatedIntegration[];
  /** OAuth clients allowed the client credentials grant. */
  clients: SimulatedOAuthClient[];
  /** Users (agents); `agentJoin` adds one by name when it is unknown. */
  users?: SimulatedUser[];
  /** Queues (default one queue `Support`). */
  queues?: { id: string; name: string }[];
  /** Default 127.0.0.1. */
  host?: string;
  /** 0 = any free port (default). */
  port?: number;
  logger?: Logger;
  /** Clock in epoch ms (tests move time for token expiry and the threading window). */
  now?: () => number;
  /** [I] `expires_in` of issued tokens in seconds (default 86,400). */
  tokenLifetimeSeconds?: number;
  /** [C] Platform API requests per minute per token (default 300, §6.1). */
  requestsPerMinute?: number;
  /** [C] Messaging threading timeline in ms (default 72 h; 0 = every message after an end starts anew, §6.9). */
  threadingWindowMs?: number;
  /** [C] Webhook timeout and retries (default 10 s, 5 retries, 5 s apart, §6.3). */
  webhook?: Partial<WebhookPolicy>;
  /** Webhook misbehaviour knobs (default off). */
  webhookKnobs?: Partial<WebhookKnobs>;
  /** Notifications API settings (§6.5). */
  notifications?: Partial<NotificationsSettings>;
  /** Inbound size limits (§6.10). */
  limits?: Partial<InboundLimits>;
  /** [C] Longest agent text in characters (default 4,000, §6.10). */
  maxOutboundTextLength?: number;
  /** [O] `typing.duration` of agent typing events in ms (default 5,000, §6.3). */
  typingDurationMs?: number;
  /**
   * [I] When the last agent leaves without a transfer, the customer participant is disconnected too
   * (`customer.end` with `PEER`): the conversation is over (default true).
   */
  customerEndsWithLastAgent?: boolean;
  /** [U] Whether the participant PATCH of a queued customer also ends ACD routing (default true; §6.6 lists it as unknown). */
  customerDisconnectCancelsRouting?: boolean;
  /** An agent that answers every queued conversation by itself after `delayMs` (demo and benchmark). */
  autoAnswer?: { agentName: string; delayMs: number };
  /** Trigger targets that receive detail events by HTTPS (§6.5). */
  triggers?: SimulatedTriggerTarget[];
}

/** Options of the agent send calls. */
export interface AgentSendOptions {
  /** `Bot` for an Architect flow message (queue position, wait notices) (default `Human`, §6.3). */
  originatingEntity?: 'Human' | 'Bot';
  /** Message id (default a random UUID). */
  id?: string;
}

/** Options of {@link OpenMessagingSimulator.agentLeave}. */
export interface AgentLeaveOptions {
  /** Default `CLIENT` (the agent disconnected). A transfer value puts the conversation back in queue. */
  disconnectType?: DisconnectType;
  /** Wrap-up code and notes entered at once (emits the `acw` detail event). */
  wrapup?: { code: string; notes?: string };
}

/** Target of {@link OpenMessagingSimulator.agentTransfer}. */
export interface AgentTransferOptions {
  /** Another agent by name; they are connected at once. */
  toAgent?: string;
  /** A queue; the conversation waits there. */
  toQueueId?: string;
  /** Default `TRANSFER`. */
  disconnectType?: DisconnectType;
}

/** Events the simulator emits so a UI or a test can follow along. */
export interface OpenMessagingSimulatorEvents {
  conversationStarted: [SimulatedOpenConversation];
  inboundMessage: [{ conversationId: string; message: SimulatedOpenMessage }];
  customerTyping: [{ conversationId: string }];
  receipt: [RecordedReceipt];
  /** Anything changed (used by `waitUntil`). */
  changed: [];
}

/** Counters tests use to prove a path was really taken. */
export interface OpenMessagingStats {
  tokensIssued: number;
  rateLimited: number;
  badRequests: number;
  inboundMessages: number;
  inboundTyping: number;
  notificationFrames: number;
  triggerDeliveries: number;
}

/** An integration with its defaults filled in. */
type IntegrationRecord = Required<Omit<SimulatedIntegration, 'webhookUrl'>> & { webhookUrl?: string };

const DEFAULT_QUEUE = { id: 'd9a1b6a0-5b3c-4c59-9f43-4c9a3c2a0001', name: 'Support' };
const HOUR = 3_600_000;

/** A detail-event body (docs/genesys-protocol.md §6.5) [C] field names, [I] values. */
type DetailEvent = Record<string, unknown>;

function clone<T>(value: T): T {
  return structuredClone(value);
}

/** The Open Messaging simulator; see the module documentation. */
export class OpenMessagingSimulator extends EventEmitter<OpenMessagingSimulatorEvents> {
  private readonly now: () => number;
  private readonly integrations = new Map<string, IntegrationRecord>();
  private readonly platform: SimulatedPlatformApi;
  private readonly queues: { id: string; name: string }[];
  private readonly conversationsById = new Map<string, SimulatedOpenConversation>();
  /** `${integrationId}\n${externalId}` → latest conversation id (the §6.9 key). */
  private readonly latestByExternalId = new Map<string, string>();
  /** `${integrationId}\n${messageId}\n${time}` → the answer already given (§6.2 uniqueness). */
  private readonly answeredMessages = new Map<string, SimResponse>();
  private readonly receiptLog: RecordedReceipt[] = [];
  private readonly oauth: OAuthTokens;
  private readonly webhooks: WebhookDelivery;
  private readonly notifications: NotificationsService;
  private readonly http: SimHttpServer;
  private readonly logger: Logger;
  private readonly limits: InboundLimits;
  private readonly timers = new Set<NodeJS.Timeout>();
  private threadingWindowMs: number;
  private pendingTriggers = 0;
  private baseUrl = '';
  private readonly counters = { badRequests: 0, inboundMessages: 0, inboundTyping: 0, triggerDeliveries: 0 };

  constructor(private readonly options: OpenMessagingSimulatorOptions) {
    super();
    if (options.integrations.length === 0)
      throw new Error('OpenMessagingSimulator: options.integrations needs at least one integration');
    if (options.clients.length === 0)
      throw new Error('OpenMessagingSimulator: options.clients needs at least one OAuth client');
    this.setMaxListeners(0);
    this.now = options.now ?? Date.now;
    this.logger = (options.logger ?? createSilentLogger()).child({ module: 'simulator.openmessaging' });
    this.queues = options.queues ?? [DEFAULT_QUEUE];
    const firstQueue = this.queues[0];
    if (firstQueue === undefined) throw new Error('OpenMessagingSimulator: options.queues must not be empty');
    for (const integration of options.integrations) {
      this.integrations.set(integration.id, {
        webhookHeaders: {},
        typing: {},
        outboundMimeTypes: ['image/jpeg', 'image/png', 'image/gif'],
        queueId: firstQueue.id,
        ...integration,
      });
    }
    this.threadingWindowMs = options.threadingWindowMs ?? 72 * HOUR;
    this.limits = { maxTextLength: 4000, maxCustomAttributesBytes: 2048, maxAttachments: 10, ...options.limits };
    const changed = (): void => {
      this.emit('changed');
    };
    this.platform = new SimulatedPlatformApi({
      clients: options.clients,
      ...(options.users === undefined ? {} : { users: options.users }),
      ...(options.tokenLifetimeSeconds === undefined ? {} : { tokenLifetimeSeconds: options.tokenLifetimeSeconds }),
      ...(options.requestsPerMinute === undefined ? {} : { requestsPerMinute: options.requestsPerMinute }),
      ...(options.notifications === undefined ? {} : { notifications: options.notifications }),
      socketBaseUrl: () => this.baseUrl.replace(/^http/, 'ws'),
      now: this.now,
      logger: this.logger,
      onChange: changed,
    });
    this.oauth = this.platform.oauth;
    this.notifications = this.platform.notifications;
    this.webhooks = new WebhookDelivery(
      { timeoutMs: 10_000, maxRetries: 5, retryDelayMs: 5_000, ...options.webhook },
      { duplicate: false, reorder: 'none', batchMs: 100, ...options.webhookKnobs },
      this.logger,
      changed,
    );
    this.http = new SimHttpServer({
      logger: this.logger,
      onUpgrade: (req, socket, head) => {
        if (!this.platform.handleUpgrade(req, socket, head))
          socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n');
      },
    });
    this.addRoutes();
  }

  // ---------------------------------------------------------------- lifecycle

  /** Starts listening; resolves with the base URL that serves both login and API (`http://127.0.0.1:port`). */
  async start(): Promise<string> {
    const host = this.options.host ?? '127.0.0.1';
    const port = await this.http.listen(this.options.port ?? 0, host);
    this.baseUrl = `http://${host}:${port}`;
    return this.baseUrl;
  }

  /** Stops deliveries, timers, sockets and the server. */
  async stop(): Promise<void> {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    this.webhooks.stop();
    this.platform.stop();
    await this.http.close();
  }

  /** The base URL (after `start`). */
  get url(): string {
    return this.baseUrl;
  }

  /** Resolves once no webhook or trigger delivery is queued, in flight or waiting for a retry. */
  whenIdle(timeoutMs = 30_000): Promise<void> {
    return this.waitUntil(
      () => (this.webhooks.pending === 0 && this.pendingTriggers === 0 ? true : undefined),
      timeoutMs,
      'idle',
    ).then(() => undefined);
  }

  /**
   * Resolves with `check()`'s first defined result, re-evaluated after every change in the
   * simulator; rejects after `timeoutMs`.
   */
  waitUntil<T>(check: () => T | undefined, timeoutMs = 5000, what = 'condition'): Promise<T> {
    const first = check();
    if (first !== undefined) return Promise.resolve(first);
    return new Promise<T>((resolve, reject) => {
      const onChange = (): void => {
        const value = check();
        if (value === undefined) return;
        clearTimeout(timer);
        this.off('changed', onChange);
        resolve(value);
      };
      const timer = setTimeout(() => {
        this.off('changed', onChange);
        reject(new Error(`OpenMessagingSimulator: timed out after ${timeoutMs} ms waiting for ${what}`));
      }, timeoutMs);
      this.on('changed', onChange);
    });
  }

  // ---------------------------------------------------------------- knobs and inspection

  /** Counters of what the simulator answered. */
  get stats(): OpenMessagingStats {
    return {
      tokensIssued: this.oauth.issued,
      rateLimited: this.oauth.rateLimited,
      notificationFrames: this.notifications.delivered,
      ...this.counters,
    };
  }

  /** Changes the webhook delivery knobs (duplicate, reorder). */
  setWebhookKnobs(knobs: Partial<WebhookKnobs>): void {
    this.webhooks.setKnobs(knobs);
  }

  /** Changes the webhook timeout/retry policy. */
  setWebhookPolicy(policy: Partial<WebhookPolicy>): void {
    this.webhooks.setPolicy(policy);
  }

  /** Points an integration's webhook at `url` (the demo learns the bot's port after start). */
  setWebhookUrl(integrationId: string, url: string): void {
    this.requireIntegration(integrationId).webhookUrl = url;
  }

  /** Sets the integration's typing setting per direction. */
  setTyping(integrationId: string, typing: { inbound?: TypingSetting; outbound?: TypingSetting }): void {
    const integration = this.requireIntegration(integrationId);
    integration.typing = { ...integration.typing, ...typing };
  }

  /** Changes the threading timeline (ms). */
  setThreadingWindowMs(ms: number): void {
    this.threadingWindowMs = ms;
  }

  /** Changes the lifetime of tokens issued from now on (seconds). */
  setTokenLifetimeSeconds(seconds: number): void {
    this.oauth.setTokenLifetimeSeconds(seconds);
  }

  /** Changes the per-token request budget per minute. */
  setRequestsPerMinute(perMinute: number): void {
    this.oauth.setRequestsPerMinute(perMinute);
  }

  /** Invalidates every issued token now. */
  expireTokens(): void {
    this.oauth.expireAll();
  }

  /** The next `count` API calls answer 429 with `Retry-After: retryAfterSeconds`. */
  forceRateLimit(count: number, retryAfterSeconds = 1): void {
    this.oauth.forceRateLimit(count, retryAfterSeconds);
  }

  /** Every webhook attempt so far. */
  webhookAttempts(): WebhookAttempt[] {
    return this.webhooks.attempts();
  }

  /** Receipts the bot sent, oldest first (optionally of one conversation). */
  receipts(conversationId?: string): RecordedReceipt[] {
    return this.receiptLog
      .filter((r) => conversationId === undefined || r.conversationId === conversationId)
      .map(clone);
  }

  /** Snapshots of every conversation, oldest first. */
  conversations(): SimulatedOpenConversation[] {
    return [...this.conversationsById.values()].map(clone);
  }

  /** A snapshot of one conversation. */
  conversation(conversationId: string): SimulatedOpenConversation | undefined {
    const conversation = this.conversationsById.get(conversationId);
    return conversation === undefined ? undefined : clone(conversation);
  }

  /** Conversations waiting in a queue (default every queue). */
  queued(queueId?: string): SimulatedOpenConversation[] {
    return this.conversations().filter((c) => c.state === 'queued' && (queueId === undefined || c.queueId === queueId));
  }

  /** Agents and how many conversations each is connected to. */
  agents(): (SimulatedUser & { activeConversations: number })[] {
    return this.platform.allUsers().map((user) => ({
      ...user,
      activeConversations: [...this.conversationsById.values()].filter((c) => c.agent?.userId === user.id).length,
    }));
  }

  /** Resolves with the first conversation matching `predicate`. */
  waitForConversation(
    predicate: (c: SimulatedOpenConversation) => boolean,
    timeoutMs = 5000,
  ): Promise<SimulatedOpenConversation> {
    return this.waitUntil(() => this.conversations().find(predicate), timeoutMs, 'conversation');
  }

  /** Topics subscribed on a notifications channel. */
  channelTopics(channelId: string): string[] {
    return this.notifications.topicsOf(channelId);
  }

  /** Notification channels with an open socket. */
  connectedChannelCount(): number {
    return this.notifications.connectedChannelCount();
  }

  /** Most notifications channels that had an open socket at the same time (tests: one subscriber). */
  get connectedChannelPeak(): number {
    return this.notifications.connectedChannelPeak;
  }

  /** Sends `v2.system.socket_closing` on every notifications socket and closes them after `afterMs`. */
  closeNotificationSockets(afterMs = 0): void {
    this.notifications.closeSockets(afterMs);
  }

  /** Drops every notifications socket without a close frame. */
  dropNotificationSockets(): void {
    this.notifications.dropSockets();
  }

  /** Ends a notifications channel now, as its 24 h expiry would. */
  expireChannel(channelId: string): void {
    this.notifications.expireChannel(channelId);
  }

  // ---------------------------------------------------------------- agent control

  /** An agent accepts a queued conversation (by name; an unknown name becomes a new user). */
  agentJoin(conversationId: string, name: string): SimulatedOpenConversation {
    const conversation = this.requireLive(conversationId);
    if (conversation.agent !== undefined)
      throw new Error(`OpenMessagingSimulator: ${conversationId} already has agent ${conversation.agent.name}`);
    this.endAcd(conversation, 'ANSWERED');
    this.connectAgent(conversation, this.platform.userNamed(name));
    this.publishConversation(conversation);
    this.emit('changed');
    return clone(conversation);
  }

  /** The agent writes text; resolves with the outbound message id. */
  agentSend(conversationId: string, text: string, options: AgentSendOptions = {}): string {
    const maxLength = this.options.maxOutboundTextLength ?? 4000;
    if (text.length > maxLength)
      throw new Error(
        `OpenMessagingSimulator: agent text exceeds ${maxLength} characters (docs/genesys-protocol.md §6.10)`,
      );
    return this.sendOutbound(conversationId, { type: 'Text', text, attachments: [] }, options);
  }

  /** Text from an Architect flow (`originatingEntity: Bot`), e.g. an in-queue position notice. */
  botSend(conversationId: string, text: string): string {
    return this.sendOutbound(conversationId, { type: 'Text', text, attachments: [] }, { originatingEntity: 'Bot' });
  }

  /**
   * The agent sends a file by URL. [C] The default content profile allows only `.jpg`, `.png`,
   * `.gif` outbound (§6.10): other MIME types throw, as the agent UI refuses them [I].
   */
  agentSendAttachment(
    conversationId: string,
    attachment: { url: string; mime: string; filename: string; contentSizeBytes?: number },
    text = '',
    options: AgentSendOptions = {},
  ): string {
    const conversation = this.requireConversation(conversationId);
    const integration = this.requireIntegration(conversation.integrationId);
    if (!integration.outboundMimeTypes.includes(attachment.mime)) {
      throw new Error(`OpenMessagingSimulator: the content profile does not allow ${attachment.mime} outbound`);
    }
    const mediaType = attachment.mime.startsWith('image/')
      ? 'Image'
      : attachment.mime.startsWith('video/')
        ? 'Video'
        : attachment.mime.startsWith('audio/')
          ? 'Audio'
          : 'File';
    return this.sendOutbound(
      conversationId,
      { type: 'Text', text, attachments: [{ id: randomUUID(), mediaType, ...attachment }] },
      options,
    );
  }

  /**
   * Structured content (quick replies, cards, carousels) as an Architect bot flow sends it; [O] the
   * agent UI itself sends text and media only (§6.3), hence `originatingEntity` defaults to `Bot`.
   * `content` items are `{ contentType: 'QuickReply' | 'Card' | 'Carousel' | 'Notification', ... }`.
   */
  agentSendStructured(
    conversationId: string,
    text: string,
    content: Record<string, unknown>[],
    options: AgentSendOptions = {},
  ): string {
    for (const item of content) {
      if (
        !['QuickReply', 'Card', 'Carousel', 'Notification', 'DatePicker', 'ListPicker'].includes(
          String(item.contentType),
        )
      ) {
        throw new Error(`OpenMessagingSimulator: unsupported structured contentType ${String(item.contentType)}`);
      }
    }
    return this.sendOutbound(
      conversationId,
      { type: 'Structured', text, attachments: [], structured: content },
      {
        originatingEntity: 'Bot',
        ...options,
      },
    );
  }

  /** The agent types; false when the integration's outbound typing is disabled (default, §6.2) and nothing is sent. */
  agentTyping(conversationId: string): boolean {
    const conversation = this.requireLive(conversationId);
    const integration = this.requireIntegration(conversation.integrationId);
    if (integration.typing.outbound !== 'Enabled') return false;
    const id = randomUUID();
    this.deliverWebhook(conversation, {
      ...this.outboundEnvelope(conversation, id, new Date(this.now()).toISOString()),
      type: 'Event',
      events: [{ eventType: 'Typing', typing: { type: 'On', duration: this.options.typingDurationMs ?? 5000 } }],
    });
    return true;
  }

  /**
   * The connected agent disconnects. A transfer `disconnectType` returns the conversation to its
   * queue; any other value ends the agent's part and, with `customerEndsWithLastAgent`, the
   * conversation. The agent enters after-call work (`startAcwTime`).
   */
  agentLeave(conversationId: string, options: AgentLeaveOptions = {}): SimulatedOpenConversation {
    const conversation = this.requireLive(conversationId);
    const disconnectType = options.disconnectType ?? 'CLIENT';
    const agent = this.requireAgentParticipant(conversation);
    this.disconnectAgent(conversation, agent, disconnectType);
    if (options.wrapup !== undefined) this.wrapUp(conversation, agent, options.wrapup);
    if (isTransfer(disconnectType)) {
      this.enqueue(conversation, conversation.queueId);
    } else {
      if (this.options.customerEndsWithLastAgent ?? true) this.endCustomer(conversation, 'PEER');
      // A customer who already left (participant PATCH) means nobody is connected any more.
      if (this.customerParticipant(conversation).state === 'disconnected') this.endConversationRecord(conversation);
    }
    this.publishConversation(conversation);
    this.emit('changed');
    return clone(conversation);
  }

  /** Transfers the conversation to another agent (connected at once) or to a queue. */
  agentTransfer(conversationId: string, target: AgentTransferOptions): SimulatedOpenConversation {
    const conversation = this.requireLive(conversationId);
    const disconnectType = target.disconnectType ?? 'TRANSFER';
    if (!isTransfer(disconnectType))
      throw new Error(`OpenMessagingSimulator: ${disconnectType} is not a transfer disconnectType`);
    if ((target.toAgent === undefined) === (target.toQueueId === undefined)) {
      throw new Error('OpenMessagingSimulator: agentTransfer needs exactly one of toAgent or toQueueId');
    }
    const agent = this.requireAgentParticipant(conversation);
    this.disconnectAgent(conversation, agent, disconnectType);
    if (target.toAgent !== undefined) {
      this.connectAgent(conversation, this.platform.userNamed(target.toAgent));
    } else if (target.toQueueId !== undefined) {
      if (!this.queues.some((q) => q.id === target.toQueueId))
        throw new Error(`OpenMessagingSimulator: unknown queue ${target.toQueueId}`);
      this.enqueue(conversation, target.toQueueId);
    }
    this.publishConversation(conversation);
    this.emit('changed');
    return clone(conversation);
  }

  /** The agent (or the last agent, in after-call work) enters a wrap-up code: the `acw` detail event. */
  agentWrapUp(conversationId: string, wrapup: { code: string; notes?: string }): void {
    const conversation = this.requireConversation(conversationId);
    const agent = [...conversation.participants]
      .reverse()
      .find((p) => p.purpose === 'agent' && p.startAcwTime !== undefined && p.wrapup === undefined);
    if (agent === undefined)
      throw new Error(`OpenMessagingSimulator: no agent of ${conversationId} is waiting for wrap-up`);
    this.wrapUp(conversation, agent, wrapup);
    this.emit('changed');
  }

  /** Ends the whole conversation from the Genesys side: every connected participant disconnects with `disconnectType`. */
  endConversation(
    conversationId: string,
    options: { disconnectType?: DisconnectType } = {},
  ): SimulatedOpenConversation {
    const conversation = this.requireLive(conversationId);
    const disconnectType = options.disconnectType ?? 'SYSTEM';
    this.endAcd(conversation, 'ABANDON');
    const agent = this.agentParticipant(conversation);
    if (agent !== undefined) this.disconnectAgent(conversation, agent, disconnectType);
    this.endCustomer(conversation, disconnectType);
    this.endConversationRecord(conversation);
    this.publishConversation(conversation);
    this.emit('changed');
    return clone(conversation);
  }

  // ---------------------------------------------------------------- HTTP routes

  private addRoutes(): void {
    const api = '/api/v2';
    const inbound = `${api}/conversations/messages/{integrationId}/inbound/open`;
    const authed =
      (handler: (req: SimRequest, clientId: string) => SimResponse): ((req: SimRequest) => SimResponse) =>
      (req) => {
        const clientId = this.oauth.authorize(req);
        try {
          return handler(req, clientId);
        } catch (err) {
          if (err instanceof SimHttpError && err.status === 400) this.counters.badRequests++;
          throw err;
        }
      };
    const inboundHandlers: [string, (req: SimRequest) => SimResponse][] = [
      ['message', (req) => this.handleInboundMessage(req)],
      ['event', (req) => this.handleInboundEvent(req)],
      ['receipt', (req) => this.handleInboundReceipt(req)],
      ['structured/response', (req) => this.handleStructuredResponse(req)],
    ];
    for (const [kind, handler] of inboundHandlers) this.http.route('POST', `${inbound}/${kind}`, authed(handler));
    this.http.route(
      'GET',
      `${api}/conversations/messages/{conversationId}`,
      authed((req) => this.handleGetConversation(req)),
    );
    this.http.route(
      'PATCH',
      `${api}/conversations/messages/{conversationId}/participants/{participantId}`,
      authed((req) => this.handlePatchParticipant(req)),
    );
    this.http.route(
      'PATCH',
      `${api}/conversations/messages/{conversationId}/participants/{participantId}/attributes`,
      authed((req) => this.handlePatchAttributes(req)),
    );
    this.http.route(
      'GET',
      `${api}/conversations/messaging/integrations/open/{integrationId}`,
      authed((req) => this.handleGetIntegration(req)),
    );
    this.platform.addRoutes(this.http.router, authed);
  }

  private integrationOf(req: SimRequest): IntegrationRecord {
    const integration = this.integrations.get(req.params.integrationId ?? '');
    // [I] an unknown integration id answers 404.
    if (integration === undefined)
      throw new SimHttpError(404, 'not.found', `Integration ${req.params.integrationId ?? ''} not found`);
    return integration;
  }

  /** `POST .../inbound/open/message[?prefetchConversationId=true]` (docs/genesys-protocol.md §6.2) [C]. */
  private handleInboundMessage(req: SimRequest): SimResponse {
    const integration = this.integrationOf(req);
    const message = validateInboundMessage(parseJsonBody(req.rawBody), this.limits);
    const prefetch = req.url.searchParams.get('prefetchConversationId') === 'true';
    // [C] (messageId, time) is unique per message; [I] a repeat is answered again without a second message.
    const dedupeKey =
      message.messageId === undefined ? undefined : `${integration.id}\n${message.messageId}\n${message.time}`;
    const answered = dedupeKey === undefined ? undefined : this.answeredMessages.get(dedupeKey);
    if (answered !== undefined) return prefetch ? answered : this.withoutConversationId(answered);
    const recorded: SimulatedOpenMessage = {
      id: randomUUID(),
      direction: 'Inbound',
      type: 'Text',
      text: message.text,
      time: message.time,
      attachments: message.attachments,
      receipts: [],
    };
    const conversation = this.routeInbound(integration.id, message.from, recorded, message.customAttributes);
    this.counters.inboundMessages++;
    const response: SimResponse = {
      status: 200,
      body: {
        id: recorded.id,
        channel: this.inboundChannel(integration.id, message),
        type: 'Text',
        text: message.text,
        content: message.attachments.map((attachment) => ({ contentType: 'Attachment', attachment })),
        direction: 'Inbound',
        metadata: message.metadata,
        conversationId: conversation.id,
      },
    };
    if (dedupeKey !== undefined) this.answeredMessages.set(dedupeKey, response);
    this.emit('inboundMessage', { conversationId: conversation.id, message: clone(recorded) });
    this.emit('changed');
    // [C] conversationId is returned with prefetchConversationId=true; [I] absent otherwise.
    return prefetch ? response : this.withoutConversationId(response);
  }

  /** The `channel` Genesys echoes in an inbound answer (`OpenMessageNormalizedMessage.channel`) [C] fields. */
  private inboundChannel(
    integrationId: string,
    sent: { from: ExternalContact; time: string; messageId?: string },
  ): Record<string, unknown> {
    return {
      id: integrationId,
      platform: 'Open',
      type: 'Private',
      ...(sent.messageId === undefined ? {} : { messageId: sent.messageId }),
      to: { id: integrationId },
      from: sent.from,
      time: sent.time,
    };
  }

  private withoutConversationId(response: SimResponse): SimResponse {
    const { conversationId: _omitted, ...body } = response.body as Record<string, unknown>;
    return { ...response, body };
  }

  /** `POST .../inbound/open/event`: customer typing (docs/genesys-protocol.md §6.2) [C]. */
  private handleInboundEvent(req: SimRequest): SimResponse {
    const integration = this.integrationOf(req);
    const event = validateInboundEvent(parseJsonBody(req.rawBody));
    const conversation = this.liveConversationOf(integration.id, event.from.id);
    // [I] typing from a customer without a live conversation, or with inbound typing disabled, is accepted and dropped.
    if (conversation !== undefined && integration.typing.inbound === 'Enabled') {
      this.counters.inboundTyping++;
      this.emit('customerTyping', { conversationId: conversation.id });
      this.emit('changed');
    }
    return {
      status: 200,
      body: {
        id: randomUUID(),
        channel: this.inboundChannel(integration.id, event),
        events: event.eventTypes.map((eventType) => ({ eventType })),
      },
    };
  }

  /** `POST .../inbound/open/receipt`: the bot's receipt for an agent message (docs/genesys-protocol.md §6.2) [C]. */
  private handleInboundReceipt(req: SimRequest): SimResponse {
    const integration = this.integrationOf(req);
    const receipt = validateInboundReceipt(parseJsonBody(req.rawBody));
    let conversationId: string | undefined;
    let target: SimulatedOpenMessage | undefined;
    for (const conversation of this.conversationsById.values()) {
      if (conversation.integrationId !== integration.id) continue;
      target = conversation.messages.find((m) => m.direction === 'Outbound' && m.id === receipt.id);
      if (target !== undefined) {
        conversationId = conversation.id;
        break;
      }
    }
    // [U] a receipt for an unknown message id is accepted and recorded without a conversation.
    const recorded: RecordedReceipt = {
      messageId: receipt.id,
      status: receipt.status,
      isFinalReceipt: receipt.isFinalReceipt,
      reasons: receipt.reasons,
      externalId: receipt.to.id,
      ...(conversationId === undefined ? {} : { conversationId }),
      receivedAt: new Date(this.now()).toISOString(),
    };
    this.receiptLog.push(recorded);
    target?.receipts.push(clone(recorded));
    this.emit('receipt', clone(recorded));
    this.emit('changed');
    return {
      status: 200,
      body: {
        id: receipt.id,
        channel: { id: integration.id, platform: 'Open', type: 'Private', to: receipt.to, time: receipt.time },
        status: receipt.status,
        reasons: receipt.reasons,
        isFinalReceipt: receipt.isFinalReceipt,
        direction: 'Outbound',
      },
    };
  }

  /** `POST .../inbound/open/structured/response`: a button or quick-reply answer (docs/genesys-protocol.md §6.2) [C]. */
  private handleStructuredResponse(req: SimRequest): SimResponse {
    const integration = this.integrationOf(req);
    const answer = validateInboundStructuredResponse(parseJsonBody(req.rawBody));
    const recorded: SimulatedOpenMessage = {
      id: randomUUID(),
      direction: 'Inbound',
      type: 'Structured',
      text: answer.buttonResponse.text,
      time: answer.time,
      attachments: [],
      structured: [{ contentType: 'ButtonResponse', buttonResponse: answer.buttonResponse }],
      receipts: [],
    };
    const conversation = this.routeInbound(integration.id, answer.from, recorded, {});
    this.counters.inboundMessages++;
    this.emit('inboundMessage', { conversationId: conversation.id, message: clone(recorded) });
    this.emit('changed');
    return {
      status: 200,
      body: {
        id: recorded.id,
        channel: this.inboundChannel(integration.id, answer),
        type: 'Structured',
        direction: 'Inbound',
        content: [{ contentType: 'ButtonResponse', buttonResponse: answer.buttonResponse }],
        ...(answer.originatingMessageId === undefined ? {} : { originatingMessageId: answer.originatingMessageId }),
      },
    };
  }

  /** `GET /api/v2/conversations/messages/{id}` (docs/genesys-protocol.md §6.4, §6.6) [C] fields. */
  private handleGetConversation(req: SimRequest): SimResponse {
    const conversation = this.conversationsById.get(req.params.conversationId ?? '');
    if (conversation === undefined)
      throw new SimHttpError(404, 'not.found', `Conversation ${req.params.conversationId ?? ''} not found`);
    return { status: 200, body: this.conversationBody(conversation) };
  }

  /**
   * `PATCH .../participants/{participantId}` with `{"state":"disconnected"}` (docs/genesys-protocol.md §6.6) [C].
   * A queued customer leaving also ends ACD routing ([U], option `customerDisconnectCancelsRouting`).
   * Answers 202 with no body [I].
   */
  private handlePatchParticipant(req: SimRequest): SimResponse {
    const conversation = this.conversationsById.get(req.params.conversationId ?? '');
    if (conversation === undefined)
      throw new SimHttpError(404, 'not.found', `Conversation ${req.params.conversationId ?? ''} not found`);
    const participant = conversation.participants.find((p) => p.id === req.params.participantId);
    if (participant === undefined)
      throw new SimHttpError(404, 'not.found', `Participant ${req.params.participantId ?? ''} not found`);
    const body = parseJsonBody(req.rawBody);
    const state = typeof body === 'object' && body !== null ? (body as { state?: unknown }).state : undefined;
    if (state !== 'disconnected') throw new SimHttpError(400, 'bad.request', 'state must be "disconnected"');
    // [I] a participant already disconnected stays so; the call succeeds.
    if (participant.state === 'disconnected') return { status: 202 };
    if (participant.purpose === 'agent') {
      this.agentLeave(conversation.id, { disconnectType: 'CLIENT' });
      return { status: 202 };
    }
    if (participant.purpose === 'acd') {
      this.endAcd(conversation, 'ABANDON');
    } else {
      this.endCustomer(conversation, 'CLIENT');
      if (conversation.state === 'queued' && (this.options.customerDisconnectCancelsRouting ?? true)) {
        this.endAcd(conversation, 'ABANDON');
        this.endConversationRecord(conversation);
      }
    }
    this.publishConversation(conversation);
    this.emit('changed');
    return { status: 202 };
  }

  /** `PATCH .../participants/{participantId}/attributes` with `{ attributes }` (docs/genesys-protocol.md §6.2) [C]. */
  private handlePatchAttributes(req: SimRequest): SimResponse {
    const conversation = this.conversationsById.get(req.params.conversationId ?? '');
    const participant = conversation?.participants.find((p) => p.id === req.params.participantId);
    if (conversation === undefined || participant === undefined)
      throw new SimHttpError(404, 'not.found', 'Participant not found');
    const body = parseJsonBody(req.rawBody);
    const attributes =
      typeof body === 'object' && body !== null ? (body as { attributes?: unknown }).attributes : undefined;
    if (typeof attributes !== 'object' || attributes === null || Array.isArray(attributes)) {
      throw new SimHttpError(400, 'bad.request', 'attributes must be a map of string to string');
    }
    for (const [key, value] of Object.entries(attributes)) {
      if (typeof value !== 'string') throw new SimHttpError(400, 'bad.request', `attributes.${key} must be a string`);
      participant.attributes[key] = value;
    }
    this.publishDetail(conversation, 'attributes', {
      ...this.detailBase(conversation, participant),
      attributes: participant.attributes,
    });
    this.emit('changed');
    return { status: 200, body: { attributes: participant.attributes } };
  }

  /** `GET /api/v2/conversations/messaging/integrations/open/{id}` (docs/genesys-protocol.md §6.1) [O] fields. */
  private handleGetIntegration(req: SimRequest): SimResponse {
    const integration = this.integrationOf(req);
    return {
      status: 200,
      body: {
        id: integration.id,
        name: integration.name,
        outboundNotificationWebhookUrl: integration.webhookUrl ?? '',
        webhookHeaders: integration.webhookHeaders,
        messagingSetting: {
          event: {
            typing: {
              on: {
                inbound: integration.typing.inbound ?? 'Disabled',
                outbound: integration.typing.outbound ?? 'Disabled',
              },
            },
          },
        },
        status: 'Active',
        createStatus: 'Completed',
      },
    };
  }

  // ---------------------------------------------------------------- conversation model

  /**
   * Finds the conversation an inbound message belongs to (docs/genesys-protocol.md §6.9) [C]/[I]: the
   * live one of (integration, external id); else the last one, re-opened when it ended less than the
   * threading window ago; else a new one that takes the routing attributes from this first message.
   */
  private routeInbound(
    integrationId: string,
    from: ExternalContact,
    message: SimulatedOpenMessage,
    customAttributes: Record<string, string>,
  ): SimulatedOpenConversation {
    const key = `${integrationId}\n${from.id}`;
    const latestId = this.latestByExternalId.get(key);
    const latest = latestId === undefined ? undefined : this.conversationsById.get(latestId);
    const now = this.now();
    if (latest !== undefined && latest.state !== 'ended') {
      latest.messages.push(message);
      return latest;
    }
    if (latest?.endedAt !== undefined && now - Date.parse(latest.endedAt) < this.threadingWindowMs) {
      latest.messages.push(message);
      latest.reopenedCount++;
      delete latest.endedAt;
      latest.participants.push(
        this.newParticipant('customer', { name: from.nickname ?? from.id, attributes: { ...latest.customAttributes } }),
      );
      this.publishDetail(latest, 'customer.start', this.detailBase(latest, this.customerParticipant(latest)));
      // [C] routed to the last agent when available (§6.9): the auto-answering agent prefers them.
      this.enqueue(latest, latest.queueId);
      this.publishConversation(latest);
      return latest;
    }
    const integration = this.requireIntegration(integrationId);
    const conversation: SimulatedOpenConversation = {
      id: randomUUID(),
      integrationId,
      externalId: from.id,
      customer: { ...from },
      state: 'queued',
      queueId: integration.queueId,
      // [O] routing attributes count only on the first inbound message (§6.2).
      customAttributes: { ...customAttributes },
      participants: [],
      messages: [message],
      reopenedCount: 0,
      startedAt: new Date(now).toISOString(),
    };
    conversation.participants.push(
      this.newParticipant('customer', { name: from.nickname ?? from.id, attributes: { ...customAttributes } }),
    );
    this.conversationsById.set(conversation.id, conversation);
    this.latestByExternalId.set(key, conversation.id);
    this.publishDetail(
      conversation,
      'customer.start',
      this.detailBase(conversation, this.customerParticipant(conversation)),
    );
    this.enqueue(conversation, conversation.queueId);
    this.publishConversation(conversation);
    this.emit('conversationStarted', clone(conversation));
    return conversation;
  }

  private newParticipant(
    purpose: SimulatedParticipant['purpose'],
    fields: Partial<SimulatedParticipant> = {},
  ): SimulatedParticipant {
    const time = new Date(this.now()).toISOString();
    return {
      id: randomUUID(),
      purpose,
      state: 'connected',
      startTime: time,
      connectedTime: time,
      attributes: {},
      ...fields,
    };
  }

  private enqueue(conversation: SimulatedOpenConversation, queueId: string): void {
    conversation.state = 'queued';
    conversation.queueId = queueId;
    delete conversation.agent;
    const acd = this.newParticipant('acd', {
      queueId,
      name: this.queues.find((q) => q.id === queueId)?.name ?? queueId,
    });
    conversation.participants.push(acd);
    this.publishDetail(conversation, 'acd.start', this.detailBase(conversation, acd));
    const auto = this.options.autoAnswer;
    if (auto !== undefined) {
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        if (conversation.state !== 'queued' || conversation.queueId !== queueId) return;
        const last =
          conversation.lastAgentUserId === undefined ? undefined : this.platform.user(conversation.lastAgentUserId);
        this.agentJoin(conversation.id, last?.name ?? auto.agentName);
      }, auto.delayMs);
      this.timers.add(timer);
    }
  }

  private endAcd(conversation: SimulatedOpenConversation, outcome: 'ANSWERED' | 'ABANDON'): void {
    const acd = conversation.participants.find((p) => p.purpose === 'acd' && p.state !== 'disconnected');
    if (acd === undefined) return;
    acd.state = 'disconnected';
    acd.endTime = new Date(this.now()).toISOString();
    acd.disconnectType = outcome === 'ANSWERED' ? 'TRANSFER' : 'CLIENT';
    this.publishDetail(conversation, 'acd.end', { ...this.detailBase(conversation, acd), acdOutcome: outcome });
  }

  private connectAgent(conversation: SimulatedOpenConversation, user: SimulatedUser): void {
    const participant = this.newParticipant('agent', {
      userId: user.id,
      name: user.name,
      queueId: conversation.queueId,
    });
    conversation.participants.push(participant);
    conversation.agent = { userId: user.id, name: user.name, participantId: participant.id };
    conversation.lastAgentUserId = user.id;
    conversation.state = 'connected';
    this.publishDetail(conversation, 'user.start', this.detailBase(conversation, participant));
  }

  private disconnectAgent(
    conversation: SimulatedOpenConversation,
    agent: SimulatedParticipant,
    disconnectType: DisconnectType,
  ): void {
    const now = this.now();
    agent.state = 'disconnected';
    agent.disconnectType = disconnectType;
    agent.endTime = new Date(now).toISOString();
    agent.startAcwTime = agent.endTime;
    delete conversation.agent;
    this.publishDetail(conversation, 'user.end', {
      ...this.detailBase(conversation, agent),
      disconnectType,
      interactingDurationMs: now - Date.parse(agent.connectedTime ?? agent.startTime),
    });
  }

  private wrapUp(
    conversation: SimulatedOpenConversation,
    agent: SimulatedParticipant,
    wrapup: { code: string; notes?: string },
  ): void {
    const durationMs = this.now() - Date.parse(agent.startAcwTime ?? agent.endTime ?? agent.startTime);
    agent.wrapup = { code: wrapup.code, ...(wrapup.notes === undefined ? {} : { notes: wrapup.notes }), durationMs };
    this.publishDetail(conversation, 'acw', {
      ...this.detailBase(conversation, agent),
      wrapupCode: wrapup.code,
      wrapupNotes: wrapup.notes ?? '',
      wrapupDurationMs: durationMs,
    });
  }

  private endCustomer(conversation: SimulatedOpenConversation, disconnectType: DisconnectType): void {
    const customer = this.customerParticipant(conversation);
    if (customer.state === 'disconnected') return;
    customer.state = 'disconnected';
    customer.disconnectType = disconnectType;
    customer.endTime = new Date(this.now()).toISOString();
    this.publishDetail(conversation, 'customer.end', { ...this.detailBase(conversation, customer), disconnectType });
  }

  private endConversationRecord(conversation: SimulatedOpenConversation): void {
    conversation.state = 'ended';
    delete conversation.agent;
    conversation.endedAt = new Date(this.now()).toISOString();
  }

  private customerParticipant(conversation: SimulatedOpenConversation): SimulatedParticipant {
    const customers = conversation.participants.filter((p) => p.purpose === 'customer');
    const customer = customers[customers.length - 1];
    if (customer === undefined)
      throw new Error(`OpenMessagingSimulator: ${conversation.id} has no customer participant`);
    return customer;
  }

  private agentParticipant(conversation: SimulatedOpenConversation): SimulatedParticipant | undefined {
    return conversation.participants.find((p) => p.purpose === 'agent' && p.state === 'connected');
  }

  private requireAgentParticipant(conversation: SimulatedOpenConversation): SimulatedParticipant {
    const agent = this.agentParticipant(conversation);
    if (agent === undefined) throw new Error(`OpenMessagingSimulator: ${conversation.id} has no connected agent`);
    return agent;
  }

  private liveConversationOf(integrationId: string, externalId: string): SimulatedOpenConversation | undefined {
    const id = this.latestByExternalId.get(`${integrationId}\n${externalId}`);
    const conversation = id === undefined ? undefined : this.conversationsById.get(id);
    return conversation?.state === 'ended' ? undefined : conversation;
  }

  private requireIntegration(integrationId: string): IntegrationRecord {
    const integration = this.integrations.get(integrationId);
    if (integration === undefined) throw new Error(`OpenMessagingSimulator: unknown integration ${integrationId}`);
    return integration;
  }

  private requireConversation(conversationId: string): SimulatedOpenConversation {
    const conversation = this.conversationsById.get(conversationId);
    if (conversation === undefined) throw new Error(`OpenMessagingSimulator: unknown conversation ${conversationId}`);
    return conversation;
  }

  private requireLive(conversationId: string): SimulatedOpenConversation {
    const conversation = this.requireConversation(conversationId);
    if (conversation.state === 'ended')
      throw new Error(`OpenMessagingSimulator: conversation ${conversationId} has ended`);
    return conversation;
  }

  // ---------------------------------------------------------------- outbound

  private sendOutbound(
    conversationId: string,
    content: Pick<SimulatedOpenMessage, 'type' | 'text' | 'attachments' | 'structured'>,
    options: AgentSendOptions,
  ): string {
    const conversation = this.requireLive(conversationId);
    const entity = options.originatingEntity ?? 'Human';
    const agent = conversation.agent;
    // [I] a human message needs a connected agent; flow (`Bot`) messages also reach a queued customer.
    // [I] nothing reaches a customer whose participant has disconnected.
    if (this.customerParticipant(conversation).state === 'disconnected') {
      throw new Error(`OpenMessagingSimulator: the customer of ${conversationId} has left`);
    }
    if (entity === 'Human' && agent === undefined)
      throw new Error(`OpenMessagingSimulator: ${conversationId} has no connected agent`);
    const id = options.id ?? randomUUID();
    const time = new Date(this.now()).toISOString();
    const message: SimulatedOpenMessage = {
      id,
      direction: 'Outbound',
      ...content,
      time,
      originatingEntity: entity,
      ...(entity === 'Human' && agent !== undefined ? { userId: agent.userId } : {}),
      receipts: [],
    };
    conversation.messages.push(message);
    const contentItems =
      content.type === 'Structured'
        ? (content.structured ?? [])
        : content.attachments.map((attachment) => ({ contentType: 'Attachment', attachment }));
    this.deliverWebhook(conversation, {
      ...this.outboundEnvelope(conversation, id, time),
      originatingEntity: entity,
      type: content.type,
      text: content.text,
      content: contentItems,
      reasons: [],
      relatedMessages: [],
    });
    this.emit('changed');
    return id;
  }

  /** The normalized outbound envelope (docs/genesys-protocol.md §6.3) [C]/[O]. */
  private outboundEnvelope(
    conversation: SimulatedOpenConversation,
    id: string,
    time: string,
  ): Record<string, unknown> & { id: string } {
    const integration = this.requireIntegration(conversation.integrationId);
    return {
      id,
      channel: {
        id: integration.id,
        platform: 'Open',
        type: 'Private',
        messageId: id,
        to: { id: conversation.externalId, idType: conversation.customer.idType },
        from: { nickname: integration.name, id: integration.id, idType: 'Opaque' },
        time,
      },
      conversationId: conversation.id,
      direction: 'Outbound',
    };
  }

  private deliverWebhook(
    conversation: SimulatedOpenConversation,
    payload: Record<string, unknown> & { id: string },
  ): void {
    const integration = this.requireIntegration(conversation.integrationId);
    if (integration.webhookUrl === undefined) {
      this.logger.warn(
        { integrationId: integration.id },
        'integration has no webhook URL; outbound payload not delivered',
      );
      return;
    }
    this.webhooks.send(
      { url: integration.webhookUrl, secret: integration.webhookSecret, headers: integration.webhookHeaders },
      conversation.id,
      payload,
    );
  }

  // ---------------------------------------------------------------- notifications

  private detailBase(conversation: SimulatedOpenConversation, participant: SimulatedParticipant): DetailEvent {
    return {
      eventTime: this.now(),
      conversationId: conversation.id,
      participantId: participant.id,
      sessionId: participant.id,
      mediaType: 'MESSAGE',
      messageType: 'OPEN',
      direction: 'INBOUND',
      queueId: participant.queueId ?? conversation.queueId,
      ...(participant.userId === undefined ? {} : { userId: participant.userId }),
      ...(participant.purpose === 'customer' ? { externalContactId: conversation.externalId } : {}),
    };
  }

  /** `v2.detail.events.conversation.{id}.{suffix}` (docs/genesys-protocol.md §6.5) and any trigger on it. */
  private publishDetail(conversation: SimulatedOpenConversation, suffix: string, body: DetailEvent): void {
    this.notifications.publish(`v2.detail.events.conversation.${conversation.id}.${suffix}`, body);
    for (const trigger of this.options.triggers ?? []) {
      if (trigger.topics.includes(suffix))
        this.fireTrigger(trigger, `v2.detail.events.conversation.${conversation.id}.${suffix}`, body);
    }
  }

  /** The per-queue and per-user conversation topics carry the whole conversation (docs/genesys-protocol.md §6.5) [O]. */
  private publishConversation(conversation: SimulatedOpenConversation): void {
    const body = this.conversationBody(conversation);
    const queueIds = new Set(conversation.participants.flatMap((p) => (p.queueId === undefined ? [] : [p.queueId])));
    for (const queueId of queueIds)
      this.notifications.publish(`v2.routing.queues.${queueId}.conversations.messages`, body);
    const userIds = new Set(conversation.participants.flatMap((p) => (p.userId === undefined ? [] : [p.userId])));
    for (const userId of userIds) this.notifications.publish(`v2.users.${userId}.conversations.messages`, body);
  }

  /** `MessageConversation`: participants with lower-case `disconnectType` (the conversation API's enum) [C]/[O]. */
  private conversationBody(conversation: SimulatedOpenConversation): Record<string, unknown> {
    return {
      id: conversation.id,
      participants: conversation.participants.map((p) => ({
        id: p.id,
        name: p.name,
        purpose: p.purpose,
        state: p.state,
        ...(p.userId === undefined ? {} : { userId: p.userId }),
        ...(p.queueId === undefined ? {} : { queueId: p.queueId }),
        ...(p.disconnectType === undefined ? {} : { disconnectType: p.disconnectType.toLowerCase() }),
        startTime: p.startTime,
        ...(p.connectedTime === undefined ? {} : { connectedTime: p.connectedTime }),
        ...(p.endTime === undefined ? {} : { endTime: p.endTime }),
        ...(p.startAcwTime === undefined ? {} : { startAcwTime: p.startAcwTime }),
        ...(p.wrapup === undefined
          ? {}
          : {
              wrapup: {
                code: p.wrapup.code,
                notes: p.wrapup.notes ?? '',
                durationSeconds: Math.round(p.wrapup.durationMs / 1000),
              },
            }),
        attributes: p.attributes,
      })),
    };
  }

  /** POSTs a detail event to a trigger target with its shared-secret header (docs/genesys-protocol.md §6.5) [I] shape. */
  private fireTrigger(trigger: SimulatedTriggerTarget, topicName: string, eventBody: DetailEvent): void {
    this.pendingTriggers++;
    fetch(trigger.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', [trigger.secretHeader]: trigger.secret },
      body: JSON.stringify({ topicName, eventBody }),
      signal: AbortSignal.timeout(10_000),
    })
      .then(async (response) => {
        await response.arrayBuffer();
        if (response.ok) this.counters.triggerDeliveries++;
        else this.logger.warn({ status: response.status, topicName }, 'trigger target answered an error');
      })
      .catch((err: unknown) => {
        this.logger.warn({ err, topicName }, 'trigger delivery failed');
      })
      .finally(() => {
        this.pendingTriggers--;
        this.emit('changed');
      });
  }
}
