import {
  CosmosClient,
  type ConnectionPolicy,
  type CosmosClientOptions,
  type Database,
  type RetryOptions,
} from '@azure/cosmos';
import { DefaultAzureCredential, type TokenCredential } from '@azure/identity';
import { MemoryStorage, type Storage } from 'botbuilder';
import { CosmosDbPartitionedStorage } from 'botbuilder-azure';
import type { Config } from '../config';
import type { Logger } from '../logger';
import { cosmosStatusOf, cosmosUnreachableCodeOf, describeCosmosFailure } from './cosmosErrors';
import { CosmosVersionedStore } from './cosmosVersionedStore';
import { MemoryVersionedStore } from './memoryVersionedStore';
import { RequestChargeCounter, withRequestCharge } from './requestCharge';
import { StoreError, type StoredDocument, type VersionedStore } from './versionedStore';

/** Everything persistent the bot uses, on one backend. */
export interface StorageBundle<T extends StoredDocument> {
  /** `cosmos` in deployments; `memory` when no Cosmos DB endpoint is configured. */
  readonly kind: 'memory' | 'cosmos';
  /** Bot Framework state (conversation and user state, transcripts). */
  readonly botStorage: Storage;
  /** Live-chat records and their leases. */
  readonly handoffStore: VersionedStore<T>;
  /**
   * Request units Cosmos DB charged for every response to both stores (`x-ms-request-charge`),
   * start-up checks and readiness reads included. Stays at zero for in-memory storage.
   */
  readonly requestCharge: RequestChargeCounter;
  /**
   * Reads the live-chat container once, to tell whether storage answers now (readiness). Rejects
   * with the client's error when it does not. Always resolves for in-memory storage.
   */
  ping(signal: AbortSignal): Promise<void>;
  /** Releases the Cosmos DB client. */
  close(): Promise<void>;
}

/** Options of {@link createStorage}. */
export interface CreateStorageOptions<T extends StoredDocument> {
  /** Bound on the Cosmos DB start-up check in milliseconds (default {@link DEFAULT_STARTUP_TIMEOUT_MS}). */
  startupTimeoutMs?: number;
  /** Clock of the in-memory handoff store (TTL tests). */
  now?: () => number;
  /** Validates live-chat records read from Cosmos DB; see {@link CosmosVersionedStore}. */
  parseHandoff?: (raw: Record<string, unknown>) => T;
  /** Azure AD credential used when `CosmosDbKey` is empty (default: `DefaultAzureCredential`). */
  credential?: TokenCredential;
  /** Where request charges are summed (default: a new counter); shared to total several bundles. */
  requestCharge?: RequestChargeCounter;
}

/** Default bound on the Cosmos DB start-up check. */
export const DEFAULT_STARTUP_TIMEOUT_MS = 15_000;

/**
 * Retry budget for throttled (429) requests. The SDK waits the retry-after the service returns
 * between attempts and gives up after this many attempts or this much waiting, whichever comes first.
 */
export const COSMOS_RETRY_OPTIONS: Readonly<
  Required<Pick<RetryOptions, 'maxRetryAttemptCount' | 'maxWaitTimeInSeconds'>>
> = {
  maxRetryAttemptCount: 9,
  maxWaitTimeInSeconds: 30,
};

/** Partition key path of both containers (bot state requires `/id`). */
const PARTITION_KEY_PATH = '/id';

/**
 * Connection policy for an endpoint. Endpoint discovery is off for plain `http:` endpoints (the local
 * protocol server and the emulator advertise https locations that cannot be reached).
 */
export function cosmosConnectionPolicy(endpoint: string): Partial<ConnectionPolicy> {
  return {
    enableEndpointDiscovery: new URL(endpoint).protocol !== 'http:',
    retryOptions: { ...COSMOS_RETRY_OPTIONS },
  };
}

/**
 * Creates the bot's storage: Cosmos DB when `config.cosmos.endpoint` is set (database and containers
 * created when missing, reachability and credentials checked within a bounded time), otherwise
 * in-memory storage with one warning (an info line in demo mode). Throws one {@link StoreError} naming the cause when Cosmos DB
 * cannot be used.
 */
export async function createStorage<THandoff extends StoredDocument>(
  config: Config,
  logger: Logger,
  options: CreateStorageOptions<THandoff> = {},
): Promise<StorageBundle<THandoff>> {
  const log = logger.child({ module: 'storage' });
  const ttlSeconds = config.cosmos.ttlDays * 86_400;
  if (config.cosmos.endpoint === '') {
    // Expected in demo mode (a local run); outside it, state that does not survive a restart is worth a warning.
    log[config.demo ? 'info' : 'warn'](
      'CosmosDbEndpoint is not set: conversation state and live chats are kept in memory; they do not survive a restart and cannot be shared between instances',
    );
    const memoryOptions =
      options.now === undefined
        ? { defaultTtlSeconds: ttlSeconds }
        : { defaultTtlSeconds: ttlSeconds, now: options.now };
    return {
      kind: 'memory',
      botStorage: new MemoryStorage(),
      handoffStore: new MemoryVersionedStore<THandoff>(memoryOptions),
      requestCharge: options.requestCharge ?? new RequestChargeCounter(),
      ping: () => Promise.resolve(),
      close: () => Promise.resolve(),
    };
  }
  return createCosmosStorage(config, log, options, ttlSeconds);
}

async function createCosmosStorage<THandoff extends StoredDocument>(
  config: Config,
  log: Logger,
  options: CreateStorageOptions<THandoff>,
  ttlSeconds: number,
): Promise<StorageBundle<THandoff>> {
  const { endpoint, key, databaseId, containerId, handoffContainerId } = config.cosmos;
  const usesKey = key !== '';
  const credential = usesKey ? undefined : (options.credential ?? new DefaultAzureCredential());
  const requestCharge = options.requestCharge ?? new RequestChargeCounter();
  const clientOptions: CosmosClientOptions = withRequestCharge(
    {
      endpoint,
      connectionPolicy: cosmosConnectionPolicy(endpoint),
      ...(credential === undefined ? { key } : { aadCredentials: credential }),
    },
    requestCharge,
  );
  const client = new CosmosClient(clientOptions);
  const botStorage = new CosmosDbPartitionedStorage({
    cosmosDbEndpoint: endpoint,
    ...(credential === undefined ? { authKey: key } : { tokenCredential: credential }),
    databaseId,
    containerId,
    compatibilityMode: false,
    cosmosClientOptions: withRequestCharge(
      { endpoint, connectionPolicy: cosmosConnectionPolicy(endpoint) },
      requestCharge,
    ),
  });

  const timeoutMs = options.startupTimeoutMs ?? DEFAULT_STARTUP_TIMEOUT_MS;
  const abort = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      abort.abort();
      reject(
        new StoreError(
          `Cosmos DB at ${endpoint} did not answer within ${timeoutMs / 1000} s: check CosmosDbEndpoint and the network`,
        ),
      );
    }, timeoutMs);
  });
  try {
    const startup = async (): Promise<Database> => {
      const database = await ensureDatabase(client, databaseId, abort.signal);
      for (const id of [containerId, handoffContainerId]) {
        await ensureContainer(database, id, ttlSeconds, abort.signal, log);
      }
      // Resolves bot storage's container now, so the first turn does not pay for it or fail on it.
      await botStorage.initialize();
      return database;
    };
    const database = await Promise.race([startup(), timedOut]);
    log.info(
      { endpoint, databaseId, containerId, handoffContainerId, auth: usesKey ? 'key' : 'azureAd' },
      'Cosmos DB storage ready',
    );
    const handoffStore = new CosmosVersionedStore<THandoff>(
      database.container(handoffContainerId),
      options.parseHandoff === undefined ? {} : { parseDocument: options.parseHandoff },
    );
    return {
      kind: 'cosmos',
      botStorage,
      handoffStore,
      requestCharge,
      ping: async (signal) => {
        await database.container(handoffContainerId).read({ abortSignal: signal });
      },
      close: () => {
        client.dispose();
        return Promise.resolve();
      },
    };
  } catch (err: unknown) {
    client.dispose();
    throw startupError(endpoint, usesKey, err);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Creates the database when missing. Azure AD data-plane roles (managed identity) may read but not
 * create databases: when creation is refused, the database must already exist.
 */
async function ensureDatabase(client: CosmosClient, id: string, abortSignal: AbortSignal): Promise<Database> {
  try {
    const { database } = await client.databases.createIfNotExists({ id }, { abortSignal });
    return database;
  } catch (err: unknown) {
    if (!isCreateRefusedOrRaced(err)) throw err;
    await readOrExplain(() => client.database(id).read({ abortSignal }), `database "${id}"`, err);
    return client.database(id);
  }
}

/** Creates a container (partition key `/id`, default TTL) when missing, with the same fallback as the database. */
async function ensureContainer(
  database: Database,
  id: string,
  ttlSeconds: number,
  abortSignal: AbortSignal,
  log: Logger,
): Promise<void> {
  let definition: { partitionKey?: { paths?: string[] }; defaultTtl?: number } | undefined;
  try {
    ({ resource: definition } = await database.containers.createIfNotExists(
      { id, partitionKey: { paths: [PARTITION_KEY_PATH] }, defaultTtl: ttlSeconds },
      { abortSignal },
    ));
  } catch (err: unknown) {
    if (!isCreateRefusedOrRaced(err)) throw err;
    ({ resource: definition } = await readOrExplain(
      () => database.container(id).read({ abortSignal }),
      `container "${id}"`,
      err,
    ));
  }
  const paths = definition?.partitionKey?.paths ?? [];
  if (!paths.includes(PARTITION_KEY_PATH)) {
    throw new StoreError(
      `container "${id}" is partitioned on ${paths.join(', ') || 'nothing'}; the bot needs ${PARTITION_KEY_PATH}: use another CosmosDbContainerId or recreate it`,
    );
  }
  if (definition?.defaultTtl !== ttlSeconds) {
    // Changing an existing container's TTL is a control-plane operation; the deployment template owns it.
    log.warn(
      { container: id, defaultTtl: definition?.defaultTtl, expected: ttlSeconds },
      'existing container has a different default TTL than CosmosDbTtlDays; documents expire on the container setting',
    );
  }
}

/** 403: the identity may not create; 409: another instance created it between the read and the create. */
function isCreateRefusedOrRaced(err: unknown): boolean {
  const status = cosmosStatusOf(err);
  return status === 403 || status === 409;
}

async function readOrExplain<R>(read: () => Promise<R>, what: string, createError: unknown): Promise<R> {
  try {
    return await read();
  } catch (err: unknown) {
    if (cosmosStatusOf(err) === 404) {
      throw new StoreError(
        `${what} does not exist and this identity may not create it (Azure AD data-plane roles cannot create databases or containers): create it with the deployment template`,
        { cause: createError },
      );
    }
    throw err;
  }
}

/** Turns a start-up failure into one {@link StoreError} that says what to fix. Never includes the key. */
function startupError(endpoint: string, usesKey: boolean, err: unknown): StoreError {
  if (err instanceof StoreError) return err;
  const unreachable = cosmosUnreachableCodeOf(err);
  if (unreachable !== undefined) {
    return new StoreError(
      `Cosmos DB account at ${endpoint} is unreachable (${unreachable}): check CosmosDbEndpoint and the network`,
      { cause: err },
    );
  }
  const status = cosmosStatusOf(err);
  if (status === 401) {
    const fix = usesKey ? 'check CosmosDbKey' : 'check the managed identity and its Cosmos DB role assignment';
    return new StoreError(`Cosmos DB at ${endpoint} refused the ${usesKey ? 'key' : 'Azure AD token'} (401): ${fix}`, {
      cause: err,
    });
  }
  if (status === 403) {
    const fix = usesKey
      ? 'the key may be read-only, or the account firewall does not allow this host'
      : 'grant the identity a Cosmos DB data-plane role (Cosmos DB Built-in Data Contributor), and check the account firewall';
    return new StoreError(`Cosmos DB at ${endpoint} refused access (403): ${fix}`, { cause: err });
  }
  if (err instanceof Error && (err.name === 'CredentialUnavailableError' || err.name === 'AuthenticationError')) {
    return new StoreError(
      `could not get an Azure AD token for Cosmos DB at ${endpoint} (${err.name}): set CosmosDbKey or configure a managed identity`,
      { cause: err },
    );
  }
  return new StoreError(`Cosmos DB start-up check at ${endpoint} failed: ${describeCosmosFailure(err)}`, {
    cause: err,
  });
}
