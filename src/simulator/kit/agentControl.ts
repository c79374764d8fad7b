/**
 * How a simulated agent appears to the guest. Each simulator shows it in its protocol's terms
 * (Web Messaging: `channel.from.nickname`/`image`, docs/genesys-protocol.md §5.5; Guest Chat:
 * `WebChatMemberInfo.displayName`/`avatarImageUrl`, §3.5).
 */
export interface AgentProfile {
  displayName: string;
  firstName?: string;
  lastName?: string;
  /** URL of the agent's picture. */
  avatarImageUrl?: string;
  /** Agent id shown to the guest where the protocol carries one (Web Messaging `from.id`). */
  id?: string;
}

/**
 * The agent side of a simulated Genesys Cloud, in one vocabulary for every simulator, the demo's
 * agent console and the tests. `Conversation` is the simulator's snapshot type, `Joined` what
 * {@link agentJoin} returns, `Sent` what {@link agentSend} returns, `SendOptions` its options.
 *
 * Every method acting on a conversation throws an `Error` naming the conversation when it is
 * unknown or in a state where the action is impossible (not routed, ended, no agent).
 */
export interface AgentControl<Conversation, Joined, Sent, SendOptions> {
  /** Snapshots (copies) of every conversation, oldest first. */
  conversations(): Conversation[];
  /** Snapshot of one conversation; throws for an unknown id. */
  conversation(conversationId: string): Conversation;
  /** Snapshot of one conversation, or undefined for an unknown id. */
  findConversation(conversationId: string): Conversation | undefined;
  /** Resolves with the first conversation (existing or future) matching `predicate`; rejects after `timeoutMs`. */
  waitForConversation(predicate?: (c: Conversation) => boolean, timeoutMs?: number): Promise<Conversation>;
  /** An agent accepts the conversation. */
  agentJoin(conversationId: string, agent: AgentProfile): Joined;
  /** The agent writes to the guest. */
  agentSend(conversationId: string, text: string, options?: SendOptions): Sent;
  /** The agent is typing; false when the simulator dropped it (an agent-side rate limit). */
  agentTyping(conversationId: string): boolean;
  /** The current agent disconnects from the conversation. */
  agentLeave(conversationId: string): void;
  /** The agent side ends the whole conversation. */
  endConversation(conversationId: string): void;
  /** Resolves with `check()`'s first defined result, re-evaluated after every change; rejects after `timeoutMs`. */
  waitUntil<T>(check: () => T | undefined, timeoutMs?: number, what?: string): Promise<T>;
  /** Resolves once the simulator has no work pending and every frame it sent is flushed. */
  whenIdle(timeoutMs?: number): Promise<void>;
}
