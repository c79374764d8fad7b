import type { Activity } from 'botbuilder';
import { AGENT_TEXTS } from '../../resources/messages';

/** Sticker ids of Messenger's thumbs-up "like" (small, medium, large), `docs/bot-framework-channels.md §4`. */
export const FACEBOOK_LIKE_STICKER_IDS: ReadonlySet<string> = new Set([
  '369239263222822',
  '369239343222814',
  '369239383222810',
]);

/**
 * Facebook Messenger: a sticker arrives without text, as an image attachment, with `sticker_id` in
 * the raw Messenger message in `channelData.message` (and in each attachment's `payload`). Returns
 * the text the agent reads for it ("👍" for the like, a short description for other stickers), or
 * undefined when the message is not a sticker.
 */
export function facebookSticker(activity: Partial<Activity>): string | undefined {
  const ids = stickerIds(activity.channelData);
  if (ids.length === 0) return undefined;
  return ids.some((id) => FACEBOOK_LIKE_STICKER_IDS.has(id)) ? '👍' : AGENT_TEXTS.sticker;
}

function stickerIds(channelData: unknown): string[] {
  const message = field(channelData, 'message');
  const ids = [field(message, 'sticker_id')];
  const attachments = field(message, 'attachments');
  if (Array.isArray(attachments)) {
    for (const attachment of attachments as unknown[]) ids.push(field(field(attachment, 'payload'), 'sticker_id'));
  }
  return ids
    .filter((id): id is string | number => typeof id === 'string' || typeof id === 'number')
    .map((id) => String(id));
}

function field(value: unknown, name: string): unknown {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[name] : undefined;
}
