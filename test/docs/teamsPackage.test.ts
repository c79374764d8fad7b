import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import AdmZip from 'adm-zip';

const ROOT = path.resolve(__dirname, '..', '..');
const SCRIPT = path.join(ROOT, 'scripts', 'teams-package.js');

interface TeamsManifest {
  $schema: string;
  manifestVersion: string;
  version: string;
  id: string;
  developer: { name: string; websiteUrl: string; privacyUrl: string; termsOfUseUrl: string };
  name: { short: string; full?: string };
  description: { short: string; full: string };
  icons: { color: string; outline: string };
  accentColor: string;
  bots: {
    botId: string;
    scopes: string[];
    supportsFiles?: boolean;
    commandLists?: { scopes: string[]; commands: { title: string; description: string }[] }[];
  }[];
}

function runPackager(appId: string, out: string): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [SCRIPT, `--out=${out}`], {
    cwd: ROOT,
    env: { ...process.env, MicrosoftAppId: appId },
    encoding: 'utf8',
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Width, height and colour type from a PNG's IHDR chunk. */
function pngHeader(bytes: Buffer): { width: number; height: number; colourType: number } {
  expect(bytes.subarray(0, 8).toString('hex')).toBe('89504e470d0a1a0a');
  expect(bytes.toString('ascii', 12, 16)).toBe('IHDR');
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20), colourType: bytes[25]! };
}

describe('npm run teams:package', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'teams-package-'));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('zips a v1.17+ manifest carrying the bot app id, and both icons at the sizes Teams needs', () => {
    const appId = randomUUID();
    const out = path.join(dir, 'teams-app.zip');
    const run = runPackager(appId, out);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);

    const zip = new AdmZip(out);
    const names = zip.getEntries().map((e) => e.entryName);
    expect(names.sort()).toEqual(['color.png', 'manifest.json', 'outline.png']);

    const manifestText = zip.readAsText('manifest.json');
    expect(manifestText).not.toContain('${{');
    const manifest = JSON.parse(manifestText) as TeamsManifest;
    const [major = 0, minor = 0] = manifest.manifestVersion.split('.').map(Number);
    expect(major === 1 && minor >= 17).toBe(true);
    expect(manifest.$schema).toBe(
      `https://developer.microsoft.com/json-schemas/teams/v${manifest.manifestVersion}/MicrosoftTeams.schema.json`,
    );
    expect(manifest.id).toBe(appId);
    expect(manifest.bots).toHaveLength(1);
    expect(manifest.bots[0]!.botId).toBe(appId);
    expect(manifest.bots[0]!.scopes.sort()).toEqual(['groupChat', 'personal', 'team']);
    // Agents' files reach personal chats through the file consent flow, which needs it.
    expect(manifest.bots[0]!.supportsFiles).toBe(true);

    // Required fields and the schema's length limits.
    expect(manifest.version).toMatch(/^\d+\.\d+\.\d+$/);
    for (const url of [manifest.developer.websiteUrl, manifest.developer.privacyUrl, manifest.developer.termsOfUseUrl])
      expect(url).toMatch(/^https:\/\//);
    expect(manifest.developer.name.length).toBeGreaterThan(0);
    expect(manifest.name.short.length).toBeLessThanOrEqual(30);
    expect(manifest.description.short.length).toBeLessThanOrEqual(80);
    expect(manifest.description.full.length).toBeLessThanOrEqual(4000);
    expect(manifest.accentColor).toMatch(/^#[0-9A-Fa-f]{6}$/);
    for (const list of manifest.bots[0]!.commandLists ?? [])
      for (const command of list.commands) {
        expect(command.title.length).toBeLessThanOrEqual(32);
        expect(command.description.length).toBeLessThanOrEqual(128);
      }

    const colour = pngHeader(zip.readFile(manifest.icons.color)!);
    expect([colour.width, colour.height]).toEqual([192, 192]);
    const outline = pngHeader(zip.readFile(manifest.icons.outline)!);
    expect([outline.width, outline.height]).toEqual([32, 32]);
    // The outline icon needs an alpha channel (white on transparent): RGBA or grey + alpha.
    expect([4, 6]).toContain(outline.colourType);
  });

  it('refuses to build without an app id, and says why', () => {
    const out = path.join(dir, 'teams-app.zip');
    const run = runPackager('', out);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('no value for MicrosoftAppId');
    expect(existsSync(out)).toBe(false);
  });

  it('refuses an app id that is not a GUID', () => {
    const out = path.join(dir, 'teams-app.zip');
    const run = runPackager('my-bot', out);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('must be the bot');
    expect(existsSync(out)).toBe(false);
  });
});
