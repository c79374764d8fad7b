import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** Version of the Bot Framework Web Chat bundle the demo page is built for. */
export const WEBCHAT_VERSION = '4.18.1';

/** The command that puts the bundle on disk (also run by `npm install` as `postinstall`). */
export const WEBCHAT_FETCH_COMMAND = 'node scripts/fetch-webchat.js';

/** Where the bundle lives, relative to the repository root. */
export const WEBCHAT_RELATIVE_PATH = join('vendor', 'webchat', 'webchat.js');

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

/** A loaded bundle, ready to serve. */
export interface WebChatBundle {
  body: Buffer;
  etag: string;
}

/**
 * The locally stored Web Chat UMD bundle (`window.WebChat`), read once and kept in memory. When the
 * file is missing it is looked for again on the next call, so fetching it needs no restart.
 */
export class WebChatAsset {
  private cached: { bundle: WebChatBundle; mtimeMs: number } | undefined;

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
      const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`;
      this.cached = { bundle: { body, etag }, mtimeMs };
    }
    return this.cached.bundle;
  }
}
