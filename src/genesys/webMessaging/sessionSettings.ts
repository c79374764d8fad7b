import type { Clock } from '../shared';
import type { DeploymentConfig } from './deploymentConfig';
import type { HistoryRateLimit } from './historyBudget';
import type { HistoryClient } from './historyClient';
import type { WebMessagingConnectionOptions } from './webMessagingConnection';

/** Settings a session shares with its provider (already defaulted). */
export interface SessionSettings {
  connection: Omit<
    WebMessagingConnectionOptions,
    'token' | 'logger' | 'onFrame' | 'onConfigured' | 'onGiveUp' | 'onDrop' | 'onEchoAnswer'
  >;
  messagesPerSecond: number;
  endMode: 'clear' | 'notice';
  typingIntervalMs: number;
  reorderWindowMs: number;
  /** How long a send waits for a dropped link to come back before failing. */
  reconnectWaitMs: number;
  maxRateLimitRetries: number;
  historyPageSize: number;
  maxHistoryPages: number;
  /** History reads allowed per session (docs/genesys-protocol.md §5.7: 10 a minute). */
  historyRateLimit: HistoryRateLimit;
  history: HistoryClient;
  /** Link outages, session lifetime and late answers (see {@link WebMessagingProviderOptions}). */
  resilience: SessionResilience;
  /** The deployment's public configuration, once read (docs/genesys-protocol.md §5.13). */
  deployment: () => DeploymentConfig | undefined;
  /** Clock of typing throttling, pacing and rate-limit waits (default: the system clock). */
  clock?: Clock;
}

/** How a session rides out a bad link, a slow Genesys and a session lifetime (all in ms). */
export interface SessionResilience {
  /** How long the link may be down before the user is told (0: never). */
  linkDownNoticeMs: number;
  /** How long a restored link must stay up before the user is told it is back. */
  linkStableMs: number;
  /** Continuous downtime after which the chat ends as `failed` (0: the reconnect policy's own limit). */
  reconnectGiveUpMs: number;
  /** How long a message still waits for its answer after the response timeout. */
  lateAnswerWaitMs: number;
  /** How long before the session expires the user is warned (capped at half the lifetime). */
  expiryNoticeMs: number;
}
