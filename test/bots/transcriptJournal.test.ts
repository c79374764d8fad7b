import { handoffRecordId } from '../../src/handoff/handoffKeys';
import { isHandoffRecord, type HandoffDocument } from '../../src/handoff/handoffRecord';
import { createSilentLogger } from '../../src/logger';
import { createStorage } from '../../src/storage/createStorage';
import { messagesFor } from '../../src/resources/messages';
import { FOLD_AT_ENTRIES } from '../../src/transcript/transcriptJournal';
import { BotHarness, twoInstancesOnOneStore } from '../support/botHarness';
import { eventually } from '../support/eventually';
import { agentMessage, FakeProvider } from '../support/fakeProvider';
import { testConfig } from '../support/testConfig';

const RECORD_ID = handoffRecordId('test', 'conversation-1');

async function record(harness: BotHarness) {
  const doc = await harness.storage.handoffStore.read(RECORD_ID);
  return isHandoffRecord(doc?.value) ? doc.value : undefined;
}

/** A harness with a connected chat whose instance holds a live lease (as a running app does). */
async function connected(options: { storage?: BotHarness['storage'] } = {}) {
  const provider = new FakeProvider();
  const harness = await BotHarness.create({ provider, ...(options.storage ? { storage: options.storage } : {}) });
  await harness.say('what are your opening hours?');
  await harness.say('I want to talk to a human');
  await provider.last.emit({ kind: 'agentJoined', agent: { name: 'Anna' } });
  await harness.services.handoff.beat();
  harness.take();
  return { provider, harness };
}

async function agentSays(provider: FakeProvider, id: string, text: string): Promise<void> {
  await provider.last.emit(agentMessage(id, text));
}

/** A new process on `storage` opens the next chat: the agent's introduction holds each entry of the first once. */
async function expectEveryEntryOnceInTheNextChat(storage: BotHarness['storage']): Promise<void> {
  const provider = new FakeProvider();
  const next = await BotHarness.create({ provider, storage });
  await next.say('I want to talk to a human');
  const introduction = provider.last.request?.introduction ?? '';
  expect(occurrences(introduction, 'the parcel never arrived')).toBe(1);
  expect(occurrences(introduction, 'I have reissued the parcel')).toBe(1);
  expect(occurrences(introduction, 'what are your opening hours?')).toBe(1);
}

/** How often `needle` occurs in `haystack`. */
function occurrences(haystack: string, needle: string): number {
  return haystack.split(needle).length - 1;
}

describe('transcript journal in the live-chat record', () => {
  it('relays both ways without reading or writing conversation state, one record write per agent message', async () => {
    const { provider, harness } = await connected();
    const state = harness.storage.botStorage;
    const records = harness.storage.handoffStore;
    const stateRead = jest.spyOn(state, 'read');
    const stateWrite = jest.spyOn(state, 'write');
    const recordRead = jest.spyOn(records, 'read');
    const recordReplace = jest.spyOn(records, 'replace');

    await harness.say('my order 1234 is late');
    // The accept (outbox entry, inbound id, transcript entry) and the removal once Genesys took it.
    expect(recordReplace).toHaveBeenCalledTimes(2);
    await agentSays(provider, 'm1', 'Let me check that for you');
    expect(recordReplace).toHaveBeenCalledTimes(3);
    await harness.say('thanks');

    expect(provider.last.sent).toEqual(['my order 1234 is late', 'thanks']);
    expect(stateRead).not.toHaveBeenCalled();
    expect(stateWrite).not.toHaveBeenCalled();
    expect(recordRead).not.toHaveBeenCalled();
    const journal = (await record(harness))?.transcriptJournal;
    expect(journal?.entries.map((e) => `${e.role}: ${e.text}`)).toEqual(
      expect.arrayContaining(['user: my order 1234 is late', 'agent: Let me check that for you', 'user: thanks']),
    );
    const transcript = await harness.transcript();
    expect(transcript.entries.map((e) => `${e.role}: ${e.text}`).slice(-3)).toEqual([
      'user: my order 1234 is late',
      'agent: Let me check that for you',
      'user: thanks',
    ]);
  });

  it('folds the journal into conversation state once it is long enough, and drops it from the record after', async () => {
    const { harness } = await connected();
    const messages = Array.from({ length: FOLD_AT_ENTRIES }, (_, i) => `message ${i + 1}`);
    for (const text of messages) await harness.say(text);
    const stored = await harness.storedTranscript();
    // Folded once the journal reached its size (the chat's notices count too).
    expect(stored.entries.map((e) => e.text)).toContain('message 1');
    const journal = (await record(harness))?.transcriptJournal;
    expect(stored.folded?.journal).toBe(journal?.id);
    // The record's writes after the fold carry only what was not folded.
    expect(journal?.entries.length).toBeLessThan(FOLD_AT_ENTRIES);
    expect(journal?.entries.every((e) => e.seq > (stored.folded?.seq ?? 0))).toBe(true);
    const transcript = await harness.transcript();
    expect(transcript.entries.filter((e) => e.text.startsWith('message ')).map((e) => e.text)).toEqual(messages);
  });

  it('gives the next chat every entry once when the process died before the journal was folded', async () => {
    const storage = await createStorage<HandoffDocument>(testConfig(), createSilentLogger());
    const first = await connected({ storage });
    await first.harness.say('the parcel never arrived');
    await agentSays(first.provider, 'm1', 'I have reissued the parcel');
    // Conversation state is unreachable when the chat ends: the fold fails and the journal stays in the record.
    const failing = jest.spyOn(storage.botStorage, 'write').mockRejectedValue(new Error('storage unavailable'));
    await first.provider.last.emit({ kind: 'ended', reason: 'agentEnded' });
    await first.harness.services.handoff.whenIdle();
    failing.mockRestore();
    expect((await first.harness.storedTranscript()).entries.map((e) => e.text)).not.toContain(
      'the parcel never arrived',
    );

    // The process is gone (nothing of it is used again); a new one serves the conversation.
    await expectEveryEntryOnceInTheNextChat(storage);
  });

  it('gives the next chat every entry once when the process died after the fold, before the record dropped them', async () => {
    const storage = await createStorage<HandoffDocument>(testConfig(), createSilentLogger());
    const first = await connected({ storage });
    await first.harness.say('the parcel never arrived');
    await agentSays(first.provider, 'm1', 'I have reissued the parcel');
    // The record as the chat's end wrote it, before the fold and before any write dropped folded entries.
    const replace = storage.handoffStore.replace.bind(storage.handoffStore);
    let ended: HandoffDocument | undefined;
    jest.spyOn(storage.handoffStore, 'replace').mockImplementation((doc, etag) => {
      if (ended === undefined && isHandoffRecord(doc) && doc.state === 'ended') ended = structuredClone(doc);
      return replace(doc, etag);
    });
    await first.provider.last.emit({ kind: 'ended', reason: 'agentEnded' });
    await first.harness.services.handoff.whenIdle();
    jest.restoreAllMocks();
    expect((await first.harness.storedTranscript()).entries.map((e) => e.text)).toContain('the parcel never arrived');
    // The crash left conversation state folded and the record as of its end write.
    const current = await storage.handoffStore.read(RECORD_ID);
    if (ended === undefined || current === undefined) throw new Error('the chat did not end');
    await storage.handoffStore.replace(ended, current.etag);
    expect((await record(first.harness))?.transcriptJournal?.entries.map((e) => e.text)).toContain(
      'the parcel never arrived',
    );

    await expectEveryEntryOnceInTheNextChat(storage);
  });

  it('does not journal a redelivered user message twice', async () => {
    const { harness } = await connected();
    await harness.say({ id: 'activity-7', text: 'hello again' });
    await harness.say({ id: 'activity-7', text: 'hello again' });
    const transcript = await harness.transcript();
    expect(transcript.entries.filter((e) => e.text === 'hello again')).toHaveLength(1);
  });
});

describe('transcript journal write failures', () => {
  it('keeps a notice once when the record write carrying it fails (saved in state, not journaled later too)', async () => {
    const { provider, harness } = await connected();
    const records = harness.storage.handoffStore;
    const replace = records.replace.bind(records);
    const writes: string[] = [];
    jest.spyOn(records, 'replace').mockImplementation((doc, etag) => {
      writes.push(isHandoffRecord(doc) ? doc.state : doc.type);
      // The transfer to Bob is written (1st write); the write carrying its notice fails (2nd).
      if (writes.length === 2) return Promise.reject(new Error('storage unavailable'));
      return replace(doc, etag);
    });
    await provider.last.emit({ kind: 'agentJoined', agent: { name: 'Bob' } });
    await harness.services.handoff.whenIdle();
    expect(writes.length).toBeGreaterThanOrEqual(2);
    // The record is written again (an agent message), then the chat ends and everything is folded.
    await agentSays(provider, 'm1', 'Bob here, how can I help?');
    await provider.last.emit({ kind: 'ended', reason: 'agentEnded' });
    await harness.services.handoff.whenIdle();
    jest.restoreAllMocks();
    const transcript = await harness.transcript();
    const texts = transcript.entries.filter((e) => e.role !== 'agent' && e.text.includes('Bob')).map((e) => e.text);
    expect(texts.length).toBeGreaterThan(0);
    expect(texts.length).toBe(new Set(texts).size);
  });

  it("keeps the bot's answer of a user turn in conversation state when its journal write fails", async () => {
    const provider = new FakeProvider();
    const harness = await BotHarness.create({ provider });
    await harness.say('I want to talk to a human');
    await harness.services.handoff.beat();
    const answer = messagesFor(undefined).passedOnWhileWaiting;
    const records = harness.storage.handoffStore;
    const replace = records.replace.bind(records);
    jest.spyOn(records, 'replace').mockImplementation((doc, etag) => {
      const carries = isHandoffRecord(doc) && (doc.transcriptJournal?.entries ?? []).some((e) => e.text === answer);
      return carries ? Promise.reject(new Error('storage unavailable')) : replace(doc, etag);
    });
    const replies = await harness.say('is anyone there?');
    await harness.services.handoff.whenIdle();
    jest.restoreAllMocks();
    expect(replies.map((r) => r.text)).toEqual([answer]);
    const transcript = await harness.transcript();
    expect(transcript.entries.filter((e) => e.text === answer)).toHaveLength(1);
    expect(transcript.entries.filter((e) => e.text === 'is anyone there?')).toHaveLength(1);
  });
});

describe('transcript journal across a takeover', () => {
  it('holds every entry once when the chat is taken over while the old owner folds', async () => {
    const { storage, owner, ownerProvider, other, otherProvider, clock } = await twoInstancesOnOneStore();
    await owner.say('I want to talk to a human');
    await ownerProvider.last.emit({ kind: 'agentJoined', agent: { name: 'Anna' } });
    await owner.services.handoff.beat();

    // The owner's fold reads conversation state, then its write hangs until released.
    const write = storage.botStorage.write.bind(storage.botStorage);
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    let held = false;
    jest.spyOn(storage.botStorage, 'write').mockImplementation(async (changes) => {
      if (!held) {
        held = true;
        await gate;
      }
      return write(changes);
    });
    const before = Array.from({ length: FOLD_AT_ENTRIES }, (_, i) => `before ${i + 1}`);
    // Without settling: the owner's work never settles while its fold hangs.
    for (const text of before) {
      await owner.say(text, undefined, { settle: false });
      await eventually(() => ownerProvider.last.sent.includes(text), 5000, `"${text}" sent to the agent`);
    }
    expect(held).toBe(true);

    // The owner stops beating; the other instance takes the chat over and the chat goes on there.
    clock.now += 35_000;
    await other.services.handoff.sweep();
    expect(otherProvider.resumed).toHaveLength(1);
    const after = ['after 1', 'after 2'];
    for (const text of after) await other.say(text);
    await otherProvider.resumed[0]?.emit(agentMessage('m1', 'answered after the takeover'));
    await otherProvider.resumed[0]?.emit({ kind: 'ended', reason: 'agentEnded' });
    await other.services.handoff.whenIdle();

    // The old owner's fold finishes last.
    release();
    await owner.services.handoff.whenIdle();
    jest.restoreAllMocks();

    const transcript = await other.transcript();
    for (const text of [...before, ...after, 'answered after the takeover'])
      expect(transcript.entries.filter((e) => e.text === text)).toHaveLength(1);
    const stored = await other.storedTranscript();
    for (const text of [...before, ...after]) expect(stored.entries.filter((e) => e.text === text)).toHaveLength(1);
  });
});
