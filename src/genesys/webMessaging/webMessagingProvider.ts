import { randomUUID } from 'node:crypto';
import type { Logger } from '../../logger';
import { GenesysError } from '../genesysError';
import type {
  ButtonAnswer,
  ChatListener,
  ChatSession,
  HandoffProvider,
  ResumeData,
  ResumeOptions,
  StartChatRequest,
  WebMessagingResumeData,
} from '../handoffProvider';
import type { RetryPolicy } from '../retryPolicy';
import { OptionsValidator, resumeDataFor, SessionRegistry, SHARED_PROVIDER_DEFAULTS, type Clock } from '../shared';
import { HistoryBudget, type HistoryRateLimit } from './historyBudget';
import { deploymentConfigUrl, fetchDeploymentConfig, type DeploymentConfig } from './deploymentConfig';
import { AgentJoinWatch, type AgentJoinWatchOptions } from './agentJoinWatch';
import { HistoryClient } from './historyClient';
import { HANDOFF_ID_ATTRIBUTE, handoffIdOf } from './queueConversationEvent';
import { WebMessagingSession, type SessionSettings, type WebMessagingSessionOptions } from './webMessagingSession';

/** Options of a {@link WebMessagingProvider}. */
export interface WebMessagingProviderOptions {
  /** `wss://webmessaging.{domain}/v1` (see {@link webMessagingUrlsFor}); `ws://` for the simulator. */
  webMessagingUrl: string;
  /** `https://api.{domain}`: base of the history REST endpoint. */
  apiUrl: string;
  /** Messenger deployment id. */
  deploymentId: string;
  /** Sent as the `Origin` header when the deployment restricts allowed domains. */
  origin?: string;
  /** Per-session guest message rate to pace to (docs/genesys-protocol.md §5.7: 5, formerly 2). */
  messagesPerSecond: number;
  /** `clear`: Presence Clear (falls back to `notice` when Clear is disabled); `notice`: tell the agent, then disconnect. */
  endMode: 'clear' | 'notice';
  logger: Logger;
  /** Reconnect delays after a dropped socket (default: 0.5 s doubling to 15 s for about five minutes). */
  reconnectPolicy?: RetryPolicy;
  /** Retries of history REST calls (default: 0.5 s doubling to 8 s, 4 retries). */
  requestRetryPolicy?: RetryPolicy;
  /** Protocol ping interval (default 15,000 ms, as the mobile SDK); 0 disables. */
  heartbeatIntervalMs?: number;
  /** Application `echo` health check interval (default 30,000 ms); 0 disables. */
  echoIntervalMs?: number;
  /** How long to wait for a reply to a request (default 10,000 ms). */
  responseTimeoutMs?: number;
  /** Websocket handshake timeout (default 10,000 ms). */
  connectTimeoutMs?: number;
  /** Minimum time between two guest typing events (default 5,000 ms; docs/genesys-protocol.md §5.3). */
  typingIntervalMs?: number;
  /**
   * How long live agent messages are held to be released in `channel.time` order (default
   * {@link DEFAULT_REORDER_WINDOW_MS}; 0 delivers at once, in arrival order).
   */
  reorderWindowMs?: number;
  /** How long a send waits for a dropped link to be restored (default 60,000 ms). */
  reconnectWaitMs?: number;
  /** How many 429 answers one message may get before the send fails (default 30). */
  maxRateLimitRetries?: number;
  /** History page size (default 25). */
  historyPageSize?: number;
  /** Most history pages read per backfill (default 4; Genesys allows 10 history calls per minute). */
  maxHistoryPages?: number;
  /** History reads allowed per session (default 10 per 60,000 ms, docs/genesys-protocol.md §5.7). */
  historyRateLimit?: HistoryRateLimit;
  /**
   * Continuous link downtime after which a chat ends as `failed` (default 600,000 ms). Until then the
   * provider keeps reconnecting and keeps the Genesys session, whatever the reconnect policy's own
   * attempt limit (docs/genesys-protocol.md §5.8).
   */
  reconnectGiveUpMs?: number;
  /** Link downtime after which the listener gets `linkDown` (default 10,000 ms; 0 = never). */
  linkDownNoticeMs?: number;
  /** How long a restored link must stay up before `linkRestored` (default 5,000 ms). */
  linkStableMs?: number;
  /** How long a guest message still waits for Genesys' answer after `responseTimeoutMs` (default 60,000 ms). */
  lateAnswerWaitMs?: number;
  /** How long before the guest session expires `sessionExpiring` is reported (default 300,000 ms, as Messenger). */
  expiryNoticeMs?: number;
  /**
   * The deployment's public `config.json` (docs/genesys-protocol.md §5.13). Default: derived from
   * `apiUrl` (`https://api-cdn.{domain}/webdeployments/v1/deployments/{id}/config.json`).
   */
  deploymentConfigUrl?: string;
  /**
   * Detect an agent accepting a chat before they write (docs/genesys-protocol.md §5.17): an OAuth
   * client and the queues to watch over the Platform API's notifications. Left out, the agent is
   * announced at their first message or typing.
   */
  agentJoins?: Omit<AgentJoinWatchOptions, 'apiUrl' | 'logger' | 'clock'>;
  /** Clock of typing throttling, pacing and rate-limit waits (tests; default: the system clock). */
  clock?: Clock;
}

/**
 * Default hold of live agent messages, in ms. [C] docs/genesys-protocol.md §5.8: Web Messaging does not
 * guarantee order; a burst (bot flow, canned responses) can arrive shuffled within a few ms. The first
 * message of a burst waits this long and everything that arrived meanwhile is released with it in
 * `channel.time` order, so the burst reads in order while the added delay stays below what a person
 * notices in a chat. Frames shuffled further apart than this are still delivered, in arrival order.
 */
export const DEFAULT_REORDER_WINDOW_MS = 150;

/** Web Messaging endpoints of a Genesys Cloud region domain (docs/genesys-protocol.md §2). */
export function webMessagingUrlsFor(environment: string): { webMessagingUrl: string; apiUrl: string } {
  const domain = environment.trim().replace(/^\.+|\.+$/g, '');
  if (domain.length === 0) throw new Error('webMessagingUrlsFor: environment (e.g. mypurecloud.com) is required');
  return { webMessagingUrl: `wss://webmessaging.${domain}/v1`, apiUrl: `https://api.${domain}` };
}

const noReconnect: RetryPolicy = () => null;

function socketUrl(base: string, deploymentId: string): string {
  const separator = base.includes('?') ? '&' : '?';
  return `${base}${separator}deploymentId=${encodeURIComponent(deploymentId)}`;
}

/**
 * Hands conversations to Genesys Cloud agents through the Web Messaging Guest API (docs/genesys-protocol.md §5):
 * one websocket per guest session, identified by a client-generated token that is persisted as
 * {@link WebMessagingResumeData} so any instance can resume the session or send on it.
 */
export class WebMessagingProvider implements HandoffProvider {
  readonly name = 'webmessaging' as const;
  /** docs/genesys-protocol.md §5.9: guests upload files. */
  readonly uploadsFiles = true;
  private readonly logger: Logger;
  private readonly settings: SessionSettings;
  private readonly detachedSettings: SessionSettings;
  private readonly sessions = new SessionRegistry<WebMessagingSession>();
  private readonly configUrl: string;
  private readonly configTimeoutMs: number;
  private deployment: DeploymentConfig | undefined;
  private deploymentLoad: Promise<DeploymentConfig | undefined> | undefined;
  private readonly joins: AgentJoinWatch | undefined;

  constructor(options: WebMessagingProviderOptions) {
    const check = new OptionsValidator('WebMessagingProvider');
    check.requireString('deploymentId', options.deploymentId);
    check.requireUrl('webMessagingUrl', options.webMessagingUrl, ['ws', 'wss']);
    check.requireUrl('apiUrl', options.apiUrl, ['http', 'https']);
    const endMode = check.requireOneOf('endMode', options.endMode, ['clear', 'notice'] as const);
    const messagesPerSecond = check.requireNumber('messagesPerSecond', options.messagesPerSecond, true);
    this.logger = check.requireLogger(options.logger).child({ module: 'genesys.webmessaging' });
    const responseTimeoutMs = check.number('responseTimeoutMs', options.responseTimeoutMs, 10_000, true);
    const history = new HistoryClient({
      apiUrl: options.apiUrl,
      ...(options.origin === undefined ? {} : { origin: options.origin }),
      retryPolicy: options.requestRetryPolicy ?? SHARED_PROVIDER_DEFAULTS.requestRetryPolicy,
      timeoutMs: responseTimeoutMs,
      logger: this.logger,
    });
    this.settings = {
      connection: {
        url: socketUrl(options.webMessagingUrl, options.deploymentId),
        ...(options.origin === undefined || options.origin.length === 0 ? {} : { origin: options.origin }),
        deploymentId: options.deploymentId,
        reconnectPolicy: options.reconnectPolicy ?? SHARED_PROVIDER_DEFAULTS.reconnectPolicy,
        heartbeatIntervalMs: check.number('heartbeatIntervalMs', options.heartbeatIntervalMs, 15_000),
        connectTimeoutMs: check.number(
          'connectTimeoutMs',
          options.connectTimeoutMs,
          SHARED_PROVIDER_DEFAULTS.connectTimeoutMs,
          true,
        ),
        responseTimeoutMs,
        echoIntervalMs: check.number('echoIntervalMs', options.echoIntervalMs, 30_000),
      },
      messagesPerSecond,
      endMode,
      typingIntervalMs: check.number(
        'typingIntervalMs',
        options.typingIntervalMs,
        SHARED_PROVIDER_DEFAULTS.typingIntervalMs,
      ),
      reorderWindowMs: check.number('reorderWindowMs', options.reorderWindowMs, DEFAULT_REORDER_WINDOW_MS),
      reconnectWaitMs: check.number('reconnectWaitMs', options.reconnectWaitMs, 60_000, true),
      maxRateLimitRetries: check.number('maxRateLimitRetries', options.maxRateLimitRetries, 30),
      historyPageSize: check.number('historyPageSize', options.historyPageSize, 25, true),
      maxHistoryPages: check.number('maxHistoryPages', options.maxHistoryPages, 4, true),
      // Constructing a budget checks the limit now rather than at the first chat.
      historyRateLimit: new HistoryBudget(options.historyRateLimit).limit,
      history,
      resilience: {
        reconnectGiveUpMs: check.number('reconnectGiveUpMs', options.reconnectGiveUpMs, 600_000),
        linkDownNoticeMs: check.number('linkDownNoticeMs', options.linkDownNoticeMs, 10_000),
        linkStableMs: check.number('linkStableMs', options.linkStableMs, 5_000),
        lateAnswerWaitMs: check.number('lateAnswerWaitMs', options.lateAnswerWaitMs, 60_000),
        expiryNoticeMs: check.number('expiryNoticeMs', options.expiryNoticeMs, 300_000),
      },
      deployment: () => this.deployment,
      ...(options.clock === undefined ? {} : { clock: options.clock }),
    };
    this.joins =
      options.agentJoins === undefined
        ? undefined
        : new AgentJoinWatch({
            ...options.agentJoins,
            apiUrl: options.apiUrl,
            logger: this.logger,
            ...(options.clock === undefined ? {} : { clock: options.clock }),
          });
    this.configUrl = options.deploymentConfigUrl ?? deploymentConfigUrl(options.apiUrl, options.deploymentId);
    this.configTimeoutMs = responseTimeoutMs;
    // Detached operations use a short-lived connection: no reconnects, no health checks.
    this.detachedSettings = {
      ...this.settings,
      connection: {
        ...this.settings.connection,
        reconnectPolicy: noReconnect,
        echoIntervalMs: 0,
        heartbeatIntervalMs: 0,
      },
      reorderWindowMs: 0,
      reconnectWaitMs: responseTimeoutMs,
      resilience: { ...this.settings.resilience, reconnectGiveUpMs: 0, linkDownNoticeMs: 0, lateAnswerWaitMs: 0 },
    };
  }

  /** The deployment's public configuration, once read; undefined before or when it could not be read. */
  get deploymentConfig(): DeploymentConfig | undefined {
    return this.deployment;
  }

  /** The agent-join detection, when configured (tests, diagnostics). */
  get agentJoinWatch(): AgentJoinWatch | undefined {
    return this.joins;
  }

  /**
   * Starts detecting agents joining chats when it is configured (docs/genesys-protocol.md §5.17);
   * later calls share the first. Never rejects: a refused OAuth client is logged and the provider
   * announces agents at their first message, as without it.
   */
  startAgentJoinWatch(): Promise<void> {
    return this.joins?.start() ?? Promise.resolve();
  }

  /**
   * Reads the deployment's public configuration once (docs/genesys-protocol.md §5.13) and logs what it
   * says; later calls share the result. Resolves with `undefined` (and a warning) when it cannot be
   * read: the provider then behaves as without it (sends typing, tries Clear and learns from a 403).
   */
  loadDeploymentConfig(): Promise<DeploymentConfig | undefined> {
    this.deploymentLoad ??= fetchDeploymentConfig(this.configUrl, this.configTimeoutMs).then(
      (config) => {
        this.deployment = config;
        this.logDeployment(config);
        return config;
      },
      (err: unknown) => {
        this.logger.warn({ err }, 'could not read the Messenger deployment configuration; using defaults');
        return undefined;
      },
    );
    return this.deploymentLoad;
  }

  /** {@inheritDoc HandoffProvider.startChat} */
  async startChat(request: StartChatRequest, listener: ChatListener): Promise<ChatSession> {
    await this.loadDeploymentConfig();
    void this.startAgentJoinWatch();
    const token = randomUUID();
    // The handoff id goes first, so trimming to the size limit never drops it.
    const attributes =
      this.joins === undefined
        ? request.attributes
        : { [HANDOFF_ID_ATTRIBUTE]: handoffIdOf(token), ...request.attributes };
    const session = this.createSession({ token, listener, attributes });
    try {
      await session.open('start');
    } catch (err) {
      await session.detach();
      this.logger.warn({ err }, 'starting a web messaging chat failed');
      throw err;
    }
    this.logger.info('web messaging session started');
    try {
      // [I] docs/genesys-protocol.md §5.13: without auto-start a conversation is routed on the guest's
      // first message. `queued` is reported once the introduction is acknowledged, so a chat is
      // never "queued" and then "failed".
      if (request.introduction.trim().length > 0) await session.sendText(request.introduction);
    } catch (err) {
      // Part of the introduction may have arrived: do not leave that conversation waiting for nobody.
      await session.abandon();
      this.logger.warn({ err }, 'the introduction of a web messaging chat could not be sent');
      throw err;
    }
    session.markQueued();
    return session;
  }

  /** {@inheritDoc HandoffProvider.resumeChat} */
  async resumeChat(data: ResumeData, options: ResumeOptions, listener: ChatListener): Promise<ChatSession> {
    const resumeData = this.checkResumeData(data);
    await this.loadDeploymentConfig();
    void this.startAgentJoinWatch();
    const session = this.createSession({ token: resumeData.token, listener, resume: options });
    let readOnly: boolean;
    try {
      readOnly = (await session.open('resume')).readOnly === true;
    } catch (err) {
      await session.detach();
      throw err;
    }
    this.logger.info('web messaging session resumed');
    await session.catchUp(readOnly);
    return session;
  }

  /** {@inheritDoc HandoffProvider.sendDetached} */
  sendDetached(data: ResumeData, text: string): Promise<void> {
    return this.onDetachedSession(data, (session) => session.sendText(text));
  }

  /** {@inheritDoc HandoffProvider.sendDetachedButtonResponse} */
  sendDetachedButtonResponse(data: ResumeData, answer: ButtonAnswer): Promise<void> {
    return this.onDetachedSession(data, (session) => session.sendButtonResponse(answer));
  }

  /** Opens a short-lived session on a chat held elsewhere, runs `send` on it, and detaches. */
  private async onDetachedSession(
    data: ResumeData,
    send: (session: WebMessagingSession) => Promise<void>,
  ): Promise<void> {
    const session = this.detachedSession(data);
    try {
      await session.open('resume');
      await send(session);
    } finally {
      await session.detach();
    }
  }

  /** {@inheritDoc HandoffProvider.endDetached} */
  async endDetached(data: ResumeData): Promise<void> {
    const session = this.detachedSession(data);
    await this.loadDeploymentConfig();
    try {
      await session.open('resume');
      await session.end();
    } catch (err) {
      // An expired or already cleared session is an ended chat: nothing left to end.
      if (err instanceof GenesysError && err.code === 'sessionExpired') {
        this.logger.info('detached end: session already gone');
        return;
      }
      throw err;
    } finally {
      await session.detach();
    }
  }

  /** {@inheritDoc HandoffProvider.close} */
  async close(): Promise<void> {
    await this.joins?.stop();
    await this.sessions.detachAll();
  }

  private logDeployment(config: DeploymentConfig): void {
    this.logger.info(
      {
        status: config.status,
        showUserTypingIndicator: config.showUserTypingIndicator,
        conversationClear: config.conversationClear,
        conversationDisconnect: config.conversationDisconnect.enabled ? config.conversationDisconnect.type : 'off',
        sessionDurationSeconds: config.sessionDurationSeconds,
      },
      'Messenger deployment configuration read',
    );
    if (config.status !== undefined && config.status !== 'Active')
      this.logger.warn(
        { status: config.status },
        'the Messenger deployment is not active: Genesys refuses its sessions',
      );
    if (!config.conversationDisconnect.enabled)
      this.logger.warn(
        'Conversation Disconnect is off: an agent ending the chat is not reported; chats end by idle or queue timeout',
      );
    if (this.settings.endMode === 'clear' && !config.conversationClear)
      this.logger.warn('Conversation Clear is off: the bot ends chats with a notice to the agent instead');
  }

  private detachedSession(data: ResumeData): WebMessagingSession {
    const resumeData = this.checkResumeData(data);
    return new WebMessagingSession({
      token: resumeData.token,
      settings: this.detachedSettings,
      listener: () => undefined,
      logger: this.logger.child({ detached: true }),
      resume: { deliveredMessageIds: [] },
    });
  }

  private checkResumeData(data: ResumeData): WebMessagingResumeData {
    const resumeData = resumeDataFor(data, 'webmessaging');
    const token: unknown = resumeData.token;
    if (typeof token !== 'string' || token.length === 0)
      throw new GenesysError('badRequest', 'Web Messaging resume data has no session token');
    return resumeData;
  }

  private createSession(
    options: Omit<WebMessagingSessionOptions, 'settings' | 'logger' | 'onFinished'>,
  ): WebMessagingSession {
    const watched: { unwatch?: () => void } = {};
    const session: WebMessagingSession = new WebMessagingSession({
      ...options,
      settings: this.settings,
      logger: this.logger,
      onFinished: () => {
        watched.unwatch?.();
        this.sessions.release(session);
      },
    });
    if (this.joins !== undefined)
      watched.unwatch = this.joins.watch(handoffIdOf(options.token), (participantId, agent) => {
        session.agentConnected(participantId, agent);
      });
    return this.sessions.hold(session);
  }
}
