import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHttpServer } from '@vercel/cosmosdb-server';

/** Response header in which Cosmos DB states the request charge (request units). */
const REQUEST_CHARGE_HEADER = 'x-ms-request-charge';

/**
 * The `x-ms-request-charge` value to send on the response to `req`, or undefined to send no header.
 * `nth` counts the server's responses from 0.
 */
export type RequestChargeFixture = (req: IncomingMessage, nth: number) => string | undefined;

/**
 * Makes `server` (the local Cosmos DB protocol server, `@vercel/cosmosdb-server`) send the request
 * charge `charge` decides instead of the constant `1` it puts on every response, which is a
 * placeholder, not a charge. A test fixture (the bench uses it to send none): real charges come
 * from a Cosmos DB account only.
 */
export function controlRequestCharge(server: Server, charge: RequestChargeFixture): void {
  let responses = 0;
  server.prependListener('request', (req: IncomingMessage, res: ServerResponse) => {
    const value = charge(req, responses++);
    const setHeader = res.setHeader.bind(res);
    res.setHeader = (name: string, header: number | string | readonly string[]): ServerResponse => {
      if (name.toLowerCase() !== REQUEST_CHARGE_HEADER) return setHeader(name, header);
      return value === undefined ? res : setHeader(name, value);
    };
  });
}

/** A local Cosmos DB protocol server started by {@link startLocalCosmosServer}. */
export interface LocalCosmosServer {
  endpoint: string;
  /** The request charges sent so far, one per response (`undefined`: no header). */
  sentCharges: (string | undefined)[];
  close(): Promise<void>;
}

/**
 * Starts a local Cosmos DB protocol server of its own on port 0 whose responses carry the request
 * charges `charge` decides (see {@link controlRequestCharge}). Test fixture only: the shared server
 * of the jest run (globalSetup) is left as the package ships it.
 */
export async function startLocalCosmosServer(charge: RequestChargeFixture): Promise<LocalCosmosServer> {
  const server = createHttpServer({ keepAlive: true });
  const sentCharges: (string | undefined)[] = [];
  controlRequestCharge(server, (req, nth) => {
    const value = charge(req, nth);
    sentCharges.push(value);
    return value;
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    sentCharges,
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
