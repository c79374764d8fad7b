import type * as restify from 'restify';
import { sendJsonError } from '../http/httpErrors';
import { isRecord } from '../json';

/** A route parameter as a string, or undefined when it is missing. */
export function routeParam(req: restify.Request, name: string): string | undefined {
  const params: unknown = req.params;
  if (!isRecord(params)) return undefined;
  const value = params[name];
  return typeof value === 'string' ? value : undefined;
}

/** The request body when it is a JSON object; `{}` for an empty body; undefined otherwise. */
export function jsonBody(req: restify.Request): Record<string, unknown> | undefined {
  const body: unknown = req.body;
  if (body === undefined || body === null || body === '') return {};
  return isRecord(body) ? body : undefined;
}

/** The query string parameters of a request. */
export function queryParams(req: restify.Request): URLSearchParams {
  return new URL(req.url ?? '/', 'http://localhost').searchParams;
}

/** Sends a JSON error body `{ error, message }` (see {@link sendJsonError}). */
export function sendError(res: restify.Response, status: number, error: string, message: string): void {
  sendJsonError(res, status, error, message);
}

/** Sends a text body (HTML, CSS, JavaScript) with no caching and basic hardening headers. */
export function sendText(
  res: restify.Response,
  status: number,
  contentType: string,
  body: string | Buffer,
  headers: Record<string, string> = {},
): void {
  res.sendRaw(status, body, {
    'content-type': contentType,
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    ...headers,
  });
}
