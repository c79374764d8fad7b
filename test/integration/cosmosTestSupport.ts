import { randomUUID } from 'node:crypto';
import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CosmosClient } from '@azure/cosmos';
import { loadConfig, type Config } from '../../src/config';
import { createLogger, type Logger } from '../../src/logger';

/** Any base64 string is a valid key for the local protocol server. */
export const TEST_COSMOS_KEY = Buffer.from('local-test-key').toString('base64');

/** Endpoint of the local Cosmos DB protocol server started by the jest globalSetup. */
export function testCosmosEndpoint(): string {
  const endpoint = process.env.TEST_COSMOS_ENDPOINT;
  if (endpoint === undefined || endpoint === '')
    throw new Error('TEST_COSMOS_ENDPOINT is not set: run through jest (globalSetup starts the server)');
  return endpoint;
}

/** A client of the local server, for arranging and inspecting what the code under test did. */
export function testCosmosClient(endpoint = testCosmosEndpoint()): CosmosClient {
  return new CosmosClient({ endpoint, key: TEST_COSMOS_KEY, connectionPolicy: { enableEndpointDiscovery: false } });
}

/** A unique id for a database or container (bot storage caches containers per id for the whole process). */
export function uniqueId(prefix: string): string {
  return `${prefix}-${randomUUID().slice(0, 8)}`;
}

/** A validated Config with the given Cosmos DB settings (environment variable names). */
export function cosmosTestConfig(settings: Record<string, string>): Config {
  return loadConfig({ LogLevel: 'silent', ...settings });
}

/** A logger whose output lines are collected as parsed JSON objects. */
export function captureLogger(): { logger: Logger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const logger = createLogger({
    level: 'debug',
    destination: {
      write(chunk: string): void {
        for (const line of chunk.split('\n')) {
          if (line.trim() === '') continue;
          const parsed: unknown = JSON.parse(line);
          if (typeof parsed === 'object' && parsed !== null) lines.push(parsed as Record<string, unknown>);
        }
      },
    },
  });
  return { logger, lines };
}

/** What a {@link CosmosProxy} rule answers instead of forwarding. */
export interface ProxyAnswer {
  status: number;
  body: Record<string, unknown>;
  headers?: Record<string, string>;
}

/** A real HTTP proxy in front of the local server that can answer some requests itself. */
export interface CosmosProxy {
  endpoint: string;
  /** Requests seen, as `METHOD path`. */
  seen: string[];
  close(): Promise<void>;
}

/**
 * Starts a proxy on port 0 forwarding to `target`, except requests for which `rule` returns an
 * answer (403 on creates, 429 throttling...): the service behaviours the local server lacks.
 */
export async function startCosmosProxy(
  target: string,
  rule: (method: string, path: string) => ProxyAnswer | undefined,
): Promise<CosmosProxy> {
  const targetUrl = new URL(target);
  const seen: string[] = [];
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const method = req.method ?? 'GET';
    const path = req.url ?? '/';
    seen.push(`${method} ${path}`);
    const answer = rule(method, path);
    if (answer !== undefined) {
      req.resume();
      res.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers });
      res.end(JSON.stringify(answer.body));
      return;
    }
    const upstream = request(
      {
        host: targetUrl.hostname,
        port: targetUrl.port,
        method,
        path,
        headers: { ...req.headers, host: targetUrl.host },
      },
      (upstreamRes) => {
        res.writeHead(upstreamRes.statusCode ?? 502, upstreamRes.headers);
        upstreamRes.pipe(res);
      },
    );
    upstream.on('error', () => {
      res.destroy();
    });
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    seen,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) =>
        server.close(() => {
          resolve();
        }),
      );
    },
  };
}
