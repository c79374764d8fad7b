import { FALLBACK_LANGUAGE, languageOf, type Language } from '../src/resources/languages';
import faqEntriesDe from './faq.de.json';
import faqEntries from './faq.json';

/** One FAQ entry: an answer and the words that select it. */
export interface FaqEntry {
  keywords: string[];
  answer: string;
}

interface CompiledEntry {
  answer: string;
  patterns: RegExp[];
}

function compile(entries: readonly FaqEntry[]): CompiledEntry[] {
  return entries.map((e) => ({
    answer: e.answer,
    // Whole words or phrases; letters outside ASCII (ä, ö, ü, ß) count as word characters.
    patterns: e.keywords.map(
      (k) => new RegExp(`(?<![\\p{L}\\p{N}])${k.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?![\\p{L}\\p{N}])`, 'iu'),
    ),
  }));
}

/**
 * A small keyword FAQ. A question matches the entry with the most keyword hits (whole words or
 * phrases, case-insensitive); ties go to the earlier entry. Entries can be given per language:
 * a question is looked up in the entries of the user's language first, then in the default ones.
 */
export class Faq {
  private readonly entries: CompiledEntry[];
  private readonly byLanguage: Partial<Record<Language, CompiledEntry[]>>;

  /**
   * @param entries the default entries (English), used for every language
   * @param byLanguage entries for other languages, tried first for users of that language
   * @throws Error when `entries` is empty
   */
  constructor(entries: readonly FaqEntry[], byLanguage: Partial<Record<Language, readonly FaqEntry[]>> = {}) {
    if (entries.length === 0) throw new Error('Faq: at least one entry is required');
    this.entries = compile(entries);
    this.byLanguage = {};
    for (const [language, localized] of Object.entries(byLanguage) as [Language, readonly FaqEntry[]][]) {
      this.byLanguage[language] = compile(localized);
    }
  }

  /** The FAQ shipped with the bot (`dialogs/faq.json`, German in `dialogs/faq.de.json`). */
  static default(): Faq {
    return new Faq(faqEntries, { de: faqEntriesDe });
  }

  /**
   * The best answer for `question`, or undefined when no keyword matches.
   * @param locale the user's BCP 47 locale (`de-DE`); the default entries when missing or unknown
   */
  answer(question: string, locale?: string): string | undefined {
    const language = languageOf(locale);
    const localized = language === FALLBACK_LANGUAGE ? undefined : this.byLanguage[language];
    return (localized === undefined ? undefined : best(localized, question)) ?? best(this.entries, question);
  }
}

function best(entries: readonly CompiledEntry[], question: string): string | undefined {
  let found: { answer: string; hits: number } | undefined;
  for (const entry of entries) {
    const hits = entry.patterns.filter((p) => p.test(question)).length;
    if (hits > 0 && (found === undefined || hits > found.hits)) found = { answer: entry.answer, hits };
  }
  return found?.answer;
}
