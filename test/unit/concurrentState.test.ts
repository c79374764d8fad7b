import { MemoryStorage, TestAdapter, TurnContext } from 'botbuilder';
import { createSilentLogger } from '../../src/logger';
import { ConcurrentConversationState, ConcurrentUserState } from '../../src/state/concurrentState';
import { StateSaver, isEtagConflict } from '../../src/state/stateSaver';
import { TRANSCRIPT_PENDING_KEY } from '../../src/transcript/transcriptRecorder';
import { appendToTranscript, emptyTranscript, type Transcript } from '../../src/transcript/transcript';

const limits = { maxEntries: 100, maxChars: 10_000 };

function contextFor(adapter: TestAdapter): TurnContext {
  return new TurnContext(adapter, {
    type: 'message',
    channelId: 'test',
    conversation: { id: 'c1', isGroup: false, conversationType: 'personal', name: '' },
    from: { id: 'u1', name: 'User' },
    recipient: { id: 'bot', name: 'Bot' },
  });
}

describe('ETag-guarded conversation state', () => {
  it('refuses to overwrite a concurrent write', async () => {
    const storage = new MemoryStorage();
    const state = new ConcurrentConversationState(storage);
    const flag = state.createProperty<number>('flag');
    const adapter = new TestAdapter();
    const a = contextFor(adapter);
    const b = contextFor(adapter);
    await flag.set(a, 1);
    await state.saveChanges(a);
    await state.load(a, true);
    await state.load(b, true);
    await flag.set(a, 2);
    await flag.set(b, 3);
    await state.saveChanges(a);
    const failure = await state.saveChanges(b).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(isEtagConflict(failure)).toBe(true);
  });

  it("re-applies this turn's transcript entries on top of a concurrent write", async () => {
    const storage = new MemoryStorage();
    const state = new ConcurrentConversationState(storage);
    const transcript = state.createProperty<Transcript>('transcript');
    const saver = new StateSaver(state, new ConcurrentUserState(storage), 'transcript', limits, createSilentLogger());
    const adapter = new TestAdapter();
    const turn = contextFor(adapter);
    const proactive = contextFor(adapter);

    const mine = await transcript.get(turn, emptyTranscript());
    const entry = { role: 'user' as const, text: 'from the user turn', at: new Date().toISOString() };
    appendToTranscript(mine, entry, limits);
    turn.turnState.set(TRANSCRIPT_PENDING_KEY, [entry]);

    const theirs = await transcript.get(proactive, emptyTranscript());
    appendToTranscript(theirs, { role: 'agent', text: 'from the agent', at: new Date().toISOString() }, limits);
    await saver.save(proactive, 'proactive');

    await saver.save(turn);
    const check = contextFor(adapter);
    const stored = await transcript.get(check, emptyTranscript());
    expect(stored.entries.map((e) => e.text)).toEqual(['from the agent', 'from the user turn']);
  });
});
