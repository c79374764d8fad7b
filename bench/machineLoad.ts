import { readFileSync } from 'node:fs';

/** CPU time of the whole machine (all cores), from /proc/stat; undefined where it is not readable. */
export interface MachineCpu {
  busyMs: number;
  totalMs: number;
}

/** Reads the aggregate `cpu` line of /proc/stat (Linux). */
export function machineCpu(): MachineCpu | undefined {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '';
    const fields = line.trim().split(/\s+/).slice(1).map(Number);
    if (fields.length < 4 || fields.some((f) => !Number.isFinite(f))) return undefined;
    // user nice system idle iowait irq softirq steal ...; clock ticks of 10 ms on Linux.
    const idle = (fields[3] ?? 0) + (fields[4] ?? 0);
    const total = fields.reduce((a, b) => a + b, 0);
    return { busyMs: (total - idle) * 10, totalMs: total * 10 };
  } catch {
    // Not Linux: the contamination check is simply not available.
    return undefined;
  }
}

/** How busy the machine was over a window, in cores, split by who used it. */
export interface MachineShare {
  busyCores: number;
  relayCores: number;
  orchestratorCores: number;
  /** Everything else: helper workers (Cosmos) and processes outside the bench. */
  otherCores: number;
}

/** Splits the machine's busy time between the relay, the orchestrator and the rest. */
export function machineShare(
  before: MachineCpu | undefined,
  after: MachineCpu | undefined,
  wallMs: number,
  relayCpuMs: number,
  orchestratorCpuMs: number,
): MachineShare | undefined {
  if (before === undefined || after === undefined || wallMs <= 0) return undefined;
  const busy = (after.busyMs - before.busyMs) / wallMs;
  const relay = relayCpuMs / wallMs;
  const orchestrator = orchestratorCpuMs / wallMs;
  const r = (v: number): number => Math.round(v * 100) / 100;
  return {
    busyCores: r(busy),
    relayCores: r(relay),
    orchestratorCores: r(orchestrator),
    otherCores: r(Math.max(0, busy - relay - orchestrator)),
  };
}
