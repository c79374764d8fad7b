import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { dirname, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { CosmosClient } from '@azure/cosmos';
import { DefaultAzureCredential } from '@azure/identity';
import { DEFER_MAX_MS } from '../src/handoff/handoffRecords';
import { TRANSCRIPT_BATCH_MS } from '../src/handoff/proactiveMessenger';
import { OPEN_MESSAGING_WEBHOOK_PATH } from '../src/http/openMessagingWebhook';
import { OpenMessagingSimulator } from '../src/simulator/openMessaging';
import { WebMessagingSimulator } from '../src/simulator/webMessaging/webMessagingSimulator';
import { BENCH_AGENT_NAME, openMessagingBench, webMessagingBench, type BenchGenesys } from './benchGenesys';
import { Scenario, type LoadResult } from './driver';
import { COMPARISON_REORDER_WINDOW_MS, ONE_WAY_MS, parseOptions, type BenchOptions } from './options';
import type {
  BotStartOptions,
  CosmosCounters,
  CpuSample,
  GenesysEndpoints,
  MemorySample,
  OpenMessagingEndpoints,
  StartResult,
  StorageOps,
} from './protocol';
import { FastRecorder } from './recorder';
import { renderMarkdown } from './report';
import type {
  BenchResult,
  ConfigResult,
  LevelResult,
  MemoryResult,
  RecordStats,
  StorageOpsResult,
  StorageOpsRate,
} from './results';
import { round } from './stats';
import { WorkerHandle } from './workerHandle';

/**
 * `npm run bench`: relay latency, capacity and cost per live chat of the real bot (HTTP server,
 * CloudAdapter, dialogs, handoff, Web Messaging provider) against the Web Messaging simulator, and
 * with the Open Messaging provider against the Open Messaging simulator (`openmessaging`), side by
 * side with a minimal relay without a bot framework. Writes bench/results/latest.{json,md}.
 */

const COSMOS_KEY = Buffer.from('bench-local-key').toString('base64');

/** Write batching of the `batched` config (createApp `writeBatching`). */
const BATCHING = { deferMaxMs: DEFER_MAX_MS, transcriptBatchMs: TRANSCRIPT_BATCH_MS };

function opsRate(after: StorageOps, before: StorageOps, units: number): StorageOpsRate {
  const per = (a: number, b: number): number => round((a - b) / Math.max(1, units), 3);
  const part = (a: StorageOps['records'], b: StorageOps['records']): StorageOps['records'] => ({
    reads: per(a.reads, b.reads),
    writes: per(a.writes, b.writes),
    queries: per(a.queries, b.queries),
  });
  const records = part(after.records, before.records);
  const state = part(after.state, before.state);
  const total = round(records.reads + records.writes + records.queries + state.reads + state.writes + state.queries, 3);
  // Only a store that reported a charge in this phase has one (memory storage and the local server report none).
  const charged = after.requestCharge.chargedResponses > before.requestCharge.chargedResponses;
  const requestUnits = (after.requestCharge.requestUnits - before.requestCharge.requestUnits) / Math.max(1, units);
  return { records, state, total, units, ...(charged ? { requestUnits: round(requestUnits, 3) } : {}) };
}

/** A Cosmos DB account the `cosmos` config runs against, and how to remove the bench's database. */
interface CosmosAccount {
  endpoint: string;
  key: string;
  deleteDatabase(): Promise<void>;
}

/** The account of `--cosmos-endpoint`, or undefined for the local protocol server. */
function cosmosAccount(options: BenchOptions, runId: string): CosmosAccount | undefined {
  const endpoint = options.cosmosEndpoint ?? '';
  if (endpoint === '') return undefined;
  const key = process.env.CosmosDbKey ?? '';
  return {
    endpoint,
    key,
    deleteDatabase: async () => {
      const client = new CosmosClient(
        key === '' ? { endpoint, aadCredentials: new DefaultAzureCredential() } : { endpoint, key },
      );
      try {
        await client.database(`bench-${runId}`).delete();
      } catch (err: unknown) {
        log(`cosmos: could not delete database bench-${runId}: ${err instanceof Error ? err.message : String(err)}`);
      } finally {
        client.dispose();
      }
    },
  };
}

const DESCRIPTIONS: Record<string, string> = {
  baseline: 'Minimal relay: raw ws per chat, HTTP in/out, no framework, no state (the floor)',
  memory: 'The bot (createApp + createProvider), memory storage',
  batched: `The bot, memory storage, with write batching (outbox removals ride on the next record write within ${BATCHING.deferMaxMs / 1000} s; transcript entries without a live-chat record saved per conversation every ${BATCHING.transcriptBatchMs / 1000} s)`,
  cosmos: 'The bot (createApp + createProvider), local Cosmos DB protocol server',
  openmessaging:
    'The bot with GenesysProvider=openmessaging (createApp + Open Messaging provider, webhook route), memory storage, against the Open Messaging simulator',
};

/** A simulated Genesys for one relay configuration, started. */
interface SimulatedGenesys {
  bench: BenchGenesys;
  endpoints: GenesysEndpoints;
  openMessaging: OpenMessagingEndpoints | undefined;
  /** Points Genesys at the relay listening on `port` (Open Messaging: the webhook URL). */
  relayListening(port: number): void;
  stop(): Promise<void>;
}

async function startWebMessaging(): Promise<SimulatedGenesys> {
  const deploymentId = randomUUID();
  const sim = new WebMessagingSimulator({
    deployments: [{ id: deploymentId, conversationDisconnect: 'Send', conversationClear: true }],
    // Genesys admits 1,000 new connections a minute per deployment (docs/genesys-protocol.md §5.7);
    // the bench lifts that limit so opening and restart speed measure the relay, not the limit.
    configuresPerDeploymentPerMinute: 1_000_000,
    port: 0,
    host: '127.0.0.1',
  });
  await sim.start();
  return {
    bench: webMessagingBench(sim),
    endpoints: { webMessagingUrl: sim.webMessagingUrl, apiUrl: sim.apiUrl, deploymentId },
    openMessaging: undefined,
    relayListening: () => undefined,
    stop: () => sim.stop(),
  };
}

async function startOpenMessaging(): Promise<SimulatedGenesys> {
  const om = {
    integrationId: randomUUID(),
    clientId: 'bench-client',
    clientSecret: randomUUID(),
    webhookSecret: randomUUID(),
  };
  const sim = new OpenMessagingSimulator({
    integrations: [{ id: om.integrationId, name: 'Bench', webhookSecret: om.webhookSecret }],
    clients: [{ clientId: om.clientId, clientSecret: om.clientSecret }],
    // Genesys allows 300 Platform API requests a minute per token (docs/genesys-protocol.md §6.1);
    // the bench lifts that limit so the load measures the relay, not the limit.
    requestsPerMinute: 1_000_000_000,
    autoAnswer: { agentName: BENCH_AGENT_NAME, delayMs: 0 },
    host: '127.0.0.1',
    port: 0,
  });
  // Every chat being opened may wait on the simulator's change events.
  sim.setMaxListeners(0);
  const url = await sim.start();
  return {
    bench: openMessagingBench(sim),
    endpoints: { webMessagingUrl: '', apiUrl: url, deploymentId: '' },
    openMessaging: { apiUrl: url, ...om },
    relayListening: (port) => {
      sim.setWebhookUrl(om.integrationId, `http://127.0.0.1:${port}${OPEN_MESSAGING_WEBHOOK_PATH}`);
    },
    stop: () => sim.stop(),
  };
}

function log(line: string): void {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${line}\n`);
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

function cpuMs(sample: CpuSample): number {
  return sample.userMs + sample.systemMs;
}

function diff(after: CosmosCounters, before: CosmosCounters): CosmosCounters {
  const out: CosmosCounters = {};
  for (const [k, v] of Object.entries(after)) {
    const d = v - (before[k] ?? 0);
    if (d !== 0) out[k] = d;
  }
  return out;
}

function sum(counters: CosmosCounters): number {
  return Object.values(counters).reduce((a, b) => a + b, 0);
}

function memoryResult(sample: MemorySample, base: MemorySample, chats: number): MemoryResult {
  const perChat = (bytes: number): number => round(bytes / 1024 / Math.max(1, chats), 2);
  return {
    sample,
    chatsOverBaseline: chats,
    rssKBPerChat: perChat(sample.rss - base.rss),
    heapKBPerChat: perChat(sample.heapUsed - base.heapUsed),
    heapAndExternalKBPerChat: perChat(sample.heapUsed + sample.external - (base.heapUsed + base.external)),
  };
}

function withCpu(
  load: LoadResult,
  idleMsPerSecond: number,
): LoadResult & { cpuMsPerMessage: number; netCpuMsPerMessage: number } {
  const messages = Math.max(1, load.userToAgent.count + load.agentToUser.count);
  const total = cpuMs(load.cpu);
  return {
    ...load,
    cpuMsPerMessage: round(total / messages, 3),
    netCpuMsPerMessage: round(Math.max(0, total - (idleMsPerSecond * load.cpu.wallMs) / 1000) / messages, 3),
  };
}

function describeLoad(label: string, load: LoadResult & { cpuMsPerMessage: number }): string {
  return `${label}: u->a p50 ${load.userToAgent.p50} p99 ${load.userToAgent.p99} ms; a->u p50 ${load.agentToUser.p50} p99 ${load.agentToUser.p99} ms; ${load.cpuMsPerMessage} CPU ms/msg; lost ${load.lost}`;
}

async function runConfig(name: string, options: BenchOptions, runId: string): Promise<ConfigResult> {
  const began = performance.now();
  const isBot = name !== 'baseline';
  // The reorder window is Web Messaging's (GenesysReorderWindowMs); Open Messaging has none.
  const hasReorderWindow = isBot && name !== 'openmessaging';
  const levels = name === 'cosmos' ? options.cosmosLevels : options.levels;
  const genesys = name === 'openmessaging' ? await startOpenMessaging() : await startWebMessaging();
  let scenario: Scenario | undefined;
  const recorder = new FastRecorder((seq, at) => {
    scenario?.onAgentMarker(seq, at);
  });
  const serviceUrl = await recorder.start();
  // A Cosmos DB account when one is given (the only source of real request charges), else the local server.
  const account = name === 'cosmos' ? cosmosAccount(options, runId) : undefined;
  const cosmos = name === 'cosmos' && account === undefined ? WorkerHandle.start('cosmosWorker', 'cosmos') : undefined;
  const profileDir = options.profileDir === '' ? undefined : resolve(process.cwd(), options.profileDir);
  const worker = WorkerHandle.start(isBot ? 'botWorker' : 'baselineWorker', name, profileDir, options.workerFlags);
  const budgetMs = options.budgetMs[name] ?? 120_000;
  const skipped: ConfigResult['skipped'] = [];
  const results: LevelResult[] = [];
  try {
    const { endpoints } = genesys;
    let cosmosEndpoint = account?.endpoint ?? '';
    if (cosmos !== undefined)
      cosmosEndpoint = `http://127.0.0.1:${(await cosmos.request<StartResult>({ cmd: 'start', options: endpoints })).port}`;
    const startOptions: BotStartOptions = {
      ...endpoints,
      ...(genesys.openMessaging === undefined ? {} : { openMessaging: genesys.openMessaging }),
      cosmosEndpoint,
      cosmosKey: account?.key ?? COSMOS_KEY,
      cosmosDatabaseId: `bench-${runId}`,
      // The relay's own overhead: the reorder hold is measured in a phase of its own.
      reorderWindowMs: 0,
      logLevel: options.logLevel,
      logFile: options.logFile === '' ? '' : resolve(process.cwd(), `${options.logFile}.${name}.log`),
      settings: {},
      ...(name === 'batched' ? { writeBatching: BATCHING } : {}),
    };
    // Deferred writes land at most this long after the last message of a phase.
    const settleMs = (name === 'batched' ? Math.max(BATCHING.deferMaxMs, BATCHING.transcriptBatchMs) : 0) + 500;
    const started = await worker.request<StartResult>({ cmd: 'start', options: isBot ? startOptions : endpoints });
    genesys.relayListening(started.port);
    const running = new Scenario(genesys.bench, serviceUrl, worker, started.port, runId);
    scenario = running;
    const storageOps = (): Promise<StorageOps> => worker.request<StorageOps>({ cmd: 'storageOps' });
    const counters = async (): Promise<CosmosCounters> =>
      cosmos === undefined ? {} : cosmos.request<CosmosCounters>({ cmd: 'counters' });

    // Warm-up: JIT, pools and one-time allocations land in the idle baseline, not in the per-chat figure.
    const warm = await scenario.openTo(options.warmupChats, options.concurrency);
    await scenario.load(Math.min(options.rate, options.warmupChats), 2_000);
    await sleep(500);
    const baselineMemory = await worker.request<MemorySample>({ cmd: 'memory' });
    log(
      `${name}: warm-up ${warm.opened} chats at ${round(warm.chatsPerSecond, 1)} chats/s; idle heap ${round(baselineMemory.heapUsed / 2 ** 20, 1)} MB, rss ${round(baselineMemory.rss / 2 ** 20, 1)} MB`,
    );

    let openRate = warm.chatsPerSecond;
    let recoveryRate = Number.NaN;
    for (const level of levels) {
      const current = scenario.chats.length;
      const loadPhases = hasReorderWindow && options.reorderWindowLevels.includes(level) ? 2 : 1;
      const oneWayMs = isBot ? 2 * (ONE_WAY_MS + settleMs + 1_000) + settleMs : 0;
      const phasesMs = options.idleMs + loadPhases * (options.durationMs + 1_000) + 2_000 + oneWayMs;
      const estimateMs =
        ((level - current) / Math.max(1, openRate)) * 1000 +
        phasesMs +
        (Number.isFinite(recoveryRate) ? (level / recoveryRate) * 1000 : 0);
      const elapsed = performance.now() - began;
      if (results.length > 0 && elapsed + estimateMs > budgetMs) {
        const reason = `estimated ${round(estimateMs / 1000, 0)} s more would exceed the ${budgetMs / 1000} s budget of this config (open rate ${round(openRate, 0)} chats/s)`;
        skipped.push({ chats: level, reason });
        log(`${name}: skipping ${level} chats: ${reason}`);
        continue;
      }
      log(`${name}: opening chats up to ${level}`);
      const openBefore = await counters();
      const openStorageBefore = await storageOps();
      const open = await scenario.openTo(level, options.concurrency);
      const openOps = diff(await counters(), openBefore);
      const openStorage = opsRate(await storageOps(), openStorageBefore, open.opened);
      openRate = open.chatsPerSecond;
      log(
        `${name}: ${scenario.readyCount} live chats (${open.failed} failed) at ${round(open.chatsPerSecond, 1)} chats/s, ${round(open.cpuMsPerChat, 2)} CPU ms/chat; setup p50 ${open.setup.p50} p99 ${open.setup.p99} ms`,
      );
      if (open.failed > 0 && open.opened === 0) {
        skipped.push({ chats: level, reason: 'no chat could be opened' });
        break;
      }
      await sleep(1_000);
      const sample = await worker.request<MemorySample>({ cmd: 'memory' });
      const memory = memoryResult(sample, baselineMemory, scenario.readyCount - options.warmupChats);
      const idleBefore = await counters();
      const idleStorageBefore = await storageOps();
      const idleCpu = await scenario.idle(options.idleMs);
      const idleOps = diff(await counters(), idleBefore);
      const idleStorage = opsRate(
        await storageOps(),
        idleStorageBefore,
        (scenario.readyCount * idleCpu.wallMs) / 60_000,
      );
      const idleMsPerSecond = (cpuMs(idleCpu) / idleCpu.wallMs) * 1000;
      const sweepMs = isBot ? (await worker.request<{ sweepMs: number }>({ cmd: 'sweep' })).sweepMs : undefined;
      log(
        `${name}: memory ${memory.heapKBPerChat} KB heap / ${memory.rssKBPerChat} KB rss per chat; idle CPU ${round(idleMsPerSecond, 1)} ms/s${sweepMs === undefined ? '' : `; sweep ${round(sweepMs, 1)} ms`}`,
      );

      const loadBefore = await counters();
      const loadStorageBefore = await storageOps();
      const connectionsBefore = recorder.connections;
      const rawLoad = await scenario.load(options.rate, options.durationMs);
      const loadOps = diff(await counters(), loadBefore);
      let storageResult: StorageOpsResult | undefined;
      if (isBot) {
        await sleep(settleMs);
        const mixed = opsRate(
          await storageOps(),
          loadStorageBefore,
          rawLoad.userToAgent.count + rawLoad.agentToUser.count,
        );
        const oneWay = async (
          direction: 'userToAgent' | 'agentToUser',
        ): Promise<{ rate: StorageOpsRate; load: LoadResult }> => {
          const before = await storageOps();
          const oneLoad = await running.load(options.rate, ONE_WAY_MS, 15_000, direction);
          await sleep(settleMs);
          return { rate: opsRate(await storageOps(), before, oneLoad[direction].count), load: oneLoad };
        };
        const ua = await oneWay('userToAgent');
        const au = await oneWay('agentToUser');
        storageResult = {
          perOpenedChat: openStorage,
          perIdleChatMinute: idleStorage,
          perRelayedMessage: mixed,
          perUserToAgentMessage: ua.rate,
          perAgentToUserMessage: au.rate,
          requestChargePerMessage: mixed.requestUnits,
          userToAgentOnly: ua.load,
          agentToUserOnly: au.load,
        };
        log(
          `${name}: storage ops per opened chat ${openStorage.total}, per u->a msg ${ua.rate.total} (lost ${ua.load.lost}), per a->u msg ${au.rate.total} (lost ${au.load.lost}), mixed ${mixed.total}, per idle chat-minute ${idleStorage.total}`,
        );
      }
      const load = {
        ...withCpu(rawLoad, idleMsPerSecond),
        recorderConnections: recorder.connections - connectionsBefore,
      };
      const records = isBot ? await worker.request<RecordStats>({ cmd: 'counters' }) : undefined;
      log(`${name}: ${describeLoad('load', load)}`);

      const withWindow = hasReorderWindow && options.reorderWindowLevels.includes(level);
      const recovery = await scenario.restart(withWindow ? COMPARISON_REORDER_WINDOW_MS : 0, 120_000);
      recoveryRate =
        recovery.chats / (Math.max(1, Number.isNaN(recovery.allResumedMs) ? 120_000 : recovery.allResumedMs) / 1000);
      log(
        `${name}: restart: stop ${round(recovery.stopMs, 0)} ms, all ${recovery.chats} chats resumed in ${round(recovery.allResumedMs, 0)} ms (missing ${recovery.missing})`,
      );
      let loadWithReorderWindow: LevelResult['loadWithReorderWindow'];
      let recoveryBack: LevelResult['recoveryBack'];
      if (withWindow) {
        loadWithReorderWindow = withCpu(await scenario.load(options.rate, options.durationMs), idleMsPerSecond);
        log(`${name}: ${describeLoad(`reorder window ${COMPARISON_REORDER_WINDOW_MS} ms`, loadWithReorderWindow)}`);
        if (level !== levels[levels.length - 1]) recoveryBack = await scenario.restart(0, 120_000);
      }
      const relayed = Math.max(1, load.userToAgent.count + load.agentToUser.count);
      results.push({
        level,
        chats: scenario.readyCount,
        open,
        memory,
        idle: {
          ...idleCpu,
          cpuMsPerSecond: round(idleMsPerSecond, 2),
          cpuMsPerSecondPer1kChats: round((idleMsPerSecond / scenario.readyCount) * 1000, 2),
        },
        sweepMs: sweepMs === undefined ? undefined : round(sweepMs, 1),
        load,
        recovery,
        loadWithReorderWindow,
        recoveryBack,
        storageOps: storageResult,
        records:
          records === undefined
            ? undefined
            : {
                records: records.records,
                recordBytesMean: round(records.recordBytesMean, 0),
                recordBytesMax: records.recordBytesMax,
                deliveredIdsMax: records.deliveredIdsMax,
              },
        storage:
          cosmos === undefined
            ? undefined
            : {
                opsPerOpenedChat: round(sum(openOps) / Math.max(1, open.opened + open.failed), 1),
                idleOpsPerChatPerMinute: round((sum(idleOps) / scenario.readyCount) * (60_000 / idleCpu.wallMs), 2),
                opsPerRelayedMessage: round(sum(loadOps) / relayed, 2),
                open: openOps,
                idle: idleOps,
                load: loadOps,
              },
      });
    }
    return {
      name,
      description:
        account === undefined
          ? (DESCRIPTIONS[name] ?? name)
          : `The bot (createApp + createProvider), Cosmos DB account ${new URL(account.endpoint).host}`,
      baselineMemory,
      warmupChats: options.warmupChats,
      levels: results,
      skipped,
      wallMs: performance.now() - began,
    };
  } finally {
    scenario?.close();
    await worker.close();
    await cosmos?.close();
    await account?.deleteDatabase();
    await recorder.stop();
    await genesys.stop();
  }
}

/** The product commit measured (read-only git calls), with a note when product sources differ from it. */
function productVersion(): string {
  const head = spawnSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' });
  if (head.status !== 0) return 'unknown (not a git checkout)';
  const dirty = spawnSync('git', ['status', '--porcelain', '--', 'src', 'bots', 'dialogs', 'package.json'], {
    encoding: 'utf8',
  });
  return `${head.stdout.trim()}${dirty.stdout.trim() === '' ? '' : ' + uncommitted product changes'}`;
}

function fileDescriptorLimit(): string {
  const result = spawnSync('sh', ['-c', 'ulimit -n'], { encoding: 'utf8' });
  return result.status === 0 ? result.stdout.trim() : 'unknown';
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2), process.env);
  const began = performance.now();
  const runId = randomUUID().slice(0, 8);
  const fdLimit = fileDescriptorLimit();
  const maxLevel = Math.max(...options.levels, ...options.cosmosLevels);
  const account = options.cosmosEndpoint ?? '';
  const cosmosNote =
    account === ''
      ? 'the local Cosmos DB server runs in a third process'
      : `the cosmos config uses the Cosmos DB account ${new URL(account).host}`;
  const notes = [
    `Every relay runs in its own process (forked with --expose-gc); the simulator, the connector recorder and the load driver run in the orchestrator; ${cosmosNote}. Latencies are measured on the orchestrator clock.`,
    `Load: ${options.rate} user->agent and ${options.rate} agent->user messages per second spread round-robin over all live chats (below the 5 msg/s per-session Genesys limit), ${options.durationMs / 1000} s per phase.`,
    'Memory per chat: (heapUsed or RSS after forced GC) minus the idle baseline taken after the warm-up chats, divided by the chats opened since.',
    'CPU per message: relay process CPU (user+system) over the load phase divided by messages relayed both ways; "net" subtracts the idle CPU rate measured just before.',
    'Recovery: graceful stop, every agent writes while the relay is down, new app on the same storage (memory: the same objects; Cosmos: real persistence); time until every chat delivered that message.',
    'Product defaults are used: HandoffSweepIntervalSeconds 5, HandoffLeaseSeconds 30, GenesysReorderWindowMs 0 in every phase but the reorder-window one (the product default, 150 ms, is measured there), heartbeat 15 s, echo 30 s, LogLevel info (written to /dev/null).',
  ];
  if (fdLimit !== 'unknown' && fdLimit !== 'unlimited' && Number(fdLimit) < maxLevel + 1000) {
    notes.push(
      `File descriptor limit ${fdLimit} is below ${maxLevel + 1000}: the largest levels may fail to open sockets (raise it with ulimit -n).`,
    );
  }
  log(`options: ${JSON.stringify(options)}; ulimit -n ${fdLimit}`);
  const configs: ConfigResult[] = [];
  for (const name of options.configs) {
    log(`--- ${name}: ${DESCRIPTIONS[name] ?? name}`);
    configs.push(await runConfig(name, options, runId));
  }
  const result: BenchResult = {
    meta: {
      date: new Date().toISOString(),
      node: process.version,
      platform: `${process.platform} ${process.arch}`,
      cpuModel: cpus()[0]?.model ?? 'unknown',
      cores: cpus().length,
      totalMemoryGB: round(totalmem() / 2 ** 30, 1),
      fileDescriptorLimit: fdLimit,
      commit: productVersion(),
      totalWallMs: round(performance.now() - began, 0),
      options,
      notes,
    },
    configs,
  };
  const out = resolve(process.cwd(), options.out);
  mkdirSync(dirname(out), { recursive: true });
  const markdown = renderMarkdown(result);
  writeFileSync(`${out}.json`, `${JSON.stringify(result, null, 2)}\n`);
  writeFileSync(`${out}.md`, markdown);
  process.stdout.write(
    `${markdown}\nWrote ${out}.json and ${out}.md in ${round(result.meta.totalWallMs / 1000, 1)} s\n`,
  );
}

main().catch((err: unknown) => {
  process.stderr.write(`bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exitCode = 1;
});
