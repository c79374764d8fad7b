import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One `PUT` the stand-in OneDrive upload session received. */
export interface ReceivedPut {
  path: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/**
 * A local HTTP server standing in for both ends of the Teams file consent flow: the download URL of an agent's
 * file (`GET /genesys/...`) and the OneDrive upload session Teams hands out (`PUT /upload/...`),
 * which answers 202 to each fragment but the last and 201 to the last, as an upload session does
 * (403 under `/upload/refused`).
 */
export class FileServer {
  readonly puts: ReceivedPut[] = [];
  /** Paths of every `GET` received, in order. */
  readonly gets: string[] = [];
  private readonly files = new Map<string, Buffer>();
  private readonly uploads = new Map<string, Buffer[]>();
  private server: Server | undefined;
  url = '';

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const path = req.url ?? '';
        if (req.method === 'GET') {
          this.gets.push(path);
          const file = this.files.get(path);
          res.writeHead(file === undefined ? 404 : 200, { 'Content-Type': 'application/pdf' });
          res.end(file);
          return;
        }
        const body = Buffer.concat(chunks);
        this.puts.push({ path, headers: req.headers, body });
        if (path.startsWith('/upload/refused')) {
          res.writeHead(403);
          res.end();
          return;
        }
        const range = /^bytes (\d+)-(\d+)\/(\d+)$/.exec(req.headers['content-range'] ?? '');
        if (req.method !== 'PUT' || range === null || Number(range[2]) - Number(range[1]) + 1 !== body.length) {
          res.writeHead(400);
          res.end();
          return;
        }
        const parts = [...(this.uploads.get(path) ?? []), body];
        this.uploads.set(path, parts);
        const done = Number(range[2]) + 1 === Number(range[3]);
        res.writeHead(done ? 201 : 202, { 'Content-Type': 'application/json' });
        res.end('{}');
      });
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  serve(path: string, bytes: Buffer): string {
    this.files.set(path, bytes);
    return `${this.url}${path}`;
  }

  uploaded(path: string): Buffer {
    return Buffer.concat(this.uploads.get(path) ?? []);
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) =>
      this.server?.close(() => {
        resolve();
      }),
    );
  }
}
