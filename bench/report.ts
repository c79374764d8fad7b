import { COMPARISON_REORDER_WINDOW_MS, ONE_WAY_MS } from './options';
import type { LoadResult } from './driver';
import type { BenchResult, ConfigResult, LevelResult, StorageOpsRate } from './results';
import type { LatencySummary } from './stats';
import { round } from './stats';

function fmt(value: number | undefined, digits = 1): string {
  if (value === undefined || !Number.isFinite(value)) return 'n/a';
  return round(value, digits).toLocaleString('en-US', { maximumFractionDigits: digits });
}

function lat(s: LatencySummary): string {
  return `${fmt(s.p50, 2)} / ${fmt(s.p95, 2)} / ${fmt(s.p99, 2)} / ${fmt(s.max, 1)}`;
}

function row(cells: string[]): string {
  return `| ${cells.join(' | ')} |`;
}

function levelOf(config: ConfigResult | undefined, level: number): LevelResult | undefined {
  return config?.levels.find((l) => l.level === level);
}

function ratio(a: number, b: number): string {
  return b > 0 && Number.isFinite(a) ? `${fmt(a / b, 1)}x` : 'n/a';
}

function mainTable(result: BenchResult): string[] {
  const lines = [
    row([
      'relay',
      'live chats',
      'open chats/s',
      'setup p50 / p99 ms',
      'user→agent p50 / p95 / p99 / max ms',
      'agent→user p50 / p95 / p99 / max ms',
      'CPU ms/msg (net)',
      'idle CPU ms/s per 1k chats',
      'heap KB/chat',
      'RSS KB/chat',
      'restart: all resumed s',
      'lost',
    ]),
    row(Array.from({ length: 12 }, () => '---')),
  ];
  for (const config of result.configs) {
    for (const l of config.levels) {
      lines.push(
        row([
          config.name,
          fmt(l.chats, 0),
          fmt(l.open.chatsPerSecond, 0),
          `${fmt(l.open.setup.p50, 1)} / ${fmt(l.open.setup.p99, 1)}`,
          lat(l.load.userToAgent),
          lat(l.load.agentToUser),
          `${fmt(l.load.cpuMsPerMessage, 3)} (${fmt(l.load.netCpuMsPerMessage, 3)})`,
          fmt(l.idle.cpuMsPerSecondPer1kChats, 1),
          fmt(l.memory.heapKBPerChat, 1),
          fmt(l.memory.rssKBPerChat, 1),
          fmt(l.recovery.allResumedMs / 1000, 2),
          String(l.load.lost + l.recovery.missing + l.open.failed),
        ]),
      );
    }
  }
  return lines;
}

function comparisonTable(result: BenchResult): string[] {
  const baseline = result.configs.find((c) => c.name === 'baseline');
  const lines: string[] = [];
  if (baseline === undefined) return lines;
  lines.push(
    row([
      'relay',
      'live chats',
      'added p50 / p99 u→a ms',
      'added p50 / p99 a→u ms',
      'CPU/msg',
      'heap/chat',
      'RSS/chat',
      'idle CPU',
      'recovery',
    ]),
    row(Array.from({ length: 9 }, () => '---')),
  );
  for (const config of result.configs) {
    if (config.name === 'baseline') continue;
    for (const l of config.levels) {
      const b = levelOf(baseline, l.level);
      if (b === undefined) continue;
      lines.push(
        row([
          config.name,
          fmt(l.chats, 0),
          `${fmt(l.load.userToAgent.p50 - b.load.userToAgent.p50, 2)} / ${fmt(l.load.userToAgent.p99 - b.load.userToAgent.p99, 2)}`,
          `${fmt(l.load.agentToUser.p50 - b.load.agentToUser.p50, 2)} / ${fmt(l.load.agentToUser.p99 - b.load.agentToUser.p99, 2)}`,
          ratio(l.load.cpuMsPerMessage, b.load.cpuMsPerMessage),
          ratio(l.memory.heapKBPerChat, b.memory.heapKBPerChat),
          ratio(l.memory.rssKBPerChat, b.memory.rssKBPerChat),
          ratio(l.idle.cpuMsPerSecond, b.idle.cpuMsPerSecond),
          ratio(l.recovery.allResumedMs, b.recovery.allResumedMs),
        ]),
      );
    }
  }
  return lines;
}

function reorderTable(result: BenchResult): string[] {
  const baseline = result.configs.find((c) => c.name === 'baseline');
  const lines: string[] = [];
  for (const config of result.configs) {
    for (const l of config.levels) {
      const off: LoadResult | undefined = l.loadWithReorderWindow;
      if (off === undefined) continue;
      if (lines.length === 0) {
        lines.push(
          row([
            'relay',
            'live chats',
            'reorder window',
            'agent→user p50 / p95 / p99 / max ms',
            'user→agent p50 / p95 / p99 / max ms',
            'added a→u p99 over baseline ms',
          ]),
          row(Array.from({ length: 6 }, () => '---')),
        );
      }
      const b = levelOf(baseline, l.level);
      const added = (s: LatencySummary): string => (b === undefined ? 'n/a' : fmt(s.p99 - b.load.agentToUser.p99, 2));
      lines.push(
        row([
          config.name,
          fmt(l.chats, 0),
          '0 (default)',
          lat(l.load.agentToUser),
          lat(l.load.userToAgent),
          added(l.load.agentToUser),
        ]),
      );
      lines.push(
        row([
          config.name,
          fmt(l.chats, 0),
          `${COMPARISON_REORDER_WINDOW_MS} ms`,
          lat(off.agentToUser),
          lat(off.userToAgent),
          added(off.agentToUser),
        ]),
      );
    }
  }
  return lines;
}

function targetsTable(result: BenchResult): string[] {
  const baseline = result.configs.find((c) => c.name === 'baseline');
  const bot = result.configs.find((c) => c.name === 'memory');
  const cosmos = result.configs.find((c) => c.name === 'cosmos');
  const lines = [row(['target', 'measured', 'met']), row(['---', '---', '---'])];
  const at1k = levelOf(bot, 1000);
  const base1k = levelOf(baseline, 1000);
  if (at1k !== undefined && base1k !== undefined) {
    const ua = at1k.load.userToAgent.p99 - base1k.load.userToAgent.p99;
    const au = at1k.load.agentToUser.p99 - base1k.load.agentToUser.p99;
    lines.push(
      row([
        'added p99 over baseline < 5 ms at 1,000 chats (memory storage, product defaults)',
        `user→agent +${fmt(ua, 2)} ms; agent→user +${fmt(au, 2)} ms`,
        ua < 5 && au < 5 ? 'yes' : 'no',
      ]),
    );
    const off = at1k.loadWithReorderWindow;
    if (off !== undefined) {
      const offUa = off.userToAgent.p99 - base1k.load.userToAgent.p99;
      const offAu = off.agentToUser.p99 - base1k.load.agentToUser.p99;
      lines.push(
        row([
          `… same, GenesysReorderWindowMs=${COMPARISON_REORDER_WINDOW_MS}`,
          `user→agent +${fmt(offUa, 2)} ms; agent→user +${fmt(offAu, 2)} ms`,
          offUa < 5 && offAu < 5 ? 'yes' : 'no',
        ]),
      );
    }
  } else {
    lines.push(
      row([
        'added p99 over baseline < 5 ms at 1,000 chats',
        'not measured (level 1,000 not run for both relays)',
        'n/a',
      ]),
    );
  }
  if (bot !== undefined) {
    const clean = bot.levels.filter((l) => l.open.failed === 0 && l.load.lost === 0 && l.recovery.missing === 0);
    const best = clean.at(-1);
    lines.push(
      row([
        '≥ 10,000 live chats on one 2-core instance',
        best === undefined
          ? 'no level completed cleanly'
          : `${fmt(best.chats, 0)} chats held and relayed without loss (largest level run${bot.skipped.length > 0 ? `; skipped: ${bot.skipped.map((s) => s.chats).join(', ')}` : ''}); there: idle CPU ${fmt(best.idle.cpuMsPerSecond, 0)} ms/s, p99 user→agent ${fmt(best.load.userToAgent.p99, 1)} ms, agent→user ${fmt(best.load.agentToUser.p99, 1)} ms, restart recovery ${fmt(best.recovery.allResumedMs / 1000, 1)} s`,
        best !== undefined && best.chats >= 10_000 ? 'yes' : 'no',
      ]),
    );
    const largest = bot.levels.at(-1);
    if (largest !== undefined) {
      lines.push(
        row([
          '< 50 KB memory per idle live chat',
          `${fmt(largest.memory.heapKBPerChat, 1)} KB heap, ${fmt(largest.memory.heapAndExternalKBPerChat, 1)} KB heap+external, ${fmt(largest.memory.rssKBPerChat, 1)} KB RSS (at ${fmt(largest.chats, 0)} chats)`,
          largest.memory.rssKBPerChat < 50 && largest.memory.heapAndExternalKBPerChat < 50 ? 'yes' : 'no',
        ]),
      );
    }
  }
  for (const config of [bot, cosmos]) {
    const l = levelOf(config, 1000);
    if (config === undefined || l === undefined) continue;
    const ms = l.recovery.allResumedMs;
    lines.push(
      row([
        `recovery of 1,000 chats after a restart < 10 s (${config.name})`,
        `${fmt(ms / 1000, 2)} s (missing ${l.recovery.missing})`,
        ms < 10_000 && l.recovery.missing === 0 ? 'yes' : 'no',
      ]),
    );
  }
  return lines;
}

function detailsTable(result: BenchResult): string[] {
  const lines = [
    row([
      'relay',
      'live chats',
      'open CPU ms/chat',
      'POST "agent" p50 / p99 ms',
      'first agent msg p50 / p99 ms',
      'idle ELU / loop delay p99 / max ms',
      'load ELU / loop delay p99 / max ms',
      'sweep ms',
      'connector TCP conns / msg',
      'stop ms',
      'per-chat resume p50 / p99 ms',
      'storage ops / opened chat',
      'storage ops / msg',
      'storage ops / chat / min idle',
      'machine busy / relay / orchestrator / other cores (load)',
    ]),
    row(Array.from({ length: 15 }, () => '---')),
  ];
  for (const config of result.configs) {
    for (const l of config.levels) {
      const delivered = Math.max(1, l.load.agentToUser.count);
      lines.push(
        row([
          config.name,
          fmt(l.chats, 0),
          fmt(l.open.cpuMsPerChat, 2),
          `${fmt(l.open.post.p50, 1)} / ${fmt(l.open.post.p99, 1)}`,
          `${fmt(l.open.firstAgentMessage.p50, 1)} / ${fmt(l.open.firstAgentMessage.p99, 1)}`,
          `${fmt(l.idle.elu, 2)} / ${fmt(l.idle.loopDelayP99Ms, 1)} / ${fmt(l.idle.loopDelayMaxMs, 1)}`,
          `${fmt(l.load.cpu.elu, 2)} / ${fmt(l.load.cpu.loopDelayP99Ms, 1)} / ${fmt(l.load.cpu.loopDelayMaxMs, 1)}`,
          l.sweepMs === undefined ? 'n/a' : fmt(l.sweepMs, 1),
          fmt(l.load.recorderConnections / delivered, 2),
          fmt(l.recovery.stopMs, 0),
          `${fmt(l.recovery.perChat.p50, 0)} / ${fmt(l.recovery.perChat.p99, 0)}`,
          l.storage === undefined ? 'n/a' : fmt(l.storage.opsPerOpenedChat, 1),
          l.storage === undefined ? 'n/a' : fmt(l.storage.opsPerRelayedMessage, 1),
          l.storage === undefined ? 'n/a' : fmt(l.storage.idleOpsPerChatPerMinute, 1),
          l.load.machine === undefined
            ? 'n/a'
            : `${fmt(l.load.machine.busyCores, 2)} / ${fmt(l.load.machine.relayCores, 2)} / ${fmt(l.load.machine.orchestratorCores, 2)} / ${fmt(l.load.machine.otherCores, 2)}`,
        ]),
      );
    }
  }
  return lines;
}

function opsCell(rate: StorageOpsRate | undefined): string {
  if (rate === undefined) return 'n/a';
  const r = rate.records;
  const st = rate.state;
  const charge = rate.requestUnits === undefined ? '' : ` · ${fmt(rate.requestUnits, 2)} RU`;
  return `**${fmt(rate.total, 2)}**: rec ${fmt(r.reads, 2)}/${fmt(r.writes, 2)}/${fmt(r.queries, 2)} · state ${fmt(st.reads, 2)}/${fmt(st.writes, 2)}${charge}`;
}

/** Storage operations counted inside the bot, per unit of work (the baseline has no storage). */
function storageTable(result: BenchResult): string[] {
  const lines = [
    row([
      'relay',
      'live chats',
      'per chat opened',
      'per user→agent msg',
      'per agent→user msg',
      'per msg, both ways mixed',
      'per idle chat per minute',
      'request charge RU / msg',
      'one-way phases lost',
    ]),
    row(Array.from({ length: 9 }, () => '---')),
  ];
  for (const config of result.configs) {
    for (const l of config.levels) {
      const o = l.storageOps;
      const none = config.name === 'baseline' ? '0 (no storage)' : 'n/a';
      lines.push(
        row([
          config.name,
          fmt(l.chats, 0),
          o === undefined ? none : opsCell(o.perOpenedChat),
          o === undefined ? none : opsCell(o.perUserToAgentMessage),
          o === undefined ? none : opsCell(o.perAgentToUserMessage),
          o === undefined ? none : opsCell(o.perRelayedMessage),
          o === undefined ? none : opsCell(o.perIdleChatMinute),
          o?.requestChargePerMessage === undefined ? 'n/a' : fmt(o.requestChargePerMessage, 2),
          o === undefined ? 'n/a' : `${o.userToAgentOnly.lost} / ${o.agentToUserOnly.lost}`,
        ]),
      );
    }
  }
  return lines;
}

function contaminationWarning(result: BenchResult): string[] {
  const hits: string[] = [];
  for (const config of result.configs) {
    if (config.name === 'cosmos') continue;
    for (const l of config.levels) {
      for (const load of [l.load, l.loadWithReorderWindow]) {
        if (load?.machine !== undefined && load.machine.otherCores > 0.25)
          hits.push(`${config.name}@${l.chats}: ${fmt(load.machine.otherCores, 2)} cores`);
      }
    }
  }
  if (hits.length === 0) return [];
  return [
    `> **Foreign CPU load during load phases** (processes outside the bench used the machine): ${hits.join('; ')}. Tail latencies of those phases are inflated; rerun on a quiet machine.`,
    '',
  ];
}

/** The Markdown report: parameters, the main table, ratios to the baseline, targets, details. */
export function renderMarkdown(result: BenchResult): string {
  const m = result.meta;
  const o = m.options;
  const out: string[] = [
    '# Relay bench',
    '',
    `${m.date} · commit ${m.commit} · ${m.cores} × ${m.cpuModel} · ${m.totalMemoryGB} GB · Node ${m.node} · ${m.platform} · ulimit -n ${m.fileDescriptorLimit} · total ${fmt(m.totalWallMs / 1000, 0)} s`,
    '',
    `Parameters: levels ${o.levels.join(', ')}${o.configs.includes('cosmos') ? ` (Cosmos: ${o.cosmosLevels.join(', ')})` : ''}; ${o.warmupChats} warm-up chats; load ${o.rate} msg/s each way for ${o.durationMs / 1000} s; idle window ${o.idleMs / 1000} s; open concurrency ${o.concurrency}; log level ${o.logLevel}${o.quick ? '; QUICK smoke run' : ''}.`,
    '',
    ...result.configs.map(
      (c) =>
        `- **${c.name}**: ${c.description} (${fmt(c.wallMs / 1000, 0)} s${c.skipped.length > 0 ? `; skipped ${c.skipped.map((s) => `${s.chats} (${s.reason})`).join('; ')}` : ''})`,
    ),
    '',
    ...contaminationWarning(result),
    '## Results',
    '',
    ...mainTable(result),
    '',
    '## Against the baseline (same live-chat count)',
    '',
    ...comparisonTable(result),
    '',
    '## Reorder window (agent→user buffer, `GenesysReorderWindowMs`)',
    '',
    ...reorderTable(result),
    '',
    '## Storage operations',
    '',
    'Counted inside the bot by decorators around its two stores (`src/storage/countingStore.ts`): **total** (bold), then the live-chat record store as reads/writes/queries and bot state (conversation and user state with the transcript) as reads/writes. Per message: one-way load phases of ' +
      `${ONE_WAY_MS / 1000} s at the same rate, counted until deferred writes settled. Request charge: summed in the bot from the \`x-ms-request-charge\` header of every Cosmos DB response to both stores, retries, conflicts and missing documents included (\`src/storage/requestCharge.ts\`); shown as RU per unit after the counts and per mixed-load message in its own column; n/a when no response of the phase carried one: memory storage, and the local protocol server (its constant placeholder \`1\` is not a charge; the bench removes it).`,
    '',
    ...storageTable(result),
    '',
    '## Targets (goals, not assertions)',
    '',
    ...targetsTable(result),
    '',
    '## Details',
    '',
    ...detailsTable(result),
    '',
    '## Method',
    '',
    ...m.notes.map((n) => `- ${n}`),
    '',
  ];
  return out.join('\n');
}
