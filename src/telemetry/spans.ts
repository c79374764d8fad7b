/** Span names of the two relay traces (see README "Operations"). */
export const SPANS = {
  /** A user's turn (root of the user → agent trace). */
  turn: 'bot.turn',
  /** Sending the user's text to Genesys; ends when Genesys accepted it. */
  genesysSend: 'genesys.send',
  /** An event from Genesys (root of the agent → user trace). */
  genesysEvent: 'genesys.event',
  /** The proactive turn that delivers an event to the user. */
  proactiveSend: 'bot.proactive_send',
  /** The channel accepting the proactive activities. */
  channelSend: 'channel.send',
} as const;

/** Attribute recording how many attempts a send took. */
export const ATTEMPTS_ATTRIBUTE = 'genesys.send.attempts';
