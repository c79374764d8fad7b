import { randomUUID } from 'node:crypto';
import type { GuestChatFaults } from './guestChatFaults';
import type { GuestChatModel } from './guestChatModel';
import type { SimAgentProfile, WebChatMemberInfo, WebChatMessage, WebChatTyping } from './guestChatTypes';

/** Options of an agent's message. */
export interface GuestChatSendOptions {
  /** Default `standard`. */
  bodyType?: 'standard' | 'notice';
  /** The writing agent (default the current agent). */
  agentId?: string;
}

/** The agent side of the Guest Chat simulator (docs/genesys-protocol.md §3.8): join, write, type, leave, transfer, end. */
export class GuestChatAgent {
  constructor(
    private readonly model: GuestChatModel,
    private readonly faults: GuestChatFaults,
  ) {}

  /**
   * An agent takes the chat: (optionally an ACD member first,) agent `ALERTING` → `CONNECTED` and a
   * `member-join` message. The chat must be routed (its event stream attached). Returns the agent member.
   */
  join(conversationId: string, profile: SimAgentProfile): WebChatMemberInfo {
    const c = this.model.requireRouted(conversationId);
    let acd: WebChatMemberInfo | undefined;
    if (profile.viaAcd === true) {
      acd = this.model.addMember(c, { role: 'ACD', displayName: 'ACD', state: 'CONNECTED' });
      this.model.sendMemberChange(c, acd.id, 'CONNECTED');
    }
    const agent = this.model.addMember(c, {
      role: 'AGENT',
      displayName: profile.displayName,
      state: 'ALERTING',
      ...(profile.firstName === undefined ? {} : { firstName: profile.firstName }),
      ...(profile.lastName === undefined ? {} : { lastName: profile.lastName }),
      ...(profile.avatarImageUrl === undefined ? {} : { avatarImageUrl: profile.avatarImageUrl }),
      ...(profile.id === undefined ? {} : { id: profile.id }),
    });
    this.model.sendMemberChange(c, agent.id, 'ALERTING');
    this.model.setMemberState(c, agent.id, 'CONNECTED');
    this.model.sendMemberChange(c, agent.id, 'CONNECTED');
    if (this.faults.duplicateMemberChange) this.model.sendMemberChange(c, agent.id, 'CONNECTED');
    this.model.addMessage(c, agent.id, '', 'member-join');
    c.currentAgentId = agent.id;
    if (acd !== undefined) {
      this.model.setMemberState(c, acd.id, 'DISCONNECTED');
      this.model.sendMemberChange(c, acd.id, 'DISCONNECTED');
    }
    return { ...agent };
  }

  /** The current agent (or `agentId`) writes to the guest. Returns the stored message. */
  send(conversationId: string, text: string, options: GuestChatSendOptions = {}): WebChatMessage {
    const c = this.model.requireRouted(conversationId);
    const agentId = this.model.requireAgent(c, options.agentId);
    return { ...this.model.addMessage(c, agentId, text, options.bodyType ?? 'standard') };
  }

  /** The current agent is typing; always sent (no agent-side limit is known for Guest Chat). */
  typing(conversationId: string): true {
    const c = this.model.requireRouted(conversationId);
    const agentId = this.model.requireAgent(c, undefined);
    const typing: WebChatTyping = {
      id: randomUUID(),
      conversation: { id: c.id },
      sender: { id: agentId },
      timestamp: this.model.isoNow(),
    };
    this.model.broadcast(c, this.model.frame(c, 'messages', 'typing-indicator', typing));
    return true;
  }

  /** The current agent leaves; the guest stays (the chat waits for another agent). */
  leave(conversationId: string): void {
    const c = this.model.requireRouted(conversationId);
    const agentId = this.model.requireAgent(c, undefined);
    this.model.setMemberState(c, agentId, 'DISCONNECTED');
    this.model.sendMemberChange(c, agentId, 'DISCONNECTED');
    this.model.addMessage(c, agentId, '', 'member-leave');
    c.currentAgentId = undefined;
  }

  /** Blind transfer: the current agent `DISCONNECTED`, then a new agent `ALERTING` → `CONNECTED`. Returns the new agent. */
  transfer(conversationId: string, toDisplayName: string): WebChatMemberInfo {
    this.leave(conversationId);
    return this.join(conversationId, { displayName: toDisplayName });
  }

  /** The agent side ends the chat: guest `member-leave` + guest `DISCONNECTED`, then every other member `DISCONNECTED`. */
  end(conversationId: string): void {
    const c = this.model.get(conversationId);
    if (c.state === 'ended') throw new Error(`conversation ${conversationId} already ended`);
    this.model.endChat(c, 'agent');
  }
}
