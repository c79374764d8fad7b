import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Logger } from '../logger';

/** Takes over an upgraded connection (a websocket) whose path matched its prefix. */
export type UpgradeHandler = (req: IncomingMessage, socket: Duplex, head: Buffer) => void;

const routes = new WeakMap<Server, Map<string, UpgradeHandler>>();

/**
 * Routes HTTP upgrade requests (websockets) of `server` by path prefix, once per server. Every
 * upgraded socket gets an `error` listener first (Node removes its own from an upgraded socket, so a
 * reset would otherwise crash the process), and a path no handler owns is refused with 404 and the
 * connection closed, instead of being left open. Idempotent.
 */
export function routeUpgrades(server: Server, logger: Logger): void {
  if (routes.has(server)) return;
  const table = new Map<string, UpgradeHandler>();
  routes.set(server, table);
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', (err) => {
      logger.debug({ err }, 'upgraded socket error');
    });
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    for (const [prefix, handler] of table) {
      if (path.startsWith(prefix)) {
        handler(req, socket, head);
        return;
      }
    }
    refuseUpgrade(socket, 404, 'Not Found', 'No websocket is served at this path.');
  });
}

/** Hands upgrade requests whose path starts with `prefix` to `handler` (see {@link routeUpgrades}). */
export function addUpgradeRoute(server: Server, prefix: string, handler: UpgradeHandler, logger: Logger): void {
  routeUpgrades(server, logger);
  routes.get(server)?.set(prefix, handler);
}

/** Answers an upgrade request with `status` and a JSON error, and closes the connection. */
export function refuseUpgrade(socket: Duplex, status: number, reason: string, message: string): void {
  const body = JSON.stringify({ error: 'upgradeRefused', message });
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    () => {
      socket.destroy();
    },
  );
}
