import { EventEmitter } from 'node:events';
import { createSilentLogger, type Logger } from '../../logger';
import type { AgentControl } from '../kit/agentControl';
import { DEFAULT_WAIT_MS, SimulatorHost } from '../kit/simulatorHost';
import { GuestChatAgent, type GuestChatSendOptions } from './guestChatAgent';
import { GuestChatFaults } from './guestChatFaults';
import { GuestChatHttp } from './guestChatHttp';
import { GuestChatModel } from './guestChatModel';
import { GuestChatRoutes } from './guestChatRoutes';
import { errorBody } from './guestChatSimErrors';
import { GuestPresence } from './guestChatPresence';
import { GuestChatStream } from './guestChatStream';
import type {
  GuestChatSimConversation,
  GuestChatSimFault,
  GuestChatSimRequest,
  GuestChatSimulatorEvents,
  GuestChatSimulatorOptions,
  SimAgentProfile,
  WebChatMemberInfo,
  WebChatMessage,
} from './guestChatTypes';

export type * from './guestChatTypes';
export type { GuestChatSendOptions } from './guestChatAgent';

/** Organization id the simulator knows unless told otherwise. */
export const SIMULATOR_ORGANIZATION_ID = '5a1b2c3d-0000-4000-8000-000000000001';
/** Enabled, anonymous deployment the simulator knows unless told otherwise. */
export const SIMULATOR_DEPLOYMENT_ID = '5a1b2c3d-0000-4000-8000-0000000000d1';
/** Queue name the simulator knows unless told otherwise. */
export const SIMULATOR_QUEUE_NAME = 'Support';

/**
 * A local, faithful stand-in for Genesys Cloud's Guest Chat v2 API (docs/genesys-protocol.md §3,
 * simulator notes §3.10): REST and the event stream websocket on one port, plus the agent side
 * ({@link AgentControl}) in process.
 *
 * Behaviour tagged [C]/[O] in docs/genesys-protocol.md is reproduced as documented; [I]/[U]
 * behaviour is configurable through {@link GuestChatSimulatorOptions} and noted where it is implemented.
 */
export class GuestChatSimulator
  extends EventEmitter<GuestChatSimulatorEvents>
  implements AgentControl<GuestChatSimConversation, WebChatMemberInfo, WebChatMessage, GuestChatSendOptions>
{
  private readonly logger: Logger;
  private readonly host: SimulatorHost;
  private readonly model: GuestChatModel;
  private readonly faults: GuestChatFaults;
  private readonly agent: GuestChatAgent;
  private readonly stream: GuestChatStream;
  private readonly presence: GuestPresence;
  private readonly http: GuestChatHttp;

  constructor(options: GuestChatSimulatorOptions = {}) {
    super();
    this.logger = (options.logger ?? createSilentLogger()).child({ module: 'simulator.guestchat' });
    this.host = new SimulatorHost({
      name: 'GuestChatSimulator',
      logger: this.logger,
      ...(options.port === undefined ? {} : { port: options.port }),
      ...(options.host === undefined ? {} : { host: options.host }),
      onRequest: async (req, res) => {
        try {
          await this.http.handle(req, res);
        } catch (err) {
          this.logger.error({ err }, 'simulator request failed');
          if (!res.headersSent)
            this.http.writeJson(res, {
              status: 500,
              body: errorBody(500, 'internal.server.error', 'Internal server error'),
            });
        }
      },
      onUpgrade: (req, socket, head) => {
        this.stream.handleUpgrade(req, socket, head);
      },
    });
    this.model = new GuestChatModel(options.now ?? Date.now, this, this.host, options.closeSocketOnEnd === true);
    this.faults = new GuestChatFaults(this.model, options);
    this.agent = new GuestChatAgent(this.model, this.faults);
    this.presence = new GuestPresence(this.model, {
      enabled: options.guestDisconnectedWhileAway ?? true,
      awayDetectionMs: options.guestAwayDetectionMs ?? 0,
      reconnectLagMs: options.guestReconnectLagMs ?? 250,
      announceConnected: options.emitGuestConnectedOnConnect !== false,
    });
    this.stream = new GuestChatStream(this.model, this.host, this.faults, options, this.logger, this.presence);
    const deployments = options.deployments ?? [{ id: SIMULATOR_DEPLOYMENT_ID }];
    const routes = new GuestChatRoutes(this.model, this.host, this, {
      organizationId: options.organizationId ?? SIMULATOR_ORGANIZATION_ID,
      deployments: new Map(deployments.map((d) => [d.id.toLowerCase(), d])),
      queues: new Set(options.queues ?? [SIMULATOR_QUEUE_NAME]),
      options,
    });
    this.http = new GuestChatHttp(this.model, routes, this.faults, this.logger);
  }

  /** Starts listening (port 0 = any free port); resolves with {@link apiUrl}. */
  async start(): Promise<string> {
    await this.host.start();
    return this.apiUrl;
  }

  /** The port the simulator listens on. */
  get port(): number {
    return this.host.port;
  }

  /** REST base URL (`GenesysApiUrl`); throws before {@link start}. */
  get apiUrl(): string {
    return this.host.httpUrl;
  }

  /** Terminates every socket and stops the server. */
  async stop(): Promise<void> {
    this.stream.stop();
    await this.host.stop();
  }

  /** Event stream connections accepted so far (every re-attach counts). */
  get streamAttachments(): number {
    return this.model.streamAttachments;
  }

  /** Every request answered so far, oldest first. */
  get requests(): readonly GuestChatSimRequest[] {
    return [...this.http.requestLog];
  }

  // ---- agent control ------------------------------------------------------------------------

  /** Snapshots of every conversation, oldest first. */
  conversations(): GuestChatSimConversation[] {
    return [...this.model.conversations.values()].map((c) => this.model.snapshot(c));
  }

  /** Snapshot of one conversation; throws for an unknown id. */
  conversation(conversationId: string): GuestChatSimConversation {
    return this.model.snapshot(this.model.get(conversationId));
  }

  /** Snapshot of one conversation, or undefined for an unknown id. */
  findConversation(conversationId: string): GuestChatSimConversation | undefined {
    const c = this.model.conversations.get(conversationId);
    return c === undefined ? undefined : this.model.snapshot(c);
  }

  /** Resolves with the first conversation matching `predicate` (default: any), waiting for one to start. */
  waitForConversation(
    predicate: (c: GuestChatSimConversation) => boolean = () => true,
    timeoutMs = DEFAULT_WAIT_MS,
  ): Promise<GuestChatSimConversation> {
    return this.waitUntil(() => this.conversations().find(predicate), timeoutMs, 'a conversation');
  }

  /** Resolves with the first guest message of a conversation matching `predicate`, waiting for it if needed. */
  waitForGuestMessage(
    conversationId: string,
    predicate: (m: WebChatMessage) => boolean = () => true,
    timeoutMs = DEFAULT_WAIT_MS,
  ): Promise<WebChatMessage> {
    const find = (): WebChatMessage | undefined => {
      const c = this.model.get(conversationId);
      return c.messages.find((m) => m.sender.id === c.guestId && m.bodyType === 'standard' && predicate(m));
    };
    return this.waitUntil(find, timeoutMs, 'a guest message');
  }

  /** Resolves once the conversation ended, waiting if needed. */
  waitForEnd(conversationId: string, timeoutMs = DEFAULT_WAIT_MS): Promise<GuestChatSimConversation> {
    const find = (): GuestChatSimConversation | undefined => {
      const c = this.model.get(conversationId);
      return c.state === 'ended' ? this.model.snapshot(c) : undefined;
    };
    return this.waitUntil(find, timeoutMs, 'the conversation to end');
  }

  /** Resolves with `check()`'s first defined result, re-evaluated after every change; rejects after `timeoutMs`. */
  waitUntil<T>(check: () => T | undefined, timeoutMs = DEFAULT_WAIT_MS, what = 'condition'): Promise<T> {
    return this.host.waitUntil(check, timeoutMs, what);
  }

  /** Resolves once no request is being answered and every socket is flushed. */
  whenIdle(timeoutMs = DEFAULT_WAIT_MS): Promise<void> {
    return this.host.whenIdle(timeoutMs);
  }

  /**
   * An agent takes the chat: (optionally an ACD member first,) agent `ALERTING` → `CONNECTED` and a
   * `member-join` message. The chat must be routed (its event stream attached). Returns the agent member.
   */
  agentJoin(conversationId: string, agent: SimAgentProfile): WebChatMemberInfo {
    return this.agent.join(conversationId, agent);
  }

  /** The current agent (or `agentId`) writes to the guest. Returns the stored message. */
  agentSend(conversationId: string, text: string, options: GuestChatSendOptions = {}): WebChatMessage {
    return this.agent.send(conversationId, text, options);
  }

  /** The current agent is typing; always sent. */
  agentTyping(conversationId: string): boolean {
    return this.agent.typing(conversationId);
  }

  /** The current agent leaves; the guest stays (the chat waits for another agent). */
  agentLeave(conversationId: string): void {
    this.agent.leave(conversationId);
  }

  /** Blind transfer: the current agent `DISCONNECTED`, then a new agent `ALERTING` → `CONNECTED`. Returns the new agent. */
  transfer(conversationId: string, toDisplayName: string): WebChatMemberInfo {
    return this.agent.transfer(conversationId, toDisplayName);
  }

  /** The agent side ends the chat: guest `member-leave` + guest `DISCONNECTED`, then every other member `DISCONNECTED`. */
  endConversation(conversationId: string): void {
    this.agent.end(conversationId);
  }

  // ---- fault injection ----------------------------------------------------------------------

  /** Switches "retired" mode: every `/api/v2/webchat/...` path answers `404 not.found`. */
  setRetired(retired: boolean): void {
    this.faults.retired = retired;
  }

  /** Sends every agent `member-change CONNECTED` twice from now on ([O] docs/genesys-protocol.md §3.7 quirk). */
  setDuplicateMemberChange(enabled: boolean): void {
    this.faults.duplicateMemberChange = enabled;
  }

  /** Makes the next matching request(s) fail with a 429 or a 5xx (retry tests). */
  injectFault(fault: GuestChatSimFault): void {
    this.faults.inject(fault);
  }

  /** Removes faults that have not fired yet. */
  clearFaults(): void {
    this.faults.clear();
  }

  /** Sends the current agent's `member-change CONNECTED` again, as Genesys does when an agent switches chats. */
  repeatAgentConnected(conversationId: string): void {
    this.faults.repeatAgentConnected(conversationId);
  }

  /** Terminates the event stream sockets (of one conversation, or all): the client sees 1006. */
  dropConnections(conversationId?: string): void {
    this.faults.dropConnections(conversationId);
  }
  /**
   * Genesys takes the guest's live stream for dead: the guest shows `DISCONNECTED` on the streams still
   * attached, then `CONNECTED` again after `guestReconnectLagMs` ([O] docs/genesys-protocol.md §3.7).
   */
  reportGuestAway(conversationId: string): void {
    this.presence.reportAway(this.model.requireRouted(conversationId));
  }

  /** Sends a stored message's frame again (a re-delivery; only its `CorrelationId` differs). */
  redeliver(conversationId: string, messageId: string): void {
    this.faults.redeliver(conversationId, messageId);
  }

  /** Sends any text on a conversation's sockets (malformed-frame tests). */
  sendRawFrame(conversationId: string, data: string): void {
    this.faults.sendRawFrame(conversationId, data);
  }
}
