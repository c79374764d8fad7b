import { createHmac } from 'node:crypto';
import type { Logger } from '../../logger';

/** Where and how an integration's webhooks go (docs/genesys-protocol.md §6.1, §6.3). */
export interface WebhookTarget {
  /** `outboundNotificationWebhookUrl`. */
  url: string;
  /** `outboundNotificationWebhookSignatureSecretToken`. */
  secret: string;
  /** `webhookHeaders`: sent with every request [I] (§6.3). */
  headers: Record<string, string>;
}

/** Genesys' delivery policy (docs/genesys-protocol.md §6.3) [C]: 10 s to answer, 5 retries 5 s apart. */
export interface WebhookPolicy {
  timeoutMs: number;
  maxRetries: number;
  retryDelayMs: number;
}

/** Knobs that make delivery misbehave the ways a receiver must survive (docs/genesys-protocol.md §6.7). */
export interface WebhookKnobs {
  /** Deliver every payload twice (same bytes, same id). */
  duplicate: boolean;
  /** `reverse`: payloads are held for `batchMs` and delivered newest first. */
  reorder: 'none' | 'reverse';
  /** How long payloads are collected when reordering (ms). */
  batchMs: number;
}

/** One HTTP attempt of one webhook delivery. */
export interface WebhookAttempt {
  /** The payload's `id`. */
  payloadId: string;
  conversationId: string;
  /** 1 for the first try, 2.. for retries. */
  attempt: number;
  /** HTTP status, when the receiver answered. */
  status?: number;
  /** `timeout` or the network error, when it did not. */
  error?: string;
  /** Whether the attempt counts as delivered (2xx). */
  delivered: boolean;
  at: string;
}

/**
 * `X-Hub-Signature-256` value (docs/genesys-protocol.md §6.3) [C]:
 * `"sha256=" + base64(HMAC-SHA256(key = secret (UTF-8), data = raw body))`.
 */
export function signWebhookBody(secret: string, rawBody: Buffer): string {
  return `sha256=${createHmac('sha256', Buffer.from(secret, 'utf8')).update(rawBody).digest('base64')}`;
}

interface Job {
  target: WebhookTarget;
  conversationId: string;
  payloadId: string;
  raw: Buffer;
}

/**
 * Delivers signed webhooks with Genesys' timeout and retry policy. Payloads of one conversation are
 * delivered one after another [I] (Genesys publishes no ordering guarantee, §6.3).
 */
export class WebhookDelivery {
  private readonly chains = new Map<string, Promise<void>>();
  private readonly log: WebhookAttempt[] = [];
  private readonly timers = new Set<NodeJS.Timeout>();
  private held: Job[] = [];
  private heldTimer: NodeJS.Timeout | undefined;
  private pendingCount = 0;
  private stopped = false;

  constructor(
    private readonly policy: WebhookPolicy,
    private knobs: WebhookKnobs,
    private readonly logger: Logger,
    private readonly onChange: () => void,
  ) {}

  /** Jobs queued, in flight or waiting for a retry. */
  get pending(): number {
    return this.pendingCount;
  }

  /** Every attempt so far, oldest first. */
  attempts(): WebhookAttempt[] {
    return this.log.map((attempt) => ({ ...attempt }));
  }

  /** Changes the delivery knobs for payloads sent from now on. */
  setKnobs(knobs: Partial<WebhookKnobs>): void {
    this.knobs = { ...this.knobs, ...knobs };
  }

  /** Changes the timeout/retry policy for attempts made from now on. */
  setPolicy(policy: Partial<WebhookPolicy>): void {
    Object.assign(this.policy, policy);
  }

  /** Queues `payload` for delivery to `target`; the bytes signed are exactly the bytes sent. */
  send(target: WebhookTarget, conversationId: string, payload: { id: string }): void {
    if (this.stopped) return;
    const job: Job = {
      target,
      conversationId,
      payloadId: payload.id,
      raw: Buffer.from(JSON.stringify(payload), 'utf8'),
    };
    const copies = this.knobs.duplicate ? [job, { ...job }] : [job];
    this.pendingCount += copies.length;
    if (this.knobs.reorder === 'none') {
      for (const copy of copies) this.enqueue(copy);
      return;
    }
    this.held.push(...copies);
    this.heldTimer ??= setTimeout(() => {
      this.heldTimer = undefined;
      const batch = this.held.reverse();
      this.held = [];
      for (const held of batch) this.enqueue(held);
    }, this.knobs.batchMs);
  }

  /** Drops queued jobs and retry timers; attempts in flight finish but are not retried. */
  stop(): void {
    this.stopped = true;
    if (this.heldTimer !== undefined) clearTimeout(this.heldTimer);
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    this.pendingCount = 0;
    this.held = [];
    this.onChange();
  }

  private enqueue(job: Job): void {
    const previous = this.chains.get(job.conversationId) ?? Promise.resolve();
    const next = previous.then(() => this.deliver(job));
    this.chains.set(job.conversationId, next);
    void next.finally(() => {
      if (this.chains.get(job.conversationId) === next) this.chains.delete(job.conversationId);
    });
  }

  private async deliver(job: Job): Promise<void> {
    for (let attempt = 1; attempt <= this.policy.maxRetries + 1 && !this.stopped; attempt++) {
      if (attempt > 1) await this.delay(this.policy.retryDelayMs);
      if (this.isStopped()) break;
      const outcome = await this.attempt(job);
      this.log.push({
        payloadId: job.payloadId,
        conversationId: job.conversationId,
        attempt,
        ...outcome,
        at: new Date().toISOString(),
      });
      this.onChange();
      if (outcome.delivered) break;
      // [C] retry on timeout, 429 and 5xx; [I] other statuses are final.
      const retryable = outcome.status === undefined || outcome.status === 429 || outcome.status >= 500;
      if (!retryable) break;
    }
    if (!this.stopped) this.pendingCount--;
    this.onChange();
  }

  private async attempt(job: Job): Promise<{ delivered: boolean; status?: number; error?: string }> {
    try {
      const response = await fetch(job.target.url, {
        method: 'POST',
        headers: {
          ...job.target.headers,
          'content-type': 'application/json',
          'x-hub-signature-256': signWebhookBody(job.target.secret, job.raw),
        },
        body: job.raw,
        signal: AbortSignal.timeout(this.policy.timeoutMs),
      });
      await response.arrayBuffer().catch(() => undefined);
      return { delivered: response.status >= 200 && response.status < 300, status: response.status };
    } catch (err) {
      // AbortSignal.timeout rejects with a DOMException, which is not always an `Error` instance.
      const name = typeof err === 'object' && err !== null ? (err as { name?: unknown }).name : undefined;
      const timedOut = name === 'TimeoutError' || name === 'AbortError';
      const error = timedOut
        ? 'timeout'
        : err instanceof Error
          ? err.cause instanceof Error
            ? err.cause.message
            : err.message
          : String(err);
      this.logger.debug({ payloadId: job.payloadId, error }, 'webhook attempt failed');
      return { delivered: false, error };
    }
  }

  /** Read through a call: `stop()` may run while a delivery awaits. */
  private isStopped(): boolean {
    return this.stopped;
  }

  private delay(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        resolve();
      }, ms);
      this.timers.add(timer);
    });
  }
}
