import type { LoadResult, OpenResult, RecoveryResult } from './driver';
import type { BenchOptions } from './options';
import type { CosmosCounters, CpuSample, MemorySample } from './protocol';

/** Memory of a level over the idle baseline. */
export interface MemoryResult {
  sample: MemorySample;
  /** Chats above the baseline (level minus warm-up chats). */
  chatsOverBaseline: number;
  rssKBPerChat: number;
  heapKBPerChat: number;
  /** heapUsed + external + arrayBuffers growth per chat (socket buffers live outside the heap). */
  heapAndExternalKBPerChat: number;
}

/** Live-chat record sizes as stored. */
export interface RecordStats {
  records: number;
  recordBytesMean: number;
  recordBytesMax: number;
  deliveredIdsMax: number;
}

/** Everything measured at one live-chat level. */
export interface LevelResult {
  /** The level asked for. */
  level: number;
  /** Live chats that were ready (level minus failures). */
  chats: number;
  open: OpenResult;
  memory: MemoryResult;
  idle: CpuSample & { cpuMsPerSecond: number; cpuMsPerSecondPer1kChats: number };
  /** One manual sweep pass (timers, heartbeat, takeover check) of the bot. */
  sweepMs: number | undefined;
  load: LoadResult & { cpuMsPerMessage: number; netCpuMsPerMessage: number; recorderConnections: number };
  recovery: RecoveryResult;
  /** Same load with a 250 ms reorder window (bot only, selected levels). */
  loadWithReorderWindow: (LoadResult & { cpuMsPerMessage: number; netCpuMsPerMessage: number }) | undefined;
  /** Restart back to the product default after the reorder-off phase. */
  recoveryBack: RecoveryResult | undefined;
  /** Live-chat records after the load phase (bot only). */
  records: RecordStats | undefined;
  /** Storage operations counted inside the bot (bot configs only). */
  storageOps: StorageOpsResult | undefined;
  /** Storage requests (Cosmos only). */
  storage:
    | {
        opsPerOpenedChat: number;
        idleOpsPerChatPerMinute: number;
        opsPerRelayedMessage: number;
        open: CosmosCounters;
        idle: CosmosCounters;
        load: CosmosCounters;
      }
    | undefined;
}

/** Storage operations of one phase, per unit (chat opened, message, chat-minute). */
export interface StorageOpsRate {
  /** Live-chat record store (records, heartbeats, inbound-id logs). */
  records: { reads: number; writes: number; queries: number };
  /** Bot state (conversation and user state with the transcript). */
  state: { reads: number; writes: number; queries: number };
  /** reads + writes + queries of both. */
  total: number;
  /** Units the counts were divided by. */
  units: number;
  /**
   * Request units Cosmos DB charged per unit (`x-ms-request-charge`, summed over both stores); absent
   * when no response in the phase carried a charge (memory storage, the local protocol server).
   */
  requestUnits?: number;
}

/** Storage operations counted in the bot worker (decorators around both stores). */
export interface StorageOpsResult {
  perOpenedChat: StorageOpsRate;
  perIdleChatMinute: StorageOpsRate;
  /** The mixed load phase: per relayed message, both directions together. */
  perRelayedMessage: StorageOpsRate;
  perUserToAgentMessage: StorageOpsRate;
  perAgentToUserMessage: StorageOpsRate;
  /** `perRelayedMessage.requestUnits`: summed `x-ms-request-charge` per relayed message; undefined when the store reports none (local server, memory). */
  requestChargePerMessage: number | undefined;
  /** The one-way phases (latency and loss), for reference. */
  userToAgentOnly: LoadResult;
  agentToUserOnly: LoadResult;
}

/** One relay configuration. */
export interface ConfigResult {
  name: string;
  description: string;
  baselineMemory: MemorySample;
  warmupChats: number;
  levels: LevelResult[];
  /** Levels skipped because they would not fit in the budget, or failed. */
  skipped: { chats: number; reason: string }[];
  wallMs: number;
}

/** The file written to bench/results. */
export interface BenchResult {
  meta: {
    date: string;
    node: string;
    platform: string;
    cpuModel: string;
    cores: number;
    totalMemoryGB: number;
    fileDescriptorLimit: string;
    /** Product commit measured. */
    commit: string;
    totalWallMs: number;
    options: BenchOptions;
    notes: string[];
  };
  configs: ConfigResult[];
}
