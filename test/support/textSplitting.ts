/** How a Genesys text limit counts: UTF-8 bytes (Web Messaging) or UTF-16 code units (Guest Chat). */
export type TextUnit = 'bytes' | 'chars';

const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/** The length of `text` in `unit`, measured independently of the code under test. */
export function lengthIn(text: string, unit: TextUnit): number {
  return unit === 'bytes' ? Buffer.byteLength(text, 'utf8') : text.length;
}

/** Indexes in `text` where a grapheme cluster starts. */
export function graphemeStarts(text: string): Set<number> {
  return new Set(Array.from(graphemes.segment(text), (g) => g.index));
}

/** Indexes in the original text where one part ends and the next begins. */
export function cutsOf(parts: readonly string[]): number[] {
  const cuts: number[] = [];
  let at = 0;
  for (const part of parts.slice(0, -1)) {
    at += part.length;
    cuts.push(at);
  }
  return cuts;
}

/**
 * `lines` lines of Portuguese text with a ZWJ family emoji, a flag, a skin-tone modifier and a
 * combining accent, each line starting with two spaces and ending with a line break.
 */
export function emojiHeavyText(lines: number): string {
  const line = '  Família 👨‍👩‍👧‍👦 em 🇵🇹, obrigado 👍🏽 e\u0301 ';
  return Array.from({ length: lines }, (_, i) => `${line}${i}\n`).join('');
}

/**
 * Asserts that `parts` is a real split of `text`: more than one part, joined they give `text`
 * exactly, each within `max` in `unit`, and every cut between two grapheme clusters.
 */
export function expectExactSplit(text: string, parts: readonly string[], max: number, unit: TextUnit): void {
  expect(parts.length).toBeGreaterThan(1);
  expect(parts.join('')).toBe(text);
  for (const part of parts) expect(lengthIn(part, unit)).toBeLessThanOrEqual(max);
  const starts = graphemeStarts(text);
  for (const cut of cutsOf(parts)) expect(starts.has(cut)).toBe(true);
}
