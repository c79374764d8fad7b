import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Bench parameters, from `--name=value` arguments or `BENCH_NAME` environment variables. */
export interface BenchOptions {
  quick: boolean;
  /**
   * Which relays to run: `baseline`, `memory` (bot, memory storage), `batched` (bot, memory storage,
   * write batching), `cosmos` (bot, local Cosmos DB), `openmessaging` (bot with the Open Messaging
   * provider, memory storage).
   */
  configs: string[];
  /** Live-chat counts for the baseline and the memory-storage bots (Web and Open Messaging), ascending. */
  levels: number[];
  /** Live-chat counts for the Cosmos DB bot. */
  cosmosLevels: number[];
  /**
   * Cosmos DB account of the `cosmos` config (`https://<account>.documents.azure.com:443/`); empty:
   * the local protocol server. The key is read from `CosmosDbKey` in the environment (empty: Azure AD,
   * as the bot does). The bench creates database `bench-<run id>` in it and deletes it at the end.
   */
  cosmosEndpoint?: string;
  /** Levels at which the bot also runs with a reorder window of {@link COMPARISON_REORDER_WINDOW_MS}. */
  reorderWindowLevels: number[];
  /** Chats opened before the idle memory baseline (they count towards each level). */
  warmupChats: number;
  /** Messages per second in each direction during load. */
  rate: number;
  /** Load duration per phase (ms). */
  durationMs: number;
  /** Idle CPU window (ms). */
  idleMs: number;
  /** Chats opened at once. */
  concurrency: number;
  /** Wall-clock budget per relay configuration (ms): levels that would not fit are skipped. */
  budgetMs: Record<string, number>;
  /** Extra node flags for the relay workers (e.g. `--trace-gc`), comma-separated. */
  workerFlags: string[];
  logLevel: string;
  /** File for the bot's log lines; empty: /dev/null. */
  logFile: string;
  /** Directory for `--cpu-prof` profiles of the relay workers; empty: no profiling. */
  profileDir: string;
  /** Output path without extension. */
  out: string;
}

function list(value: string): number[] {
  return value
    .split(',')
    .map((v) => v.trim())
    .filter((v) => v !== '')
    .map((v) => Number(v.replace(/_/g, '')));
}

/** Reads options; unknown names throw so typos do not silently use defaults. */
export function parseOptions(argv: readonly string[], env: Readonly<Record<string, string | undefined>>): BenchOptions {
  const raw = new Map<string, string>();
  for (const [key, value] of Object.entries(env)) {
    if (key.startsWith('BENCH_') && value !== undefined) raw.set(key.slice(6).toLowerCase().replace(/_/g, '-'), value);
  }
  for (const arg of argv) {
    const match = /^--([a-z-]+)(?:=(.*))?$/.exec(arg);
    if (match?.[1] === undefined) throw new Error(`bench: cannot read argument "${arg}" (use --name=value)`);
    raw.set(match[1], match[2] ?? 'true');
  }
  const quick = raw.get('quick') === 'true';
  const defaults: BenchOptions = quick
    ? {
        quick,
        configs: ['baseline', 'memory', 'batched', 'cosmos', 'openmessaging'],
        levels: [50],
        cosmosLevels: [50],
        reorderWindowLevels: [50],
        warmupChats: 10,
        rate: 50,
        durationMs: 3_000,
        idleMs: 1_000,
        concurrency: 16,
        budgetMs: { baseline: 60_000, memory: 60_000, batched: 60_000, cosmos: 60_000, openmessaging: 60_000 },
        workerFlags: [],
        logLevel: 'info',
        logFile: '',
        profileDir: '',
        out: 'bench/results/quick',
      }
    : {
        quick,
        configs: ['baseline', 'memory', 'batched', 'cosmos', 'openmessaging'],
        levels: [100, 1_000, 5_000, 10_000],
        cosmosLevels: [100, 1_000],
        reorderWindowLevels: [1_000],
        warmupChats: 20,
        rate: 100,
        durationMs: 10_000,
        // Two sweeps (HandoffSweepIntervalSeconds 5): a shorter window may miss the sweeper's work.
        idleMs: 10_000,
        concurrency: 64,
        budgetMs: { baseline: 70_000, memory: 150_000, batched: 150_000, cosmos: 110_000, openmessaging: 150_000 },
        workerFlags: [],
        logLevel: 'info',
        logFile: '',
        profileDir: '',
        out: 'bench/results/latest',
      };
  const options = { ...defaults };
  for (const [key, value] of raw) {
    switch (key) {
      case 'quick':
        break;
      case 'configs':
        options.configs = value.split(',').map((v) => v.trim());
        break;
      case 'levels':
        options.levels = list(value);
        break;
      case 'cosmos-levels':
        options.cosmosLevels = list(value);
        break;
      case 'cosmos-endpoint':
        options.cosmosEndpoint = value;
        break;
      case 'reorder-window-levels':
        options.reorderWindowLevels = list(value);
        break;
      case 'warmup':
        options.warmupChats = Number(value);
        break;
      case 'rate':
        options.rate = Number(value);
        break;
      case 'duration':
        options.durationMs = Number(value) * 1000;
        break;
      case 'idle':
        options.idleMs = Number(value) * 1000;
        break;
      case 'concurrency':
        options.concurrency = Number(value);
        break;
      case 'budget': {
        // One number for every config, or name=seconds pairs: --budget=memory=300,cosmos=120
        const budgets = { ...options.budgetMs };
        for (const part of value.split(',')) {
          const [name, seconds] = part.includes('=') ? part.split('=') : [undefined, part];
          if (name === undefined) for (const key of Object.keys(budgets)) budgets[key] = Number(seconds) * 1000;
          else budgets[name] = Number(seconds) * 1000;
        }
        options.budgetMs = budgets;
        break;
      }
      case 'worker-flags':
        options.workerFlags = value.split(',').filter((f) => f !== '');
        break;
      case 'log-level':
        options.logLevel = value;
        break;
      case 'log-file':
        options.logFile = value;
        break;
      case 'profile':
        // Profiles are large and machine-specific: outside the repository unless a directory is given.
        options.profileDir = value === 'true' ? join(tmpdir(), 'genesys-bench-profiles') : value;
        break;
      case 'out':
        options.out = value;
        break;
      default:
        throw new Error(`bench: unknown option ${key}`);
    }
  }
  for (const c of options.configs)
    if (!['baseline', 'memory', 'batched', 'cosmos', 'openmessaging'].includes(c))
      throw new Error(`bench: unknown config ${c}`);
  const numbers = [
    ...options.levels,
    ...options.cosmosLevels,
    options.rate,
    options.durationMs,
    options.concurrency,
    options.warmupChats,
  ];
  if (numbers.some((v) => !Number.isFinite(v) || v <= 0))
    throw new Error('bench: levels, rate, duration, concurrency and warmup must be positive numbers');
  options.levels.sort((a, b) => a - b);
  options.cosmosLevels.sort((a, b) => a - b);
  return options;
}

/**
 * The reorder window (`GenesysReorderWindowMs`, its product default) measured in a phase of its own;
 * every other phase runs with the window at 0 so the relay's own overhead is not confused with the hold.
 */
export const COMPARISON_REORDER_WINDOW_MS = 150;

/** Length of each one-way load phase that counts storage operations per message and direction (ms). */
export const ONE_WAY_MS = 5_000;
