import { conversationStateKey, handoffRecordId, userStateKey } from '../handoff/handoffKeys';
import type { StorageBundle } from './createStorage';
import type { StoredDocument } from './versionedStore';

/** The conversation (and optionally the user) whose stored data is deleted. */
export interface ConversationDataRef {
  channelId: string;
  conversationId: string;
  /** Also delete this user's user state (shared by all of the user's conversations on the channel). */
  userId?: string;
}

/** What one deletion found: the storage key and whether something was stored under it. */
export interface DeletedItem {
  key: string;
  existed: boolean;
}

/** What {@link deleteConversationData} deleted. */
export interface ConversationDataDeletion {
  conversationState: DeletedItem;
  /** Present when a `userId` was given. */
  userState?: DeletedItem;
  handoffRecord: DeletedItem;
}

/**
 * Deletes what the bot stores about one conversation: its Bot Framework conversation state, the
 * user's state when `userId` is given, and its live-chat record. Reports which of them existed.
 * A chat still open in Genesys Cloud is not ended by this; the bot merely forgets it.
 */
export async function deleteConversationData<T extends StoredDocument>(
  bundle: Pick<StorageBundle<T>, 'botStorage' | 'handoffStore'>,
  ref: ConversationDataRef,
): Promise<ConversationDataDeletion> {
  const conversationKey = conversationStateKey(ref.channelId, ref.conversationId);
  const userKey = ref.userId === undefined ? undefined : userStateKey(ref.channelId, ref.userId);
  const stateKeys = userKey === undefined ? [conversationKey] : [conversationKey, userKey];
  const recordId = handoffRecordId(ref.channelId, ref.conversationId);

  // Read first only to report what existed; the deletes are idempotent either way.
  const [existingState, existingRecord] = await Promise.all([
    bundle.botStorage.read(stateKeys),
    bundle.handoffStore.read(recordId),
  ]);
  await Promise.all([bundle.botStorage.delete(stateKeys), bundle.handoffStore.delete(recordId)]);

  const item = (key: string): DeletedItem => ({
    key,
    existed: Object.prototype.hasOwnProperty.call(existingState, key),
  });
  return {
    conversationState: item(conversationKey),
    ...(userKey === undefined ? {} : { userState: item(userKey) }),
    handoffRecord: { key: recordId, existed: existingRecord !== undefined },
  };
}
