import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

describe('restify on the running Node.js', () => {
  it('loads without the http_parser process binding (removed in Node.js 24)', () => {
    // restify 11 -> spdy -> http-deceiver; patches/http-deceiver+1.2.7.patch takes the parser from
    // _http_common. Unpatched, Node.js 20 warns (DEP0111, thrown here) and Node.js 24 cannot load it.
    const run = spawnSync(process.execPath, ['--throw-deprecation', '-e', "require('restify')"], {
      cwd: join(__dirname, '..', '..'),
      encoding: 'utf8',
    });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
  });
});
