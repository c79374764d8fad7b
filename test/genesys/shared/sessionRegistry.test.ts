import { resumeDataFor, SessionRegistry } from '../../../src/genesys/shared/sessionRegistry';

describe('SessionRegistry', () => {
  it('detaches every held session once, but not released ones', async () => {
    const detached: string[] = [];
    const session = (name: string) => ({
      detach: () => {
        detached.push(name);
        return Promise.resolve();
      },
    });
    const registry = new SessionRegistry<ReturnType<typeof session>>();
    const a = registry.hold(session('a'));
    registry.hold(session('b'));
    registry.release(a);
    expect(registry.size).toBe(1);
    await registry.detachAll();
    expect(detached).toEqual(['b']);
  });
});

describe('resumeDataFor', () => {
  it('returns data of the right provider and refuses another provider with badRequest', () => {
    const data = { provider: 'webmessaging', token: 't' } as const;
    expect(resumeDataFor(data, 'webmessaging')).toBe(data);
    let error: unknown;
    try {
      resumeDataFor(data, 'guestchat');
    } catch (err) {
      error = err;
    }
    expect(error).toMatchObject({ code: 'badRequest' });
    expect((error as Error).message).toContain('"webmessaging"');
  });
});
