import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHttpServer } from '@vercel/cosmosdb-server';
import { createApp, type App } from '../../src/app';
import type { ReadinessReport } from '../../src/health/readiness';
import { createSilentLogger } from '../../src/logger';
import { WebMessagingSimulator } from '../../src/simulator/webMessaging/webMessagingSimulator';
import { eventually } from '../support/eventually';
import { TEST_DEPLOYMENT_ID, webMessagingEnv } from '../support/handoffRig';
import { testConfig } from '../support/testConfig';
import { TEST_COSMOS_KEY, testCosmosClient, uniqueId } from './cosmosTestSupport';

/**
 * `/healthz/ready` against real dependencies: a Cosmos DB protocol server of its own and the Web
 * Messaging simulator. Stopping either turns readiness unhealthy (503) while liveness stays up;
 * bringing it back on the same port turns it healthy again.
 */
describe('readiness', () => {
  let cosmos: Server;
  let cosmosPort: number;
  let simulator: WebMessagingSimulator;
  let simulatorPort: number;
  let app: App;
  let base: string;

  const simulatorOn = (port: number): WebMessagingSimulator =>
    new WebMessagingSimulator({
      deployments: [{ id: TEST_DEPLOYMENT_ID, conversationDisconnect: 'Send', conversationClear: true }],
      port,
      host: '127.0.0.1',
      logger: createSilentLogger(),
    });

  const listen = (server: Server, port: number): Promise<void> =>
    new Promise((resolve) => server.listen(port, '127.0.0.1', resolve));

  const stopCosmos = (): Promise<void> =>
    new Promise((resolve) => {
      cosmos.close(() => {
        resolve();
      });
      cosmos.closeAllConnections();
    });

  async function ready(): Promise<{ status: number; body: ReadinessReport }> {
    const res = await fetch(`${base}/healthz/ready`);
    return { status: res.status, body: (await res.json()) as ReadinessReport };
  }

  /** Waits until readiness reports `expected` (each probe is bounded by the app's timeout). */
  async function readinessBecomes(expected: number): Promise<ReadinessReport> {
    let last: { status: number; body: ReadinessReport } | undefined;
    await eventually(
      async () => {
        last = await ready();
        return last.status === expected;
      },
      15_000,
      `readiness ${expected}`,
    );
    if (last === undefined) throw new Error('no readiness answer');
    return last.body;
  }

  beforeAll(async () => {
    cosmos = createHttpServer({ keepAlive: true });
    await listen(cosmos, 0);
    cosmosPort = (cosmos.address() as AddressInfo).port;
    simulator = simulatorOn(0);
    await simulator.start();
    simulatorPort = Number(new URL(simulator.apiUrl).port);
    const config = testConfig(
      webMessagingEnv(simulator, {
        CosmosDbEndpoint: `http://127.0.0.1:${cosmosPort}`,
        CosmosDbKey: TEST_COSMOS_KEY,
        CosmosDbDatabaseId: uniqueId('ready'),
        CosmosDbContainerId: uniqueId('state'),
        CosmosDbHandoffContainerId: uniqueId('handoff'),
      }),
    );
    app = await createApp(config, createSilentLogger(), { readiness: { cacheMs: 0, timeoutMs: 1_500 } });
    base = `http://127.0.0.1:${await app.start(0, '127.0.0.1')}`;
  });

  afterAll(async () => {
    await app.abort();
    await simulator.stop();
    if (cosmos.listening) await stopCosmos();
  });

  it('is ok with storage and Genesys reachable, and says what it probed', async () => {
    const { status, body } = await ready();
    expect(status).toBe(200);
    expect(body.status).toBe('ok');
    expect(body.checks.storage).toMatchObject({ status: 'ok', target: 'cosmos' });
    expect(body.checks.genesys).toMatchObject({ status: 'ok', target: simulator.webMessagingUrl });
  });

  it('turns unhealthy while the Genesys simulator is stopped and healthy when it returns', async () => {
    await simulator.stop();
    const down = await readinessBecomes(503);
    expect(down.status).toBe('unhealthy');
    expect(down.checks.genesys?.status).toBe('down');
    expect(down.checks.genesys?.detail).toMatch(/ECONNREFUSED/);
    expect(down.checks.storage?.status).toBe('ok');
    expect((await fetch(`${base}/healthz`)).status).toBe(200);

    simulator = simulatorOn(simulatorPort);
    await simulator.start();
    const up = await readinessBecomes(200);
    expect(up.checks.genesys?.status).toBe('ok');
  });

  it('turns unhealthy while Cosmos DB is stopped and healthy when it returns', async () => {
    await stopCosmos();
    const down = await readinessBecomes(503);
    expect(down.checks.storage?.status).toBe('down');
    expect(down.checks.genesys?.status).toBe('ok');
    expect((await fetch(`${base}/healthz`)).status).toBe(200);

    // The local server keeps its data in memory only: it comes back empty, so the database and
    // containers are put back as a real account would still have them.
    await listen(cosmos, cosmosPort);
    const { database } = await testCosmosClient(`http://127.0.0.1:${cosmosPort}`).databases.createIfNotExists({
      id: app.config.cosmos.databaseId,
    });
    for (const id of [app.config.cosmos.containerId, app.config.cosmos.handoffContainerId])
      await database.containers.createIfNotExists({ id, partitionKey: { paths: ['/id'] } });
    const up = await readinessBecomes(200);
    expect(up.status).toBe('ok');
    expect(up.checks.storage?.status).toBe('ok');
  });
});
