import { isRecord, type JsonObject } from '../../json';

/**
 * Validation of the frames a Web Messaging guest client sends (docs/genesys-protocol.md §5.2/§5.3), as the
 * simulator sees them. Independent of the client's own frame module so that a client bug is not
 * mirrored by the simulator.
 */

function str(obj: JsonObject, key: string): string | undefined {
  const value = obj[key];
  return typeof value === 'string' ? value : undefined;
}

/** An event a guest may send. */
export type GuestEvent = { eventType: 'Typing'; typingType: string } | { eventType: 'Presence'; presenceType: string };

/** A validated guest `message`. */
export type GuestMessage =
  | { type: 'Text' | 'Structured'; text: string; content: unknown[]; customAttributes?: Record<string, unknown> }
  | { type: 'Event'; events: GuestEvent[] };

/** A validated client request. */
export type GuestRequest =
  | { action: 'configureSession'; token: string; deploymentId: string; startNew: boolean; tracingId?: string }
  | { action: 'configureAuthenticatedSession'; token: string; deploymentId: string; tracingId?: string }
  | { action: 'onMessage'; token: string; message: GuestMessage; tracingId?: string }
  | { action: 'echo'; token: string; tracingId?: string }
  | { action: 'getJwt'; token: string; tracingId?: string }
  | { action: 'closeSession'; token: string; closeAllConnections: boolean; tracingId?: string }
  | { action: 'getConfiguration'; deploymentId: string; tracingId?: string }
  | {
      action: 'onAttachment';
      token: string;
      attachmentId: string;
      fileName: string;
      fileType: string;
      fileSize?: number;
      tracingId?: string;
    }
  | { action: 'deleteAttachment'; token: string; attachmentId: string; tracingId?: string };

/** Result of {@link parseGuestRequest}; a failure keeps the tracingId so the error reply can carry it. */
export type GuestRequestResult =
  { ok: true; request: GuestRequest } | { ok: false; reason: string; tracingId?: string };

function customAttributesOf(channel: unknown): Record<string, unknown> | undefined {
  if (!isRecord(channel)) return undefined;
  const metadata = channel.metadata;
  if (!isRecord(metadata)) return undefined;
  const attributes = metadata.customAttributes;
  return isRecord(attributes) ? attributes : undefined;
}

function parseGuestEvents(value: unknown): GuestEvent[] | undefined {
  if (!Array.isArray(value) || value.length === 0) return undefined;
  const events: GuestEvent[] = [];
  for (const entry of value) {
    if (!isRecord(entry)) return undefined;
    const eventType = str(entry, 'eventType');
    if (eventType === 'Typing') {
      const typing = entry.typing;
      if (!isRecord(typing)) return undefined;
      const typingType = str(typing, 'type');
      if (typingType === undefined) return undefined;
      events.push({ eventType: 'Typing', typingType });
    } else if (eventType === 'Presence') {
      const presence = entry.presence;
      if (!isRecord(presence)) return undefined;
      const presenceType = str(presence, 'type');
      if (presenceType === undefined) return undefined;
      events.push({ eventType: 'Presence', presenceType });
    } else {
      return undefined;
    }
  }
  return events;
}

function parseGuestMessage(value: unknown): GuestMessage | undefined {
  if (!isRecord(value)) return undefined;
  const type = str(value, 'type');
  if (type === 'Event') {
    const events = parseGuestEvents(value.events);
    return events === undefined ? undefined : { type: 'Event', events };
  }
  if (type !== 'Text' && type !== 'Structured') return undefined;
  const rawText = value.text;
  if (rawText !== undefined && typeof rawText !== 'string') return undefined;
  const content = Array.isArray(value.content) ? value.content : [];
  const text = rawText ?? '';
  if (text.length === 0 && content.length === 0) return undefined;
  // [C] docs/genesys-protocol.md §5.3: only the message's own `channel.metadata.customAttributes` count; a
  // `channel` beside `message` in the request has been ignored by Genesys since 2026-06-05, so it is ignored here.
  const customAttributes = customAttributesOf(value.channel);
  return customAttributes === undefined ? { type, text, content } : { type, text, content, customAttributes };
}

/** Parses one text frame from a guest client. Never throws. */
export function parseGuestRequest(raw: string): GuestRequestResult {
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    return { ok: false, reason: 'not JSON' };
  }
  if (!isRecord(json)) return { ok: false, reason: 'not an object' };
  const tracing = str(json, 'tracingId');
  const withTracing = tracing === undefined ? {} : { tracingId: tracing };
  const fail = (reason: string): GuestRequestResult => ({ ok: false, reason, ...withTracing });
  const action = str(json, 'action');
  const token = str(json, 'token');
  if (action === undefined) return fail('missing action');
  if (action === 'getConfiguration') {
    const deploymentId = str(json, 'deploymentId');
    return deploymentId === undefined
      ? fail('missing deploymentId')
      : { ok: true, request: { action, deploymentId, ...withTracing } };
  }
  if (token === undefined || token.length === 0 || token.length > 256) return fail('missing or invalid token');
  switch (action) {
    case 'configureSession':
    case 'configureAuthenticatedSession': {
      const deploymentId = str(json, 'deploymentId');
      if (deploymentId === undefined || deploymentId.length === 0) return fail('missing deploymentId');
      if (action === 'configureAuthenticatedSession')
        return { ok: true, request: { action, token, deploymentId, ...withTracing } };
      const startNew = json.startNew;
      if (startNew !== undefined && typeof startNew !== 'boolean') return fail('startNew is not a boolean');
      return { ok: true, request: { action, token, deploymentId, startNew: startNew === true, ...withTracing } };
    }
    case 'onMessage': {
      const message = parseGuestMessage(json.message);
      return message === undefined
        ? fail('invalid message')
        : { ok: true, request: { action, token, message, ...withTracing } };
    }
    case 'onAttachment': {
      // [C] docs/genesys-protocol.md §5.9 step 1.
      const attachmentId = str(json, 'attachmentId');
      const fileName = str(json, 'fileName');
      const fileType = str(json, 'fileType');
      const fileSize = json.fileSize;
      if (attachmentId === undefined || attachmentId === '' || fileName === undefined || fileType === undefined)
        return fail('onAttachment needs attachmentId, fileName and fileType');
      if (fileSize !== undefined && (typeof fileSize !== 'number' || !Number.isInteger(fileSize)))
        return fail('fileSize is not an integer');
      const size = typeof fileSize === 'number' ? { fileSize } : {};
      return { ok: true, request: { action, token, attachmentId, fileName, fileType, ...size, ...withTracing } };
    }
    case 'deleteAttachment': {
      const attachmentId = str(json, 'attachmentId');
      return attachmentId === undefined
        ? fail('deleteAttachment needs attachmentId')
        : { ok: true, request: { action, token, attachmentId, ...withTracing } };
    }
    case 'echo':
    case 'getJwt':
      return { ok: true, request: { action, token, ...withTracing } };
    case 'closeSession':
      return {
        ok: true,
        request: { action, token, closeAllConnections: json.closeAllConnections === true, ...withTracing },
      };
    default:
      return fail(`unsupported action ${action}`);
  }
}
