import { randomUUID } from 'node:crypto';
import type { EventEmitter } from 'node:events';
import { WebSocket } from 'ws';
import type { SimulatorHost } from '../kit/simulatorHost';
import type {
  GuestChatSimConversation,
  GuestChatSimConversationState,
  GuestChatSimulatorEvents,
  WebChatMemberInfo,
  WebChatMemberRole,
  WebChatMemberState,
  WebChatMessage,
} from './guestChatTypes';

/** Path of the guest conversations collection (docs/genesys-protocol.md §3.1). */
export const CONVERSATIONS_PATH = '/api/v2/webchat/guest/conversations';

/** One simulated chat. */
export interface SimConversation {
  id: string;
  deploymentId: string;
  jwt: string;
  guestId: string;
  state: GuestChatSimConversationState;
  routingTarget: GuestChatSimConversation['routingTarget'];
  members: Map<string, WebChatMemberInfo>;
  messages: WebChatMessage[];
  sockets: Set<WebSocket>;
  currentAgentId: string | undefined;
  endedBy: 'guest' | 'agent' | undefined;
  /** The guest shows `DISCONNECTED` because its event stream is away, not because it left (§3.7 [O]). */
  guestAway: boolean;
}

/** The fields of a new member; the rest take their "just joined" values. */
export type NewMember = Partial<Omit<WebChatMemberInfo, 'role' | 'state' | 'displayName'>> & {
  role: WebChatMemberRole;
  state: WebChatMemberState;
  displayName: string;
};

/**
 * The conversation model of the Guest Chat simulator: chats, their members and messages, and the
 * event stream frames every attached socket receives (docs/genesys-protocol.md §3.3-§3.7).
 */
export class GuestChatModel {
  /** Every chat, by id, oldest first. */
  readonly conversations = new Map<string, SimConversation>();
  /** Issued JWT → conversation id. */
  readonly issuedJwts = new Map<string, string>();
  /** Event stream connections accepted so far. */
  streamAttachments = 0;

  constructor(
    readonly now: () => number,
    private readonly events: EventEmitter<GuestChatSimulatorEvents>,
    private readonly host: SimulatorHost,
    private readonly closeSocketOnEnd: boolean,
  ) {}

  /** Tells waiters that something changed. */
  changed(): void {
    this.host.changed();
  }

  /** The chat with this id; throws for an unknown id. */
  get(conversationId: string): SimConversation {
    const c = this.conversations.get(conversationId);
    if (c === undefined) throw new Error(`unknown conversation ${conversationId}`);
    return c;
  }

  /** A chat that is routed (its stream was attached) and has not ended; throws otherwise. */
  requireRouted(conversationId: string): SimConversation {
    const c = this.get(conversationId);
    if (c.state === 'pending')
      throw new Error(`conversation ${conversationId} is not routed yet: its event stream was never attached`);
    if (c.state === 'ended') throw new Error(`conversation ${conversationId} has ended`);
    return c;
  }

  /** The id of `agentId` or the current agent, when connected; throws otherwise. */
  requireAgent(c: SimConversation, agentId: string | undefined): string {
    const id = agentId ?? c.currentAgentId;
    if (id === undefined || c.members.get(id)?.state !== 'CONNECTED')
      throw new Error(`conversation ${c.id} has no connected agent`);
    return id;
  }

  /** A deep copy of the chat for tests and the agent side. */
  snapshot(c: SimConversation): GuestChatSimConversation {
    const guest = c.members.get(c.guestId);
    if (guest === undefined) throw new Error('guest member missing');
    return structuredClone({
      id: c.id,
      deploymentId: c.deploymentId,
      state: c.state,
      routingTarget: c.routingTarget,
      guest,
      customFields: guest.customFields,
      members: [...c.members.values()],
      messages: c.messages,
      currentAgentId: c.currentAgentId,
      connectedSockets: c.sockets.size,
      endedBy: c.endedBy,
    });
  }

  /** The injected clock as ISO-8601. */
  isoNow(): string {
    return new Date(this.now()).toISOString();
  }

  /** Adds a member and returns it. */
  addMember(c: SimConversation, fields: NewMember): WebChatMemberInfo {
    const member: WebChatMemberInfo = {
      id: randomUUID(),
      joinDate: this.isoNow(),
      leaveDate: null,
      authenticatedGuest: false,
      customFields: {},
      ...fields,
    };
    c.members.set(member.id, member);
    return member;
  }

  /** True when the guest has left the chat for good (not merely away with its stream down). */
  guestLeft(c: SimConversation): boolean {
    return c.members.get(c.guestId)?.state === 'DISCONNECTED' && !c.guestAway;
  }

  /** Changes a member's state; `DISCONNECTED` sets its `leaveDate`. */
  setMemberState(c: SimConversation, memberId: string, state: WebChatMemberState): void {
    const member = c.members.get(memberId);
    if (member === undefined) return;
    member.state = state;
    if (state === 'DISCONNECTED') member.leaveDate = this.isoNow();
  }

  /** Stores a message and sends its `message` frame. */
  addMessage(c: SimConversation, senderId: string, body: string, bodyType: WebChatMessage['bodyType']): WebChatMessage {
    const id = randomUUID();
    const message: WebChatMessage = {
      id,
      conversation: { id: c.id, selfUri: `/api/v2/conversations/${c.id}` },
      sender: { id: senderId },
      body,
      bodyType,
      timestamp: this.isoNow(),
      selfUri: `${CONVERSATIONS_PATH}/${c.id}/messages/${id}`,
    };
    c.messages.push(message);
    const eventBody = {
      id,
      conversation: { id: c.id },
      sender: { id: senderId },
      body,
      bodyType,
      timestamp: message.timestamp,
    };
    this.broadcast(c, this.frame(c, 'messages', 'message', eventBody));
    return message;
  }

  /** Sends a `member-change` frame to every socket, or to `only`. */
  sendMemberChange(c: SimConversation, memberId: string, state: WebChatMemberState, only?: WebSocket): void {
    const frame = this.frame(c, 'members', 'member-change', {
      conversation: { id: c.id },
      member: { id: memberId, state },
      timestamp: this.isoNow(),
    });
    if (only === undefined) this.broadcast(c, frame);
    else if (only.readyState === WebSocket.OPEN) only.send(frame);
  }

  /** The envelope of docs/genesys-protocol.md §3.7 [O]: `CorrelationId` with a capital C, a fresh one per frame. */
  frame(c: SimConversation, suffix: 'messages' | 'members', type: string, eventBody: unknown): string {
    return JSON.stringify({
      topicName: `v2.conversations.chats.${c.id}.${suffix}`,
      version: '2',
      eventBody,
      metadata: { CorrelationId: randomUUID(), type },
    });
  }

  /** Sends a frame to every open socket of the chat. */
  broadcast(c: SimConversation, frame: string): void {
    // Frames sent while no socket is attached are lost, as on a real stream; history keeps messages.
    for (const socket of c.sockets) {
      if (socket.readyState === WebSocket.OPEN) socket.send(frame);
    }
    this.changed();
  }

  /**
   * Ends the chat: guest `member-leave` + guest `DISCONNECTED`, then every other member
   * `DISCONNECTED` (announced when the agent side ended it).
   */
  endChat(c: SimConversation, by: 'guest' | 'agent'): void {
    c.state = 'ended';
    c.guestAway = false;
    c.endedBy = by;
    this.setMemberState(c, c.guestId, 'DISCONNECTED');
    this.addMessage(c, c.guestId, '', 'member-leave');
    this.sendMemberChange(c, c.guestId, 'DISCONNECTED');
    for (const member of c.members.values()) {
      if (member.id === c.guestId || member.state === 'DISCONNECTED') continue;
      this.setMemberState(c, member.id, 'DISCONNECTED');
      if (by === 'agent') this.sendMemberChange(c, member.id, 'DISCONNECTED');
    }
    c.currentAgentId = undefined;
    this.events.emit('conversationEnded', { conversationId: c.id, by });
    if (this.closeSocketOnEnd) {
      for (const socket of c.sockets) socket.close(1000, 'conversation ended');
    }
  }
}
