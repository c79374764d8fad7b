import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer, type RawData } from 'ws';
import type { Logger } from '../../logger';
import { SimHttpError, type SimResponse } from './simHttp';

/** Settings of the simulated Notifications API (docs/genesys-protocol.md §6.5). */
export interface NotificationsSettings {
  /** [C] `channel.metadata` heartbeat period (about 30 s). */
  heartbeatMs: number;
  /** [C] Channel lifetime (about 24 h). */
  channelLifetimeMs: number;
  /** [C] How long before a closing `v2.system.socket_closing` is sent (about 1 min). */
  socketClosingNoticeMs: number;
  /** [C] Topics per channel (1,000). */
  maxTopicsPerChannel: number;
  /** [C] Channels per client (20). */
  maxChannels: number;
  /** [I] Whether a subscription call restarts the channel's lifetime (Genesys' guidance to keep a channel past 24 h). */
  subscribeExtendsChannel: boolean;
}

/** A subscription entry as the API answers it (docs/genesys-protocol.md §6.5) [C] names, [I] values. */
export interface TopicSubscription {
  id: string;
  state: 'Permitted' | 'Rejected';
  rejectionReason?: string;
}

interface Channel {
  id: string;
  clientId: string;
  topics: Set<string>;
  expiresAt: number;
  socket?: WebSocket;
  heartbeat?: NodeJS.Timeout;
  closingTimer?: NodeJS.Timeout;
  expiryTimer?: NodeJS.Timeout;
}

/**
 * Topic names the simulator publishes (docs/genesys-protocol.md §6.5) [C]: per-conversation detail
 * events, the per-queue and per-user conversation topics. Others are rejected [I].
 */
const TOPIC_PATTERNS: RegExp[] = [
  /^v2\.detail\.events\.conversation\.[\w-]+\.(user\.start|user\.end|customer\.start|customer\.end|acw|acd\.start|acd\.end|attributes)$/,
  /^v2\.routing\.queues\.[\w-]+\.conversations\.messages$/,
  /^v2\.users\.[\w-]+\.conversations\.messages$/,
];

function rawText(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.isBuffer(data) ? data.toString('utf8') : Buffer.from(data).toString('utf8');
}

function sendFrame(ws: WebSocket | undefined, frame: unknown): boolean {
  if (ws?.readyState !== WebSocket.OPEN) return false;
  ws.send(JSON.stringify(frame));
  return true;
}

/** Channels, subscriptions and the streaming socket of the Notifications API. */
export class NotificationsService {
  private readonly channels = new Map<string, Channel>();
  private readonly wss = new WebSocketServer({ noServer: true });
  /** Event frames written to sockets. */
  delivered = 0;
  /** Most channels with an open socket at once since the service started. */
  private peakConnected = 0;

  constructor(
    readonly settings: NotificationsSettings,
    private readonly socketBaseUrl: () => string,
    private readonly now: () => number,
    private readonly logger: Logger,
    private readonly onChange: () => void,
  ) {
    this.wss.on('error', (err) => {
      this.logger.warn({ err }, 'notifications socket server error');
    });
  }

  /** `POST /api/v2/notifications/channels` → `{ id, connectUri, expires }` [C]. */
  createChannel(clientId: string): SimResponse {
    const owned = [...this.channels.values()].filter((c) => c.clientId === clientId);
    if (owned.length >= this.settings.maxChannels) {
      // [C] limit, [I] status and code.
      throw new SimHttpError(400, 'bad.request', `A client may hold at most ${this.settings.maxChannels} channels`);
    }
    const channel: Channel = { id: `streaming-0-${randomUUID()}`, clientId, topics: new Set(), expiresAt: 0 };
    this.channels.set(channel.id, channel);
    this.scheduleExpiry(channel);
    this.onChange();
    return { status: 200, body: this.describe(channel) };
  }

  /** `HEAD /api/v2/notifications/channels/{id}`: 200 while the channel lives, 404 after [I]. */
  channelExists(channelId: string, clientId: string): SimResponse {
    this.ownedChannel(channelId, clientId);
    return { status: 200 };
  }

  /** `GET /api/v2/notifications/channels`. */
  listChannels(clientId: string): SimResponse {
    const entities = [...this.channels.values()].filter((c) => c.clientId === clientId).map((c) => this.describe(c));
    return { status: 200, body: { entities } };
  }

  /** `POST` (add) or `PUT` (replace) `.../channels/{id}/subscriptions` with `[ { id: topic } ]` [C]. */
  subscribe(channelId: string, clientId: string, body: unknown, mode: 'add' | 'replace'): SimResponse {
    const channel = this.ownedChannel(channelId, clientId);
    if (!Array.isArray(body)) throw new SimHttpError(400, 'bad.request', 'The body must be an array of { id } topics');
    const requested = body.map((entry: unknown, index) => {
      const id = typeof entry === 'object' && entry !== null ? (entry as { id?: unknown }).id : undefined;
      if (typeof id !== 'string' || id === '')
        throw new SimHttpError(400, 'bad.request', `[${index}].id must be a topic name`);
      return id;
    });
    const results: TopicSubscription[] = requested.map((id) =>
      TOPIC_PATTERNS.some((pattern) => pattern.test(id))
        ? { id, state: 'Permitted' }
        : { id, state: 'Rejected', rejectionReason: 'Topic not found' },
    );
    const permitted = results.filter((r) => r.state === 'Permitted').map((r) => r.id);
    const next = new Set(mode === 'replace' ? permitted : [...channel.topics, ...permitted]);
    if (next.size > this.settings.maxTopicsPerChannel) {
      // [C] 1,000 topics per channel; [I] the whole request is refused with 400.
      throw new SimHttpError(
        400,
        'notification.topic.limit',
        `A channel allows at most ${this.settings.maxTopicsPerChannel} topics; this request would make ${next.size}`,
      );
    }
    channel.topics = next;
    if (this.settings.subscribeExtendsChannel) this.scheduleExpiry(channel);
    this.onChange();
    return { status: 200, body: { entities: results } };
  }

  /** `GET .../channels/{id}/subscriptions`. */
  listSubscriptions(channelId: string, clientId: string): SimResponse {
    const channel = this.ownedChannel(channelId, clientId);
    return { status: 200, body: { entities: [...channel.topics].map((id) => ({ id, state: 'Permitted' })) } };
  }

  /** `DELETE .../channels/{id}/subscriptions`: removes every topic. */
  unsubscribeAll(channelId: string, clientId: string): SimResponse {
    this.ownedChannel(channelId, clientId).topics.clear();
    this.onChange();
    return { status: 204 };
  }

  /** Topics of a channel (tests). */
  topicsOf(channelId: string): string[] {
    return [...(this.channels.get(channelId)?.topics ?? [])];
  }

  /** Every topic subscribed on a channel with an open socket (tests wait for a subscription with it). */
  liveTopics(): string[] {
    return [...this.channels.values()].flatMap((c) => (c.socket?.readyState === WebSocket.OPEN ? [...c.topics] : []));
  }

  /** Live channels with an open socket. */
  connectedChannelCount(): number {
    return [...this.channels.values()].filter((c) => c.socket?.readyState === WebSocket.OPEN).length;
  }

  /** Most channels that had an open socket at the same time since the service started (tests). */
  get connectedChannelPeak(): number {
    return this.peakConnected;
  }

  /** Handles an upgrade to `/channels/{id}`; returns false when the path is not a channel path. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): boolean {
    const match = /^\/channels\/([^/?]+)$/.exec(new URL(req.url ?? '/', 'http://simulator').pathname);
    if (match?.[1] === undefined) return false;
    const channel = this.channels.get(decodeURIComponent(match[1]));
    if (channel === undefined) {
      // [I] an unknown or expired channel refuses the handshake.
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n');
      return true;
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      this.attach(channel, ws);
    });
    return true;
  }

  /**
   * Writes `{ topicName, version, eventBody, metadata }` to every connected channel subscribed to
   * `topicName` (docs/genesys-protocol.md §6.5: [C] frame fields, [O] `version`/`metadata`).
   * Channels without a socket lose the event [I] (Genesys keeps no backlog).
   */
  publish(topicName: string, eventBody: Record<string, unknown>): number {
    let count = 0;
    for (const channel of this.channels.values()) {
      if (!channel.topics.has(topicName)) continue;
      if (sendFrame(channel.socket, { topicName, version: '2', eventBody, metadata: { CorrelationId: randomUUID() } }))
        count++;
    }
    this.delivered += count;
    return count;
  }

  /**
   * Maintenance close (docs/genesys-protocol.md §6.5) [C]: `v2.system.socket_closing` on every socket,
   * then each socket closes after `afterMs`. The channels themselves stay valid [I].
   */
  closeSockets(afterMs: number): void {
    for (const channel of this.channels.values()) {
      const ws = channel.socket;
      if (ws === undefined) continue;
      sendFrame(ws, { topicName: 'v2.system.socket_closing', eventBody: { message: 'WebSocket closing' } });
      setTimeout(() => {
        ws.close(1001, 'socket closing');
      }, afterMs).unref();
    }
  }

  /** Drops a channel's socket without a close frame (a dropped link). */
  dropSockets(): void {
    for (const channel of this.channels.values()) channel.socket?.terminate();
  }

  /** Ends a channel now, as its expiry would. */
  expireChannel(channelId: string): void {
    const channel = this.channels.get(channelId);
    if (channel !== undefined) this.expire(channel);
  }

  /** Closes every socket and forgets every channel. */
  stop(): void {
    for (const channel of [...this.channels.values()]) this.remove(channel);
    for (const client of this.wss.clients) client.terminate();
    this.wss.close();
  }

  private attach(channel: Channel, ws: WebSocket): void {
    ws.on('error', (err) => {
      this.logger.debug({ err, channelId: channel.id }, 'notifications socket error');
    });
    // [C] one connection per channel; [I] a second connection replaces the first.
    channel.socket?.close(4000, 'replaced by a new connection');
    channel.socket = ws;
    this.peakConnected = Math.max(this.peakConnected, this.connectedChannelCount());
    if (channel.heartbeat !== undefined) clearInterval(channel.heartbeat);
    channel.heartbeat = setInterval(() => {
      sendFrame(ws, { topicName: 'channel.metadata', eventBody: { message: 'WebSocket Heartbeat' } });
    }, this.settings.heartbeatMs);
    ws.on('message', (data) => {
      // [C] `{"message":"ping"}` answers a `channel.metadata` pong.
      let parsed: unknown;
      try {
        parsed = JSON.parse(rawText(data)) as unknown;
      } catch {
        return;
      }
      if (typeof parsed === 'object' && parsed !== null && (parsed as { message?: unknown }).message === 'ping') {
        sendFrame(ws, { topicName: 'channel.metadata', eventBody: { message: 'pong' } });
      }
    });
    ws.on('close', () => {
      if (channel.socket !== ws) return;
      channel.socket = undefined;
      if (channel.heartbeat !== undefined) clearInterval(channel.heartbeat);
      channel.heartbeat = undefined;
      this.onChange();
    });
    this.onChange();
  }

  private scheduleExpiry(channel: Channel): void {
    if (channel.closingTimer !== undefined) clearTimeout(channel.closingTimer);
    if (channel.expiryTimer !== undefined) clearTimeout(channel.expiryTimer);
    const lifetime = this.settings.channelLifetimeMs;
    channel.expiresAt = this.now() + lifetime;
    const noticeAt = Math.max(0, lifetime - this.settings.socketClosingNoticeMs);
    channel.closingTimer = setTimeout(() => {
      sendFrame(channel.socket, { topicName: 'v2.system.socket_closing', eventBody: { message: 'WebSocket closing' } });
    }, noticeAt);
    channel.expiryTimer = setTimeout(() => {
      this.expire(channel);
    }, lifetime);
  }

  private expire(channel: Channel): void {
    this.logger.debug({ channelId: channel.id }, 'notifications channel expired');
    this.remove(channel);
    this.onChange();
  }

  private remove(channel: Channel): void {
    if (channel.closingTimer !== undefined) clearTimeout(channel.closingTimer);
    if (channel.expiryTimer !== undefined) clearTimeout(channel.expiryTimer);
    if (channel.heartbeat !== undefined) clearInterval(channel.heartbeat);
    channel.socket?.close(1000, 'channel expired');
    this.channels.delete(channel.id);
  }

  private ownedChannel(channelId: string, clientId: string): Channel {
    const channel = this.channels.get(channelId);
    if (channel?.clientId !== clientId) throw new SimHttpError(404, 'not.found', `Channel ${channelId} not found`);
    return channel;
  }

  private describe(channel: Channel): Record<string, unknown> {
    return {
      id: channel.id,
      connectUri: `${this.socketBaseUrl()}/channels/${channel.id}`,
      expires: new Date(channel.expiresAt).toISOString(),
    };
  }
}
