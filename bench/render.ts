import { readFileSync } from 'node:fs';
import { renderMarkdown } from './report';
import type { BenchResult } from './results';

/** Re-renders the Markdown report of a bench JSON result: `node dist/bench/render.js bench/results/latest.json`. */
function main(): void {
  const file = process.argv[2];
  if (file === undefined) throw new Error('usage: node dist/bench/render.js <result.json>');
  const result = JSON.parse(readFileSync(file, 'utf8')) as BenchResult;
  process.stdout.write(renderMarkdown(result));
}

main();
