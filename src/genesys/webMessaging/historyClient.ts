import axios, { isAxiosError } from 'axios';
import type { Logger } from '../../logger';
import { GenesysError } from '../genesysError';
import { retryAsync, type RetryPolicy } from '../retryPolicy';
import { parseHistoryPage, type HistoryPage } from './frames';

/** Options of {@link HistoryClient}. */
export interface HistoryClientOptions {
  /** `https://api.{domain}` (no trailing slash needed). */
  apiUrl: string;
  origin?: string;
  retryPolicy: RetryPolicy;
  timeoutMs: number;
  logger: Logger;
}

function retryAfterHeaderMs(value: unknown): number | undefined {
  if (typeof value !== 'string' && typeof value !== 'number') return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return Math.round(seconds * 1000);
  const date = Date.parse(String(value));
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

/**
 * Reads the guest's conversation history over REST (docs/genesys-protocol.md §5.8):
 * `GET {apiUrl}/api/v2/webmessaging/messages?pageSize=&pageNumber=` with the session's JWT.
 * Retries 429 (honouring `Retry-After`), 5xx and network failures with the injected policy.
 */
export class HistoryClient {
  constructor(private readonly options: HistoryClientOptions) {}

  /** Fetches one page (newest first). `jwt` comes from `getJwt`; it is a secret and never logged. */
  fetchPage(jwt: string, pageNumber: number, pageSize: number): Promise<HistoryPage> {
    const url = `${this.options.apiUrl.replace(/\/+$/, '')}/api/v2/webmessaging/messages`;
    return retryAsync(
      async () => {
        let response;
        try {
          response = await axios.get<unknown>(url, {
            params: { pageSize, pageNumber },
            headers: {
              Authorization: `bearer ${jwt}`,
              ...(this.options.origin === undefined ? {} : { Origin: this.options.origin }),
            },
            timeout: this.options.timeoutMs,
            validateStatus: () => true,
          });
        } catch (err) {
          const code = isAxiosError(err) && err.code === 'ECONNABORTED' ? 'timeout' : 'network';
          throw new GenesysError(code, 'history request failed', { cause: err });
        }
        const status = response.status;
        if (status === 429) {
          const retryAfterMs = retryAfterHeaderMs(response.headers['retry-after']);
          throw new GenesysError('rateLimited', 'history request rate limited', {
            status,
            ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
          });
        }
        if (status === 401 || status === 403)
          throw new GenesysError('unauthorized', `history request refused with HTTP ${status}`, { status });
        if (status >= 500)
          throw new GenesysError('serverError', `history request failed with HTTP ${status}`, { status });
        if (status < 200 || status >= 300)
          throw new GenesysError('badRequest', `history request failed with HTTP ${status}`, { status });
        const page = parseHistoryPage(response.data);
        if (page === undefined)
          throw new GenesysError('protocol', 'history response has an unexpected shape', { status });
        return page;
      },
      {
        policy: this.options.retryPolicy,
        isRetryable: (err) => err instanceof GenesysError && err.transient,
        retryAfterMs: (err) => (err instanceof GenesysError ? err.retryAfterMs : undefined),
        onRetry: (err, attempt, waitMs) => {
          this.options.logger.info({ err, attempt, waitMs }, 'retrying web messaging history request');
        },
      },
    );
  }
}
