import type { Activity } from 'botbuilder';
import { extension } from 'mime-types';
import { normaliseInbound } from '../channels';
import type { AttachmentLink } from '../genesys/handoffProvider';
import { isRecord } from '../json';
import { AGENT_TEXTS, MESSAGES } from '../resources/messages';
import { channelFilesOf, isChannelFile, linkNeedsAuth, type ChannelFile } from './channelAttachments';

/** `name` with the extension of `contentType` when it has none (Genesys requires one, docs/genesys-protocol.md §5.7). */
export function withExtension(name: string, contentType: string): string {
  if (/\.[a-z0-9]+$/i.test(name)) return name;
  const ext = extension(contentType);
  return ext === false ? name : `${name}.${ext}`;
}

/** What the agent gets for a file that is not uploaded: its link when the agent can open it, else its name and a note. */
export function fileFallbackText(file: ChannelFile): string {
  return file.agentCanOpen
    ? MESSAGES.attachmentNote(file.name, file.url, false)
    : AGENT_TEXTS.userFileNotUploaded(file.name);
}

/** The user's attachments anyone can fetch by URL (https only; not stickers). */
export function publicAttachments(activity: Partial<Activity>): AttachmentLink[] {
  if (isSticker(activity)) return [];
  return (activity.attachments ?? []).flatMap((a) =>
    typeof a.contentUrl === 'string' &&
    a.contentUrl.startsWith('https://') &&
    !linkNeedsAuth(a.contentUrl, activity.channelId ?? '')
      ? [{ url: a.contentUrl, ...(a.name === undefined ? {} : { name: a.name }), contentType: a.contentType }]
      : [],
  );
}

/**
 * The text sent to the agent for a user message: the text the user meant, normalised for the
 * channel ({@link normaliseInbound}: Teams HTML and mentions, Slack markup, a Facebook sticker as
 * its emoji or a short description), plus one line per attachment. Shapes channels really send: an
 * attachment with a URL becomes a link (noting channels whose links need the customer's sign-in);
 * a card or other content without a URL is named as not viewable; Teams' `text/html` copy of the
 * text and empty attachments are left out. Never returns text for an empty message.
 */
export function composeUserText(
  activity: Partial<Activity>,
  files: 'describe' | 'omit' | 'agentLinks' = 'describe',
): string {
  const parts: string[] = [];
  const normalised = normaliseInbound(activity, activity.recipient?.id ?? '');
  const text = normalised.items.find((item) => item.kind === 'text')?.text ?? '';
  if (text !== '') parts.push(text);
  // A sticker is its text: the channel's image of it says nothing more.
  if (isSticker(activity)) return parts.join('\n');
  for (const attachment of activity.attachments ?? []) {
    // Files sent as uploads (see `channelFilesOf`) are not described in the text; without uploads,
    // the agent gets only links it can open, other files are named with a note.
    if (files !== 'describe' && isChannelFile(attachment, activity)) {
      if (files === 'agentLinks') {
        const file = channelFilesOf({ ...activity, attachments: [attachment] })[0];
        if (file !== undefined) parts.push(fileFallbackText(file));
      }
      continue;
    }
    const url = typeof attachment.contentUrl === 'string' ? attachment.contentUrl : '';
    if (url === '') {
      if (attachment.content !== undefined && attachment.contentType !== 'text/html')
        parts.push(AGENT_TEXTS.userAttachmentWithoutLink(attachment.contentType));
      continue;
    }
    parts.push(
      MESSAGES.attachmentNote(
        attachment.name ?? attachment.contentType,
        url,
        linkNeedsAuth(url, activity.channelId ?? ''),
      ),
    );
  }
  return parts.join('\n');
}

/** True for a Facebook sticker or "like" (`channelData.message.sticker_id`, as the Messenger webhook sends it). */
function isSticker(activity: Partial<Activity>): boolean {
  const data: unknown = activity.channelData;
  if (activity.channelId !== 'facebook' || !isRecord(data) || !isRecord(data.message)) return false;
  return data.message.sticker_id !== undefined;
}
