import type { ServerResponse } from 'node:http';
import type * as restify from 'restify';
import type { Logger } from '../logger';
import type { SimulatedConversationInfo } from '../simulator/webMessaging/webMessagingSimulator';
import type { AgentConsoleSource } from './consoleSources';
import { jsonBody, routeParam, sendError } from './http';

/** Path prefix of the agent console's JSON API. */
export const AGENT_API_PATH = '/demo/api';

/** A conversation as the agent console shows it (the guest's session token is left out). */
export type AgentConversationView = Omit<SimulatedConversationInfo, 'sessionToken'> & {
  /** True while the chat is open on the agent's side but the customer has left it (Open Messaging). */
  customerLeft?: boolean;
};

/** Options of {@link AgentApi}. */
export interface AgentApiOptions {
  logger: Logger;
  /** Most conversations listed, newest first (default 50). */
  maxListed?: number;
  /** Most open live-update streams; the oldest is closed first (default 20). */
  maxStreams?: number;
  /** Interval of SSE keep-alive comments (default 15 s). */
  keepAliveMs?: number;
}

const MAX_NICKNAME_CHARS = 40;
/** [C] docs/genesys-protocol.md §5.7: most characters of an agent's message to the customer. */
export const AGENT_TEXT_MAX_CHARS = 4000;
/** Most quick replies the console sends with one message, and their longest label. */
const MAX_QUICK_REPLIES = 10;
const MAX_QUICK_REPLY_CHARS = 100;
/** Largest file the console sends (bytes); its base64 form must fit the server's JSON body limit. */
export const MAX_AGENT_FILE_BYTES = 150_000;
const MAX_FILE_NAME_CHARS = 200;

/**
 * The agent console's API over the in-process Genesys simulator:
 *
 * - `GET /demo/api/conversations` and `GET /demo/api/conversations/:id`;
 * - `POST /demo/api/conversations/:id/accept` `{ nickname }`, `/typing`, `/messages` `{ text }`,
 *   `/quick-replies` `{ text?, replies: string[] }` (a Web Messaging quick reply each, the label as
 *   payload; at most 10 of at most 100 characters), `/end`;
 * - `POST /demo/api/conversations/:id/files` `{ fileName, contentType, data }` (`data`: the file in
 *   base64, at most {@link MAX_AGENT_FILE_BYTES} bytes): the agent sends a file the simulator serves;
 * - `GET /demo/api/events`: Server-Sent Events, `conversations` (the list, on every change) and
 *   `typing` (`{ conversationId }` when the customer types).
 */
export class AgentApi {
  private readonly logger: Logger;
  private readonly streams = new Set<ServerResponse>();
  private readonly maxListed: number;
  private readonly maxStreams: number;
  private pending: NodeJS.Timeout | undefined;
  private unfollow: (() => void) | undefined;
  private keepAlive: NodeJS.Timeout | undefined;
  private readonly onChanged = (): void => {
    this.scheduleBroadcast();
  };
  private readonly onGuestTyping = ({ conversationId }: { conversationId: string }): void => {
    this.broadcast('typing', { conversationId });
  };

  constructor(
    private readonly simulator: AgentConsoleSource,
    private readonly options: AgentApiOptions,
  ) {
    this.logger = options.logger.child({ component: 'agentConsole' });
    this.maxListed = options.maxListed ?? 50;
    this.maxStreams = options.maxStreams ?? 20;
  }

  /** Adds the routes to `server` and starts following the simulator. */
  install(server: restify.Server): void {
    const base = `${AGENT_API_PATH}/conversations`;
    server.get(base, (_req: restify.Request, res: restify.Response, next: restify.Next) => {
      res.send(200, { conversations: this.list() });
      next();
    });
    server.get(`${base}/:conversationId`, (req: restify.Request, res: restify.Response, next: restify.Next) => {
      const info = this.simulator.findConversation(routeParam(req, 'conversationId') ?? '');
      if (info === undefined) sendError(res, 404, 'conversationNotFound', 'No such conversation.');
      else res.send(200, this.view(info));
      next();
    });
    server.post(`${base}/:conversationId/accept`, (req: restify.Request, res: restify.Response, next: restify.Next) => {
      this.act(req, res, 'waiting', (id) => {
        const body = jsonBody(req);
        const raw = body?.nickname;
        if (raw !== undefined && typeof raw !== 'string') return '"nickname" must be a string.';
        const nickname = (raw ?? '').trim() || 'Agent';
        if (nickname.length > MAX_NICKNAME_CHARS) return `"nickname" must be at most ${MAX_NICKNAME_CHARS} characters.`;
        this.simulator.agentJoin(id, nickname);
        this.logger.info({ conversationId: id }, 'agent accepted a chat');
        return undefined;
      });
      next();
    });
    server.post(`${base}/:conversationId/typing`, (req: restify.Request, res: restify.Response, next: restify.Next) => {
      this.act(req, res, 'active', (id) => {
        // The simulator drops typing past Genesys' agent-side rate; that is not an error.
        this.simulator.agentTyping(id);
        return undefined;
      });
      next();
    });
    server.post(
      `${base}/:conversationId/messages`,
      (req: restify.Request, res: restify.Response, next: restify.Next) => {
        this.act(req, res, 'active', (id) => {
          const text = jsonBody(req)?.text;
          if (typeof text !== 'string' || text.trim() === '') return '"text" must be a non-empty string.';
          if (text.length > AGENT_TEXT_MAX_CHARS) return `"text" must be at most ${AGENT_TEXT_MAX_CHARS} characters.`;
          this.simulator.agentSend(id, text.trim());
          return undefined;
        });
        next();
      },
    );
    server.post(
      `${base}/:conversationId/quick-replies`,
      (req: restify.Request, res: restify.Response, next: restify.Next) => {
        this.act(req, res, 'active', (id) => {
          const body = jsonBody(req);
          const text = body?.text ?? '';
          const replies = body?.replies;
          if (typeof text !== 'string' || text.length > AGENT_TEXT_MAX_CHARS)
            return `"text" must be a string of at most ${AGENT_TEXT_MAX_CHARS} characters.`;
          const labels = Array.isArray(replies)
            ? replies.map((r) => (typeof r === 'string' ? r.trim() : '')).filter((r) => r !== '')
            : [];
          if (!Array.isArray(replies) || labels.length !== replies.length || labels.length === 0)
            return '"replies" must be a list of non-empty strings.';
          if (labels.length > MAX_QUICK_REPLIES) return `"replies" must have at most ${MAX_QUICK_REPLIES} entries.`;
          if (labels.some((l) => l.length > MAX_QUICK_REPLY_CHARS))
            return `Each reply must be at most ${MAX_QUICK_REPLY_CHARS} characters.`;
          this.simulator.agentSendQuickReplies(id, text.trim(), labels);
          return undefined;
        });
        next();
      },
    );
    server.post(`${base}/:conversationId/files`, (req: restify.Request, res: restify.Response, next: restify.Next) => {
      this.act(req, res, 'active', (id) => {
        const file = agentFile(jsonBody(req));
        if (typeof file === 'string') return file;
        const refused = this.simulator.agentSendFile(id, file);
        if (refused !== undefined) return refused;
        this.logger.info({ conversationId: id, bytes: file.bytes.byteLength }, 'agent sent a file');
        return undefined;
      });
      next();
    });
    server.post(`${base}/:conversationId/end`, (req: restify.Request, res: restify.Response, next: restify.Next) => {
      this.act(req, res, 'waiting-or-active', (id) => {
        this.simulator.endConversation(id);
        this.logger.info({ conversationId: id }, 'agent ended a chat');
        return undefined;
      });
      next();
    });
    server.get(`${AGENT_API_PATH}/events`, (req: restify.Request, res: restify.Response, next: restify.Next) => {
      this.openStream(req, res);
      next();
    });

    this.unfollow = this.simulator.follow(this.onChanged, this.onGuestTyping);
    this.keepAlive = setInterval(() => {
      for (const stream of this.streams) stream.write(': keep-alive\n\n');
    }, this.options.keepAliveMs ?? 15_000);
    this.keepAlive.unref();
    server.server.once('close', () => {
      this.close();
    });
  }

  /** Stops following the simulator and closes every live-update stream. Idempotent. */
  close(): void {
    this.unfollow?.();
    this.unfollow = undefined;
    if (this.pending !== undefined) clearTimeout(this.pending);
    if (this.keepAlive !== undefined) clearInterval(this.keepAlive);
    this.pending = undefined;
    this.keepAlive = undefined;
    for (const stream of this.streams) stream.end();
    this.streams.clear();
  }

  /** What the console shows of a conversation: never the guest's session token. */
  private view(info: SimulatedConversationInfo): AgentConversationView {
    const { sessionToken: _sessionToken, ...rest } = info;
    return this.simulator.customerLeft(info.id) ? { ...rest, customerLeft: true } : rest;
  }

  /** The newest conversations, newest first. */
  list(): AgentConversationView[] {
    return this.simulator
      .conversations()
      .slice(-this.maxListed)
      .reverse()
      .map((info) => this.view(info));
  }

  /**
   * Runs an agent action on a conversation in the required state. `action` returns a problem with
   * the request (400) or undefined; the answer is the conversation afterwards.
   */
  private act(
    req: restify.Request,
    res: restify.Response,
    required: 'waiting' | 'active' | 'waiting-or-active',
    action: (conversationId: string) => string | undefined,
  ): void {
    const id = routeParam(req, 'conversationId') ?? '';
    const before = this.simulator.findConversation(id);
    if (before === undefined) {
      sendError(res, 404, 'conversationNotFound', 'No such conversation.');
      return;
    }
    const allowed = required === 'waiting-or-active' ? before.state !== 'ended' : before.state === required;
    if (!allowed) {
      const message =
        before.state === 'ended'
          ? 'The chat has ended.'
          : before.state === 'waiting'
            ? 'Accept the chat first.'
            : 'The chat is already accepted.';
      sendError(res, 409, 'wrongState', message);
      return;
    }
    if (jsonBody(req) === undefined) {
      sendError(res, 400, 'badArgument', 'The body must be a JSON object.');
      return;
    }
    let problem: string | undefined;
    try {
      problem = action(id);
    } catch (err) {
      // The chat may have ended between the check and the action, or the customer left a chat the agent still holds.
      this.logger.info({ err, conversationId: id }, 'agent action refused by the simulator');
      if (this.simulator.customerLeft(id))
        sendError(res, 409, 'customerLeft', 'The customer has left the chat; end it with End chat.');
      else sendError(res, 409, 'wrongState', 'The chat changed; reload it and try again.');
      return;
    }
    if (problem !== undefined) {
      sendError(res, 400, 'badArgument', problem);
      return;
    }
    const after = this.simulator.findConversation(id);
    res.send(200, after === undefined ? {} : this.view(after));
  }

  private openStream(req: restify.Request, res: restify.Response): void {
    const raw: ServerResponse = res;
    // restify replaces ServerResponse#writeHead process-wide and it does not return the response.
    raw.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    raw.write('retry: 2000\n\n');
    raw.write(`event: conversations\ndata: ${JSON.stringify(this.list())}\n\n`);
    this.streams.add(raw);
    while (this.streams.size > this.maxStreams) {
      const oldest = this.streams.values().next().value;
      if (oldest === undefined) break;
      this.streams.delete(oldest);
      oldest.end();
    }
    req.on('close', () => {
      this.streams.delete(raw);
    });
  }

  /** Coalesces bursts of simulator changes into one update. */
  private scheduleBroadcast(): void {
    this.pending ??= setTimeout(() => {
      this.pending = undefined;
      this.broadcast('conversations', this.list());
    }, 50);
  }

  private broadcast(event: string, data: unknown): void {
    if (this.streams.size === 0) return;
    const frame = `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
    for (const stream of this.streams) stream.write(frame);
  }
}

/** The file of a `/files` request, or what is wrong with the request. */
function agentFile(
  body: Record<string, unknown> | undefined,
): { fileName: string; mime: string; bytes: Uint8Array } | string {
  const fileName = typeof body?.fileName === 'string' ? body.fileName.trim() : '';
  const mime = typeof body?.contentType === 'string' ? body.contentType.trim().toLowerCase() : '';
  const data = typeof body?.data === 'string' ? body.data : '';
  if (fileName === '' || fileName.length > MAX_FILE_NAME_CHARS || /[\\/]/.test(fileName))
    return `"fileName" must be a file name of at most ${MAX_FILE_NAME_CHARS} characters.`;
  if (!/^[a-z0-9.+-]+\/[a-z0-9.+-]+$/.test(mime)) return '"contentType" must be a MIME type.';
  if (data === '' || !/^[A-Za-z0-9+/]+={0,2}$/.test(data)) return '"data" must be the file in base64.';
  const bytes = Buffer.from(data, 'base64');
  if (bytes.length > MAX_AGENT_FILE_BYTES) return `The file must be at most ${MAX_AGENT_FILE_BYTES} bytes.`;
  return { fileName, mime, bytes: new Uint8Array(bytes) };
}
