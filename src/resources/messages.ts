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
  linkDown: "I'm having trouble reaching the agent right now. I'm still trying, and your chat is kept.",
  linkRestored: "I'm reconnected to the agent. You can carry on.",
  sessionExpiring: (minutes: number): string =>
    `Your chat with the agent will close in about ${minutes} minute${minutes === 1 ? '' : 's'} unless a message is sent. Send a message to keep it open.`,
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

/** Phrases that cancel waiting in the queue. */
export const CANCEL_PHRASES: readonly string[] = ['cancel', 'stop', 'stop waiting', 'never mind', 'nevermind'];
