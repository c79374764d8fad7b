import type { ButtonResponseMessage } from '../shared/structuredContent';

/**
 * What the client sends over the Web Messaging Guest API websocket (docs/genesys-protocol.md §5.2/§5.3),
 * and the size rules that apply to it.
 */

/** The normalized message of an `onMessage` request (docs/genesys-protocol.md §5.3). */
export type OutgoingMessage =
  | {
      type: 'Text';
      text: string;
      channel?: { metadata: { customAttributes: Record<string, string> } };
      /** Files uploaded beforehand (§5.9 step 5): Genesys takes the rest from the upload. */
      content?: { contentType: 'Attachment'; attachment: { id: string } }[];
    }
  /** An answer to structured content (§5.14). */
  | ButtonResponseMessage
  | {
      type: 'Event';
      events: (
        | { eventType: 'Typing'; typing: { type: 'On' } }
        | { eventType: 'Presence'; presence: { type: 'Clear' | 'Join' } }
      )[];
    };

/** A request the client sends (docs/genesys-protocol.md §5.2/§5.3). */
export type ClientRequest =
  | { action: 'configureSession'; token: string; deploymentId: string; tracingId: string }
  | { action: 'onMessage'; token: string; tracingId: string; message: OutgoingMessage }
  | { action: 'echo'; token: string; tracingId: string; message: { type: 'Text'; text: 'ping' } }
  | { action: 'getJwt'; token: string; tracingId: string }
  | {
      action: 'onAttachment';
      token: string;
      tracingId: string;
      attachmentId: string;
      fileName: string;
      fileType: string;
      fileSize: number;
      errorsAsJson: true;
    }
  | { action: 'deleteAttachment'; token: string; tracingId: string; attachmentId: string };

/** UTF-8 byte length of a string. */
export function byteLength(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}

/**
 * Keeps as many custom attributes as fit in `maxBytes` (measured as the UTF-8 length of their JSON
 * form), dropping whole keys in order: earlier keys are kept first.
 */
export function fitCustomAttributes(
  attributes: Record<string, string>,
  maxBytes: number,
): { kept: Record<string, string>; dropped: string[] } {
  const kept: Record<string, string> = {};
  const dropped: string[] = [];
  for (const [key, value] of Object.entries(attributes)) {
    const candidate = { ...kept, [key]: value };
    if (byteLength(JSON.stringify(candidate)) <= maxBytes) kept[key] = value;
    else dropped.push(key);
  }
  return { kept, dropped };
}
