import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '../../logger';
import type { GuestChatFaults } from './guestChatFaults';
import { CONVERSATIONS_PATH, type GuestChatModel, type SimConversation } from './guestChatModel';
import type { GuestChatRoutes } from './guestChatRoutes';
import { errorBody, fail, HttpProblem, notFoundError, type HttpAnswer } from './guestChatSimErrors';
import { decodeGuestChatJwt } from './guestChatSimJwt';
import type { GuestChatSimRequest } from './guestChatTypes';

const API_PREFIX = '/api/v2/webchat/';
const MAX_REQUEST_BYTES = 1_000_000;

/**
 * The REST transport of the Guest Chat simulator (docs/genesys-protocol.md §3.1): body reading,
 * routing, `Authorization: Bearer` checks, injected faults, the request log and JSON answers.
 */
export class GuestChatHttp {
  /** Every request answered so far, oldest first. */
  readonly requestLog: GuestChatSimRequest[] = [];

  constructor(
    private readonly model: GuestChatModel,
    private readonly routes: GuestChatRoutes,
    private readonly faults: GuestChatFaults,
    private readonly logger: Logger,
  ) {}

  /** Answers one request: logs it, maps a thrown {@link HttpProblem} to its answer. */
  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const method = (req.method ?? 'GET').toUpperCase();
    const raw = await readBody(req);
    let answer: HttpAnswer;
    let conversationId: string | undefined;
    let streamAttached = false;
    try {
      const match = /^\/api\/v2\/webchat\/guest\/conversations\/([^/]+)/.exec(url.pathname);
      conversationId = match?.[1] === undefined ? undefined : decodeURIComponent(match[1]);
      const c = conversationId === undefined ? undefined : this.model.conversations.get(conversationId);
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
      at: this.model.now(),
    });
    this.logger.debug({ method, path: url.pathname, status: answer.status }, 'simulator request');
    this.writeJson(res, answer);
  }

  /** Writes an answer as JSON (no body for 204). */
  writeJson(res: ServerResponse, answer: HttpAnswer): void {
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
    if (this.faults.retired && path.startsWith(API_PREFIX.slice(0, -1))) fail(notFoundError());
    this.faults.apply(method, path);
    if (path === CONVERSATIONS_PATH) {
      if (method !== 'POST') fail(notFoundError());
      return this.routes.create(req, raw);
    }
    const match = /^\/api\/v2\/webchat\/guest\/conversations\/([^/]+)(\/.*)?$/.exec(path);
    const encodedId = match?.[1];
    if (match === null || encodedId === undefined) fail(notFoundError());
    const conversationId = decodeURIComponent(encodedId);
    const rest = match.at(2) ?? '';
    const c = this.authenticate(req, conversationId);

    let m: RegExpExecArray | null;
    if ((m = /^\/members\/([^/]+)\/messages$/.exec(rest)) !== null && method === 'POST')
      return this.routes.postMessage(c, decodeURIComponent(m[1] ?? ''), raw);
    if ((m = /^\/members\/([^/]+)\/typing$/.exec(rest)) !== null && method === 'POST')
      return this.routes.postTyping(c, decodeURIComponent(m[1] ?? ''));
    if (rest === '/messages' && method === 'GET') return this.routes.listMessages(c, url.searchParams);
    if ((m = /^\/messages\/([^/]+)$/.exec(rest)) !== null && method === 'GET')
      return this.routes.getMessage(c, decodeURIComponent(m[1] ?? ''));
    if (rest === '/members' && method === 'GET') return this.routes.listMembers(c, url.searchParams);
    if ((m = /^\/members\/([^/]+)$/.exec(rest)) !== null) {
      const memberId = decodeURIComponent(m[1] ?? '');
      if (method === 'GET') return this.routes.getMember(c, memberId);
      if (method === 'DELETE') return this.routes.deleteMember(c, memberId);
    }
    // Legacy co-browse media requests: none are ever offered (docs/genesys-protocol.md §3.1).
    if (rest === '/mediarequests' && method === 'GET')
      return { status: 200, body: { entities: [], pageSize: 25, pageNumber: 1, total: 0, pageCount: 0 } };
    if (/^\/mediarequests\/[^/]+$/.test(rest) && (method === 'GET' || method === 'PATCH'))
      fail(errorBody(404, 'chat.error.not.found', 'Media request not found'));
    fail(notFoundError());
  }

  private authenticate(req: IncomingMessage, conversationId: string): SimConversation {
    const header = req.headers.authorization;
    const match = header === undefined ? null : /^Bearer\s+(\S+)$/i.exec(header);
    const token = match?.[1];
    if (token === undefined)
      fail(
        errorBody(401, 'authentication.required', 'No authentication bearer token specified in authorization header.'),
      );
    const tokenConversation = this.model.issuedJwts.get(token);
    const claims = decodeGuestChatJwt(token);
    if (tokenConversation === undefined || claims === undefined)
      fail(errorBody(401, 'bad.credentials', 'Invalid login credentials.'));
    if (claims.exp * 1000 <= this.model.now())
      fail(errorBody(401, 'credentials.expired', 'The supplied credentials are expired and cannot be used.'));
    // [I] a token for another conversation is refused like a missing permission.
    if (tokenConversation !== conversationId)
      fail(errorBody(403, 'not.authorized', 'You are not authorized to perform the requested action.'));
    const c = this.model.conversations.get(conversationId);
    if (c === undefined) fail(errorBody(404, 'chat.error.not.found', 'Conversation not found'));
    return c;
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
