import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { brotliCompressSync, deflateRawSync, deflateSync, gzipSync } from 'node:zlib';
import { isRecord } from '../../src/json';
import type { FuzzRequest } from './httpClient';

/**
 * A known-bad (or known-tricky) input kept in `test/fuzz/corpus/*.json`. `raw` is sent as bytes on
 * a fresh connection; otherwise `method`, `path`, `headers` and `body` (UTF-8 text) or `bodyBase64`.
 * `{serviceUrl}`, `{conversationId}` and `{token}` are replaced with the suite's values, `{repeat}`
 * with `repeat.pattern` repeated `repeat.count` times. `encodeBody` compresses the filled body with
 * the listed codings in order (`gzip`, `deflate`, `deflate-raw`, `br`). `expect` is the exact status
 * to answer.
 */
export interface CorpusEntry {
  name: string;
  why: string;
  method?: string;
  path?: string;
  headers?: [string, string][];
  body?: string;
  bodyBase64?: string;
  raw?: string;
  repeat?: { pattern: string; count: number };
  encodeBody?: string;
  expect?: number;
}

/** What a corpus entry becomes once its placeholders are filled. */
export type CorpusInput = { kind: 'http'; request: FuzzRequest } | { kind: 'raw'; bytes: Buffer };

const FOLDER = join(__dirname, 'corpus');

const ENCODERS: Readonly<Record<string, (input: Buffer) => Buffer>> = {
  gzip: (input) => gzipSync(input),
  deflate: (input) => deflateSync(input),
  'deflate-raw': (input) => deflateRawSync(input),
  br: (input) => brotliCompressSync(input),
};

/** Every corpus entry, sorted by name. */
export function loadCorpus(): CorpusEntry[] {
  return readdirSync(FOLDER)
    .filter((file) => file.endsWith('.json'))
    .sort()
    .map((file) => {
      const parsed: unknown = JSON.parse(readFileSync(join(FOLDER, file), 'utf8'));
      if (!isRecord(parsed) || typeof parsed.name !== 'string' || typeof parsed.why !== 'string')
        throw new Error(`corpus entry ${file} needs "name" and "why"`);
      return parsed as unknown as CorpusEntry;
    });
}

/** Fills the placeholders of `entry`. */
export function materialize(entry: CorpusEntry, values: Record<string, string>): CorpusInput {
  const all: Record<string, string> = {
    ...values,
    repeat: entry.repeat === undefined ? '' : entry.repeat.pattern.repeat(entry.repeat.count),
  };
  const fill = (text: string): string => text.replace(/\{(\w+)\}/g, (whole, name: string) => all[name] ?? whole);
  if (entry.raw !== undefined) return { kind: 'raw', bytes: Buffer.from(fill(entry.raw), 'latin1') };
  let body: Buffer =
    entry.bodyBase64 !== undefined
      ? Buffer.from(entry.bodyBase64, 'base64')
      : Buffer.from(fill(entry.body ?? ''), 'utf8');
  for (const coding of (entry.encodeBody ?? '').split(',').map((c) => c.trim())) {
    if (coding === '') continue;
    const encoder = ENCODERS[coding];
    if (encoder === undefined) throw new Error(`corpus entry ${entry.name}: unknown encodeBody coding "${coding}"`);
    body = encoder(body);
  }
  return {
    kind: 'http',
    request: {
      method: entry.method ?? 'GET',
      path: fill(entry.path ?? '/'),
      headers: (entry.headers ?? []).map(([name, value]) => [name, fill(value)] as const),
      body,
    },
  };
}
