import { performance } from 'node:perf_hooks';
import type { OpenMessagingSimulator, SimulatedOpenConversation } from '../src/simulator/openMessaging';
import type {
  SimulatedConversationInfo,
  WebMessagingSimulator,
} from '../src/simulator/webMessaging/webMessagingSimulator';

/** The agent name every simulated agent uses. */
export const BENCH_AGENT_NAME = 'Anna';

/**
 * What the load driver needs from a simulated Genesys: the conversation a bot conversation started,
 * the customer's text the agent sees, and an agent who joins and writes. Each simulator keeps its
 * own protocol; this only adapts their test controls.
 */
export interface BenchGenesys {
  /** `listener(botConversationId, genesysConversationId, at)` when Genesys sees a new conversation. */
  onConversationStarted(listener: (botConversationId: string, conversationId: string, at: number) => void): void;
  /** `listener(text, at)` for each customer message the agent sees. */
  onCustomerText(listener: (text: string, at: number) => void): void;
  /** Resolves once an agent is connected to the conversation. */
  agentJoin(conversationId: string): Promise<void>;
  /** The connected agent writes `text`. */
  agentSend(conversationId: string, text: string): void;
}

/** Web Messaging: the driver joins the agent itself. */
export function webMessagingBench(sim: WebMessagingSimulator): BenchGenesys {
  return {
    onConversationStarted(listener) {
      sim.on('conversationStarted', (info: SimulatedConversationInfo) => {
        listener(info.customAttributes.botConversationId ?? '', info.id, performance.now());
      });
    },
    onCustomerText(listener) {
      sim.on('guestMessage', ({ message }) => {
        listener(message.text, performance.now());
      });
    },
    agentJoin(conversationId) {
      sim.agentJoin(conversationId, { displayName: BENCH_AGENT_NAME });
      return Promise.resolve();
    },
    agentSend(conversationId, text) {
      sim.agentSend(conversationId, text);
    },
  };
}

/**
 * Open Messaging: the simulator's auto-answering agent (`autoAnswer`) takes every queued
 * conversation; joining waits for it.
 */
export function openMessagingBench(sim: OpenMessagingSimulator, timeoutMs = 30_000): BenchGenesys {
  return {
    onConversationStarted(listener) {
      sim.on('conversationStarted', (conversation: SimulatedOpenConversation) => {
        listener(conversation.customAttributes.botConversationId ?? '', conversation.id, performance.now());
      });
    },
    onCustomerText(listener) {
      sim.on('inboundMessage', ({ message }) => {
        listener(message.text, performance.now());
      });
    },
    async agentJoin(conversationId) {
      await sim.waitUntil(
        () => (sim.conversation(conversationId)?.agent === undefined ? undefined : true),
        timeoutMs,
        `an agent answering ${conversationId}`,
      );
    },
    agentSend(conversationId, text) {
      sim.agentSend(conversationId, text);
    },
  };
}
