import { randomUUID } from 'node:crypto';
import type { Logger } from '../../logger';
import { GenesysError } from '../genesysError';
import type {
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
import { HistoryClient } from './historyClient';
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
  private readonly logger: Logger;
  private readonly settings: SessionSettings;
  private readonly detachedSettings: SessionSettings;
  private readonly sessions = new SessionRegistry<WebMessagingSession>();

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
      ...(options.clock === undefined ? {} : { clock: options.clock }),
    };
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
    };
  }

  /** {@inheritDoc HandoffProvider.startChat} */
  async startChat(request: StartChatRequest, listener: ChatListener): Promise<ChatSession> {
    const token = randomUUID();
    const session = this.createSession({ token, listener, attributes: request.attributes });
    try {
      await session.open('start');
      this.logger.info('web messaging session started');
      session.markQueued();
      if (request.introduction.trim().length > 0) await session.sendText(request.introduction);
    } catch (err) {
      await session.detach();
      this.logger.warn({ err }, 'starting a web messaging chat failed');
      throw err;
    }
    return session;
  }

  /** {@inheritDoc HandoffProvider.resumeChat} */
  async resumeChat(data: ResumeData, options: ResumeOptions, listener: ChatListener): Promise<ChatSession> {
    const resumeData = this.checkResumeData(data);
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
  async sendDetached(data: ResumeData, text: string): Promise<void> {
    const session = this.detachedSession(data);
    try {
      await session.open('resume');
      await session.sendText(text);
    } finally {
      await session.detach();
    }
  }

  /** {@inheritDoc HandoffProvider.endDetached} */
  async endDetached(data: ResumeData): Promise<void> {
    const session = this.detachedSession(data);
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
    await this.sessions.detachAll();
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
    const session: WebMessagingSession = new WebMessagingSession({
      ...options,
      settings: this.settings,
      logger: this.logger,
      onFinished: () => {
        this.sessions.release(session);
      },
    });
    return this.sessions.hold(session);
  }
}
