import type { Language } from '../resources/languages';

/**
 * The phrase model behind {@link PhraseHandoffRecognizer}: per language, regular expressions over
 * a normalised message ({@link normalizeUtterance}). A request for a person must have the shape of a
 * request ("can I talk to a human", "agent please"); a noun such as "agent" or "person" inside an
 * unrelated sentence ("my travel agent booked the wrong flight") matches nothing.
 */
export interface LanguagePhrases {
  /** Requests for a person. */
  readonly handoff: readonly RegExp[];
  /** Questions about who is answering ("are you a human?"): never a request, checked first. */
  readonly notHandoff: readonly RegExp[];
  /** A negation before a request turns it into a refusal ("I don't want to talk to an agent"). */
  readonly negation: RegExp;
  /** Requests to end a live chat. Whole message only: bare "end" or "stop" never match. */
  readonly endChat: readonly RegExp[];
  /** Requests to stop waiting for an agent. Whole message only. */
  readonly cancel: readonly RegExp[];
  /** Asking what the bot can do. Whole message only. */
  readonly help: readonly RegExp[];
  /** Agreement, as the answer to a yes/no question. Whole message only. */
  readonly yes: readonly RegExp[];
  /** Refusal, as the answer to a yes/no question (matches the start of the message). */
  readonly no: readonly RegExp[];
}

/**
 * Lower case, typographic quotes and apostrophes removed ("don't" becomes "dont"), German umlauts
 * and ß folded to ae/oe/ue/ss, every other run of punctuation or space turned into one space.
 */
export function normalizeUtterance(text: string): string {
  return text
    .normalize('NFKC')
    .toLowerCase()
    .replace(/ä/g, 'ae')
    .replace(/ö/g, 'oe')
    .replace(/ü/g, 'ue')
    .replace(/ß/g, 'ss')
    .replace(/['’‘`´]/g, '')
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

/** Builds a case-sensitive regular expression from parts (the text is already lower case). */
function re(...parts: string[]): RegExp {
  return new RegExp(parts.join(''));
}

/** Zero or more of `words`, each followed by a space. */
function many(words: string): string {
  return `(?:(?:${words}) )*`;
}

// ----- English -----

const EN_POLITE = 'please|pls|plz|now|right now|asap|thanks|thank you|thx|hi|hello|hey|ok|okay|immediately';
const EN_DET = 'a|an|the|some|any|your|one of your|one of the|a member of your';
const EN_ADJ =
  'real|live|actual|human|proper|other|another|customer service|customer support|support|service|sales|technical';
const EN_PEOPLE =
  'agents?|humans?|human beings?|persons?|people|representatives?|reps?|operators?|advisors?|advisers?|' +
  'consultants?|supervisors?|managers?|staff members?|members? of staff|staff|team members?|employees?|' +
  'someone|somebody|anyone|anybody';
const EN_TEAMS =
  'customer service|customer services|customer support|customer care|support team|support|service desk|help ?desk';
const EN_TARGET = `(?:(?:${EN_DET}) )?${many(EN_ADJ)}(?:${EN_PEOPLE}|${EN_TEAMS})\\b`;
const EN_TAIL =
  'please|pls|now|right now|asap|thanks|thank you|immediately|instead|on the (?:line|phone)|' +
  'to (?:talk|speak|chat) (?:to|with)|to help(?: me)?|who can help(?: me)?|' +
  'not (?:a |this |the |some )?(?:bot|chatbot|robot|machine|computer)';
const EN_CHAT = '(?:live )?(?:chat|conversation|session)';

const english: LanguagePhrases = {
  handoff: [
    // "agent", "agent please", "a real person please", "live agent"
    re(
      `^${many(EN_POLITE)}(?:(?:${EN_DET}) )?${many(EN_ADJ)}`,
      `(?:agents?|humans?|human being|person|representative|rep|operator|customer service|customer support)`,
      `(?: (?:${EN_POLITE}))*$`,
    ),
    // "can I talk to a human", "I want to speak with someone about my order", "talk to an agent"
    re(
      `(?:^|\\b(?:to|i|we|me|please|pls|just|rather|and|so|or|but) )(?:talk|speak|chat) (?:directly )?(?:to|with) `,
      EN_TARGET,
    ),
    // "connect me to an agent", "put me through to customer service", "escalate this to a manager"
    re(
      `\\b(?:connect|transfer|put|pass|forward|hand|redirect|send|switch|escalate) (?:me|us|this|this chat|my chat|my case) `,
      `(?:(?:through|over|on|directly) )?(?:to|with) `,
      EN_TARGET,
    ),
    // "get me a human", "give me a real person please"
    re(`\\b(?:get|give|find) me (?:(?:${EN_DET}) )?${many(EN_ADJ)}(?:${EN_PEOPLE})(?: (?:${EN_TAIL}))*$`),
    // "I want a real person", "I need an agent now", "I'd like to get a human"
    re(
      `\\b(?:i|we) (?:really )?(?:want|need|would like|d like|wanna|require|demand|would prefer|d prefer|prefer) `,
      `(?:to (?:have|get|see) )?(?:(?:${EN_DET}) )?${many(EN_ADJ)}(?:${EN_PEOPLE}|customer service)(?: (?:${EN_TAIL}))*$`,
    ),
    // "is there a human I can talk to", "is there someone who I could speak with"
    re(`\\bis there ${EN_TARGET} (?:(?:that|who) )?(?:i|we) (?:can|could|may) (?:talk|speak|chat)\\b`),
    re(`^is there (?:a|an|any) ${many(EN_ADJ)}(?:human|person|agent|operator)(?: (?:here|available|around|online))?$`),
    // "are any agents available?"
    re(
      `\\b(?:are|is) (?:there )?(?:any|an?) ${many(EN_ADJ)}(?:agents?|humans?|people|representatives?|operators?|persons?) `,
      `(?:available|online|free|around)\\b`,
    ),
    // "how do I reach a human", "can I contact customer service"
    re(
      `\\b(?:how (?:do|can|could) (?:i|we)|can (?:i|we)|could (?:i|we)|let me|(?:i|we) (?:want|need|would like|d like) to) `,
      `(?:reach|contact|get hold of|get through to) `,
      EN_TARGET,
    ),
  ],
  notHandoff: [
    /^(?:are|r) (?:you|u)\b/,
    /^(?:am i|are we) (?:really )?(?:talking|chatting|speaking|texting|writing)\b/,
    /^(?:is|are) (?:this|that|it|these|you) (?:(?:a|an|the) )?(?:(?:real|actual) )?(?:human|person|bot|robot|machine|agent|computer)\b/,
    /^(?:who|what) (?:am i|are you)\b/,
  ],
  negation: /\b(?:not|dont|never|no need|without|doesnt|didnt|nobody|noone|no one)\b/,
  endChat: [
    re(
      `^(?:please )?(?:(?:i )?(?:want|would like|d like|wanna|need) to |(?:can|could) (?:you|i|we) (?:please )?|let me |lets |pls )?`,
      `(?:end|stop|close|leave|quit|exit|finish|terminate|disconnect) (?:(?:the|this|my|our) )?${EN_CHAT}`,
      `(?: with (?:the )?(?:agent|person|human))?(?: (?:please|now|thanks|thank you))*$`,
    ),
  ],
  cancel: [
    re(
      `^(?:please )?(?:cancel|stop|stop waiting|never mind|nevermind|nvm|forget it|dont connect me|`,
      `cancel (?:that|it|this|waiting|my request|the (?:chat|request|transfer|call))|`,
      `i (?:dont|do not) want to wait(?: (?:anymore|any more|any longer))?)`,
      `(?: (?:please|thanks|thank you|then))*$`,
    ),
  ],
  help: [/^(?:help|menu|what can you do|what can i ask|what do you do)(?: (?:please|me))?$/],
  yes: [
    re(
      `^(?:(?:thanks|thank you|thx|then|oh|well|um) )*`,
      `(?:yes|yeah|yea|yep|yup|ya|yah|y|sure|ok|okay|k|please|pls|plz|of course|absolutely|definitely|certainly|`,
      `go ahead|do it|please do|sounds good|that would be great|that would help|i would like that|id like that|why not|`,
      `alright|all right|fine|connect me|yes please)`,
      `(?: (?:yes|yeah|yep|sure|ok|okay|please|pls|thanks|thank you|thx|then|go ahead|do it|definitely|absolutely))*$`,
    ),
  ],
  no: [
    /^(?:no|nope|nah|naw|n|no way|no thanks|no thank you|no need|not now|not really|not yet|not at all|not necessary|not needed)\b/,
    /^(?:im|i am) (?:good|fine|ok|okay|all right|alright)\b/,
    /^(?:i )?(?:dont|do not)\b/,
    /^(?:thats|that is|its) (?:ok|okay|fine|all right|alright)\b/,
    /^all good\b/,
  ],
};

// ----- German (folded: ä → ae, ö → oe, ü → ue, ß → ss) -----

const DE_POLITE = 'bitte|jetzt|sofort|danke|hallo|hi|gerne?|schnell|dringend';
const DE_DET = 'einem|einer|einen|eine|ein|dem|der|den|die|das|ihrem|ihrer|ihren|ihre|eurem|eurer|euren|deinem|deiner';
const DE_ADJ =
  'echte[nmrs]?|richtige[nmrs]?|reale[nmrs]?|menschliche[nmrs]?|lebende[nmrs]?|lebendige[nmrs]?|' +
  'persoenliche[nmrs]?|zustaendige[nmrs]?|andere[nmrs]?|live';
const DE_PEOPLE =
  'mitarbeiter(?:in|innen|s)?|mitarbeitende[nr]?|menschen?|person(?:en)?|agent(?:en|in)?|berater(?:in|n)?|' +
  'kundenberater(?:in|n)?|ansprechpartner(?:in|n)?|servicemitarbeiter(?:in|n)?|supportmitarbeiter(?:in|n)?|' +
  'kundenbetreuer(?:in|n)?|betreuer(?:in|n)?|operator|vorgesetzten?|chef|manager(?:in)?|jemand(?:em|en)?';
const DE_TEAMS = 'kundenservice|kundendienst|kundenbetreuung|support|service|hotline|servicecenter|service team';
const DE_TARGET = `(?:(?:${DE_DET}) )?${many(DE_ADJ)}(?:${DE_PEOPLE}|${DE_TEAMS})\\b`;
const DE_CHAT = '(?:live )?(?:chat|gespraech|unterhaltung|konversation)';

const german: LanguagePhrases = {
  handoff: [
    // "Mitarbeiter", "Mitarbeiter bitte", "einen echten Menschen bitte", "Kundenservice"
    re(
      `^${many(DE_POLITE)}(?:(?:${DE_DET}) )?${many(DE_ADJ)}`,
      `(?:mitarbeiter(?:in)?|mensch(?:en)?|agent(?:in)?|berater(?:in)?|kundenberater(?:in)?|ansprechpartner(?:in)?|`,
      `servicemitarbeiter(?:in)?|kundenservice|kundendienst|operator|person)`,
      `(?: (?:${DE_POLITE}))*$`,
    ),
    // "Ich möchte mit einem Mitarbeiter sprechen", "Kann ich mit jemandem reden?"
    re(
      `\\bmit ${DE_TARGET}(?: \\S+){0,4} `,
      `(?:sprechen|reden|chatten|schreiben|verbunden|verbinden|telefonieren|kommunizieren)\\b`,
    ),
    // "Kann ich sprechen mit einem Mitarbeiter"
    re(
      `(?:^|\\b(?:ich|wir|bitte|gerne?|kann|koennte|darf|moechte|will|mal) )(?:sprechen|reden|chatten) mit `,
      DE_TARGET,
    ),
    // "Verbinden Sie mich mit einem Berater", "Können Sie mich mit dem Kundenservice verbinden?"
    re(`\\bverbinde[nt]? (?:sie |du )?mich ${many('bitte|gerne?|jetzt|sofort')}(?:mit|zu) `, DE_TARGET),
    // "Leiten Sie mich bitte an einen Mitarbeiter weiter"
    re(
      `\\bmich ${many('bitte|gerne?|jetzt|sofort')}(?:mit|zu|an) ${DE_TARGET}(?: \\S+){0,2} `,
      `(?:verbinden|weiterleiten|weiter|durchstellen)\\b`,
    ),
    re(`\\b(?:weiterleiten|durchstellen|verbinden) (?:zu|an|mit) `, DE_TARGET),
    // "Ich will einen echten Menschen", "Ich möchte einen Mitarbeiter sprechen"
    re(
      `\\b(?:will|moechte|moechten|brauche|brauchen|haette|haetten|wuerde|wuerden|benoetige|verlange|suche) `,
      many('gerne?|bitte|jetzt|sofort|lieber|doch'),
      `(?:${DE_DET}) ${many(DE_ADJ)}(?:${DE_PEOPLE})`,
      `(?: (?:bitte|jetzt|sofort|sprechen|haben|danke|dringend))*$`,
    ),
    // "Gibt es jemanden, mit dem ich sprechen kann?"
    re(`\\bgibt es (?:hier )?${DE_TARGET}.*\\b(?:sprechen|reden|chatten|schreiben)\\b`),
    re(`^gibt es (?:hier )?(?:(?:${DE_DET}) )?${many(DE_ADJ)}(?:menschen|mitarbeiter|person)(?: hier)?$`),
    // "Sind gerade Mitarbeiter verfügbar?", "Ist jemand da?"
    re(
      `\\b(?:ist|sind) (?:gerade |jetzt |heute |hier )?(?:(?:${DE_DET}) )?${many(DE_ADJ)}`,
      `(?:mitarbeiter(?:innen)?|agenten|berater(?:innen)?|menschen|jemand) (?:verfuegbar|erreichbar|online|frei|da)\\b`,
    ),
    // "Wie erreiche ich einen Mitarbeiter?"
    re(`\\bwie (?:kann ich |koennen wir )?(?:erreiche|erreichen|kontaktiere|kontaktieren) (?:ich |wir )?`, DE_TARGET),
  ],
  notHandoff: [
    /^(?:bist du|sind sie|seid ihr)\b/,
    /^(?:spreche|rede|chatte|schreibe) ich (?:gerade |hier )?mit\b/,
    /^ist (?:das|dies|hier) (?:ein |eine )?(?:echte[rn]? )?(?:mensch|bot|chatbot|roboter|maschine|person|mitarbeiter)\b/,
  ],
  negation: /\b(?:nicht|kein|keine|keinen|keinem|keiner|nie|niemals|ohne|niemand|niemanden|niemandem)\b/,
  endChat: [
    re(
      `^(?:bitte )?(?:(?:den|diesen|das|die) )?${DE_CHAT} (?:bitte |jetzt )*(?:beenden|schliessen|verlassen)`,
      `(?: (?:bitte|danke))*$`,
    ),
    re(
      `^(?:bitte )?(?:beende|beenden|schliesse|schliess|schliessen) (?:sie |du )?(?:bitte )?(?:(?:den|diesen|das|die) )?`,
      `${DE_CHAT}(?: (?:bitte|jetzt|danke))*$`,
    ),
    re(
      `^(?:ich )?(?:moechte|will|wuerde) (?:gerne? )?(?:(?:den|diesen|das|die) )?${DE_CHAT} (?:jetzt |bitte )*beenden`,
      `(?: (?:bitte|danke))*$`,
    ),
  ],
  cancel: [
    re(
      `^(?:bitte )?(?:abbrechen|abbruch|stopp|stop|nicht mehr warten|warten abbrechen|anfrage abbrechen|vergiss es|`,
      `vergessen sie es|egal|doch nicht|schon gut|(?:ich )?(?:will|moechte) nicht (?:mehr|laenger) warten)`,
      `(?: (?:bitte|danke))*$`,
    ),
  ],
  help: [/^(?:hilfe|menue|was kannst du|was koennen sie|was kann ich fragen)(?: bitte)?$/],
  yes: [
    re(
      `^(?:(?:oh|na|also|ja) )*`,
      `(?:ja|jap|jo|jawohl|jup|gerne?|klar|sicher|ok|okay|bitte|natuerlich|auf jeden fall|selbstverstaendlich|`,
      `genau|gut|einverstanden|mach das|machen sie das|verbinden sie mich|verbinde mich|ja bitte)`,
      `(?: (?:ja|gerne?|bitte|danke|doch|klar|sicher|ok|okay|natuerlich))*$`,
    ),
  ],
  no: [
    /^(?:nein|nee|ne|noe|nope|noe danke|nicht noetig|nicht jetzt|jetzt nicht|lieber nicht|kein bedarf|danke nein|nicht notwendig|passt schon|alles gut)\b/,
    /^(?:ich )?(?:brauche|moechte|will) (?:ich )?(?:das )?(?:nicht|keinen|keine)\b/,
  ],
};

/** The phrase tables, by language. */
export const PHRASES: Readonly<Record<Language, LanguagePhrases>> = { en: english, de: german };
