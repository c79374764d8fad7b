import fc from 'fast-check';
import { measureText, splitText, type LengthUnit } from '../../src/genesys/splitText';
import { cutsOf, emojiHeavyText, expectExactSplit } from '../support/textSplitting';

/** The grapheme clusters of `text`, each with the index where it starts. */
function clustersOf(text: string): { segment: string; index: number }[] {
  return Array.from(new Intl.Segmenter(undefined, { granularity: 'grapheme' }).segment(text), ({ segment, index }) => ({
    segment,
    index,
  }));
}

const FAMILY = '👨‍👩‍👧‍👦'; // 7 code points joined by ZWJ: 11 UTF-16 code units, 25 UTF-8 bytes
const FLAG = '🇫🇷'; // two regional indicators: 4 code units, 8 bytes
const THUMBS_UP = '👍🏽'; // emoji + skin-tone modifier: 4 code units, 8 bytes
const E_ACUTE = 'e\u0301'; // e + combining acute accent: 2 code units, 3 bytes

describe('splitText', () => {
  it('keeps short text whole', () => {
    expect(splitText('hello world', 4096, 'bytes')).toEqual(['hello world']);
  });

  it('gives nothing for blank text', () => {
    expect(splitText('   ', 10, 'chars')).toEqual([]);
    expect(splitText('', 10, 'bytes')).toEqual([]);
    expect(splitText('\n\t ', 10, 'bytes')).toEqual([]);
  });

  it('breaks on word boundaries and loses no words', () => {
    const words = Array.from({ length: 2000 }, (_, i) => `word${i}`);
    const text = words.join(' ');
    const parts = splitText(text, 4000, 'chars');
    expect(parts.length).toBeGreaterThan(1);
    for (const part of parts) expect(part.length).toBeLessThanOrEqual(4000);
    expect(parts.join('')).toBe(text);
    // Every cut falls right after a space: no word is cut in two.
    for (const part of parts.slice(0, -1)) expect(part.endsWith(' ')).toBe(true);
    expect(parts.join('').split(' ')).toEqual(words);
  });

  it('keeps the whitespace at each cut and does not trim the text', () => {
    expect(splitText('aaaa bbbb', 5, 'chars')).toEqual(['aaaa ', 'bbbb']);
    expect(splitText('  aaaa  bbbb  ', 8, 'chars')).toEqual(['  aaaa  ', 'bbbb  ']);
    expect(splitText('line one\nline two', 10, 'chars')).toEqual(['line one\n', 'line two']);
    expect(splitText('  padded  ', 4096, 'bytes')).toEqual(['  padded  ']);
  });

  it('prefers the last whitespace, then the last word boundary, then any grapheme boundary', () => {
    expect(splitText('one two three', 12, 'chars')).toEqual(['one two ', 'three']);
    // No whitespace: a long address is cut where a word meets punctuation.
    expect(splitText('https://example.com/some/long/path', 20, 'chars')).toEqual([
      'https://example.com/',
      'some/long/path',
    ]);
    expect(splitText('x'.repeat(10), 4, 'chars')).toEqual(['xxxx', 'xxxx', 'xx']);
  });

  it('measures UTF-8 bytes, never cutting a multi-byte character', () => {
    const text = 'é'.repeat(5000); // 2 bytes each, no spaces
    const parts = splitText(text, 4096, 'bytes');
    for (const part of parts) expect(Buffer.byteLength(part)).toBeLessThanOrEqual(4096);
    expect(parts.join('')).toBe(text);
  });

  it('cuts a single over-long word between code points', () => {
    const emoji = '😀'.repeat(10);
    const parts = splitText(emoji, 8, 'bytes');
    expect(parts).toEqual(['😀😀', '😀😀', '😀😀', '😀😀', '😀😀']);
  });

  it('fills a Web Messaging part up to exactly 4,096 bytes', () => {
    const text = 'a'.repeat(4095) + 'é' + 'b'; // 4,098 bytes
    expect(splitText(text, 4096, 'bytes')).toEqual(['a'.repeat(4095), 'é' + 'b']);
    expect(splitText('a'.repeat(4096), 4096, 'bytes')).toEqual(['a'.repeat(4096)]);
  });

  it('counts Guest Chat length in UTF-16 code units: an emoji counts two', () => {
    // 2,500 emoji are 2,500 code points but 5,000 code units: over the 4,000 a Java service counts.
    const text = '😀'.repeat(2500);
    const parts = splitText(text, 4000, 'chars');
    expect(parts).toEqual(['😀'.repeat(2000), '😀'.repeat(500)]);
    expect(splitText('😀'.repeat(2000), 4000, 'chars')).toHaveLength(1);
  });

  it.each([
    ['a family emoji', FAMILY],
    ['a flag', FLAG],
    ['a skin-tone modifier', THUMBS_UP],
    ['a combining accent', E_ACUTE],
  ])('never cuts %s in two', (_name, cluster) => {
    for (const unit of ['bytes', 'chars'] as const) {
      // An odd-length lead puts every possible code-unit offset on a cut at some point.
      for (const lead of ['', 'a', 'ab', 'abc']) {
        const text = lead + cluster.repeat(2500);
        const max = unit === 'bytes' ? 4096 : 4000;
        expectExactSplit(text, splitText(text, max, unit), max, unit);
      }
    }
  });

  it('splits mixed text with emoji, accents, indentation and line breaks exactly for both limits', () => {
    const text = emojiHeavyText(300);
    expectExactSplit(text, splitText(text, 4096, 'bytes'), 4096, 'bytes');
    expectExactSplit(text, splitText(text, 4000, 'chars'), 4000, 'chars');
  });

  it('cuts a cluster longer than the limit between code points, losing nothing', () => {
    const zalgo = 'e' + '\u0301'.repeat(9); // one grapheme cluster of 10 code units
    const parts = splitText(zalgo, 4, 'chars');
    expect(parts).toEqual(['e\u0301\u0301\u0301', '\u0301'.repeat(4), '\u0301'.repeat(2)]);
  });

  it('rejects a limit that cannot hold every code point', () => {
    expect(() => splitText('text', 3, 'bytes')).toThrow(RangeError);
    expect(() => splitText('text', 4.5, 'chars')).toThrow(RangeError);
    expect(() => splitText('text', Number.NaN, 'chars')).toThrow(/whole number of at least 4/);
  });

  describe('properties', () => {
    const tricky = fc.constantFrom(FAMILY, FLAG, THUMBS_UP, E_ACUTE, '😀', 'é', '日本語', 'ก่', '\r\n', '\u3000');
    const space = fc.constantFrom(' ', '  ', '\n', '\t', '\n\n', ' \n');
    const word = fc.oneof(fc.string({ unit: 'grapheme', maxLength: 12 }), fc.string({ unit: 'binary', maxLength: 8 }));
    const text = fc.array(fc.oneof(tricky, space, word), { maxLength: 60 }).map((pieces) => pieces.join(''));
    const unit = fc.constantFrom<LengthUnit>('bytes', 'chars');
    const max = fc.integer({ min: 4, max: 48 });

    it('joins back to the original text exactly (blank text gives no parts)', () => {
      fc.assert(
        fc.property(text, max, unit, (t, m, u) => {
          const parts = splitText(t, m, u);
          if (t.trim().length === 0) expect(parts).toEqual([]);
          else expect(parts.join('')).toBe(t);
          for (const part of parts) expect(part.length).toBeGreaterThan(0);
        }),
      );
    });

    it('keeps every part within the limit in UTF-8 bytes or UTF-16 code units (and so in code points)', () => {
      fc.assert(
        fc.property(text, max, unit, (t, m, u) => {
          for (const part of splitText(t, m, u)) {
            if (u === 'bytes') expect(Buffer.byteLength(part, 'utf8')).toBeLessThanOrEqual(m);
            else {
              expect(part.length).toBeLessThanOrEqual(m);
              expect(Array.from(part).length).toBeLessThanOrEqual(m);
            }
          }
        }),
      );
    });

    it('cuts only between grapheme clusters, unless one cluster alone is over the limit', () => {
      fc.assert(
        fc.property(text, max, unit, (t, m, u) => {
          const clusters = clustersOf(t);
          for (const cut of cutsOf(splitText(t, m, u))) {
            const inside = clusters.find((c) => c.index < cut && cut < c.index + c.segment.length);
            if (inside !== undefined) expect(measureText(inside.segment, u)).toBeGreaterThan(m);
          }
        }),
      );
    });

    it('gives a single part when the text fits', () => {
      fc.assert(
        fc.property(text, unit, (t, u) => {
          fc.pre(t.trim().length > 0);
          expect(splitText(t, Math.max(4, measureText(t, u)), u)).toEqual([t]);
        }),
      );
    });
  });
});
