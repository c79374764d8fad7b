import type { IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHttpServer } from '@vercel/cosmosdb-server';
import { controlRequestCharge } from '../test/support/cosmosServer';
import type { CosmosCounters, StartResult } from './protocol';
import { serveCommands, type WorkerOwnCommand } from './workerRuntime';

/**
 * The local Cosmos DB protocol server in its own process (so its work does not land on the bot's or
 * the orchestrator's event loop), counting requests by operation: the storage cost of the bot.
 */

const counters: CosmosCounters = {};

function operationOf(req: IncomingMessage): string {
  const path = (req.url ?? '').split('?')[0] ?? '';
  const onDoc = /\/docs\/[^/]+$/.test(path);
  const onDocs = /\/docs\/?$/.test(path);
  const method = req.method ?? 'GET';
  if (onDoc && method === 'GET') return 'read';
  if (onDoc && method === 'PUT') return 'replace';
  if (onDoc && method === 'DELETE') return 'delete';
  if (onDoc && method === 'PATCH') return 'patch';
  if (onDocs && method === 'POST') {
    if (
      req.headers['x-ms-documentdb-isquery'] === 'True' ||
      req.headers['x-ms-documentdb-isquery'] === 'true' ||
      req.headers['content-type'] === 'application/query+json'
    )
      return 'query';
    return req.headers['x-ms-documentdb-is-upsert'] === 'True' || req.headers['x-ms-documentdb-is-upsert'] === 'true'
      ? 'upsert'
      : 'create';
  }
  return 'other';
}

async function handle(command: WorkerOwnCommand): Promise<unknown> {
  switch (command.cmd) {
    case 'start': {
      const server = createHttpServer({ keepAlive: true });
      // The server's constant `x-ms-request-charge: 1` is a placeholder, not a charge: send none.
      controlRequestCharge(server, () => undefined);
      server.prependListener('request', (req: IncomingMessage) => {
        const op = operationOf(req);
        counters[op] = (counters[op] ?? 0) + 1;
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      return { port: (server.address() as AddressInfo).port, startMs: 0 } satisfies StartResult;
    }
    case 'counters':
      return { ...counters };
    default:
      return null;
  }
}

serveCommands(handle);
