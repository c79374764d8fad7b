import axios, { type AxiosInstance, type AxiosResponse } from 'axios';
import type { Logger } from '../../logger';
import { errorClass, telemetry } from '../../telemetry/telemetry';
import { GenesysError, isGenesysError } from '../genesysError';
import { retryAsync, type RetryPolicy } from '../retryPolicy';
import { httpNetworkError, type HttpRequestSummary } from '../shared';
import { mapGuestChatHttpError, parseRetryAfterMs, type GuestChatOperation } from './guestChatErrors';
import {
  toCreateConversationResponse,
  toErrorBody,
  toMemberEntityList,
  toMessageEntityList,
  toWebChatMemberInfo,
  toWebChatMessage,
  type CreateWebChatConversationRequest,
  type CreateWebChatConversationResponse,
  type WebChatBodyType,
  type WebChatMemberInfo,
  type WebChatMessage,
  type WebChatMessageEntityList,
} from './guestChatModels';

/** The ids and token every call after create needs. */
export interface GuestChatCredentials {
  conversationId: string;
  /** The guest's member id. */
  memberId: string;
  /** Bearer token from the create call (a secret). */
  jwt: string;
}

/** Query of `GET .../messages` (docs/genesys-protocol.md §3.5). */
export interface MessagesQuery {
  after?: string;
  before?: string;
  sortOrder?: 'ascending' | 'descending';
  /** At most 100. */
  maxResults?: number;
}

/** Options of a {@link GuestChatRestClient}. */
export interface GuestChatRestClientOptions {
  /** `https://api.{domain}` or an override (simulator). */
  apiUrl: string;
  logger: Logger;
  /** Backoff for 429 and 5xx answers. */
  retryPolicy: RetryPolicy;
  /** Per-request timeout. */
  timeoutMs: number;
  /** A server-given wait longer than this is not waited for: the call fails with `rateLimited`. */
  maxRetryAfterMs: number;
  /** Sent as `Origin` on the create call when the deployment restricts origins. */
  origin?: string;
  /** Injected for tests (records waits without spending them). */
  sleep?: (ms: number) => Promise<void>;
}

const BASE_PATH = '/api/v2/webchat/guest/conversations';

/**
 * The Guest Chat v2 REST calls (docs/genesys-protocol.md §3.1) over axios. Every failure becomes a
 * {@link GenesysError}; 429 (honouring `Retry-After`) and 5xx answers are retried with backoff.
 */
export class GuestChatRestClient {
  private readonly http: AxiosInstance;

  constructor(private readonly options: GuestChatRestClientOptions) {
    this.http = axios.create({
      baseURL: options.apiUrl.replace(/\/+$/, ''),
      timeout: options.timeoutMs,
      // Every status is inspected here, so axios never throws for an HTTP answer.
      validateStatus: () => true,
      headers: { Accept: 'application/json' },
    });
  }

  /** `POST /api/v2/webchat/guest/conversations`: creates the chat (no auth). */
  async createConversation(request: CreateWebChatConversationRequest): Promise<CreateWebChatConversationResponse> {
    const headers: Record<string, string> = { 'Content-Type': 'application/json' };
    if (this.options.origin !== undefined && this.options.origin !== '') headers.Origin = this.options.origin;
    // A 5xx on create is retried: a chat Genesys did create without telling us never gets its event
    // stream attached, so it is never routed to an agent (docs/genesys-protocol.md §3.2).
    const data = await this.call('create', true, { method: 'POST', url: BASE_PATH }, () =>
      this.http.post(BASE_PATH, request, { headers }),
    );
    const response = toCreateConversationResponse(data);
    if (response === undefined)
      throw new GenesysError('protocol', 'guest chat create answered without id, jwt, eventStreamUri or member id');
    return response;
  }

  /** `POST .../members/{memberId}/messages`. Not retried after a network failure or a gateway error (it might have arrived). */
  async sendMessage(
    credentials: GuestChatCredentials,
    body: string,
    bodyType: WebChatBodyType = 'standard',
  ): Promise<WebChatMessage> {
    const path = `${this.conversationPath(credentials)}/members/${encodeURIComponent(credentials.memberId)}/messages`;
    const data = await this.call('sendMessage', false, { method: 'POST', url: path }, () =>
      this.http.post(path, { body, bodyType }, { headers: this.authHeaders(credentials, true) }),
    );
    const message = toWebChatMessage(data);
    if (message === undefined)
      throw new GenesysError('protocol', 'guest chat send answered without a valid WebChatMessage');
    return message;
  }

  /** `POST .../members/{memberId}/typing` (no body). */
  async sendTyping(credentials: GuestChatCredentials): Promise<void> {
    const path = `${this.conversationPath(credentials)}/members/${encodeURIComponent(credentials.memberId)}/typing`;
    await this.call('sendTyping', false, { method: 'POST', url: path }, () =>
      this.http.post(path, undefined, { headers: this.authHeaders(credentials, false) }),
    );
  }

  /** `GET .../messages` with paging parameters. */
  async getMessages(credentials: GuestChatCredentials, query: MessagesQuery): Promise<WebChatMessageEntityList> {
    const params: Record<string, string | number> = {};
    if (query.after !== undefined) params.after = query.after;
    if (query.before !== undefined) params.before = query.before;
    if (query.sortOrder !== undefined) params.sortOrder = query.sortOrder;
    if (query.maxResults !== undefined) params.maxResults = query.maxResults;
    const path = `${this.conversationPath(credentials)}/messages`;
    const data = await this.call('getMessages', true, { method: 'GET', url: path }, () =>
      this.http.get(path, { params, headers: this.authHeaders(credentials, false) }),
    );
    const list = toMessageEntityList(data);
    if (list === undefined) throw new GenesysError('protocol', 'guest chat messages answered without an entity list');
    return list;
  }

  /** `GET .../members/{memberId}`. */
  async getMember(credentials: GuestChatCredentials, memberId: string): Promise<WebChatMemberInfo> {
    const path = `${this.conversationPath(credentials)}/members/${encodeURIComponent(memberId)}`;
    const data = await this.call('getMember', true, { method: 'GET', url: path }, () =>
      this.http.get(path, { headers: this.authHeaders(credentials, false) }),
    );
    const member = toWebChatMemberInfo(data);
    if (member === undefined) throw new GenesysError('protocol', 'guest chat member answered without a member id');
    return member;
  }

  /** `GET .../members`, every page (bounded). */
  async getMembers(credentials: GuestChatCredentials): Promise<WebChatMemberInfo[]> {
    const members: WebChatMemberInfo[] = [];
    const path = `${this.conversationPath(credentials)}/members`;
    for (let pageNumber = 1; pageNumber <= 20; pageNumber++) {
      const params = { pageSize: 100, pageNumber };
      const data = await this.call('getMembers', true, { method: 'GET', url: path }, () =>
        this.http.get(path, { params, headers: this.authHeaders(credentials, false) }),
      );
      const list = toMemberEntityList(data);
      if (list === undefined) throw new GenesysError('protocol', 'guest chat members answered without an entity list');
      members.push(...list.entities);
      const pageCount = list.pageCount ?? 1;
      if (list.entities.length === 0 || pageNumber >= pageCount) break;
    }
    return members;
  }

  /** `DELETE .../members/{memberId}` (204): the guest leaves, which ends the chat. */
  async deleteMember(credentials: GuestChatCredentials): Promise<void> {
    const path = `${this.conversationPath(credentials)}/members/${encodeURIComponent(credentials.memberId)}`;
    await this.call('deleteMember', true, { method: 'DELETE', url: path }, () =>
      this.http.delete(path, { headers: this.authHeaders(credentials, false) }),
    );
  }

  private conversationPath(credentials: GuestChatCredentials): string {
    return `${BASE_PATH}/${encodeURIComponent(credentials.conversationId)}`;
  }

  private authHeaders(credentials: GuestChatCredentials, json: boolean): Record<string, string> {
    const headers: Record<string, string> = { Authorization: `Bearer ${credentials.jwt}` };
    if (json) headers['Content-Type'] = 'application/json';
    return headers;
  }

  /**
   * Runs one request with retries and returns its parsed JSON (undefined for an empty body).
   * `idempotent` calls are also retried after a network failure or timeout.
   */
  private async call(
    operation: GuestChatOperation,
    idempotent: boolean,
    request: HttpRequestSummary,
    send: () => Promise<AxiosResponse<unknown>>,
  ): Promise<unknown> {
    const { logger, retryPolicy, maxRetryAfterMs, sleep } = this.options;
    return retryAsync(
      async () => {
        let response: AxiosResponse<unknown>;
        try {
          response = await send();
        } catch (err) {
          throw httpNetworkError(request, err, `guest chat ${operation} failed`);
        }
        const data: unknown = response.data;
        if (response.status >= 200 && response.status < 300) return data;
        const body = toErrorBody(data);
        const retryAfterMs =
          response.status === 429 ? parseRetryAfterMs(response.headers['retry-after'], body) : undefined;
        throw mapGuestChatHttpError({ operation, status: response.status, body, retryAfterMs, request });
      },
      {
        policy: retryPolicy,
        isRetryable: (err) => {
          if (!isGenesysError(err)) return false;
          if (err.code === 'rateLimited') return err.retryAfterMs === undefined || err.retryAfterMs <= maxRetryAfterMs;
          // A gateway error (502/504) may hide a request that arrived: only idempotent calls retry it.
          if (err.code === 'serverError') return idempotent || err.status === 500 || err.status === 503;
          return idempotent && (err.code === 'network' || err.code === 'timeout');
        },
        retryAfterMs: (err) => (isGenesysError(err) ? err.retryAfterMs : undefined),
        onRetry: (err, attempt, waitMs) => {
          const fields = isGenesysError(err)
            ? { code: err.code, status: err.status, genesysCode: err.genesysCode }
            : {};
          logger.debug({ operation, attempt, waitMs, ...fields }, 'guest chat request failed; retrying');
          if (operation === 'sendMessage') telemetry().deliveryRetry('genesys', errorClass(err));
        },
        ...(sleep === undefined ? {} : { sleep }),
      },
    );
  }
}
