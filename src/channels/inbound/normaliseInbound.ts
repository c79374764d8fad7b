import { type Activity, type Attachment, Channels, type Entity } from 'botbuilder';
import { extension as extension_, lookup } from 'mime-types';
import { type ContentAttachment, type UserContent, type UserContentItem, urlFileName } from '../../content/content';
import { listOf, stringOf } from './activityFields';
import { facebookSticker } from './facebookInbound';
import { slackText } from './slackInbound';
import { teamsText } from './teamsInbound';

/** Teams' attachment for a file from the user's OneDrive (`docs/bot-framework-channels.md §2.3`). */
const TEAMS_FILE_DOWNLOAD = 'application/vnd.microsoft.teams.file.download.info';

/**
 * A user's message activity as the agent should receive it: the text the user meant (per channel:
 * Teams HTML and mentions, Slack markup, Facebook stickers; Web Chat, Direct Line and the Emulator
 * as typed, Markdown left as is) and the files the user sent.
 *
 * @param botId the bot's id on the channel (`activity.recipient.id`): its own mentions are removed.
 * @returns text items (at most one, `format: "plain"`) and attachment items; no items when the
 *   activity carries nothing for the agent.
 */
export function normaliseInbound(activity: Partial<Activity>, botId: string): UserContent {
  const items: UserContentItem[] = [];
  const sticker = activity.channelId === Channels.Facebook ? facebookSticker(activity) : undefined;
  const text = sticker ?? inboundText(activity, botId);
  if (text !== '') items.push({ kind: 'text', text, format: 'plain' });
  // A sticker's image is the sticker: the agent reads the description instead of a link.
  if (sticker === undefined) {
    for (const attachment of listOf<Attachment>(activity.attachments)) {
      const file = userFile(attachment, activity.channelId);
      if (file !== undefined) items.push({ kind: 'attachment', attachment: file });
    }
  }
  return { items };
}

function inboundText(activity: Partial<Activity>, botId: string): string {
  const raw: unknown = activity.text;
  switch (activity.channelId) {
    case Channels.Msteams:
      return teamsText(activity, botId);
    case Channels.Slack:
      return typeof raw === 'string' ? slackText(raw, [botId, ...mentionedIds(activity, botId)]) : '';
    default:
      return typeof raw === 'string' ? raw.trim() : '';
  }
}

/**
 * The Slack user ids the bot is mentioned by: the `<@U…>` of each `mention` entity naming the bot's
 * account, as the account id and the user id in a mention can differ `[U]`.
 */
function mentionedIds(activity: Partial<Activity>, botId: string): string[] {
  return listOf<Entity>(activity.entities)
    .filter((e) => e.type === 'mention' && stringOf((e.mentioned as { id?: unknown } | undefined)?.id) === botId)
    .map((e) => /^<@([^|>]+)/.exec(stringOf(e.text) ?? '')?.[1])
    .filter((id): id is string => id !== undefined);
}

/** A channel attachment as a file for the agent, or undefined for what is not a file (cards, Teams HTML). */
function userFile(attachment: Attachment, channelId: string | undefined): ContentAttachment | undefined {
  if (attachment.contentType === TEAMS_FILE_DOWNLOAD) {
    const content = (attachment.content ?? {}) as { downloadUrl?: unknown; fileType?: unknown };
    if (typeof content.downloadUrl !== 'string' || content.downloadUrl === '') return undefined;
    const name = stringOf(attachment.name) ?? `file.${stringOf(content.fileType) ?? 'bin'}`;
    return { name, contentType: mimeOf(name, undefined), url: content.downloadUrl };
  }
  const url = stringOf(attachment.contentUrl);
  const contentType = stringOf(attachment.contentType);
  if (url === undefined || contentType === 'text/html') return undefined;
  const name = stringOf(attachment.name) ?? fileNameOf(url, contentType);
  const file: ContentAttachment = { name, contentType: mimeOf(name, contentType), url };
  if (channelId === Channels.Msteams && /\/v3\/attachments\//.test(url)) file.needsBotToken = true;
  return file;
}

/** The attachment's MIME type, or one derived from the file name. */
function mimeOf(name: string, contentType: string | undefined): string {
  if (contentType !== undefined && /^[\w.+-]+\/[\w.+-]+$/.test(contentType)) return contentType;
  const fromName = lookup(name);
  if (fromName !== false) return fromName;
  // Teams pasted images say only "image/*": the downloaded response's Content-Type tells which.
  return contentType === 'image/*' ? contentType : 'application/octet-stream';
}

/** A name for an unnamed file: the last part of its URL path, or a name with an extension from its type. */
function fileNameOf(url: string, contentType: string | undefined): string {
  const last = urlFileName(url) ?? '';
  if (/\.[A-Za-z0-9]{1,8}$/.test(last)) return last;
  const base = contentType?.startsWith('image/') === true ? 'image' : 'file';
  const extension = contentType === undefined ? false : extension_(contentType);
  return extension === false ? base : `${base}.${extension}`;
}
