import type { ChatEvent, ChatListener } from '../../src/genesys/handoffProvider';
import type { RetryPolicy } from '../../src/genesys/retryPolicy';
import {
  WebMessagingProvider,
  type WebMessagingProviderOptions,
} from '../../src/genesys/webMessaging/webMessagingProvider';
import { createSilentLogger } from '../../src/logger';
import type { WebMessagingSimulator } from '../../src/simulator/webMessaging/webMessagingSimulator';

/** Retries every `delayMs`, `attempts` times: keeps reconnect tests fast. */
export function quickPolicy(attempts = 50, delayMs = 20): RetryPolicy {
  return (attempt) => (attempt > attempts ? null : delayMs);
}

/** A provider pointed at the simulator with fast, test-friendly settings. */
export function providerFor(
  sim: WebMessagingSimulator,
  deploymentId: string,
  overrides: Partial<WebMessagingProviderOptions> = {},
): WebMessagingProvider {
  return new WebMessagingProvider({
    webMessagingUrl: sim.webMessagingUrl,
    apiUrl: sim.apiUrl,
    deploymentId,
    messagesPerSecond: 50,
    endMode: 'clear',
    logger: createSilentLogger(),
    reconnectPolicy: quickPolicy(),
    requestRetryPolicy: quickPolicy(5, 20),
    responseTimeoutMs: 3000,
    reorderWindowMs: 50,
    ...overrides,
  });
}

/** Records chat events and lets a test wait for one. */
export class EventRecorder {
  readonly events: ChatEvent[] = [];
  private waiters: (() => void)[] = [];

  /** The listener to hand to the provider. */
  readonly listener: ChatListener = (event) => {
    this.events.push(event);
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  };

  /** Texts of the agent messages received so far, in order. */
  get texts(): string[] {
    return this.events.flatMap((e) => (e.kind === 'agentMessage' ? [e.text] : []));
  }

  /** Kinds of the events received so far, in order. */
  get kinds(): string[] {
    return this.events.map((e) => e.kind);
  }

  /** Resolves once `check` holds over the recorded events. */
  async until(check: (events: ChatEvent[]) => boolean, timeoutMs = 5000, what = 'events'): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!check(this.events)) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out waiting for ${what}; got ${JSON.stringify(this.kinds)}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** Resolves with the first event of `kind` (waiting for it when needed). */
  async next<K extends ChatEvent['kind']>(kind: K, timeoutMs = 5000): Promise<Extract<ChatEvent, { kind: K }>> {
    await this.until((events) => events.some((e) => e.kind === kind), timeoutMs, kind);
    const found = this.events.find((e): e is Extract<ChatEvent, { kind: K }> => e.kind === kind);
    if (found === undefined) throw new Error(`no ${kind} event`);
    return found;
  }
}

/**
 * Proves that nothing else reached the client: waits until the simulator is idle, then has a bot
 * flow write `text` and waits until the provider reported it. Frames of one session arrive in
 * order, so by then the provider has handled every frame sent before the barrier.
 */
export async function barrier(
  sim: WebMessagingSimulator,
  events: EventRecorder,
  conversationId: string,
  text = 'barrier',
): Promise<void> {
  await sim.whenIdle();
  sim.agentSend(conversationId, text, { originatingEntity: 'Bot' });
  await events.until((e) => e.some((x) => x.kind === 'agentMessage' && x.text === text), 5000, `barrier "${text}"`);
}

/** Words joined by spaces, `length` characters or a little more. */
export function longText(length: number): string {
  const words: string[] = [];
  let size = 0;
  for (let i = 0; size < length; i++) {
    const word = `w${i}`;
    words.push(word);
    size += word.length + 1;
  }
  return words.join(' ');
}

/** Resolves after `ms`. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls `check` until it returns true; rejects after `timeoutMs`. */
export async function eventually(check: () => boolean, timeoutMs = 5000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}
