import { Agent, request } from 'node:http';
import { connect } from 'node:net';

/** One HTTP request as the fuzz suite sends it; headers are raw pairs, so a name may repeat. */
export interface FuzzRequest {
  method: string;
  path: string;
  headers: readonly (readonly [string, string])[];
  body: Uint8Array;
}

/** What came back. `status` is undefined when the connection ended without an answer. */
export interface FuzzAnswer {
  status: number | undefined;
  contentType: string | undefined;
  body: string;
  error?: string;
}

/** Keep-alive agent shared by the fuzz requests (a refused body must not spoil the connection). */
export const fuzzAgent = new Agent({ keepAlive: true, maxSockets: 4 });

/**
 * Sends `req` with Node's HTTP client (headers exactly as given, plus Host unless given and a
 * Content-Length when there is a body and none was given). A server-sent event stream is cut after its headers.
 */
export function send(port: number, req: FuzzRequest, timeoutMs = 20_000): Promise<FuzzAnswer> {
  return new Promise((resolve) => {
    const rawHeaders: string[] = [];
    for (const [name, value] of req.headers) rawHeaders.push(name, value);
    if (!req.headers.some(([name]) => name.toLowerCase() === 'host')) rawHeaders.unshift('Host', `127.0.0.1:${port}`);
    const hasLength = req.headers.some(([name]) => name.toLowerCase() === 'content-length');
    const hasChunked = req.headers.some(([name]) => name.toLowerCase() === 'transfer-encoding');
    if (!hasLength && !hasChunked && (req.body.length > 0 || req.method !== 'GET'))
      rawHeaders.push('Content-Length', String(req.body.length));
    const outgoing = request({
      host: '127.0.0.1',
      port,
      method: req.method,
      path: req.path,
      headers: rawHeaders,
      agent: fuzzAgent,
      timeout: timeoutMs,
    });
    outgoing.on('timeout', () => {
      outgoing.destroy(new Error(`no answer within ${timeoutMs} ms`));
    });
    outgoing.on('error', (err) => {
      resolve({ status: undefined, contentType: undefined, body: '', error: err.message });
    });
    outgoing.on('response', (res) => {
      const contentType = res.headers['content-type'];
      if (contentType?.startsWith('text/event-stream') === true) {
        res.destroy();
        resolve({ status: res.statusCode, contentType, body: '' });
        return;
      }
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', (err) => {
        resolve({ status: res.statusCode, contentType, body: '', error: err.message });
      });
      res.on('end', () => {
        resolve({ status: res.statusCode, contentType, body: Buffer.concat(chunks).toString('utf8') });
      });
    });
    outgoing.end(Buffer.from(req.body));
  });
}

/**
 * Writes `bytes` to a fresh connection and resolves with the status code of the first answer's
 * status line (undefined when the server closed without one).
 */
export function sendRaw(port: number, bytes: Uint8Array, timeoutMs = 20_000): Promise<FuzzAnswer> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    let received = '';
    let settled = false;
    const settle = (error?: string): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      const match = /^HTTP\/1\.[01] (\d{3})/.exec(received);
      const headerEnd = received.indexOf('\r\n\r\n');
      const head = headerEnd < 0 ? received : received.slice(0, headerEnd);
      const type = /\r\ncontent-type:\s*([^\r\n]+)/i.exec(head)?.[1];
      resolve({
        status: match === null ? undefined : Number(match[1]),
        contentType: type,
        body: headerEnd < 0 ? '' : received.slice(headerEnd + 4),
        ...(error === undefined ? {} : { error }),
      });
    };
    const timer = setTimeout(() => {
      settle(`no answer within ${timeoutMs} ms`);
    }, timeoutMs);
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => {
      received += chunk;
    });
    socket.on('error', (err) => {
      settle(err.message);
    });
    socket.on('close', () => {
      settle();
    });
    socket.on('connect', () => {
      socket.write(Buffer.from(bytes));
    });
  });
}
