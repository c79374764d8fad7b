/** Who said something in a conversation. */
export type TranscriptRole = 'user' | 'bot' | 'agent' | 'system';

/** One line of a conversation transcript. */
export interface TranscriptEntry {
  role: TranscriptRole;
  /** Display name when known (user name, agent name). */
  name?: string;
  text: string;
  /** ISO-8601 time. */
  at: string;
}

/** The last entry of a live-chat record's transcript journal that a transcript holds (see transcriptJournal.ts). */
export interface FoldMark {
  /** Id of the journal. */
  journal: string;
  /** `seq` of its last entry folded in. */
  seq: number;
}

/** A bounded transcript, as stored in conversation state. */
export interface Transcript {
  entries: TranscriptEntry[];
  /** How many older entries were dropped to stay within bounds. */
  dropped: number;
  /** How far the journal of the conversation's live-chat record is folded in, once it was. */
  folded?: FoldMark;
}

/** Bounds of a transcript. */
export interface TranscriptLimits {
  maxEntries: number;
  maxChars: number;
}

/** An empty transcript. */
export function emptyTranscript(): Transcript {
  return { entries: [], dropped: 0 };
}

/**
 * Appends an entry, then drops the oldest entries until the transcript is within `limits`.
 * A single entry longer than `maxChars` is cut to fit (keeping its start). Returns the same object.
 */
export function appendToTranscript(
  transcript: Transcript,
  entry: TranscriptEntry,
  limits: TranscriptLimits,
): Transcript {
  const text =
    entry.text.length > limits.maxChars ? `${entry.text.slice(0, Math.max(0, limits.maxChars - 1))}…` : entry.text;
  transcript.entries.push({ ...entry, text });
  let chars = transcript.entries.reduce((sum, e) => sum + e.text.length, 0);
  while (transcript.entries.length > limits.maxEntries || (chars > limits.maxChars && transcript.entries.length > 1)) {
    const removed = transcript.entries.shift();
    if (removed === undefined) break;
    chars -= removed.text.length;
    transcript.dropped++;
  }
  return transcript;
}

/** Checks that an unknown stored value is a transcript (state written by an older version may not be). */
export function isTranscript(value: unknown): value is Transcript {
  if (typeof value !== 'object' || value === null) return false;
  const candidate = value as { entries?: unknown; dropped?: unknown };
  return Array.isArray(candidate.entries) && typeof candidate.dropped === 'number';
}

const ROLE_LABELS: Record<TranscriptRole, string> = { user: 'Customer', bot: 'Bot', agent: 'Agent', system: 'System' };

/**
 * Formats the transcript as readable text for the agent: one line per message, `[HH:MM] Who: text`,
 * oldest first, after a header. When longer than `maxChars`, the oldest lines are left out and the
 * header says so.
 */
export function formatTranscriptForAgent(transcript: Transcript, maxChars: number): string {
  const lines = transcript.entries
    .filter((e) => e.role !== 'system')
    .map((e) => `[${e.at.slice(11, 16)}] ${e.name ?? ROLE_LABELS[e.role]}: ${e.text.replace(/\s+/g, ' ').trim()}`);
  let omitted = transcript.dropped;
  const header = (): string =>
    `Conversation with the virtual assistant so far${omitted > 0 ? ` (${omitted} earlier message${omitted === 1 ? '' : 's'} not shown)` : ''}:`;
  let body = lines.join('\n');
  while (lines.length > 0 && header().length + 1 + body.length > maxChars) {
    lines.shift();
    omitted++;
    body = lines.join('\n');
  }
  if (lines.length === 0) return `${header()}\n(no messages)`.slice(0, maxChars);
  return `${header()}\n${body}`;
}
