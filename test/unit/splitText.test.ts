import { splitText } from '../../src/genesys/splitText';

describe('splitText', () => {
  it('keeps short text whole', () => {
    expect(splitText('hello world', 4096, 'bytes')).toEqual(['hello world']);
  });

  it('gives nothing for blank text', () => {
    expect(splitText('   ', 10, 'chars')).toEqual([]);
  });

  it('breaks on word boundaries and loses no words', () => {
    const words = Array.from({ length: 2000 }, (_, i) => `word${i}`);
    const text = words.join(' ');
    const parts = splitText(text, 4000, 'chars');
    expect(parts.length).toBeGreaterThan(1);
    for (const part of parts) expect(part.length).toBeLessThanOrEqual(4000);
    expect(parts.join(' ').split(' ')).toEqual(words);
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
});
