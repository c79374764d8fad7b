import { createHmac, timingSafeEqual } from 'node:crypto';

/** Header Genesys signs every Open Messaging webhook with (docs/genesys-protocol.md §6.3). */
export const SIGNATURE_HEADER = 'x-hub-signature-256';

const PREFIX = 'sha256=';

/**
 * The `X-Hub-Signature-256` value of a webhook body: `sha256=` + base64 of HMAC-SHA256 over the raw
 * body bytes, keyed with the integration's signature secret token as UTF-8 (docs/genesys-protocol.md §6.3).
 */
export function signWebhook(rawBody: Buffer, secret: string): string {
  return PREFIX + createHmac('sha256', Buffer.from(secret, 'utf8')).update(rawBody).digest('base64');
}

/**
 * True when `header` is the signature of exactly these `rawBody` bytes with `secret`. The digests
 * are compared with `crypto.timingSafeEqual` (a header of another length, a missing prefix or a
 * missing header is refused without comparing). Never throws.
 */
export function verifyWebhookSignature(rawBody: Buffer, header: unknown, secret: string): boolean {
  const value: unknown = Array.isArray(header) ? (header as unknown[])[0] : header;
  if (typeof value !== 'string' || !value.startsWith(PREFIX) || secret === '') return false;
  const expected = createHmac('sha256', Buffer.from(secret, 'utf8')).update(rawBody).digest();
  const given = Buffer.from(value.slice(PREFIX.length), 'base64');
  // A base64 string that does not decode to 32 bytes cannot be a SHA-256 digest.
  if (given.length !== expected.length) return false;
  return timingSafeEqual(given, expected);
}
