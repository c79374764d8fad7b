import { ChildBot } from '../fuzz/childBot';

const DEMO_NOTICE = /^DEMO MODE: /;
const STACK_FRAME = /^\s+at .+\(?.*:\d+:\d+\)?$/m;

describe('a clean start in demo mode', () => {
  it('logs no warning but the DEMO MODE notice and no stack trace, and leads / to the demo', async () => {
    const { bot, port } = await ChildBot.start();
    try {
      const root = await fetch(`http://127.0.0.1:${port}/`, { redirect: 'manual' });
      expect(root.status).toBe(302);
      expect(root.headers.get('location')).toBe('/demo/');
      expect((await fetch(`http://127.0.0.1:${port}/demo/`)).status).toBe(200);
      await bot.waitForLog((l) => l.msg === 'Messenger deployment configuration read');

      bot.signal('SIGTERM');
      expect(await bot.waitForExit()).toBe(0);

      const warnings = bot.logs.filter((l) => (l.level ?? 0) >= 40).map((l) => l.msg ?? '');
      expect(warnings).toEqual([expect.stringMatching(DEMO_NOTICE)]);
      expect(bot.logs.filter((l) => 'err' in l || 'stack' in l)).toEqual([]);
      const other = bot.otherOutput.join('\n');
      expect(other).not.toMatch(STACK_FRAME);
      expect(other).not.toMatch(/warning|DEP0\d+/i);
    } finally {
      await bot.kill();
    }
  });
});
