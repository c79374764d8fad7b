import type { RetryPolicy } from '../../src/genesys/retryPolicy';
import {
  WebMessagingProvider,
  type WebMessagingProviderOptions,
} from '../../src/genesys/webMessaging/webMessagingProvider';
import { createSilentLogger } from '../../src/logger';
import type { WebMessagingSimulator } from '../../src/simulator/webMessaging/webMessagingSimulator';

import { EventRecorder } from '../support/eventRecorder';
export { EventRecorder };
export { eventually } from '../support/eventually';

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
