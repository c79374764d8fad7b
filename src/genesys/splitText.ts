/** How a Genesys limit counts length. */
export type LengthUnit = 'bytes' | 'chars';

function measure(text: string, unit: LengthUnit): number {
  return unit === 'bytes' ? Buffer.byteLength(text, 'utf8') : Array.from(text).length;
}

/**
 * Splits `text` into parts no longer than `max` (in UTF-8 bytes or Unicode code points), breaking
 * at the last whitespace that fits; a single word longer than `max` is cut between code points.
 * Parts keep their text exactly (no whitespace is lost inside a part; the break whitespace is
 * dropped). An empty or whitespace-only text gives no parts.
 */
export function splitText(text: string, max: number, unit: LengthUnit): string[] {
  if (max < 4) throw new RangeError(`splitText: max must be at least 4, got ${max}`);
  const parts: string[] = [];
  let rest = text.trim();
  while (rest.length > 0) {
    if (measure(rest, unit) <= max) {
      parts.push(rest);
      break;
    }
    const codePoints = Array.from(rest);
    // Largest prefix (in code points) that fits.
    let fit = 0;
    let used = 0;
    for (const cp of codePoints) {
      const size = unit === 'bytes' ? Buffer.byteLength(cp, 'utf8') : 1;
      if (used + size > max) break;
      used += size;
      fit++;
    }
    const prefix = codePoints.slice(0, fit).join('');
    const breakAt = Math.max(prefix.lastIndexOf(' '), prefix.lastIndexOf('\n'), prefix.lastIndexOf('\t'));
    const cut = breakAt > 0 ? breakAt : prefix.length;
    parts.push(rest.slice(0, cut).trimEnd());
    rest = rest.slice(cut).trimStart();
  }
  return parts.filter((p) => p.length > 0);
}
