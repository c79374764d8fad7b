import type { CosmosServerHolder } from './globalSetup';

/** Stops the local Cosmos DB protocol server started by globalSetup. */
export default async function globalTeardown(): Promise<void> {
  const server = (globalThis as CosmosServerHolder).cosmosServer;
  if (server === undefined) return;
  server.closeAllConnections();
  await new Promise<void>((resolve) =>
    server.close(() => {
      resolve();
    }),
  );
}
