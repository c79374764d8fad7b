import axios from 'axios';
import type { Activity, Attachment } from 'botbuilder';
import { lookup } from 'mime-types';
import { PrivateAddressError, assertPublicHost, assertPublicUrlHost, publicOnlyLookup } from '../http/publicAddresses';
import { isRecord } from '../json';

/**
 * Files a user sends on their channel, on their way to the agent: which attachments are files
 * ({@link channelFilesOf}), whether a file may be passed on ({@link checkFile}), and the download with
 * the bot's own Bot Framework token where the channel requires it ({@link ChannelFileDownloader}).
 */

/** Teams' attachment of a file sent in personal scope (`docs/bot-framework-channels.md §2.3`). */
export const TEAMS_FILE_DOWNLOAD_INFO = 'application/vnd.microsoft.teams.file.download.info';

/** A file the user sent, as kept in the outbox until it is sent (a reference, never the bytes). */
export interface ChannelFile {
  /** Where to download it: an http(s) URL or a `data:` URL. */
  url: string;
  /** File name with its extension (derived from the type when the channel gives none). */
  name: string;
  /** MIME type as the channel says; `image/*` when only the kind is known (the download tells). */
  contentType: string;
  /** True when the URL only opens with the bot's own token (Teams `/v3/attachments/...`). */
  needsBotToken: boolean;
  /** True when an agent could open the URL as it is (a public http(s) link): the fallback when no upload happens. */
  agentCanOpen: boolean;
}

/** Channels whose attachment URLs only open with the bot's or the customer's credentials. */
export const AUTH_ATTACHMENT_CHANNELS: ReadonlySet<string> = new Set(['msteams', 'skype', 'directline', 'webchat']);

/** True when an agent's browser could not open `url` of a file sent on `channelId` (it needs credentials). */
export function linkNeedsAuth(url: string, channelId: string): boolean {
  return AUTH_ATTACHMENT_CHANNELS.has(channelId) || /botframework\.com|trafficmanager\.net/.test(url);
}

/** The allow-list of files passed on to the agent (settings `HandoffAttachmentTypes`, `HandoffAttachmentMaxBytes`). */
export interface AttachmentPolicy {
  /** Allowed MIME types; `image/*` allows every image type. */
  allowedTypes: readonly string[];
  /** Largest file, in bytes. */
  maxBytes: number;
}

/** Default allowed types: common images, PDF and plain text. */
export const DEFAULT_ATTACHMENT_TYPES: readonly string[] = [
  'image/png',
  'image/jpeg',
  'image/gif',
  'image/webp',
  'application/pdf',
  'text/plain',
];
/** Default largest file: 10 MB, Genesys' Web Messaging limit (`docs/genesys-protocol.md §5.7`). */
export const DEFAULT_ATTACHMENT_MAX_BYTES = 10_000_000;

/** Why a file is not passed on (a key of `Messages`, src/resources/messages.ts). */
export type FileRefusal = 'fileTypeNotAllowed' | 'fileTooLarge';

/** A downloaded file. */
export interface DownloadedFile {
  bytes: Uint8Array;
  /** The type the download reported when the channel only said `image/*`, else the channel's. */
  contentType: string;
}

/** A download that did not give the file; `refusal` when it was too large. */
export class FileDownloadError extends Error {
  constructor(
    message: string,
    readonly refusal?: FileRefusal,
  ) {
    super(message);
    this.name = 'FileDownloadError';
  }
}

/** Hosts of Bot Framework and Teams attachment services, whose URLs need the bot's token. */
const BOT_FRAMEWORK_HOSTS = /(^|\.)(botframework\.com|trafficmanager\.net|botframework\.azure\.us)$/i;

/**
 * The files of a user's activity, in order. Shapes channels really send: Teams' file download info
 * (`content.downloadUrl`, pre-authorised), Teams inline images and newer payloads
 * (`content.downloadUrl` or `contentUrl` under `/v3/attachments/`, which need the bot's token),
 * Direct Line / Web Chat / Emulator uploads (`contentUrl`: http(s) or `data:` URL). Teams' `text/html`
 * copy of the text, cards, and Facebook stickers (`channelData.message.sticker_id`) are not files.
 */
export function channelFilesOf(activity: Partial<Activity>): ChannelFile[] {
  if (isSticker(activity)) return [];
  const serviceUrl = typeof activity.serviceUrl === 'string' ? activity.serviceUrl : '';
  const files: ChannelFile[] = [];
  for (const attachment of activity.attachments ?? []) {
    const file = fileOf(attachment, serviceUrl, activity.channelId ?? '');
    if (file !== undefined) files.push(file);
  }
  return files;
}

/** The attachments of `activity` that {@link channelFilesOf} takes as files. */
export function isChannelFile(attachment: Attachment, activity: Partial<Activity>): boolean {
  return !isSticker(activity) && fileOf(attachment, '', '') !== undefined;
}

function fileOf(attachment: Attachment, serviceUrl: string, channelId: string): ChannelFile | undefined {
  const content: unknown = attachment.content;
  const downloadUrl = isRecord(content) && typeof content.downloadUrl === 'string' ? content.downloadUrl : '';
  if (attachment.contentType === TEAMS_FILE_DOWNLOAD_INFO) {
    if (downloadUrl === '') return undefined;
    const fileType = isRecord(content) && typeof content.fileType === 'string' ? content.fileType : '';
    const name = attachment.name ?? (fileType === '' ? 'file' : `file.${fileType}`);
    // The download URL is a pre-authorised OneDrive/SharePoint link.
    return { url: downloadUrl, name, contentType: typeOf(name), needsBotToken: false, agentCanOpen: false };
  }
  const url = downloadUrl !== '' ? downloadUrl : (attachment.contentUrl ?? '');
  if (url === '' || attachment.contentType === 'text/html') return undefined;
  if (!/^(https?:|data:)/i.test(url)) return undefined;
  const contentType = attachment.contentType === '' ? typeOf(attachment.name ?? '') : attachment.contentType;
  const name = attachment.name ?? defaultName(contentType);
  const tokenNeeded = needsBotToken(url, serviceUrl);
  const agentCanOpen = !tokenNeeded && /^https?:/i.test(url) && !linkNeedsAuth(url, channelId);
  return { url, name, contentType, needsBotToken: tokenNeeded, agentCanOpen };
}

/** True for URLs of the channel's own attachment service (the activity's `serviceUrl` host, Bot Framework hosts). */
function needsBotToken(url: string, serviceUrl: string): boolean {
  if (url.startsWith('data:')) return false;
  try {
    const parsed = new URL(url);
    if (BOT_FRAMEWORK_HOSTS.test(parsed.hostname)) return true;
    return (
      serviceUrl !== '' && parsed.origin === new URL(serviceUrl).origin && parsed.pathname.includes('/v3/attachments/')
    );
  } catch {
    // Not a URL the platform can parse: it is not downloaded with the token either.
    return false;
  }
}

/** `undefined` when `file` may be passed on, else why not. `size` in bytes when known. */
export function checkFile(policy: AttachmentPolicy, contentType: string, size?: number): FileRefusal | undefined {
  const type = contentType.toLowerCase();
  const major = type.split('/')[0] ?? '';
  const allowed = policy.allowedTypes.some((t) => {
    const allowedType = t.toLowerCase();
    return allowedType === type || (allowedType.endsWith('/*') && allowedType.slice(0, -2) === major);
  });
  if (!allowed) return 'fileTypeNotAllowed';
  if (size !== undefined && size > policy.maxBytes) return 'fileTooLarge';
  return undefined;
}

/** Options of {@link ChannelFileDownloader}. */
export interface ChannelFileDownloaderOptions {
  /**
   * The bot's Bot Framework token (client credentials, scope `https://api.botframework.com/.default`),
   * or undefined without an app id (the Emulator and local runs send no token).
   */
  botToken?: () => Promise<string | undefined>;
  /** Largest download, in bytes: a larger file fails with the refusal `fileTooLarge`. */
  maxBytes: number;
  /** Time limit of one download (ms). */
  timeoutMs: number;
  /**
   * Connect only to public internet addresses, redirects included (`src/http/publicAddresses.ts`): a
   * URL whose host is or resolves to a loopback, link-local, private or unspecified address fails.
   * For URLs that reach the bot from outside; default false. Through an HTTP proxy set in the
   * environment the proxy resolves names, so only address literals are checked.
   */
  publicAddressesOnly?: boolean;
}

/** Downloads the files users send, with the bot's token where the channel requires it. */
export class ChannelFileDownloader {
  constructor(private readonly options: ChannelFileDownloaderOptions) {}

  /** The file's bytes; rejects with a {@link FileDownloadError} (never with the URL or the token in it). */
  async download(file: ChannelFile): Promise<DownloadedFile> {
    if (file.url.startsWith('data:')) return this.fromDataUrl(file);
    const token = file.needsBotToken ? await this.options.botToken?.() : undefined;
    const guarded = this.options.publicAddressesOnly === true;
    let response;
    try {
      if (guarded) assertPublicUrlHost(file.url);
      response = await axios.get<ArrayBuffer>(file.url, {
        responseType: 'arraybuffer',
        headers: token === undefined ? {} : { Authorization: `Bearer ${token}` },
        timeout: this.options.timeoutMs,
        maxContentLength: this.options.maxBytes,
        maxRedirects: 5,
        validateStatus: () => true,
        // Names are checked as they are resolved, address literals before each request.
        ...(guarded
          ? {
              lookup: publicOnlyLookup,
              beforeRedirect: (options: Record<string, unknown>) => {
                if (typeof options.hostname === 'string') assertPublicHost(options.hostname);
              },
            }
          : {}),
      });
    } catch (err) {
      if (err instanceof PrivateAddressError || (isRecord(err) && err.code === 'EPRIVATEADDRESS'))
        throw new FileDownloadError('the download was refused: the host is not a public internet address');
      const tooLarge = err instanceof Error && /maxContentLength/.test(err.message);
      throw new FileDownloadError(
        tooLarge ? 'the file is larger than allowed' : `the download failed: ${codeOf(err)}`,
        tooLarge ? 'fileTooLarge' : undefined,
      );
    }
    if (response.status < 200 || response.status >= 300)
      throw new FileDownloadError(`the download answered HTTP ${response.status}`);
    const reported = response.headers['content-type'];
    const header = typeof reported === 'string' ? (reported.split(';')[0]?.trim() ?? '') : '';
    return { bytes: new Uint8Array(response.data), contentType: resolvedType(file.contentType, header) };
  }

  private fromDataUrl(file: ChannelFile): DownloadedFile {
    const match = /^data:([^,;]*)((?:;[^,;]*)*?)(;base64)?,(.*)$/is.exec(file.url);
    if (match === null) throw new FileDownloadError('malformed data URL');
    const data = match[4] ?? '';
    const bytes = match[3] === undefined ? Buffer.from(decodeURIComponent(data), 'utf8') : Buffer.from(data, 'base64');
    if (bytes.length > this.options.maxBytes)
      throw new FileDownloadError('the file is larger than allowed', 'fileTooLarge');
    return { bytes: new Uint8Array(bytes), contentType: resolvedType(file.contentType, match[1] ?? '') };
  }
}

/** The channel's type unless it only names the kind (`image/*`) or nothing, then the download's. */
function resolvedType(channelType: string, downloadType: string): string {
  if (channelType !== '' && !channelType.endsWith('/*')) return channelType;
  return downloadType !== '' ? downloadType : channelType || 'application/octet-stream';
}

function typeOf(name: string): string {
  return lookup(name) || 'application/octet-stream';
}

function defaultName(contentType: string): string {
  const subtype = contentType.split('/')[1] ?? '';
  return /^[a-z0-9]+$/i.test(subtype) ? `file.${subtype === 'jpeg' ? 'jpg' : subtype}` : 'file';
}

function codeOf(err: unknown): string {
  return isRecord(err) && typeof err.code === 'string' ? err.code : 'network error';
}

/** True for a Facebook sticker or "like" (`channelData.message.sticker_id`). */
function isSticker(activity: Partial<Activity>): boolean {
  const data: unknown = activity.channelData;
  return isRecord(data) && isRecord(data.message) && data.message.sticker_id !== undefined;
}

/** What {@link botTokenFrom} needs of botbuilder's `ServiceClientCredentialsFactory`. */
export interface BotCredentialsFactory {
  createCredentials(
    appId: string,
    audience: string,
    loginEndpoint: string,
    validateAuthority: boolean,
  ): Promise<object>;
}

/** Bot Framework's token audience and login endpoint for bot → channel calls. */
const BOT_FRAMEWORK_SCOPE = 'https://api.botframework.com';
const BOT_FRAMEWORK_LOGIN = 'https://login.microsoftonline.com/botframework.com';

/**
 * The bot's own token (client credentials for `https://api.botframework.com`) from the credentials
 * factory the adapter uses: the same identity that sends replies, cached and refreshed by botbuilder.
 */
export function botTokenFrom(factory: BotCredentialsFactory, appId: string): () => Promise<string | undefined> {
  return async () => {
    const credentials = await factory.createCredentials(appId, BOT_FRAMEWORK_SCOPE, BOT_FRAMEWORK_LOGIN, true);
    const getToken: unknown = Reflect.get(credentials, 'getToken');
    if (typeof getToken !== 'function') return undefined;
    const token: unknown = await (getToken as (this: object) => Promise<unknown>).call(credentials);
    return typeof token === 'string' && token !== '' ? token : undefined;
  };
}
