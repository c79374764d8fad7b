import { FALLBACK_LANGUAGE, languageOf, type Language } from '../resources/languages';
import { PHRASES, normalizeUtterance, type LanguagePhrases } from './phraseModel';

/** What a message asks of the handoff. */
export type HandoffIntent = 'handoff' | 'endChat' | 'cancel' | 'yes' | 'no' | 'none';

/** A recognized intent and the recognizer's confidence in it, from 0 (none) to 1. */
export interface HandoffRecognition {
  intent: HandoffIntent;
  score: number;
}

/**
 * Decides what a user's message asks of the handoff: a person (`handoff`), ending a live chat
 * (`endChat`), no longer waiting (`cancel`), agreeing or refusing (`yes`/`no`, as the answer to a
 * yes/no question), or none of these (`none`). The dialogs use it for every message while no live
 * chat is open. The default is the {@link PhraseHandoffRecognizer}; a team can pass its own (for
 * example one backed by its NLU service) to the main dialog.
 */
export interface HandoffIntentRecognizer {
  /**
   * @param text the message text as the user typed it
   * @param locale the activity's BCP 47 locale (`de-DE`), when known
   * @throws only on a failure of the recognizer itself (an NLU service call); never for the text
   */
  recognize(text: string, locale?: string): Promise<HandoffRecognition>;
}

const NONE: HandoffRecognition = { intent: 'none', score: 0 };

/** The phrase tables to try for a locale: its language's, then English (widely typed everywhere). */
function tablesFor(locale: string | undefined): LanguagePhrases[] {
  const language: Language = languageOf(locale);
  return language === FALLBACK_LANGUAGE ? [PHRASES[language]] : [PHRASES[language], PHRASES[FALLBACK_LANGUAGE]];
}

function anyMatch(patterns: readonly RegExp[], text: string): boolean {
  return patterns.some((p) => p.test(text));
}

/**
 * Whether `text` asks for a person in one language: a match that is not an identity question
 * ("are you a human?"). `negated` when a negation comes before the request ("I don't want to
 * talk to an agent").
 */
function matchHandoff(table: LanguagePhrases, text: string): 'request' | 'negated' | undefined {
  if (anyMatch(table.notHandoff, text)) return undefined;
  let negated = false;
  for (const pattern of table.handoff) {
    const match = pattern.exec(text);
    if (match === null) continue;
    if (!table.negation.test(text.slice(0, match.index + 1))) return 'request';
    negated = true;
  }
  return negated ? 'negated' : undefined;
}

/** Recognizes `text` (normalised) with one language's phrases. */
function recognizeWith(table: LanguagePhrases, text: string): HandoffRecognition {
  if (anyMatch(table.endChat, text)) return { intent: 'endChat', score: 1 };
  if (anyMatch(table.cancel, text)) return { intent: 'cancel', score: 1 };
  const handoff = matchHandoff(table, text);
  if (handoff === 'request') return { intent: 'handoff', score: 0.9 };
  if (handoff === 'negated') return { intent: 'no', score: 0.8 };
  if (anyMatch(table.no, text)) return { intent: 'no', score: 0.9 };
  if (anyMatch(table.yes, text)) return { intent: 'yes', score: 0.9 };
  return NONE;
}

/**
 * Recognizes a message with the phrase model (`src/recognizers/phraseModel.ts`) of the locale's
 * language, then of English; synchronous. Unknown locales use English.
 */
export function recognizeHandoffIntent(text: string, locale?: string): HandoffRecognition {
  const normalized = normalizeUtterance(text);
  if (normalized === '') return NONE;
  for (const table of tablesFor(locale)) {
    const result = recognizeWith(table, normalized);
    if (result.intent !== 'none') return result;
  }
  return NONE;
}

/** The built-in {@link HandoffIntentRecognizer}: the phrase model, no network, no training. */
export class PhraseHandoffRecognizer implements HandoffIntentRecognizer {
  recognize(text: string, locale?: string): Promise<HandoffRecognition> {
    return Promise.resolve(recognizeHandoffIntent(text, locale));
  }
}

/**
 * True when the whole message asks to end a live chat ("end chat", "end the chat", "stop chat",
 * "Chat beenden"). Bare "end", "stop" or "exit" are not: a customer can type them as an answer
 * to the agent.
 */
export function isEndChatRequest(text: string, locale?: string): boolean {
  const normalized = normalizeUtterance(text);
  return normalized !== '' && tablesFor(locale).some((t) => anyMatch(t.endChat, normalized));
}

/** True when the whole message asks to stop waiting for an agent ("cancel", "stop waiting", "abbrechen"). */
export function isCancelRequest(text: string, locale?: string): boolean {
  const normalized = normalizeUtterance(text);
  return normalized !== '' && tablesFor(locale).some((t) => anyMatch(t.cancel, normalized));
}

/** True when the whole message asks what the bot can do ("help", "?", "menu", "Hilfe", "was kannst du?"). */
export function isHelpRequest(text: string, locale?: string): boolean {
  if (text.trim() === '?') return true;
  const normalized = normalizeUtterance(text);
  return normalized !== '' && tablesFor(locale).some((t) => anyMatch(t.help, normalized));
}
