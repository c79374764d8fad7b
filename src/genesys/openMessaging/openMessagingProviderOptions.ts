import type { Logger } from '../../logger';
import type { RetryPolicy } from '../retryPolicy';
import type { Clock } from '../shared';

/** Options of an {@link OpenMessagingProvider}. */
export interface OpenMessagingProviderOptions {
  /** `https://api.{domain}` or an override. */
  apiUrl: string;
  /** `https://login.{domain}` or an override. */
  loginUrl: string;
  /** The Open Messaging integration id (GUID). */
  integrationId: string;
  /** OAuth client credentials (docs/genesys-protocol.md §6.1). */
  clientId: string;
  /** A secret: never logged. */
  clientSecret: string;
  /** The integration's webhook signature secret token (a secret). */
  webhookSecret: string;
  logger: Logger;
  /** Per-request timeout (default 10,000 ms). */
  requestTimeoutMs?: number;
  /** Backoff of 5xx answers and network failures (default: 0.5 s doubling to 8 s, 4 retries). */
  requestRetryPolicy?: RetryPolicy;
  /** How many 429 answers one call may get before it fails (default 30). */
  maxRateLimitRetries?: number;
  /** Minimum time between two customer typing events (default 5,000 ms). */
  typingIntervalMs?: number;
  /** Longest inbound text part (default 4,000 characters; docs/genesys-protocol.md §6.10). */
  maxTextChars?: number;
  /** Largest participant data on the first message (default 1,900 bytes, §6.2). */
  maxCustomAttributesBytes?: number;
  /** How often every held chat is compared with its conversation (default 60,000 ms; 0 disables). */
  reconcileIntervalMs?: number;
  /** Most conversation reads per second of the reconciler (default 2; the Platform API allows 300/min per token). */
  reconcilePerSecond?: number;
  /** How many webhook message ids are remembered to drop redeliveries (default 10,000). */
  webhookIdWindow?: number;
  /** The courtesy message the agent gets when the customer ends the chat. */
  customerLeftNotice?: string;
  /**
   * Follow chats' detail events over the Notifications API (docs/genesys-protocol.md §6.5; default
   * on): while this instance holds the deployment's subscriber lease (see
   * `OpenMessagingProvider.deploymentDuty`), those of every active chat of the deployment.
   * `maxTopicsPerChannel` default 1,000; `renewBeforeMs` default 1 h before the channel's expiry;
   * `silenceTimeoutMs` default 95 s (heartbeats come about every 30 s).
   */
  notifications?: {
    enabled?: boolean;
    maxTopicsPerChannel?: number;
    renewBeforeMs?: number;
    silenceTimeoutMs?: number;
    reconnectPolicy?: RetryPolicy;
  };
  clock?: Clock;
}
