import { isRecord } from '../../json';
import type { ConversationSnapshot } from './payloads';

/**
 * How the end of an Open Messaging chat is recognised (docs/genesys-protocol.md §6.5): the webhook
 * carries no end event, so detail events (`user.start`, `user.end`, `customer.end`, `acw`) and the
 * conversation's participants decide. A `user.end` with a transfer `disconnectType` is a transfer,
 * never an end; `customer.end`, or a conversation left with no customer or no agent or queue, is the end.
 */

/** The transfer values of `disconnectType` (§6.5). */
export const TRANSFER_DISCONNECT_TYPES: readonly string[] = [
  'TRANSFER',
  'CONFERENCE_TRANSFER',
  'CONSULT_TRANSFER',
  'FORWARD_TRANSFER',
  'NO_ANSWER_TRANSFER',
  'NOT_AVAILABLE_TRANSFER',
  'DND_TRANSFER',
];

/** True when an agent leaving with `disconnectType` hands the conversation on (any case). */
export function isTransferDisconnect(disconnectType: string | undefined): boolean {
  return disconnectType !== undefined && TRANSFER_DISCONNECT_TYPES.includes(disconnectType.toUpperCase());
}

/** What a detail event means for a chat. */
export type ConversationSignal =
  | { kind: 'agentJoined'; userId: string | undefined; participantId: string | undefined }
  /** `transfer`: the conversation goes on with another agent or queue. */
  | { kind: 'agentLeft'; transfer: boolean; disconnectType: string | undefined; participantId: string | undefined }
  | { kind: 'customerEnded'; disconnectType: string | undefined }
  | { kind: 'wrapup'; code: string; notes: string | undefined };

const TOPIC = /^v2\.detail\.events\.conversation\.([^.]+)\.(.+)$/;

/**
 * Reads a detail event `{ topicName, eventBody }` (Notifications API or a Process Automation
 * trigger). Returns the conversation id and the signal, or `undefined` for topics that carry none.
 */
export function readDetailEvent(
  topicName: string,
  eventBody: unknown,
): { conversationId: string; signal: ConversationSignal } | undefined {
  const match = TOPIC.exec(topicName);
  if (match === null) return undefined;
  const [, topicConversationId = '', suffix] = match;
  const body = isRecord(eventBody) ? eventBody : {};
  const conversationId = typeof body.conversationId === 'string' ? body.conversationId : topicConversationId;
  const text = (key: string): string | undefined => (typeof body[key] === 'string' ? body[key] : undefined);
  const disconnectType = text('disconnectType')?.toUpperCase();
  switch (suffix) {
    case 'user.start':
      return {
        conversationId,
        signal: { kind: 'agentJoined', userId: text('userId'), participantId: text('participantId') },
      };
    case 'user.end':
      return {
        conversationId,
        signal: {
          kind: 'agentLeft',
          transfer: isTransferDisconnect(disconnectType),
          disconnectType,
          participantId: text('participantId'),
        },
      };
    case 'customer.end':
      return { conversationId, signal: { kind: 'customerEnded', disconnectType } };
    case 'acw': {
      const code = text('wrapupCode');
      if (code === undefined || code === '') return undefined;
      const notes = text('wrapupNotes');
      return {
        conversationId,
        signal: { kind: 'wrapup', code, notes: notes === undefined || notes === '' ? undefined : notes },
      };
    }
    default:
      return undefined;
  }
}

/** Where a conversation stands, read from its participants. */
export type ConversationVerdict =
  /** The customer participant is gone, or no agent or queue holds it any more after an agent had it. */
  | { kind: 'ended'; wrapup: { code: string; notes?: string } | undefined }
  | { kind: 'withAgent'; userId: string | undefined; participantId: string }
  /** Waiting in a queue (or still in the inbound flow). */
  | { kind: 'waiting'; hadAgent: boolean };

/**
 * The verdict of `GET /api/v2/conversations/messages/{id}` (docs/genesys-protocol.md §6.5 "Polling"):
 * no connected customer ⇒ ended; a connected agent ⇒ with that agent; a connected ACD participant ⇒
 * waiting; none of them after an agent had the conversation ⇒ ended (nobody will answer). A
 * conversation no agent ever had and no queue holds yet is still in its inbound flow: waiting.
 */
export function conversationVerdict(snapshot: ConversationSnapshot): ConversationVerdict {
  const live = (state: string): boolean => state !== 'disconnected' && state !== 'terminated';
  const customers = snapshot.participants.filter((p) => p.purpose === 'customer');
  const customer = customers[customers.length - 1];
  const agents = snapshot.participants.filter((p) => p.purpose === 'agent');
  const lastWrapup = [...agents].reverse().find((a) => a.wrapup !== undefined)?.wrapup;
  if (customer === undefined || !live(customer.state)) return { kind: 'ended', wrapup: lastWrapup };
  const agent = agents.find((a) => a.state === 'connected');
  if (agent !== undefined) return { kind: 'withAgent', userId: agent.userId, participantId: agent.id };
  const queued = snapshot.participants.some((p) => p.purpose === 'acd' && live(p.state));
  if (queued) return { kind: 'waiting', hadAgent: agents.length > 0 };
  if (agents.length > 0) return { kind: 'ended', wrapup: lastWrapup };
  return { kind: 'waiting', hadAgent: false };
}
