import axios, { type AxiosInstance } from 'axios';
import type { Logger } from '../../logger';
import { GenesysError } from '../genesysError';
import { httpNetworkError, httpStatusError, parseRetryAfter, systemClock, type Clock } from '../shared';

/** Options of {@link OAuthTokenSource}. */
export interface OAuthTokenSourceOptions {
  /** `https://login.{domain}` or an override (`GenesysLoginUrl`). */
  loginUrl: string;
  clientId: string;
  /** A secret: never logged. */
  clientSecret: string;
  /** Request timeout in ms. */
  timeoutMs: number;
  /** A token is renewed this long before it expires (ms; default 60,000, as Microsoft's sample). */
  refreshMarginMs?: number;
  logger: Logger;
  clock?: Clock;
}

/** `expires_in` assumed when the token answer has none (seconds; docs/genesys-protocol.md §6.1). */
const DEFAULT_EXPIRES_IN_SECONDS = 3600;

/**
 * A client-credentials access token (docs/genesys-protocol.md §6.1): `POST {loginUrl}/oauth/token`
 * with Basic auth and `grant_type=client_credentials`. The token is cached and renewed
 * `refreshMarginMs` before it expires; concurrent callers share one request. {@link invalidate}
 * drops a token Genesys refused (a 401), so the next call fetches a new one.
 */
export class OAuthTokenSource {
  private readonly http: AxiosInstance;
  private readonly clock: Clock;
  private readonly marginMs: number;
  private current: { token: string; renewAt: number } | undefined;
  private pending: Promise<string> | undefined;
  private issued = 0;

  constructor(private readonly options: OAuthTokenSourceOptions) {
    this.clock = options.clock ?? systemClock;
    this.marginMs = options.refreshMarginMs ?? 60_000;
    this.http = axios.create({
      baseURL: options.loginUrl.replace(/\/+$/, ''),
      timeout: options.timeoutMs,
      validateStatus: () => true,
    });
  }

  /** How many tokens were fetched so far. */
  get tokensFetched(): number {
    return this.issued;
  }

  /**
   * A valid access token (a secret: never log it).
   * @throws GenesysError `unauthorized` when the client is refused, `rateLimited`, `serverError`, `network`, `timeout` or `protocol`.
   */
  async token(): Promise<string> {
    const current = this.current;
    if (current !== undefined && this.clock.now() < current.renewAt) return current.token;
    this.pending ??= this.fetch().finally(() => {
      this.pending = undefined;
    });
    return this.pending;
  }

  /** Forgets `token` when it is still the cached one (Genesys answered 401 to it). */
  invalidate(token: string): void {
    if (this.current?.token === token) this.current = undefined;
  }

  private async fetch(): Promise<string> {
    const request = { method: 'POST', url: '/oauth/token' };
    const basic = Buffer.from(`${this.options.clientId}:${this.options.clientSecret}`, 'utf8').toString('base64');
    let response;
    try {
      response = await this.http.post<unknown>('/oauth/token', 'grant_type=client_credentials', {
        headers: { Authorization: `Basic ${basic}`, 'Content-Type': 'application/x-www-form-urlencoded' },
      });
    } catch (err) {
      throw httpNetworkError(request, err, 'the Genesys login service could not be reached');
    }
    if (response.status < 200 || response.status >= 300) {
      throw httpStatusError(
        {
          request,
          status: response.status,
          body: response.data,
          retryAfterMs: parseRetryAfter(response.headers['retry-after'], this.clock.now()),
        },
        `the Genesys login service refused the OAuth client (${response.status})`,
      );
    }
    const data = response.data as { access_token?: unknown; expires_in?: unknown } | undefined;
    const token = data?.access_token;
    if (typeof token !== 'string' || token === '')
      throw new GenesysError('protocol', 'the Genesys login service answered without an access_token');
    const expiresIn =
      typeof data?.expires_in === 'number' && data.expires_in > 0 ? data.expires_in : DEFAULT_EXPIRES_IN_SECONDS;
    const lifetimeMs = expiresIn * 1000;
    // A short-lived token is renewed at half its life rather than never being cached.
    const margin = Math.min(this.marginMs, lifetimeMs / 2);
    this.current = { token, renewAt: this.clock.now() + lifetimeMs - margin };
    this.issued++;
    this.options.logger.debug({ expiresIn }, 'genesys access token obtained');
    return token;
  }
}
