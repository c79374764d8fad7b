import { isRecord } from '../json';

/**
 * Why the channel (Bot Connector) did not take a proactive activity:
 * - `transient`: throttled (429, with the wait it asked for), 408/412/5xx or no answer: try again later;
 * - `stale`: the stored `serviceUrl` is no longer this conversation's ("redirected to the wrong
 *   geo", `InvalidBotApiHost`): refresh the reference from the latest inbound activity and retry;
 * - `gone`: the user can no longer be reached (403 `BotNotInConversationRoster`,
 *   `ConversationBlockedByUser`, `BotDisabledByAdmin`, 404 `ConversationNotFound`, Facebook's
 *   "outside of allowed window"): stop;
 * - `permanent`: this activity will never be taken (400 bad payload, 401, 413 too big).
 */
export interface ChannelFailure {
  kind: 'transient' | 'stale' | 'gone' | 'permanent';
  /** HTTP status, when the channel answered. */
  status?: number;
  /** The Bot Connector error code (`error.code` of the body) or the network error code. */
  code: string;
  /** For throttling: how long the channel asked to wait (ms, from `Retry-After`). */
  retryAfterMs?: number;
}

/** Outcome of one attempt to send proactively. */
export type SendResult = { ok: true } | { ok: false; failure: ChannelFailure };

const GONE_CODES = new Set([
  'BotNotInConversationRoster',
  'ConversationBlockedByUser',
  'BotDisabledByAdmin',
  'ConversationNotFound',
  'BotRemovedFromConversation',
]);

/**
 * Classifies what a send threw. Reads the shape of botframework-connector's `RestError`
 * (`@azure/core-rest-pipeline`): `statusCode`, `code` (the body's `error.code`), `details` (the
 * parsed body `{error: {code, message}}`) and `response.headers` (for `Retry-After`). Anything
 * without a status (connection refused or reset, timeout) is transient. Status meanings:
 * the status table of Microsoft Learn, Teams "Messages in bot conversations".
 */
export function classifyChannelError(err: unknown): ChannelFailure {
  const e = isRecord(err) ? err : {};
  const status = typeof e.statusCode === 'number' ? e.statusCode : undefined;
  const details = isRecord(e.details) ? e.details : {};
  const body = isRecord(details.error) ? details.error : {};
  const bodyCode = typeof body.code === 'string' ? body.code : undefined;
  const code = bodyCode ?? (typeof e.code === 'string' ? e.code : status === undefined ? 'network' : `http${status}`);
  const message = `${typeof body.message === 'string' ? body.message : ''} ${err instanceof Error ? err.message : ''}`;
  if (status === undefined) return { kind: 'transient', code };
  if (status === 429) {
    const retryAfterMs = retryAfter(e.response);
    return { kind: 'transient', status, code, ...(retryAfterMs === undefined ? {} : { retryAfterMs }) };
  }
  if (status === 408 || status === 412 || status >= 500) return { kind: 'transient', status, code };
  if (/wrong geo/i.test(message) || code === 'InvalidBotApiHost') return { kind: 'stale', status, code };
  if (GONE_CODES.has(code) || status === 404) return { kind: 'gone', status, code };
  // Facebook through the Bot Connector: "(#10) This message is sent outside of allowed window" (error subcode 2018065).
  if (/outside (of )?(the )?allowed window|2018065/i.test(message)) return { kind: 'gone', status, code };
  if (status === 403 && code !== 'NotEnoughPermissions') return { kind: 'gone', status, code };
  return { kind: 'permanent', status, code };
}

/** `Retry-After` of a response in ms (seconds or an HTTP date), when present. */
function retryAfter(response: unknown): number | undefined {
  if (!isRecord(response) || !isRecord(response.headers)) return undefined;
  const headers = response.headers;
  const get = headers.get;
  const raw =
    typeof get === 'function'
      ? (get as (this: unknown, name: string) => unknown).call(headers, 'retry-after')
      : undefined;
  if (typeof raw !== 'string' || raw.trim() === '') return undefined;
  const seconds = Number(raw);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(raw);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}
