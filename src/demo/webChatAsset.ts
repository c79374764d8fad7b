import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { brotliCompress, constants as zlibConstants, gzip } from 'node:zlib';

/** Version of the Bot Framework Web Chat bundle the demo page is built for. */
export const WEBCHAT_VERSION = '4.18.1';

/** The command that puts the bundle on disk (also run by `npm install` as `postinstall`). */
export const WEBCHAT_FETCH_COMMAND = 'node scripts/fetch-webchat.js';

/** Where the bundle lives, relative to the repository root. */
export const WEBCHAT_RELATIVE_PATH = join('vendor', 'webchat', 'webchat.js');

const brotliAsync = promisify(brotliCompress);
const gzipAsync = promisify(gzip);

/**
 * The repository root: the nearest folder above `from` with a `package.json`. Works both from the
 * TypeScript sources (`src/demo`) and from the compiled output (`dist/src/demo`).
 */
export function findRepositoryRoot(from: string = __dirname): string {
  let dir = from;
  for (;;) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    const parent = dirname(dir);
    if (parent === dir) return from;
    dir = parent;
  }
}

/** A content coding the bundle is kept in. */
export type WebChatEncoding = 'br' | 'gzip' | 'identity';

/** A loaded bundle, ready to serve. */
export interface WebChatBundle {
  body: Buffer;
  /** Strong validator of the uncompressed content (quoted). */
  etag: string;
  /** A short content hash for cache-busting URLs (`?v=<version>`), 16 base64url characters. */
  version: string;
}

/** The bundle in one content coding. */
export interface EncodedWebChat {
  encoding: WebChatEncoding;
  body: Buffer;
  /** The bundle's ETag, distinct per coding (RFC 9110 §8.8.3). */
  etag: string;
}

/**
 * The locally stored Web Chat UMD bundle (`window.WebChat`), read once and kept in memory with its
 * brotli and gzip forms (compressed once, in the background, by {@link prepare}). When the file is
 * missing it is looked for again on the next call, so fetching it needs no restart.
 */
export class WebChatAsset {
  private cached: { bundle: WebChatBundle; mtimeMs: number } | undefined;
  private compressed: { version: string; forms: Promise<Map<WebChatEncoding, Buffer>> } | undefined;

  constructor(readonly path: string = join(findRepositoryRoot(), WEBCHAT_RELATIVE_PATH)) {}

  /** Whether the bundle is on disk. */
  available(): boolean {
    return existsSync(this.path);
  }

  /** The bundle, or undefined when it has not been fetched. */
  load(): WebChatBundle | undefined {
    let mtimeMs: number;
    try {
      mtimeMs = statSync(this.path).mtimeMs;
    } catch {
      // Not fetched yet: the page explains how to get it.
      this.cached = undefined;
      return undefined;
    }
    if (this.cached?.mtimeMs !== mtimeMs) {
      const body = readFileSync(this.path);
      const hash = createHash('sha256').update(body).digest('base64url');
      this.cached = { bundle: { body, etag: `"${hash.slice(0, 27)}"`, version: hash.slice(0, 16) }, mtimeMs };
    }
    return this.cached.bundle;
  }

  /**
   * Compresses the bundle (brotli quality 9 and gzip level 9, on libuv's thread pool) unless that
   * was already done for its current content. Resolves to undefined when the bundle is missing.
   */
  async prepare(): Promise<WebChatBundle | undefined> {
    const bundle = this.load();
    if (bundle === undefined) return undefined;
    await this.forms(bundle);
    return bundle;
  }

  /**
   * The bundle in the best coding the client accepts (`Accept-Encoding`, RFC 9110 §12.5.3): brotli,
   * then gzip, else uncompressed. Undefined when the bundle is missing.
   */
  async encoded(acceptEncoding: string | undefined): Promise<EncodedWebChat | undefined> {
    const bundle = this.load();
    if (bundle === undefined) return undefined;
    const accepted = acceptedCodings(acceptEncoding ?? '');
    const forms = await this.forms(bundle);
    for (const encoding of ['br', 'gzip'] as const) {
      const body = forms.get(encoding);
      if (accepted.has(encoding) && body !== undefined)
        return { encoding, body, etag: `${bundle.etag.slice(0, -1)}-${encoding}"` };
    }
    return { encoding: 'identity', body: bundle.body, etag: bundle.etag };
  }

  private forms(bundle: WebChatBundle): Promise<Map<WebChatEncoding, Buffer>> {
    if (this.compressed?.version !== bundle.version) {
      const body = bundle.body;
      const forms = Promise.all([
        brotliAsync(body, {
          params: {
            [zlibConstants.BROTLI_PARAM_QUALITY]: 9,
            [zlibConstants.BROTLI_PARAM_MODE]: zlibConstants.BROTLI_MODE_TEXT,
            [zlibConstants.BROTLI_PARAM_SIZE_HINT]: body.length,
          },
        }),
        gzipAsync(body, { level: 9 }),
      ]).then(
        ([br, gz]) =>
          new Map<WebChatEncoding, Buffer>([
            ['br', br],
            ['gzip', gz],
          ]),
      );
      this.compressed = { version: bundle.version, forms };
    }
    return this.compressed.forms;
  }
}

/** The codings an `Accept-Encoding` header accepts (q > 0), lower case; `*` accepts br and gzip. */
export function acceptedCodings(header: string): Set<string> {
  const accepted = new Set<string>();
  const refused = new Set<string>();
  for (const part of header.split(',')) {
    const [name = '', ...params] = part.trim().toLowerCase().split(';');
    if (name === '') continue;
    const q = params.map((p) => /^\s*q\s*=\s*([0-9.]+)\s*$/.exec(p)?.[1]).find((v) => v !== undefined);
    const weight = q === undefined ? 1 : Number(q);
    (weight > 0 ? accepted : refused).add(name);
  }
  if (accepted.has('*')) for (const coding of ['br', 'gzip']) if (!refused.has(coding)) accepted.add(coding);
  return accepted;
}
