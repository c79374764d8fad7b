import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import WebSocket, { WebSocketServer } from 'ws';
import {
  isWebChatBodyType,
  type ErrorBody,
  type WebChatMemberInfo,
  type WebChatMemberRole,
  type WebChatMemberState,
  type WebChatMessage,
  type WebChatTyping,
} from '../genesys/guestChat/guestChatModels';
import { isRecord } from '../json';
import { createSilentLogger, type Logger } from '../logger';
import { conversationStateError, errorBody, notFoundError } from './guestChat/guestChatSimErrors';
import { decodeGuestChatJwt, issueGuestChatJwt } from './guestChat/guestChatSimJwt';

/** Organization id the simulator knows unless told otherwise. */
export const SIMULATOR_ORGANIZATION_ID = '5a1b2c3d-0000-4000-8000-000000000001';
/** Enabled, anonymous deployment the simulator knows unless told otherwise. */
export const SIMULATOR_DEPLOYMENT_ID = '5a1b2c3d-0000-4000-8000-0000000000d1';
/** Queue name the simulator knows unless told otherwise. */
export const SIMULATOR_QUEUE_NAME = 'Support';

const API_PREFIX = '/api/v2/webchat/';
const CONVERSATIONS_PATH = '/api/v2/webchat/guest/conversations';
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const MAX_REQUEST_BYTES = 1_000_000;

/** A web chat deployment known to the simulator. */
export interface GuestChatSimDeployment {
  id: string;
  /** Default true; false answers `400 chat.deployment.disabled`. */
  enabled?: boolean;
  /** "Require Authentication": create without a token gives `chat.deployment.require.auth`. */
  requireAuth?: boolean;
  /** `memberAuthToken`s accepted; any other gives `chat.deployment.bad.auth`. */
  acceptedAuthTokens?: readonly string[];
  /** When set, a create whose `Origin` is absent or not listed gives `403 origin.not.allowed`. */
  allowedOrigins?: readonly string[];
}

/** Options of a {@link GuestChatSimulator}. */
export interface GuestChatSimulatorOptions {
  organizationId?: string;
  deployments?: readonly GuestChatSimDeployment[];
  /** Queue **names** a `routingTarget.targetAddress` may name. */
  queues?: readonly string[];
  /** JWT lifetime; default about 22 h ([O] docs/genesys-protocol.md §3.2: `exp - iat` was 78,761 s). */
  jwtLifetimeMs?: number;
  /**
   * `channel.metadata` heartbeat interval per socket; 0 disables. Default 30 s.
   * [U] docs/genesys-protocol.md §3.7: the guest stream's cadence is unknown; 30 s is the notification service's.
   */
  heartbeatIntervalMs?: number;
  /** Every `/api/v2/webchat/...` path answers `404 not.found` ([I] docs/genesys-protocol.md §3.10). */
  retired?: boolean;
  /** Every agent `member-change CONNECTED` is sent twice, differing only in `CorrelationId` ([O] docs/genesys-protocol.md §3.7). */
  duplicateMemberChange?: boolean;
  /** Answer `{"message":"ping"}` with a `channel.metadata` `pong`. [U] docs/genesys-protocol.md §3.7; default true. */
  answerPing?: boolean;
  /** Close the stream (1000) when the chat ends. [U] docs/genesys-protocol.md §3.7; default false. */
  closeSocketOnEnd?: boolean;
  /** Send the guest's `member-change CONNECTED` on every stream connection ([I] docs/genesys-protocol.md §3.10); default true. */
  emitGuestConnectedOnConnect?: boolean;
  /**
   * Longest accepted message body, in code points (default 4,000, docs/genesys-protocol.md §3.3 [C]). Over it: `400
   * constraint.validation` ([U] code, [I] docs/genesys-protocol.md §3.10). Whether Genesys counts UTF-16 units is [U].
   */
  maxBodyChars?: number;
  /** Clock, injected for expiry tests. */
  now?: () => number;
  logger?: Logger;
}

/** A failure the simulator answers instead of handling the next matching request(s). */
export interface GuestChatSimFault {
  status: 429 | 500 | 502 | 503 | 504;
  /** How many matching requests fail (default 1). */
  times?: number;
  /** For 429: sent as `Retry-After` and in a `too.many.requests.retry.after` body. */
  retryAfterSeconds?: number;
  /** For 429 with `retryAfterSeconds`: false leaves the wait in the body only (default true). */
  retryAfterHeader?: boolean;
  /** Only requests with this method (default any). */
  method?: string;
  /** Only paths containing this (default any `/api/v2/` path). */
  pathIncludes?: string;
  /** Overrides the Genesys error code. */
  code?: string;
}

/** One request the simulator answered (for tests: what was sent, when). */
export interface GuestChatSimRequest {
  method: string;
  path: string;
  status: number;
  conversationId: string | undefined;
  /** Whether the conversation's event stream had ever been attached when the request arrived. */
  streamAttached: boolean;
  at: number;
}

/** Where a conversation is in its life. */
export type GuestChatSimConversationState = 'pending' | 'active' | 'ended';

/** A snapshot of one simulated conversation (copies; changing it changes nothing). */
export interface GuestChatSimConversation {
  id: string;
  deploymentId: string;
  /** `pending` until the event stream is first attached (not routed), `active` after, `ended` at the end. */
  state: GuestChatSimConversationState;
  routingTarget: {
    targetType: string;
    targetAddress: string;
    skills: string[];
    language: string | undefined;
    priority: number | undefined;
  };
  guest: WebChatMemberInfo;
  /** The guest's `memberInfo.customFields`. */
  customFields: Record<string, string>;
  members: WebChatMemberInfo[];
  /** Every message in order, including member-join / member-leave. */
  messages: WebChatMessage[];
  /** The agent currently connected, if any. */
  currentAgentId: string | undefined;
  connectedSockets: number;
  endedBy: 'guest' | 'agent' | undefined;
}

/** Events of a {@link GuestChatSimulator}. */
export interface GuestChatSimulatorEvents {
  conversationStarted: [conversation: GuestChatSimConversation];
  guestMessage: [event: { conversationId: string; message: WebChatMessage }];
  guestTyping: [event: { conversationId: string; typing: WebChatTyping }];
  conversationEnded: [event: { conversationId: string; by: 'guest' | 'agent' }];
}

/** How an agent appears when joining. */
export interface SimAgentProfile {
  displayName: string;
  firstName?: string;
  lastName?: string;
  avatarImageUrl?: string;
  /** An ACD member holds the chat first, then leaves once the agent connected (docs/genesys-protocol.md §3.8 step 3). */
  viaAcd?: boolean;
}

interface SimConversation {
  id: string;
  deploymentId: string;
  jwt: string;
  guestId: string;
  state: GuestChatSimConversationState;
  routingTarget: GuestChatSimConversation['routingTarget'];
  members: Map<string, WebChatMemberInfo>;
  messages: WebChatMessage[];
  sockets: Set<WebSocket>;
  currentAgentId: string | undefined;
  endedBy: 'guest' | 'agent' | undefined;
}

interface HttpAnswer {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

class HttpProblem extends Error {
  constructor(readonly answer: HttpAnswer) {
    super(`HTTP ${answer.status}`);
  }
}

function fail(body: ErrorBody, headers?: Record<string, string>): never {
  throw new HttpProblem(headers === undefined ? { status: body.status, body } : { status: body.status, body, headers });
}

function codePointLength(text: string): number {
  let n = 0;
  for (const _ of text) n++;
  return n;
}

/**
 * A local, faithful stand-in for Genesys Cloud's Guest Chat v2 API (docs/genesys-protocol.md §3, simulator notes §3.10):
 * REST and the event stream websocket on one `http.Server`, plus an in-process agent control API.
 *
 * Behaviour tagged [C]/[O] in docs/genesys-protocol.md is reproduced as documented; [I]/[U] behaviour is
 * configurable through {@link GuestChatSimulatorOptions} and noted where it is implemented.
 */
export class GuestChatSimulator extends EventEmitter<GuestChatSimulatorEvents> {
  private readonly server: Server;
  private readonly wss = new WebSocketServer({ noServer: true });
  private readonly conversationsById = new Map<string, SimConversation>();
  private readonly issuedJwts = new Map<string, string>();
  private readonly heartbeats = new Map<WebSocket, NodeJS.Timeout>();
  private readonly faults: (GuestChatSimFault & { remaining: number })[] = [];
  private readonly requestLog: GuestChatSimRequest[] = [];
  private readonly logger: Logger;
  private readonly now: () => number;
  private readonly organizationId: string;
  private readonly deployments: Map<string, GuestChatSimDeployment>;
  private readonly queues: Set<string>;
  private readonly options: GuestChatSimulatorOptions;
  private retired: boolean;
  private duplicateConnected: boolean;
  private baseUrl: string | undefined;
  private wsBaseUrl: string | undefined;

  constructor(options: GuestChatSimulatorOptions = {}) {
    super();
    this.options = options;
    this.logger = (options.logger ?? createSilentLogger()).child({ module: 'simulator.guestchat' });
    this.now = options.now ?? Date.now;
    this.organizationId = options.organizationId ?? SIMULATOR_ORGANIZATION_ID;
    const deployments = options.deployments ?? [{ id: SIMULATOR_DEPLOYMENT_ID }];
    this.deployments = new Map(deployments.map((d) => [d.id.toLowerCase(), d]));
    this.queues = new Set(options.queues ?? [SIMULATOR_QUEUE_NAME]);
    this.retired = options.retired ?? false;
    this.duplicateConnected = options.duplicateMemberChange ?? false;
    this.server = createServer((req, res) => {
      this.handleHttp(req, res).catch((err: unknown) => {
        this.logger.error({ err }, 'simulator request failed');
        if (!res.headersSent)
          this.writeJson(res, { status: 500, body: errorBody(500, 'internal.server.error', 'Internal server error') });
      });
    });
    this.server.on('upgrade', (req, socket, head) => {
      this.handleUpgrade(req, socket, head);
    });
    this.wss.on('error', (err) => {
      this.logger.warn({ err }, 'simulator websocket server error');
    });
  }

  /** Starts listening on 127.0.0.1 (port 0 = any free port) and returns the REST base URL. */
  async start(port = 0): Promise<string> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, '127.0.0.1', () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    const address = this.server.address() as AddressInfo;
    this.baseUrl = `http://127.0.0.1:${address.port}`;
    this.wsBaseUrl = `ws://127.0.0.1:${address.port}`;
    return this.baseUrl;
  }

  /** REST base URL (`GenesysApiUrl`); throws before {@link start}. */
  get apiUrl(): string {
    if (this.baseUrl === undefined) throw new Error('GuestChatSimulator: not started');
    return this.baseUrl;
  }

  /** Terminates every socket and stops the server. */
  async stop(): Promise<void> {
    for (const timer of this.heartbeats.values()) clearInterval(timer);
    this.heartbeats.clear();
    for (const client of this.wss.clients) client.terminate();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) =>
      this.server.close(() => {
        resolve();
      }),
    );
  }

  // ---- knobs --------------------------------------------------------------------------------

  /** Switches "retired" mode: every `/api/v2/webchat/...` path answers `404 not.found`. */
  setRetired(retired: boolean): void {
    this.retired = retired;
  }

  /** Sends every agent `member-change CONNECTED` twice from now on ([O] docs/genesys-protocol.md §3.7 quirk). */
  setDuplicateMemberChange(enabled: boolean): void {
    this.duplicateConnected = enabled;
  }

  /** Makes the next matching request(s) fail with a 429 or a 5xx (retry tests). */
  injectFault(fault: GuestChatSimFault): void {
    this.faults.push({ ...fault, remaining: fault.times ?? 1 });
  }

  /** Removes faults that have not fired yet. */
  clearFaults(): void {
    this.faults.length = 0;
  }

  /** Every request answered so far, oldest first. */
  get requests(): readonly GuestChatSimRequest[] {
    return [...this.requestLog];
  }

  // ---- inspection ---------------------------------------------------------------------------

  /** Snapshots of every conversation, oldest first. */
  conversations(): GuestChatSimConversation[] {
    return [...this.conversationsById.values()].map((c) => this.snapshot(c));
  }

  /** Snapshot of one conversation; throws for an unknown id. */
  conversation(conversationId: string): GuestChatSimConversation {
    return this.snapshot(this.get(conversationId));
  }

  /** Resolves with the first conversation matching `predicate` (default: any), waiting for one to start. */
  waitForConversation(
    predicate: (c: GuestChatSimConversation) => boolean = () => true,
    timeoutMs = 5_000,
  ): Promise<GuestChatSimConversation> {
    return this.waitFor('conversationStarted', () => this.conversations().find(predicate), timeoutMs, 'a conversation');
  }

  /** Resolves with the first guest message of a conversation matching `predicate`, waiting for it if needed. */
  waitForGuestMessage(
    conversationId: string,
    predicate: (m: WebChatMessage) => boolean = () => true,
    timeoutMs = 5_000,
  ): Promise<WebChatMessage> {
    const find = (): WebChatMessage | undefined => {
      const c = this.get(conversationId);
      return c.messages.find((m) => m.sender.id === c.guestId && m.bodyType === 'standard' && predicate(m));
    };
    return this.waitFor('guestMessage', find, timeoutMs, 'a guest message');
  }

  /** Resolves once the conversation ended, waiting if needed. */
  waitForEnd(conversationId: string, timeoutMs = 5_000): Promise<GuestChatSimConversation> {
    const find = (): GuestChatSimConversation | undefined => {
      const c = this.get(conversationId);
      return c.state === 'ended' ? this.snapshot(c) : undefined;
    };
    return this.waitFor('conversationEnded', find, timeoutMs, 'the conversation to end');
  }

  // ---- agent control ------------------------------------------------------------------------

  /**
   * An agent takes the chat: (optionally an ACD member first,) agent `ALERTING` → `CONNECTED` and a
   * `member-join` message. The chat must be routed (its event stream attached). Returns the agent member.
   */
  agentJoin(conversationId: string, profile: SimAgentProfile): WebChatMemberInfo {
    const c = this.requireRouted(conversationId);
    let acd: WebChatMemberInfo | undefined;
    if (profile.viaAcd === true) {
      acd = this.addMember(c, { role: 'ACD', displayName: 'ACD', state: 'CONNECTED' });
      this.sendMemberChange(c, acd.id, 'CONNECTED');
    }
    const agent = this.addMember(c, {
      role: 'AGENT',
      displayName: profile.displayName,
      state: 'ALERTING',
      ...(profile.firstName === undefined ? {} : { firstName: profile.firstName }),
      ...(profile.lastName === undefined ? {} : { lastName: profile.lastName }),
      ...(profile.avatarImageUrl === undefined ? {} : { avatarImageUrl: profile.avatarImageUrl }),
    });
    this.sendMemberChange(c, agent.id, 'ALERTING');
    this.setMemberState(c, agent.id, 'CONNECTED');
    this.sendMemberChange(c, agent.id, 'CONNECTED');
    if (this.duplicateConnected) this.sendMemberChange(c, agent.id, 'CONNECTED');
    this.addMessage(c, agent.id, '', 'member-join');
    c.currentAgentId = agent.id;
    if (acd !== undefined) {
      this.setMemberState(c, acd.id, 'DISCONNECTED');
      this.sendMemberChange(c, acd.id, 'DISCONNECTED');
    }
    return { ...agent };
  }

  /** The current agent (or `agentId`) writes to the guest. Returns the stored message. */
  agentSay(
    conversationId: string,
    text: string,
    options: { bodyType?: 'standard' | 'notice'; agentId?: string } = {},
  ): WebChatMessage {
    const c = this.requireRouted(conversationId);
    const agentId = this.requireAgent(c, options.agentId);
    return { ...this.addMessage(c, agentId, text, options.bodyType ?? 'standard') };
  }

  /** The current agent is typing. */
  agentTyping(conversationId: string): void {
    const c = this.requireRouted(conversationId);
    const agentId = this.requireAgent(c, undefined);
    const typing: WebChatTyping = {
      id: randomUUID(),
      conversation: { id: c.id },
      sender: { id: agentId },
      timestamp: this.isoNow(),
    };
    this.broadcast(c, this.frame(c, 'messages', 'typing-indicator', typing));
  }

  /** Sends the current agent's `member-change CONNECTED` again, as Genesys does when an agent switches chats. */
  repeatAgentConnected(conversationId: string): void {
    const c = this.requireRouted(conversationId);
    this.sendMemberChange(c, this.requireAgent(c, undefined), 'CONNECTED');
  }

  /** The current agent leaves; the guest stays (the chat waits for another agent). */
  agentLeave(conversationId: string): void {
    const c = this.requireRouted(conversationId);
    const agentId = this.requireAgent(c, undefined);
    this.setMemberState(c, agentId, 'DISCONNECTED');
    this.sendMemberChange(c, agentId, 'DISCONNECTED');
    this.addMessage(c, agentId, '', 'member-leave');
    c.currentAgentId = undefined;
  }

  /** Blind transfer: the current agent `DISCONNECTED`, then a new agent `ALERTING` → `CONNECTED`. Returns the new agent. */
  transfer(conversationId: string, toDisplayName: string): WebChatMemberInfo {
    this.agentLeave(conversationId);
    return this.agentJoin(conversationId, { displayName: toDisplayName });
  }

  /** The agent side ends the chat: guest `member-leave` + guest `DISCONNECTED`, then every other member `DISCONNECTED`. */
  endConversation(conversationId: string): void {
    const c = this.get(conversationId);
    if (c.state === 'ended') throw new Error(`conversation ${conversationId} already ended`);
    this.endChat(c, 'agent');
  }

  /** Terminates the event stream sockets (of one conversation, or all): the client sees 1006. */
  dropConnections(conversationId?: string): void {
    const targets = conversationId === undefined ? [...this.conversationsById.values()] : [this.get(conversationId)];
    for (const c of targets) {
      for (const socket of c.sockets) {
        this.stopHeartbeat(socket);
        socket.terminate();
      }
      c.sockets.clear();
    }
  }

  /** Sends a stored message's frame again (a re-delivery; only its `CorrelationId` differs). */
  redeliver(conversationId: string, messageId: string): void {
    const c = this.get(conversationId);
    const message = c.messages.find((m) => m.id === messageId);
    if (message === undefined) throw new Error(`unknown message ${messageId}`);
    const { id, sender, body, bodyType, timestamp } = message;
    this.broadcast(
      c,
      this.frame(c, 'messages', 'message', { id, conversation: { id: c.id }, sender, body, bodyType, timestamp }),
    );
  }

  /** Sends any text on a conversation's sockets (malformed-frame tests). */
  sendRawFrame(conversationId: string, data: string): void {
    const c = this.get(conversationId);
    for (const socket of c.sockets) socket.send(data);
  }

  // ---- internals: state ---------------------------------------------------------------------

  private get(conversationId: string): SimConversation {
    const c = this.conversationsById.get(conversationId);
    if (c === undefined) throw new Error(`unknown conversation ${conversationId}`);
    return c;
  }

  private requireRouted(conversationId: string): SimConversation {
    const c = this.get(conversationId);
    if (c.state === 'pending')
      throw new Error(`conversation ${conversationId} is not routed yet: its event stream was never attached`);
    if (c.state === 'ended') throw new Error(`conversation ${conversationId} has ended`);
    return c;
  }

  private requireAgent(c: SimConversation, agentId: string | undefined): string {
    const id = agentId ?? c.currentAgentId;
    if (id === undefined || c.members.get(id)?.state !== 'CONNECTED')
      throw new Error(`conversation ${c.id} has no connected agent`);
    return id;
  }

  private snapshot(c: SimConversation): GuestChatSimConversation {
    const guest = c.members.get(c.guestId);
    if (guest === undefined) throw new Error('guest member missing');
    return structuredClone({
      id: c.id,
      deploymentId: c.deploymentId,
      state: c.state,
      routingTarget: c.routingTarget,
      guest,
      customFields: guest.customFields ?? {},
      members: [...c.members.values()],
      messages: c.messages,
      currentAgentId: c.currentAgentId,
      connectedSockets: c.sockets.size,
      endedBy: c.endedBy,
    });
  }

  private isoNow(): string {
    return new Date(this.now()).toISOString();
  }

  private addMember(
    c: SimConversation,
    fields: Omit<WebChatMemberInfo, 'id'> & { role: WebChatMemberRole; state: WebChatMemberState },
  ): WebChatMemberInfo {
    const member: WebChatMemberInfo = {
      id: randomUUID(),
      joinDate: this.isoNow(),
      leaveDate: null,
      authenticatedGuest: false,
      customFields: {},
      ...fields,
    };
    c.members.set(member.id, member);
    return member;
  }

  private setMemberState(c: SimConversation, memberId: string, state: WebChatMemberState): void {
    const member = c.members.get(memberId);
    if (member === undefined) return;
    member.state = state;
    if (state === 'DISCONNECTED') member.leaveDate = this.isoNow();
  }

  private addMessage(
    c: SimConversation,
    senderId: string,
    body: string,
    bodyType: WebChatMessage['bodyType'],
  ): WebChatMessage {
    const id = randomUUID();
    const message: WebChatMessage = {
      id,
      conversation: { id: c.id, selfUri: `/api/v2/conversations/${c.id}` },
      sender: { id: senderId },
      body,
      bodyType,
      timestamp: this.isoNow(),
      selfUri: `${CONVERSATIONS_PATH}/${c.id}/messages/${id}`,
    };
    c.messages.push(message);
    const eventBody = {
      id,
      conversation: { id: c.id },
      sender: { id: senderId },
      body,
      bodyType,
      timestamp: message.timestamp,
    };
    this.broadcast(c, this.frame(c, 'messages', 'message', eventBody));
    return message;
  }

  private sendMemberChange(c: SimConversation, memberId: string, state: WebChatMemberState, only?: WebSocket): void {
    const frame = this.frame(c, 'members', 'member-change', {
      conversation: { id: c.id },
      member: { id: memberId, state },
      timestamp: this.isoNow(),
    });
    if (only === undefined) this.broadcast(c, frame);
    else if (only.readyState === WebSocket.OPEN) only.send(frame);
  }

  /** The envelope of docs/genesys-protocol.md §3.7 [O]: `CorrelationId` with a capital C, a fresh one per frame. */
  private frame(c: SimConversation, suffix: 'messages' | 'members', type: string, eventBody: unknown): string {
    return JSON.stringify({
      topicName: `v2.conversations.chats.${c.id}.${suffix}`,
      version: '2',
      eventBody,
      metadata: { CorrelationId: randomUUID(), type },
    });
  }

  private broadcast(c: SimConversation, frame: string): void {
    // Frames sent while no socket is attached are lost, as on a real stream; history keeps messages.
    for (const socket of c.sockets) {
      if (socket.readyState === WebSocket.OPEN) socket.send(frame);
    }
  }

  private endChat(c: SimConversation, by: 'guest' | 'agent'): void {
    c.state = 'ended';
    c.endedBy = by;
    this.setMemberState(c, c.guestId, 'DISCONNECTED');
    this.addMessage(c, c.guestId, '', 'member-leave');
    this.sendMemberChange(c, c.guestId, 'DISCONNECTED');
    for (const member of c.members.values()) {
      if (member.id === c.guestId || member.state === 'DISCONNECTED') continue;
      this.setMemberState(c, member.id, 'DISCONNECTED');
      if (by === 'agent') this.sendMemberChange(c, member.id, 'DISCONNECTED');
    }
    c.currentAgentId = undefined;
    this.emit('conversationEnded', { conversationId: c.id, by });
    if (this.options.closeSocketOnEnd === true) {
      for (const socket of c.sockets) socket.close(1000, 'conversation ended');
    }
  }

  private waitFor<T>(
    event: keyof GuestChatSimulatorEvents,
    find: () => T | undefined,
    timeoutMs: number,
    what: string,
  ): Promise<T> {
    const found = find();
    if (found !== undefined) return Promise.resolve(found);
    return new Promise<T>((resolve, reject) => {
      const check = (): void => {
        const value = find();
        if (value === undefined) return;
        cleanup();
        resolve(value);
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`GuestChatSimulator: timed out after ${timeoutMs} ms waiting for ${what}`));
      }, timeoutMs);
      const cleanup = (): void => {
        clearTimeout(timer);
        this.off(event, check);
      };
      this.on(event, check);
    });
  }

  // ---- internals: websocket -----------------------------------------------------------------

  private handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    socket.on('error', (err) => {
      this.logger.debug({ err }, 'upgrade socket error');
    });
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    const match = /^\/v1\/token\/([^/]+)$/.exec(path);
    const reject = (status: number, text: string): void => {
      socket.write(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
      socket.destroy();
    };
    const refusal = this.checkUpgrade(match?.[1]);
    if (typeof refusal === 'number') {
      reject(refusal, refusal === 401 ? 'Unauthorized' : 'Not Found');
      return;
    }
    const c = refusal;
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      this.attach(c, ws);
    });
  }

  /** The conversation a stream URI's token opens, or the HTTP status refusing it. */
  private checkUpgrade(jwt: string | undefined): SimConversation | number {
    // [I] a retired org has no streaming endpoint for chats either.
    if (this.retired || jwt === undefined) return 404;
    const conversationId = this.issuedJwts.get(jwt);
    const claims = decodeGuestChatJwt(jwt);
    if (conversationId === undefined || claims === undefined) return 401;
    if (claims.exp * 1000 <= this.now()) return 401;
    return this.conversationsById.get(conversationId) ?? 404;
  }

  private attach(c: SimConversation, ws: WebSocket): void {
    ws.on('error', (err) => {
      this.logger.debug({ err, conversationId: c.id }, 'simulator socket error');
    });
    c.sockets.add(ws);
    if (c.state === 'pending') {
      // Reference §3.2 [C]: the chat is routed only once its event stream is attached.
      c.state = 'active';
      this.logger.debug({ conversationId: c.id }, 'event stream attached; routing');
    }
    if (this.options.emitGuestConnectedOnConnect !== false && c.state === 'active')
      this.sendMemberChange(c, c.guestId, 'CONNECTED', ws);
    const interval = this.options.heartbeatIntervalMs ?? 30_000;
    if (interval > 0) {
      const timer = setInterval(() => {
        if (ws.readyState === WebSocket.OPEN)
          ws.send(JSON.stringify({ topicName: 'channel.metadata', eventBody: { message: 'WebSocket Heartbeat' } }));
      }, interval);
      timer.unref();
      this.heartbeats.set(ws, timer);
    }
    ws.on('message', (data, isBinary) => {
      if (isBinary || this.options.answerPing === false) return;
      const text = Buffer.isBuffer(data) ? data.toString('utf8') : '';
      if (text.replace(/\s/g, '') === '{"message":"ping"}') {
        ws.send(JSON.stringify({ topicName: 'channel.metadata', eventBody: { message: 'pong' } }));
      }
    });
    ws.on('close', () => {
      this.stopHeartbeat(ws);
      c.sockets.delete(ws);
    });
  }

  private stopHeartbeat(ws: WebSocket): void {
    const timer = this.heartbeats.get(ws);
    if (timer !== undefined) clearInterval(timer);
    this.heartbeats.delete(ws);
  }

  // ---- internals: HTTP ----------------------------------------------------------------------

  private async handleHttp(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const method = (req.method ?? 'GET').toUpperCase();
    const raw = await readBody(req);
    let answer: HttpAnswer;
    let conversationId: string | undefined;
    let streamAttached = false;
    try {
      const match = /^\/api\/v2\/webchat\/guest\/conversations\/([^/]+)/.exec(url.pathname);
      conversationId = match?.[1] === undefined ? undefined : decodeURIComponent(match[1]);
      const c = conversationId === undefined ? undefined : this.conversationsById.get(conversationId);
      streamAttached = c !== undefined && c.state !== 'pending';
      answer = this.route(method, url, req, raw);
    } catch (err) {
      if (!(err instanceof HttpProblem)) throw err;
      answer = err.answer;
    }
    this.requestLog.push({
      method,
      path: url.pathname,
      status: answer.status,
      conversationId,
      streamAttached,
      at: this.now(),
    });
    this.logger.debug({ method, path: url.pathname, status: answer.status }, 'simulator request');
    this.writeJson(res, answer);
  }

  private writeJson(res: ServerResponse, answer: HttpAnswer): void {
    const headers: Record<string, string> = { ...answer.headers };
    if (answer.body === undefined) {
      res.writeHead(answer.status, headers);
      res.end();
      return;
    }
    const text = JSON.stringify(answer.body);
    res.writeHead(answer.status, {
      ...headers,
      'Content-Type': 'application/json',
      'Content-Length': String(Buffer.byteLength(text)),
    });
    res.end(text);
  }

  private route(method: string, url: URL, req: IncomingMessage, raw: Buffer | undefined): HttpAnswer {
    const path = url.pathname.replace(/\/+$/, '');
    if (raw === undefined) fail(errorBody(413, 'request.entity.too.large', 'The request is too large.'));
    if (this.retired && path.startsWith(API_PREFIX.slice(0, -1))) fail(notFoundError());
    this.applyFault(method, path);
    if (path === CONVERSATIONS_PATH) {
      if (method !== 'POST') fail(notFoundError());
      return this.create(req, raw);
    }
    const match = /^\/api\/v2\/webchat\/guest\/conversations\/([^/]+)(\/.*)?$/.exec(path);
    const encodedId = match?.[1];
    if (match === null || encodedId === undefined) fail(notFoundError());
    const conversationId = decodeURIComponent(encodedId);
    const rest = match.at(2) ?? '';
    const c = this.authenticate(req, conversationId);

    let m: RegExpExecArray | null;
    if ((m = /^\/members\/([^/]+)\/messages$/.exec(rest)) !== null && method === 'POST')
      return this.postMessage(c, decodeURIComponent(m[1] ?? ''), raw);
    if ((m = /^\/members\/([^/]+)\/typing$/.exec(rest)) !== null && method === 'POST')
      return this.postTyping(c, decodeURIComponent(m[1] ?? ''));
    if (rest === '/messages' && method === 'GET') return this.listMessages(c, url.searchParams);
    if ((m = /^\/messages\/([^/]+)$/.exec(rest)) !== null && method === 'GET')
      return this.getMessage(c, decodeURIComponent(m[1] ?? ''));
    if (rest === '/members' && method === 'GET') return this.listMembers(c, url.searchParams);
    if ((m = /^\/members\/([^/]+)$/.exec(rest)) !== null) {
      const memberId = decodeURIComponent(m[1] ?? '');
      if (method === 'GET') return this.getMember(c, memberId);
      if (method === 'DELETE') return this.deleteMember(c, memberId);
    }
    // Legacy co-browse media requests: none are ever offered (docs/genesys-protocol.md §3.1).
    if (rest === '/mediarequests' && method === 'GET')
      return { status: 200, body: { entities: [], pageSize: 25, pageNumber: 1, total: 0, pageCount: 0 } };
    if (/^\/mediarequests\/[^/]+$/.test(rest) && (method === 'GET' || method === 'PATCH'))
      fail(errorBody(404, 'chat.error.not.found', 'Media request not found'));
    fail(notFoundError());
  }

  private applyFault(method: string, path: string): void {
    const index = this.faults.findIndex(
      (f) =>
        (f.method === undefined || f.method.toUpperCase() === method) && path.includes(f.pathIncludes ?? '/api/v2/'),
    );
    if (index < 0) return;
    const fault = this.faults[index];
    if (fault === undefined) return;
    fault.remaining--;
    if (fault.remaining <= 0) this.faults.splice(index, 1);
    if (fault.status === 429) {
      const seconds = fault.retryAfterSeconds;
      if (seconds === undefined)
        fail(errorBody(429, fault.code ?? 'too.many.requests', 'Rate limit exceeded the maximum allowed.'));
      fail(
        errorBody(
          429,
          fault.code ?? 'too.many.requests.retry.after',
          'Rate limit exceeded the maximum. Retry the request in [{retryAfter}] seconds',
          {
            messageParams: { retryAfter: String(seconds) },
          },
        ),
        fault.retryAfterHeader === false ? undefined : { 'Retry-After': String(seconds) },
      );
    }
    const defaults: Record<GuestChatSimFault['status'], string> = {
      429: 'too.many.requests',
      500: 'internal.server.error',
      502: 'internal.server.error',
      503: 'service.unavailable',
      504: 'request.timeout',
    };
    fail(errorBody(fault.status, fault.code ?? defaults[fault.status], 'The service is currently unavailable.'));
  }

  private authenticate(req: IncomingMessage, conversationId: string): SimConversation {
    const header = req.headers.authorization;
    const match = header === undefined ? null : /^Bearer\s+(\S+)$/i.exec(header);
    const token = match?.[1];
    if (token === undefined)
      fail(
        errorBody(401, 'authentication.required', 'No authentication bearer token specified in authorization header.'),
      );
    const tokenConversation = this.issuedJwts.get(token);
    const claims = decodeGuestChatJwt(token);
    if (tokenConversation === undefined || claims === undefined)
      fail(errorBody(401, 'bad.credentials', 'Invalid login credentials.'));
    if (claims.exp * 1000 <= this.now())
      fail(errorBody(401, 'credentials.expired', 'The supplied credentials are expired and cannot be used.'));
    // [I] a token for another conversation is refused like a missing permission.
    if (tokenConversation !== conversationId)
      fail(errorBody(403, 'not.authorized', 'You are not authorized to perform the requested action.'));
    const c = this.conversationsById.get(conversationId);
    if (c === undefined) fail(errorBody(404, 'chat.error.not.found', 'Conversation not found'));
    return c;
  }

  private parseJson(raw: Buffer): unknown {
    try {
      return JSON.parse(raw.toString('utf8'));
    } catch {
      return fail(
        errorBody(400, 'bad.request', 'The request could not be understood by the server due to malformed syntax.'),
      );
    }
  }

  private create(req: IncomingMessage, raw: Buffer): HttpAnswer {
    const body = this.parseJson(raw);
    if (!isRecord(body))
      fail(errorBody(400, 'bad.request', 'The request could not be understood by the server due to malformed syntax.'));
    const invalid: (code: string, message: string, fieldName: string) => never = (code, message, fieldName) =>
      fail(errorBody(400, code, message, { details: [{ errorCode: code, fieldName }] }));

    // [I] docs/genesys-protocol.md §3.10: the order of these checks is not documented.
    if (body.organizationId !== this.organizationId)
      invalid('chat.error.bad.request', 'Invalid organization', 'organizationId');
    const deploymentId = body.deploymentId;
    if (typeof deploymentId !== 'string' || !GUID.test(deploymentId)) {
      invalid(
        'chat.error.pattern.createconversationrequest.deploymentid',
        'deploymentId must be a valid id',
        'deploymentId',
      );
    }
    const deployment = this.deployments.get(deploymentId.toLowerCase());
    // [U] the answer for an unknown deployment id is not documented.
    if (deployment === undefined) invalid('chat.error.bad.request', 'Deployment not found', 'deploymentId');
    if (deployment.enabled === false) invalid('chat.deployment.disabled', 'The deployment is disabled', 'deploymentId');
    const origin = req.headers.origin;
    if (
      deployment.allowedOrigins !== undefined &&
      (origin === undefined || !deployment.allowedOrigins.includes(origin))
    ) {
      fail(
        errorBody(
          403,
          'origin.not.allowed',
          'The origin of the request is not allowed to create an ACD chat conversation from an external customer.',
        ),
      );
    }
    const token = body.memberAuthToken;
    const tokenAccepted = typeof token === 'string' && (deployment.acceptedAuthTokens ?? []).includes(token);
    if (deployment.requireAuth === true) {
      if (typeof token !== 'string' || token === '')
        invalid('chat.deployment.require.auth', 'The deployment requires an authenticated guest', 'memberAuthToken');
      if (!tokenAccepted)
        invalid('chat.deployment.bad.auth', 'The member authentication token is not valid', 'memberAuthToken');
    }

    const target = body.routingTarget;
    if (!isRecord(target))
      invalid(
        'chat.error.notnull.createconversationrequest.routingtarget',
        'routingTarget may not be null',
        'routingTarget',
      );
    // Reference §3.2: the swagger enum is QUEUE, implementations also send lowercase.
    if (typeof target.targetType !== 'string' || target.targetType.toLowerCase() !== 'queue') {
      invalid(
        'chat.error.createconversationrequest.routingtarget',
        'routingTarget.targetType must be QUEUE',
        'routingTarget.targetType',
      );
    }
    const targetAddress = target.targetAddress;
    if (typeof targetAddress !== 'string' || !this.queues.has(targetAddress)) {
      invalid('chat.error.invalid.queue', 'Invalid queue', 'routingTarget.targetAddress');
    }
    const skills = target.skills ?? [];
    if (!Array.isArray(skills) || !skills.every((s): s is string => typeof s === 'string'))
      invalid('invalid.value', 'skills must be a list of names', 'routingTarget.skills');
    const language = target.language;
    if (language !== undefined && typeof language !== 'string')
      invalid('invalid.value', 'language must be a name', 'routingTarget.language');
    const priority = target.priority;
    if (priority !== undefined && !Number.isInteger(priority))
      invalid('invalid.value', 'priority must be an integer', 'routingTarget.priority');

    const memberInfo = body.memberInfo;
    if (!isRecord(memberInfo) || typeof memberInfo.displayName !== 'string' || memberInfo.displayName.trim() === '') {
      invalid(
        'chat.error.notnull.createconversationrequest.memberinfo.displayname',
        'memberInfo.displayName may not be null',
        'memberInfo.displayName',
      );
    }
    const customFields: Record<string, string> = {};
    if (isRecord(memberInfo.customFields)) {
      for (const [key, value] of Object.entries(memberInfo.customFields)) {
        if (typeof value === 'string') customFields[key] = value;
      }
    }

    const conversationId = randomUUID();
    const guestId = randomUUID();
    const iat = Math.floor(this.now() / 1000);
    const lifetimeMs = this.options.jwtLifetimeMs ?? 78_761_000;
    const jwt = issueGuestChatJwt({
      data: { conv: conversationId, did: deploymentId, sub: guestId },
      iss: 'urn:purecloud:webchat',
      org: this.organizationId,
      iat,
      exp: Math.floor((this.now() + lifetimeMs) / 1000),
    });
    const guest: WebChatMemberInfo = {
      id: guestId,
      displayName: memberInfo.displayName,
      role: 'CUSTOMER',
      // [U] the guest's state before its stream is attached is not documented.
      state: 'CONNECTED',
      joinDate: this.isoNow(),
      leaveDate: null,
      authenticatedGuest: tokenAccepted,
      customFields,
    };
    for (const key of ['firstName', 'lastName', 'email', 'phoneNumber', 'avatarImageUrl'] as const) {
      const value = memberInfo[key];
      if (typeof value === 'string') guest[key] = value;
    }
    const c: SimConversation = {
      id: conversationId,
      deploymentId,
      jwt,
      guestId,
      state: 'pending',
      routingTarget: {
        targetType: target.targetType,
        targetAddress,
        skills: [...skills],
        language: typeof language === 'string' ? language : undefined,
        priority: typeof priority === 'number' ? priority : undefined,
      },
      members: new Map([[guestId, guest]]),
      messages: [],
      sockets: new Set(),
      currentAgentId: undefined,
      endedBy: undefined,
    };
    this.conversationsById.set(conversationId, c);
    this.issuedJwts.set(jwt, conversationId);
    this.emit('conversationStarted', this.snapshot(c));
    if (this.wsBaseUrl === undefined) throw new Error('GuestChatSimulator: not started');
    // Reference §3.2 [O]: the response holds only these four parts, `member` with just its id.
    return {
      status: 200,
      body: { id: conversationId, jwt, eventStreamUri: `${this.wsBaseUrl}/v1/token/${jwt}`, member: { id: guestId } },
    };
  }

  private requireGuestMember(c: SimConversation, memberId: string): void {
    if (memberId === c.guestId) return;
    if (!c.members.has(memberId)) fail(errorBody(404, 'chat.error.not.found', 'Member not found'));
    // [I] the guest's token cannot act for another member.
    fail(errorBody(403, 'not.authorized', 'You are not authorized to perform the requested action.'));
  }

  private requireChatAccepting(c: SimConversation): void {
    if (c.state !== 'active') fail(conversationStateError());
    if (c.members.get(c.guestId)?.state === 'DISCONNECTED') {
      fail(
        errorBody(400, 'chat.error.member.state', 'Member State', {
          messageParams: { message: 'The member is not active' },
        }),
      );
    }
  }

  private postMessage(c: SimConversation, memberId: string, raw: Buffer): HttpAnswer {
    this.requireGuestMember(c, memberId);
    const body = this.parseJson(raw);
    if (!isRecord(body) || typeof body.body !== 'string') {
      fail(
        errorBody(400, 'chat.error.notnull.createconversationmessagerequest.body', 'body may not be null', {
          details: [{ fieldName: 'body' }],
        }),
      );
    }
    const bodyType = body.bodyType ?? 'standard';
    // [I] docs/genesys-protocol.md §3.3: an unknown enum value is refused as `invalid.value`.
    if (!isWebChatBodyType(bodyType))
      fail(
        errorBody(400, 'invalid.value', 'Value [{value}] is not valid for field type [bodyType].', {
          messageParams: { value: typeof bodyType === 'string' ? bodyType : JSON.stringify(bodyType) },
          details: [{ fieldName: 'bodyType' }],
        }),
      );
    const max = this.options.maxBodyChars ?? 4_000;
    if (codePointLength(body.body) > max) {
      // [U] code; [I] docs/genesys-protocol.md §3.10 `constraint.validation`.
      fail(
        errorBody(400, 'constraint.validation', 'body size must be between 0 and {max}', {
          messageParams: { max: String(max) },
          details: [{ fieldName: 'body' }],
        }),
      );
    }
    this.requireChatAccepting(c);
    const message = this.addMessage(c, c.guestId, body.body, bodyType);
    this.emit('guestMessage', { conversationId: c.id, message: { ...message } });
    return { status: 200, body: { ...message, sender: { id: c.guestId } } };
  }

  private postTyping(c: SimConversation, memberId: string): HttpAnswer {
    this.requireGuestMember(c, memberId);
    this.requireChatAccepting(c);
    const typing: WebChatTyping = {
      id: randomUUID(),
      conversation: { id: c.id },
      sender: { id: c.guestId },
      timestamp: this.isoNow(),
    };
    this.broadcast(c, this.frame(c, 'messages', 'typing-indicator', typing));
    this.emit('guestTyping', { conversationId: c.id, typing });
    return { status: 200, body: { ...typing, conversation: { id: c.id, selfUri: `/api/v2/conversations/${c.id}` } } };
  }

  private listMessages(c: SimConversation, query: URLSearchParams): HttpAnswer {
    const invalidParam: (name: string, value: string) => never = (name, value) =>
      fail(
        errorBody(400, 'invalid.value', 'Value [{value}] is not valid for field type [{field}].', {
          messageParams: { value, field: name },
          details: [{ fieldName: name }],
        }),
      );
    const sortOrder = query.get('sortOrder') ?? 'ascending';
    if (sortOrder !== 'ascending' && sortOrder !== 'descending') invalidParam('sortOrder', sortOrder);
    const maxRaw = query.get('maxResults');
    const maxResults = maxRaw === null ? 100 : Number(maxRaw);
    // [I] docs/genesys-protocol.md §3.5: "maximum 100"; a larger value is refused rather than clamped.
    if (!Number.isInteger(maxResults) || maxResults < 1 || maxResults > 100) invalidParam('maxResults', maxRaw ?? '');
    const indexOf = (name: string): number | undefined => {
      const id = query.get(name);
      if (id === null) return undefined;
      const index = c.messages.findIndex((m) => m.id === id);
      // [I] the answer for an unknown cursor id is not documented.
      if (index < 0) invalidParam(name, id);
      return index;
    };
    const afterIndex = indexOf('after');
    const beforeIndex = indexOf('before');
    const range = c.messages.slice(afterIndex === undefined ? 0 : afterIndex + 1, beforeIndex ?? c.messages.length);
    const ordered = sortOrder === 'ascending' ? range : [...range].reverse();
    const entities = ordered.slice(0, maxResults);
    const selfUri = `${CONVERSATIONS_PATH}/${c.id}/messages`;
    const list: Record<string, unknown> = { pageSize: maxResults, entities, selfUri };
    // [U] docs/genesys-protocol.md §3.5: the format of `next`/`previousPage` is unknown; clients should page with `after`.
    const last = entities.at(-1);
    if (ordered.length > entities.length && last !== undefined) {
      list.next = `${selfUri}?${sortOrder === 'ascending' ? 'after' : 'before'}=${last.id}&sortOrder=${sortOrder}&maxResults=${maxResults}`;
    }
    return { status: 200, body: list };
  }

  private getMessage(c: SimConversation, messageId: string): HttpAnswer {
    const message = c.messages.find((m) => m.id === messageId);
    if (message === undefined) fail(errorBody(404, 'chat.error.not.found', 'Message not found'));
    return { status: 200, body: message };
  }

  private listMembers(c: SimConversation, query: URLSearchParams): HttpAnswer {
    const pageSize = Number(query.get('pageSize') ?? 25);
    const pageNumber = Number(query.get('pageNumber') ?? 1);
    if (!Number.isInteger(pageSize) || pageSize < 1) fail(errorBody(400, 'invalid.value', 'pageSize is not valid'));
    if (!Number.isInteger(pageNumber) || pageNumber < 1)
      fail(errorBody(400, 'invalid.value', 'pageNumber is not valid'));
    const exclude = query.get('excludeDisconnectedMembers') === 'true';
    const all = [...c.members.values()].filter((m) => !exclude || m.state !== 'DISCONNECTED');
    const entities = all.slice((pageNumber - 1) * pageSize, pageNumber * pageSize);
    const pageCount = Math.max(1, Math.ceil(all.length / pageSize));
    const selfUri = `${CONVERSATIONS_PATH}/${c.id}/members`;
    const page = (n: number): string => `${selfUri}?pageSize=${pageSize}&pageNumber=${n}`;
    const body: Record<string, unknown> = {
      entities,
      pageSize,
      pageNumber,
      total: all.length,
      pageCount,
      firstUri: page(1),
      lastUri: page(pageCount),
      selfUri: page(pageNumber),
    };
    if (pageNumber > 1) body.previousUri = page(pageNumber - 1);
    if (pageNumber < pageCount) body.nextUri = page(pageNumber + 1);
    return { status: 200, body };
  }

  private getMember(c: SimConversation, memberId: string): HttpAnswer {
    const member = c.members.get(memberId);
    if (member === undefined) fail(errorBody(404, 'chat.error.not.found', 'Member not found'));
    return { status: 200, body: member };
  }

  private deleteMember(c: SimConversation, memberId: string): HttpAnswer {
    this.requireGuestMember(c, memberId);
    if (c.state === 'ended' || c.members.get(c.guestId)?.state === 'DISCONNECTED') fail(conversationStateError());
    this.endChat(c, 'guest');
    return { status: 204 };
  }
}

/** Reads a request body; undefined when it is larger than the simulator accepts. */
async function readBody(req: IncomingMessage): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  let tooLarge = false;
  for await (const chunk of req) {
    const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    size += buffer.length;
    if (size > MAX_REQUEST_BYTES) tooLarge = true;
    else chunks.push(buffer);
  }
  return tooLarge ? undefined : Buffer.concat(chunks);
}
