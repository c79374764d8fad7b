import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { createHttpServer } from '@vercel/cosmosdb-server';

/** Holds the local Cosmos DB protocol server between globalSetup and globalTeardown. */
export interface CosmosServerHolder {
  cosmosServer?: Server;
}

/**
 * Starts one local Cosmos DB protocol server for the whole run and hands its endpoint to every
 * jest worker through `TEST_COSMOS_ENDPOINT`.
 */
export default async function globalSetup(): Promise<void> {
  const server = createHttpServer({ keepAlive: true });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  process.env.TEST_COSMOS_ENDPOINT = `http://127.0.0.1:${port}`;
  (globalThis as CosmosServerHolder).cosmosServer = server;
}
