import { FALLBACK_LANGUAGE, SUPPORTED_LANGUAGES, languageOf } from '../../src/resources/languages';
import { CATALOGUES, MESSAGES, messagesFor, type Messages } from '../../src/resources/messages';

/** The `{{placeholders}}` of a catalogue text, sorted. */
function placeholders(text: string): string[] {
  return [...text.matchAll(/\{\{\s*([\w.]+)\s*\}\}/g)].map((m) => m[1] ?? '').sort();
}

describe('catalogues', () => {
  const english = CATALOGUES[FALLBACK_LANGUAGE];

  it.each(SUPPORTED_LANGUAGES.filter((l) => l !== FALLBACK_LANGUAGE))(
    '%s has exactly the English keys, with the same placeholders',
    (language) => {
      const catalogue = CATALOGUES[language];
      expect(Object.keys(catalogue).sort()).toEqual(Object.keys(english).sort());
      for (const [key, text] of Object.entries(english)) {
        expect({ key, placeholders: placeholders(catalogue[key] ?? '') }).toEqual({
          key,
          placeholders: placeholders(text),
        });
      }
    },
  );

  it.each(SUPPORTED_LANGUAGES)('%s has no empty text and no text equal to its key', (language) => {
    for (const [key, text] of Object.entries(CATALOGUES[language])) {
      expect({ key, text: text.trim() === '' || text === key }).toEqual({ key, text: false });
    }
  });

  it.each(SUPPORTED_LANGUAGES)('every %s message resolves to catalogue text, never to a key', (language) => {
    const m = messagesFor(language);
    const texts = [
      ...Object.values(m).filter((v: Messages[keyof Messages]): v is string => typeof v === 'string'),
      m.agentJoined('Anna'),
      m.idleWarning(1),
      m.idleWarning(3),
      m.attachmentNote('a.pdf', 'https://x', false),
      m.attachmentNote('a.pdf', 'https://x', true),
      m.agentAttachment('a.pdf'),
      m.agentFileDeclined('a.pdf'),
      m.agentFileNotSaved('a.pdf'),
      m.agentFileExpired('a.pdf'),
      m.slotDuration(30),
      m.sessionExpiring(1),
      m.sessionExpiring(5),
      m.messageNotDeliveredQuoted('order 123'),
    ];
    // Functions with plural forms are called twice (one, other).
    expect(texts).toHaveLength(Object.keys(m).length + 3);
    const keys = new Set(Object.keys(CATALOGUES[language]).map((k) => k.replace(/_(one|other)$/, '')));
    for (const text of texts) {
      expect(keys.has(text)).toBe(false);
      expect(text).not.toMatch(/\{\{/);
    }
  });
});

describe('messagesFor', () => {
  it.each([
    ['de-DE', 'de'],
    ['de', 'de'],
    ['de-AT', 'de'],
    ['DE_ch', 'de'],
    ['en-US', 'en'],
    ['en', 'en'],
    ['fr-FR', 'en'],
    ['', 'en'],
    [undefined, 'en'],
    ['not a locale', 'en'],
  ])('%j speaks %s', (locale, language) => {
    expect(languageOf(locale)).toBe(language);
    expect(messagesFor(locale)).toBe(messagesFor(language));
  });

  it('keeps MESSAGES as the English texts', () => {
    expect(messagesFor('en-GB')).toBe(MESSAGES);
    expect(MESSAGES.talkToAgentAction).toBe('Talk to an agent');
    expect(MESSAGES.agentJoined('Anna')).toBe('You are now chatting with Anna.');
  });

  it('gives German texts to German users', () => {
    const de = messagesFor('de-DE');
    expect(de.talkToAgentAction).toBe('Mit einem Mitarbeiter sprechen');
    expect(de.agentJoined('Anna')).toBe('Sie chatten jetzt mit Anna.');
    expect(de.welcome).not.toBe(MESSAGES.welcome);
  });

  it('uses singular and plural forms', () => {
    expect(MESSAGES.idleWarning(1)).toContain('in 1 minute if');
    expect(MESSAGES.idleWarning(5)).toContain('in 5 minutes if');
    expect(messagesFor('de').idleWarning(1)).toContain('in 1 Minute geschlossen');
    expect(messagesFor('de').idleWarning(2)).toContain('in 2 Minuten geschlossen');
  });

  it('inserts values as they are, without HTML escaping', () => {
    expect(MESSAGES.agentJoined('Anna & <Ben>')).toContain('Anna & <Ben>');
    expect(MESSAGES.attachmentNote('a.pdf', 'https://x/y?a=1&b=2', false)).toBe(
      '[Attachment] a.pdf: https://x/y?a=1&b=2',
    );
    expect(MESSAGES.attachmentNote('a.pdf', 'https://x', true)).toMatch(/signed in/);
  });
});
