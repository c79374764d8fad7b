import { randomBytes, timingSafeEqual } from 'node:crypto';
import { SimHttpError, type SimRequest, type SimResponse } from './simHttp';

/** An OAuth client of the simulated org (client credentials grant). */
export interface SimulatedOAuthClient {
  clientId: string;
  clientSecret: string;
}

/** Options of {@link OAuthTokens}. */
export interface OAuthTokensOptions {
  clients: SimulatedOAuthClient[];
  /** [I] Token lifetime in seconds reported as `expires_in` (default 86,400; Genesys lets an org set it per client). */
  tokenLifetimeSeconds: number;
  /** [C] Platform API requests per minute per token (docs/genesys-protocol.md §6.1: 300). */
  requestsPerMinute: number;
  now: () => number;
}

interface IssuedToken {
  clientId: string;
  expiresAt: number;
  requestTimes: number[];
}

function sameSecret(a: string, b: string): boolean {
  const left = Buffer.from(a, 'utf8');
  const right = Buffer.from(b, 'utf8');
  return left.length === right.length && timingSafeEqual(left, right);
}

/**
 * The login service: `POST /oauth/token` with the client credentials grant, and the bearer check and
 * per-token rate limit every Platform API call goes through (docs/genesys-protocol.md §6.1).
 */
export class OAuthTokens {
  private readonly tokens = new Map<string, IssuedToken>();
  private forced: { remaining: number; retryAfterSeconds: number } | undefined;
  /** Calls answered 429. */
  rateLimited = 0;
  /** Tokens issued. */
  issued = 0;

  constructor(private readonly options: OAuthTokensOptions) {}

  /** Changes the lifetime of tokens issued from now on. */
  setTokenLifetimeSeconds(seconds: number): void {
    this.options.tokenLifetimeSeconds = seconds;
  }

  /** Changes the per-token request budget. */
  setRequestsPerMinute(perMinute: number): void {
    this.options.requestsPerMinute = perMinute;
  }

  /** Makes every issued token invalid now (the next API call answers 401). */
  expireAll(): void {
    for (const token of this.tokens.values()) token.expiresAt = 0;
  }

  /** The next `count` API calls answer 429 with `Retry-After: retryAfterSeconds`, whatever the budget. */
  forceRateLimit(count: number, retryAfterSeconds: number): void {
    this.forced = { remaining: count, retryAfterSeconds };
  }

  /**
   * `POST /oauth/token` [C] (docs/genesys-protocol.md §6.1): `Authorization: Basic base64(id:secret)`,
   * form body `grant_type=client_credentials` → `{ access_token, token_type, expires_in }`.
   * Error bodies follow RFC 6749 §5.2 [I] (`invalid_client` 401, `unsupported_grant_type` 400).
   */
  handleTokenRequest(req: SimRequest): SimResponse {
    const form = new URLSearchParams(req.rawBody.toString('utf8'));
    const basic = /^basic\s+(\S+)$/i.exec(req.headers.authorization ?? '');
    let clientId = form.get('client_id') ?? '';
    let clientSecret = form.get('client_secret') ?? '';
    if (basic?.[1] !== undefined) {
      const decoded = Buffer.from(basic[1], 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      clientId = colon < 0 ? decoded : decoded.slice(0, colon);
      clientSecret = colon < 0 ? '' : decoded.slice(colon + 1);
    }
    const client = this.options.clients.find((c) => c.clientId === clientId);
    if (client === undefined || !sameSecret(client.clientSecret, clientSecret)) {
      return {
        status: 401,
        body: { error: 'invalid_client', description: 'client not found', error_description: 'client not found' },
      };
    }
    if (form.get('grant_type') !== 'client_credentials') {
      return {
        status: 400,
        body: {
          error: 'unsupported_grant_type',
          description: 'grant type not supported',
          error_description: 'grant type not supported',
        },
      };
    }
    const accessToken = randomBytes(32).toString('base64url');
    const lifetime = this.options.tokenLifetimeSeconds;
    this.tokens.set(accessToken, { clientId, expiresAt: this.options.now() + lifetime * 1000, requestTimes: [] });
    this.issued++;
    return { status: 200, body: { access_token: accessToken, token_type: 'bearer', expires_in: lifetime } };
  }

  /**
   * Checks `Authorization: Bearer` and the rate limit of an API call; returns the client id.
   * Throws 401 `bad.credentials` for a missing, unknown or expired token [C] status, [I] code, and
   * 429 `too.many.requests` with `Retry-After` in seconds when the token's budget is spent
   * (docs/genesys-protocol.md §6.10: [C] budget, [I] header).
   */
  authorize(req: SimRequest): string {
    const bearer = /^bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '');
    const token = bearer?.[1] === undefined ? undefined : this.tokens.get(bearer[1]);
    const now = this.options.now();
    if (token === undefined || token.expiresAt <= now) {
      throw new SimHttpError(401, 'bad.credentials', 'Invalid login credentials.');
    }
    if (this.forced !== undefined && this.forced.remaining > 0) {
      this.forced.remaining--;
      this.rateLimited++;
      throw this.tooManyRequests(this.forced.retryAfterSeconds);
    }
    token.requestTimes = token.requestTimes.filter((t) => now - t < 60_000);
    if (token.requestTimes.length >= this.options.requestsPerMinute) {
      const oldest = token.requestTimes[0] ?? now;
      this.rateLimited++;
      throw this.tooManyRequests(Math.max(1, Math.ceil((oldest + 60_000 - now) / 1000)));
    }
    token.requestTimes.push(now);
    return token.clientId;
  }

  private tooManyRequests(retryAfterSeconds: number): SimHttpError {
    return new SimHttpError(
      429,
      'too.many.requests',
      `Rate limit exceeded the maximum. Retry the request in [${retryAfterSeconds}] seconds`,
      { 'retry-after': String(retryAfterSeconds) },
    );
  }
}
