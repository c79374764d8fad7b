#!/usr/bin/env node
/*
 * Puts the Bot Framework Web Chat browser bundle (botframework-webchat, dist/webchat.js) into
 * vendor/webchat/ for the local demo page, which serves it itself instead of loading it from a CDN.
 *
 * The full package installs ~550 MB of dependencies the demo does not need, so this script
 * downloads only the package tarball with `npm pack` (~7 MB) and extracts that one file.
 *
 * Runs as `postinstall`. It never fails an install: on any problem it prints a warning and exits 0;
 * the demo page then explains that the bundle is missing and how to fetch it again:
 *
 *   node scripts/fetch-webchat.js
 *
 * Set SKIP_WEBCHAT_FETCH=1 to skip it (for example in production images that never run the demo).
 */
'use strict';

const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const zlib = require('node:zlib');

const PACKAGE = 'botframework-webchat';
const VERSION = '4.18.1';
const ENTRY = 'package/dist/webchat.js';
const ROOT = path.resolve(__dirname, '..');
const TARGET_DIR = path.join(ROOT, 'vendor', 'webchat');
const TARGET = path.join(TARGET_DIR, 'webchat.js');
const MARKER = path.join(TARGET_DIR, 'VERSION');

function warn(message) {
  process.stderr.write(`[fetch-webchat] warning: ${message}\n`);
  process.stderr.write(
    '[fetch-webchat] the demo page needs this file; run `node scripts/fetch-webchat.js` to try again.\n',
  );
}

/** The first meaningful line of npm's error output (its `code` line and the reason). */
function npmReason(text) {
  const lines = String(text || '')
    .split('\n')
    .map((l) => l.replace(/^npm (error|ERR!)\s*/i, '').trim())
    .filter((l) => l !== '' && !/^npm (warn|notice)/i.test(l) && !l.startsWith('at '));
  return lines
    .slice(0, 1)
    .concat(lines.filter((l) => /reason|404|not found/i.test(l)).slice(0, 1))
    .join(': ');
}

function alreadyThere() {
  try {
    return fs.readFileSync(MARKER, 'utf8').trim() === VERSION && fs.statSync(TARGET).size > 1_000_000;
  } catch {
    return false;
  }
}

/** Reads one regular file out of an uncompressed tar archive (ustar, as npm writes it). */
function extractFromTar(tar, wanted) {
  let offset = 0;
  let longName;
  while (offset + 512 <= tar.length) {
    const header = tar.subarray(offset, offset + 512);
    if (header.every((b) => b === 0)) return undefined;
    const field = (start, length) =>
      header
        .subarray(start, start + length)
        .toString('utf8')
        .replace(/\0.*$/s, '');
    const size = parseInt(field(124, 12).trim() || '0', 8);
    const type = field(156, 1);
    const prefix = field(345, 155);
    let name = longName ?? (prefix === '' ? field(0, 100) : `${prefix}/${field(0, 100)}`);
    longName = undefined;
    const dataStart = offset + 512;
    const data = tar.subarray(dataStart, dataStart + size);
    offset = dataStart + Math.ceil(size / 512) * 512;
    if (type === 'L') {
      longName = data.toString('utf8').replace(/\0.*$/s, '');
      continue;
    }
    if (type === 'x') {
      const match = /\d+ path=([^\n]*)\n/.exec(data.toString('utf8'));
      if (match) longName = match[1];
      continue;
    }
    name = name.replace(/^\.\//, '');
    if ((type === '0' || type === '') && name === wanted) return Buffer.from(data);
  }
  return undefined;
}

function main() {
  if (process.env.SKIP_WEBCHAT_FETCH === '1') {
    process.stdout.write('[fetch-webchat] skipped (SKIP_WEBCHAT_FETCH=1)\n');
    return;
  }
  if (alreadyThere()) {
    process.stdout.write(`[fetch-webchat] ${path.relative(ROOT, TARGET)} is up to date (${PACKAGE}@${VERSION})\n`);
    return;
  }
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'fetch-webchat-'));
  try {
    const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
    const packed = spawnSync(
      npm,
      [
        'pack',
        `${PACKAGE}@${VERSION}`,
        '--pack-destination',
        tmp,
        '--ignore-scripts',
        '--loglevel=error',
        // Fail fast when the registry is unreachable: this runs inside every install.
        '--fetch-retries=1',
        '--fetch-retry-mintimeout=2000',
        '--fetch-retry-maxtimeout=5000',
      ],
      {
        cwd: tmp,
        encoding: 'utf8',
        shell: process.platform === 'win32',
        timeout: 180_000,
      },
    );
    if (packed.error !== undefined || packed.status !== 0) {
      warn(
        `could not download ${PACKAGE}@${VERSION} with npm pack: ${packed.error ? packed.error.message : npmReason(packed.stderr) || `exit code ${packed.status}`}`,
      );
      return;
    }
    const tarball = fs.readdirSync(tmp).find((f) => f.endsWith('.tgz'));
    if (tarball === undefined) {
      warn('npm pack did not produce a tarball');
      return;
    }
    const bundle = extractFromTar(zlib.gunzipSync(fs.readFileSync(path.join(tmp, tarball))), ENTRY);
    if (bundle === undefined || !bundle.includes('WebChat')) {
      warn(`${ENTRY} was not found in ${tarball}`);
      return;
    }
    fs.mkdirSync(TARGET_DIR, { recursive: true });
    fs.writeFileSync(`${TARGET}.tmp`, bundle);
    fs.renameSync(`${TARGET}.tmp`, TARGET);
    fs.writeFileSync(MARKER, `${VERSION}\n`);
    process.stdout.write(
      `[fetch-webchat] wrote ${path.relative(ROOT, TARGET)} (${PACKAGE}@${VERSION}, ${(bundle.length / 1e6).toFixed(1)} MB)\n`,
    );
  } catch (err) {
    warn(`could not prepare the Web Chat bundle: ${err instanceof Error ? err.message : String(err)}`);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

main();
process.exitCode = 0;
