import { createHash } from 'node:crypto';
import { isRecord, type JsonObject } from '../../json';

/**
 * How an agent joining a Web Messaging chat is read from the Platform API's per-queue conversation
 * topic (docs/genesys-protocol.md §5.17, §6.5). The guest protocol has no join event; the queue topic
 * carries the whole conversation with its participants every time it changes, so "an agent took the
 * chat" is an `agent` participant in state `connected` with a `connectedTime`. The bot finds its own
 * chat among the queue's conversations by the {@link HANDOFF_ID_ATTRIBUTE} it sent as a custom attribute.
 */

/**
 * Custom attribute naming the handoff in Genesys (participant data of the customer): an opaque id
 * derived from the guest session token ({@link handoffIdOf}), so any instance holding the session
 * knows it without storing anything, and the token itself (a secret) never leaves the bot.
 */
export const HANDOFF_ID_ATTRIBUTE = 'botHandoffId';

/** The notification topic of one queue's message conversations (docs/genesys-protocol.md §6.5). */
export function queueTopicOf(queueId: string): string {
  return `v2.routing.queues.${queueId}.conversations.messages`;
}

const QUEUE_TOPIC = /^v2\.routing\.queues\.([^.]+)\.conversations\.messages$/;

/** The {@link HANDOFF_ID_ATTRIBUTE} value of a guest session: 32 base64url characters of SHA-256 over the token. */
export function handoffIdOf(sessionToken: string): string {
  return createHash('sha256').update(`webmessaging-handoff:${sessionToken}`, 'utf8').digest('base64url').slice(0, 32);
}

/** An agent who accepted a chat, as the queue topic names them. */
export interface ConnectedAgent {
  /** The agent participant's id (a new one per agent, so a transfer shows as a new participant). */
  participantId: string;
  /** The agent's user id (`user.id`), for the Users API. */
  userId: string | undefined;
}

/** What one queue topic event means for the chats this instance holds. */
export type AgentJoinDecision =
  | { kind: 'join'; conversationId: string; handoffId: string; agent: ConnectedAgent }
  /** Nothing to announce; `reason` is for debug logs. */
  | { kind: 'ignore'; reason: string };

/** What {@link decideAgentJoin} needs to know about this instance. */
export interface AgentJoinContext {
  /** Queues this instance watches. */
  queueIds: ReadonlySet<string>;
  /** True when this instance holds the chat with that {@link HANDOFF_ID_ATTRIBUTE}. */
  holds: (handoffId: string) => boolean;
}

function text(record: JsonObject, key: string): string | undefined {
  const value = record[key];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** `user.id` (the SDK model's `QueueConversationMessageEventTopicUriReference`), or a flat `userId`. */
function userIdOf(participant: JsonObject): string | undefined {
  const user = participant.user;
  if (isRecord(user)) {
    const id = text(user, 'id');
    if (id !== undefined) return id;
  }
  return text(participant, 'userId');
}

function handoffIdIn(participants: readonly JsonObject[]): string | undefined {
  for (const participant of participants) {
    const attributes = participant.attributes;
    if (!isRecord(attributes)) continue;
    const id = attributes[HANDOFF_ID_ATTRIBUTE];
    if (typeof id === 'string' && id !== '') return id;
  }
  return undefined;
}

/** The connected agent who joined last: state `connected`, a `connectedTime`, no `endTime`. */
function connectedAgentOf(participants: readonly JsonObject[]): ConnectedAgent | undefined {
  let latest: { agent: ConnectedAgent; at: number } | undefined;
  for (const participant of participants) {
    if (participant.purpose !== 'agent' || participant.state !== 'connected') continue;
    // [O] docs/genesys-protocol.md §5.17: an agent offered the chat (alerting) or who declined it has no connectedTime.
    const connectedTime = text(participant, 'connectedTime');
    if (connectedTime === undefined || text(participant, 'endTime') !== undefined) continue;
    const participantId = text(participant, 'id');
    if (participantId === undefined) continue;
    const at = Date.parse(connectedTime);
    const order = Number.isNaN(at) ? Number.NEGATIVE_INFINITY : at;
    if (latest === undefined || order >= latest.at)
      latest = { agent: { participantId, userId: userIdOf(participant) }, at: order };
  }
  return latest?.agent;
}

/**
 * Reads one notification frame `{ topicName, eventBody }` of the queue topic
 * (`QueueConversationMessageEventTopicMessageConversation`: `id`, `participants[]` with `id`,
 * `purpose`, `state`, `connectedTime`, `endTime`, `user.id`, `queue.id`, `attributes`;
 * docs/genesys-protocol.md §5.17) and decides whether it announces an agent joining a chat held here.
 * Never throws: anything unreadable is ignored with a reason.
 */
export function decideAgentJoin(topicName: string, eventBody: unknown, context: AgentJoinContext): AgentJoinDecision {
  const match = QUEUE_TOPIC.exec(topicName);
  if (match?.[1] === undefined) return { kind: 'ignore', reason: 'not a queue conversation topic' };
  if (!context.queueIds.has(match[1])) return { kind: 'ignore', reason: 'a queue not watched here' };
  if (!isRecord(eventBody)) return { kind: 'ignore', reason: 'event body is not an object' };
  const conversationId = text(eventBody, 'id');
  const rawParticipants = eventBody.participants;
  if (conversationId === undefined || !Array.isArray(rawParticipants))
    return { kind: 'ignore', reason: 'event body has no conversation id or participants' };
  const participants = rawParticipants.filter(isRecord);
  const handoffId = handoffIdIn(participants);
  if (handoffId === undefined) return { kind: 'ignore', reason: 'not a conversation the bot handed over' };
  if (!context.holds(handoffId)) return { kind: 'ignore', reason: 'a chat not held here' };
  const agent = connectedAgentOf(participants);
  if (agent === undefined) return { kind: 'ignore', reason: 'no connected agent' };
  return { kind: 'join', conversationId, handoffId, agent };
}
