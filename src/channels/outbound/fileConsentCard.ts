import type { Attachment } from 'botbuilder';
import type { ContentAttachment } from '../../content/content';
import { isRecord } from '../../json';
import type { Messages } from '../../resources/messages';

/** Content type of a Teams file consent card (`docs/bot-framework-channels.md §2.5`). */
export const FILE_CONSENT_CARD = 'application/vnd.microsoft.teams.card.file.consent';
/** Content type of a Teams file info card: a file in the user's OneDrive (§2.5). */
export const FILE_INFO_CARD = 'application/vnd.microsoft.teams.card.file.info';

/**
 * What a file consent card carries back to the bot in `acceptContext` / `declineContext` (Teams
 * returns it as the `fileConsent/invoke` activity's `value.context`): everything needed to finish
 * the flow on any instance, after any restart, without stored state.
 */
export interface AgentFileConsentContext {
  kind: 'agentFile';
  /** The agent's file: name, MIME type, download URL (Genesys: presigned, it expires) and size. */
  file: ContentAttachment;
  /** The user's locale (BCP 47) when known: the language of what the bot says about the file. */
  locale?: string;
}

/**
 * An {@link AgentFileConsentContext} as the card carries it: signed by the bot, because the client
 * sends it back and the bot downloads the file it names (`src/handoff/fileConsentSigning.ts`).
 */
export interface SignedAgentFileConsentContext extends AgentFileConsentContext {
  /** The Bot Framework conversation the card was sent to; only an answer from it is taken. */
  conversationId: string;
  /** When the signature stops being accepted (epoch ms). */
  expiresAt: number;
  /** HMAC-SHA256 of the other fields, base64url. */
  signature: string;
}

/** Signs the context of one file consent card (the conversation it goes to is the signer's). */
export type FileConsentContextSigner = (context: AgentFileConsentContext) => SignedAgentFileConsentContext;

/**
 * A Teams file consent card offering the agent's `file` (description "The agent sent a file: …" in
 * the user's language; `sizeInBytes` when Genesys gave the size), its context signed by `sign`.
 * Accepting makes Teams ask the bot to upload the file to the user's OneDrive; declining tells the
 * bot so.
 */
export function fileConsentCard(
  file: ContentAttachment,
  messages: Messages,
  locale: string | undefined,
  sign: FileConsentContextSigner,
): Attachment {
  const context = sign({
    kind: 'agentFile',
    file: {
      name: file.name,
      contentType: file.contentType,
      url: file.url,
      ...(isByteCount(file.size) ? { size: file.size } : {}),
    },
    ...(locale === undefined || locale === '' ? {} : { locale }),
  });
  return {
    contentType: FILE_CONSENT_CARD,
    name: file.name,
    content: {
      description: messages.agentAttachment(file.name),
      ...(file.size === undefined ? {} : { sizeInBytes: file.size }),
      acceptContext: context,
      declineContext: context,
    },
  };
}

/**
 * The context of a file consent card, read back from an invoke's `value.context` (its signature
 * not yet checked), or undefined when it is not one: a card of another app version, an unsigned
 * context, or anything malformed.
 */
export function agentFileConsentContextOf(value: unknown): SignedAgentFileConsentContext | undefined {
  if (!isRecord(value) || value.kind !== 'agentFile' || !isRecord(value.file)) return undefined;
  const { name, contentType, url, size } = value.file;
  if (typeof name !== 'string' || name === '' || typeof contentType !== 'string' || typeof url !== 'string')
    return undefined;
  if (!/^https?:\/\//i.test(url)) return undefined;
  const { conversationId, expiresAt, signature } = value;
  if (typeof conversationId !== 'string' || typeof signature !== 'string') return undefined;
  if (typeof expiresAt !== 'number' || !Number.isSafeInteger(expiresAt)) return undefined;
  if (size !== undefined && !isByteCount(size)) return undefined;
  const file: ContentAttachment = { name, contentType, url };
  if (size !== undefined) file.size = size;
  return {
    kind: 'agentFile',
    file,
    ...(typeof value.locale === 'string' && value.locale !== '' ? { locale: value.locale } : {}),
    conversationId,
    expiresAt,
    signature,
  };
}

function isByteCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}
