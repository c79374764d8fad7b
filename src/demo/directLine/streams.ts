import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type * as restify from 'restify';
import { WebSocket, WebSocketServer } from 'ws';
import type { Logger } from '../../logger';
import { addUpgradeRoute, refuseUpgrade } from '../../http/upgrades';
import { bearerFromHeader, parseWatermark, safeDecode } from './clientActivity';
import { sendFrame, type Conversation, type ConversationStore } from './conversationStore';

/** Path prefix of the Direct Line 3.0 API that Web Chat talks to. */
export const DIRECT_LINE_PATH = '/v3/directline';

const MAX_SOCKETS_PER_CONVERSATION = 4;

/** Options of {@link DirectLineStreams}. */
export interface DirectLineStreamsOptions {
  logger: Logger;
  /** Interval of websocket heartbeats; a socket that misses one is terminated. */
  heartbeatMs: number;
  /** How long a started conversation may be without an open stream before its customer counts as gone. */
  customerLeftAfterMs: number;
  /** Called once when the customer of a conversation left (see `customerLeftAfterMs`). */
  onCustomerLeft: (conversation: Conversation) => void;
}

/**
 * The websocket streams of the demo Direct Line (`/v3/directline/conversations/:id/stream`): each
 * new stream first gets the activities since its `watermark`, then every new one; heartbeats
 * terminate dead sockets. A conversation whose last stream closed and that gets no new one within
 * `customerLeftAfterMs` (a reload reconnects in a second or two; a closed tab never does) is
 * reported through `onCustomerLeft`.
 */
export class DirectLineStreams {
  private readonly wss: WebSocketServer;
  private readonly alive = new WeakSet<WebSocket>();
  private heartbeat: NodeJS.Timeout | undefined;

  constructor(
    private readonly store: ConversationStore,
    private readonly options: DirectLineStreamsOptions,
  ) {
    this.wss = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024 });
    this.wss.on('error', (err) => {
      this.options.logger.warn({ err }, 'websocket server error');
    });
  }

  /** Adds the upgrade handler to `server` and starts the heartbeat. */
  install(server: restify.Server): void {
    addUpgradeRoute(
      server.server,
      `${DIRECT_LINE_PATH}/`,
      (req, socket, head) => {
        this.handleUpgrade(req, socket, head);
      },
      this.options.logger,
    );
    this.heartbeat = setInterval(() => {
      this.beat();
    }, this.options.heartbeatMs);
    this.heartbeat.unref();
  }

  /** Stops the heartbeat and the websocket server (the store closes the sockets). */
  close(): void {
    if (this.heartbeat !== undefined) clearInterval(this.heartbeat);
    this.heartbeat = undefined;
    this.wss.close();
  }

  private handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const match = /^\/v3\/directline\/conversations\/([^/]+)\/stream$/.exec(url.pathname);
    const conversationId = match === null ? undefined : safeDecode(match[1] ?? '');
    const conversation = conversationId === undefined ? undefined : this.store.get(conversationId);
    if (conversation === undefined) {
      refuseUpgrade(socket, 404, 'Not Found', 'No such conversation.');
      return;
    }
    const token = url.searchParams.get('t') ?? bearerFromHeader(req.headers.authorization);
    if (!this.store.tokenValid(conversation, token)) {
      refuseUpgrade(socket, 403, 'Forbidden', 'The token is not valid or has expired.');
      return;
    }
    const watermark = parseWatermark(url.searchParams.get('watermark'));
    if (watermark === null) {
      refuseUpgrade(socket, 400, 'Bad Request', '"watermark" must be a whole number.');
      return;
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      ws.on('error', (err) => {
        this.options.logger.debug({ err, conversationId: conversation.id }, 'stream socket error');
      });
      if (this.store.get(conversation.id) !== conversation) {
        ws.close(1001, 'conversation closed');
        return;
      }
      this.attach(conversation, ws);
      const backlog = this.store.activitiesSince(conversation, watermark ?? 0);
      if (backlog.length > 0) sendFrame(ws, { activities: backlog, watermark: String(conversation.nextSeq) });
    });
  }

  private attach(conversation: Conversation, ws: WebSocket): void {
    this.alive.add(ws);
    ws.on('pong', () => this.alive.add(ws));
    // Clients send empty keep-alive messages; there is nothing else to read.
    ws.on('message', () => this.alive.add(ws));
    ws.on('close', () => {
      this.detach(conversation, ws);
    });
    conversation.sockets.add(ws);
    if (conversation.leaveTimer !== undefined) clearTimeout(conversation.leaveTimer);
    conversation.leaveTimer = undefined;
    while (conversation.sockets.size > MAX_SOCKETS_PER_CONVERSATION) {
      const oldest = conversation.sockets.values().next().value;
      if (oldest === undefined) break;
      conversation.sockets.delete(oldest);
      oldest.close(1000, 'replaced by a newer stream');
    }
    this.store.touch(conversation);
  }

  /** Forgets a closed socket; the conversation's last one starts the customer's grace period. */
  private detach(conversation: Conversation, ws: WebSocket): void {
    if (!conversation.sockets.delete(ws)) return;
    if (conversation.sockets.size > 0 || !conversation.started || conversation.left) return;
    if (this.store.get(conversation.id) !== conversation || conversation.leaveTimer !== undefined) return;
    conversation.leaveTimer = setTimeout(() => {
      conversation.leaveTimer = undefined;
      if (conversation.sockets.size > 0 || this.store.get(conversation.id) !== conversation) return;
      conversation.left = true;
      this.options.logger.info({ conversationId: conversation.id }, 'the customer left the direct line conversation');
      this.options.onCustomerLeft(conversation);
    }, this.options.customerLeftAfterMs);
    conversation.leaveTimer.unref();
  }

  private beat(): void {
    for (const conversation of this.store.all()) {
      for (const ws of conversation.sockets) {
        if (!this.alive.has(ws)) {
          this.detach(conversation, ws);
          ws.terminate();
          continue;
        }
        this.alive.delete(ws);
        ws.ping();
      }
    }
  }
}
