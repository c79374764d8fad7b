import type { Server } from 'node:http';
import type { Duplex } from 'node:stream';
import type * as restify from 'restify';
import type { Logger } from '../logger';

/** The JSON body of every error answer: a stable camelCase `error` code and a short sentence. */
export interface JsonError {
  error: string;
  message: string;
  [detail: string]: unknown;
}

/** Sends `{ error, message, ...details }` with `status`. */
export function sendJsonError(
  res: restify.Response,
  status: number,
  error: string,
  message: string,
  details: Record<string, unknown> = {},
): void {
  const body: JsonError = { error, message, ...details };
  res.send(status, body);
}

/** Status and error code Node's HTTP parser errors are answered with (anything else: 400 badRequest). */
const PARSER_ERRORS: Readonly<Record<string, readonly [number, string, string]>> = {
  HPE_HEADER_OVERFLOW: [431, 'Request Header Fields Too Large', 'headersTooLarge'],
  HPE_CHUNK_EXTENSIONS_OVERFLOW: [413, 'Payload Too Large', 'bodyTooLarge'],
  ERR_HTTP_REQUEST_TIMEOUT: [408, 'Request Timeout', 'requestTimeout'],
};

/**
 * Answers requests Node's HTTP parser refuses (malformed request line or headers, headers over
 * Node's size limit, conflicting `Content-Length`, a request that took too long) with a 4xx and a
 * JSON error, then closes the connection, instead of Node's bare answer. Sockets that are already
 * gone are destroyed quietly. Nothing here throws.
 */
export function answerClientErrors(server: Server, logger: Logger): void {
  server.on('clientError', (err: Error & { code?: string }, socket: Duplex) => {
    const code = err.code ?? '';
    if (code === 'ECONNRESET' || !socket.writable || responseInProgress(socket)) {
      socket.destroy();
      return;
    }
    const [status, reason, error] = PARSER_ERRORS[code] ?? [400, 'Bad Request', 'badRequest'];
    logger.info({ status, code }, 'malformed HTTP request refused');
    const body = JSON.stringify({ error, message: `The HTTP request could not be read (${reason}).` });
    socket.end(
      `HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
      () => {
        socket.destroy();
      },
    );
  });
}

/** True when a response has started on the socket (a raw answer would corrupt it). */
function responseInProgress(socket: Duplex): boolean {
  // Node keeps the response being written on the socket; its headers may already be out.
  const current = (socket as Duplex & { _httpMessage?: { headersSent?: boolean } | null })._httpMessage;
  return current?.headersSent === true;
}

/**
 * Answers an HTTP/1.1 request without a `Host` header with 400 and a JSON error (RFC 9112 §3.2).
 * Node's own check answers with an empty body, so it is turned off and done here instead.
 */
export function requireHostHeader(server: restify.Server): void {
  // Node reads this per request; `@types/node` 20 does not declare it.
  Object.assign(server.server, { requireHostHeader: false });
  server.pre((req: restify.Request, res: restify.Response, next: restify.Next) => {
    if (req.httpVersion === '1.1' && (req.headers.host ?? '') === '') {
      res.setHeader('connection', 'close');
      sendJsonError(res, 400, 'missingHost', 'An HTTP/1.1 request needs a Host header.');
      next(false);
      return;
    }
    next();
  });
}
