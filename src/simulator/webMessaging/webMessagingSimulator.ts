import { EventEmitter } from 'node:events';
import { createSilentLogger, type Logger } from '../../logger';
import type { AgentControl, AgentProfile } from '../kit/agentControl';
import { SimulatedPlatformApi } from '../kit/platformApi';
import { SimRouter } from '../kit/simHttp';
import { DEFAULT_WAIT_MS, SimulatorHost } from '../kit/simulatorHost';
import { WebMessagingAgent } from './webMessagingAgent';
import { WebMessagingAttachments } from './webMessagingAttachments';
import { WebMessagingDeploymentConfig } from './webMessagingDeploymentConfig';
import { WebMessagingFaults } from './webMessagingFaults';
import { WebMessagingGuestMessages } from './webMessagingGuestMessages';
import { WebMessagingHistory } from './webMessagingHistory';
import { DEFAULT_QUEUE, WebMessagingModel } from './webMessagingModel';
import { WebMessagingProtocol } from './webMessagingProtocol';
import { WebMessagingRouting, type SimulatedPlatformParticipant } from './webMessagingRouting';
import type {
  AgentLeaveOptions,
  AgentSendOptions,
  DeliveryOptions,
  SimulatedAgent,
  SimulatedContentEntry,
  SimulatedConversationInfo,
  SimulatorStats,
  WebMessagingSimulatorEvents,
  WebMessagingSimulatorOptions,
} from './webMessagingTypes';

export type * from './webMessagingTypes';
export type { SimulatedPlatformParticipant } from './webMessagingRouting';
export type { SimulatedUser } from '../kit/platformApi';
export type { SimulatedOAuthClient } from '../kit/oauthTokens';

/**
 * A local, in-process simulation of the Genesys Cloud side of the Web Messaging Guest API
 * (docs/genesys-protocol.md §5): the guest websocket at `/v1`, the history REST endpoint, and the
 * agent side ({@link AgentControl}) for tests and the demo agent console. Its Platform API side
 * (§5.17) serves client-credentials tokens, users and the Notifications API, on which each queue's
 * `v2.routing.queues.{queueId}.conversations.messages` topic reports conversations and their
 * participants as they are routed, accepted and ended.
 *
 * Behaviours tagged [C] follow the confirmed statements of docs/genesys-protocol.md; [I]/[U] ones
 * are assumptions and configurable where a test may need the other choice.
 */
export class WebMessagingSimulator
  extends EventEmitter<WebMessagingSimulatorEvents>
  implements AgentControl<SimulatedConversationInfo, SimulatedAgent, string, AgentSendOptions>
{
  private readonly logger: Logger;
  private readonly host: SimulatorHost;
  private readonly model: WebMessagingModel;
  private readonly faults: WebMessagingFaults;
  private readonly agent: WebMessagingAgent;
  private readonly protocol: WebMessagingProtocol;
  private readonly history: WebMessagingHistory;
  private readonly deploymentConfig: WebMessagingDeploymentConfig;
  private readonly attachments: WebMessagingAttachments;
  private readonly platformApi: SimulatedPlatformApi;
  private readonly platformRoutes = new SimRouter();
  private readonly routing: WebMessagingRouting;

  constructor(options: WebMessagingSimulatorOptions) {
    super();
    if (!Array.isArray(options.deployments) || options.deployments.length === 0)
      throw new Error('WebMessagingSimulator: option deployments needs at least one deployment');
    this.logger = (options.logger ?? createSilentLogger()).child({ module: 'simulator.webmessaging' });
    this.model = new WebMessagingModel(options, this);
    this.host = new SimulatorHost({
      name: 'WebMessagingSimulator',
      logger: this.logger,
      ...(options.port === undefined ? {} : { port: options.port }),
      ...(options.host === undefined ? {} : { host: options.host }),
      onRequest: async (req, res) => {
        if (await this.platformRoutes.handle(req, res)) return;
        if (!this.deploymentConfig.handle(req, res) && !this.attachments.handle(req, res))
          this.history.handle(req, res);
      },
      onUpgrade: (req, socket, head) => {
        if (!this.platformApi.handleUpgrade(req, socket, head)) this.protocol.handleUpgrade(req, socket, head);
      },
    });
    const platform = options.platform ?? { clients: [] };
    this.platformApi = new SimulatedPlatformApi({
      clients: platform.clients,
      ...(platform.users === undefined ? {} : { users: platform.users }),
      ...(platform.tokenLifetimeSeconds === undefined ? {} : { tokenLifetimeSeconds: platform.tokenLifetimeSeconds }),
      ...(platform.requestsPerMinute === undefined ? {} : { requestsPerMinute: platform.requestsPerMinute }),
      ...(platform.notifications === undefined ? {} : { notifications: platform.notifications }),
      socketBaseUrl: () => this.host.wsUrl,
      now: Date.now,
      logger: this.logger,
      onChange: () => {
        this.emit('changed');
      },
    });
    this.platformApi.addRoutes(this.platformRoutes);
    const queues = options.queues ?? [DEFAULT_QUEUE];
    this.routing = new WebMessagingRouting(this.platformApi, new Map(queues.map((q) => [q.id, q.name])));
    this.on('conversationStarted', (info) => {
      this.routing.started(info.id, this.model.sessionOf(info.id).deployment.queueId, info.customAttributes);
    });
    this.on('conversationEnded', ({ conversationId, reason }) => {
      this.routing.ended(conversationId, reason);
    });
    this.on('changed', () => {
      this.host.changed();
    });
    this.faults = new WebMessagingFaults(this.model, this.host);
    this.agent = new WebMessagingAgent(this.model, this.faults);
    const guestMessages = new WebMessagingGuestMessages(this.model, this, this.faults);
    this.attachments = new WebMessagingAttachments(this.model, () => this.apiUrl);
    this.protocol = new WebMessagingProtocol(
      this.model,
      this.host,
      guestMessages,
      this.faults,
      this,
      this.logger,
      this.attachments,
    );
    this.history = new WebMessagingHistory(this.model, this.protocol.jwts);
    this.deploymentConfig = new WebMessagingDeploymentConfig(this.model, () => ({
      apiUrl: this.apiUrl,
      webMessagingUrl: this.webMessagingUrl,
    }));
  }

  /** Starts listening (port 0 = any free port); resolves with {@link apiUrl}. */
  async start(): Promise<string> {
    await this.host.start();
    return this.apiUrl;
  }

  /** Stops: drops every socket, clears timers, closes the server. */
  async stop(): Promise<void> {
    this.platformApi.stop();
    this.faults.stop();
    this.model.clearTimers();
    this.model.connections.clear();
    await this.host.stop();
  }

  /** The port the simulator listens on. */
  get port(): number {
    return this.host.port;
  }

  /** `ws://host:port/v1`. */
  get webMessagingUrl(): string {
    return `${this.host.wsUrl}/v1`;
  }

  /** `http://host:port`: base of the history REST endpoint. */
  get apiUrl(): string {
    return this.host.httpUrl;
  }

  /** Tokens issued, and queue topic frames written to notification sockets (docs/genesys-protocol.md §5.17). */
  get platformStats(): { tokensIssued: number; queueEvents: number; openNotificationSockets: number } {
    return {
      tokensIssued: this.platformApi.oauth.issued,
      queueEvents: this.routing.queueEvents,
      openNotificationSockets: this.platformApi.notifications.connectedChannelCount(),
    };
  }

  /** The Platform API participants of a conversation: customer, ACD, agents (§5.17). */
  platformParticipants(conversationId: string): SimulatedPlatformParticipant[] {
    return this.routing.participants(conversationId);
  }

  /** Topics subscribed on notification channels whose socket is open. */
  notificationTopics(): string[] {
    return this.platformApi.notifications.liveTopics();
  }

  /** Sends `v2.system.socket_closing` on every notifications socket and closes them after `afterMs`. */
  closeNotificationSockets(afterMs = 0): void {
    this.platformApi.notifications.closeSockets(afterMs);
  }

  /** A copy of the counters. */
  get stats(): SimulatorStats {
    return { ...this.model.counters };
  }

  // ---------------------------------------------------------------- agent control

  /** Every conversation, oldest first. */
  conversations(): SimulatedConversationInfo[] {
    return this.model.list();
  }

  /** A snapshot of one conversation; throws for an unknown id. */
  conversation(conversationId: string): SimulatedConversationInfo {
    return this.model.require(conversationId);
  }

  /** A snapshot of one conversation, or undefined. */
  findConversation(conversationId: string): SimulatedConversationInfo | undefined {
    return this.model.find(conversationId);
  }

  /** Number of open guest connections of a session token. */
  connectionCount(sessionToken: string): number {
    return this.model.sessions.get(sessionToken)?.connections.length ?? 0;
  }

  /** Resolves with the first conversation (existing or future) that matches. */
  waitForConversation(
    predicate: (c: SimulatedConversationInfo) => boolean = () => true,
    timeoutMs = DEFAULT_WAIT_MS,
  ): Promise<SimulatedConversationInfo> {
    return this.waitUntil(() => this.model.list().find(predicate), timeoutMs, 'conversation');
  }

  /** Resolves with `check()`'s first defined result, re-evaluated after every change; rejects after `timeoutMs`. */
  waitUntil<T>(check: () => T | undefined, timeoutMs = DEFAULT_WAIT_MS, what = 'condition'): Promise<T> {
    return this.host.waitUntil(check, timeoutMs, what);
  }

  /** Resolves once no request is being answered, no held frame is pending and every socket is flushed. */
  whenIdle(timeoutMs = DEFAULT_WAIT_MS): Promise<void> {
    return this.host.whenIdle(timeoutMs);
  }

  /**
   * An agent accepts the conversation. Genesys tells the guest nothing until the agent types or
   * writes; the queue topic shows the agent offered, then connected (docs/genesys-protocol.md §5.17).
   * The agent is the user with the profile's `id`, else the user with its display name (new users are added).
   */
  agentJoin(conversationId: string, agent: AgentProfile): SimulatedAgent {
    const joined = this.agent.join(conversationId, agent);
    this.routing.agentAccepted(conversationId, this.platformApi.userNamed(agent.displayName, agent.id));
    return joined;
  }

  /**
   * The agent (or, with `originatingEntity: 'Bot'`, a bot flow) writes. Delivered to every open
   * connection of the session; with none open it is only in history. Returns the message id.
   */
  agentSend(conversationId: string, text: string, options: AgentSendOptions = {}): string {
    return this.agent.send(conversationId, text, options, []);
  }

  /** The agent sends a file, as a link (`content[]` Attachment). Returns the message id. */
  agentSendAttachment(conversationId: string, url: string, filename: string, mime: string, text = ''): string {
    return this.agent.send(conversationId, text, {}, [{ url, filename, mime }]);
  }

  /**
   * The agent (or a bot flow, `originatingEntity: 'Bot'`) sends a `Structured` message with quick
   * replies, cards, carousels or time slot pickers (docs/genesys-protocol.md §5.14), in Genesys' own
   * `content[]` shapes; throws on malformed content. The guest's answers are recorded on its inbound
   * messages (`buttonResponses`). Returns the message id.
   */
  agentSendStructured(
    conversationId: string,
    content: SimulatedContentEntry[],
    text = '',
    options: AgentSendOptions = {},
  ): string {
    return this.agent.sendStructured(conversationId, text, content, options);
  }

  /**
   * The agent sends a file the simulator stores and serves (`GET {apiUrl}/attachments/...`, no
   * credentials, like a presigned download URL). Returns the message id.
   */
  agentSendFile(
    conversationId: string,
    file: { fileName: string; mime: string; bytes: Uint8Array },
    text = '',
  ): string {
    this.model.requireLive(conversationId);
    const url = this.attachments.storeAgentFile(file.fileName, file.mime, file.bytes);
    return this.agent.send(conversationId, text, {}, [
      { url, filename: file.fileName, mime: file.mime, fileSize: file.bytes.byteLength },
    ]);
  }

  /** The bytes of a file guests uploaded or agents sent, by its attachment id (undefined when unknown or not uploaded). */
  attachmentBytes(attachmentId: string): Buffer | undefined {
    return this.attachments.bytesOf(attachmentId);
  }

  /** The agent types ([C] `duration` 5000); false (nothing sent) past the agent-side 12 per minute. */
  agentTyping(conversationId: string): boolean {
    return this.agent.typing(conversationId);
  }

  /**
   * The agent disconnects, which ends a Web Messaging conversation. [C] The guest gets a Presence
   * Disconnect only when the deployment's Conversation Disconnect is enabled.
   */
  agentLeave(conversationId: string, options: AgentLeaveOptions = {}): void {
    this.agent.leave(conversationId, options);
  }

  /** The agent side ends the conversation: in Web Messaging, the agent disconnecting (see {@link agentLeave}). */
  endConversation(conversationId: string): void {
    this.agent.leave(conversationId);
  }

  // ---------------------------------------------------------------- fault injection

  /** Changes delivery knobs (ordering and duplicates) for all later outbound frames. */
  setDelivery(options: DeliveryOptions): void {
    this.faults.setDelivery(options);
  }

  /** Leaves `echo` health checks unanswered (a stalled server) while `answer` is false. */
  setAnswerEcho(answer: boolean): void {
    this.faults.answerEcho = answer;
  }

  /** Holds back the answer (echo) to every accepted guest text message by `ms` (0 = answer at once). */
  setGuestAnswerDelay(ms: number): void {
    this.faults.guestAnswerDelayMs = ms;
  }

  /** Changes the per-session guest message rate. */
  setMessagesPerSecond(perSecond: number): void {
    this.model.settings.messagesPerSecond = perSecond;
  }

  /** Changes the configure and history rate limits (docs/genesys-protocol.md §5.7) for later requests. */
  setRateLimits(
    limits: Partial<
      Pick<
        WebMessagingSimulatorOptions,
        | 'configuresPerSessionPerMinute'
        | 'configuresPerDeploymentPerMinute'
        | 'historyRequestsPerMinute'
        | 'rateLimitWindowMs'
      >
    >,
  ): void {
    const settings = this.model.settings;
    settings.configuresPerSessionPerMinute =
      limits.configuresPerSessionPerMinute ?? settings.configuresPerSessionPerMinute;
    settings.configuresPerDeploymentPerMinute =
      limits.configuresPerDeploymentPerMinute ?? settings.configuresPerDeploymentPerMinute;
    settings.historyRequestsPerMinute = limits.historyRequestsPerMinute ?? settings.historyRequestsPerMinute;
    settings.rateLimitWindowMs = limits.rateLimitWindowMs ?? settings.rateLimitWindowMs;
  }

  /** Changes the longest guest text accepted, in UTF-8 bytes (above it: 4011). */
  setMaxTextBytes(bytes: number): void {
    this.model.settings.maxTextBytes = bytes;
  }

  /** Expires the session now: [C] `SessionExpiredEvent` to every connection, later requests get 4006. */
  expireSession(conversationId: string): void {
    this.model.expire(this.model.sessionOf(conversationId));
  }

  /**
   * Starts or ends an outage: while on, every new guest connection is refused with HTTP 503 and, when
   * starting, every open socket is terminated. [C] docs/genesys-protocol.md §5.8: sessions and
   * conversations live on (closing a socket ends nothing), and keep expiring on their own clock.
   */
  setOutage(on: boolean): void {
    this.faults.outage = on;
    if (on) for (const session of this.model.sessions.values()) this.faults.dropConnections(session);
  }

  /** Terminates every socket of the session (the guest sees close code 1006). */
  dropConnections(conversationId: string): void {
    this.faults.dropConnections(this.model.sessionOf(conversationId));
  }

  /** Sends raw text to every connection of the session (malformed-frame tests). */
  sendRawFrame(conversationId: string, data: string): void {
    this.faults.sendRawFrame(this.model.sessionOf(conversationId), data);
  }
}
