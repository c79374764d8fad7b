/**
 * How a Genesys limit counts length.
 *
 * - `bytes`: UTF-8 bytes (Web Messaging inbound text, 4,096 bytes; docs/genesys-protocol.md §5.7).
 * - `chars`: UTF-16 code units, the way a Java service counts a string's length (Guest Chat
 *   message body, 4,000 characters; docs/genesys-protocol.md §3.3). An emoji outside the Basic
 *   Multilingual Plane counts 2.
 */
export type LengthUnit = 'bytes' | 'chars';

/** Smallest accepted limit: every code point fits in 4 UTF-8 bytes and in 2 UTF-16 code units. */
const MIN_LIMIT = 4;

const GRAPHEMES = new Intl.Segmenter(undefined, { granularity: 'grapheme' });
const WORDS = new Intl.Segmenter(undefined, { granularity: 'word' });

/** What kind of break a word boundary is: after whitespace, or between a word and punctuation. */
type BreakKind = 'space' | 'word';

/**
 * The length of `text` in `unit`: UTF-8 bytes for `bytes` (a lone surrogate counts 3, as it is
 * sent as U+FFFD), UTF-16 code units for `chars`.
 */
export function measureText(text: string, unit: LengthUnit): number {
  return unit === 'bytes' ? Buffer.byteLength(text, 'utf8') : text.length;
}

/**
 * Splits `text` into parts of at most `max` units (see {@link LengthUnit}) that, joined, give
 * `text` back exactly: nothing is trimmed or dropped, whitespace at a cut stays at the end of the
 * earlier part.
 *
 * Cuts fall only between grapheme clusters (`Intl.Segmenter`), so a family emoji, a flag, a
 * skin-tone modifier or a combining accent is never split. Among the cuts that fit, the last one
 * after whitespace is taken; failing that, the last word boundary (between a word and punctuation,
 * or between words of a language written without spaces); failing that, the last grapheme
 * boundary. A single grapheme cluster longer than `max` (only degenerate text, such as thousands of
 * stacked combining marks, makes one) is cut between code points, since it could not be sent
 * otherwise.
 *
 * A text that is empty or whitespace only gives no parts: there is nothing to deliver.
 *
 * @param text - the message text, any length.
 * @param max - the limit per part in `unit`; a whole number of at least 4.
 * @param unit - how `max` counts length.
 * @returns the parts in order; one part when `text` already fits.
 * @throws RangeError when `max` is not a whole number of at least 4.
 */
export function splitText(text: string, max: number, unit: LengthUnit): string[] {
  if (!Number.isInteger(max) || max < MIN_LIMIT) {
    throw new RangeError(`splitText: max must be a whole number of at least ${MIN_LIMIT}, got ${max}`);
  }
  if (text.trim().length === 0) return [];
  if (measureText(text, unit) <= max) return [text];

  const clusters = Array.from(GRAPHEMES.segment(text), (s) => s.segment);
  const breaks = wordBreaks(text);
  const parts: string[] = [];
  let start = 0; // index in `text` where the current part begins
  let first = 0; // index in `clusters` of the current part's first cluster
  while (first < clusters.length) {
    let size = 0;
    let end = start;
    let next = first;
    let overflow: string | undefined; // the first cluster that does not fit
    let space: { at: number; next: number } | undefined;
    let word: { at: number; next: number } | undefined;
    // Take whole clusters while they fit, noting the last space and word break passed.
    for (; next < clusters.length; next++) {
      const cluster = clusters[next];
      if (cluster === undefined) break;
      const grown = size + measureText(cluster, unit);
      if (grown > max) {
        overflow = cluster;
        break;
      }
      size = grown;
      end += cluster.length;
      const kind = breaks.get(end);
      if (kind === 'space') space = { at: end, next: next + 1 };
      else if (kind === 'word') word = { at: end, next: next + 1 };
    }
    if (overflow === undefined) {
      parts.push(text.slice(start));
      break;
    }
    if (end === start) {
      // One cluster longer than the limit: send the code points that fit, keep the rest as a cluster.
      const head = codePointPrefix(overflow, max, unit);
      parts.push(head);
      clusters[first] = overflow.slice(head.length);
      start += head.length;
      continue;
    }
    const cut = space ?? word ?? { at: end, next };
    parts.push(text.slice(start, cut.at));
    start = cut.at;
    first = cut.next;
  }
  return parts;
}

/** Word boundaries of `text` (inside it, not its ends), by index, with their kind. */
function wordBreaks(text: string): Map<number, BreakKind> {
  const breaks = new Map<number, BreakKind>();
  let previous: string | undefined;
  for (const { segment, index } of WORDS.segment(text)) {
    if (previous !== undefined) breaks.set(index, /^\s+$/u.test(previous) ? 'space' : 'word');
    previous = segment;
  }
  return breaks;
}

/** The longest run of whole code points at the start of `cluster` that fits in `max` (at least one). */
function codePointPrefix(cluster: string, max: number, unit: LengthUnit): string {
  let prefix = '';
  let size = 0;
  for (const codePoint of cluster) {
    size += measureText(codePoint, unit);
    if (size > max) break;
    prefix += codePoint;
  }
  return prefix;
}
