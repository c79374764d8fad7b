import type { EventEmitter } from 'node:events';
import { WebSocket } from 'ws';
import type {
  SimulatedAgent,
  SimulatedAttachmentProfile,
  SimulatedConversationInfo,
  SimulatedDeployment,
  SimulatedEndReason,
  SimulatedMessage,
  SimulatorStats,
  WebMessagingSimulatorEvents,
  WebMessagingSimulatorOptions,
} from './webMessagingTypes';

/** One guest websocket connection. */
export interface Connection {
  id: number;
  ws: WebSocket;
  deploymentId: string;
  /** The deployment exists but the Origin is not allowed (frame rejection mode). */
  originRefused: boolean;
  token?: string;
}

/** A conversation, routed on the first guest message of a session. */
export interface Conversation {
  id: string;
  state: 'waiting' | 'active' | 'ended';
  endReason?: SimulatedEndReason;
  agent?: SimulatedAgent;
  messages: SimulatedMessage[];
  customAttributes: Record<string, string>;
  startedAt: string;
  agentTypingTimes: number[];
}

/** A guest session (one session token), with its connections and current conversation. */
export interface Session {
  token: string;
  deployment: Required<SimulatedDeployment>;
  connections: Connection[];
  conversation?: Conversation;
  /** Every StructuredMessage body of the session, oldest first (history REST). */
  history: Record<string, unknown>[];
  readOnly: boolean;
  expired: boolean;
  expiryTimer?: NodeJS.Timeout;
  expiresAt: number;
  messageTimes: number[];
  historyTimes: number[];
  lastTime: number;
}

/** Settings of the simulator after defaults. */
export type WebMessagingSettings = Required<
  Omit<WebMessagingSimulatorOptions, 'deployments' | 'logger' | 'port' | 'host' | 'queues' | 'platform'>
>;

/** [C] docs/genesys-protocol.md §5.7: one file per upload, at most 10 MB (KB = 1,000 bytes, §5.9), any type. */
export const DEFAULT_ATTACHMENT_PROFILE: SimulatedAttachmentProfile = {
  fileTypes: ['*/*'],
  maxFileSizeKB: 10_000,
  blockedExtensions: [],
};

/** The queue of an org configured without queues. */
export const DEFAULT_QUEUE = { id: 'd9a1b6a0-5b3c-4c59-9f43-4c9a3c2a0001', name: 'Support' };

/** [C] docs/genesys-protocol.md §5.7: longest guest text, in UTF-8 bytes. */
export const MAX_TEXT_BYTES = 4096;
/** [C] docs/genesys-protocol.md §5.7: largest custom attributes, in UTF-8 bytes of their JSON. */
export const MAX_CUSTOM_ATTRIBUTES_BYTES = 2048;

/** Sends a frame as JSON when the socket is open. */
export function send(ws: WebSocket, frame: unknown): void {
  if (ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify(frame));
}

/** A `class: string` response frame (errors and plain answers). */
export function stringFrame(code: number, body: string, tracingId?: string): Record<string, unknown> {
  return { type: 'response', class: 'string', code, body, ...(tracingId === undefined ? {} : { tracingId }) };
}

/** The `channel.from` party of an agent. */
export function partyOf(agent: SimulatedAgent): Record<string, string> {
  const party: Record<string, string> = { nickname: agent.nickname };
  if (agent.id !== undefined) party.id = agent.id;
  if (agent.image !== undefined) party.image = agent.image;
  if (agent.firstName !== undefined) party.firstName = agent.firstName;
  if (agent.lastName !== undefined) party.lastName = agent.lastName;
  return party;
}

/**
 * The conversation model of the Web Messaging simulator: deployments, guest sessions and their
 * conversations, session expiry, and the frames every connection of a session receives.
 */
export class WebMessagingModel {
  readonly deployments = new Map<string, Required<SimulatedDeployment>>();
  readonly sessions = new Map<string, Session>();
  /** Every conversation ever started, with its session. */
  readonly conversations = new Map<string, { session: Session; conversation: Conversation }>();
  readonly connections = new Set<Connection>();
  readonly settings: WebMessagingSettings;
  readonly counters: SimulatorStats = {
    rateLimited: 0,
    invalidFrames: 0,
    historyRequests: 0,
    connections: 0,
    configureRateLimited: 0,
    historyRateLimited: 0,
    clearsRefused: 0,
    uploadUrlRequests: 0,
  };
  /** Accepted `configureSession` times, per session token and per deployment (rate limits). */
  readonly configureTimes = { bySession: new Map<string, number[]>(), byDeployment: new Map<string, number[]>() };

  constructor(
    options: WebMessagingSimulatorOptions,
    private readonly events: EventEmitter<WebMessagingSimulatorEvents>,
  ) {
    const defaultQueueId = (options.queues ?? [DEFAULT_QUEUE])[0]?.id ?? DEFAULT_QUEUE.id;
    for (const d of options.deployments) {
      this.deployments.set(d.id, {
        id: d.id,
        allowedOrigins: d.allowedOrigins ?? [],
        conversationDisconnect: d.conversationDisconnect ?? 'off',
        conversationClear: d.conversationClear ?? false,
        sessionDurationSeconds: d.sessionDurationSeconds ?? 259_200,
        showUserTypingIndicator: d.showUserTypingIndicator ?? false,
        showAgentTypingIndicator: d.showAgentTypingIndicator ?? false,
        autoStart: d.autoStart ?? false,
        markdown: d.markdown ?? false,
        status: d.status ?? 'Active',
        publishConfig: d.publishConfig ?? true,
        attachments: d.attachments ?? DEFAULT_ATTACHMENT_PROFILE,
        queueId: d.queueId ?? defaultQueueId,
      });
    }
    this.settings = {
      messagesPerSecond: options.messagesPerSecond ?? 5,
      rateLimitCountsEvents: options.rateLimitCountsEvents ?? true,
      maxConnectionsPerSession: options.maxConnectionsPerSession ?? 3,
      historyRequestsPerMinute: options.historyRequestsPerMinute ?? 10,
      unknownDeploymentRejection: options.unknownDeploymentRejection ?? 'frame',
      originRejection: options.originRejection ?? 'handshake',
      jwtLifetimeSeconds: options.jwtLifetimeSeconds ?? 3600,
      configuresPerSessionPerMinute: options.configuresPerSessionPerMinute ?? 60,
      configuresPerDeploymentPerMinute: options.configuresPerDeploymentPerMinute ?? 1000,
      rateLimitWindowMs: options.rateLimitWindowMs ?? 60_000,
      maxTextBytes: options.maxTextBytes ?? MAX_TEXT_BYTES,
      readOnlyRejection: options.readOnlyRejection ?? {
        code: 409,
        body: 'Session is read-only, no new messages allowed',
      },
      echoExtendsSession: options.echoExtendsSession ?? false,
    };
  }

  /** Clears every session timer (the simulator stops). */
  clearTimers(): void {
    for (const session of this.sessions.values())
      if (session.expiryTimer !== undefined) clearTimeout(session.expiryTimer);
  }

  /** Every conversation, oldest first. */
  list(): SimulatedConversationInfo[] {
    const all: SimulatedConversationInfo[] = [];
    for (const id of this.conversations.keys()) {
      const info = this.find(id);
      if (info !== undefined) all.push(info);
    }
    return all;
  }

  /** A snapshot of one conversation, or undefined. */
  find(conversationId: string): SimulatedConversationInfo | undefined {
    const entry = this.conversations.get(conversationId);
    if (entry === undefined) return undefined;
    const { session, conversation } = entry;
    const info: SimulatedConversationInfo = {
      id: conversation.id,
      deploymentId: session.deployment.id,
      sessionToken: session.token,
      state: conversation.state,
      messages: conversation.messages.map((m) => ({ ...m })),
      customAttributes: { ...conversation.customAttributes },
      connectionCount: session.connections.length,
      startedAt: conversation.startedAt,
    };
    if (conversation.endReason !== undefined) info.endReason = conversation.endReason;
    if (conversation.agent !== undefined) info.agent = { ...conversation.agent };
    return info;
  }

  /** A snapshot of one conversation; throws for an unknown id. */
  require(conversationId: string): SimulatedConversationInfo {
    const info = this.find(conversationId);
    if (info === undefined) throw new Error(`WebMessagingSimulator: unknown conversation ${conversationId}`);
    return info;
  }

  /** The session and conversation of a conversation that has not ended; throws otherwise. */
  requireLive(conversationId: string): { session: Session; conversation: Conversation } {
    const entry = this.conversations.get(conversationId);
    if (entry === undefined) throw new Error(`WebMessagingSimulator: unknown conversation ${conversationId}`);
    const { session, conversation } = entry;
    if (conversation.state === 'ended')
      throw new Error(`WebMessagingSimulator: conversation ${conversationId} has ended`);
    return { session, conversation };
  }

  /** The session of a conversation; throws for an unknown id. */
  sessionOf(conversationId: string): Session {
    const entry = this.conversations.get(conversationId);
    if (entry === undefined) throw new Error(`WebMessagingSimulator: unknown conversation ${conversationId}`);
    return entry.session;
  }

  /** The agent a message comes from: a bot flow, or the joined agent (throws when none joined). */
  requireAgent(conversation: Conversation, entity: 'Human' | 'Bot'): SimulatedAgent {
    if (entity === 'Bot') return { nickname: 'Bot' };
    if (conversation.agent === undefined)
      throw new Error(`WebMessagingSimulator: no agent has joined conversation ${conversation.id}`);
    return conversation.agent;
  }

  /** Strictly increasing ISO times per session, so ordering by `channel.time` is well defined. */
  nextTime(session: Session): string {
    const now = Math.max(Date.now(), session.lastTime + 1);
    session.lastTime = now;
    return new Date(now).toISOString();
  }

  /** Restarts the session's lifetime (docs/genesys-protocol.md §5.15). */
  touch(session: Session): void {
    const durationMs = session.deployment.sessionDurationSeconds * 1000;
    session.expiresAt = Date.now() + durationMs;
    if (session.expiryTimer !== undefined) clearTimeout(session.expiryTimer);
    // Timers cap at ~24.8 days; longer sessions simply never expire in a simulator run.
    if (durationMs < 2 ** 31 - 1) {
      session.expiryTimer = setTimeout(() => {
        this.expire(session);
      }, durationMs);
      session.expiryTimer.unref();
    }
  }

  /** [C] `SessionExpiredEvent` to every connection; the conversation ends; later requests get 4006. */
  expire(session: Session): void {
    if (session.expired) return;
    session.expired = true;
    if (session.expiryTimer !== undefined) clearTimeout(session.expiryTimer);
    this.broadcast(session, { type: 'message', class: 'SessionExpiredEvent', code: 200, body: {} });
    const conversation = session.conversation;
    if (conversation !== undefined && conversation.state !== 'ended') this.endConversation(conversation, 'expired');
    this.changed();
  }

  /** [C] Presence Clear: `SessionClearedEvent`, then `ConnectionClosedEvent`, and the conversation ends. */
  clearSession(session: Session): void {
    const conversation = session.conversation;
    this.broadcast(session, { type: 'message', class: 'SessionClearedEvent', code: 200, body: {} });
    for (const connection of [...session.connections]) this.closeConnection(connection, 'sessionCleared');
    if (session.expiryTimer !== undefined) clearTimeout(session.expiryTimer);
    // [I] the token is forgotten: configuring it again starts a fresh session.
    this.sessions.delete(session.token);
    if (conversation !== undefined && conversation.state !== 'ended') this.endConversation(conversation, 'cleared');
    this.changed();
  }

  /** Ends a conversation and tells listeners. */
  endConversation(conversation: Conversation, reason: SimulatedEndReason): void {
    conversation.state = 'ended';
    conversation.endReason = reason;
    this.events.emit('conversationEnded', { conversationId: conversation.id, reason });
    this.changed();
  }

  /** `ConnectionClosedEvent`, then a normal close. */
  closeConnection(connection: Connection, reason: string): void {
    send(connection.ws, { type: 'message', class: 'ConnectionClosedEvent', code: 200, body: { reason } });
    this.detachConnection(connection);
    connection.ws.close(1000, reason);
  }

  /** Removes a connection from its session. */
  detachConnection(connection: Connection): void {
    if (connection.token === undefined) return;
    const session = this.sessions.get(connection.token);
    if (session !== undefined) session.connections = session.connections.filter((c) => c !== connection);
    connection.token = undefined;
    this.changed();
  }

  /** Sends a frame to every connection of the session. */
  broadcast(session: Session, frame: Record<string, unknown>): void {
    for (const connection of session.connections) send(connection.ws, frame);
  }

  /** Tells listeners (and waiters) that something changed. */
  changed(): void {
    this.events.emit('changed');
  }
}
