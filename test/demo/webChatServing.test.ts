import { request } from 'node:http';
import { mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { loadConfig } from '../../src/config';
import { createDemoRoutes } from '../../src/demo/demoRoutes';
import { acceptedCodings, WebChatAsset } from '../../src/demo/webChatAsset';
import { createSilentLogger } from '../../src/logger';
import { startApplication, type RunningApplication } from '../../src/startApplication';

interface Raw {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** A GET that neither sends an Accept-Encoding of its own nor decodes the answer. */
function get(url: string, headers: Record<string, string> = {}): Promise<Raw> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

describe('demo: the Web Chat bundle served compressed and cacheable', () => {
  let running: RunningApplication;
  let base: string;
  let folder: string;
  let asset: WebChatAsset;
  const content = Buffer.from(
    Array.from({ length: 4000 }, (_, i) => `window.WebChatPart${i} = function () { return ${i}; };\n`).join(''),
  );

  beforeAll(async () => {
    folder = mkdtempSync(join(tmpdir(), 'webchat-'));
    writeFileSync(join(folder, 'webchat.js'), content);
    asset = new WebChatAsset(join(folder, 'webchat.js'));
    const logger = createSilentLogger();
    const config = loadConfig({ DemoMode: 'true', PORT: '0', LogLevel: 'silent', InstanceId: 'webchat-test' });
    running = await startApplication(config, logger, {
      demoRoutes: createDemoRoutes(logger, { webChat: asset }),
      host: '127.0.0.1',
    });
    base = `http://127.0.0.1:${running.port}`;
  });

  afterAll(async () => {
    await running.stop();
    rmSync(folder, { recursive: true, force: true });
  });

  async function pageBundleUrl(): Promise<string> {
    const html = (await get(`${base}/demo/`)).body.toString('utf8');
    const src = /<script src="(\/demo\/webchat\.js\?v=[^"]+)"><\/script>/.exec(html)?.[1];
    if (src === undefined) throw new Error(`no versioned bundle URL in the page:\n${html}`);
    return src;
  }

  it('links the bundle with its content hash and lets that URL be cached for good', async () => {
    const src = await pageBundleUrl();
    expect(src).toBe(`/demo/webchat.js?v=${asset.load()?.version ?? 'missing'}`);
    const res = await get(`${base}${src}`, { 'accept-encoding': 'gzip, deflate, br' });
    expect(res.status).toBe(200);
    expect(res.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(res.headers.vary).toBe('Accept-Encoding');
    expect(res.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(typeof res.headers.etag).toBe('string');
  });

  it.each([
    ['gzip, deflate, br', 'br'],
    ['br;q=0, gzip', 'gzip'],
    ['gzip;q=0.5', 'gzip'],
    ['*', 'br'],
    ['identity', undefined],
    ['', undefined],
  ])('answers Accept-Encoding "%s" with %s', async (accept, expected) => {
    const res = await get(`${base}/demo/webchat.js`, accept === '' ? {} : { 'accept-encoding': accept });
    expect(res.status).toBe(200);
    expect(res.headers['content-encoding']).toBe(expected);
    const decoded =
      expected === 'br' ? brotliDecompressSync(res.body) : expected === 'gzip' ? gunzipSync(res.body) : res.body;
    expect(decoded.equals(content)).toBe(true);
    if (expected !== undefined) expect(res.body.length).toBeLessThan(content.length / 4);
    // Without the content hash the copy must be revalidated.
    expect(res.headers['cache-control']).toBe('no-cache');
  });

  it('answers 304 to a revalidation with the ETag of the same coding, 200 with another', async () => {
    const first = await get(`${base}/demo/webchat.js`, { 'accept-encoding': 'br' });
    const etag = String(first.headers.etag);
    const again = await get(`${base}/demo/webchat.js`, { 'accept-encoding': 'br', 'if-none-match': etag });
    expect(again.status).toBe(304);
    expect(again.body.length).toBe(0);
    expect(again.headers.etag).toBe(etag);
    const gzip = await get(`${base}/demo/webchat.js`, { 'accept-encoding': 'gzip', 'if-none-match': etag });
    expect(gzip.status).toBe(200);
    expect(gzip.headers.etag).not.toBe(etag);
  });

  it('serves a changed bundle under a new hash', async () => {
    const before = await pageBundleUrl();
    const changed = Buffer.concat([content, Buffer.from('window.changed = true;\n')]);
    writeFileSync(join(folder, 'webchat.js'), changed);
    // The file's modification time is what tells the asset to read it again.
    const later = new Date(Date.now() + 5000);
    utimesSync(join(folder, 'webchat.js'), later, later);
    const after = await pageBundleUrl();
    expect(after).not.toBe(before);
    const res = await get(`${base}${after}`, { 'accept-encoding': 'gzip' });
    expect(gunzipSync(res.body).equals(changed)).toBe(true);
    expect(res.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    const stale = await get(`${base}${before}`, { 'accept-encoding': 'gzip' });
    expect(stale.headers['cache-control']).toBe('no-cache');
  });

  it('reads Accept-Encoding with its weights', () => {
    expect([...acceptedCodings('gzip;q=0, br;q=0.8')]).toEqual(['br']);
    expect([...acceptedCodings('*;q=0.1, gzip;q=0')].sort()).toEqual(['*', 'br']);
    expect(acceptedCodings('').size).toBe(0);
  });
});

describe('demo: the root address', () => {
  it('leads to the customer page in demo mode', async () => {
    const logger = createSilentLogger();
    const config = loadConfig({ DemoMode: 'true', PORT: '0', LogLevel: 'silent', InstanceId: 'root-test' });
    const running = await startApplication(config, logger, {
      demoRoutes: createDemoRoutes(logger, { webChat: new WebChatAsset('/nonexistent/webchat.js') }),
      host: '127.0.0.1',
    });
    try {
      const res = await get(`http://127.0.0.1:${running.port}/`);
      expect(res.status).toBe(302);
      expect(res.headers.location).toBe('/demo/');
    } finally {
      await running.stop();
    }
  });
});
