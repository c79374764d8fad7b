import { randomBytes, randomUUID } from 'node:crypto';
import { isRecord } from '../../json';

/** The claims of a Guest Chat JWT as captured from a real create response (docs/genesys-protocol.md §3.2 [O]). */
export interface GuestChatJwtClaims {
  data: { conv: string; did: string; sub: string };
  iss: string;
  org: string;
  /** Seconds since the epoch. */
  iat: number;
  /** Seconds since the epoch. */
  exp: number;
}

function base64UrlJson(value: unknown): string {
  return Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');
}

/**
 * Issues an RS256-looking JWT carrying `data.conv/did/sub` like Genesys' (docs/genesys-protocol.md §3.2 [O]).
 * The signature is random bytes: the simulator accepts only tokens it issued, which stands in for a signature check.
 */
export function issueGuestChatJwt(claims: GuestChatJwtClaims): string {
  const header = { alg: 'RS256', kid: randomUUID(), typ: 'JWT' };
  return `${base64UrlJson(header)}.${base64UrlJson(claims)}.${randomBytes(128).toString('base64url')}`;
}

/** Decodes the claims of a token issued by {@link issueGuestChatJwt}; undefined for anything else. */
export function decodeGuestChatJwt(token: string): GuestChatJwtClaims | undefined {
  const parts = token.split('.');
  if (parts.length !== 3) return undefined;
  const payloadPart = parts[1] ?? '';
  let payload: unknown;
  try {
    payload = JSON.parse(Buffer.from(payloadPart, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
  if (!isRecord(payload) || !isRecord(payload.data)) return undefined;
  const { conv, did, sub } = payload.data;
  const { iss, org, iat, exp } = payload;
  if (typeof conv !== 'string' || typeof did !== 'string' || typeof sub !== 'string') return undefined;
  if (typeof iss !== 'string' || typeof org !== 'string' || typeof iat !== 'number' || typeof exp !== 'number')
    return undefined;
  return { data: { conv, did, sub }, iss, org, iat, exp };
}
