import type { OpenMessagingSimulator, SimulatedOpenConversation } from '../simulator/openMessaging';
import type { SimulatedConversationInfo, WebMessagingSimulator } from '../simulator/webMessaging/webMessagingSimulator';

/**
 * What the agent console needs from a simulated Genesys: conversations in the console's shape
 * (Web Messaging's), the agent's four actions, and change and typing notifications.
 */
export interface AgentConsoleSource {
  conversations(): SimulatedConversationInfo[];
  findConversation(conversationId: string): SimulatedConversationInfo | undefined;
  agentJoin(conversationId: string, nickname: string): void;
  agentTyping(conversationId: string): void;
  agentSend(conversationId: string, text: string): void;
  /** The agent offers quick replies (each label is also the payload) with `text` above them. */
  agentSendQuickReplies(conversationId: string, text: string, labels: readonly string[]): void;
  /** The agent sends a file the simulator serves; a sentence saying why when this Genesys cannot. */
  agentSendFile(
    conversationId: string,
    file: { fileName: string; mime: string; bytes: Uint8Array },
  ): string | undefined;
  endConversation(conversationId: string): void;
  /**
   * Whether the customer has left a chat the agent still holds: over Open Messaging the customer's
   * participant disconnects while the agent stays until they end it (docs/genesys-protocol.md §6.6).
   */
  customerLeft(conversationId: string): boolean;
  /** Calls `onChanged` on every change and `onTyping` when the customer types; returns the unsubscribe. */
  follow(onChanged: () => void, onTyping: (event: { conversationId: string }) => void): () => void;
}

/** The console over the Web Messaging simulator. */
export function webMessagingConsole(simulator: WebMessagingSimulator): AgentConsoleSource {
  return {
    conversations: () => simulator.conversations(),
    findConversation: (id) => simulator.findConversation(id),
    agentJoin: (id, nickname) => {
      simulator.agentJoin(id, { displayName: nickname });
    },
    agentTyping: (id) => {
      simulator.agentTyping(id);
    },
    agentSend: (id, text) => {
      simulator.agentSend(id, text);
    },
    agentSendQuickReplies: (id, text, labels) => {
      simulator.agentSendStructured(id, quickReplies(labels), text);
    },
    agentSendFile: (id, file) => {
      simulator.agentSendFile(id, file);
      return undefined;
    },
    endConversation: (id) => {
      simulator.endConversation(id);
    },
    // The guest leaving ends a Web Messaging conversation for the agent too.
    customerLeft: () => false,
    follow: (onChanged, onTyping) => {
      simulator.on('changed', onChanged);
      simulator.on('guestTyping', onTyping);
      return () => {
        simulator.off('changed', onChanged);
        simulator.off('guestTyping', onTyping);
      };
    },
  };
}

/** An Open Messaging conversation in the console's shape. */
function consoleView(c: SimulatedOpenConversation): SimulatedConversationInfo {
  const customer = [...c.participants].reverse().find((p) => p.purpose === 'customer');
  const state: SimulatedConversationInfo['state'] =
    c.state === 'ended' ? 'ended' : c.agent !== undefined ? 'active' : 'waiting';
  return {
    id: c.id,
    deploymentId: c.integrationId,
    sessionToken: '',
    state,
    ...(c.state === 'ended'
      ? { endReason: customer?.disconnectType === 'CLIENT' ? ('cleared' as const) : ('agentDisconnected' as const) }
      : {}),
    ...(c.agent === undefined ? {} : { agent: { nickname: c.agent.name, id: c.agent.userId } }),
    messages: c.messages.map((m) => ({
      id: m.id,
      direction: m.direction,
      type: m.type,
      text: m.text,
      time: m.time,
      ...(m.originatingEntity === undefined ? {} : { originatingEntity: m.originatingEntity }),
      attachments: m.attachments.map((a) => ({ url: a.url, filename: a.filename ?? a.url, mime: a.mime })),
    })),
    customAttributes: c.customAttributes,
    connectionCount: 0,
    startedAt: c.startedAt,
  };
}

/** The console over the Open Messaging simulator. */
export function openMessagingConsole(simulator: OpenMessagingSimulator): AgentConsoleSource {
  return {
    conversations: () => simulator.conversations().map(consoleView),
    findConversation: (id) => {
      const conversation = simulator.conversation(id);
      return conversation === undefined ? undefined : consoleView(conversation);
    },
    agentJoin: (id, nickname) => {
      simulator.agentJoin(id, nickname);
    },
    agentTyping: (id) => {
      simulator.agentTyping(id);
    },
    agentSend: (id, text) => {
      simulator.agentSend(id, text);
    },
    agentSendQuickReplies: (id, text, labels) => {
      // [O] Genesys' agent UI sends text and media only over Open Messaging (§6.3): quick replies come from a bot flow.
      simulator.agentSendStructured(id, text, quickReplies(labels));
    },
    // The Open Messaging simulator takes agent files by URL only; the demo has no file host for it.
    agentSendFile: () => 'Sending files is available in the Web Messaging demo only.',
    endConversation: (id) => {
      // The agent ends their part; the customer's participant goes with the last agent (§6.5).
      if (simulator.conversation(id)?.agent !== undefined) simulator.agentLeave(id);
      else simulator.endConversation(id);
    },
    customerLeft: (id) => {
      const conversation = simulator.conversation(id);
      if (conversation === undefined || conversation.state === 'ended') return false;
      const customer = [...conversation.participants].reverse().find((p) => p.purpose === 'customer');
      return customer?.state === 'disconnected';
    },
    follow: (onChanged, onTyping) => {
      simulator.on('changed', onChanged);
      simulator.on('customerTyping', onTyping);
      return () => {
        simulator.off('changed', onChanged);
        simulator.off('customerTyping', onTyping);
      };
    },
  };
}

/** Quick replies in Genesys' `content[]` shape (docs/genesys-protocol.md §5.14, §6.3): label = payload. */
function quickReplies(
  labels: readonly string[],
): { contentType: 'QuickReply'; quickReply: { text: string; payload: string; action: 'Message' } }[] {
  return labels.map((label) => ({
    contentType: 'QuickReply' as const,
    quickReply: { text: label, payload: label, action: 'Message' as const },
  }));
}
