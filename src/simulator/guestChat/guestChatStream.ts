import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocket } from 'ws';
import type { Logger } from '../../logger';
import { refuseUpgrade, type SimulatorHost } from '../kit/simulatorHost';
import type { GuestChatFaults } from './guestChatFaults';
import type { GuestPresence } from './guestChatPresence';
import { decodeGuestChatJwt } from './guestChatSimJwt';
import type { GuestChatModel, SimConversation } from './guestChatModel';
import type { GuestChatSimulatorOptions } from './guestChatTypes';

/**
 * The event stream websocket of the Guest Chat simulator (docs/genesys-protocol.md §3.7): the
 * upgrade on `eventStreamUri`, routing on first attach, heartbeats and `ping`/`pong`.
 */
export class GuestChatStream {
  private readonly heartbeats = new Map<WebSocket, NodeJS.Timeout>();

  constructor(
    private readonly model: GuestChatModel,
    private readonly host: SimulatorHost,
    private readonly faults: GuestChatFaults,
    private readonly options: GuestChatSimulatorOptions,
    private readonly logger: Logger,
    private readonly presence: GuestPresence,
  ) {}

  /** Stops every heartbeat (the simulator stops). */
  stop(): void {
    for (const timer of this.heartbeats.values()) clearInterval(timer);
    this.heartbeats.clear();
    this.presence.stop();
  }

  /** Opens the event stream of `/v1/token/{jwt}`, or refuses the upgrade (401 bad token, 404 unknown or retired). */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    const match = /^\/v1\/token\/([^/]+)$/.exec(path);
    const refusal = this.checkUpgrade(match?.[1]);
    if (typeof refusal === 'number') {
      refuseUpgrade(socket, refusal, refusal === 401 ? 'Unauthorized' : 'Not Found');
      return;
    }
    const c = refusal;
    this.host.acceptUpgrade(req, socket, head, (ws) => {
      this.attach(c, ws);
    });
  }

  /** The conversation a stream URI's token opens, or the HTTP status refusing it. */
  private checkUpgrade(jwt: string | undefined): SimConversation | number {
    // [I] a retired org has no streaming endpoint for chats either.
    if (this.faults.retired || jwt === undefined) return 404;
    const conversationId = this.model.issuedJwts.get(jwt);
    const claims = decodeGuestChatJwt(jwt);
    if (conversationId === undefined || claims === undefined) return 401;
    if (claims.exp * 1000 <= this.model.now()) return 401;
    return this.model.conversations.get(conversationId) ?? 404;
  }

  private attach(c: SimConversation, ws: WebSocket): void {
    ws.on('error', (err) => {
      this.logger.debug({ err, conversationId: c.id }, 'simulator socket error');
    });
    c.sockets.add(ws);
    this.model.streamAttachments++;
    if (c.state === 'pending') {
      // docs/genesys-protocol.md §3.2 [C]: the chat is routed only once its event stream is attached.
      c.state = 'active';
      this.logger.debug({ conversationId: c.id }, 'event stream attached; routing');
    }
    this.model.changed();
    this.presence.streamAttached(c, ws);
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
      this.presence.streamClosed(c);
      this.model.changed();
    });
  }

  /** Stops the heartbeat of a socket. */
  stopHeartbeat(ws: WebSocket): void {
    const timer = this.heartbeats.get(ws);
    if (timer !== undefined) clearInterval(timer);
    this.heartbeats.delete(ws);
  }
}
