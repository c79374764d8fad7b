import type { AgentInfo, AttachmentLink, StructuredContent } from '../handoffProvider';
import { structuredContentFrom } from '../shared/structuredContent';
import type { StructuredMessage } from './frames';

/**
 * How a Web Messaging structured message (docs/genesys-protocol.md §5.5) reads as agent-side facts:
 * its time, who sent it, its attachments, and whether a human sent it.
 */

/** `channel.time` in ms since the epoch; `+Infinity` when missing or unreadable (sorts last, never "older"). */
export function timeOf(message: StructuredMessage): number {
  const parsed = message.channel.time === undefined ? Number.NaN : Date.parse(message.channel.time);
  return Number.isNaN(parsed) ? Number.POSITIVE_INFINITY : parsed;
}

/** The sender as an {@link AgentInfo}: nickname, else first and last name; id and avatar when given. */
export function agentInfoOf(message: StructuredMessage): AgentInfo {
  const from = message.channel.from;
  const info: AgentInfo = {};
  if (from === undefined) return info;
  const fullName = [from.firstName, from.lastName]
    .filter((p): p is string => p !== undefined && p.length > 0)
    .join(' ');
  const name = from.nickname !== undefined && from.nickname.length > 0 ? from.nickname : fullName;
  if (from.id !== undefined) info.id = from.id;
  if (name.length > 0) info.name = name;
  if (from.image !== undefined) info.avatarUrl = from.image;
  return info;
}

/** Links to the files attached to the message (content items of type `Attachment` with a URL). */
export function attachmentsOf(message: StructuredMessage): AttachmentLink[] {
  const links: AttachmentLink[] = [];
  for (const item of message.content) {
    if (item.contentType !== 'Attachment' || item.attachment?.url === undefined) continue;
    const link: AttachmentLink = { url: item.attachment.url };
    if (item.attachment.filename !== undefined) link.name = item.attachment.filename;
    if (item.attachment.mime !== undefined) link.contentType = item.attachment.mime;
    if (item.attachment.fileSize !== undefined) link.size = item.attachment.fileSize;
    links.push(link);
  }
  return links;
}

/** False for messages from a Genesys bot flow: relayed, but they do not mean an agent joined. */
export function isHuman(message: StructuredMessage): boolean {
  return message.originatingEntity !== 'Bot';
}

/**
 * The quick replies, cards, carousels and time slot pickers of the message (§5.14), in order, with
 * consecutive quick replies as one group; undefined when it offers none.
 */
export function structuredContentOf(message: StructuredMessage): StructuredContent | undefined {
  return structuredContentFrom(
    message.content.map((entry) => (entry.attachment === undefined ? entry.structured : undefined)),
  );
}
