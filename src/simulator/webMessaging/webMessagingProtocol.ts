import { randomUUID } from 'node:crypto';
import type { EventEmitter } from 'node:events';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { RawData } from 'ws';
import type { Logger } from '../../logger';
import { refuseUpgrade, type SimulatorHost } from '../kit/simulatorHost';
import { parseGuestRequest, type GuestRequest } from './clientFrames';
import { allowedMediaOf, type WebMessagingAttachments } from './webMessagingAttachments';
import type { WebMessagingFaults } from './webMessagingFaults';
import { retryAfterSeconds, timesOf } from './webMessagingRateLimits';
import type { WebMessagingGuestMessages } from './webMessagingGuestMessages';
import {
  MAX_CUSTOM_ATTRIBUTES_BYTES,
  send,
  stringFrame,
  type Connection,
  type WebMessagingModel,
} from './webMessagingModel';
import type { WebMessagingSimulatorEvents } from './webMessagingTypes';

function rawToString(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  if (Buffer.isBuffer(data)) return data.toString('utf8');
  return Buffer.from(data).toString('utf8');
}

/**
 * The guest websocket of the Web Messaging simulator (docs/genesys-protocol.md §5.1-§5.4): the
 * upgrade checks, one frame per client request, sessions (`configureSession`), `echo`, `getJwt`
 * and `closeSession`. Guest messages and events are handled by {@link WebMessagingGuestMessages}.
 */
export class WebMessagingProtocol {
  /** JWTs issued by `getJwt`, for the history REST endpoint. */
  readonly jwts = new Map<string, { token: string; exp: number }>();
  private nextConnectionId = 1;

  constructor(
    private readonly model: WebMessagingModel,
    private readonly host: SimulatorHost,
    private readonly guestMessages: WebMessagingGuestMessages,
    private readonly faults: WebMessagingFaults,
    private readonly events: EventEmitter<WebMessagingSimulatorEvents>,
    private readonly logger: Logger,
    private readonly attachments: WebMessagingAttachments,
  ) {}

  /** Checks a guest upgrade (path, deployment, Origin) and accepts or refuses it. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const url = new URL(req.url ?? '/', 'http://simulator');
    const refuse = (status: number, text: string): void => {
      refuseUpgrade(socket, status, text);
    };
    if (url.pathname !== '/v1') {
      refuse(404, 'Not Found');
      return;
    }
    if (this.faults.outage) {
      // An outage between the guest and Genesys: sessions live on, connections cannot be made.
      refuse(503, 'Service Unavailable');
      return;
    }
    const deploymentId = url.searchParams.get('deploymentId') ?? '';
    if (deploymentId.length === 0) {
      refuse(400, 'Bad Request');
      return;
    }
    const deployment = this.model.deployments.get(deploymentId);
    if (deployment === undefined && this.model.settings.unknownDeploymentRejection === 'handshake') {
      refuse(404, 'Not Found');
      return;
    }
    const origin = req.headers.origin;
    const originRefused =
      deployment !== undefined &&
      deployment.allowedOrigins.length > 0 &&
      (origin === undefined || !deployment.allowedOrigins.includes(origin));
    if (originRefused && this.model.settings.originRejection === 'handshake') {
      refuse(403, 'Forbidden');
      return;
    }
    this.host.acceptUpgrade(req, socket, head, (ws) => {
      const connection: Connection = { id: this.nextConnectionId++, ws, deploymentId, originRefused };
      this.model.counters.connections++;
      this.model.connections.add(connection);
      ws.on('error', (err) => {
        this.logger.debug({ err, connection: connection.id }, 'guest socket error');
      });
      ws.on('message', (data, isBinary) => {
        if (isBinary) {
          this.model.counters.invalidFrames++;
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
        this.model.detachConnection(connection);
        this.model.connections.delete(connection);
      });
    });
  }

  private handleFrame(connection: Connection, raw: string): void {
    const parsed = parseGuestRequest(raw);
    if (!parsed.ok) {
      this.logger.debug({ reason: parsed.reason }, 'invalid guest frame');
      this.model.counters.invalidFrames++;
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
        const deployment = this.model.deployments.get(request.deploymentId);
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
    const session = this.model.sessions.get(request.token);
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
      case 'onMessage': {
        const message = request.message;
        if (message.type !== 'Event' && message.content.length > 0) {
          const resolved = this.attachments.resolveContent(session, message.content);
          if ('code' in resolved) {
            send(connection.ws, stringFrame(resolved.code, resolved.text, request.tracingId));
            return;
          }
          message.content = resolved.content;
        }
        this.guestMessages.onMessage(connection, session, message, request.tracingId);
        return;
      }
      case 'onAttachment':
        this.attachments.onAttachment(connection, session, request);
        return;
      case 'deleteAttachment':
        this.attachments.deleteAttachment(connection, session, request.attachmentId, request.tracingId);
        return;
      case 'echo':
        if (!this.faults.answerEcho) return;
        if (this.model.settings.echoExtendsSession) this.model.touch(session);
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
            // [C] docs/genesys-protocol.md §5.15: every echo answer reports the lifetime, as strings.
            metadata: {
              durationSeconds: String(session.deployment.sessionDurationSeconds),
              expirationDate: String(Math.floor(session.expiresAt / 1000)),
            },
          },
          ...(request.tracingId === undefined ? {} : { tracingId: request.tracingId }),
        });
        return;
      case 'getJwt': {
        const jwt = `sim.${randomUUID()}`;
        const exp = Math.floor(Date.now() / 1000) + this.model.settings.jwtLifetimeSeconds;
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
            this.model.closeConnection(other, 'closeSession');
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

  /**
   * [C] docs/genesys-protocol.md §5.7: `configureSession` is limited per session (60 a minute) and
   * new connections per deployment (1,000 a minute). [O] A refusal is `TooManyRequestsErrorMessage`
   * with code 429 and `retryAfter` in seconds, and carries no `tracingId`.
   */
  private rateLimited(connection: Connection, token: string, deploymentId: string): boolean {
    const settings = this.model.settings;
    const times = this.model.configureTimes;
    const now = Date.now();
    const bySession = timesOf(times.bySession, token);
    const byDeployment = timesOf(times.byDeployment, deploymentId);
    const window = settings.rateLimitWindowMs;
    const wait =
      retryAfterSeconds(bySession, now, settings.configuresPerSessionPerMinute, window) ??
      retryAfterSeconds(byDeployment, now, settings.configuresPerDeploymentPerMinute, window);
    if (wait === undefined) {
      bySession.push(now);
      byDeployment.push(now);
      return false;
    }
    this.model.counters.configureRateLimited++;
    send(connection.ws, {
      type: 'response',
      class: 'TooManyRequestsErrorMessage',
      code: 429,
      body: { retryAfter: wait, errorCode: 4029, errorMessage: 'Too many requests' },
    });
    this.events.emit('configureRateLimited', { sessionToken: token, retryAfterSeconds: wait });
    this.model.changed();
    return true;
  }

  private configureSession(
    connection: Connection,
    request: Extract<GuestRequest, { action: 'configureSession' }>,
  ): void {
    const tracingId = request.tracingId;
    const deployment = this.model.deployments.get(request.deploymentId);
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
    if (this.rateLimited(connection, request.token, deployment.id)) return;
    let session = this.model.sessions.get(request.token);
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
      this.model.sessions.set(request.token, session);
      this.model.touch(session);
      newSession = true;
    } else if (request.startNew && session.readOnly) {
      // [C] a read-only session is restarted with startNew.
      session.readOnly = false;
    }
    if (connection.token !== undefined && connection.token !== request.token) this.model.detachConnection(connection);
    if (!session.connections.includes(connection)) session.connections.push(connection);
    connection.token = request.token;
    // [C] at most 3 connections per session: a new one closes the oldest.
    while (session.connections.length > this.model.settings.maxConnectionsPerSession) {
      const oldest = session.connections.shift();
      if (oldest === undefined) break;
      this.model.closeConnection(oldest, 'maxConnectionsReached');
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
        ...allowedMediaOf(deployment.attachments),
      },
      ...(tracingId === undefined ? {} : { tracingId }),
    });
    this.events.emit('sessionConfigured', {
      sessionToken: session.token,
      newSession,
      connectionCount: session.connections.length,
    });
    this.model.changed();
  }
}
