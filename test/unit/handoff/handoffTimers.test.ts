import { timerDue } from '../../../src/handoff/handoffTimers';
import { MESSAGES } from '../../../src/resources/messages';
import { HandoffParts, UNIT_SETTINGS } from '../../support/handoffParts';

describe('HandoffTimers (queue timeout, idle timeout, idle warning)', () => {
  it('ends a chat nobody answered once its queue deadline passes, on Genesys too, and tells the user', async () => {
    const parts = new HandoffParts();
    const { chat } = await parts.openChat('queued-1', 'queued');
    parts.clock.advance(59_999);
    await parts.timers.run(parts.clock.now());
    expect((await parts.record('queued-1'))?.state).toBe('queued');
    expect(parts.messenger.sends).toEqual([]);

    parts.clock.advance(1);
    await parts.timers.run(parts.clock.now());
    const ended = await parts.record('queued-1');
    expect(ended?.state).toBe('ended');
    expect(ended?.endReason).toBe('queueTimeout');
    expect(ended?.queueDeadline).toBeUndefined();
    expect(chat.ended).toBe(true);
    expect(parts.chats.size).toBe(0);
    expect(parts.messenger.texts()).toEqual([MESSAGES.queueTimeout]);
  });

  it('warns once before the idle deadline, then ends the chat at the deadline', async () => {
    const parts = new HandoffParts();
    const { chat } = await parts.openChat('idle-1', 'connected');
    parts.clock.advance(240_000);
    await parts.timers.run(parts.clock.now());
    expect(parts.messenger.texts()).toEqual([MESSAGES.idleWarning(1)]);
    expect((await parts.record('idle-1'))?.idleWarned).toBe(true);

    parts.clock.advance(30_000);
    await parts.timers.run(parts.clock.now());
    expect(parts.messenger.texts()).toEqual([MESSAGES.idleWarning(1)]);

    parts.clock.advance(30_000);
    await parts.timers.run(parts.clock.now());
    expect((await parts.record('idle-1'))?.endReason).toBe('idleTimeout');
    expect(chat.ended).toBe(true);
    expect(parts.messenger.texts()).toEqual([MESSAGES.idleWarning(1), MESSAGES.idleTimeout]);
  });

  it('reads storage only for chats whose local copy has a deadline due', async () => {
    const parts = new HandoffParts();
    await parts.openChat('quiet-1', 'connected');
    const get = jest.spyOn(parts.records, 'get');
    parts.clock.advance(1_000);
    await parts.timers.run(parts.clock.now());
    expect(get).not.toHaveBeenCalled();
    parts.clock.advance(239_000);
    await parts.timers.run(parts.clock.now());
    expect(get).toHaveBeenCalledTimes(1);
  });

  it('drops a held chat that ended elsewhere when its deadline comes, without ending or announcing it again', async () => {
    const parts = new HandoffParts();
    const { record, chat } = await parts.openChat('elsewhere-1', 'queued');
    await parts.records.transition(record.id, 'ended', 'ended by another instance', (r) => {
      r.endReason = 'userEnded';
    });
    parts.clock.advance(60_000);
    await parts.timers.run(parts.clock.now());
    expect(parts.chats.size).toBe(0);
    expect(chat.detached).toBe(true);
    expect(chat.ended).toBe(false);
    expect(parts.messenger.sends).toEqual([]);
  });

  it('sets no deadlines when the timeouts are 0', async () => {
    const parts = new HandoffParts({ ...UNIT_SETTINGS, queueTimeoutSeconds: 0, idleTimeoutSeconds: 0 });
    expect(parts.timers.queueDeadline(parts.clock.now())).toEqual({});
    const { record } = await parts.openChat('none-1', 'connected');
    expect(record.idleDeadline).toBeUndefined();
    expect(timerDue(record, parts.clock.now() + 86_400_000)).toBe(false);
  });

  it('moves the idle deadline and its warning to count from the given time', async () => {
    const parts = new HandoffParts();
    const { record } = await parts.openChat('arm-1', 'connected', { patch: { idleWarned: true } });
    parts.timers.armIdle(record, 1_000);
    expect(record).toMatchObject({ idleDeadline: 301_000, idleWarningAt: 241_000, idleWarned: false });
  });
});
