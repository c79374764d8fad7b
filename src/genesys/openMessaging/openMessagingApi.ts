import axios, { type AxiosInstance, type AxiosResponse } from 'axios';
import type { Logger } from '../../logger';
import { GenesysError, isGenesysError } from '../genesysError';
import type { RetryPolicy } from '../retryPolicy';
import { httpNetworkError, httpStatusError, parseRetryAfter, systemClock, type Clock } from '../shared';
import type { OAuthTokenSource } from './oauthTokens';
import {
  toConversationSnapshot,
  type ConversationSnapshot,
  type InboundEventBody,
  type InboundMessageBody,
  type InboundReceiptBody,
  type InboundStructuredResponseBody,
} from './payloads';

/** Options of {@link OpenMessagingApi}. */
export interface OpenMessagingApiOptions {
  /** `https://api.{domain}` or an override (`GenesysApiUrl`). */
  apiUrl: string;
  integrationId: string;
  tokens: OAuthTokenSource;
  /** Per-request timeout in ms. */
  timeoutMs: number;
  /** Backoff of 5xx answers and network failures. */
  retryPolicy: RetryPolicy;
  /** How many 429 answers one call may get before it fails with `rateLimited`. */
  maxRateLimitRetries: number;
  logger: Logger;
  clock?: Clock;
}

interface CallSpec {
  method: 'GET' | 'POST' | 'PATCH' | 'PUT';
  path: string;
  body?: unknown;
  query?: Record<string, string>;
}

/**
 * The Platform API calls of Open Messaging (docs/genesys-protocol.md §6.8) with a client-credentials
 * token: a 401 renews the token once and repeats the call; a 429 waits for `Retry-After` (or the
 * retry policy's delay) up to `maxRateLimitRetries` times; 5xx answers and network failures are
 * retried by the policy. Repeating an inbound message is safe: Genesys takes the pair
 * (`channel.messageId`, `channel.time`) as the message's identity (§6.2). Every failure is a {@link GenesysError}.
 */
export class OpenMessagingApi {
  private readonly http: AxiosInstance;
  private readonly clock: Clock;
  private readonly inboundPath: string;

  constructor(private readonly options: OpenMessagingApiOptions) {
    this.clock = options.clock ?? systemClock;
    this.http = axios.create({
      baseURL: options.apiUrl.replace(/\/+$/, ''),
      timeout: options.timeoutMs,
      validateStatus: () => true,
      headers: { Accept: 'application/json' },
    });
    this.inboundPath = `/api/v2/conversations/messages/${encodeURIComponent(options.integrationId)}/inbound/open`;
  }

  /**
   * `POST .../inbound/open/message?prefetchConversationId=true`: a customer message.
   * @returns Genesys' message id and the conversation id.
   */
  async sendMessage(body: InboundMessageBody): Promise<{ id: string; conversationId: string | undefined }> {
    const data = await this.call({
      method: 'POST',
      path: `${this.inboundPath}/message`,
      body,
      query: { prefetchConversationId: 'true' },
    });
    const answer = (typeof data === 'object' && data !== null ? data : {}) as {
      id?: unknown;
      conversationId?: unknown;
    };
    return {
      id: typeof answer.id === 'string' ? answer.id : '',
      conversationId: typeof answer.conversationId === 'string' ? answer.conversationId : undefined,
    };
  }

  /** `POST .../inbound/open/event`: customer typing. */
  async sendEvent(body: InboundEventBody): Promise<void> {
    await this.call({ method: 'POST', path: `${this.inboundPath}/event`, body });
  }

  /** `POST .../inbound/open/receipt`: the delivery receipt of an agent message. */
  async sendReceipt(body: InboundReceiptBody): Promise<void> {
    await this.call({ method: 'POST', path: `${this.inboundPath}/receipt`, body });
  }

  /** `POST .../inbound/open/structured/response`: the answer to a quick reply or button. */
  async sendStructuredResponse(body: InboundStructuredResponseBody): Promise<void> {
    await this.call({ method: 'POST', path: `${this.inboundPath}/structured/response`, body });
  }

  /** `GET /api/v2/conversations/messages/{conversationId}`: participants and their states. */
  async getConversation(conversationId: string): Promise<ConversationSnapshot> {
    const data = await this.call({
      method: 'GET',
      path: `/api/v2/conversations/messages/${encodeURIComponent(conversationId)}`,
    });
    const snapshot = toConversationSnapshot(data);
    if (snapshot === undefined) throw new GenesysError('protocol', 'the conversation answer has no participants list');
    return snapshot;
  }

  /** `PATCH .../participants/{participantId}` `{"state":"disconnected"}` (docs/genesys-protocol.md §6.6). */
  async disconnectParticipant(conversationId: string, participantId: string): Promise<void> {
    await this.call({
      method: 'PATCH',
      path: `/api/v2/conversations/messages/${encodeURIComponent(conversationId)}/participants/${encodeURIComponent(participantId)}`,
      body: { state: 'disconnected' },
    });
  }

  /** `GET /api/v2/users/{userId}`: the agent's display name (docs/genesys-protocol.md §6.4). */
  async getUserName(userId: string): Promise<string | undefined> {
    const data = await this.call({ method: 'GET', path: `/api/v2/users/${encodeURIComponent(userId)}` });
    const name = typeof data === 'object' && data !== null ? (data as { name?: unknown }).name : undefined;
    return typeof name === 'string' && name.trim() !== '' ? name : undefined;
  }

  /** `POST /api/v2/notifications/channels` (docs/genesys-protocol.md §6.5): a streaming channel. */
  async createChannel(): Promise<{ id: string; connectUri: string; expiresAt: number | undefined }> {
    const data = await this.call({ method: 'POST', path: '/api/v2/notifications/channels', body: {} });
    const answer = (typeof data === 'object' && data !== null ? data : {}) as Record<string, unknown>;
    const { id, connectUri, expires } = answer;
    if (typeof id !== 'string' || typeof connectUri !== 'string')
      throw new GenesysError('protocol', 'the notifications channel answer has no id or connectUri');
    const expiresAt = typeof expires === 'string' ? Date.parse(expires) : Number.NaN;
    return { id, connectUri, expiresAt: Number.isNaN(expiresAt) ? undefined : expiresAt };
  }

  /**
   * `PUT /api/v2/notifications/channels/{id}/subscriptions` with `[ { id: topic } ]`: replaces the
   * channel's topics. Returns the topics Genesys rejected (with the reason when given).
   */
  async replaceSubscriptions(channelId: string, topics: readonly string[]): Promise<string[]> {
    const data = await this.call({
      method: 'PUT',
      path: `/api/v2/notifications/channels/${encodeURIComponent(channelId)}/subscriptions`,
      body: topics.map((id) => ({ id })),
    });
    const entities = typeof data === 'object' && data !== null ? (data as { entities?: unknown }).entities : undefined;
    if (!Array.isArray(entities)) return [];
    return entities.flatMap((entry: unknown) => {
      if (typeof entry !== 'object' || entry === null) return [];
      const { id, state, rejectionReason } = entry as Record<string, unknown>;
      if (state !== 'Rejected' || typeof id !== 'string') return [];
      return [typeof rejectionReason === 'string' ? `${id} (${rejectionReason})` : id];
    });
  }

  private async call(spec: CallSpec): Promise<unknown> {
    const request = { method: spec.method, url: spec.path };
    let renewed = false;
    let rateLimited = 0;
    let failures = 0;
    for (;;) {
      const token = await this.options.tokens.token();
      let response: AxiosResponse<unknown>;
      try {
        response = await this.http.request<unknown>({
          method: spec.method,
          url: spec.path,
          ...(spec.body === undefined ? {} : { data: spec.body }),
          ...(spec.query === undefined ? {} : { params: spec.query }),
          headers: {
            Authorization: `Bearer ${token}`,
            ...(spec.body === undefined ? {} : { 'Content-Type': 'application/json' }),
          },
        });
      } catch (err) {
        const error = httpNetworkError(request, err, `${spec.method} ${spec.path} got no answer`);
        failures++;
        await this.waitOrThrow(error, this.options.retryPolicy(failures), undefined);
        continue;
      }
      const { status } = response;
      if (status >= 200 && status < 300) return response.data;
      const retryAfterMs = parseRetryAfter(response.headers['retry-after'], this.clock.now());
      const error = httpStatusError(
        { request, status, body: response.data, retryAfterMs, genesysCode: genesysCodeOf(response.data) },
        `Genesys answered ${status} to ${spec.method} ${spec.path}`,
      );
      if (status === 401 && !renewed) {
        // One renewal per call: the token may have expired or been revoked since it was cached.
        renewed = true;
        this.options.tokens.invalidate(token);
        this.options.logger.info({ path: error.message }, 'access token refused; renewing it once');
        continue;
      }
      if (status === 429) {
        rateLimited++;
        await this.waitOrThrow(
          error,
          rateLimited > this.options.maxRateLimitRetries ? null : (retryAfterMs ?? this.options.retryPolicy(1) ?? 1000),
          'rate limited by Genesys; waiting',
        );
        continue;
      }
      if (status >= 500) {
        failures++;
        await this.waitOrThrow(error, this.options.retryPolicy(failures), 'Genesys server error; retrying');
        continue;
      }
      throw error;
    }
  }

  private async waitOrThrow(error: GenesysError, waitMs: number | null, message: string | undefined): Promise<void> {
    if (waitMs === null) throw error;
    if (message !== undefined) this.options.logger.warn({ code: error.code, waitMs, err: error }, message);
    await this.clock.sleep(waitMs);
  }
}

function genesysCodeOf(body: unknown): string | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const code = (body as { code?: unknown }).code;
  return typeof code === 'string' ? code : undefined;
}

/** True for a `GenesysError` Genesys answered with 404 (an unknown conversation or participant). */
export function isNotFound(err: unknown): boolean {
  return isGenesysError(err) && err.status === 404;
}
