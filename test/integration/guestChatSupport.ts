import { isGenesysError, type GenesysError } from '../../src/genesys/genesysError';
import type { StartChatRequest } from '../../src/genesys/handoffProvider';
import { GuestChatProvider, type GuestChatProviderOptions } from '../../src/genesys/guestChat/guestChatProvider';
import { createSilentLogger } from '../../src/logger';
import {
  GuestChatSimulator,
  SIMULATOR_DEPLOYMENT_ID,
  SIMULATOR_ORGANIZATION_ID,
  SIMULATOR_QUEUE_NAME,
  type GuestChatSimulatorOptions,
} from '../../src/simulator/guestChat/guestChatSimulator';

import { EventRecorder } from '../support/eventRecorder';
export { EventRecorder };

/**
 * Resolves after `ms`: for pacing and polling only. To show that nothing else happened, wait on a
 * condition instead ({@link agentBarrier}, {@link streamClosed}).
 */
export function settle(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Proves that nothing else reached the provider: waits until the simulator is idle, then has the
 * current agent write `text` and waits until the provider reported it. Frames of one stream arrive
 * in order, so by then the provider has handled every frame sent before the barrier.
 */
export async function agentBarrier(
  sim: GuestChatSimulator,
  recorder: EventRecorder,
  conversationId: string,
  text = 'barrier',
): Promise<void> {
  await sim.whenIdle();
  sim.agentSend(conversationId, text);
  await recorder.waitFor((e) => e.kind === 'agentMessage' && e.text === text, 5_000, `barrier "${text}"`);
}

/**
 * Waits until the provider holds no event stream socket of the conversation and the simulator is
 * idle: from then on nothing can reach the provider for it.
 */
export async function streamClosed(sim: GuestChatSimulator, conversationId: string): Promise<void> {
  await sim.waitUntil(
    () => (sim.conversation(conversationId).connectedSockets === 0 ? true : undefined),
    5_000,
    'the event stream to close',
  );
  await sim.whenIdle();
}

/** Records the waits REST retries asked for, without spending them. */
export class SleepRecorder {
  readonly waits: number[] = [];
  readonly sleep = async (ms: number): Promise<void> => {
    this.waits.push(ms);
    await new Promise((resolve) => setTimeout(resolve, 1));
  };
}

/** Starts a simulator on port 0. */
export async function startSimulator(options: GuestChatSimulatorOptions = {}): Promise<GuestChatSimulator> {
  const simulator = new GuestChatSimulator({ heartbeatIntervalMs: 0, ...options });
  await simulator.start();
  return simulator;
}

/** A provider pointed at the simulator with tiny retry and reconnect delays. */
export function createProvider(
  simulator: GuestChatSimulator,
  overrides: Partial<GuestChatProviderOptions> = {},
): GuestChatProvider {
  return new GuestChatProvider({
    apiUrl: simulator.apiUrl,
    organizationId: SIMULATOR_ORGANIZATION_ID,
    deploymentId: SIMULATOR_DEPLOYMENT_ID,
    queueName: SIMULATOR_QUEUE_NAME,
    logger: createSilentLogger(),
    reconnectPolicy: (attempt) => (attempt <= 20 ? 20 : null),
    requestRetryPolicy: (attempt) => (attempt <= 4 ? 5 : null),
    heartbeatIntervalMs: 0,
    activationWaitMs: 2_000,
    ...overrides,
  });
}

/** A typical start request. */
export function startRequest(overrides: Partial<StartChatRequest> = {}): StartChatRequest {
  return {
    guest: { displayName: 'Dana Guest', firstName: 'Dana', lastName: 'Guest', email: 'dana@example.com' },
    attributes: { botConversationId: 'bot-conv-1', topic: 'billing' },
    introduction: 'Conversation so far:\nUser: I need help with my invoice.',
    ...overrides,
  };
}

/** The GenesysError a promise rejects with; fails when it resolves or rejects with something else. */
export async function rejection(promise: Promise<unknown>): Promise<GenesysError> {
  try {
    await promise;
  } catch (err) {
    if (isGenesysError(err)) return err;
    throw err;
  }
  throw new Error('expected a rejection');
}
