import type { GenesysError } from './genesysError';
import type { ButtonAnswer, StructuredContent } from './shared/structuredContent';

export type {
  ButtonAnswer,
  StructuredCard,
  StructuredCardAction,
  StructuredContent,
  StructuredItem,
  StructuredQuickReply,
  StructuredTimeSlot,
} from './shared/structuredContent';

/**
 * The provider-neutral contract between the handoff layer and a Genesys protocol client.
 *
 * A provider opens a chat for one guest (the bot user), relays the guest's text and typing to
 * Genesys, and reports what happens on the agent side as {@link ChatEvent}s. Providers know
 * nothing about Bot Framework; the handoff layer knows nothing about Genesys frames.
 */

/** Names of the implemented providers; the value of the `GenesysProvider` setting. */
export type GenesysProviderName = 'webmessaging' | 'guestchat' | 'openmessaging';

/** The guest as the agent will see them. */
export interface GuestIdentity {
  /** Shown to the agent; required. */
  displayName: string;
  firstName?: string;
  lastName?: string;
  email?: string;
}

/** Where the chat should be routed. Web Messaging routes by deployment (Architect flow) and ignores it. */
export interface RoutingRequest {
  /** Queue **name** (Guest Chat routes by name, not id). */
  queueName?: string;
  skills?: string[];
  language?: string;
  priority?: number;
}

/** Everything needed to open a chat. */
export interface StartChatRequest {
  guest: GuestIdentity;
  /**
   * Participant data / custom fields for routing and the agent script. A provider trims what does
   * not fit its size limit (Web Messaging: 2,048 bytes) and logs which keys it dropped.
   */
  attributes: Record<string, string>;
  /**
   * Sent as the guest's first message(s) once the chat can take messages: the conversation so far,
   * formatted for the agent. Split to the provider's length limit when longer.
   */
  introduction: string;
  routing?: RoutingRequest;
  /**
   * Identifies this chat among every chat of the bot, before Genesys knows it (the live-chat
   * record's generation). Providers that name the customer per chat use it as that name (Open
   * Messaging: the external id), so a webhook arriving before the chat is recorded is recognised.
   */
  chatKey?: string;
}

/** Data the handoff layer persists so any instance can reattach to (or send on) a chat. */
export type ResumeData = WebMessagingResumeData | GuestChatResumeData | OpenMessagingResumeData;

/** Web Messaging: the session is identified by a token the client generated. */
export interface WebMessagingResumeData {
  provider: 'webmessaging';
  /** Client-generated session token (a secret: never log it). */
  token: string;
}

/** Guest Chat v2: ids and the JWT returned by the create call. */
export interface GuestChatResumeData {
  provider: 'guestchat';
  conversationId: string;
  /** The guest's own member id. */
  memberId: string;
  /** Bearer token for every later call (a secret: never log it). */
  jwt: string;
  /** Event stream websocket; embeds the JWT (a secret: never log it). */
  eventStreamUri: string;
}

/**
 * Open Messaging: the external id the bot chose for this handoff (`channel.from.id`, one per
 * handoff so that a new handoff never threads into an earlier conversation, docs/genesys-protocol.md §6.9)
 * and the Genesys conversation id learnt from the first inbound message.
 */
export interface OpenMessagingResumeData {
  provider: 'openmessaging';
  externalId: string;
  /** Genesys' conversation id (from `prefetchConversationId`). */
  conversationId: string;
  /** `channel.from.nickname`: the name the agent sees. */
  nickname: string;
}

/** What a provider needs to avoid re-delivering what the bot already showed the user. */
export interface ResumeOptions {
  /** Ids of agent messages already delivered to the user (most recent last; bounded). */
  deliveredMessageIds: readonly string[];
  /** `time` of the last delivered agent message (ISO-8601), if any. */
  lastDeliveredAt?: string;
}

/** An agent as far as Genesys tells us. Every field is optional: Genesys may send none. */
export interface AgentInfo {
  id?: string;
  /** Display name or nickname. */
  name?: string;
  avatarUrl?: string;
}

/** A file the agent sent, as a link the user can open. */
export interface AttachmentLink {
  url: string;
  name?: string;
  contentType?: string;
  /** Size in bytes, when the provider reports it (Web Messaging `fileSize`). */
  size?: number;
}

/** Why a chat ended. */
export type ChatEndReason =
  /** The agent (or Genesys on the agent's side) ended the conversation. */
  | 'agentEnded'
  /**
   * The agent ended the conversation and Genesys made the session read-only; learnt from Genesys
   * refusing a guest message (Web Messaging 409) because the Disconnect event never arrived.
   */
  | 'readOnly'
  /** The guest ended it (through {@link ChatSession.end}). */
  | 'guestEnded'
  /** The Genesys session expired. */
  | 'expired'
  /** The conversation was cleared (Web Messaging Presence Clear). */
  | 'cleared'
  /** The chat cannot continue: the link could not be restored, or Genesys refused it. */
  | 'failed';

/** The agent's after-call work as Genesys reports it. */
export interface WrapUp {
  code: string;
  notes?: string;
}

/**
 * What became of an agent message on the user's channel, reported back to Genesys as a delivery
 * receipt where the protocol has them (Open Messaging, docs/genesys-protocol.md §6.2).
 * `unsupported`: the channel cannot show this kind of message (a card, a file type);
 * `failed`: anything else.
 */
export type DeliveryOutcome =
  { delivered: true } | { delivered: false; reason: 'unsupported' | 'failed'; detail?: string };

/** Something that happened on the Genesys side of one chat. */
export type ChatEvent =
  /** The chat exists and waits for an agent. */
  | { kind: 'queued' }
  /** A human agent joined (for Web Messaging: the first human outbound message or event). */
  | { kind: 'agentJoined'; agent: AgentInfo }
  /**
   * An agent (or an Architect bot flow, `fromBot`) wrote to the guest. `id` is Genesys' message id,
   * unique per chat; `content` holds the quick replies, cards, carousels and time slot pickers the
   * message offers (providers without structured content leave it out).
   */
  | {
      kind: 'agentMessage';
      id: string;
      text: string;
      time: string;
      agent: AgentInfo;
      attachments: AttachmentLink[];
      content?: StructuredContent;
      fromBot?: boolean;
      /** `markdown` when the text may contain Genesys Markdown (the deployment enables it); default `plain`. */
      textFormat?: 'plain' | 'markdown';
    }
  /** The agent is typing; hide after `durationMs` or at the agent's next message. */
  | { kind: 'agentTyping'; durationMs: number }
  /** The agent left. `transfer` is true when the chat goes on and waits for another agent. */
  | { kind: 'agentLeft'; agent: AgentInfo; transfer: boolean }
  /**
   * The chat is over; no more events follow. `wrapup` carries the agent's wrap-up code and notes
   * when Genesys reported them before the end (Open Messaging, docs/genesys-protocol.md §6.5).
   */
  | { kind: 'ended'; reason: ChatEndReason; error?: GenesysError; wrapup?: WrapUp }
  /**
   * The link to Genesys has been down for a noticeable time; the provider keeps reconnecting and the
   * Genesys session is kept. Reported once per outage.
   */
  | { kind: 'linkDown'; downForMs: number }
  /** The link is back (and stayed up) after a `linkDown`. */
  | { kind: 'linkRestored' }
  /**
   * The Genesys guest session ends after `expiresInSeconds` more without a message (either way);
   * a message from the user extends it. Reported once per expiry time.
   */
  | { kind: 'sessionExpiring'; expiresInSeconds: number }
  /** A non-fatal problem worth logging or telling the user about (e.g. a message that could not be sent). */
  | { kind: 'error'; error: GenesysError };

/**
 * Receives the events of one chat. A provider calls it one event at a time, in order, waiting for
 * the returned promise before the next event; a rejection is logged and does not stop the chat.
 */
export type ChatListener = (event: ChatEvent) => Promise<void> | void;

/** A file the guest sends to the agent (user → agent uploads). */
export interface FileUpload {
  /** File name with its extension, as the agent will see it. */
  fileName: string;
  /** MIME type, e.g. `image/png`. */
  contentType: string;
  /** The file itself. */
  bytes: Uint8Array;
}

/** A live, locally held chat. */
export interface ChatSession {
  /** What to persist to reattach later. */
  readonly resumeData: ResumeData;
  /** Sends guest text: split to the provider's limits, paced to its rate limit, retried on 429. */
  sendText(text: string): Promise<void>;
  /**
   * Sends the guest's answer to structured content as Genesys expects it (Web Messaging:
   * `ButtonResponse`, docs/genesys-protocol.md §5.14), acknowledged like {@link ChatSession.sendText}.
   * Providers without structured content leave it out; the caller then sends `answer.text` as text.
   */
  sendButtonResponse?(answer: ButtonAnswer): Promise<void>;
  /**
   * Sends guest text with files the provider hands to Genesys by URL (Genesys fetches them itself).
   * Providers without file transfer leave it out; the caller then sends the links as text.
   */
  sendMessage?(text: string, attachments: readonly AttachmentLink[]): Promise<void>;
  /** Tells the agent the guest is typing; throttled by the provider (silently a no-op when too soon). */
  sendTyping(): Promise<void>;
  /**
   * Uploads a file and sends it to the agent as a guest message (Web Messaging: the guest attachment
   * flow, `docs/genesys-protocol.md §5.9`). Absent on providers without uploads (Guest Chat). Rejects
   * with `fileTypeRefused` or `fileTooLarge` when Genesys refuses the file, or with the usual send errors.
   */
  sendAttachment?(file: FileUpload): Promise<void>;
  /**
   * Ends the chat from the guest side. Resolves once Genesys accepted it; emits `ended` (`guestEnded`).
   * `agentNotice`: the last line the agent gets, in place of the provider's own farewell (only
   * read by providers with {@link HandoffProvider.endTellsAgent}).
   */
  end(agentNotice?: string): Promise<void>;
  /** Closes the local connection without ending the chat (shutdown, lease hand-over). No events follow. */
  detach(): Promise<void>;
  /**
   * Tells Genesys what became of agent message `messageId` on the user's channel (a delivery
   * receipt). Providers without receipts leave it out. Never rejects: a receipt that cannot be sent is logged.
   */
  acknowledge?(messageId: string, outcome: DeliveryOutcome): Promise<void>;
}

/**
 * Work done by one instance for the whole deployment (see {@link HandoffProvider.deploymentDuty}).
 * Only the instance holding the duty's lease is asked to {@link DeploymentDuty.follow}; the others
 * do none of it.
 */
export interface DeploymentDuty {
  /** Names the lease (letters, digits and dashes). */
  readonly name: string;
  /**
   * This instance holds the duty: follow the active chats `chats` (resume data of every active chat
   * of this provider, on every instance). Called when the lease is taken and again whenever the
   * active chats are read anew; chats this process opens meanwhile are followed at once.
   */
  follow(chats: readonly ResumeData[]): void;
  /** This instance no longer holds the duty (lease lost, released or shutdown); resolves once stopped. */
  standDown(): Promise<void>;
}

/** A Genesys protocol client. */
export interface HandoffProvider {
  readonly name: GenesysProviderName;
  /**
   * True when its sessions upload files ({@link ChatSession.sendAttachment}); false when they cannot
   * (the agent then gets a user's file as a link it can open, or its name and a note); absent: files
   * are described as links.
   */
  readonly uploadsFiles?: boolean;
  /**
   * Opens a new chat and resolves once it can take messages and the introduction was sent.
   * Rejects with a `GenesysError` when Genesys refuses (unknown deployment, queue, auth, retired API...).
   */
  startChat(request: StartChatRequest, listener: ChatListener): Promise<ChatSession>;
  /**
   * Reattaches to an existing chat (after a restart or a lease takeover): reconnects, then replays
   * agent events missed meanwhile (skipping `options.deliveredMessageIds`), then goes live.
   */
  resumeChat(data: ResumeData, options: ResumeOptions, listener: ChatListener): Promise<ChatSession>;
  /** Sends guest text on a chat this process does not hold (another instance owns its connection). */
  sendDetached(data: ResumeData, text: string): Promise<void>;
  /** {@link ChatSession.sendButtonResponse} on a chat this process does not hold; left out like it. */
  sendDetachedButtonResponse?(data: ResumeData, answer: ButtonAnswer): Promise<void>;
  /**
   * Ends a chat this process does not hold. Treats an already ended chat as success.
   * `agentNotice` as in {@link ChatSession.end}.
   */
  endDetached(data: ResumeData, agentNotice?: string): Promise<void>;
  /**
   * True when ending a chat from the guest side already sends the agent one line (the provider's
   * farewell, or the `agentNotice` given to {@link ChatSession.end}); the caller then sends no
   * notice of its own.
   */
  readonly endTellsAgent?: boolean;
  /**
   * {@link ChatSession.sendTyping} on a chat this process does not hold, throttled the same way;
   * left out by providers that can only send typing on the connection that holds the chat.
   */
  sendDetachedTyping?(data: ResumeData): Promise<void>;
  /**
   * Work that one instance of the deployment does for the chats of every instance (Open Messaging:
   * the Notifications API subscriber); absent when there is none. The handoff layer elects that
   * instance with a lease in storage.
   */
  readonly deploymentDuty?: DeploymentDuty;
  /** Detaches every session and releases resources (shutdown). */
  close(): Promise<void>;
}
