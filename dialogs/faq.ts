import faqEntries from './faq.json';

/** One FAQ entry: an answer and the words that select it. */
export interface FaqEntry {
  keywords: string[];
  answer: string;
}

/**
 * A small keyword FAQ. A question matches the entry with the most keyword hits (whole words or
 * phrases, case-insensitive); ties go to the earlier entry.
 */
export class Faq {
  private readonly entries: { answer: string; patterns: RegExp[] }[];

  constructor(entries: readonly FaqEntry[]) {
    if (entries.length === 0) throw new Error('Faq: at least one entry is required');
    this.entries = entries.map((e) => ({
      answer: e.answer,
      patterns: e.keywords.map((k) => new RegExp(`\\b${k.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\b`, 'i')),
    }));
  }

  /** The FAQ shipped with the bot (`dialogs/faq.json`). */
  static default(): Faq {
    return new Faq(faqEntries);
  }

  /** The best answer for `question`, or undefined when no keyword matches. */
  answer(question: string): string | undefined {
    let best: { answer: string; hits: number } | undefined;
    for (const entry of this.entries) {
      const hits = entry.patterns.filter((p) => p.test(question)).length;
      if (hits > 0 && (best === undefined || hits > best.hits)) best = { answer: entry.answer, hits };
    }
    return best?.answer;
  }
}
