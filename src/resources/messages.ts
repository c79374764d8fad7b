/**
 * Every sentence the bot shows to users, in one place, ready for translation. Texts are short,
 * friendly, and never contain developer detail.
 */
export const MESSAGES = {
  welcome: 'Hi! I\'m the virtual assistant. Ask me a question, or type "help" to see what I can do.',
  help:
    'I can answer common questions about opening hours, orders, delivery, returns, payments and your account. ' +
    'Just ask in your own words. If you would rather talk to a person, type "agent" at any time.',
  talkToAgentAction: 'Talk to an agent',
  helpAction: 'Help',
  endChatAction: 'End chat',
  didNotUnderstand: 'Sorry, I didn\'t get that. Could you rephrase it, or type "help"?',
  offerAgent: "I'm having trouble understanding. Would you like to talk to a person?",
  agentsNotConfigured:
    "I'm sorry, live agents aren't available from this bot right now. I'll keep helping as best I can, or type \"help\".",
  turnError: 'Sorry, something went wrong on my side. Please try again.',

  connecting: 'Connecting you to an agent…',
  queued: 'You\'re in the queue. An agent will be with you shortly. Type "cancel" to stop waiting.',
  alreadyConnecting: 'I\'m already connecting you to an agent. Type "cancel" to stop waiting.',
  agentJoined: (name: string): string => `You are now chatting with ${name}.`,
  agentFallbackName: 'an agent',
  agentTransferred: "You're being transferred to another agent. Please wait.",
  userEnded: 'You have ended the chat with the agent. I am back to help you.',
  userCancelled: "OK, I've stopped looking for an agent. I am back to help you.",
  agentEnded: 'The agent has ended the chat. I am back to help you.',
  sessionExpired: 'The chat with the agent has expired. I am back to help you.',
  queueTimeout:
    'Sorry, no agent became available in time. I am back to help you; you can ask for an agent again later.',
  idleWarning: (minutes: number): string =>
    `Are you still there? The chat will close in ${minutes} minute${minutes === 1 ? '' : 's'} if there is no message.`,
  idleTimeout: 'The chat with the agent was closed because nobody wrote for a while. I am back to help you.',
  connectionLost: 'Sorry, the connection to the agent was lost. I am back to help you; you can ask for an agent again.',
  handoffFailed: "Sorry, I couldn't reach an agent right now. Please try again later. I am back to help you.",
  handoffRefused: "Sorry, live agents aren't available right now. Please try again later. I am back to help you.",
  messageNotDelivered: "Sorry, your last message couldn't be delivered to the agent. Please send it again.",
  attachmentNote: (name: string, url: string, needsAuth: boolean): string =>
    `[Attachment] ${name}: ${url}${needsAuth ? ' (this link may need the customer to be signed in to the chat channel)' : ''}`,
  agentAttachment: (name: string): string => `The agent sent a file: ${name}`,
  passedOnWhileWaiting: "An agent will be with you soon; I've passed your message on.",
  messageNotDeliveredQuoted: (quote: string): string =>
    `Sorry, this message couldn't be delivered to the agent: "${quote}". Please send it again.`,
  /** Sent to the agent (not the user) when the customer can no longer be reached on their channel. */
  agentNoticeUserUnreachable:
    'The customer is no longer reachable on their chat channel (they left or the channel refused the message). The chat has been ended.',
  /** Relayed to the agent when the user edits a message they sent during the chat. */
  userEdited: (text: string): string => `(edited) ${text}`,
  /** Relayed to the agent when the user deletes a message they sent during the chat. */
  userDeleted: '(The customer deleted one of their messages.)',
  /** Relayed to the agent for a sticker or "like" with no text. */
  userSticker: (url: string): string => `[Sticker] ${url}`,
  /** Relayed to the agent for an attachment the bot cannot link to. */
  userAttachmentWithoutLink: (kind: string): string => `[Attachment] ${kind} (it can't be shown here)`,
} as const;

/** Phrases that end a live chat (compared case-insensitively, whole message). */
export const END_CHAT_PHRASES: readonly string[] = [
  'end chat',
  'end',
  'stop chat',
  'quit',
  'exit',
  'bye bot',
  'end conversation',
];

/**
 * Whole messages that ask for an agent; while one is already being connected they are answered
 * with {@link MESSAGES.alreadyConnecting} instead of being passed on.
 */
export const AGENT_REQUEST_PHRASES: readonly string[] = [
  'agent',
  'an agent',
  'human',
  'a human',
  'talk to an agent',
  'talk to a human',
  'talk to a person',
  'speak to an agent',
  'i want to talk to a human',
  'i want to talk to an agent',
  'real person',
];

/** Phrases that cancel waiting in the queue. */
export const CANCEL_PHRASES: readonly string[] = ['cancel', 'stop', 'stop waiting', 'never mind', 'nevermind'];
