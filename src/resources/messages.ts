import { createInstance, type TFunction } from 'i18next';
import { SUPPORTED_LANGUAGES, FALLBACK_LANGUAGE, languageOf, type Language } from './languages';
import de from './locales/de.json';
import en from './locales/en.json';

/**
 * Every sentence the bot shows to users, in one language. Texts are short, friendly, and never
 * contain developer detail. Built from the catalogues `src/resources/locales/{language}.json` by
 * {@link messagesFor}.
 */
export interface Messages {
  readonly welcome: string;
  readonly help: string;
  /** Help while a live chat is connected: says how to end it. */
  readonly helpConnected: string;
  readonly talkToAgentAction: string;
  readonly helpAction: string;
  readonly endChatAction: string;
  /** Button titles of the yes/no offer of a person. */
  readonly yesAction: string;
  readonly noAction: string;
  readonly didNotUnderstand: string;
  readonly offerAgent: string;
  /** The answer to "no" after the offer of a person. */
  readonly offerDeclined: string;
  /** The answer to "end chat" when no live chat is open. */
  readonly noChatToEnd: string;
  /** The answer to "cancel" when nothing is waiting. */
  readonly nothingToCancel: string;
  /** The answer to "cancel" during the pre-chat questions. */
  readonly transferCancelled: string;
  readonly agentsNotConfigured: string;
  readonly turnError: string;
  readonly connecting: string;
  readonly queued: string;
  readonly alreadyConnecting: string;
  readonly agentJoined: (name: string) => string;
  readonly agentFallbackName: string;
  readonly agentTransferred: string;
  readonly userEnded: string;
  readonly userCancelled: string;
  readonly agentEnded: string;
  readonly sessionExpired: string;
  readonly queueTimeout: string;
  /** `minutes`: whole minutes left before the idle timeout closes the chat. */
  readonly idleWarning: (minutes: number) => string;
  readonly idleTimeout: string;
  readonly connectionLost: string;
  readonly handoffFailed: string;
  readonly handoffRefused: string;
  readonly messageNotDelivered: string;
  /** The line the agent sees for a file the customer sent. */
  readonly attachmentNote: (name: string, url: string, needsAuth: boolean) => string;
  readonly linkDown: string;
  readonly linkRestored: string;
  readonly sessionExpiring: (minutes: number) => string;
  readonly passedOnWhileWaiting: string;
  readonly messageNotDeliveredQuoted: (quote: string) => string;
  readonly notAnswered: string;
  /** A file from the agent, where the channel shows it as a line (and the Teams file consent card's description). */
  readonly agentAttachment: (name: string) => string;
  /** The button of a file card. */
  readonly openFile: string;
  /** Above the numbered options of a channel without buttons. */
  readonly chooseByNumber: string;
  /** Title of a time slot picker that has none of its own. */
  readonly chooseTime: string;
  /** The length of a time slot, after its start ("30 min"). */
  readonly slotDuration: (minutes: number) => string;
  /** Teams: the user declined the file consent card of an agent's file; a link card follows. */
  readonly agentFileDeclined: (name: string) => string;
  /** Teams: the user accepted an agent's file but saving it to OneDrive failed; a link card follows. */
  readonly agentFileNotSaved: (name: string) => string;
  /** Teams: the user accepted an agent's file that can no longer be fetched. */
  readonly agentFileExpired: (name: string) => string;
  /** A message Genesys refused as too long (Web Messaging 4011): the user can split it. */
  readonly messageTooLongForAgent: string;
  /** A message whose attached details Genesys refused as too large (Web Messaging 4013). */
  readonly messageDetailsTooLarge: string;
  /** A message refused because the agent had already ended the chat (read-only session, 409). */
  readonly messageAfterAgentEnded: string;
  /** A file whose type is not passed on to agents (`HandoffAttachmentTypes`, or refused by Genesys). */
  readonly fileTypeNotAllowed: string;
  /** A file larger than agents accept (`HandoffAttachmentMaxBytes`, or Genesys' limit). */
  readonly fileTooLarge: string;
}

/** A catalogue: message key to text, with i18next `{{placeholders}}` and `_one`/`_other` plurals. */
export type Catalogue = Readonly<Record<string, string>>;

/** The catalogues, by language (`src/resources/locales/{language}.json`). */
export const CATALOGUES: Readonly<Record<Language, Catalogue>> = { en, de };

const i18n = createInstance({
  resources: Object.fromEntries(SUPPORTED_LANGUAGES.map((l) => [l, { translation: CATALOGUES[l] }])),
  supportedLngs: [...SUPPORTED_LANGUAGES],
  lng: FALLBACK_LANGUAGE,
  fallbackLng: FALLBACK_LANGUAGE,
  // Texts go to chat channels as plain text or Markdown, never into HTML.
  interpolation: { escapeValue: false },
  initAsync: false,
  showSupportNotice: false,
});
void i18n.init();

function build(t: TFunction): Messages {
  return {
    welcome: t('welcome'),
    help: t('help'),
    helpConnected: t('helpConnected'),
    talkToAgentAction: t('talkToAgentAction'),
    helpAction: t('helpAction'),
    endChatAction: t('endChatAction'),
    yesAction: t('yesAction'),
    noAction: t('noAction'),
    didNotUnderstand: t('didNotUnderstand'),
    offerAgent: t('offerAgent'),
    offerDeclined: t('offerDeclined'),
    noChatToEnd: t('noChatToEnd'),
    nothingToCancel: t('nothingToCancel'),
    transferCancelled: t('transferCancelled'),
    agentsNotConfigured: t('agentsNotConfigured'),
    turnError: t('turnError'),
    connecting: t('connecting'),
    queued: t('queued'),
    alreadyConnecting: t('alreadyConnecting'),
    agentJoined: (name) => t('agentJoined', { name }),
    agentFallbackName: t('agentFallbackName'),
    agentTransferred: t('agentTransferred'),
    userEnded: t('userEnded'),
    userCancelled: t('userCancelled'),
    agentEnded: t('agentEnded'),
    sessionExpired: t('sessionExpired'),
    queueTimeout: t('queueTimeout'),
    idleWarning: (minutes) => t('idleWarning', { count: minutes }),
    idleTimeout: t('idleTimeout'),
    connectionLost: t('connectionLost'),
    handoffFailed: t('handoffFailed'),
    handoffRefused: t('handoffRefused'),
    messageNotDelivered: t('messageNotDelivered'),
    attachmentNote: (name, url, needsAuth) => t(needsAuth ? 'attachmentNoteSignIn' : 'attachmentNote', { name, url }),
    linkDown: t('linkDown'),
    linkRestored: t('linkRestored'),
    sessionExpiring: (minutes) => t('sessionExpiring', { count: minutes }),
    passedOnWhileWaiting: t('passedOnWhileWaiting'),
    messageNotDeliveredQuoted: (quote) => t('messageNotDeliveredQuoted', { quote }),
    notAnswered: t('notAnswered'),
    agentAttachment: (name) => t('agentAttachment', { name }),
    openFile: t('openFile'),
    chooseByNumber: t('chooseByNumber'),
    chooseTime: t('chooseTime'),
    slotDuration: (minutes) => t('slotDuration', { count: minutes }),
    agentFileDeclined: (name) => t('agentFileDeclined', { name }),
    agentFileNotSaved: (name) => t('agentFileNotSaved', { name }),
    agentFileExpired: (name) => t('agentFileExpired', { name }),
    messageTooLongForAgent: t('messageTooLongForAgent'),
    messageDetailsTooLarge: t('messageDetailsTooLarge'),
    messageAfterAgentEnded: t('messageAfterAgentEnded'),
    fileTypeNotAllowed: t('fileTypeNotAllowed'),
    fileTooLarge: t('fileTooLarge'),
  };
}

function messagesIn(language: Language): Messages {
  return Object.freeze(build(i18n.getFixedT(language)));
}

const BY_LANGUAGE: Readonly<Record<Language, Messages>> = { en: messagesIn('en'), de: messagesIn('de') };

/**
 * The bot's texts in the language of `locale` (BCP 47, usually `context.activity.locale`: `de-DE`
 * and `de` give German); English when the locale is missing or not supported.
 */
export function messagesFor(locale?: string | null): Messages {
  return BY_LANGUAGE[languageOf(locale)];
}

/** The texts in English, the fallback language. */
export const MESSAGES: Messages = BY_LANGUAGE[FALLBACK_LANGUAGE];

/**
 * Lines the agent reads (not the customer), in the contact centre's language: what the relay adds
 * to describe something the customer did that is not plain text.
 */
export const AGENT_TEXTS = {
  /** What the agent reads for a Facebook sticker other than the "like" thumbs-up. */
  sticker: '[Sticker]',
  /** Sent when the customer can no longer be reached on their channel. */
  userUnreachable:
    'The customer is no longer reachable on their chat channel (they left or the channel refused the message). The chat has been ended.',
  /** Sent before the chat is closed on Genesys when the customer ends it (Open Messaging). */
  customerLeft: 'The customer has left the conversation.',
  /** The customer edited a message they sent during the chat. */
  userEdited: (text: string): string => `(edited) ${text}`,
  /** The customer deleted a message they sent during the chat. */
  userDeleted: '(The customer deleted one of their messages.)',
  /** A file the customer sent that this chat cannot carry (no uploads): its name, never its link. */
  userFileNotUploaded: (name: string): string =>
    `[File] The customer sent a file, "${name}", which can't be passed on in this chat. Please ask them to describe it or to send it another way.`,
  /** An attachment the bot cannot link to. */
  userAttachmentWithoutLink: (kind: string): string => `[Attachment] ${kind} (it can't be shown here)`,
} as const;
