import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import type { Logger } from '../../logger';

/**
 * The Platform API's HTTP conventions for the simulators: a method + path-pattern router with raw
 * body capture and Genesys-shaped error bodies ({@link SimRouter}), and a small server around it
 * with an upgrade hook for websockets ({@link SimHttpServer}).
 */

/** An HTTP failure answered with Genesys' error body `{ message, code, status, contextId }`. */
export class SimHttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'SimHttpError';
  }
}

/** A request as a route handler sees it. */
export interface SimRequest {
  method: string;
  url: URL;
  /** Path parameters named in the route pattern (`{name}`). */
  params: Record<string, string>;
  headers: IncomingMessage['headers'];
  /** The raw body bytes. */
  rawBody: Buffer;
}

/** What a route handler answers: a status and a JSON body (or none). */
export interface SimResponse {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

/** A route handler; throwing {@link SimHttpError} answers that error. */
export type SimHandler = (req: SimRequest) => SimResponse | Promise<SimResponse>;

interface Route {
  method: string;
  pattern: RegExp;
  names: string[];
  handler: SimHandler;
}

/** Options of {@link SimHttpServer}. */
export interface SimHttpServerOptions {
  logger: Logger;
  /** Largest accepted request body in bytes; larger answers 413 (default 1 MiB) [U] for Genesys. */
  maxBodyBytes?: number;
  /** Called for websocket upgrade requests. */
  onUpgrade?: (req: IncomingMessage, socket: Duplex, head: Buffer) => void;
}

/** Parses a JSON body; a body that is not JSON answers 400 `bad.request`. */
export function parseJsonBody(raw: Buffer): unknown {
  if (raw.length === 0) return undefined;
  try {
    return JSON.parse(raw.toString('utf8')) as unknown;
  } catch {
    throw new SimHttpError(
      400,
      'bad.request',
      'The request could not be understood by the server due to malformed syntax.',
    );
  }
}

/**
 * Routes requests by method and path pattern to {@link SimHandler}s. A simulator with its own server
 * hands every request to {@link handle} first and answers the ones it leaves.
 */
export class SimRouter {
  private readonly routes: Route[] = [];

  /** @param maxBodyBytes Largest accepted request body; larger answers 413 (default 1 MiB) [U] for Genesys. */
  constructor(private readonly maxBodyBytes = 1024 * 1024) {}

  /** Adds a route; `{name}` segments of `path` become `params.name`. */
  route(method: string, path: string, handler: SimHandler): void {
    const names: string[] = [];
    const source = path.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{(\w+)\}/g, (_m, name: string) => {
      names.push(name);
      return '([^/]+)';
    });
    this.routes.push({ method, pattern: new RegExp(`^${source}$`), names, handler });
  }

  /**
   * Answers a request whose path matches a route: the route's answer, its {@link SimHttpError}, or
   * 405 when only the method differs. Resolves false, answering nothing, when no path matches.
   */
  async handle(req: IncomingMessage, res: ServerResponse): Promise<boolean> {
    const url = new URL(req.url ?? '/', 'http://simulator');
    const method = req.method ?? 'GET';
    let pathMatched = false;
    for (const route of this.routes) {
      const match = route.pattern.exec(url.pathname);
      if (match === null) continue;
      pathMatched = true;
      if (route.method !== method) continue;
      const params: Record<string, string> = {};
      route.names.forEach((name, index) => {
        params[name] = decodeURIComponent(match[index + 1] ?? '');
      });
      try {
        const rawBody = await this.readBody(req);
        writeSimResponse(res, await route.handler({ method, url, params, headers: req.headers, rawBody }));
      } catch (err) {
        if (!(err instanceof SimHttpError)) throw err;
        writeSimResponse(res, {
          status: err.status,
          body: errorBody(err.status, err.code, err.message),
          headers: err.headers,
        });
      }
      return true;
    }
    if (!pathMatched) return false;
    writeSimResponse(res, { status: 405, body: errorBody(405, 'method.not.allowed', 'Method not allowed') });
    return true;
  }

  private async readBody(req: IncomingMessage): Promise<Buffer> {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of req) {
      const buffer = chunk as Buffer;
      size += buffer.length;
      if (size > this.maxBodyBytes) {
        throw new SimHttpError(413, 'request.entity.too.large', `The request body exceeds ${this.maxBodyBytes} bytes`);
      }
      chunks.push(buffer);
    }
    return Buffer.concat(chunks);
  }
}

/** Writes a {@link SimResponse}: JSON when it has a body. */
export function writeSimResponse(res: ServerResponse, response: SimResponse): void {
  const headers = { ...(response.headers ?? {}) };
  if (response.body === undefined) {
    res.writeHead(response.status, headers);
    res.end();
    return;
  }
  res.writeHead(response.status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(response.body));
}

/** A loopback HTTP server with a tiny router. */
export class SimHttpServer {
  /** The routes this server answers. */
  readonly router: SimRouter;
  private readonly server: Server;

  constructor(options: SimHttpServerOptions) {
    this.router = new SimRouter(options.maxBodyBytes);
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((err: unknown) => {
        options.logger.error({ err }, 'simulator request failed');
        if (!res.headersSent)
          writeSimResponse(res, { status: 500, body: errorBody(500, 'internal.server.error', 'Internal error') });
      });
    });
    const onUpgrade = options.onUpgrade;
    if (onUpgrade !== undefined) this.server.on('upgrade', onUpgrade);
  }

  /** Adds a route; `{name}` segments of `path` become `params.name`. */
  route(method: string, path: string, handler: SimHandler): void {
    this.router.route(method, path, handler);
  }

  /** Listens on `host:port` (port 0 = any free port) and resolves with the bound port. */
  async listen(port: number, host: string): Promise<number> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    return (this.server.address() as AddressInfo).port;
  }

  /** Stops listening and drops open connections. */
  async close(): Promise<void> {
    if (!this.server.listening) return;
    this.server.closeAllConnections();
    await new Promise<void>((resolve) =>
      this.server.close(() => {
        resolve();
      }),
    );
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (await this.router.handle(req, res)) return;
    writeSimResponse(res, { status: 404, body: errorBody(404, 'not.found', 'Resource not found') });
  }
}

/** Genesys' error body (Platform API `ErrorBody` fields) [C] names; codes are [I]. */
export function errorBody(status: number, code: string, message: string): Record<string, unknown> {
  return { message, code, status, contextId: randomUUID(), details: [], errors: [] };
}
