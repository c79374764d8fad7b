import { isAxiosError } from 'axios';
import { GenesysError, type GenesysErrorCode } from '../genesysError';

/** The request an HTTP failure belongs to, as far as it may be logged: no headers, no query string. */
export interface HttpRequestSummary {
  /** `GET`, `POST`, ... */
  method: string;
  /** URL or path; only its path is kept. */
  url: string;
}

/** Longest body excerpt kept with a failure, in characters. */
export const BODY_SUMMARY_CHARS = 200;

/**
 * The `cause` of every HTTP {@link GenesysError}: method, URL path (no query, which may carry
 * secrets), status and a short body summary. Request headers (the `Authorization` bearer token) and
 * the client library's own error object are never kept.
 */
export class HttpFailureCause extends Error {
  readonly method: string;
  readonly path: string;
  readonly status: number | undefined;
  /** First {@link BODY_SUMMARY_CHARS} characters of the response body, or the network error code. */
  readonly body: string | undefined;

  constructor(request: HttpRequestSummary, status: number | undefined, body: string | undefined) {
    const method = request.method.toUpperCase();
    const path = pathOf(request.url);
    super(
      `${method} ${path}${status === undefined ? '' : ` answered ${status}`}${body === undefined ? '' : `: ${body}`}`,
    );
    this.name = 'HttpFailureCause';
    this.method = method;
    this.path = path;
    this.status = status;
    this.body = body;
  }
}

/** The path of `url` (absolute or relative) without query string or fragment. */
export function pathOf(url: string): string {
  try {
    return new URL(url, 'http://relative.invalid').pathname;
  } catch {
    return url.replace(/[?#].*$/s, '');
  }
}

/** A short, single-line summary of a response body for logs. */
export function summarizeBody(body: unknown): string | undefined {
  if (body === undefined || body === null || body === '') return undefined;
  let text: string;
  if (typeof body === 'string') text = body;
  else {
    try {
      text = JSON.stringify(body);
    } catch {
      return undefined;
    }
  }
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > BODY_SUMMARY_CHARS ? `${line.slice(0, BODY_SUMMARY_CHARS)}…` : line;
}

/**
 * Parses a `Retry-After` header (RFC 9110 §10.2.3): delay seconds (fractions accepted) or an
 * HTTP-date. Returns milliseconds (never negative), or `undefined` when absent or unreadable.
 * A header given as an array counts by its first value.
 */
export function parseRetryAfter(header: unknown, now: number = Date.now()): number | undefined {
  const value: unknown = Array.isArray(header) ? (header as unknown[])[0] : header;
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? Math.round(value * 1000) : undefined;
  if (typeof value !== 'string') return undefined;
  const trimmed = value.trim();
  if (trimmed === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  // An HTTP-date starts with the day name; bare numbers such as "-1" are not dates (Date.parse would accept them).
  if (!/^[A-Za-z]{3}/.test(trimmed)) return undefined;
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/**
 * The stable code of an HTTP status when the protocol says nothing more specific: 429 `rateLimited`,
 * 5xx `serverError`, 401/403 `unauthorized`, 413 `messageTooLong`, anything else `badRequest`.
 */
export function codeForHttpStatus(status: number): GenesysErrorCode {
  if (status === 429) return 'rateLimited';
  if (status >= 500) return 'serverError';
  if (status === 401 || status === 403) return 'unauthorized';
  if (status === 413) return 'messageTooLong';
  return 'badRequest';
}

/** What an HTTP error answer looked like. */
export interface HttpErrorAnswer {
  request: HttpRequestSummary;
  status: number;
  /** The response body (summarized into the cause). */
  body?: unknown;
  /** Wait asked for by a 429, in ms. */
  retryAfterMs?: number | undefined;
  /** Genesys' own error code from the body, when it has one. */
  genesysCode?: string | undefined;
}

/**
 * Turns an HTTP error answer into a {@link GenesysError} with `code` (default: {@link codeForHttpStatus}),
 * keeping status, Genesys' code and `Retry-After`; the cause is an {@link HttpFailureCause}.
 */
export function httpStatusError(answer: HttpErrorAnswer, message: string, code?: GenesysErrorCode): GenesysError {
  return new GenesysError(code ?? codeForHttpStatus(answer.status), message, {
    status: answer.status,
    ...(answer.genesysCode === undefined ? {} : { genesysCode: answer.genesysCode }),
    ...(answer.retryAfterMs === undefined ? {} : { retryAfterMs: answer.retryAfterMs }),
    cause: new HttpFailureCause(answer.request, answer.status, summarizeBody(answer.body)),
  });
}

/**
 * Turns a request that got no HTTP answer (refused, reset, timed out) into a `network` or `timeout`
 * {@link GenesysError}. The thrown value is not kept: an axios error holds the request headers.
 */
export function httpNetworkError(request: HttpRequestSummary, err: unknown, message: string): GenesysError {
  const errorCode = isAxiosError(err) ? err.code : undefined;
  const timedOut = errorCode === 'ECONNABORTED' || errorCode === 'ETIMEDOUT';
  const detail = errorCode ?? (err instanceof Error ? err.name : 'ERR');
  return new GenesysError(timedOut ? 'timeout' : 'network', `${message}: ${detail}`, {
    cause: new HttpFailureCause(request, undefined, detail),
  });
}
