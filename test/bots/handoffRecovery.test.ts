import { createSilentLogger } from '../../src/logger';
import type { HandoffDocument } from '../../src/handoff/handoffRecord';
import { createStorage } from '../../src/storage/createStorage';
import { MESSAGES } from '../../src/resources/messages';
import { BotHarness, twoInstancesOnOneStore } from '../support/botHarness';
import { agentMessage, FakeProvider } from '../support/fakeProvider';
import { testConfig } from '../support/testConfig';

const message = agentMessage;

describe('live chats across restarts and instances', () => {
  it('a restarted instance resumes the chat and delivers only what was missed', async () => {
    const storage = await createStorage<HandoffDocument>(testConfig(), createSilentLogger());
    const first = new FakeProvider();
    const before = await BotHarness.create({ provider: first, storage, config: testConfig({ InstanceId: 'one' }) });
    await before.say('agent');
    await first.last.emit({ kind: 'agentJoined', agent: { name: 'Anna' } });
    await first.last.emit(message('m1', 'first'));
    before.take();
    await before.services.handoff.shutdown();

    const second = new FakeProvider();
    second.backlog = [message('m1', 'first'), message('m2', 'second')];
    const after = await BotHarness.create({ provider: second, storage, config: testConfig({ InstanceId: 'two' }) });
    await after.services.handoff.sweep(true);
    expect(second.resumed).toHaveLength(1);
    expect(second.resumed[0]!.resumeOptions?.deliveredMessageIds).toEqual(['m1']);
    // The new instance's adapter shows what it delivered: only the missed message.
    expect(after.takeTexts()).toEqual(['second']);
    await after.say('thanks');
    expect(second.resumed[0]!.sent).toEqual(['thanks']);
  });

  it('takes over a chat whose owner stopped heart-beating, within the lease', async () => {
    const { owner, ownerProvider, other, otherProvider, clock } = await twoInstancesOnOneStore();
    await owner.say('agent');
    await ownerProvider.last.emit({ kind: 'agentJoined', agent: { name: 'Anna' } });

    // A message arriving at the other instance is sent detached; the owner keeps the socket.
    await other.say('sent via the other instance');
    expect(otherProvider.detachedSends.map((s) => s.text)).toEqual(['sent via the other instance']);

    // The owner dies (no more heartbeats). Before the lease lapses nothing moves.
    clock.now += 20_000;
    await other.services.handoff.sweep();
    expect(otherProvider.resumed).toHaveLength(0);
    clock.now += 15_000;
    otherProvider.backlog = [message('m9', 'while nobody listened')];
    await other.services.handoff.sweep();
    expect(otherProvider.resumed).toHaveLength(1);
    expect(other.takeTexts()).toEqual(['while nobody listened']);

    // The old owner, if it comes back, finds the chat owned elsewhere and does not deliver twice.
    owner.take();
    await ownerProvider.last.emit(message('m10', 'late echo on the old socket'));
    expect(owner.takeTexts()).toEqual([]);
    expect(ownerProvider.last.detached).toBe(true);
  });

  it('ends a chat it cannot resume instead of leaving the user stuck', async () => {
    const storage = await createStorage<HandoffDocument>(testConfig(), createSilentLogger());
    const first = new FakeProvider();
    const before = await BotHarness.create({ provider: first, storage, config: testConfig({ InstanceId: 'one' }) });
    await before.say('agent');
    before.take();
    await before.services.handoff.shutdown();
    const second = new FakeProvider();
    const { GenesysError } = await import('../../src/genesys/genesysError');
    second.resumeError = new GenesysError('sessionExpired', 'session expired', { genesysCode: '4006' });
    const after = await BotHarness.create({ provider: second, storage, config: testConfig({ InstanceId: 'two' }) });
    await after.services.handoff.sweep(true);
    expect(after.takeTexts()).toEqual([MESSAGES.sessionExpired]);
    expect((await after.say('help'))[0]?.text).toBe(MESSAGES.help);
  });
});
