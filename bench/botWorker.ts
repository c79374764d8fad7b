import { performance } from 'node:perf_hooks';
import pino from 'pino';
import { createApp, type App, type AppStorage } from '../src/app';
import { createStorage } from '../src/storage/createStorage';
import { loadConfig, type Config } from '../src/config';
import { createOpenMessagingProvider, createProvider } from '../src/genesys/createProvider';
import type { HandoffProvider } from '../src/genesys/handoffProvider';
import { WebMessagingProvider } from '../src/genesys/webMessaging';
import { createLogger, createSilentLogger, type Logger } from '../src/logger';
import { CountingStorage, CountingVersionedStore } from '../src/storage/countingStore';
import { RequestChargeCounter } from '../src/storage/requestCharge';
import type { HandoffDocument } from '../src/handoff/handoffRecord';
import type { BotStartOptions, StartResult, StorageOps } from './protocol';
import { serveCommands, type WorkerOwnCommand } from './workerRuntime';

/**
 * The bot under test, in its own process so that its memory and CPU are measured alone: the real
 * HTTP server and CloudAdapter from `createApp`, the real Web Messaging (or Open Messaging) provider
 * pointed at the orchestrator's simulator, memory storage (kept across restarts) or the local Cosmos DB server.
 */

let options: BotStartOptions | undefined;
let config: Config | undefined;
let logger: Logger | undefined;
let app: App | undefined;
let memoryStorage: AppStorage | undefined;
/** The port of the last app started. */
let listeningPort: number | undefined;
/** Counters that survive restarts (each new app's stores are wrapped again and add to them). */
const ops: Omit<StorageOps, 'requestCharge'> = {
  records: { reads: 0, writes: 0, queries: 0 },
  state: { reads: 0, writes: 0, queries: 0 },
};
/** Request charge of every Cosmos DB response, summed over restarts (each new app's storage adds to it). */
const requestCharge = new RequestChargeCounter();

/** The app's storage wrapped in counting decorators that add to {@link ops}. */
function counted(storage: AppStorage): AppStorage {
  return {
    ...storage,
    botStorage: new CountingStorage(storage.botStorage, ops.state),
    handoffStore: new CountingVersionedStore<HandoffDocument>(storage.handoffStore, ops.records),
    close: () => storage.close(),
  };
}

function buildConfig(o: BotStartOptions): Config {
  const om = o.openMessaging;
  return loadConfig({
    DemoMode: 'false',
    InstanceId: 'bench-bot',
    LogLevel: o.logLevel,
    ...(om === undefined
      ? { GenesysDeploymentId: o.deploymentId, GenesysWebMessagingUrl: o.webMessagingUrl, GenesysApiUrl: o.apiUrl }
      : {
          GenesysProvider: 'openmessaging',
          GenesysApiUrl: om.apiUrl,
          GenesysLoginUrl: om.apiUrl,
          GenesysOpenMessagingIntegrationId: om.integrationId,
          GenesysOAuthClientId: om.clientId,
          GenesysOAuthClientSecret: om.clientSecret,
          GenesysOpenMessagingWebhookSecret: om.webhookSecret,
        }),
    ...(o.cosmosEndpoint === ''
      ? {}
      : { CosmosDbEndpoint: o.cosmosEndpoint, CosmosDbKey: o.cosmosKey, CosmosDbDatabaseId: o.cosmosDatabaseId }),
    ...o.settings,
  });
}

function buildLogger(level: string, file: string): Logger {
  if (level === 'silent') return createSilentLogger();
  // The product's log lines are produced and serialised as in production, then discarded (or kept in `file`).
  return createLogger({
    level,
    destination: pino.destination({ dest: file === '' ? '/dev/null' : file, sync: false }),
  });
}

function buildProvider(
  c: Config,
  o: BotStartOptions,
  log: Logger,
  reorderWindowMs: number | undefined,
): HandoffProvider | undefined {
  if (o.openMessaging !== undefined) return createOpenMessagingProvider(c, log);
  const endpoints = { webMessagingUrl: o.webMessagingUrl, apiUrl: o.apiUrl, deploymentId: o.deploymentId };
  if (reorderWindowMs === undefined) return createProvider(c, log, endpoints);
  // Same wiring as createProvider, with the one option config does not expose.
  return new WebMessagingProvider({
    ...endpoints,
    messagesPerSecond: c.genesys.messagesPerSecond,
    endMode: c.genesys.endMode,
    logger: log.child({ module: 'genesys.webmessaging' }),
    reorderWindowMs,
  });
}

async function startApp(reorderWindowMs: number | undefined): Promise<StartResult> {
  if (options === undefined || config === undefined || logger === undefined) throw new Error('bot worker: start first');
  const began = performance.now();
  const provider = buildProvider(config, options, logger, reorderWindowMs);
  const base = memoryStorage ?? (await createStorage<HandoffDocument>(config, logger, { requestCharge }));
  if (base.kind === 'memory') memoryStorage = base;
  const next = await createApp(config, logger, {
    provider: provider ?? null,
    storage: counted(base),
    ...(options.writeBatching === undefined ? {} : { writeBatching: options.writeBatching }),
  });
  // Open Messaging: Genesys posts to one fixed webhook URL, so a restarted app listens on the same port.
  const port = await next.start(options.openMessaging === undefined ? 0 : (listeningPort ?? 0), '127.0.0.1');
  listeningPort = port;
  app = next;
  return { port, startMs: performance.now() - began };
}

async function handle(command: WorkerOwnCommand): Promise<unknown> {
  switch (command.cmd) {
    case 'start': {
      if (!('cosmosEndpoint' in command.options)) throw new Error('bot worker: start needs BotStartOptions');
      options = command.options;
      config = buildConfig(options);
      logger = buildLogger(options.logLevel, options.logFile);
      return startApp(options.reorderWindowMs);
    }
    case 'startApp':
      return startApp(command.reorderWindowMs);
    case 'stopApp': {
      const began = performance.now();
      await app?.stop();
      app = undefined;
      return { stopMs: performance.now() - began };
    }
    case 'sweep': {
      if (app === undefined) throw new Error('bot worker: no app');
      const began = performance.now();
      await app.handoff.sweep(false);
      return { sweepMs: performance.now() - began };
    }
    case 'counters': {
      // Size of the live-chat records: every sweep and every relayed agent message reads and parses them.
      const docs = app === undefined ? [] : await app.storage.handoffStore.queryByField('type', ['handoff']);
      const sizes = docs.map((d) => JSON.stringify(d.value).length);
      const ids = docs.map((d) => (d.value.type === 'handoff' ? d.value.deliveredMessageIds.length : 0));
      return {
        localChats: app?.handoff.localChatCount ?? 0,
        records: docs.length,
        recordBytesMean: sizes.length === 0 ? 0 : sizes.reduce((a, b) => a + b, 0) / sizes.length,
        recordBytesMax: Math.max(0, ...sizes),
        deliveredIdsMax: Math.max(0, ...ids),
      };
    }
    case 'storageOps':
      return { ...structuredClone(ops), requestCharge: requestCharge.snapshot() } satisfies StorageOps;
    case 'exit':
      return null;
  }
}

serveCommands(handle);
