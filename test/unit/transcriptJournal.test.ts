import { ConversationState, MemoryStorage, TestAdapter, TurnContext } from 'botbuilder';
import { conversationStateKey } from '../../src/state/concurrentState';
import type { TranscriptEntry } from '../../src/transcript/transcript';
import {
  appendToJournal,
  FOLD_AT_CHARS,
  FOLD_AT_ENTRIES,
  foldDue,
  foldJournal,
  MAX_JOURNAL_ENTRIES,
  MAX_JOURNAL_ENTRY_CHARS,
  pruneJournal,
  unfoldedEntries,
} from '../../src/transcript/transcriptJournal';

const LIMITS = { maxEntries: 100, maxChars: 10_000 };

function entry(text: string, at: string, role: TranscriptEntry['role'] = 'user'): TranscriptEntry {
  return { role, text, at };
}

describe('transcript journal', () => {
  it('numbers entries and keeps at most MAX_JOURNAL_ENTRIES', () => {
    const first = appendToJournal(undefined, [entry('a', '2026-01-01T10:00:00.000Z')]);
    const journal = appendToJournal(
      first,
      Array.from({ length: MAX_JOURNAL_ENTRIES + 5 }, (_, i) => entry(`e${i}`, '2026-01-01T10:01:00.000Z')),
    );
    expect(journal.entries).toHaveLength(MAX_JOURNAL_ENTRIES);
    expect(journal.entries.at(-1)?.seq).toBe(MAX_JOURNAL_ENTRIES + 6);
    expect(journal.next).toBe(MAX_JOURNAL_ENTRIES + 7);
    // The journal appended to is left as it was (kept record versions share it).
    expect(first.entries.map((e) => e.text)).toEqual(['a']);
  });

  it('cuts a long entry so the record stays small, and folds early when the text is long', () => {
    const long = 'x'.repeat(MAX_JOURNAL_ENTRY_CHARS + 10);
    const journal = appendToJournal(undefined, [entry(long, '2026-01-01T10:00:00.000Z')]);
    expect(journal.entries[0]?.text).toHaveLength(MAX_JOURNAL_ENTRY_CHARS);
    expect(journal.entries[0]?.text.endsWith('…')).toBe(true);
    expect(foldDue(journal.entries)).toBe(false);
    const longer = appendToJournal(
      journal,
      Array.from({ length: Math.ceil(FOLD_AT_CHARS / MAX_JOURNAL_ENTRY_CHARS) }, () =>
        entry(long, '2026-01-01T10:00:01.000Z'),
      ),
    );
    expect(longer.entries.length).toBeLessThan(FOLD_AT_ENTRIES);
    expect(foldDue(longer.entries)).toBe(true);
    const many = appendToJournal(
      undefined,
      Array.from({ length: FOLD_AT_ENTRIES }, () => entry('short', '2026-01-01T10:00:00.000Z')),
    );
    expect(foldDue(many.entries)).toBe(true);
    expect(foldDue(many.entries.slice(1))).toBe(false);
  });

  it('folds by time, marks how far, and folds nothing twice', () => {
    const journal = appendToJournal(undefined, [
      entry('from the chat 1', '2026-01-01T10:00:01.000Z'),
      entry('from the chat 2', '2026-01-01T10:00:03.000Z', 'agent'),
    ]);
    const stored = {
      entries: [entry('before', '2026-01-01T09:00:00.000Z'), entry('after', '2026-01-01T11:00:00.000Z')],
      dropped: 0,
    };
    const folded = foldJournal(stored, journal, LIMITS);
    expect(folded.entries.map((e) => e.text)).toEqual(['before', 'from the chat 1', 'from the chat 2', 'after']);
    expect(folded.folded).toEqual({ journal: journal.id, seq: 2 });
    expect(unfoldedEntries(folded, journal)).toEqual([]);
    expect(foldJournal(folded, journal, LIMITS)).toBe(folded);

    const longer = appendToJournal(journal, [entry('later', '2026-01-01T12:00:00.000Z')]);
    const again = foldJournal(folded, longer, LIMITS);
    expect(again.entries.map((e) => e.text)).toEqual([
      'before',
      'from the chat 1',
      'from the chat 2',
      'after',
      'later',
    ]);
    expect(again.entries[1]).toEqual({ role: 'user', text: 'from the chat 1', at: '2026-01-01T10:00:01.000Z' });
  });

  it('treats a journal it never folded as wholly new, and prunes only its own marks', () => {
    const journal = appendToJournal(undefined, [
      entry('x', '2026-01-01T10:00:00.000Z'),
      entry('y', '2026-01-01T10:00:01.000Z'),
    ]);
    const transcript = { entries: [], dropped: 0, folded: { journal: 'another journal', seq: 99 } };
    expect(unfoldedEntries(transcript, journal).map((e) => e.text)).toEqual(['x', 'y']);
    expect(pruneJournal(journal, { journal: 'another journal', seq: 99 })).toBe(journal);
    expect(pruneJournal(journal, { journal: journal.id, seq: 1 }).entries.map((e) => e.text)).toEqual(['y']);
    expect(pruneJournal(journal, { journal: journal.id, seq: 2 }).entries).toEqual([]);
    expect(journal.entries).toHaveLength(2);
  });

  it('finds conversation state under the key botbuilder uses in a turn', () => {
    const state = new ConversationState(new MemoryStorage());
    const context = new TurnContext(new TestAdapter(), {
      type: 'message',
      channelId: 'msteams',
      conversation: { id: 'a:1/b', isGroup: false, conversationType: 'personal', name: '' },
    });
    expect(conversationStateKey('msteams', 'a:1/b')).toBe(state.getStorageKey(context));
  });
});
