import { GenesysError } from '../../src/genesys/genesysError';
import { handoffRecordId } from '../../src/handoff/handoffKeys';
import type { HandoffDocument } from '../../src/handoff/handoffRecord';
import { createSilentLogger } from '../../src/logger';
import { MESSAGES } from '../../src/resources/messages';
import { createStorage } from '../../src/storage/createStorage';
import { BotHarness } from '../support/botHarness';
import { eventually } from '../support/eventually';
import { agentMessage, FakeProvider } from '../support/fakeProvider';
import { testConfig } from '../support/testConfig';

const message = agentMessage;

describe('live chats that could get stuck or cross', () => {
  it('reclaims its own chats after its heartbeat lapsed and storage came back', async () => {
    let now = 1_000_000;
    const storage = await createStorage<HandoffDocument>(testConfig(), createSilentLogger());
    const provider = new FakeProvider();
    const harness = await BotHarness.create({
      provider,
      storage,
      config: testConfig({ HandoffLeaseSeconds: '30' }),
      now: () => now,
    });
    await harness.services.handoff.beat();
    await harness.say('agent');
    await provider.last.emit({ kind: 'agentJoined', agent: { name: 'Anna' } });
    harness.take();

    // Storage refuses heartbeats for longer than the lease: the instance lets go of its connection.
    const store = storage.handoffStore;
    const replace = store.replace.bind(store);
    store.replace = (value, etag) =>
      value.type === 'instance' ? Promise.reject(new Error('storage unavailable')) : replace(value, etag);
    now += 31_000;
    await harness.services.handoff.beat();
    expect(provider.last.detached).toBe(true);
    expect(harness.services.handoff.localChatCount).toBe(0);

    // Storage is back: the next sweep reclaims the chat, reconnects and delivers what was missed.
    store.replace = replace;
    provider.backlog = [message('m1', 'are you still there?')];
    now += 1_000;
    await harness.services.handoff.sweep();
    expect(provider.resumed).toHaveLength(1);
    expect(harness.takeTexts()).toEqual(['are you still there?']);
  });

  it('does not list the chats it holds on a routine sweep', async () => {
    const storage = await createStorage<HandoffDocument>(testConfig(), createSilentLogger());
    const provider = new FakeProvider();
    const harness = await BotHarness.create({ provider, storage });
    await harness.services.handoff.beat();
    await harness.say('agent');
    await provider.last.emit({ kind: 'agentJoined', agent: { name: 'Anna' } });
    const held = await storage.handoffStore.read(handoffRecordId('test', 'conversation-1'));
    const instanceId = held?.value.type === 'handoff' ? held.value.owner : undefined;
    expect(instanceId).toBeTruthy();
    const query = jest.spyOn(storage.handoffStore, 'queryByField');
    await harness.services.handoff.sweep();
    const owners = query.mock.calls.filter(([field]) => field === 'owner').flatMap(([, values]) => values);
    expect(owners).not.toContain(instanceId);
    expect(query.mock.calls.map(([field]) => field)).not.toContain('state');
    expect(harness.services.handoff.localChatCount).toBe(1);
  });

  it('never lets an earlier chat act on the next one', async () => {
    const provider = new FakeProvider();
    provider.endError = new GenesysError('network', 'connection reset');
    const harness = await BotHarness.create({ provider });
    await harness.say('agent');
    const first = provider.last;
    await first.emit({ kind: 'agentJoined', agent: { name: 'Anna' } });
    harness.take();
    expect((await harness.say('end chat')).map((r) => r.text)).toEqual([MESSAGES.userEnded]);
    expect(first.detached).toBe(true);

    provider.endError = undefined;
    await harness.say('agent');
    const second = provider.last;
    expect(second).not.toBe(first);
    harness.take();
    await first.emit(message('old-1', 'late message of the old chat'));
    await first.emit({ kind: 'ended', reason: 'agentEnded' });
    expect(harness.takeTexts()).toEqual([]);
    await second.emit({ kind: 'agentJoined', agent: { name: 'Ben' } });
    expect(harness.takeTexts()).toEqual([MESSAGES.agentJoined('Ben')]);
    await harness.say('hello Ben');
    expect(second.sent).toEqual(['hello Ben']);
  });

  it('ends a chat the user cancelled while it was opening, and keeps the new one', async () => {
    const provider = new FakeProvider();
    const harness = await BotHarness.create({ provider });
    let release: () => void = () => undefined;
    provider.startGate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const opening = harness.say('agent');
    await eventually(() => provider.chats.length === 1, 5000, 'the chat to be opening');
    const first = provider.last;
    // The opening chat is still waiting on Genesys: these turns answer without waiting for it.
    await harness.say('cancel', undefined, { settle: false });
    provider.startGate = undefined;
    await harness.say('agent', undefined, { settle: false });
    await eventually(() => provider.chats.length === 2, 5000, 'the second chat to be opening');
    const second = provider.last;
    release();
    await opening;
    expect(first.ended).toBe(true);
    expect(second.ended).toBe(false);
    await harness.say('is anyone there?');
    expect(second.sent).toEqual(['is anyone there?']);
    expect(first.sent).toEqual([]);
  });
  it('an opened chat with nothing waiting holds no outbox claim; the next message takes it and is sent once', async () => {
    const provider = new FakeProvider();
    const harness = await BotHarness.create({ provider });
    await harness.say('agent');
    const record = (await harness.storage.handoffStore.read(handoffRecordId('test', 'conversation-1')))?.value;
    expect(record).toMatchObject({ state: 'queued', resumeData: { provider: 'webmessaging' } });
    expect(record?.type === 'handoff' ? record.outboxDrainer : 'not a record').toBeUndefined();
    // The next message finds the claim free, takes it, and is sent once.
    await provider.last.emit({ kind: 'agentJoined', agent: { name: 'Anna' } });
    await harness.say('hello');
    expect(provider.last.sent).toEqual(['hello']);
  });

  it('sends what the user wrote while the chat opened once it is bound, in order and once', async () => {
    const provider = new FakeProvider();
    const harness = await BotHarness.create({ provider });
    let release: () => void = () => undefined;
    provider.startGate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const opening = harness.say('agent');
    await eventually(() => provider.chats.length === 1, 5000, 'the chat to be opening');
    await harness.say('first', undefined, { settle: false });
    await harness.say('second', undefined, { settle: false });
    // Still opening: the claim taken with the record holds the messages back.
    expect(provider.last.sent).toEqual([]);
    release();
    await opening;
    await harness.services.handoff.whenIdle();
    expect(provider.last.sent).toEqual(['first', 'second']);
    const record = (await harness.storage.handoffStore.read(handoffRecordId('test', 'conversation-1')))?.value;
    expect(record?.type === 'handoff' ? record.outbox : 'not a record').toEqual([]);
  });
});
