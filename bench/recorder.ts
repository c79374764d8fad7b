import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';

/** Called for every agent message marker (`#a<seq>`) the connector receives. */
export type MarkerListener = (seq: number, receivedAt: number) => void;

const PATH = /^\/v3\/conversations\/[^/]+\/activities(?:\/[^/]+)?$/;
const MARKER = /#a(\d+)/;

/**
 * A lean Emulator-style connector for the bench: accepts the bot's replies and proactive sends at
 * `POST /v3/conversations/{id}/activities[/{replyToId}]`, timestamps each on receipt of the full
 * body (`performance.now()`, the orchestrator's clock), and reports agent-message markers. It keeps
 * nothing but counters, so it stays cheap at thousands of chats.
 */
export class FastRecorder {
  /** Activities received. */
  received = 0;
  /** TCP connections the senders opened (1 per request = no keep-alive). */
  connections = 0;
  private server: Server | undefined;

  constructor(private readonly onMarker: MarkerListener) {}

  /** Starts on a free loopback port; resolves with the serviceUrl. */
  async start(): Promise<string> {
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const at = performance.now();
        if (req.method !== 'POST' || !PATH.test(req.url ?? '')) {
          res.statusCode = 404;
          res.end();
          return;
        }
        this.received++;
        const match = MARKER.exec(Buffer.concat(chunks).toString('utf8'));
        res.statusCode = 200;
        res.setHeader('content-type', 'application/json');
        res.end('{"id":"r"}');
        if (match?.[1] !== undefined) this.onMarker(Number(match[1]), at);
      });
    });
    server.keepAliveTimeout = 60_000;
    server.on('connection', () => {
      this.connections++;
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    this.server = server;
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  /** Stops and drops every connection. */
  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (server === undefined) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) =>
      server.close(() => {
        resolve();
      }),
    );
  }
}
