/**
 * Id of the live-chat record of one Bot Framework conversation. Channel conversation ids may hold
 * characters Cosmos DB forbids in ids (`/`, `\`, `?`, `#`), so the pair is URI-encoded.
 */
export function handoffRecordId(channelId: string, conversationId: string): string {
  return encodeURIComponent(`${channelId}|${conversationId}`);
}

/** Storage key botbuilder's ConversationState uses for a conversation. */
export function conversationStateKey(channelId: string, conversationId: string): string {
  return `${channelId}/conversations/${conversationId}`;
}

/** Storage key botbuilder's UserState uses for a user. */
export function userStateKey(channelId: string, userId: string): string {
  return `${channelId}/users/${userId}`;
}

/** Id of the inbound activity log of one Bot Framework conversation (see `InboundActivityLog`). */
export function inboundLogId(channelId: string, conversationId: string): string {
  return encodeURIComponent(`inbound|${channelId}|${conversationId}`);
}
