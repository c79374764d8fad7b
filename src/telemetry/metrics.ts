/** Names, units and meanings of every metric; the README's operations section lists the same. */
export const METRICS = {
  handoffRequests: {
    name: 'handoff.requests',
    unit: '{handoff}',
    description: 'Handoffs the bot asked Genesys for (one per user request with a provider configured).',
  },
  handoffStarts: {
    name: 'handoff.starts',
    unit: '{handoff}',
    description: 'Handoffs Genesys accepted: the chat exists and can take messages.',
  },
  handoffRefusals: {
    name: 'handoff.refusals',
    unit: '{handoff}',
    description: 'Handoffs Genesys refused (attribute handoff.reason: the Genesys error code).',
  },
  handoffFailures: {
    name: 'handoff.failures',
    unit: '{handoff}',
    description: 'Handoffs that could not be opened for a transient or unexpected reason (attribute handoff.reason).',
  },
  timeToQueue: {
    name: 'handoff.time_to_queue',
    unit: 'ms',
    description: 'Time from the handoff request to Genesys reporting the chat queued.',
  },
  timeToAgent: {
    name: 'handoff.time_to_agent',
    unit: 'ms',
    description: 'Time from the handoff request to the first agent joining.',
  },
  abandoned: {
    name: 'handoff.abandoned',
    unit: '{handoff}',
    description: 'Chats the user left (cancelled or ended) before any agent joined.',
  },
  ends: {
    name: 'handoff.ends',
    unit: '{handoff}',
    description: 'Live chats that ended (attribute handoff.end_reason).',
  },
  chatsLive: {
    name: 'handoff.chats.live',
    unit: '{handoff}',
    description: 'Live chats this instance holds (attribute handoff.state: requested, queued, connected).',
  },
  takeovers: {
    name: 'handoff.takeovers',
    unit: '{handoff}',
    description:
      'Live chats this instance took over from another instance (its lease lapsed, or it released them when stopping).',
  },
  relayLatency: {
    name: 'relay.latency',
    unit: 'ms',
    description:
      'Time the bot takes to relay one message (attribute relay.direction): user_to_agent from starting the send to Genesys accepting it; agent_to_user from receiving the Genesys event to the channel accepting the activity.',
  },
  deliveryRetries: {
    name: 'delivery.retries',
    unit: '{message}',
    description: 'Sends retried (attributes delivery.target: genesys or channel; error.type).',
  },
  deliveryFailures: {
    name: 'delivery.failures',
    unit: '{message}',
    description: 'Sends given up on (attributes delivery.target; error.type).',
  },
  genesysErrors: {
    name: 'genesys.errors',
    unit: '{error}',
    description: 'Errors Genesys reported or calls to Genesys that failed (attribute genesys.error.code).',
  },
  reconnects: {
    name: 'genesys.reconnects',
    unit: '{connection}',
    description: 'Reconnections of a Genesys connection after it dropped (attribute genesys.provider).',
  },
  storageConflicts: {
    name: 'storage.conflicts',
    unit: '{request}',
    description: 'Live-chat record writes refused because the record changed meanwhile (ETag mismatch, HTTP 412).',
  },
  storageThrottled: {
    name: 'storage.throttled',
    unit: '{request}',
    description:
      'Cosmos DB answers 429 (throttled) to live-chat record requests, including those the client retried successfully.',
  },
  storageRequestCharge: {
    name: 'storage.request_charge',
    unit: '{RU}',
    description:
      'Request units Cosmos DB charged for the responses to both stores (live-chat records and bot state), from the x-ms-request-charge header; retries, conflicts and missing documents included.',
  },
} as const;
