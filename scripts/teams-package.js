#!/usr/bin/env node
/*
 * Builds the Microsoft Teams app package: teams/manifest.json with its `${{Name}}` placeholders filled
 * from the environment (and .env), plus teams/color.png and teams/outline.png, zipped flat into
 * dist/teams-app.zip. Upload that file in Teams (Apps > Manage your apps > Upload an app); see
 * docs/genesys-setup.md.
 *
 *   MicrosoftAppId=<bot app id> npm run teams:package
 *   npm run teams:package -- --out=/tmp/support-bot.zip
 *
 * The manifest uses `${{MicrosoftAppId}}` for both the app id and the bot id: the bot's Microsoft App
 * ID (for UserAssignedMSI, the client id of the managed identity). Exits 1 with the reason when a
 * placeholder has no value, the id is not a GUID, or an icon is missing or the wrong size.
 */
'use strict';

const fs = require('node:fs');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..');
const TEAMS_DIR = path.join(ROOT, 'teams');
const DEFAULT_OUT = path.join(ROOT, 'dist', 'teams-app.zip');
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const PLACEHOLDER = /\$\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g;

class PackageError extends Error {}

/** Width and height of a PNG file, read from its IHDR chunk. */
function pngSize(file) {
  const bytes = fs.readFileSync(file);
  const signature = '89504e470d0a1a0a';
  if (
    bytes.length < 24 ||
    bytes.subarray(0, 8).toString('hex') !== signature ||
    bytes.toString('ascii', 12, 16) !== 'IHDR'
  )
    throw new PackageError(`${path.relative(ROOT, file)} is not a PNG file`);
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
}

/** Replaces every `${{Name}}` in `template` with `values[Name]`; lists every one without a value. */
function fillPlaceholders(template, values) {
  const missing = new Set();
  const filled = template.replace(PLACEHOLDER, (_, name) => {
    const value = values[name];
    if (value === undefined || value.trim() === '') {
      missing.add(name);
      return '';
    }
    // The value lands inside a JSON string: escape it as one.
    return JSON.stringify(value.trim()).slice(1, -1);
  });
  if (missing.size > 0)
    throw new PackageError(
      `no value for ${[...missing].join(', ')}: set ${missing.size === 1 ? 'it' : 'them'} in the environment or in .env`,
    );
  return filled;
}

/** Builds the package from `teamsDir` with `env` and writes it to `out`; returns the filled manifest. */
function buildTeamsPackage({ env, out, teamsDir = TEAMS_DIR }) {
  const template = fs.readFileSync(path.join(teamsDir, 'manifest.json'), 'utf8');
  const manifestText = fillPlaceholders(template, env);
  let manifest;
  try {
    manifest = JSON.parse(manifestText);
  } catch (err) {
    throw new PackageError(`teams/manifest.json is not valid JSON once filled: ${err.message}`);
  }
  if (!GUID.test(manifest.id ?? ''))
    throw new PackageError(`MicrosoftAppId must be the bot's app id, a GUID; got "${manifest.id}"`);

  const icons = [
    { name: manifest.icons?.color, size: 192, what: 'colour icon' },
    { name: manifest.icons?.outline, size: 32, what: 'outline icon' },
  ];
  for (const icon of icons) {
    if (typeof icon.name !== 'string') throw new PackageError(`the manifest names no ${icon.what}`);
    const file = path.join(teamsDir, icon.name);
    if (!fs.existsSync(file)) throw new PackageError(`${icon.what} ${icon.name} is missing from teams/`);
    const { width, height } = pngSize(file);
    if (width !== icon.size || height !== icon.size)
      throw new PackageError(
        `${icon.what} ${icon.name} is ${width} x ${height}; Teams needs ${icon.size} x ${icon.size}`,
      );
  }

  const AdmZip = require('adm-zip');
  const zip = new AdmZip();
  zip.addFile('manifest.json', Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`, 'utf8'));
  for (const icon of icons) zip.addFile(icon.name, fs.readFileSync(path.join(teamsDir, icon.name)));
  fs.mkdirSync(path.dirname(out), { recursive: true });
  zip.writeZip(out);
  return manifest;
}

function main(argv) {
  let out = DEFAULT_OUT;
  for (const arg of argv) {
    if (arg.startsWith('--out=')) out = path.resolve(arg.slice('--out='.length));
    else throw new PackageError(`unknown argument ${arg} (only --out=<file.zip>)`);
  }
  // .env fills only what the environment does not set.
  const envFile = path.join(ROOT, '.env');
  const fromFile = fs.existsSync(envFile) ? require('dotenv').parse(fs.readFileSync(envFile)) : {};
  const manifest = buildTeamsPackage({ env: { ...fromFile, ...process.env }, out });
  process.stdout.write(`wrote ${path.relative(process.cwd(), out) || out} for bot ${manifest.bots[0].botId}\n`);
}

if (require.main === module) {
  try {
    main(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(`teams:package: ${err instanceof PackageError ? err.message : err.stack}\n`);
    process.exitCode = 1;
  }
}

module.exports = { buildTeamsPackage, fillPlaceholders, pngSize };
