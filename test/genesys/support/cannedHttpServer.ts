import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One answer the server gives, in order. */
export interface CannedAnswer {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

/** A local HTTP server that answers requests from a list (500 once the list is empty) and records them. */
export class CannedHttpServer {
  /** Answers still to give, first first. */
  readonly answers: CannedAnswer[] = [];
  /** Requests received: URL (path and query) and Authorization header. */
  readonly seen: { url: string; auth: string | undefined }[] = [];

  private readonly server: Server;
  private address = '';

  private constructor() {
    this.server = createServer((req, res) => {
      this.seen.push({ url: req.url ?? '', auth: req.headers.authorization });
      const answer = this.answers.shift() ?? { status: 500, body: {} };
      res.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers });
      res.end(JSON.stringify(answer.body));
    });
  }

  /** `http://127.0.0.1:<port>`. */
  get url(): string {
    return this.address;
  }

  /** Starts a server on a free local port. */
  static async start(): Promise<CannedHttpServer> {
    const canned = new CannedHttpServer();
    canned.address = await listen(canned.server);
    return canned;
  }

  /** Stops the server. */
  stop(): Promise<void> {
    return close(this.server);
  }
}

/** A local URL nothing listens on (its port was just released). */
export async function unusedUrl(): Promise<string> {
  const server = createServer();
  const url = await listen(server);
  await close(server);
  return url;
}

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

function close(server: Server): Promise<void> {
  return new Promise<void>((resolve) =>
    server.close(() => {
      resolve();
    }),
  );
}
