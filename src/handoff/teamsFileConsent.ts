import axios from 'axios';
import { type Attachment, type FileConsentCardResponse, type TurnContext } from 'botbuilder';
import {
  FILE_INFO_CARD,
  agentFileConsentContextOf,
  type SignedAgentFileConsentContext,
} from '../channels/outbound/fileConsentCard';
import { fileLinkCard } from '../channels/outbound/renderAgentContent';
import { isRecord } from '../json';
import type { Logger } from '../logger';
import { messagesFor } from '../resources/messages';
import { assertPublicUrlHost, publicOnlyLookup } from '../http/publicAddresses';
import { ChannelFileDownloader } from './channelAttachments';
import type { FileConsentSigning } from './fileConsentSigning';

/**
 * [C] Genesys Cloud sends attachments of at most 25 MB through messaging (docs/genesys-protocol.md
 * §5.7): no agent file is larger, so a larger download is not the agent's file.
 */
export const MAX_AGENT_FILE_BYTES = 25_000_000;

/**
 * [C] A OneDrive upload session takes the bytes in fragments that are multiples of 320 KiB and at most
 * 60 MiB each (Microsoft Graph "Upload large files with an upload session"); 10 × 320 KiB.
 */
export const DEFAULT_FRAGMENT_BYTES = 10 * 320 * 1024;

/** Options of {@link TeamsFileConsent}. */
export interface TeamsFileConsentOptions {
  logger: Logger;
  /** Checks that a card's context is one this bot signed for the invoke's conversation, unexpired. */
  signing: FileConsentSigning;
  /**
   * Also download agent files from, and upload them to, loopback, link-local, private and
   * unspecified addresses (the demo's Genesys simulator serves them on this machine); default
   * false: public addresses only.
   */
  allowPrivateAddresses?: boolean;
  /** Time limit of the download of the agent's file and of each upload request (ms; default 30 s). */
  timeoutMs?: number;
  /** Bytes per upload request; a multiple of 320 KiB (default {@link DEFAULT_FRAGMENT_BYTES}). */
  fragmentBytes?: number;
}

/** The `uploadInfo` of an accepted consent, as the bot needs it. */
interface UploadInfo {
  name: string;
  uploadUrl: string;
  contentUrl: string;
  uniqueId?: string;
  fileType?: string;
}

/**
 * The bot's side of the Teams file consent flow for files from the agent (`docs/bot-framework-channels.md
 * §2.5`): the user answered a file consent card ({@link fileConsentCard}) and Teams sent the
 * `fileConsent/invoke` activity.
 *
 * - Accepted: the agent's file is downloaded from the URL in the card's context, `PUT` to
 *   `uploadInfo.uploadUrl` (a OneDrive upload session, in fragments with `Content-Range`), and the
 *   user gets a file info card of the saved file. A file that cannot be downloaded any more is
 *   explained; an upload that fails is explained with the link as a fallback.
 * - Declined: nothing is uploaded; the user is told the file was not saved and gets the link.
 *
 * Everything needed is in the card's context, so any instance can answer, after any restart. The
 * context comes back from the client: only one this bot signed ({@link FileConsentSigning}) for
 * the invoke's conversation, unexpired, is acted on. Any other (unsigned, altered, signed with
 * another key, from another conversation, expired or malformed) is logged and answered without
 * effect: nothing is downloaded or uploaded and the user is told nothing. The download and the
 * upload (whose URL also comes with the invoke) connect to public internet addresses only unless
 * `allowPrivateAddresses`.
 */
export class TeamsFileConsent {
  private readonly downloader: ChannelFileDownloader;
  private readonly timeoutMs: number;

  constructor(private readonly options: TeamsFileConsentOptions) {
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.downloader = new ChannelFileDownloader({
      maxBytes: MAX_AGENT_FILE_BYTES,
      timeoutMs: this.timeoutMs,
      publicAddressesOnly: options.allowPrivateAddresses !== true,
    });
  }

  /** `fileConsent/invoke` with `action: "accept"`. */
  async accept(context: TurnContext, response: FileConsentCardResponse): Promise<void> {
    const consent = await this.signedConsent(context, response, 'accept');
    const upload = uploadInfoOf(response.uploadInfo);
    if (consent === undefined) return;
    if (upload === undefined) {
      this.options.logger.warn(
        { conversationId: context.activity.conversation.id, hasUploadInfo: false },
        'file consent accepted for a card this bot cannot act on; ignored',
      );
      return;
    }
    const { file } = consent;
    const messages = messagesFor(consent.locale ?? context.activity.locale);
    let bytes: Uint8Array;
    try {
      ({ bytes } = await this.downloader.download({
        url: file.url,
        name: file.name,
        contentType: file.contentType,
        needsBotToken: false,
        agentCanOpen: true,
      }));
    } catch (err) {
      this.options.logger.warn({ err }, "the agent's file could not be downloaded for OneDrive");
      await context.sendActivity(messages.agentFileExpired(file.name));
      return;
    }
    try {
      await this.put(upload.uploadUrl, bytes);
    } catch (err) {
      this.options.logger.warn({ err }, "the agent's file could not be uploaded to the user's OneDrive");
      await context.sendActivity({
        type: 'message',
        text: messages.agentFileNotSaved(file.name),
        attachments: [fileLinkCard(file, messages, consent.locale)],
      });
      return;
    }
    this.options.logger.info({ bytes: bytes.byteLength }, "agent's file saved to the user's OneDrive");
    const info: Attachment = {
      contentType: FILE_INFO_CARD,
      contentUrl: upload.contentUrl,
      name: upload.name,
      content: {
        ...(upload.uniqueId === undefined ? {} : { uniqueId: upload.uniqueId }),
        ...(upload.fileType === undefined ? {} : { fileType: upload.fileType }),
      },
    };
    await context.sendActivity({ type: 'message', attachments: [info] });
  }

  /** `fileConsent/invoke` with `action: "decline"`. */
  async decline(context: TurnContext, response: FileConsentCardResponse): Promise<void> {
    const consent = await this.signedConsent(context, response, 'decline');
    if (consent === undefined) return;
    const messages = messagesFor(consent.locale ?? context.activity.locale);
    await context.sendActivity({
      type: 'message',
      text: messages.agentFileDeclined(consent.file.name),
      attachments: [fileLinkCard(consent.file, messages, consent.locale)],
    });
  }

  /**
   * The card's context when this bot signed it for the invoke's conversation and it has not
   * expired; otherwise logs why (never the URL) and returns undefined.
   */
  private async signedConsent(
    context: TurnContext,
    response: FileConsentCardResponse,
    action: 'accept' | 'decline',
  ): Promise<SignedAgentFileConsentContext | undefined> {
    const conversationId = context.activity.conversation.id;
    const consent = agentFileConsentContextOf(response.context);
    const refusal = consent === undefined ? 'malformed' : await this.options.signing.check(consent, conversationId);
    if (refusal === undefined) return consent;
    this.options.logger.warn(
      { conversationId, refusal },
      `file consent ${action === 'accept' ? 'accepted' : 'declined'} for a card this bot cannot act on; ignored`,
    );
    return undefined;
  }

  /**
   * `PUT`s `bytes` to a OneDrive upload session, one fragment per request with `Content-Length` and
   * `Content-Range: bytes first-last/total`; the session answers 202 until the last fragment, then
   * 200 or 201. Any other answer rejects (the URL is a credential: it is never in the error), as
   * does a host that is or resolves to a non-public address unless `allowPrivateAddresses`.
   */
  private async put(uploadUrl: string, bytes: Uint8Array): Promise<void> {
    const total = bytes.byteLength;
    // An upload session takes no empty file (Genesys sends none either).
    if (total === 0) throw new Error('the file is empty');
    // The URL arrives with the invoke like the context: it is held to public addresses as the download is.
    const guarded = this.options.allowPrivateAddresses !== true;
    if (guarded) assertPublicUrlHost(uploadUrl);
    const fragment = this.options.fragmentBytes ?? DEFAULT_FRAGMENT_BYTES;
    for (let start = 0; start < total; start += fragment) {
      const end = Math.min(start + fragment, total);
      // The URL is a credential: a failure is reported by its code only.
      const status = await axios
        .put(uploadUrl, Buffer.from(bytes.subarray(start, end)), {
          headers: { 'Content-Length': String(end - start), 'Content-Range': `bytes ${start}-${end - 1}/${total}` },
          timeout: this.timeoutMs,
          maxBodyLength: Infinity,
          validateStatus: () => true,
          // An upload session answers without redirects; names are checked as they are resolved.
          maxRedirects: 0,
          ...(guarded ? { lookup: publicOnlyLookup } : {}),
        })
        .then(
          (response) => response.status,
          (err: unknown) => (isRecord(err) && typeof err.code === 'string' ? err.code : 'network error'),
        );
      if (typeof status === 'string') throw new Error(`the upload failed: ${status}`);
      const expected = end === total ? status === 200 || status === 201 : status === 202;
      if (!expected) throw new Error(`the upload answered HTTP ${status} for bytes ${start}-${end - 1}/${total}`);
    }
  }
}

function uploadInfoOf(value: unknown): UploadInfo | undefined {
  if (!isRecord(value)) return undefined;
  const { name, uploadUrl, contentUrl, uniqueId, fileType } = value;
  if (typeof name !== 'string' || typeof uploadUrl !== 'string' || typeof contentUrl !== 'string') return undefined;
  if (!/^https?:\/\//i.test(uploadUrl)) return undefined;
  return {
    name,
    uploadUrl,
    contentUrl,
    ...(typeof uniqueId === 'string' ? { uniqueId } : {}),
    ...(typeof fileType === 'string' ? { fileType } : {}),
  };
}
