import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer, type RawData } from 'ws';
import { createSilentLogger, type Logger } from '../logger';
import { parseGuestRequest, type GuestMessage, type GuestRequest } from './webMessaging/clientFrames';

/**
 * A local, in-process simulation of the Genesys Cloud side of the Web Messaging Guest API
 * (docs/genesys-protocol.md §5): the guest websocket at `/v1`, the history REST endpoint, and an agent-side
 * control API for tests and the demo agent console.
 *
 * Behaviours tagged [C] follow the confirmed statements of docs/genesys-protocol.md; [I]/[U] ones are assumptions
 * and configurable where a test may need the other choice.
 */

/** Conversation Disconnect setting of a Messenger deployment (docs/genesys-protocol.md §5.5). */
export type ConversationDisconnectMode = 'off' | 'Send' | 'ReadOnly';

/** A simulated Messenger deployment. */
export interface SimulatedDeployment {
  id: string;
  /** Allowed `Origin` values; empty or absent = any origin (docs/genesys-protocol.md §5.1). */
  allowedOrigins?: string[];
  /** [C] Presence Disconnect is sent only when enabled (default `off`, as in Genesys). */
  conversationDisconnect?: ConversationDisconnectMode;
  /** [C] Presence Clear works only when enabled; otherwise 403 (default false). */
  conversationClear?: boolean;
  /** [C] Session lifetime after the last message (default 259,200 s = 3 days). */
  sessionDurationSeconds?: number;
}

/** Options of {@link WebMessagingSimulator}. */
export interface WebMessagingSimulatorOptions {
  deployments: SimulatedDeployment[];
  /** Port to listen on (0 = any free port). */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  logger?: Logger;
  /** [C] Per-session guest message rate (docs/genesys-protocol.md §5.7: 5/s; 2/s before 2023-12). Default 5. */
  messagesPerSecond?: number;
  /** [I] Whether guest typing/presence events count towards the message rate (default true). */
  rateLimitCountsEvents?: boolean;
  /** [C] Connections per session (default 3). */
  maxConnectionsPerSession?: number;
  /** [C] History calls per minute per session (default 10). */
  historyRequestsPerMinute?: number;
  /**
   * [U] How an unknown deploymentId is refused: `frame` answers configureSession with a 400 string
   * body naming the deployment (default); `handshake` refuses the upgrade with HTTP 404.
   */
  unknownDeploymentRejection?: 'frame' | 'handshake';
  /**
   * [I] How a disallowed Origin is refused: `handshake` refuses the upgrade with HTTP 403 (default,
   * the mobile SDK reports an access-denied handshake); `frame` answers configureSession with 403.
   */
  originRejection?: 'handshake' | 'frame';
  /** [I] Lifetime of a `getJwt` token in seconds (default 3600). */
  jwtLifetimeSeconds?: number;
}

/** An agent as the simulator shows it to the guest (`channel.from`). */
export interface SimulatedAgent {
  nickname: string;
  image?: string;
  firstName?: string;
  lastName?: string;
  id?: string;
}

/** A message of a simulated conversation, either direction. */
export interface SimulatedMessage {
  id: string;
  direction: 'Inbound' | 'Outbound';
  type: 'Text' | 'Structured' | 'Event';
  text: string;
  /** ISO-8601. */
  time: string;
  originatingEntity?: 'Human' | 'Bot';
  from?: SimulatedAgent;
  attachments?: { url: string; filename: string; mime: string }[];
  /** For events: `Typing`, `Presence:Disconnect`, ... */
  events?: string[];
}

/** Why a simulated conversation ended. */
export type SimulatedEndReason = 'agentDisconnected' | 'cleared' | 'expired';

/** A snapshot of a conversation for tests and the agent console. */
export interface SimulatedConversationInfo {
  id: string;
  deploymentId: string;
  /** The guest session token (simulator only: a real Genesys never shows it to agents). */
  sessionToken: string;
  state: 'waiting' | 'active' | 'ended';
  endReason?: SimulatedEndReason;
  agent?: SimulatedAgent;
  messages: SimulatedMessage[];
  customAttributes: Record<string, string>;
  /** Open guest connections of the session right now. */
  connectionCount: number;
  startedAt: string;
}

/** Options of {@link WebMessagingSimulator.agentSay}. */
export interface AgentSayOptions {
  /** `Bot` for an Architect bot flow talking before an agent (default `Human`). */
  originatingEntity?: 'Human' | 'Bot';
  /** Message id (default a random UUID). */
  id?: string;
}

/** Delivery knobs to test ordering and de-duplication. */
export interface DeliveryOptions {
  /** `reverse`/`shuffle`: outbound frames are held for `batchMs` and sent in that order (default `none`). */
  reorder?: 'none' | 'reverse' | 'shuffle';
  /** How long outbound frames are collected when reordering (default 100 ms). */
  batchMs?: number;
  /** Send every outbound message frame twice. */
  duplicate?: boolean;
}

/** Counters of what the simulator answered (tests assert a path was really taken). */
export interface SimulatorStats {
  /** `TooManyRequestsErrorMessage` answers. */
  rateLimited: number;
  /** Client frames answered with 400 "Request failed.". */
  invalidFrames: number;
  /** History REST calls answered 200. */
  historyRequests: number;
  /** Websocket connections accepted. */
  connections: number;
}

/** Events the simulator emits so a UI or a test can follow along. */
export interface WebMessagingSimulatorEvents {
  conversationStarted: [SimulatedConversationInfo];
  conversationEnded: [{ conversationId: string; reason: SimulatedEndReason }];
  guestMessage: [{ conversationId: string; message: SimulatedMessage }];
  guestTyping: [{ conversationId: string }];
  sessionConfigured: [{ sessionToken: string; newSession: boolean; connectionCount: number }];
  /** Anything changed (used by `waitUntil`). */
  changed: [];
}

interface Connection {
  id: number;
  ws: WebSocket;
  deploymentId: string;
  /** The deployment exists but the Origin is not allowed (frame rejection mode). */
  originRefused: boolean;
  token?: string;
}

interface Conversation {
  id: string;
  state: 'waiting' | 'active' | 'ended';
  endReason?: SimulatedEndReason;
  agent?: SimulatedAgent;
  messages: SimulatedMessage[];
  customAttributes: Record<string, string>;
  startedAt: string;
  agentTypingTimes: number[];
}

interface Session {
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

const MAX_TEXT_BYTES = 4096;
const MAX_CUSTOM_ATTRIBUTES_BYTES = 2048;
const AGENT_TYPING_PER_MINUTE = 12;

function send(ws: WebSocket, frame: unknown): void {
  if (ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify(frame));
}

function stringFrame(code: number, body: string, tracingId?: string): Record<string, unknown> {
  return { type: 'response', class: 'string', code, body, ...(tracingId === undefined ? {} : { tracingId }) };
}

function mediaTypeOf(mime: string): string {
  if (mime.startsWith('image/')) return 'Image';
  if (mime.startsWith('video/')) return 'Video';
  if (mime.startsWith('audio/')) return 'Audio';
  return 'File';
}

function rawToString(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  if (Buffer.isBuffer(data)) return data.toString('utf8');
  return Buffer.from(data).toString('utf8');
}

/** A local Genesys Web Messaging Guest API. */
export class WebMessagingSimulator extends EventEmitter<WebMessagingSimulatorEvents> {
  private readonly logger: Logger;
  private readonly server: Server;
  private readonly wss: WebSocketServer;
  private readonly deployments = new Map<string, Required<SimulatedDeployment>>();
  private readonly sessions = new Map<string, Session>();
  /** Every conversation ever started, with its session. */
  private readonly conversations = new Map<string, { session: Session; conversation: Conversation }>();
  private readonly jwts = new Map<string, { token: string; exp: number }>();
  private readonly connections = new Set<Connection>();
  private readonly settings: Required<Omit<WebMessagingSimulatorOptions, 'deployments' | 'logger' | 'port' | 'host'>>;
  private delivery: Required<DeliveryOptions> = { reorder: 'none', batchMs: 100, duplicate: false };
  private batch: { session: Session; frame: Record<string, unknown> }[] = [];
  private batchTimer: NodeJS.Timeout | undefined;
  private nextConnectionId = 1;
  private answerEcho = true;
  private readonly counters: SimulatorStats = { rateLimited: 0, invalidFrames: 0, historyRequests: 0, connections: 0 };
  private listeningPort = 0;

  constructor(private readonly options: WebMessagingSimulatorOptions) {
    super();
    if (!Array.isArray(options.deployments) || options.deployments.length === 0)
      throw new Error('WebMessagingSimulator: option deployments needs at least one deployment');
    this.logger = (options.logger ?? createSilentLogger()).child({ module: 'simulator.webmessaging' });
    for (const d of options.deployments) {
      this.deployments.set(d.id, {
        id: d.id,
        allowedOrigins: d.allowedOrigins ?? [],
        conversationDisconnect: d.conversationDisconnect ?? 'off',
        conversationClear: d.conversationClear ?? false,
        sessionDurationSeconds: d.sessionDurationSeconds ?? 259_200,
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
    };
    this.wss = new WebSocketServer({ noServer: true });
    this.wss.on('error', (err) => {
      this.logger.warn({ err }, 'websocket server error');
    });
    this.server = createServer((req, res) => {
      this.handleHttp(req, res);
    });
    this.server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      this.handleUpgrade(req, socket, head);
    });
  }

  /** Starts listening; resolves with the port. */
  async start(): Promise<number> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.options.port ?? 0, this.options.host ?? '127.0.0.1', () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    const address: AddressInfo | string | null = this.server.address();
    if (address === null || typeof address === 'string')
      throw new Error('WebMessagingSimulator: server is not listening on a TCP port');
    this.listeningPort = address.port;
    return this.listeningPort;
  }

  /** Stops: drops every socket, clears timers, closes the server. */
  async stop(): Promise<void> {
    if (this.batchTimer !== undefined) clearTimeout(this.batchTimer);
    for (const session of this.sessions.values())
      if (session.expiryTimer !== undefined) clearTimeout(session.expiryTimer);
    for (const connection of this.connections) connection.ws.terminate();
    this.connections.clear();
    await new Promise<void>((resolve) => {
      this.wss.close(() => {
        resolve();
      });
    });
    await new Promise<void>((resolve) => {
      this.server.close(() => {
        resolve();
      });
      this.server.closeAllConnections();
    });
  }

  /** The port the simulator listens on. */
  get port(): number {
    return this.listeningPort;
  }

  /** `ws://host:port/v1`. */
  get webMessagingUrl(): string {
    return `ws://${this.options.host ?? '127.0.0.1'}:${this.listeningPort}/v1`;
  }

  /** `http://host:port`: base of the history REST endpoint. */
  get apiUrl(): string {
    return `http://${this.options.host ?? '127.0.0.1'}:${this.listeningPort}`;
  }

  /** A copy of the counters. */
  get stats(): SimulatorStats {
    return { ...this.counters };
  }

  /** Changes delivery knobs (ordering and duplicates) for all later outbound frames. */
  setDelivery(options: DeliveryOptions): void {
    this.delivery = { ...this.delivery, ...options };
  }

  /** Fault injection: leave `echo` health checks unanswered (a stalled server). */
  setAnswerEcho(answer: boolean): void {
    this.answerEcho = answer;
  }

  /** Changes the per-session guest message rate. */
  setMessagesPerSecond(perSecond: number): void {
    this.settings.messagesPerSecond = perSecond;
  }

  // ---------------------------------------------------------------- agent-side control API

  /** Every conversation, oldest first. */
  listConversations(): SimulatedConversationInfo[] {
    const all: SimulatedConversationInfo[] = [];
    for (const id of this.conversations.keys()) {
      const info = this.getConversation(id);
      if (info !== undefined) all.push(info);
    }
    return all;
  }

  /** A snapshot of one conversation, or undefined. */
  getConversation(conversationId: string): SimulatedConversationInfo | undefined {
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

  /** Number of open guest connections of a session token. */
  connectionCount(sessionToken: string): number {
    return this.sessions.get(sessionToken)?.connections.length ?? 0;
  }

  /** Resolves with the first conversation (existing or future) that matches. */
  waitForConversation(
    predicate: (c: SimulatedConversationInfo) => boolean = () => true,
    timeoutMs = 5000,
  ): Promise<SimulatedConversationInfo> {
    return this.waitUntil(() => this.listConversations().find(predicate), timeoutMs, 'conversation');
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
        reject(new Error(`WebMessagingSimulator: timed out after ${timeoutMs} ms waiting for ${what}`));
      }, timeoutMs);
      this.on('changed', onChange);
    });
  }

  /** An agent accepts the conversation. Genesys tells the guest nothing until the agent types or writes. */
  agentJoin(conversationId: string, agent: SimulatedAgent): void {
    const { conversation } = this.requireLive(conversationId);
    conversation.agent = { ...agent };
    conversation.state = 'active';
    this.emit('changed');
  }

  /**
   * The agent (or, with `originatingEntity: 'Bot'`, a bot flow) writes. Delivered to every open
   * connection of the session; with none open it is only in history. Returns the message id.
   */
  agentSay(conversationId: string, text: string, options: AgentSayOptions = {}): string {
    return this.outboundText(conversationId, text, options, []);
  }

  /** The agent sends a file, as a link (`content[]` Attachment). Returns the message id. */
  agentSendAttachment(conversationId: string, url: string, filename: string, mime: string, text = ''): string {
    return this.outboundText(conversationId, text, {}, [{ url, filename, mime }]);
  }

  /**
   * The agent types: an Outbound Typing event with `duration` 5000 [C]. Returns false (and sends
   * nothing) past the agent-side limit of 12 per minute [C].
   */
  agentTyping(conversationId: string): boolean {
    const { session, conversation } = this.requireLive(conversationId);
    const agent = this.requireAgent(conversation, 'Human');
    const now = Date.now();
    conversation.agentTypingTimes = conversation.agentTypingTimes.filter((t) => now - t < 60_000);
    if (conversation.agentTypingTimes.length >= AGENT_TYPING_PER_MINUTE) return false;
    conversation.agentTypingTimes.push(now);
    const body = {
      id: randomUUID(),
      channel: { time: this.nextTime(session), type: 'Private', from: this.partyOf(agent) },
      type: 'Event',
      events: [{ eventType: 'Typing', typing: { type: 'On', duration: 5000 } }],
      direction: 'Outbound',
      originatingEntity: 'Human',
    };
    this.deliver(session, { type: 'message', class: 'StructuredMessage', code: 200, body });
    return true;
  }

  /**
   * The agent ends the conversation. [C] The guest gets a Presence Disconnect only when the
   * deployment's Conversation Disconnect is enabled; `ReadOnly` also makes the session read-only.
   */
  agentDisconnect(conversationId: string): void {
    const { session, conversation } = this.requireLive(conversationId);
    const mode = session.deployment.conversationDisconnect;
    if (mode !== 'off') {
      const readOnly = mode === 'ReadOnly';
      const time = this.nextTime(session);
      const body = {
        id: randomUUID(),
        channel: {
          time,
          type: 'Private',
          ...(conversation.agent === undefined ? {} : { from: this.partyOf(conversation.agent) }),
        },
        type: 'Event',
        events: [{ eventType: 'Presence', presence: { type: 'Disconnect' } }],
        metadata: { readOnly: String(readOnly) },
        direction: 'Outbound',
        originatingEntity: 'Human',
      };
      session.readOnly = readOnly;
      // [I] presence events are kept in history so a reconnecting client can learn of the disconnect.
      session.history.push(body);
      conversation.messages.push({
        id: body.id,
        direction: 'Outbound',
        type: 'Event',
        text: '',
        time,
        events: ['Presence:Disconnect'],
      });
      this.deliver(session, { type: 'message', class: 'StructuredMessage', code: 200, body });
    }
    this.endConversation(conversation, 'agentDisconnected');
  }

  /** Expires the session now: [C] `SessionExpiredEvent` to every connection, later requests get 4006. */
  expireSession(conversationId: string): void {
    const session = this.sessionOf(conversationId);
    this.expire(session);
  }

  /** Terminates every socket of the session (the guest sees close code 1006). */
  dropConnections(conversationId: string): void {
    const session = this.sessionOf(conversationId);
    for (const connection of [...session.connections]) connection.ws.terminate();
  }

  /** Sends raw text to every connection of the session (malformed-frame tests). */
  sendRaw(conversationId: string, data: string): void {
    const session = this.sessionOf(conversationId);
    for (const connection of session.connections)
      if (connection.ws.readyState === WebSocket.OPEN) connection.ws.send(data);
  }

  // ---------------------------------------------------------------- websocket side

  private handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    socket.on('error', (err) => {
      this.logger.debug({ err }, 'upgrade socket error');
    });
    const url = new URL(req.url ?? '/', 'http://simulator');
    const refuse = (status: number, text: string): void => {
      socket.write(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
      socket.destroy();
    };
    if (url.pathname !== '/v1') {
      refuse(404, 'Not Found');
      return;
    }
    const deploymentId = url.searchParams.get('deploymentId') ?? '';
    if (deploymentId.length === 0) {
      refuse(400, 'Bad Request');
      return;
    }
    const deployment = this.deployments.get(deploymentId);
    if (deployment === undefined && this.settings.unknownDeploymentRejection === 'handshake') {
      refuse(404, 'Not Found');
      return;
    }
    const origin = req.headers.origin;
    const originRefused =
      deployment !== undefined &&
      deployment.allowedOrigins.length > 0 &&
      (origin === undefined || !deployment.allowedOrigins.includes(origin));
    if (originRefused && this.settings.originRejection === 'handshake') {
      refuse(403, 'Forbidden');
      return;
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      const connection: Connection = { id: this.nextConnectionId++, ws, deploymentId, originRefused };
      this.counters.connections++;
      this.connections.add(connection);
      ws.on('error', (err) => {
        this.logger.debug({ err, connection: connection.id }, 'guest socket error');
      });
      ws.on('message', (data, isBinary) => {
        if (isBinary) {
          this.counters.invalidFrames++;
          send(ws, stringFrame(400, 'Request failed.'));
          return;
        }
        try {
          this.handleFrame(connection, rawToString(data));
        } catch (err) {
          this.logger.error({ err }, 'simulator failed to handle a frame');
          send(ws, stringFrame(500, 'Internal server error'));
        }
      });
      ws.on('close', () => {
        this.detachConnection(connection);
        this.connections.delete(connection);
      });
    });
  }

  private handleFrame(connection: Connection, raw: string): void {
    const parsed = parseGuestRequest(raw);
    if (!parsed.ok) {
      this.logger.debug({ reason: parsed.reason }, 'invalid guest frame');
      this.counters.invalidFrames++;
      send(connection.ws, stringFrame(400, 'Request failed.', parsed.tracingId));
      return;
    }
    const request = parsed.request;
    switch (request.action) {
      case 'configureSession':
        this.configureSession(connection, request);
        return;
      case 'configureAuthenticatedSession':
        // Authenticated sessions are outside the simulator's scope.
        send(connection.ws, stringFrame(4000, 'Feature unavailable', request.tracingId));
        return;
      case 'getConfiguration': {
        const deployment = this.deployments.get(request.deploymentId);
        if (deployment === undefined) {
          send(connection.ws, stringFrame(400, `Invalid deploymentId ${request.deploymentId}`, request.tracingId));
          return;
        }
        send(connection.ws, {
          type: 'response',
          class: 'GetConfigurationResponse',
          code: 200,
          body: {
            maxCustomDataBytes: MAX_CUSTOM_ATTRIBUTES_BYTES,
            messageRoutingEnabled: true,
            sessionDurationSeconds: deployment.sessionDurationSeconds,
          },
          ...(request.tracingId === undefined ? {} : { tracingId: request.tracingId }),
        });
        return;
      }
      default:
        break;
    }
    const session = this.sessions.get(request.token);
    if (session === undefined || connection.token !== request.token) {
      // [I] a request on a token this connection has not configured.
      send(connection.ws, stringFrame(4007, 'Session not found', request.tracingId));
      return;
    }
    if (session.expired) {
      send(connection.ws, stringFrame(4006, 'Session expired', request.tracingId));
      return;
    }
    switch (request.action) {
      case 'onMessage':
        this.onMessage(connection, session, request.message, request.tracingId);
        return;
      case 'echo':
        if (!this.answerEcho) return;
        send(connection.ws, {
          type: 'response',
          class: 'StructuredMessage',
          code: 200,
          body: {
            id: randomUUID(),
            type: 'Text',
            text: 'ping',
            direction: 'Inbound',
            channel: { time: new Date().toISOString() },
          },
          ...(request.tracingId === undefined ? {} : { tracingId: request.tracingId }),
        });
        return;
      case 'getJwt': {
        const jwt = `sim.${randomUUID()}`;
        const exp = Math.floor(Date.now() / 1000) + this.settings.jwtLifetimeSeconds;
        this.jwts.set(jwt, { token: session.token, exp });
        send(connection.ws, {
          type: 'response',
          class: 'JwtResponse',
          code: 200,
          body: { jwt, exp },
          ...(request.tracingId === undefined ? {} : { tracingId: request.tracingId }),
        });
        return;
      }
      case 'closeSession':
        if (request.closeAllConnections) {
          for (const other of session.connections.filter((c) => c !== connection))
            this.closeConnection(other, 'closeSession');
        }
        send(connection.ws, {
          type: 'response',
          class: 'SessionResponse',
          code: 200,
          body: { connected: false },
          ...(request.tracingId === undefined ? {} : { tracingId: request.tracingId }),
        });
        return;
      default:
        return;
    }
  }

  private configureSession(
    connection: Connection,
    request: Extract<GuestRequest, { action: 'configureSession' }>,
  ): void {
    const tracingId = request.tracingId;
    const deployment = this.deployments.get(request.deploymentId);
    if (deployment === undefined || request.deploymentId !== connection.deploymentId) {
      // [U] the real answer to an unknown deployment is not documented.
      send(
        connection.ws,
        stringFrame(400, `Invalid deploymentId ${request.deploymentId}: deployment not found`, tracingId),
      );
      return;
    }
    if (connection.originRefused) {
      send(connection.ws, stringFrame(403, 'HTTP authorization error', tracingId));
      return;
    }
    let session = this.sessions.get(request.token);
    if (session?.expired === true) {
      // [I] docs/genesys-protocol.md §5.8: an expired session answers 4006.
      send(connection.ws, stringFrame(4006, 'Session expired', tracingId));
      return;
    }
    let newSession = false;
    if (session === undefined) {
      session = {
        token: request.token,
        deployment,
        connections: [],
        history: [],
        readOnly: false,
        expired: false,
        expiresAt: 0,
        messageTimes: [],
        historyTimes: [],
        lastTime: 0,
      };
      this.sessions.set(request.token, session);
      this.touch(session);
      newSession = true;
    } else if (request.startNew && session.readOnly) {
      // [C] a read-only session is restarted with startNew.
      session.readOnly = false;
    }
    if (connection.token !== undefined && connection.token !== request.token) this.detachConnection(connection);
    if (!session.connections.includes(connection)) session.connections.push(connection);
    connection.token = request.token;
    // [C] at most 3 connections per session: a new one closes the oldest.
    while (session.connections.length > this.settings.maxConnectionsPerSession) {
      const oldest = session.connections.shift();
      if (oldest === undefined) break;
      this.closeConnection(oldest, 'maxConnectionsReached');
    }
    send(connection.ws, {
      type: 'response',
      class: 'SessionResponse',
      code: 200,
      body: {
        connected: true,
        newSession,
        readOnly: session.readOnly,
        clearedExistingSession: false,
        maxCustomDataBytes: MAX_CUSTOM_ATTRIBUTES_BYTES,
        durationSeconds: deployment.sessionDurationSeconds,
        expirationDate: Math.floor(session.expiresAt / 1000),
      },
      ...(tracingId === undefined ? {} : { tracingId }),
    });
    this.emit('sessionConfigured', {
      sessionToken: session.token,
      newSession,
      connectionCount: session.connections.length,
    });
    this.emit('changed');
  }

  private onMessage(
    connection: Connection,
    session: Session,
    message: GuestMessage,
    tracingId: string | undefined,
  ): void {
    const counts = message.type !== 'Event' || this.settings.rateLimitCountsEvents;
    if (counts) {
      const now = Date.now();
      session.messageTimes = session.messageTimes.filter((t) => now - t < 1000);
      if (session.messageTimes.length >= this.settings.messagesPerSecond) {
        const oldest = session.messageTimes[0] ?? now;
        // [C] retryAfter in seconds; [I] rounded up to whole seconds.
        const retryAfter = Math.max(1, Math.ceil((oldest + 1000 - now) / 1000));
        this.counters.rateLimited++;
        send(connection.ws, {
          type: 'response',
          class: 'TooManyRequestsErrorMessage',
          code: 429,
          body: { retryAfter, errorCode: 4029, errorMessage: 'Message rate too high for this session' },
          ...(tracingId === undefined ? {} : { tracingId }),
        });
        return;
      }
      session.messageTimes.push(now);
    }
    if (message.type === 'Event') {
      this.onGuestEvents(connection, session, message.events, tracingId);
      return;
    }
    const bytes = Buffer.byteLength(message.text, 'utf8');
    if (bytes > MAX_TEXT_BYTES) {
      send(connection.ws, stringFrame(4011, `Message length ${bytes} is larger than ${MAX_TEXT_BYTES}`, tracingId));
      return;
    }
    let attributes: Record<string, string> | undefined;
    if (message.customAttributes !== undefined) {
      attributes = {};
      for (const [key, value] of Object.entries(message.customAttributes)) {
        if (typeof value !== 'string') {
          send(connection.ws, stringFrame(400, 'Request failed.', tracingId));
          return;
        }
        attributes[key] = value;
      }
      // [I] measured as the UTF-8 length of the JSON object.
      if (Buffer.byteLength(JSON.stringify(attributes), 'utf8') > MAX_CUSTOM_ATTRIBUTES_BYTES) {
        send(
          connection.ws,
          stringFrame(
            4013,
            `Custom Attributes in channel metadata is larger than ${MAX_CUSTOM_ATTRIBUTES_BYTES} bytes`,
            tracingId,
          ),
        );
        return;
      }
    }
    if (session.readOnly) {
      // [U] the answer to a message on a read-only session is not documented.
      send(connection.ws, stringFrame(403, 'Conversation is read-only', tracingId));
      return;
    }
    this.touch(session);
    // [C] Genesys routes (creates) the conversation on the first message of a session.
    let conversation = session.conversation;
    let started = false;
    if (conversation === undefined || conversation.state === 'ended') {
      conversation = {
        id: randomUUID(),
        state: 'waiting',
        messages: [],
        customAttributes: {},
        startedAt: new Date().toISOString(),
        agentTypingTimes: [],
      };
      session.conversation = conversation;
      this.conversations.set(conversation.id, { session, conversation });
      started = true;
    }
    if (attributes !== undefined) Object.assign(conversation.customAttributes, attributes);
    const time = this.nextTime(session);
    const id = randomUUID();
    const body: Record<string, unknown> = {
      id,
      channel: { time, messageId: id, type: 'Private' },
      type: message.type,
      text: message.text,
      direction: 'Inbound',
      ...(message.content.length > 0 ? { content: message.content } : {}),
    };
    session.history.push(body);
    const simulated: SimulatedMessage = { id, direction: 'Inbound', type: message.type, text: message.text, time };
    conversation.messages.push(simulated);
    if (started) this.emit('conversationStarted', this.requireInfo(conversation.id));
    // [C] the message is echoed (direction Inbound) with the request's tracingId to every connection.
    this.broadcast(session, {
      type: 'message',
      class: 'StructuredMessage',
      code: 200,
      body,
      ...(tracingId === undefined ? {} : { tracingId }),
    });
    this.emit('guestMessage', { conversationId: conversation.id, message: { ...simulated } });
    this.emit('changed');
  }

  private onGuestEvents(
    connection: Connection,
    session: Session,
    events: { eventType: string; typingType?: string; presenceType?: string }[],
    tracingId: string | undefined,
  ): void {
    for (const event of events) {
      if (event.eventType === 'Presence' && event.presenceType === 'Clear') {
        if (!session.deployment.conversationClear) {
          // [C] Clear needs Conversation Clear enabled in the Messenger configuration.
          send(connection.ws, stringFrame(403, 'Presence events Conversation Clear are not supported', tracingId));
          return;
        }
        this.clearSession(session);
        return;
      }
    }
    const conversation = session.conversation;
    const body = {
      id: randomUUID(),
      channel: { time: this.nextTime(session), type: 'Private' },
      type: 'Event',
      events: events.map((e) =>
        e.eventType === 'Typing'
          ? { eventType: 'Typing', typing: { type: e.typingType ?? 'On' } }
          : { eventType: 'Presence', presence: { type: e.presenceType ?? 'Join' } },
      ),
      direction: 'Inbound',
    };
    // [I] guest events are echoed like messages.
    this.broadcast(session, {
      type: 'message',
      class: 'StructuredMessage',
      code: 200,
      body,
      ...(tracingId === undefined ? {} : { tracingId }),
    });
    if (conversation !== undefined && conversation.state !== 'ended' && events.some((e) => e.eventType === 'Typing')) {
      this.emit('guestTyping', { conversationId: conversation.id });
      this.emit('changed');
    }
  }

  /** [C] Presence Clear: `SessionClearedEvent`, then `ConnectionClosedEvent`, and the conversation ends. */
  private clearSession(session: Session): void {
    const conversation = session.conversation;
    this.broadcast(session, { type: 'message', class: 'SessionClearedEvent', code: 200, body: {} });
    for (const connection of [...session.connections]) this.closeConnection(connection, 'sessionCleared');
    if (session.expiryTimer !== undefined) clearTimeout(session.expiryTimer);
    // [I] the token is forgotten: configuring it again starts a fresh session.
    this.sessions.delete(session.token);
    if (conversation !== undefined && conversation.state !== 'ended') this.endConversation(conversation, 'cleared');
    this.emit('changed');
  }

  private expire(session: Session): void {
    if (session.expired) return;
    session.expired = true;
    if (session.expiryTimer !== undefined) clearTimeout(session.expiryTimer);
    this.broadcast(session, { type: 'message', class: 'SessionExpiredEvent', code: 200, body: {} });
    const conversation = session.conversation;
    if (conversation !== undefined && conversation.state !== 'ended') this.endConversation(conversation, 'expired');
    this.emit('changed');
  }

  private touch(session: Session): void {
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

  private closeConnection(connection: Connection, reason: string): void {
    send(connection.ws, { type: 'message', class: 'ConnectionClosedEvent', code: 200, body: { reason } });
    this.detachConnection(connection);
    connection.ws.close(1000, reason);
  }

  private detachConnection(connection: Connection): void {
    if (connection.token === undefined) return;
    const session = this.sessions.get(connection.token);
    if (session !== undefined) session.connections = session.connections.filter((c) => c !== connection);
    connection.token = undefined;
    this.emit('changed');
  }

  private broadcast(session: Session, frame: Record<string, unknown>): void {
    for (const connection of session.connections) send(connection.ws, frame);
  }

  /** Sends an outbound frame, honouring the delivery knobs. */
  private deliver(session: Session, frame: Record<string, unknown>): void {
    const frames = this.delivery.duplicate ? [frame, frame] : [frame];
    if (this.delivery.reorder === 'none') {
      for (const f of frames) this.broadcast(session, f);
      return;
    }
    for (const f of frames) this.batch.push({ session, frame: f });
    this.batchTimer ??= setTimeout(() => {
      this.batchTimer = undefined;
      const batch = this.batch;
      this.batch = [];
      if (this.delivery.reorder === 'reverse') batch.reverse();
      else {
        for (let i = batch.length - 1; i > 0; i--) {
          const j = Math.floor(Math.random() * (i + 1));
          const held = batch[i];
          const other = batch[j];
          if (held === undefined || other === undefined) continue;
          batch[i] = other;
          batch[j] = held;
        }
      }
      for (const item of batch) this.broadcast(item.session, item.frame);
    }, this.delivery.batchMs);
  }

  private outboundText(
    conversationId: string,
    text: string,
    options: AgentSayOptions,
    attachments: { url: string; filename: string; mime: string }[],
  ): string {
    const { session, conversation } = this.requireLive(conversationId);
    const entity = options.originatingEntity ?? 'Human';
    const agent = this.requireAgent(conversation, entity);
    const id = options.id ?? randomUUID();
    const time = this.nextTime(session);
    const body: Record<string, unknown> = {
      id,
      channel: { time, messageId: id, type: 'Private', from: this.partyOf(agent) },
      type: 'Text',
      text,
      direction: 'Outbound',
      originatingEntity: entity,
      ...(attachments.length > 0
        ? {
            content: attachments.map((a) => ({
              contentType: 'Attachment',
              attachment: {
                id: randomUUID(),
                url: a.url,
                filename: a.filename,
                mime: a.mime,
                mediaType: mediaTypeOf(a.mime),
              },
            })),
          }
        : {}),
    };
    session.history.push({ ...body, status: 'Delivered' });
    const message: SimulatedMessage = {
      id,
      direction: 'Outbound',
      type: 'Text',
      text,
      time,
      originatingEntity: entity,
      from: { ...agent },
    };
    if (attachments.length > 0) message.attachments = attachments.map((a) => ({ ...a }));
    conversation.messages.push(message);
    this.touch(session);
    this.deliver(session, { type: 'message', class: 'StructuredMessage', code: 200, body });
    this.emit('changed');
    return id;
  }

  private partyOf(agent: SimulatedAgent): Record<string, string> {
    const party: Record<string, string> = { nickname: agent.nickname };
    if (agent.id !== undefined) party.id = agent.id;
    if (agent.image !== undefined) party.image = agent.image;
    if (agent.firstName !== undefined) party.firstName = agent.firstName;
    if (agent.lastName !== undefined) party.lastName = agent.lastName;
    return party;
  }

  private requireAgent(conversation: Conversation, entity: 'Human' | 'Bot'): SimulatedAgent {
    if (entity === 'Bot') return { nickname: 'Bot' };
    if (conversation.agent === undefined)
      throw new Error(`WebMessagingSimulator: no agent has joined conversation ${conversation.id}`);
    return conversation.agent;
  }

  /** Strictly increasing ISO times per session, so ordering by `channel.time` is well defined. */
  private nextTime(session: Session): string {
    const now = Math.max(Date.now(), session.lastTime + 1);
    session.lastTime = now;
    return new Date(now).toISOString();
  }

  private endConversation(conversation: Conversation, reason: SimulatedEndReason): void {
    conversation.state = 'ended';
    conversation.endReason = reason;
    this.emit('conversationEnded', { conversationId: conversation.id, reason });
    this.emit('changed');
  }

  private requireLive(conversationId: string): { session: Session; conversation: Conversation } {
    const entry = this.conversations.get(conversationId);
    if (entry === undefined) throw new Error(`WebMessagingSimulator: unknown conversation ${conversationId}`);
    const { session, conversation } = entry;
    if (conversation.state === 'ended')
      throw new Error(`WebMessagingSimulator: conversation ${conversationId} has ended`);
    return { session, conversation };
  }

  private requireInfo(conversationId: string): SimulatedConversationInfo {
    const info = this.getConversation(conversationId);
    if (info === undefined) throw new Error(`WebMessagingSimulator: unknown conversation ${conversationId}`);
    return info;
  }

  private sessionOf(conversationId: string): Session {
    const entry = this.conversations.get(conversationId);
    if (entry === undefined) throw new Error(`WebMessagingSimulator: unknown conversation ${conversationId}`);
    return entry.session;
  }

  // ---------------------------------------------------------------- REST side

  private handleHttp(req: IncomingMessage, res: ServerResponse): void {
    const json = (status: number, body: unknown, headers: Record<string, string> = {}): void => {
      res.writeHead(status, { 'content-type': 'application/json', ...headers });
      res.end(JSON.stringify(body));
    };
    const url = new URL(req.url ?? '/', 'http://simulator');
    if (req.method !== 'GET' || url.pathname !== '/api/v2/webmessaging/messages') {
      json(404, { message: 'Resource not found', code: 'not.found', status: 404 });
      return;
    }
    const auth = req.headers.authorization ?? '';
    const match = /^bearer\s+(\S+)$/i.exec(auth);
    const grant = match?.[1] === undefined ? undefined : this.jwts.get(match[1]);
    const session = grant === undefined ? undefined : this.sessions.get(grant.token);
    if (grant === undefined || session === undefined || grant.exp * 1000 < Date.now()) {
      json(401, { message: 'Authentication failed', code: 'authentication.required', status: 401 });
      return;
    }
    const now = Date.now();
    session.historyTimes = session.historyTimes.filter((t) => now - t < 60_000);
    if (session.historyTimes.length >= this.settings.historyRequestsPerMinute) {
      const oldest = session.historyTimes[0] ?? now;
      const retryAfter = Math.max(1, Math.ceil((oldest + 60_000 - now) / 1000));
      json(
        429,
        { message: 'Rate limit exceeded', code: 'too.many.requests', status: 429 },
        { 'retry-after': String(retryAfter) },
      );
      return;
    }
    session.historyTimes.push(now);
    this.counters.historyRequests++;
    const pageSize = Math.min(100, Math.max(1, Number.parseInt(url.searchParams.get('pageSize') ?? '25', 10) || 25));
    const pageNumber = Math.max(1, Number.parseInt(url.searchParams.get('pageNumber') ?? '1', 10) || 1);
    // [C] newest first.
    const newestFirst = [...session.history].reverse();
    const total = newestFirst.length;
    const entities = newestFirst.slice((pageNumber - 1) * pageSize, pageNumber * pageSize);
    json(200, { entities, pageSize, pageNumber, total, pageCount: Math.ceil(total / pageSize) });
  }
}
