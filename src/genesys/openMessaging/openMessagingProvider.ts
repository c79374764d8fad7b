import { randomUUID } from 'node:crypto';
import type { Logger } from '../../logger';
import { GenesysError } from '../genesysError';
import type {
  ButtonAnswer,
  ChatListener,
  ChatSession,
  DeploymentDuty,
  HandoffProvider,
  OpenMessagingResumeData,
  ResumeData,
  ResumeOptions,
  StartChatRequest,
} from '../handoffProvider';
import {
  BoundedIdSet,
  OptionsValidator,
  resumeDataFor,
  SessionRegistry,
  SHARED_PROVIDER_DEFAULTS,
  systemClock,
  type Clock,
} from '../shared';
import { conversationVerdict, readDetailEvent } from './endDecision';
import { OAuthTokenSource } from './oauthTokens';
import { NotificationsSubscriber, type NotificationsSubscriberOptions } from './notificationsSubscriber';
import { OpenMessagingApi } from './openMessagingApi';
import { disconnectCustomer, OpenMessagingSession, type SessionSettings } from './openMessagingSession';
import type { OpenMessagingProviderOptions } from './openMessagingProviderOptions';
import { readWebhookCall, type WebhookAnswer } from './readWebhookCall';
import { Reconciler } from './reconciler';

export type { OpenMessagingProviderOptions } from './openMessagingProviderOptions';
export type { WebhookAnswer } from './readWebhookCall';

/** Detail-event topics followed per conversation (docs/genesys-protocol.md §6.5). */
export const CONVERSATION_TOPIC_SUFFIXES = ['user.start', 'user.end', 'customer.end', 'acw'] as const;

/**
 * Makes this process hold the chat whose resume data `matches`, held by another instance (or
 * none), so a webhook or detail event that reached this instance is handled here; resolves true
 * once the chat is held.
 */
export type ChatAdopter = (matches: (data: OpenMessagingResumeData) => boolean) => Promise<boolean>;

/**
 * Resolves true when `chatKey` (an external id) names a chat of this bot that is active in storage,
 * including one still being opened (its Genesys conversation not recorded yet).
 */
export type OpeningChatCheck = (chatKey: string) => Promise<boolean>;

/** Name of the notifications subscriber's deployment duty (its lease). */
export const NOTIFICATIONS_DUTY = 'openmessaging-notifications';

/** Login and API hosts of a Genesys Cloud region domain (docs/genesys-protocol.md §2). */
export function openMessagingUrlsFor(environment: string): { apiUrl: string; loginUrl: string } {
  const domain = environment.trim().replace(/^\.+|\.+$/g, '');
  if (domain.length === 0) throw new Error('openMessagingUrlsFor: environment (e.g. mypurecloud.com) is required');
  return { apiUrl: `https://api.${domain}`, loginUrl: `https://login.${domain}` };
}

/**
 * Hands conversations to Genesys Cloud agents through Open Messaging (docs/genesys-protocol.md §6):
 * customer traffic goes out over REST with a client-credentials token, agent traffic comes back to
 * the signed webhook ({@link acceptWebhook}), and the end of a chat is learnt from detail events
 * ({@link acceptDetailEvent}: Process Automation triggers or the Notifications API) and from a
 * reconciler that reads every held chat's conversation at a bounded rate. Each handoff gets its own
 * external id, so a new handoff never threads into an earlier conversation (§6.9).
 */
export class OpenMessagingProvider implements HandoffProvider {
  readonly name = 'openmessaging' as const;
  private readonly logger: Logger;
  private readonly settings: SessionSettings;
  private readonly tokens: OAuthTokenSource;
  private readonly webhookSecret: string;
  private readonly sessions = new SessionRegistry<OpenMessagingSession>();
  private readonly byExternalId = new Map<string, OpenMessagingSession>();
  private readonly byConversationId = new Map<string, OpenMessagingSession>();
  private readonly seenWebhookIds: BoundedIdSet;
  private readonly reconciler: Reconciler;
  private readonly api: OpenMessagingApi;
  private readonly clock: Clock;
  private readonly subscriberOptions: Omit<NotificationsSubscriberOptions, 'api' | 'clock'> | undefined;
  /** The subscriber of the current term as the deployment's notifications subscriber. */
  private subscriber: NotificationsSubscriber | undefined;
  /** Conversation ids of every active chat of the deployment while this instance is the subscriber. */
  private followed: Set<string> | undefined;
  /** Detail events of the subscriber, in order per conversation. */
  private readonly eventChains = new Map<string, Promise<void>>();
  /** Last typing event sent per external id by {@link sendDetachedTyping} (epoch ms). */
  private readonly detachedTyping = new Map<string, number>();
  private adopter: ChatAdopter | undefined;
  private openingCheck: OpeningChatCheck | undefined;
  private closed = false;
  /** Ending from the customer side sends the agent one line: the courtesy notice or the caller's. */
  readonly endTellsAgent = true;

  constructor(options: OpenMessagingProviderOptions) {
    const check = new OptionsValidator('OpenMessagingProvider');
    check.requireString('integrationId', options.integrationId);
    check.requireString('clientId', options.clientId);
    check.requireString('clientSecret', options.clientSecret);
    this.webhookSecret = check.requireString('webhookSecret', options.webhookSecret);
    check.requireUrl('apiUrl', options.apiUrl, ['http', 'https']);
    check.requireUrl('loginUrl', options.loginUrl, ['http', 'https']);
    this.logger = check.requireLogger(options.logger).child({ module: 'genesys.openmessaging' });
    const clock = options.clock ?? systemClock;
    const timeoutMs = check.number('requestTimeoutMs', options.requestTimeoutMs, 10_000, true);
    this.tokens = new OAuthTokenSource({
      loginUrl: options.loginUrl,
      clientId: options.clientId,
      clientSecret: options.clientSecret,
      timeoutMs,
      logger: this.logger,
      clock,
    });
    const api = (this.api = new OpenMessagingApi({
      apiUrl: options.apiUrl,
      integrationId: options.integrationId,
      tokens: this.tokens,
      timeoutMs,
      retryPolicy: options.requestRetryPolicy ?? SHARED_PROVIDER_DEFAULTS.requestRetryPolicy,
      maxRateLimitRetries: check.number('maxRateLimitRetries', options.maxRateLimitRetries, 30),
      logger: this.logger,
      clock,
    }));
    this.clock = clock;
    this.settings = {
      api,
      clock,
      maxTextChars: check.number('maxTextChars', options.maxTextChars, 4000, true),
      maxCustomAttributesBytes: check.number('maxCustomAttributesBytes', options.maxCustomAttributesBytes, 1900, true),
      typingIntervalMs: check.number(
        'typingIntervalMs',
        options.typingIntervalMs,
        SHARED_PROVIDER_DEFAULTS.typingIntervalMs,
      ),
      customerLeftNotice: options.customerLeftNotice ?? 'The customer has left the conversation.',
    };
    this.seenWebhookIds = new BoundedIdSet(check.number('webhookIdWindow', options.webhookIdWindow, 10_000, true));
    this.reconciler = new Reconciler({
      intervalMs: check.number('reconcileIntervalMs', options.reconcileIntervalMs, 60_000),
      perSecond: check.number('reconcilePerSecond', options.reconcilePerSecond, 2, true),
      clock,
      logger: this.logger,
      chats: () => this.byExternalId.values(),
      hasChats: () => this.sessions.size > 0,
    });
    const notifications = options.notifications ?? {};
    if (notifications.enabled !== false) {
      const notificationsLogger = this.logger.child({ component: 'notifications' });
      this.subscriberOptions = {
        wantedTopics: () =>
          this.followedConversationIds().flatMap((id) =>
            CONVERSATION_TOPIC_SUFFIXES.map((suffix) => `v2.detail.events.conversation.${id}.${suffix}`),
          ),
        onEvent: (topicName, eventBody) => {
          this.takeSubscribedEvent(topicName, eventBody);
        },
        onRefused: (err) => {
          notificationsLogger.warn(
            { err },
            'the OAuth client may not use the Notifications API; chat ends are found by the reconciler and trigger pushes only',
          );
        },
        logger: notificationsLogger,
        maxTopicsPerChannel: check.number(
          'notifications.maxTopicsPerChannel',
          notifications.maxTopicsPerChannel,
          1000,
          true,
        ),
        renewBeforeMs: check.number('notifications.renewBeforeMs', notifications.renewBeforeMs, 3_600_000),
        silenceTimeoutMs: check.number('notifications.silenceTimeoutMs', notifications.silenceTimeoutMs, 95_000, true),
        reconnectPolicy: notifications.reconnectPolicy ?? SHARED_PROVIDER_DEFAULTS.reconnectPolicy,
      };
    }
  }

  /**
   * The notifications subscriber while this instance is the deployment's subscriber (tests,
   * diagnostics); undefined on the other instances and when notifications are disabled.
   */
  get notifications(): NotificationsSubscriber | undefined {
    return this.subscriber;
  }

  /**
   * The Notifications API subscriber as a deployment duty (docs/genesys-protocol.md §6.5): one
   * instance, elected by the handoff layer's lease, follows the detail events of every active chat
   * of the deployment, within one channel per 1,000 topics, so the OAuth client's channel limit
   * does not grow with the number of instances. Undefined when notifications are disabled.
   */
  get deploymentDuty(): DeploymentDuty | undefined {
    if (this.subscriberOptions === undefined) return undefined;
    return {
      name: NOTIFICATIONS_DUTY,
      follow: (chats) => {
        this.follow(chats);
      },
      standDown: () => this.standDown(),
    };
  }

  /** How many access tokens were fetched (tests, diagnostics). */
  get tokensFetched(): number {
    return this.tokens.tokensFetched;
  }

  /** How many chats this process holds. */
  get heldChats(): number {
    return this.sessions.size;
  }

  /** {@inheritDoc HandoffProvider.startChat} */
  async startChat(request: StartChatRequest, listener: ChatListener): Promise<ChatSession> {
    // The chat key names the customer, so another instance recognises this chat's webhooks before
    // the conversation id is recorded; a new one per handoff (docs/genesys-protocol.md §6.9).
    const externalId = request.chatKey !== undefined && request.chatKey !== '' ? request.chatKey : randomUUID();
    const session = this.createSession({
      customer: { id: externalId, nickname: request.guest.displayName },
      attributes: request.attributes,
      listener,
    });
    try {
      const introduction = request.introduction.trim();
      await session.sendText(introduction === '' ? `${request.guest.displayName} asked for an agent.` : introduction);
      if (session.conversationId === undefined)
        throw new GenesysError('protocol', 'Genesys did not return the conversation id of the new chat');
      this.logger.info({ genesysConversationId: session.conversationId }, 'open messaging chat started');
      await session.markQueued();
    } catch (err) {
      await session.detach();
      this.logger.warn({ err }, 'starting an open messaging chat failed');
      throw err;
    }
    this.reconciler.ensureRunning();
    return session;
  }

  /** {@inheritDoc HandoffProvider.resumeChat} Nothing to reconnect: the session is registered and checked against Genesys. */
  async resumeChat(data: ResumeData, _options: ResumeOptions, listener: ChatListener): Promise<ChatSession> {
    const resume = this.checkResumeData(data);
    const existing = this.byExternalId.get(resume.externalId);
    if (existing !== undefined) await existing.detach();
    const session = this.createSession({
      customer: { id: resume.externalId, nickname: resume.nickname },
      conversationId: resume.conversationId,
      listener,
    });
    await session.markQueued();
    await session.reconcile();
    this.reconciler.ensureRunning();
    this.logger.info({ genesysConversationId: resume.conversationId }, 'open messaging chat resumed');
    return session;
  }

  /** {@inheritDoc HandoffProvider.sendDetached} Open Messaging is stateless: any instance sends. */
  sendDetached(data: ResumeData, text: string): Promise<void> {
    return this.withDetachedSession(data, (session) => session.sendText(text));
  }

  /** {@inheritDoc HandoffProvider.sendDetachedButtonResponse} */
  sendDetachedButtonResponse(data: ResumeData, answer: ButtonAnswer): Promise<void> {
    return this.withDetachedSession(data, (session) => session.sendButtonResponse(answer));
  }

  /** Runs `send` on a session made from `data` alone (nothing held here), detached afterwards. */
  private async withDetachedSession(
    data: ResumeData,
    send: (session: OpenMessagingSession) => Promise<void>,
  ): Promise<void> {
    const session = this.detachedSession(data);
    try {
      await send(session);
    } finally {
      await session.detach();
    }
  }

  /** {@inheritDoc HandoffProvider.endDetached} */
  async endDetached(data: ResumeData, agentNotice?: string): Promise<void> {
    const resume = this.checkResumeData(data);
    await disconnectCustomer(
      this.settings,
      { id: resume.externalId, nickname: resume.nickname },
      resume.conversationId,
      this.logger,
      agentNotice,
    );
  }

  /**
   * {@inheritDoc HandoffProvider.sendDetachedTyping} Open Messaging is stateless: any instance
   * sends the customer's typing event, at most one per `typingIntervalMs` per chat from this
   * process; a failure is logged, never thrown.
   */
  async sendDetachedTyping(data: ResumeData): Promise<void> {
    const resume = this.checkResumeData(data);
    const held = this.byExternalId.get(resume.externalId);
    if (held !== undefined) {
      await held.sendTyping();
      return;
    }
    const now = this.clock.now();
    const last = this.detachedTyping.get(resume.externalId);
    if (last !== undefined && now - last < this.settings.typingIntervalMs) return;
    this.detachedTyping.delete(resume.externalId);
    this.detachedTyping.set(resume.externalId, now);
    // Oldest first: bounded to the chats typing within the last interval or so.
    for (const [key, at] of this.detachedTyping) {
      if (this.detachedTyping.size <= 10_000 && now - at < this.settings.typingIntervalMs) break;
      this.detachedTyping.delete(key);
    }
    const session = this.detachedSession(data);
    try {
      await session.sendTyping();
    } finally {
      await session.detach();
    }
  }

  /** {@inheritDoc HandoffProvider.close} */
  async close(): Promise<void> {
    this.closed = true;
    this.reconciler.stop();
    await this.standDown();
    await this.sessions.detachAll();
    await this.reconciler.settled();
  }

  /**
   * Takes one webhook call (docs/genesys-protocol.md §6.3). The signature over the raw bytes is
   * checked first; nothing else is read from a call that fails it. A valid call is answered at once
   * and handled behind the chat's earlier events; a redelivered message id is answered and dropped.
   * A chat another instance holds is taken over first (the {@link ChatAdopter}; 503 when that fails
   * now, so Genesys calls again); a conversation no instance knows is answered 200 (Genesys would
   * otherwise retry) and logged, never relayed.
   */
  async acceptWebhook(rawBody: Buffer, signature: unknown): Promise<WebhookAnswer> {
    const call = readWebhookCall(rawBody, signature, this.webhookSecret, this.logger);
    if ('answer' in call) return call.answer;
    const payload = call.payload;
    if (this.seenWebhookIds.has(payload.id)) {
      this.logger.debug({ messageId: payload.id }, 'webhook redelivery dropped');
      return { status: 200, outcome: 'duplicate' };
    }
    let session = this.byExternalId.get(payload.externalId);
    if (session === undefined && this.adopter !== undefined && !this.closed) {
      try {
        if (await this.adopter((data) => data.externalId === payload.externalId))
          session = this.byExternalId.get(payload.externalId);
        else if ((await this.openingCheck?.(payload.externalId)) === true) {
          // A chat of this bot whose conversation is not recorded yet (another instance is still
          // opening it): Genesys calls again 5 s later (docs/genesys-protocol.md §6.3).
          this.logger.info(
            { genesysConversationId: payload.conversationId, kind: payload.kind },
            'webhook for a chat still being opened; asking Genesys to call again',
          );
          return { status: 503, outcome: 'notYetKnown' };
        }
      } catch (err) {
        this.logger.warn({ err }, 'could not take over the chat of a webhook call; Genesys will call again');
        return { status: 503, outcome: 'unavailable' };
      }
    }
    if (session === undefined) {
      this.logger.info(
        { genesysConversationId: payload.conversationId, kind: payload.kind },
        'webhook for a conversation not held here; not relayed',
      );
      return { status: 200, outcome: 'unknownConversation' };
    }
    if (!this.seenWebhookIds.add(payload.id)) {
      this.logger.debug({ messageId: payload.id }, 'webhook redelivery dropped');
      return { status: 200, outcome: 'duplicate' };
    }
    void session.receiveWebhook(payload);
    return { status: 200, outcome: 'relayed' };
  }

  /**
   * Lets webhooks and detail events of chats held by another instance be handled here (see
   * {@link ChatAdopter}); with `opening`, a webhook of a chat still being opened elsewhere is
   * answered 503 so Genesys calls again (see {@link OpeningChatCheck}).
   */
  setChatAdopter(adopter: ChatAdopter, opening?: OpeningChatCheck): void {
    this.adopter = adopter;
    this.openingCheck = opening;
  }

  /**
   * Takes one detail event `{ topicName, eventBody }` from the Notifications API
   * (docs/genesys-protocol.md §6.5). Returns false when it concerns no chat held here.
   */
  acceptDetailEvent(topicName: string, eventBody: unknown): boolean {
    const event = readDetailEvent(topicName, eventBody);
    if (event === undefined) return false;
    const session = this.byConversationId.get(event.conversationId);
    if (session === undefined) return false;
    void session.receiveSignal(event.signal);
    return true;
  }

  /**
   * Takes one detail event pushed by a Process Automation trigger (docs/genesys-protocol.md §6.5),
   * which reaches any instance: a chat held elsewhere is taken over first (see {@link ChatAdopter}).
   * Resolves false when no chat of this bot has that conversation.
   */
  async acceptPushedEvent(topicName: string, eventBody: unknown): Promise<boolean> {
    if (this.acceptDetailEvent(topicName, eventBody)) return true;
    const event = readDetailEvent(topicName, eventBody);
    if (event === undefined || this.adopter === undefined || this.closed) return false;
    if (!(await this.adopter((data) => data.conversationId === event.conversationId))) return false;
    return this.acceptDetailEvent(topicName, eventBody);
  }

  /** Conversation ids of the chats held here. */
  heldConversationIds(): string[] {
    return [...this.byConversationId.keys()];
  }

  /**
   * The conversations the subscriber follows: every active chat of the deployment (as last read
   * from storage) and the chats held here (at once, before the next read). None unless this
   * instance is the subscriber.
   */
  private followedConversationIds(): string[] {
    if (this.followed === undefined) return [];
    return [...new Set([...this.followed, ...this.byConversationId.keys()])];
  }

  /** Becomes (or stays) the deployment's subscriber, for the active chats `chats`. */
  private follow(chats: readonly ResumeData[]): void {
    if (this.closed || this.subscriberOptions === undefined) return;
    const ids = chats.flatMap((d) =>
      d.provider === 'openmessaging' && typeof d.conversationId === 'string' && d.conversationId !== ''
        ? [d.conversationId]
        : [],
    );
    const firstOfTerm = this.followed === undefined;
    const added = firstOfTerm ? [] : ids.filter((id) => !this.followed?.has(id) && !this.byConversationId.has(id));
    this.followed = new Set(ids);
    this.subscriber ??= new NotificationsSubscriber({ ...this.subscriberOptions, api: this.api, clock: this.clock });
    this.subscriber
      .sync()
      .then(() => this.catchUp(added))
      .catch((err: unknown) => {
        this.logger.warn({ err }, 'notifications subscription failed');
      });
  }

  /**
   * Reads once each conversation opened on another instance since the last read, now that its
   * topics are live: one an agent took (or that ended) before then is taken over here, which
   * replays what happened (the reconciler of the owner would find it later).
   */
  private async catchUp(conversationIds: readonly string[]): Promise<void> {
    for (const conversationId of conversationIds) {
      if (this.closed || this.followed === undefined || this.byConversationId.has(conversationId)) continue;
      try {
        const verdict = conversationVerdict(await this.api.getConversation(conversationId));
        if (verdict.kind === 'waiting' && !verdict.hadAgent) continue;
        await this.adopter?.((data) => data.conversationId === conversationId);
      } catch (err) {
        // The owner's reconciler reads it later.
        this.logger.info({ err, genesysConversationId: conversationId }, 'could not catch up on a followed chat');
      }
    }
  }

  /** Stops being the deployment's subscriber: closes its channels. */
  private async standDown(): Promise<void> {
    const subscriber = this.subscriber;
    this.followed = undefined;
    this.subscriber = undefined;
    await subscriber?.stop();
  }

  /**
   * Takes one detail event from the subscriber's channel, in order with the earlier events of its
   * conversation: a chat another instance holds is taken over first ({@link acceptPushedEvent}).
   */
  private takeSubscribedEvent(topicName: string, eventBody: unknown): void {
    const event = readDetailEvent(topicName, eventBody);
    if (event === undefined) return;
    const key = event.conversationId;
    const next = (this.eventChains.get(key) ?? Promise.resolve())
      .then(() => this.acceptPushedEvent(topicName, eventBody))
      .then((taken) => {
        if (!taken) this.logger.debug({ genesysConversationId: key }, 'detail event of no active chat');
      })
      .catch((err: unknown) => {
        this.logger.warn({ err, genesysConversationId: key }, 'detail event not handled');
      });
    this.eventChains.set(key, next);
    void next.finally(() => {
      if (this.eventChains.get(key) === next) this.eventChains.delete(key);
    });
  }

  /** One reconciler pass over every held chat, paced to `reconcilePerSecond` (also run by the timer). */
  reconcileAll(): Promise<void> {
    return this.reconciler.runPass();
  }

  /**
   * Brings the notification topics in line with the held chats. A chat just followed is then read
   * once (`subscribed`), so nothing that happened before its topics were live is missed.
   */
  private followTopics(subscribed?: OpenMessagingSession): void {
    if (this.closed || this.subscriber === undefined || this.followed === undefined) return;
    this.subscriber
      .sync()
      .then(() => subscribed?.reconcile())
      .catch((err: unknown) => {
        this.logger.warn({ err }, 'notifications subscription failed');
      });
  }

  private checkResumeData(data: ResumeData): OpenMessagingResumeData {
    const resume = resumeDataFor(data, 'openmessaging');
    if (typeof resume.externalId !== 'string' || resume.externalId === '')
      throw new GenesysError('badRequest', 'Open Messaging resume data has no external id');
    return resume;
  }

  private detachedSession(data: ResumeData): OpenMessagingSession {
    const resume = this.checkResumeData(data);
    return new OpenMessagingSession({
      settings: this.settings,
      customer: { id: resume.externalId, nickname: resume.nickname },
      conversationId: resume.conversationId,
      listener: () => undefined,
      logger: this.logger.child({ detached: true }),
      onFinished: () => undefined,
      onConversationId: () => undefined,
    });
  }

  private createSession(options: {
    customer: { id: string; nickname: string };
    conversationId?: string;
    attributes?: Record<string, string>;
    listener: ChatListener;
  }): OpenMessagingSession {
    const session: OpenMessagingSession = new OpenMessagingSession({
      ...options,
      settings: this.settings,
      logger: this.logger,
      onFinished: (finished) => {
        this.sessions.release(finished);
        if (this.byExternalId.get(finished.externalId) === finished) this.byExternalId.delete(finished.externalId);
        const conversationId = finished.conversationId;
        if (conversationId !== undefined && this.byConversationId.get(conversationId) === finished)
          this.byConversationId.delete(conversationId);
        this.followTopics();
      },
      onConversationId: (known, conversationId) => {
        this.byConversationId.set(conversationId, known);
        this.followTopics(known);
      },
    });
    this.byExternalId.set(options.customer.id, session);
    if (options.conversationId !== undefined && options.conversationId !== '') {
      this.byConversationId.set(options.conversationId, session);
      this.followTopics();
    }
    return this.sessions.hold(session);
  }
}
