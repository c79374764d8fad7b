import { randomUUID } from 'node:crypto';
import type { AgentProfile } from '../kit/agentControl';
import type { WebMessagingFaults } from './webMessagingFaults';
import { partyOf, type WebMessagingModel } from './webMessagingModel';
import { checkAgentContent } from './webMessagingStructured';
import type {
  AgentLeaveOptions,
  AgentSendOptions,
  SimulatedAgent,
  SimulatedContentEntry,
  SimulatedMessage,
} from './webMessagingTypes';

/** [C] docs/genesys-protocol.md §5.7: agent typing events per minute. */
const AGENT_TYPING_PER_MINUTE = 12;

/** An attachment the agent sends as a link. */
export interface AgentAttachment {
  url: string;
  filename: string;
  mime: string;
  /** Bytes, when the simulator holds the file ([C] §5.9: agent files carry `fileSize`). */
  fileSize?: number;
}

function mediaTypeOf(mime: string): string {
  if (mime.startsWith('image/')) return 'Image';
  if (mime.startsWith('video/')) return 'Video';
  if (mime.startsWith('audio/')) return 'Audio';
  return 'File';
}

/** The agent as Web Messaging shows it (`channel.from`, docs/genesys-protocol.md §5.5). */
export function simulatedAgentOf(profile: AgentProfile): SimulatedAgent {
  const agent: SimulatedAgent = { nickname: profile.displayName };
  if (profile.avatarImageUrl !== undefined) agent.image = profile.avatarImageUrl;
  if (profile.firstName !== undefined) agent.firstName = profile.firstName;
  if (profile.lastName !== undefined) agent.lastName = profile.lastName;
  if (profile.id !== undefined) agent.id = profile.id;
  return agent;
}

/** The agent side of the Web Messaging simulator: join, write, type, leave. */
export class WebMessagingAgent {
  constructor(
    private readonly model: WebMessagingModel,
    private readonly faults: WebMessagingFaults,
  ) {}

  /** An agent accepts the conversation. Genesys tells the guest nothing until the agent types or writes. */
  join(conversationId: string, profile: AgentProfile): SimulatedAgent {
    const { conversation } = this.model.requireLive(conversationId);
    conversation.agent = simulatedAgentOf(profile);
    conversation.state = 'active';
    this.model.changed();
    return { ...conversation.agent };
  }

  /** An outbound text (with attachments as links); returns the message id. */
  send(conversationId: string, text: string, options: AgentSendOptions, attachments: AgentAttachment[]): string {
    const entries = attachments.map((a) => ({
      contentType: 'Attachment',
      attachment: {
        id: randomUUID(),
        url: a.url,
        filename: a.filename,
        mime: a.mime,
        mediaType: mediaTypeOf(a.mime),
        ...(a.fileSize === undefined ? {} : { fileSize: a.fileSize }),
      },
    }));
    return this.post(conversationId, { type: 'Text', text, entries }, options, (message) => {
      if (attachments.length > 0)
        message.attachments = attachments.map((a) => ({ url: a.url, filename: a.filename, mime: a.mime }));
    });
  }

  /**
   * An outbound `Structured` message with quick replies, cards, carousels or time slot pickers
   * (docs/genesys-protocol.md §5.14), checked first ({@link checkAgentContent}); returns the message id.
   */
  sendStructured(
    conversationId: string,
    text: string,
    content: SimulatedContentEntry[],
    options: AgentSendOptions,
  ): string {
    checkAgentContent(content);
    const entries = content.map((entry) => structuredClone(entry));
    return this.post(conversationId, { type: 'Structured', text, entries }, options, (message) => {
      message.content = entries.map((entry) => structuredClone(entry));
    });
  }

  /** Sends an outbound message to the guest's connections and keeps it in history and the conversation. */
  private post(
    conversationId: string,
    outbound: { type: 'Text' | 'Structured'; text: string; entries: unknown[] },
    options: AgentSendOptions,
    describe: (message: SimulatedMessage) => void,
  ): string {
    const { session, conversation } = this.model.requireLive(conversationId);
    const entity = options.originatingEntity ?? 'Human';
    const agent = this.model.requireAgent(conversation, entity);
    const id = options.id ?? randomUUID();
    const time = this.model.nextTime(session);
    const body: Record<string, unknown> = {
      id,
      channel: { time, messageId: id, type: 'Private', from: partyOf(agent) },
      type: outbound.type,
      text: outbound.text,
      direction: 'Outbound',
      originatingEntity: entity,
      ...(outbound.entries.length > 0 ? { content: outbound.entries } : {}),
    };
    session.history.push({ ...body, status: 'Delivered' });
    const message: SimulatedMessage = {
      id,
      direction: 'Outbound',
      type: outbound.type,
      text: outbound.text,
      time,
      originatingEntity: entity,
      from: { ...agent },
    };
    describe(message);
    conversation.messages.push(message);
    this.model.touch(session);
    this.faults.deliver(session, { type: 'message', class: 'StructuredMessage', code: 200, body });
    this.model.changed();
    return id;
  }

  /**
   * The agent types: an Outbound Typing event with `duration` 5000 [C]. Returns false (and sends
   * nothing) past the agent-side limit of 12 per minute [C].
   */
  typing(conversationId: string): boolean {
    const { session, conversation } = this.model.requireLive(conversationId);
    const agent = this.model.requireAgent(conversation, 'Human');
    const now = Date.now();
    conversation.agentTypingTimes = conversation.agentTypingTimes.filter((t) => now - t < 60_000);
    if (conversation.agentTypingTimes.length >= AGENT_TYPING_PER_MINUTE) return false;
    conversation.agentTypingTimes.push(now);
    const body = {
      id: randomUUID(),
      channel: { time: this.model.nextTime(session), type: 'Private', from: partyOf(agent) },
      type: 'Event',
      events: [{ eventType: 'Typing', typing: { type: 'On', duration: 5000 } }],
      direction: 'Outbound',
      originatingEntity: 'Human',
    };
    this.faults.deliver(session, { type: 'message', class: 'StructuredMessage', code: 200, body });
    return true;
  }

  /**
   * The agent disconnects, which ends a Web Messaging conversation. [C] The guest gets a Presence
   * Disconnect only when the deployment's Conversation Disconnect is enabled; `ReadOnly` also makes
   * the session read-only (docs/genesys-protocol.md §5.16).
   */
  leave(conversationId: string, options: AgentLeaveOptions = {}): void {
    const { session, conversation } = this.model.requireLive(conversationId);
    const mode = session.deployment.conversationDisconnect;
    if (mode !== 'off') {
      const readOnly = mode === 'ReadOnly';
      const time = this.model.nextTime(session);
      const body = {
        id: randomUUID(),
        channel: {
          time,
          type: 'Private',
          ...(conversation.agent === undefined ? {} : { from: partyOf(conversation.agent) }),
        },
        type: 'Event',
        events: [{ eventType: 'Presence', presence: { type: 'Disconnect' } }],
        metadata: { readOnly: String(readOnly) },
        direction: 'Outbound',
        originatingEntity: 'Human',
      };
      session.readOnly = readOnly;
      // [I] presence events are kept in history so a reconnecting client can learn of the disconnect.
      session.history.push(body);
      conversation.messages.push({
        id: body.id,
        direction: 'Outbound',
        type: 'Event',
        text: '',
        time,
        events: ['Presence:Disconnect'],
      });
      if (options.deliverEvent !== false)
        this.faults.deliver(session, { type: 'message', class: 'StructuredMessage', code: 200, body });
    }
    this.model.endConversation(conversation, 'agentDisconnected');
  }
}
