import axios from 'axios';
import type { Logger } from '../../logger';
import { GenesysError } from '../genesysError';
import { RETRY_AFTER_JITTER, retryAsync, type RetryPolicy } from '../retryPolicy';
import { httpNetworkError, httpStatusError, parseRetryAfter, type HttpRequestSummary } from '../shared';
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

/**
 * Reads the guest's conversation history over REST (docs/genesys-protocol.md §5.8):
 * `GET {apiUrl}/api/v2/webmessaging/messages?pageSize=&pageNumber=` with the session's JWT.
 * Retries 429 (honouring `Retry-After`), 5xx and network failures with the injected policy.
 * Failures are {@link GenesysError}s whose cause never holds the request headers.
 */
export class HistoryClient {
  constructor(private readonly options: HistoryClientOptions) {}

  /**
   * Fetches one page (newest first). `jwt` comes from `getJwt`; it is a secret and never logged.
   * `beforeAttempt` runs before every call, retries included (the session's history budget).
   */
  fetchPage(
    jwt: string,
    pageNumber: number,
    pageSize: number,
    beforeAttempt?: () => Promise<void>,
  ): Promise<HistoryPage> {
    const url = `${this.options.apiUrl.replace(/\/+$/, '')}/api/v2/webmessaging/messages`;
    const request: HttpRequestSummary = { method: 'GET', url };
    return retryAsync(
      async () => {
        await beforeAttempt?.();
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
          throw httpNetworkError(request, err, 'history request failed');
        }
        const status = response.status;
        if (status < 200 || status >= 300) {
          const retryAfterMs = status === 429 ? parseRetryAfter(response.headers['retry-after']) : undefined;
          throw httpStatusError(
            { request, status, body: response.data, retryAfterMs },
            `history request failed with HTTP ${status}`,
          );
        }
        const page = parseHistoryPage(response.data);
        if (page === undefined)
          throw new GenesysError('protocol', 'history response has an unexpected shape', { status });
        return page;
      },
      {
        policy: this.options.retryPolicy,
        isRetryable: (err) => err instanceof GenesysError && err.transient,
        retryAfterMs: (err) => (err instanceof GenesysError ? err.retryAfterMs : undefined),
        retryAfterJitter: RETRY_AFTER_JITTER,
        onRetry: (err, attempt, waitMs) => {
          this.options.logger.info({ err, attempt, waitMs }, 'retrying web messaging history request');
        },
      },
    );
  }
}
