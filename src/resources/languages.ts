/** Languages the bot speaks, as ISO 639-1 codes. The first is the fallback. */
export const SUPPORTED_LANGUAGES = ['en', 'de'] as const;

/** A language the bot speaks. */
export type Language = (typeof SUPPORTED_LANGUAGES)[number];

/** The language used when a locale is missing or not supported. */
export const FALLBACK_LANGUAGE: Language = 'en';

function isLanguage(value: string): value is Language {
  return (SUPPORTED_LANGUAGES as readonly string[]).includes(value);
}

/**
 * The bot's language for a BCP 47 locale such as the activity's `locale` (`de-DE`, `de`, `de_AT`,
 * `EN-us`): its primary language subtag when the bot speaks it, otherwise English. Never throws.
 */
export function languageOf(locale?: string | null): Language {
  const primary = (locale ?? '').trim().toLowerCase().split(/[-_]/)[0] ?? '';
  return isLanguage(primary) ? primary : FALLBACK_LANGUAGE;
}
