import {
  PhraseHandoffRecognizer,
  isCancelRequest,
  isEndChatRequest,
  isHelpRequest,
  recognizeHandoffIntent,
} from '../../src/recognizers/handoffIntentRecognizer';
import { normalizeUtterance } from '../../src/recognizers/phraseModel';
import { messagesFor } from '../../src/resources/messages';

/** Sentences that ask for a person, by locale. */
const MUST_TRANSFER: Record<string, string[]> = {
  'en-US': [
    'can I talk to a human',
    'agent please',
    'I want a real person',
    'speak to someone',
    'agent',
    'Human!',
    'Talk to an agent',
    "I'd like to speak with a representative",
    'connect me to an agent',
    'transfer me to a human please',
    'Put me through to customer service',
    'let me talk to a person',
    'Is there a human I can talk to?',
    'I need to speak to someone about my refund',
    'can I chat with a live agent?',
    'get me a human',
    'I want to speak to your manager',
    'real person please',
    'operator',
    'Could I speak to somebody from customer support?',
    'I need an agent',
    'I want to talk to a real human now',
    'Can you connect me with someone?',
    'are any agents available?',
    "Why can't I talk to a human?",
    'I want a human, not a bot',
    'how do I reach a human',
    'talk to human',
  ],
  'de-DE': [
    'Ich möchte mit einem Mitarbeiter sprechen',
    'Kann ich mit einem Menschen reden?',
    'Mitarbeiter bitte',
    'Mensch',
    'Ich will einen echten Menschen',
    'Verbinden Sie mich bitte mit einem Berater',
    'Mit einem Mitarbeiter sprechen',
    'Ich brauche einen Menschen',
    'Kann ich mit jemandem sprechen?',
    'Gibt es jemanden, mit dem ich sprechen kann?',
    'Ich würde gerne mit dem Kundenservice sprechen',
    'Bitte mit einem echten Menschen verbinden',
    'Können Sie mich mit einem Mitarbeiter verbinden?',
    'Agent bitte',
    'Ich möchte einen Mitarbeiter sprechen',
    'Ich möchte jetzt mit einer echten Person chatten',
    'Echter Mensch bitte',
    'Sind gerade Mitarbeiter verfügbar?',
    'Kundenservice',
    'Darf ich mit einem Berater sprechen?',
    'Ich möchte mit Ihrem Vorgesetzten sprechen',
    'Leiten Sie mich bitte an einen Mitarbeiter weiter',
    'Wie erreiche ich einen Mitarbeiter?',
    'Ich moechte mit einem Mitarbeiter sprechen',
    'can I talk to a human',
  ],
};

/** Sentences that use the same words but do not ask for a person, by locale. */
const MUST_NOT_TRANSFER: Record<string, string[]> = {
  'en-US': [
    'my travel agent booked the wrong flight',
    'the delivery person left my parcel at the wrong door',
    'I talked to an agent yesterday and he promised a refund',
    'I was speaking to someone earlier about my order',
    'is this a human?',
    'are you a real person',
    'am I talking to a bot or a human',
    "I don't want to talk to an agent",
    "I'd rather not speak to a person",
    'my account manager changed my password',
    'the person on the phone was rude',
    'how do I become an agent',
    'I need a person to sign for the delivery',
    'can someone else pick up my order',
    'who is my insurance agent',
    'my agent number is 4411',
    'does the delivery person need a signature',
    'I want my agent to call me',
    'a person at the store told me I could return it',
    'can I add a person to my account',
    'the agent never called me back',
    'my husband wants to speak to me about the order',
    'end',
    'stop',
    'no thanks',
    'what are your opening hours',
    'I need help with my order',
    'human resources sent me here',
  ],
  'de-DE': [
    'Mein Reisebüro-Agent hat den falschen Flug gebucht',
    'Der Mitarbeiter im Laden war unfreundlich',
    'Ich habe gestern mit einem Mitarbeiter gesprochen',
    'Bist du ein Mensch?',
    'Spreche ich mit einem Menschen?',
    'Ich möchte nicht mit einem Mitarbeiter sprechen',
    'Ich will keinen Menschen, nur eine Antwort',
    'Der Paketbote hat mein Paket falsch abgegeben',
    'Wie werde ich Mitarbeiter bei euch?',
    'Mein Versicherungsagent hat angerufen',
    'Ist das ein Bot?',
    'Ende',
    'Stopp',
    'nein danke',
    'Wie sind Ihre Öffnungszeiten?',
    'Ich brauche Hilfe bei meiner Bestellung',
    'Kann jemand anderes mein Paket abholen?',
    'Ich brauche eine Person, die das Paket annimmt',
    'Die Person am Telefon war sehr nett',
    'Mein Berater hat mir das Passwort geändert',
    'Ich habe mit jemandem vom Kundenservice telefoniert',
    'Kann ich eine weitere Person zu meinem Konto hinzufügen?',
    'Der Agent hat mich nie zurückgerufen',
    'Hilfe',
    'my travel agent booked the wrong flight',
  ],
};

describe('phrase model: requests for a person', () => {
  for (const [locale, sentences] of Object.entries(MUST_TRANSFER)) {
    it.each(sentences)(`${locale}: "%s" transfers`, (sentence) => {
      expect(recognizeHandoffIntent(sentence, locale).intent).toBe('handoff');
    });
  }
  for (const [locale, sentences] of Object.entries(MUST_NOT_TRANSFER)) {
    it.each(sentences)(`${locale}: "%s" does not transfer`, (sentence) => {
      expect(recognizeHandoffIntent(sentence, locale).intent).not.toBe('handoff');
    });
  }

  it('has at least 20 sentences each way in each language', () => {
    for (const table of [MUST_TRANSFER, MUST_NOT_TRANSFER]) {
      expect(Object.keys(table).sort()).toEqual(['de-DE', 'en-US']);
      for (const sentences of Object.values(table)) expect(sentences.length).toBeGreaterThanOrEqual(20);
    }
  });

  it('uses English for unknown locales and German only for German ones', () => {
    expect(recognizeHandoffIntent('agent please', 'fr-FR').intent).toBe('handoff');
    expect(recognizeHandoffIntent('agent please').intent).toBe('handoff');
    expect(recognizeHandoffIntent('Ich möchte mit einem Mitarbeiter sprechen', 'de').intent).toBe('handoff');
    expect(recognizeHandoffIntent('Ich möchte mit einem Mitarbeiter sprechen', 'en-GB').intent).toBe('none');
  });

  it('turns a negated request into a refusal', () => {
    expect(recognizeHandoffIntent("I don't want to talk to an agent", 'en')).toEqual({ intent: 'no', score: 0.8 });
    expect(recognizeHandoffIntent('Ich möchte nicht mit einem Mitarbeiter sprechen', 'de').intent).toBe('no');
  });

  it('answers through the asynchronous recognizer interface', async () => {
    await expect(new PhraseHandoffRecognizer().recognize('speak to someone', 'en-US')).resolves.toEqual({
      intent: 'handoff',
      score: 0.9,
    });
    await expect(new PhraseHandoffRecognizer().recognize('   ', 'en-US')).resolves.toEqual({
      intent: 'none',
      score: 0,
    });
  });
});

describe('phrase model: yes and no', () => {
  it.each([
    ['yes', 'en'],
    ['Yes please', 'en'],
    ['yeah', 'en'],
    ['sure, go ahead', 'en'],
    ['ok', 'en'],
    ['Ja', 'de'],
    ['ja bitte', 'de'],
    ['Gerne!', 'de'],
    ['yes', 'de'],
  ])('"%s" (%s) is yes', (text, locale) => {
    expect(recognizeHandoffIntent(text, locale).intent).toBe('yes');
  });

  it.each([
    ['no', 'en'],
    ['no thanks', 'en'],
    ['nope', 'en'],
    ['No, thank you.', 'en'],
    ['nah', 'en'],
    ["I'm good", 'en'],
    ['not now', 'en'],
    ['Nein', 'de'],
    ['nein danke', 'de'],
    ['nö', 'de'],
    ['lieber nicht', 'de'],
    ['no thanks', 'de'],
  ])('"%s" (%s) is no', (text, locale) => {
    expect(recognizeHandoffIntent(text, locale).intent).toBe('no');
  });

  it.each(['yes but what about my order', 'okay so where is my parcel', 'nothing', 'nobody told me', 'note'])(
    '"%s" is neither',
    (text) => {
      expect(['none']).toContain(recognizeHandoffIntent(text, 'en').intent);
    },
  );
});

describe('end and cancel phrases', () => {
  it.each([
    ['end chat', 'en'],
    ['End the chat', 'en'],
    ['stop chat', 'en'],
    ['end this chat please', 'en'],
    ['I want to end the chat', 'en'],
    ['close the conversation', 'en'],
    ['Chat beenden', 'de'],
    ['Den Chat bitte beenden', 'de'],
    ['Beende den Chat', 'de'],
    ['Ich möchte den Chat beenden', 'de'],
    ['end chat', 'de'],
  ])('"%s" (%s) ends a live chat', (text, locale) => {
    expect(isEndChatRequest(text, locale)).toBe(true);
    expect(recognizeHandoffIntent(text, locale).intent).toBe('endChat');
  });

  it.each(['end', 'stop', 'exit', 'quit', 'End.', 'the end', 'end of the month', 'chat', 'Ende', 'Stopp', 'beenden'])(
    '"%s" does not end a live chat',
    (text) => {
      expect(isEndChatRequest(text, 'en')).toBe(false);
      expect(isEndChatRequest(text, 'de')).toBe(false);
    },
  );

  it.each([
    ['cancel', 'en'],
    ['Cancel.', 'en'],
    ['stop waiting', 'en'],
    ['never mind', 'en'],
    ['nevermind', 'en'],
    ["I don't want to wait any longer", 'en'],
    ['abbrechen', 'de'],
    ['Abbrechen bitte', 'de'],
    ['nicht mehr warten', 'de'],
    ['cancel', 'de'],
  ])('"%s" (%s) cancels waiting', (text, locale) => {
    expect(isCancelRequest(text, locale)).toBe(true);
    expect(recognizeHandoffIntent(text, locale).intent).toBe('cancel');
  });

  it.each(['cancel my order', 'how do I cancel an order', 'abbrechen der Bestellung', 'end chat'])(
    '"%s" does not cancel waiting',
    (text) => {
      expect(isCancelRequest(text, 'en')).toBe(false);
      expect(isCancelRequest(text, 'de')).toBe(false);
    },
  );

  it('recognizes every command the bot tells the user to type, in each language', () => {
    for (const locale of ['en', 'de']) {
      const m = messagesFor(locale);
      expect(recognizeHandoffIntent(m.talkToAgentAction, locale).intent).toBe('handoff');
      expect(isEndChatRequest(m.endChatAction, locale)).toBe(true);
      expect(recognizeHandoffIntent(m.yesAction, locale).intent).toBe('yes');
      expect(recognizeHandoffIntent(m.noAction, locale).intent).toBe('no');
      // The words quoted in the texts: „…“ in German, "…" in English.
      const quoted = (text: string): string[] => [...text.matchAll(/["„]([^"“]+)["“]/g)].map((q) => q[1] ?? '');
      expect(quoted(m.help).map((q) => recognizeHandoffIntent(q, locale).intent)).toEqual(['handoff']);
      expect(quoted(m.queued).map((q) => isCancelRequest(q, locale))).toEqual([true]);
      expect(quoted(m.helpConnected).map((q) => isEndChatRequest(q, locale))).toEqual([true]);
    }
  });
});

describe('help requests', () => {
  it.each([
    ['help', 'en'],
    ['Help!', 'en'],
    ['?', 'en'],
    ['what can you do?', 'en'],
    ['Hilfe', 'de'],
    ['Was kannst du?', 'de'],
    ['help', 'de'],
  ])('"%s" (%s) asks for help', (text, locale) => {
    expect(isHelpRequest(text, locale)).toBe(true);
  });

  it.each(['I need help with my order', 'helpful', 'Hilfe', ''])('"%s" (en) does not', (text) => {
    expect(isHelpRequest(text, 'en')).toBe(false);
  });
});

describe('normalizeUtterance', () => {
  it('folds case, apostrophes, umlauts and punctuation', () => {
    expect(normalizeUtterance('  Don’t  STOP!!  Größe: Übel ')).toBe('dont stop groesse uebel');
  });
});
