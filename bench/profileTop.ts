import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

/**
 * `node dist/bench/profileTop.js FILE_OR_DIR [N]`: the N (default 5) functions with the most self
 * time, then the N with the most inclusive time (the function and everything it called; functions
 * of the product and its libraries only), then self time summed per package, in
 * `.cpuprofile` files written by `--cpu-prof` (a directory: every profile in it, summed), as
 * Markdown tables with their share of the busy time. Idle and GC are listed as V8 names them.
 */

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples?: number[];
  timeDeltas?: number[];
}

/** Time per function label (µs), summed over profiles. */
interface Times {
  self: Map<string, number>;
  /** Functions with a source file outside node's own (`node:`): the product and its libraries. */
  inclusive: Map<string, number>;
  /** Self time per package (`node_modules/<name>`), product directory, or node's own code. */
  byPackage: Map<string, number>;
  /** Every sample (µs). */
  total: number;
  /** Samples that were neither idle nor "program" (µs). */
  busy: number;
}

function isProfile(value: unknown): value is CpuProfile {
  return typeof value === 'object' && value !== null && Array.isArray((value as { nodes?: unknown }).nodes);
}

function label(node: ProfileNode): string {
  const { functionName, url, lineNumber } = node.callFrame;
  const file = url === '' ? '' : ` ${url.replace(/^file:\/\//, '').replace(/^.*node_modules\//, '')}:${lineNumber + 1}`;
  return `${functionName === '' ? '(anonymous)' : functionName}${file}`;
}

function isIdle(name: string): boolean {
  return name.startsWith('(idle)') || name.startsWith('(program)');
}

/** True for a label with a source file that is not node's own. */
function isCode(name: string): boolean {
  const file = name.split(' ')[1];
  return file !== undefined && !file.startsWith('node:');
}

/** Where a function's code lives: a package, a directory of the product, node itself, or V8 (GC, microtasks). */
function packageOf(node: ProfileNode): string {
  const url = node.callFrame.url.replace(/^file:\/\//, '');
  if (url === '') return `(v8) ${node.callFrame.functionName}`;
  if (url.startsWith('node:')) return 'node';
  const inModules = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (inModules?.[1] !== undefined) return inModules[1];
  const product = /\/dist\/((?:[^/]+\/)?[^/]+)\//.exec(url);
  return product?.[1] ?? url;
}

function add(map: Map<string, number>, key: string, us: number): void {
  map.set(key, (map.get(key) ?? 0) + us);
}

function collect(profile: CpuProfile, into: Times): void {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  // Labels on each node's stack (itself and its callers), each once, cached per node.
  const stacks = new Map<number, Set<string>>();
  const stackOf = (id: number): Set<string> => {
    const cached = stacks.get(id);
    if (cached !== undefined) return cached;
    const node = byId.get(id);
    const up = parent.get(id);
    const labels = new Set(up === undefined ? [] : stackOf(up));
    if (node !== undefined) labels.add(label(node));
    stacks.set(id, labels);
    return labels;
  };
  const samples = profile.samples ?? [];
  const deltas = profile.timeDeltas ?? [];
  for (let i = 0; i < samples.length; i++) {
    const id = samples[i] ?? -1;
    const node = byId.get(id);
    const us = Math.max(0, deltas[i] ?? 0);
    if (node === undefined) continue;
    into.total += us;
    const name = label(node);
    if (isIdle(name)) continue;
    into.busy += us;
    add(into.self, name, us);
    add(into.byPackage, packageOf(node), us);
    for (const caller of stackOf(id)) if (isCode(caller)) add(into.inclusive, caller, us);
  }
}

function table(title: string, map: Map<string, number>, busy: number, top: number): string[] {
  const rows = [...map].sort((a, b) => b[1] - a[1]).slice(0, top);
  return [
    `| ${title} ms | share of busy | function |`,
    '| --- | --- | --- |',
    ...rows.map(([name, us]) => `| ${(us / 1000).toFixed(0)} | ${((us / busy) * 100).toFixed(1)}% | \`${name}\` |`),
  ];
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
  const times: Times = { self: new Map(), inclusive: new Map(), byPackage: new Map(), total: 0, busy: 0 };
  for (const file of files) {
    const parsed: unknown = JSON.parse(readFileSync(file, 'utf8'));
    if (!isProfile(parsed)) throw new Error(`${file}: not a .cpuprofile`);
    collect(parsed, times);
  }
  const lines = [
    `${files.length} profile(s), ${(times.total / 1e6).toFixed(1)} s sampled, ${(times.busy / 1e6).toFixed(1)} s busy (without idle and "program")`,
    '',
    ...table('self time', times.self, times.busy, top),
    '',
    ...table('inclusive time', times.inclusive, times.busy, top),
    '',
    ...table('self time by package', times.byPackage, times.busy, top),
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

main();
