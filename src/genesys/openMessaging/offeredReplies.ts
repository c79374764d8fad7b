import type { AttachmentLink } from '../handoffProvider';
import type { InboundAttachment, OfferedReply } from './payloads';

/** The quick replies or buttons of the agent's last message that offered some. */
export interface OfferedReplies {
  messageId: string;
  replies: OfferedReply[];
}

/**
 * The offered reply whose text equals `text` (trimmed, case-insensitive), with the id of the
 * message that offered it; undefined when none matches.
 */
export function matchOfferedReply(
  offered: OfferedReplies | undefined,
  text: string,
): { offer: OfferedReply; messageId: string } | undefined {
  if (offered === undefined) return undefined;
  const wanted = text.trim().toLowerCase();
  const offer = offered.replies.find((r) => r.text.trim().toLowerCase() === wanted);
  return offer === undefined ? undefined : { offer, messageId: offered.messageId };
}

/**
 * Customer attachments by URL as Open Messaging inbound attachments (docs/genesys-protocol.md §6.2);
 * a missing or malformed content type becomes `application/octet-stream`.
 */
export function inboundAttachments(attachments: readonly AttachmentLink[]): InboundAttachment[] {
  return attachments.map((a) => ({
    url: a.url,
    mime:
      a.contentType !== undefined && /^[\w.+-]+\/[\w.+-]+$/.test(a.contentType)
        ? a.contentType
        : 'application/octet-stream',
    ...(a.name === undefined ? {} : { filename: a.name }),
  }));
}
