/**
 * The simulator's own model of Genesys Cloud Open Messaging objects (docs/genesys-protocol.md §6).
 * Nothing here is shared with the client: the simulator is an independent reading of the protocol.
 */

/** The transfer values of `disconnectType` (docs/genesys-protocol.md §6.5) [C] values, [I] reading. */
export const TRANSFER_DISCONNECT_TYPES = [
  'TRANSFER',
  'CONFERENCE_TRANSFER',
  'CONSULT_TRANSFER',
  'FORWARD_TRANSFER',
  'NO_ANSWER_TRANSFER',
  'NOT_AVAILABLE_TRANSFER',
  'DND_TRANSFER',
] as const;

/** `disconnectType` values of the `user.end`/`customer.end` detail events (docs/genesys-protocol.md §6.5) [C]. */
export const DISCONNECT_TYPES = [
  ...TRANSFER_DISCONNECT_TYPES,
  'CLIENT',
  'ENDPOINT',
  'PEER',
  'SYSTEM',
  'ERROR',
  'TIMEOUT',
  'TRANSPORT_FAILURE',
  'UNCALLABLE',
  'DND_ENDPOINT',
  'SPAM',
  'OTHER',
  'UNKNOWN',
  'INACTIVITY',
  'SESSION_EXPIRED',
  'TAKEOVER',
] as const;

/** One `disconnectType` of a detail event (upper case, docs/genesys-protocol.md §6.5). */
export type DisconnectType = (typeof DISCONNECT_TYPES)[number];

/** Whether a `disconnectType` is one of the transfer values. */
export function isTransfer(type: DisconnectType): boolean {
  return (TRANSFER_DISCONNECT_TYPES as readonly DisconnectType[]).includes(type);
}

/** `channel.from.idType` of an inbound message (docs/genesys-protocol.md §6.2) [C]. */
export const ID_TYPES = ['Email', 'Phone', 'Opaque'] as const;
export type IdType = (typeof ID_TYPES)[number];

/** Attachment `mediaType` values (docs/genesys-protocol.md §6.2, §6.3) [C]. */
export const MEDIA_TYPES = ['Image', 'Video', 'Audio', 'File', 'Link'] as const;
export type MediaType = (typeof MEDIA_TYPES)[number];

/** Inbound receipt `status` values; there is no `Read` inbound (docs/genesys-protocol.md §6.2) [C]. */
export const RECEIPT_STATUSES = ['Sent', 'Delivered', 'Failed', 'Published', 'Removed'] as const;
export type ReceiptStatus = (typeof RECEIPT_STATUSES)[number];

/** Receipt `reasons[].code` values (docs/genesys-protocol.md §6.2) [C]. */
export const RECEIPT_REASON_CODES = [
  'MessageExpired',
  'RateLimited',
  'MessageNotAllowed',
  'GeneralError',
  'UnsupportedMessage',
  'UnknownMessage',
  'InvalidMessageStructure',
  'InvalidDestination',
  'ServerError',
  'MediaTypeNotAllowed',
  'InvalidMediaContentLength',
  'RecipientOptedOut',
  'DataFiltered',
] as const;
export type ReceiptReasonCode = (typeof RECEIPT_REASON_CODES)[number];

/** `ContentButtonResponse.type` values (docs/genesys-protocol.md §6.2) [C]. */
export const BUTTON_RESPONSE_TYPES = ['Button', 'QuickReply', 'DatePicker'] as const;

/** The customer as `channel.from` names it on an inbound request. */
export interface ExternalContact {
  id: string;
  idType: IdType;
  nickname?: string;
  firstName?: string;
  lastName?: string;
  image?: string;
  email?: string;
}

/** An attachment by URL, either direction (docs/genesys-protocol.md §6.2, §6.3). */
export interface OpenAttachment {
  id?: string;
  mediaType: MediaType;
  url: string;
  mime: string;
  text?: string;
  sha256?: string;
  filename?: string;
  contentSizeBytes?: number;
}

/** A receipt the bot sent for an agent's message (`inbound/open/receipt`). */
export interface RecordedReceipt {
  /** The outbound message id the receipt is about. */
  messageId: string;
  status: ReceiptStatus;
  isFinalReceipt: boolean;
  reasons: { code: ReceiptReasonCode; message?: string }[];
  /** `channel.to.id` of the receipt: the customer's external id. */
  externalId: string;
  /** The conversation of the message, when the simulator knows the message. */
  conversationId?: string;
  receivedAt: string;
}

/** A message of a simulated conversation, either direction. */
export interface SimulatedOpenMessage {
  id: string;
  direction: 'Inbound' | 'Outbound';
  type: 'Text' | 'Structured' | 'Event';
  text: string;
  /** ISO-8601. */
  time: string;
  /** Outbound only: `Human` for an agent, `Bot` for an Architect flow. */
  originatingEntity?: 'Human' | 'Bot';
  /** Attachments (either direction). */
  attachments: OpenAttachment[];
  /** Structured content (outbound) or the button response (inbound), as sent. */
  structured?: Record<string, unknown>[];
  /** Outbound: the agent who wrote it. */
  userId?: string;
  /** Outbound: receipts the bot sent for it, oldest first. */
  receipts: RecordedReceipt[];
}

/** Participant `purpose` values the simulator uses (conversation API, docs/genesys-protocol.md §6.6). */
export type ParticipantPurpose = 'customer' | 'acd' | 'agent';

/** Participant states the simulator uses (`MessageMediaParticipant.state`) [C] names, [I] transitions. */
export type ParticipantState = 'alerting' | 'connected' | 'disconnected';

/** A participant of a simulated conversation. */
export interface SimulatedParticipant {
  id: string;
  purpose: ParticipantPurpose;
  state: ParticipantState;
  /** The agent's user id (`purpose: agent`). */
  userId?: string;
  name?: string;
  queueId?: string;
  /** Upper-case detail-event value; the conversation API shows it in lower case. */
  disconnectType?: DisconnectType;
  /** ISO-8601. */
  startTime: string;
  connectedTime?: string;
  endTime?: string;
  startAcwTime?: string;
  wrapup?: { code: string; notes?: string; durationMs: number };
  attributes: Record<string, string>;
}

/**
 * States of a simulated conversation: `queued` waiting for an agent; `connected` routed out of the
 * queue (with an agent, or after a non-transfer agent end while the customer stays connected when
 * `customerEndsWithLastAgent` is off); `ended` nobody connected.
 */
export type SimulatedConversationState = 'queued' | 'connected' | 'ended';

/** A snapshot of a conversation for tests and the agent console. */
export interface SimulatedOpenConversation {
  id: string;
  integrationId: string;
  /** The customer's `channel.from.id`: with the integration, the conversation key (§6.9). */
  externalId: string;
  customer: ExternalContact;
  state: SimulatedConversationState;
  queueId: string;
  /** The connected agent, if any. */
  agent?: { userId: string; name: string; participantId: string };
  /** The last agent who handled the conversation (threading routes there first, §6.9). */
  lastAgentUserId?: string;
  /** Routing attributes taken from the first inbound message's `channel.metadata.customAttributes`. */
  customAttributes: Record<string, string>;
  participants: SimulatedParticipant[];
  messages: SimulatedOpenMessage[];
  /** How many times a later inbound message threaded this conversation back open. */
  reopenedCount: number;
  startedAt: string;
  endedAt?: string;
}
