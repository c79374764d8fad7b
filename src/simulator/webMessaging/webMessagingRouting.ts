import { randomUUID } from 'node:crypto';
import type { SimulatedPlatformApi, SimulatedUser } from '../kit/platformApi';
import type { SimulatedEndReason } from './webMessagingTypes';

/**
 * The Platform API's view of Web Messaging conversations (docs/genesys-protocol.md §5.17): each
 * conversation has a customer participant (carrying the guest's custom attributes as participant
 * data [I]), an ACD participant while it waits in its queue, and an agent participant per agent who
 * was offered it. Every change is published on the queue's notification topic
 * `v2.routing.queues.{queueId}.conversations.messages` with the whole conversation as the body
 * (`QueueConversationMessageEventTopicMessageConversation` [C] field names).
 */

/** A participant as the Platform API shows it. */
export interface SimulatedPlatformParticipant {
  id: string;
  purpose: 'customer' | 'acd' | 'agent';
  /** [C] state enum values of the SDK model; the simulator uses these three. */
  state: 'alerting' | 'connected' | 'disconnected';
  name: string;
  startTime: string;
  connectedTime?: string;
  endTime?: string;
  startAcwTime?: string;
  /** [C] lower-case values of the SDK model (`client`, `transfer`, `peer`, `timeout`, ...). */
  disconnectType?: string;
  userId?: string;
  queueId?: string;
  attributes: Record<string, string>;
}

interface RoutedConversation {
  queueId: string;
  participants: SimulatedPlatformParticipant[];
}

/** How the customer participant leaves when a conversation ends [I]. */
const CUSTOMER_DISCONNECT: Record<SimulatedEndReason, string> = {
  agentDisconnected: 'peer',
  cleared: 'client',
  expired: 'timeout',
};

/** Participants and queue events of the Web Messaging simulator's conversations. */
export class WebMessagingRouting {
  private readonly conversations = new Map<string, RoutedConversation>();
  /** Queue topic frames written to notification sockets. */
  queueEvents = 0;

  constructor(
    private readonly platform: SimulatedPlatformApi,
    private readonly queueNames: ReadonlyMap<string, string>,
  ) {}

  /** A conversation was routed to `queueId` by the inbound message flow: customer and ACD participants. */
  started(conversationId: string, queueId: string, customAttributes: Record<string, string>): void {
    const now = new Date().toISOString();
    const conversation: RoutedConversation = {
      queueId,
      participants: [
        {
          id: randomUUID(),
          purpose: 'customer',
          state: 'connected',
          name: 'Web Messaging guest',
          startTime: now,
          connectedTime: now,
          attributes: { ...customAttributes },
        },
        {
          id: randomUUID(),
          purpose: 'acd',
          state: 'connected',
          name: this.queueNames.get(queueId) ?? queueId,
          startTime: now,
          connectedTime: now,
          queueId,
          attributes: {},
        },
      ],
    };
    this.conversations.set(conversationId, conversation);
    this.publish(conversationId, conversation);
  }

  /**
   * `user` accepts the conversation: [O] the agent participant is offered first (`alerting`, no
   * `connectedTime`), then connected, and the ACD participant leaves. A connected earlier agent is
   * disconnected with `transfer` (another agent took the conversation over).
   */
  agentAccepted(conversationId: string, user: SimulatedUser): void {
    const conversation = this.conversations.get(conversationId);
    if (conversation === undefined) return;
    const alertedAt = new Date().toISOString();
    for (const earlier of conversation.participants)
      if (earlier.purpose === 'agent' && earlier.state !== 'disconnected')
        this.disconnect(earlier, 'transfer', alertedAt, true);
    const agent: SimulatedPlatformParticipant = {
      id: randomUUID(),
      purpose: 'agent',
      state: 'alerting',
      name: user.name,
      startTime: alertedAt,
      userId: user.id,
      queueId: conversation.queueId,
      attributes: {},
    };
    conversation.participants.push(agent);
    this.publish(conversationId, conversation);
    const connectedAt = new Date().toISOString();
    agent.state = 'connected';
    agent.connectedTime = connectedAt;
    for (const acd of conversation.participants)
      if (acd.purpose === 'acd' && acd.state !== 'disconnected') this.disconnect(acd, 'transfer', connectedAt, false);
    this.publish(conversationId, conversation);
  }

  /**
   * The conversation ended: [O] an agent who ends it leaves with `client` and enters after-call work
   * (`startAcwTime`); the customer participant is disconnected too.
   */
  ended(conversationId: string, reason: SimulatedEndReason): void {
    const conversation = this.conversations.get(conversationId);
    if (conversation === undefined) return;
    const now = new Date().toISOString();
    for (const participant of conversation.participants) {
      if (participant.state === 'disconnected') continue;
      if (participant.purpose === 'agent')
        this.disconnect(participant, reason === 'agentDisconnected' ? 'client' : 'peer', now, true);
      else if (participant.purpose === 'customer')
        this.disconnect(participant, CUSTOMER_DISCONNECT[reason], now, false);
      else this.disconnect(participant, 'peer', now, false);
    }
    this.publish(conversationId, conversation);
  }

  /** Copies of a conversation's participants (tests). */
  participants(conversationId: string): SimulatedPlatformParticipant[] {
    return structuredClone(this.conversations.get(conversationId)?.participants ?? []);
  }

  private disconnect(
    participant: SimulatedPlatformParticipant,
    disconnectType: string,
    at: string,
    afterCallWork: boolean,
  ): void {
    participant.state = 'disconnected';
    participant.disconnectType = disconnectType;
    participant.endTime = at;
    if (afterCallWork) participant.startAcwTime = at;
  }

  private publish(conversationId: string, conversation: RoutedConversation): void {
    this.queueEvents += this.platform.notifications.publish(
      `v2.routing.queues.${conversation.queueId}.conversations.messages`,
      {
        id: conversationId,
        participants: conversation.participants.map((p) => ({
          id: p.id,
          name: p.name,
          purpose: p.purpose,
          state: p.state,
          startTime: p.startTime,
          ...(p.connectedTime === undefined ? {} : { connectedTime: p.connectedTime }),
          ...(p.endTime === undefined ? {} : { endTime: p.endTime }),
          ...(p.startAcwTime === undefined ? {} : { startAcwTime: p.startAcwTime }),
          ...(p.disconnectType === undefined ? {} : { disconnectType: p.disconnectType }),
          ...(p.userId === undefined ? {} : { user: { id: p.userId, selfUri: `/api/v2/users/${p.userId}` } }),
          ...(p.queueId === undefined
            ? {}
            : { queue: { id: p.queueId, selfUri: `/api/v2/routing/queues/${p.queueId}` } }),
          type: 'webmessaging',
          attributes: { ...p.attributes },
        })),
      },
    );
  }
}
