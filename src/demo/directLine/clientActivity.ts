import { isRecord } from '../../json';

/** A channel account as Direct Line shows it. */
export interface Account {
  id: string;
  name?: string;
  role?: 'user' | 'bot';
}

const ID_PATTERN = /^[A-Za-z0-9._:@-]{1,100}$/;
const CLIENT_ACTIVITY_TYPES = new Set(['message', 'typing', 'event']);
const MAX_TEXT_CHARS = 10_000;
const MAX_NAME_CHARS = 100;

/** What a client may set on an activity it sends; everything else is stamped by the service. */
export interface ClientActivity {
  type: string;
  from?: Account;
  [field: string]: unknown;
}

/** Validates an activity posted by a Direct Line client. Returns it, or a problem description. */
export function parseClientActivity(body: unknown, withFiles = false): ClientActivity | string {
  if (!isRecord(body)) return 'The body must be a JSON activity.';
  const { type } = body;
  if (typeof type !== 'string' || !CLIENT_ACTIVITY_TYPES.has(type))
    return '"type" must be "message", "typing" or "event".';
  const activity: ClientActivity = { type };
  if (body.text !== undefined) {
    if (typeof body.text !== 'string') return '"text" must be a string.';
    if (body.text.length > MAX_TEXT_CHARS) return `"text" must be at most ${MAX_TEXT_CHARS} characters.`;
    activity.text = body.text;
  }
  if (
    type === 'message' &&
    (activity.text === undefined || activity.text === '') &&
    body.value === undefined &&
    !withFiles
  )
    return 'A message needs "text".';
  // Files come through the upload endpoint (`withFiles`), which sets the attachments itself.
  if (
    !withFiles &&
    body.attachments !== undefined &&
    (!Array.isArray(body.attachments) || body.attachments.length > 0)
  ) {
    return 'Attachments are sent through the upload endpoint of the demo channel.';
  }
  for (const key of ['textFormat', 'locale', 'localTimestamp', 'localTimezone', 'name'] as const) {
    const value = body[key];
    if (value === undefined) continue;
    if (typeof value !== 'string' || value.length > MAX_NAME_CHARS)
      return `"${key}" must be a string of at most ${MAX_NAME_CHARS} characters.`;
    activity[key] = value;
  }
  if (body.channelData !== undefined) {
    if (!isRecord(body.channelData)) return '"channelData" must be an object.';
    activity.channelData = body.channelData;
  }
  if (body.entities !== undefined) {
    if (!Array.isArray(body.entities) || !body.entities.every(isRecord))
      return '"entities" must be an array of objects.';
    activity.entities = body.entities;
  }
  if (body.value !== undefined) activity.value = body.value;
  if (body.from !== undefined) {
    const from = parseAccount(body.from);
    if (from === undefined) return '"from" must be { "id": string, "name"?: string }.';
    activity.from = from;
  }
  return activity;
}

/** A channel account `{ id, name?, role? }` with a short id of letters, digits and `._:@-`, or undefined. */
export function parseAccount(value: unknown): Account | undefined {
  if (!isRecord(value) || typeof value.id !== 'string' || !ID_PATTERN.test(value.id)) return undefined;
  const account: Account = { id: value.id };
  if (typeof value.name === 'string' && value.name.trim() !== '')
    account.name = value.name.trim().slice(0, MAX_NAME_CHARS);
  if (value.role === 'user' || value.role === 'bot') account.role = value.role;
  return account;
}

/** A `watermark` parameter: `undefined` when absent, `null` when malformed. */
export function parseWatermark(raw: string | null): number | undefined | null {
  if (raw === null || raw === '') return undefined;
  return /^\d{1,15}$/.test(raw) ? Number(raw) : null;
}

/** The token of an `Authorization: Bearer <token>` header. */
export function bearerFromHeader(header: string | undefined): string | undefined {
  const match = /^Bearer\s+(\S+)$/i.exec(header ?? '');
  return match?.[1];
}

/** `decodeURIComponent`, or undefined for a malformed escape. */
export function safeDecode(value: string): string | undefined {
  try {
    return decodeURIComponent(value);
  } catch {
    // A malformed escape is simply not a conversation id.
    return undefined;
  }
}

/** Whether a socket's remote address is this machine. */
export function isLoopback(address: string | undefined): boolean {
  return address === '127.0.0.1' || address === '::1' || address === '::ffff:127.0.0.1';
}
