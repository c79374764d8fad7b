import { GenesysError, isGenesysError, type GenesysErrorCode } from '../genesysError';
import { httpStatusError, parseRetryAfter, type HttpRequestSummary } from '../shared';
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
  /** Method and URL of the call (kept as the error's cause, without headers or query). */
  request: HttpRequestSummary;
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
  const { operation, status, body } = failure;
  const genesysCode = body?.code;
  const detail = body?.message !== undefined && body.message !== '' ? `: ${body.message}` : '';
  const what = `guest chat ${operation} failed with HTTP ${status}${genesysCode === undefined ? '' : ` ${genesysCode}`}${detail}`;
  const answer = {
    request: failure.request,
    status,
    body,
    retryAfterMs: failure.retryAfterMs,
    genesysCode,
  };
  // [I] docs/genesys-protocol.md §3.10/§4: an org after the 2026 removal most likely answers 404 on the create path.
  if (status === 404 && operation === 'create') return httpStatusError(answer, RETIRED_MESSAGE, 'retired');
  return httpStatusError(answer, what, guestChatErrorCode(operation, status, genesysCode));
}

/** The Guest Chat reading of an error answer, or `undefined` where the status alone decides (`codeForHttpStatus`). */
function guestChatErrorCode(
  operation: GuestChatOperation,
  status: number,
  genesysCode: string | undefined,
): GenesysErrorCode | undefined {
  if (status === 429 || status >= 500) return undefined;
  if (genesysCode !== undefined) {
    const createCode = operation === 'create' ? CREATE_CODES[genesysCode] : undefined;
    if (createCode !== undefined) return createCode;
    if (CONVERSATION_STATE_CODES.has(genesysCode)) return 'conversationState';
    if (genesysCode === 'credentials.expired') return 'sessionExpired';
    if (genesysCode === 'request.entity.too.large') return 'messageTooLong';
  }
  if (status === 403 && operation === 'create') return 'originNotAllowed';
  // Outside create, a 404 means the conversation or member is gone (docs/genesys-protocol.md §3.6 `chat.error.not.found`).
  if (status === 404) return 'sessionExpired';
  // Everything else reads as any HTTP answer does (401/403 unauthorized, 413 messageTooLong, else badRequest).
  return undefined;
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
  const fromHeader = parseRetryAfter(header, now);
  if (fromHeader !== undefined) return fromHeader;
  if (body?.code === 'too.many.requests.retry.after') {
    const candidates = [...Object.values(body.messageParams ?? {}), body.messageWithParams ?? '', body.message];
    for (const candidate of candidates) {
      const match = /(\d+(?:\.\d+)?)/.exec(candidate);
      if (match?.[1] !== undefined) return Math.round(Number(match[1]) * 1000);
    }
  }
  return undefined;
}

/**
 * True for the answers Genesys gives when the chat (or the guest's part in it) is already over:
 * `chat.error.conversation.state` / `chat.error.member.state` (400), or a conversation that no longer exists (404).
 */
export function isAlreadyEnded(err: unknown): boolean {
  return (
    isGenesysError(err) && (err.code === 'conversationState' || (err.code === 'sessionExpired' && err.status === 404))
  );
}
