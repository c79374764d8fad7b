import { randomUUID } from 'node:crypto';
import type { Storage, StoreItem } from 'botbuilder';
import type { Logger } from '../logger';
import { isEtagConflict } from '../state/stateSaver';
import {
  appendToTranscript,
  emptyTranscript,
  isTranscript,
  type FoldMark,
  type Transcript,
  type TranscriptEntry,
  type TranscriptLimits,
} from './transcript';

/** A transcript entry waiting in a live-chat record, numbered within its journal. */
export interface JournalEntry extends TranscriptEntry {
  /** Position in the journal, from 1, never reused within one journal. */
  seq: number;
}

/**
 * Transcript entries of a live chat carried in the live-chat record (written with the record
 * write each relayed message makes anyway) until they are folded into the conversation's
 * transcript in conversation state. The conversation's transcript remembers the last entry folded
 * ({@link FoldMark}), so a fold repeated after a crash appends nothing twice.
 */
export interface TranscriptJournal {
  /** Identifies this journal (a new one only when the record is created). */
  id: string;
  /** `seq` of the next entry. */
  next: number;
  /** Entries not yet known to be folded, oldest first (bounded by {@link MAX_JOURNAL_ENTRIES}). */
  entries: JournalEntry[];
}

/**
 * Entries a record carries at most; beyond it the oldest are dropped (folding keeps far below it).
 * With {@link MAX_JOURNAL_ENTRY_CHARS} this bounds the journal to about 800 KB of text, well within
 * a Cosmos DB item (2 MB).
 */
export const MAX_JOURNAL_ENTRIES = 100;

/** Longest text of one journal entry; a longer one is cut (keeping its start) with an ellipsis. */
export const MAX_JOURNAL_ENTRY_CHARS = 8_000;

/** Unfolded entries at which the journal is folded into conversation state. */
export const FOLD_AT_ENTRIES = 20;

/** Unfolded text (characters) at which the journal is folded, however few its entries. */
export const FOLD_AT_CHARS = 40_000;

/** A new, empty journal. */
export function newJournal(): TranscriptJournal {
  return { id: randomUUID(), next: 1, entries: [] };
}

/**
 * `journal` (a new one when undefined) with `entries` appended and numbered: a new object, the
 * given journal is left as it is (records share it with the copies kept of them).
 */
export function appendToJournal(
  journal: TranscriptJournal | undefined,
  entries: readonly TranscriptEntry[],
): TranscriptJournal {
  const base = journal ?? newJournal();
  let next = base.next;
  const added = entries.map((entry) => ({
    ...entry,
    text:
      entry.text.length > MAX_JOURNAL_ENTRY_CHARS ? `${entry.text.slice(0, MAX_JOURNAL_ENTRY_CHARS - 1)}…` : entry.text,
    seq: next++,
  }));
  return { id: base.id, next, entries: [...base.entries, ...added].slice(-MAX_JOURNAL_ENTRIES) };
}

/** `journal` without the entries that `mark` says are folded (the same object when there are none). */
export function pruneJournal(journal: TranscriptJournal, mark: FoldMark): TranscriptJournal {
  if (mark.journal !== journal.id) return journal;
  const first = journal.entries.findIndex((e) => e.seq > mark.seq);
  if (first === 0) return journal;
  return { ...journal, entries: first === -1 ? [] : journal.entries.slice(first) };
}

/** True when the unfolded `entries` are many or long enough to fold ({@link FOLD_AT_ENTRIES}, {@link FOLD_AT_CHARS}). */
export function foldDue(entries: readonly JournalEntry[]): boolean {
  if (entries.length >= FOLD_AT_ENTRIES) return true;
  let chars = 0;
  for (const entry of entries) chars += entry.text.length;
  return chars >= FOLD_AT_CHARS;
}

/** The entries of `journal` that `transcript` does not hold yet. */
export function unfoldedEntries(transcript: Transcript, journal: TranscriptJournal | undefined): JournalEntry[] {
  if (journal === undefined) return [];
  const mark = transcript.folded;
  if (mark?.journal !== journal.id) return [...journal.entries];
  return journal.entries.filter((e) => e.seq > mark.seq);
}

/**
 * The transcript with the journal's unfolded entries merged in by time (the transcript's own
 * entries first on ties) and the fold mark moved past them; bounds applied as on every append.
 * Returns `transcript` itself when there is nothing to fold.
 */
export function foldJournal(
  transcript: Transcript,
  journal: TranscriptJournal | undefined,
  limits: TranscriptLimits,
): Transcript {
  const incoming = unfoldedEntries(transcript, journal);
  const last = incoming.at(-1);
  if (journal === undefined || last === undefined) return transcript;
  const merged: Transcript = {
    entries: [],
    dropped: transcript.dropped,
    folded: { journal: journal.id, seq: last.seq },
  };
  let i = 0;
  for (const own of transcript.entries) {
    for (; i < incoming.length && (incoming[i]?.at ?? '') < own.at; i++) add(merged, incoming[i], limits);
    add(merged, own, limits);
  }
  for (; i < incoming.length; i++) add(merged, incoming[i], limits);
  return merged;
}

function add(transcript: Transcript, entry: TranscriptEntry | undefined, limits: TranscriptLimits): void {
  if (entry === undefined) return;
  const { role, name, text, at } = entry;
  appendToTranscript(transcript, { role, ...(name === undefined ? {} : { name }), text, at }, limits);
}

const MAX_FOLD_ATTEMPTS = 4;

/**
 * Folds journals into the conversation's transcript in conversation state: one read and one
 * ETag-guarded write of the conversation's state document per fold (re-read and re-applied when
 * another writer got there first). Knows the state's storage key through `keyOf`.
 */
export class TranscriptFolder {
  constructor(
    private readonly storage: Storage,
    /** The conversation-state storage key of a conversation. */
    private readonly keyOf: (channelId: string, conversationId: string) => string,
    private readonly property: string,
    private readonly limits: TranscriptLimits,
    private readonly logger: Logger,
  ) {}

  /**
   * Folds `journal` into the transcript of the conversation; returns the fold mark now stored
   * (entries up to it may be dropped from the journal), or `undefined` when nothing was folded.
   * A storage failure rejects; the journal is then left as it is.
   */
  async fold(channelId: string, conversationId: string, journal: TranscriptJournal): Promise<FoldMark | undefined> {
    const key = this.keyOf(channelId, conversationId);
    for (let attempt = 1; ; attempt++) {
      const stored = (await this.storage.read([key]))[key] as StoreItem | undefined;
      const current: unknown = stored?.[this.property];
      const transcript = isTranscript(current) ? current : emptyTranscript();
      const folded = foldJournal(transcript, journal, this.limits);
      if (folded === transcript) return transcript.folded?.journal === journal.id ? transcript.folded : undefined;
      // A conversation without state yet (rare: the handoff turn saves it) is written without a
      // condition, as the Storage interface has no create-only write.
      const item: StoreItem = { ...(stored ?? {}), [this.property]: folded, eTag: stored?.eTag ?? '' };
      try {
        await this.storage.write({ [key]: item });
        return folded.folded;
      } catch (err) {
        if (!isEtagConflict(err) || attempt >= MAX_FOLD_ATTEMPTS) throw err;
        this.logger.debug({ conversationId, attempt }, 'conversation state changed while folding; again');
      }
    }
  }

  /** The conversation's transcript as `stored` holds it with `journal`'s unfolded entries merged in. */
  view(stored: unknown, journal: TranscriptJournal | undefined): Transcript {
    return foldJournal(isTranscript(stored) ? stored : emptyTranscript(), journal, this.limits);
  }
}
