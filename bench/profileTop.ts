import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

/**
 * `node dist/bench/profileTop.js FILE_OR_DIR [N]`: the N (default 5) functions with the most self
 * time in `.cpuprofile` files written by `--cpu-prof` (a directory: every profile in it, summed),
 * as a Markdown table with their share of the sampled time. Idle and GC are listed as V8 names them.
 */

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples?: number[];
  timeDeltas?: number[];
}

function isProfile(value: unknown): value is CpuProfile {
  return typeof value === 'object' && value !== null && Array.isArray((value as { nodes?: unknown }).nodes);
}

function label(node: ProfileNode): string {
  const { functionName, url, lineNumber } = node.callFrame;
  const file = url === '' ? '' : ` ${url.replace(/^file:\/\//, '').replace(/^.*node_modules\//, '')}:${lineNumber + 1}`;
  return `${functionName === '' ? '(anonymous)' : functionName}${file}`;
}

function selfTimes(profile: CpuProfile, into: Map<string, number>): number {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const samples = profile.samples ?? [];
  const deltas = profile.timeDeltas ?? [];
  let total = 0;
  for (let i = 0; i < samples.length; i++) {
    const node = byId.get(samples[i] ?? -1);
    const us = Math.max(0, deltas[i] ?? 0);
    if (node === undefined) continue;
    total += us;
    const key = label(node);
    into.set(key, (into.get(key) ?? 0) + us);
  }
  return total;
}

function main(): void {
  const target = process.argv[2];
  const top = Number(process.argv[3] ?? '5');
  if (target === undefined) throw new Error('usage: profileTop FILE_OR_DIR [N]');
  const files = target.endsWith('.cpuprofile')
    ? [target]
    : readdirSync(target)
        .filter((f) => f.endsWith('.cpuprofile'))
        .map((f) => join(target, f));
  const times = new Map<string, number>();
  let total = 0;
  for (const file of files) {
    const parsed: unknown = JSON.parse(readFileSync(file, 'utf8'));
    if (!isProfile(parsed)) throw new Error(`${file}: not a .cpuprofile`);
    total += selfTimes(parsed, times);
  }
  const busy = [...times].filter(([name]) => !name.startsWith('(idle)') && !name.startsWith('(program)'));
  const busyTotal = busy.reduce((sum, [, us]) => sum + us, 0);
  const rows = busy.sort((a, b) => b[1] - a[1]).slice(0, top);
  const lines = [
    `${files.length} profile(s), ${(total / 1e6).toFixed(1)} s sampled, ${(busyTotal / 1e6).toFixed(1)} s busy (without idle and "program")`,
    '',
    '| self time ms | share of busy | function |',
    '| --- | --- | --- |',
    ...rows.map(
      ([name, us]) => `| ${(us / 1000).toFixed(0)} | ${((us / busyTotal) * 100).toFixed(1)}% | \`${name}\` |`,
    ),
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

main();
