import type { RequestChargeTotals } from '../src/storage/requestCharge';
/**
 * The control protocol between the bench orchestrator and its worker processes (the bot under test,
 * the baseline relay, the local Cosmos DB server). Only control messages travel over IPC; the
 * measured traffic goes over loopback HTTP and websockets.
 */

/** Where a relay (bot or baseline) finds the simulated Genesys. */
export interface GenesysEndpoints {
  webMessagingUrl: string;
  apiUrl: string;
  deploymentId: string;
}

/** Where the bot finds the simulated Open Messaging integration (`GenesysProvider=openmessaging`). */
export interface OpenMessagingEndpoints {
  /** Platform API and OAuth login base URL of the simulator. */
  apiUrl: string;
  integrationId: string;
  clientId: string;
  clientSecret: string;
  webhookSecret: string;
}

/** Options of the bot worker's `start` (and of the app it builds after a restart). */
export interface BotStartOptions extends GenesysEndpoints {
  /** Present: the bot uses the Open Messaging provider instead of Web Messaging. */
  openMessaging?: OpenMessagingEndpoints;
  /** Empty: memory storage. */
  cosmosEndpoint: string;
  cosmosKey: string;
  /** Unique per run: botbuilder-azure caches containers per id for the process. */
  cosmosDatabaseId: string;
  /** `undefined`: the product default (createProvider). */
  reorderWindowMs: number | undefined;
  logLevel: string;
  /** Where the bot's log lines go; empty: discarded (/dev/null). */
  logFile: string;
  /** Extra settings (environment variable names), e.g. `HandoffSweepIntervalSeconds`. */
  settings: Record<string, string>;
  /** Write batching of the app (`createApp` overrides); absent: every change written at once. */
  writeBatching?: { deferMaxMs: number; transcriptBatchMs: number };
}

/** Storage operations the bot issued so far, counted by decorators around its two stores. */
export interface StorageOps {
  /** The versioned store (live-chat records, heartbeats, inbound-id logs). */
  records: { reads: number; writes: number; queries: number };
  /** Bot state (conversation and user state, transcripts). */
  state: { reads: number; writes: number; queries: number };
  /** Request charge Cosmos DB reported on the responses to both stores (`x-ms-request-charge`). */
  requestCharge: RequestChargeTotals;
}

/** Memory of a worker after full garbage collection. */
export interface MemorySample {
  rss: number;
  heapUsed: number;
  heapTotal: number;
  external: number;
  arrayBuffers: number;
}

/** CPU and event-loop figures of a worker over a window. */
export interface CpuSample {
  wallMs: number;
  userMs: number;
  systemMs: number;
  /** Event-loop utilisation (0..1). */
  elu: number;
  loopDelayP50Ms: number;
  loopDelayP99Ms: number;
  loopDelayMaxMs: number;
}

/** A command sent to a worker. */
export type WorkerCommand =
  | { cmd: 'start'; options: BotStartOptions | GenesysEndpoints }
  | { cmd: 'memory' }
  | { cmd: 'cpuStart' }
  | { cmd: 'cpuStop' }
  | { cmd: 'stopApp' }
  | { cmd: 'startApp'; reorderWindowMs: number | undefined }
  | { cmd: 'sweep' }
  | { cmd: 'counters' }
  | { cmd: 'storageOps' }
  | { cmd: 'exit' };

/** A command with its correlation id. */
export interface WorkerRequest {
  id: number;
  command: WorkerCommand;
}

/** A worker's answer. */
export type WorkerReply = { id: number; ok: true; result: unknown } | { id: number; ok: false; error: string };

/** What `start`/`startApp` answer. */
export interface StartResult {
  port: number;
  /** Time from the command to a listening server with recovery done (ms). */
  startMs: number;
}

/** Storage request counters of the Cosmos worker. */
export type CosmosCounters = Record<string, number>;

/** True for a well-formed {@link WorkerRequest}. */
export function isWorkerRequest(value: unknown): value is WorkerRequest {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as { id?: unknown; command?: unknown };
  return typeof v.id === 'number' && typeof v.command === 'object' && v.command !== null;
}

/** True for a well-formed {@link WorkerReply}. */
export function isWorkerReply(value: unknown): value is WorkerReply {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as { id?: unknown; ok?: unknown };
  return typeof v.id === 'number' && typeof v.ok === 'boolean';
}
