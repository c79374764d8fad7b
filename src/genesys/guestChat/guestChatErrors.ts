import { GenesysError, type GenesysErrorCode } from '../genesysError';
import type { ErrorBody } from './guestChatModels';

/** Which Guest Chat call failed; some answers mean different things on different calls. */
export type GuestChatOperation =
  'create' | 'sendMessage' | 'sendTyping' | 'getMessages' | 'getMember' | 'getMembers' | 'deleteMember';

/** Shown to operators when the create call answers 404: the org no longer has the Guest Chat API. */
export const RETIRED_MESSAGE =
  'The Genesys Cloud Guest Chat API (web chat v2) is retired for this organization: ' +
  'POST /api/v2/webchat/guest/conversations answered 404. Set GenesysProvider=webmessaging and use a Messenger deployment.';

/** What an HTTP failure looked like. */
export interface HttpFailure {
  operation: GuestChatOperation;
  status: number;
  /** The parsed `ErrorBody`, when the response had one. */
  body: ErrorBody | undefined;
  /** Parsed `Retry-After` (or `too.many.requests.retry.after` parameter) in ms. */
  retryAfterMs: number | undefined;
}

const CREATE_CODES: Readonly<Record<string, GenesysErrorCode>> = {
  'chat.error.invalid.queue': 'invalidQueue',
  'chat.deployment.disabled': 'deploymentDisabled',
  'chat.deployment.require.auth': 'authRequired',
  'chat.deployment.bad.auth': 'authRequired',
  'origin.not.allowed': 'originNotAllowed',
};

const CONVERSATION_STATE_CODES = new Set(['chat.error.conversation.state', 'chat.error.member.state']);

/**
 * Maps a failed Guest Chat response to a {@link GenesysError}, keeping Genesys' code and the HTTP status.
 */
export function mapGuestChatHttpError(failure: HttpFailure): GenesysError {
  const { operation, status, body, retryAfterMs } = failure;
  const genesysCode = body?.code;
  const options = { status, genesysCode, retryAfterMs };
  const detail = body?.message !== undefined && body.message !== '' ? `: ${body.message}` : '';
  const what = `guest chat ${operation} failed with HTTP ${status}${genesysCode === undefined ? '' : ` ${genesysCode}`}${detail}`;

  // [I] docs/genesys-protocol.md §3.10/§4: an org after the 2026 removal most likely answers 404 on the create path.
  if (status === 404 && operation === 'create') return new GenesysError('retired', RETIRED_MESSAGE, options);
  if (status === 429) return new GenesysError('rateLimited', what, options);
  if (status >= 500) return new GenesysError('serverError', what, options);
  if (genesysCode !== undefined) {
    const createCode = operation === 'create' ? CREATE_CODES[genesysCode] : undefined;
    if (createCode !== undefined) return new GenesysError(createCode, what, options);
    if (CONVERSATION_STATE_CODES.has(genesysCode)) return new GenesysError('conversationState', what, options);
    if (genesysCode === 'credentials.expired') return new GenesysError('sessionExpired', what, options);
    if (genesysCode === 'request.entity.too.large') return new GenesysError('messageTooLong', what, options);
  }
  if (status === 401) return new GenesysError('unauthorized', what, options);
  if (status === 403)
    return new GenesysError(operation === 'create' ? 'originNotAllowed' : 'unauthorized', what, options);
  // Outside create, a 404 means the conversation or member is gone (docs/genesys-protocol.md §3.6 `chat.error.not.found`).
  if (status === 404) return new GenesysError('sessionExpired', what, options);
  if (status === 413) return new GenesysError('messageTooLong', what, options);
  return new GenesysError('badRequest', what, options);
}

/**
 * Reads a wait from a 429: the `Retry-After` header (seconds or an HTTP date), else the seconds in a
 * `too.many.requests.retry.after` body ("retry in [%s] seconds", docs/genesys-protocol.md §3.6).
 */
export function parseRetryAfterMs(
  header: unknown,
  body: ErrorBody | undefined,
  now: number = Date.now(),
): number | undefined {
  const headerValue = Array.isArray(header) ? (header as unknown[])[0] : header;
  if (typeof headerValue === 'string' && headerValue.trim() !== '') {
    const trimmed = headerValue.trim();
    if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
    const date = Date.parse(trimmed);
    if (!Number.isNaN(date)) return Math.max(0, date - now);
  }
  if (body?.code === 'too.many.requests.retry.after') {
    const candidates = [...Object.values(body.messageParams ?? {}), body.messageWithParams ?? '', body.message];
    for (const candidate of candidates) {
      const match = /(\d+(?:\.\d+)?)/.exec(candidate);
      if (match?.[1] !== undefined) return Math.round(Number(match[1]) * 1000);
    }
  }
  return undefined;
}
