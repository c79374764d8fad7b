import type { Config } from '../../config';
import type { Logger } from '../../logger';
import { GenesysError } from '../genesysError';
import type {
  ChatListener,
  GuestChatResumeData,
  ChatSession,
  HandoffProvider,
  ResumeData,
  ResumeOptions,
  StartChatRequest,
} from '../handoffProvider';
import type { RetryPolicy } from '../retryPolicy';
import { OptionsValidator, resumeDataFor, SessionRegistry, SHARED_PROVIDER_DEFAULTS, type Clock } from '../shared';
import { splitText } from '../splitText';
import type { CreateWebChatConversationRequest } from './guestChatModels';
import { GuestChatRestClient, type GuestChatCredentials } from './guestChatRestClient';
import { isAlreadyEnded } from './guestChatErrors';
import { GUEST_CHAT_MAX_BODY_CHARS, GuestChatSession, type GuestChatSessionOptions } from './guestChatSession';

/** Session settings the provider fixes once (already checked and defaulted). */
type SessionSettings = Pick<
  GuestChatSessionOptions,
  | 'reconnectPolicy'
  | 'heartbeatIntervalMs'
  | 'connectTimeoutMs'
  | 'typingIntervalMs'
  | 'agentTypingDurationMs'
  | 'activationWaitMs'
  | 'dedupeCapacity'
  | 'now'
>;

/** Options of a {@link GuestChatProvider}. */
export interface GuestChatProviderOptions {
  /** REST base URL: `https://api.{GenesysEnvironment}` or the `GenesysApiUrl` override (see {@link guestChatApiUrl}). */
  apiUrl: string;
  /** `GenesysOrganizationId`. */
  organizationId: string;
  /** `GenesysDeploymentId`: the web chat (widget v2 / third-party) deployment. */
  deploymentId: string;
  /** `GenesysQueueName`: the queue **name** chats are routed to (a request's `routing` overrides it). */
  queueName: string;
  skills?: readonly string[];
  language?: string;
  priority?: number;
  /** Sent as `Origin` on the create call, for deployments that restrict origins. */
  origin?: string;
  /** `GenesysMemberAuthToken`: a static token for deployments that require authentication. */
  memberAuthToken?: string;
  /** Supplies a `memberAuthToken` per chat (e.g. from `/api/v2/signeddata`); takes precedence over the static token. */
  memberAuthTokenProvider?: () => Promise<string | undefined>;
  logger: Logger;
  /** Event stream reconnects (default: 0.5 s doubling to 15 s for about five minutes). */
  reconnectPolicy?: RetryPolicy;
  /** Backoff of REST calls answered with 429 or 5xx (default: 0.5 s doubling to 8 s, 4 retries). */
  requestRetryPolicy?: RetryPolicy;
  /** Protocol ping interval on the event stream; 0 disables (default 30 s). */
  heartbeatIntervalMs?: number;
  /** Websocket handshake timeout (default 10 s). */
  connectTimeoutMs?: number;
  /** Per-request REST timeout (default 15 s). */
  requestTimeoutMs?: number;
  /** Guest typing is sent at most once per this interval (default 5 s). */
  typingIntervalMs?: number;
  /** `durationMs` of `agentTyping` events (default 4 s, docs/genesys-protocol.md §3.4 [O]). */
  agentTypingDurationMs?: number;
  /**
   * After the stream opens, how long to wait for Genesys to report the guest `CONNECTED` before the
   * introduction is sent anyway (default 3 s; 0 = do not wait). [I] docs/genesys-protocol.md §3.2.
   */
  activationWaitMs?: number;
  /** A 429 asking to wait longer than this fails at once with `rateLimited` (default 60 s). */
  maxRetryAfterMs?: number;
  /** How many message ids each chat remembers to drop duplicates (default 1,000). */
  dedupeCapacity?: number;
  /** Injected for tests: how REST retries wait. */
  sleep?: (ms: number) => Promise<void>;
  /** Clock of typing throttling and (unless `sleep` is given) REST retry waits (tests; default: the system clock). */
  clock?: Clock;
}

/**
 * The REST base URL for a region domain, or the explicit override when one is set.
 * `guestChatApiUrl('mypurecloud.ie', '')` is `https://api.mypurecloud.ie`.
 */
export function guestChatApiUrl(environment: string, override = ''): string {
  return override !== '' ? override : `https://api.${environment}`;
}

/** Provider options from the validated configuration (the composition root adds policies if it wants). */
export function guestChatProviderOptionsFromConfig(config: Config, logger: Logger): GuestChatProviderOptions {
  const { genesys } = config;
  const options: GuestChatProviderOptions = {
    apiUrl: guestChatApiUrl(genesys.environment, genesys.apiUrl),
    organizationId: genesys.organizationId,
    deploymentId: genesys.deploymentId,
    queueName: genesys.queueName,
    skills: genesys.skills,
    logger,
  };
  if (genesys.language !== '') options.language = genesys.language;
  if (genesys.priority !== undefined) options.priority = genesys.priority;
  if (genesys.memberAuthToken !== '') options.memberAuthToken = genesys.memberAuthToken;
  if (genesys.origin !== '') options.origin = genesys.origin;
  return options;
}

/**
 * The retired Genesys Cloud Guest Chat v2 API (`/api/v2/webchat/guest/...`, docs/genesys-protocol.md §3) as an
 * opt-in {@link HandoffProvider} for organizations that still have it.
 *
 * A chat is created over REST, then its event stream is attached at once (Genesys routes a chat only
 * from then on), then the introduction is sent. Agent activity arrives as stream frames; after a
 * dropped link the stream is reopened and missed messages are read back from history.
 */
export class GuestChatProvider implements HandoffProvider {
  /** Always `guestchat`. */
  readonly name = 'guestchat' as const;
  /** docs/genesys-protocol.md §3: Guest Chat v2 has no guest file upload; files go as text. */
  readonly uploadsFiles = false;
  private readonly logger: Logger;
  private readonly rest: GuestChatRestClient;
  private readonly sessions = new SessionRegistry<GuestChatSession>();
  private readonly settings: SessionSettings;

  constructor(private readonly options: GuestChatProviderOptions) {
    const check = new OptionsValidator('GuestChatProvider');
    for (const key of ['apiUrl', 'organizationId', 'deploymentId', 'queueName'] as const)
      check.requireString(key, options[key]);
    check.requireUrl('apiUrl', options.apiUrl, ['http', 'https']);
    this.logger = check.requireLogger(options.logger).child({ module: 'genesys.guestchat' });
    const defaults = SHARED_PROVIDER_DEFAULTS;
    this.settings = {
      reconnectPolicy: options.reconnectPolicy ?? defaults.reconnectPolicy,
      heartbeatIntervalMs: check.number('heartbeatIntervalMs', options.heartbeatIntervalMs, 30_000),
      connectTimeoutMs: check.number('connectTimeoutMs', options.connectTimeoutMs, defaults.connectTimeoutMs, true),
      typingIntervalMs: check.number('typingIntervalMs', options.typingIntervalMs, defaults.typingIntervalMs),
      agentTypingDurationMs: check.number('agentTypingDurationMs', options.agentTypingDurationMs, 4_000),
      activationWaitMs: check.number('activationWaitMs', options.activationWaitMs, 3_000),
      dedupeCapacity: check.number('dedupeCapacity', options.dedupeCapacity, 1_000, true),
      ...(options.clock === undefined ? {} : { now: options.clock.now }),
    };
    const timeoutMs = check.number('requestTimeoutMs', options.requestTimeoutMs, 15_000, true);
    const maxRetryAfterMs = check.number('maxRetryAfterMs', options.maxRetryAfterMs, 60_000);
    const sleep = options.sleep ?? options.clock?.sleep;
    this.rest = new GuestChatRestClient({
      apiUrl: options.apiUrl,
      logger: this.logger,
      retryPolicy: options.requestRetryPolicy ?? defaults.requestRetryPolicy,
      timeoutMs,
      maxRetryAfterMs,
      ...(options.origin === undefined ? {} : { origin: options.origin }),
      ...(sleep === undefined ? {} : { sleep }),
    });
  }

  /**
   * Creates the chat, attaches its event stream (emitting `queued`), and sends the introduction.
   * Rejects with a {@link GenesysError} when Genesys refuses; on a failure after the chat was
   * created, the chat is left (best effort) and no further events follow.
   */
  async startChat(request: StartChatRequest, listener: ChatListener): Promise<ChatSession> {
    const displayName = request.guest.displayName.trim();
    if (displayName === '') throw new GenesysError('badRequest', 'startChat: guest.displayName is required');
    const body = await this.buildCreateRequest(request, displayName);
    const created = await this.rest.createConversation(body);
    const credentials: GuestChatCredentials = {
      conversationId: created.id,
      memberId: created.member.id,
      jwt: created.jwt,
    };
    const session = this.createSession(credentials, created.eventStreamUri, listener, undefined);
    this.logger.info({ conversationId: created.id }, 'guest chat created');
    try {
      await session.open('start');
      if (request.introduction.trim() !== '') await session.sendText(request.introduction);
    } catch (err) {
      this.logger.warn({ err, conversationId: created.id }, 'guest chat could not be started; leaving it');
      await session.detach();
      await this.endDetached(session.resumeData).catch((endErr: unknown) => {
        this.logger.debug({ err: endErr, conversationId: created.id }, 'leaving the failed chat failed');
      });
      throw err;
    }
    return session;
  }

  /**
   * Reattaches to a chat: reopens its event stream, re-learns its members (who the agent is), replays
   * agent messages missed meanwhile (skipping `options.deliveredMessageIds` and anything older than
   * `options.lastDeliveredAt`), then goes live. An agent still connected is reported again with
   * `agentJoined` unless history shows their join before `lastDeliveredAt`.
   */
  async resumeChat(data: ResumeData, options: ResumeOptions, listener: ChatListener): Promise<ChatSession> {
    const resume = asGuestChatResumeData(data);
    const credentials: GuestChatCredentials = {
      conversationId: resume.conversationId,
      memberId: resume.memberId,
      jwt: resume.jwt,
    };
    const session = this.createSession(credentials, resume.eventStreamUri, listener, options);
    try {
      await session.open('resume');
    } catch (err) {
      await session.detach();
      throw err;
    }
    this.logger.info({ conversationId: resume.conversationId }, 'guest chat resumed');
    return session;
  }

  /** Sends guest text with the stored JWT, without an event stream. */
  async sendDetached(data: ResumeData, text: string): Promise<void> {
    const resume = asGuestChatResumeData(data);
    const credentials: GuestChatCredentials = {
      conversationId: resume.conversationId,
      memberId: resume.memberId,
      jwt: resume.jwt,
    };
    for (const part of splitText(text, GUEST_CHAT_MAX_BODY_CHARS, 'chars')) {
      await this.rest.sendMessage(credentials, part);
    }
  }

  /** Leaves a chat with the stored JWT. An already ended chat counts as success. */
  async endDetached(data: ResumeData): Promise<void> {
    const resume = asGuestChatResumeData(data);
    try {
      await this.rest.deleteMember({
        conversationId: resume.conversationId,
        memberId: resume.memberId,
        jwt: resume.jwt,
      });
    } catch (err) {
      // The goal is a chat without the guest; one that already ended (or no longer exists) is that.
      if (isAlreadyEnded(err)) return;
      throw err;
    }
  }

  /** Detaches every session held by this provider. */
  async close(): Promise<void> {
    await this.sessions.detachAll();
  }

  private createSession(
    credentials: GuestChatCredentials,
    eventStreamUri: string,
    listener: ChatListener,
    delivered: ResumeOptions | undefined,
  ): GuestChatSession {
    const session = new GuestChatSession({
      rest: this.rest,
      credentials,
      eventStreamUri,
      listener,
      logger: this.logger.child({ conversationId: credentials.conversationId }),
      ...this.settings,
      ...(delivered === undefined ? {} : { delivered }),
      onFinished: (finished) => {
        this.sessions.release(finished);
      },
    });
    return this.sessions.hold(session);
  }

  private async buildCreateRequest(
    request: StartChatRequest,
    displayName: string,
  ): Promise<CreateWebChatConversationRequest> {
    const o = this.options;
    const routing = request.routing ?? {};
    const queueName =
      routing.queueName !== undefined && routing.queueName.trim() !== '' ? routing.queueName : o.queueName;
    const routingTarget: CreateWebChatConversationRequest['routingTarget'] = {
      targetType: 'QUEUE',
      targetAddress: queueName,
    };
    const skills = routing.skills ?? o.skills;
    if (skills !== undefined && skills.length > 0) routingTarget.skills = [...skills];
    const language = routing.language ?? o.language;
    if (language !== undefined && language !== '') routingTarget.language = language;
    const priority = routing.priority ?? o.priority;
    if (priority !== undefined) routingTarget.priority = priority;

    const { guest } = request;
    const memberInfo: CreateWebChatConversationRequest['memberInfo'] = {
      displayName,
      customFields: { ...request.attributes },
    };
    if (guest.firstName !== undefined) memberInfo.firstName = guest.firstName;
    if (guest.lastName !== undefined) memberInfo.lastName = guest.lastName;
    if (guest.email !== undefined) memberInfo.email = guest.email;

    const body: CreateWebChatConversationRequest = {
      organizationId: o.organizationId,
      deploymentId: o.deploymentId,
      routingTarget,
      memberInfo,
    };
    const token = await this.memberAuthToken();
    if (token !== undefined && token !== '') body.memberAuthToken = token;
    return body;
  }

  private async memberAuthToken(): Promise<string | undefined> {
    if (this.options.memberAuthTokenProvider !== undefined) {
      try {
        return await this.options.memberAuthTokenProvider();
      } catch (err) {
        throw new GenesysError('authRequired', 'the memberAuthToken provider failed', { cause: err });
      }
    }
    return this.options.memberAuthToken;
  }
}

function asGuestChatResumeData(data: ResumeData): GuestChatResumeData {
  return resumeDataFor(data, 'guestchat');
}
